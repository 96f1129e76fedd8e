-- The streaming-ingestion alternative: Redshift reads the stream itself, no sink process.
-- Streaming ingestion cannot decode Avro, so this path needs the events as JSON:
-- the analytics transport writes them JSON-encoded to a stream of their own
-- (MANGAASSIST_KINESIS_STREAM_NAME, see docs/kinesis.md), or to an MSK topic.

-- From Kinesis Data Streams.
CREATE EXTERNAL SCHEMA IF NOT EXISTS mangaassist_kds
FROM KINESIS
IAM_ROLE '{iam_role_arn}';

CREATE MATERIALIZED VIEW mangaassist.chat_events_stream
DISTKEY (session_id)
SORTKEY (approximate_arrival_timestamp)
AUTO REFRESH YES
AS
SELECT
    approximate_arrival_timestamp,
    partition_key AS session_id,
    shard_id,
    sequence_number,
    JSON_PARSE(FROM_VARBYTE(kinesis_data, 'utf-8')) AS event
FROM mangaassist_kds."mangaassist-analytics-json"
WHERE CAN_JSON_PARSE(FROM_VARBYTE(kinesis_data, 'utf-8'));

-- Or from Amazon MSK (the same chat.* topics the pipeline uses, JSON-encoded copy).
-- CREATE EXTERNAL SCHEMA mangaassist_msk
-- FROM MSK
-- IAM_ROLE '{iam_role_arn}'
-- AUTHENTICATION iam
-- CLUSTER_ARN '{msk_cluster_arn}';
--
-- CREATE MATERIALIZED VIEW mangaassist.chat_events_stream AUTO REFRESH YES AS
-- SELECT kafka_timestamp AS approximate_arrival_timestamp,
--        kafka_key AS session_id, kafka_partition, kafka_offset,
--        JSON_PARSE(kafka_value) AS event
-- FROM mangaassist_msk."mangaassist.chat.analytics-json"
-- WHERE CAN_JSON_PARSE(kafka_value);

-- Delivery is at least once, so the stream can hold an event twice. The same
-- shape as chat_events, one row per event_id, for the analysts' views:
CREATE OR REPLACE VIEW mangaassist.chat_events_from_stream AS
SELECT event_id, event_type, topic, session_id, turn_id, ts, schema_version, payload,
       approximate_arrival_timestamp AS ingested_at
FROM (
    SELECT
        CAST(event.event_id AS VARCHAR(64)) AS event_id,
        CAST(event.event_type AS VARCHAR(64)) AS event_type,
        CAST(event.topic AS VARCHAR(128)) AS topic,
        session_id,
        CAST(event.turn_id AS VARCHAR(64)) AS turn_id,
        CAST(CAST(event.ts AS VARCHAR) AS TIMESTAMPTZ) AS ts,
        CAST(event.schema_version AS INTEGER) AS schema_version,
        JSON_SERIALIZE(event.payload) AS payload,
        approximate_arrival_timestamp,
        ROW_NUMBER() OVER (
            PARTITION BY event.event_id ORDER BY approximate_arrival_timestamp
        ) AS nth
    FROM mangaassist.chat_events_stream
) AS numbered
WHERE nth = 1;
