-- How a batch is loaded, idempotently on event_id. The sink writes the batch's rows
-- as gzip-compressed JSON lines to S3 (s3://BUCKET/mangaassist/batches/BATCH_ID.json.gz),
-- then runs this in one transaction. Placeholders in {braces} are filled by the loader.
BEGIN;

CREATE TEMP TABLE chat_events_stage (LIKE mangaassist.chat_events);

COPY chat_events_stage (event_id, event_type, topic, session_id, turn_id, ts, schema_version, payload)
FROM '{s3_uri}'
IAM_ROLE '{iam_role_arn}'
FORMAT AS JSON 'auto'
TIMEFORMAT 'auto'
GZIP;

-- A redelivered batch, or an event in two batches, finds its row already there.
MERGE INTO mangaassist.chat_events
USING chat_events_stage AS s
ON mangaassist.chat_events.event_id = s.event_id
WHEN MATCHED THEN UPDATE SET ingested_at = mangaassist.chat_events.ingested_at
WHEN NOT MATCHED THEN INSERT (event_id, event_type, topic, session_id, turn_id, ts,
                              schema_version, payload, ingested_at)
VALUES (s.event_id, s.event_type, s.topic, s.session_id, s.turn_id, s.ts,
        s.schema_version, s.payload, SYSDATE);

DROP TABLE chat_events_stage;

COMMIT;
