-- One row per shopper message (ChatTurn), with what the pipeline made of it: the intent,
-- the reply the shopper saw, the latencies of turn_latency, escalation, feedback, and whether
-- the turn counts as resolved (docs/analytics.md): an ok reply, in a session with no
-- escalation and no negative latest rating. experiment_arm waits for a future event field.
CREATE OR REPLACE VIEW chat_turns AS
WITH received AS (
    SELECT
        session_id,
        turn_id,
        ts AS received_ts,
        body ->> 'user_id' AS user_id,
        body ->> 'locale' AS locale,
        body ->> 'channel' AS channel,
        body ->> 'text' AS text,
        -- A resent message is a second ChatTurn for the turn: the first one counts.
        ROW_NUMBER() OVER (PARTITION BY session_id, turn_id ORDER BY ts, event_id) AS nth
    FROM (
        SELECT event_id, session_id, turn_id, ts, CAST(payload AS JSON) AS body
        FROM chat_events
        WHERE event_type = 'ChatTurn'
    ) AS chat_turn_events
),

understood AS (
    SELECT
        session_id,
        turn_id,
        MIN(body ->> 'intent') AS intent,
        MAX(CAST(body ->> 'confidence' AS DOUBLE PRECISION)) AS confidence
    FROM (
        SELECT session_id, turn_id, CAST(payload AS JSON) AS body
        FROM chat_events
        WHERE event_type = 'UnderstoodTurn'
    ) AS understood_events
    GROUP BY session_id, turn_id
),

unhappy_sessions AS (
    SELECT DISTINCT session_id FROM chat_feedback WHERE is_latest AND rating = 'down'
),

escalated_sessions AS (
    SELECT DISTINCT session_id FROM chat_escalations
)

SELECT
    t.session_id,
    t.turn_id,
    t.received_ts,
    CAST(t.received_ts AT TIME ZONE 'UTC' AS DATE) AS day,
    t.user_id,
    t.locale,
    t.channel,
    t.text,
    u.intent,
    u.confidence,
    r.status AS reply_status,
    r.path AS reply_path,
    r.error_code,
    r.chunk_count,
    r.guardrail_flags,
    l.first_chunk_ms,
    l.final_reply_ms AS final_ms,
    EXISTS (
        SELECT 1 FROM chat_escalations AS e
        WHERE e.session_id = t.session_id AND e.turn_id = t.turn_id
    ) AS escalated,
    f.rating AS feedback_rating,
    COALESCE(r.status = 'ok', FALSE)
    AND NOT EXISTS (SELECT 1 FROM escalated_sessions AS es WHERE es.session_id = t.session_id)
    AND NOT EXISTS (SELECT 1 FROM unhappy_sessions AS us WHERE us.session_id = t.session_id)
        AS resolved,
    r.llm_model,
    r.prompt_tokens,
    r.completion_tokens,
    r.cost_usd,
    r.products_shown,
    CAST(NULL AS VARCHAR) AS experiment_arm
FROM received AS t
LEFT JOIN turn_latency AS l ON l.session_id = t.session_id AND l.turn_id = t.turn_id
LEFT JOIN understood AS u ON u.session_id = t.session_id AND u.turn_id = t.turn_id
LEFT JOIN chat_replies AS r
    ON r.session_id = t.session_id AND r.turn_id = t.turn_id AND r.is_shown
LEFT JOIN chat_feedback AS f
    ON f.session_id = t.session_id AND f.turn_id = t.turn_id AND f.is_latest
WHERE t.nth = 1;
