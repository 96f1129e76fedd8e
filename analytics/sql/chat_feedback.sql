-- One row per Feedback event. A shopper may change their mind: is_latest marks the last
-- rating of each turn, the one CSAT counts.
CREATE OR REPLACE VIEW chat_feedback AS
SELECT
    event_id,
    session_id,
    turn_id,
    ts AS rated_ts,
    CAST(ts AT TIME ZONE 'UTC' AS DATE) AS day,
    body ->> 'rating' AS rating,
    body ->> 'comment' AS comment,
    ROW_NUMBER() OVER (PARTITION BY session_id, turn_id ORDER BY ts DESC, event_id DESC) = 1
        AS is_latest
FROM (
    SELECT event_id, session_id, turn_id, ts, CAST(payload AS JSON) AS body
    FROM chat_events
    WHERE event_type = 'Feedback'
) AS feedback;
