-- One row per DeadLetter: a message a stage could not decode or process (raw bytes left out).
CREATE OR REPLACE VIEW chat_dead_letters AS
SELECT
    event_id,
    session_id,
    turn_id,
    ts AS dead_lettered_ts,
    CAST(ts AT TIME ZONE 'UTC' AS DATE) AS day,
    body ->> 'stage' AS stage,
    body ->> 'source_topic' AS source_topic,
    CAST(body ->> 'source_partition' AS INTEGER) AS source_partition,
    CAST(body ->> 'source_offset' AS BIGINT) AS source_offset,
    body ->> 'error_type' AS error_type,
    body ->> 'error_message' AS error_message
FROM (
    SELECT event_id, session_id, turn_id, ts, CAST(payload AS JSON) AS body
    FROM chat_events
    WHERE event_type = 'DeadLetter'
) AS dead_letters;
