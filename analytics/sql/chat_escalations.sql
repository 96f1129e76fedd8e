-- One row per Escalation: a turn that asked for a human agent.
CREATE OR REPLACE VIEW chat_escalations AS
SELECT
    event_id,
    session_id,
    turn_id,
    ts AS escalated_ts,
    CAST(ts AT TIME ZONE 'UTC' AS DATE) AS day,
    body ->> 'user_id' AS user_id,
    body ->> 'locale' AS locale,
    body ->> 'reason' AS reason,
    body ->> 'summary' AS summary
FROM (
    SELECT event_id, session_id, turn_id, ts, CAST(payload AS JSON) AS body
    FROM chat_events
    WHERE event_type = 'Escalation'
) AS escalations;
