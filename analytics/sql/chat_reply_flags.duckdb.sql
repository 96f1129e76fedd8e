-- One row per guardrail flag of a reply; the PostgreSQL twin is chat_reply_flags.postgres.sql.
CREATE OR REPLACE VIEW chat_reply_flags AS
SELECT
    event_id,
    session_id,
    turn_id,
    day,
    is_shown,
    UNNEST(CAST(CAST(guardrail_flags AS JSON) AS VARCHAR[])) AS category
FROM chat_replies;
