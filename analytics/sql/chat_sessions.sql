-- One row per session seen in SessionEvent or ChatTurn: its life (created, authenticated,
-- closed), what happened in it, and whether it was contained (turns, no escalation).
-- products_clicked and orders_placed wait for events that do not exist yet.
CREATE OR REPLACE VIEW chat_sessions AS
WITH lifecycle AS (
    SELECT
        session_id,
        MIN(ts) AS first_event_ts,
        MIN(CASE WHEN body ->> 'kind' = 'created' THEN ts END) AS created_ts,
        MIN(CASE WHEN body ->> 'kind' = 'authenticated' THEN ts END) AS authenticated_ts,
        MAX(CASE WHEN body ->> 'kind' = 'closed' THEN ts END) AS closed_ts,
        MAX(body ->> 'user_id') AS user_id,
        MIN(body ->> 'locale') AS locale,
        MIN(body ->> 'channel') AS channel
    FROM (
        SELECT session_id, ts, CAST(payload AS JSON) AS body
        FROM chat_events
        WHERE event_type = 'SessionEvent'
    ) AS session_events
    GROUP BY session_id
),

activity AS (
    SELECT
        session_id,
        MIN(received_ts) AS first_turn_ts,
        MAX(user_id) AS user_id,
        MIN(locale) AS locale,
        MIN(channel) AS channel,
        COUNT(*) AS turns,
        COUNT(CASE WHEN resolved THEN 1 END) AS resolved_turns,
        COUNT(CASE WHEN feedback_rating = 'up' THEN 1 END) AS rated_up,
        COUNT(CASE WHEN feedback_rating = 'down' THEN 1 END) AS rated_down,
        COUNT(cost_usd) AS llm_replies,
        CAST(SUM(prompt_tokens) AS BIGINT) AS prompt_tokens,
        CAST(SUM(completion_tokens) AS BIGINT) AS completion_tokens,
        SUM(cost_usd) AS cost_usd,
        CAST(SUM(products_shown) AS BIGINT) AS products_shown,
        MIN(experiment_arm) AS experiment_arm
    FROM chat_turns
    GROUP BY session_id
),

escalation_counts AS (
    SELECT session_id, COUNT(*) AS escalations FROM chat_escalations GROUP BY session_id
),

sessions AS (
    SELECT session_id FROM lifecycle
    UNION
    SELECT session_id FROM activity
)

SELECT
    s.session_id,
    COALESCE(c.first_event_ts, a.first_turn_ts) AS started_ts,
    CAST(COALESCE(c.first_event_ts, a.first_turn_ts) AT TIME ZONE 'UTC' AS DATE) AS day,
    COALESCE(c.user_id, a.user_id) AS user_id,
    COALESCE(c.locale, a.locale) AS locale,
    COALESCE(c.channel, a.channel) AS channel,
    c.created_ts,
    c.authenticated_ts,
    c.closed_ts,
    COALESCE(a.turns, 0) AS turns,
    COALESCE(a.resolved_turns, 0) AS resolved_turns,
    COALESCE(e.escalations, 0) AS escalations,
    COALESCE(a.rated_up, 0) AS rated_up,
    COALESCE(a.rated_down, 0) AS rated_down,
    COALESCE(a.turns, 0) > 0 AND e.escalations IS NULL AS contained,
    COALESCE(a.llm_replies, 0) AS llm_replies,
    a.prompt_tokens,
    a.completion_tokens,
    a.cost_usd,
    a.products_shown,
    CAST(NULL AS INTEGER) AS products_clicked,
    CAST(NULL AS INTEGER) AS orders_placed,
    a.experiment_arm
FROM sessions AS s
LEFT JOIN lifecycle AS c ON c.session_id = s.session_id
LEFT JOIN activity AS a ON a.session_id = s.session_id
LEFT JOIN escalation_counts AS e ON e.session_id = s.session_id;
