-- One row per FinalReply on chat.responses (the guarded copy the shopper sees). A turn can
-- have more than one (an error reply racing the real one); the bridge relays only the first,
-- marked is_shown. latency_ms runs from the bridge's receipt of the message (received_ts).
-- products_shown waits for a field FinalReply does not carry yet (see docs/analytics.md).
CREATE OR REPLACE VIEW chat_replies AS
SELECT
    event_id,
    session_id,
    turn_id,
    ts AS reply_ts,
    received_ts,
    CAST(received_ts AT TIME ZONE 'UTC' AS DATE) AS day,
    status,
    path,
    intent,
    error_code,
    chunk_count,
    sources,
    source_count,
    guardrail_flags,
    flag_count,
    CAST(EXTRACT(EPOCH FROM (ts - received_ts)) * 1000 AS DOUBLE PRECISION) AS latency_ms,
    ROW_NUMBER() OVER (PARTITION BY session_id, turn_id ORDER BY ts, event_id) = 1 AS is_shown,
    llm_model,
    prompt_tokens,
    completion_tokens,
    cost_usd,
    CAST(NULL AS INTEGER) AS products_shown
FROM (
    SELECT
        event_id,
        session_id,
        turn_id,
        ts,
        CAST(body ->> 'received_ts' AS TIMESTAMPTZ) AS received_ts,
        body ->> 'status' AS status,
        body ->> 'path' AS path,
        body ->> 'intent' AS intent,
        body ->> 'error_code' AS error_code,
        CAST(body ->> 'chunk_count' AS INTEGER) AS chunk_count,
        body ->> 'sources' AS sources,
        CAST(json_array_length(body -> 'sources') AS INTEGER) AS source_count,
        body ->> 'guardrail_flags' AS guardrail_flags,
        CAST(json_array_length(body -> 'guardrail_flags') AS INTEGER) AS flag_count,
        -- LLM figures only for replies the LLM wrote (FinalReply v2, path llm), else NULL.
        CASE WHEN body ->> 'path' = 'llm' THEN body ->> 'llm_model' END AS llm_model,
        CASE WHEN body ->> 'path' = 'llm' THEN CAST(body ->> 'prompt_tokens' AS BIGINT) END
            AS prompt_tokens,
        CASE WHEN body ->> 'path' = 'llm' THEN CAST(body ->> 'completion_tokens' AS BIGINT) END
            AS completion_tokens,
        CASE WHEN body ->> 'path' = 'llm' THEN CAST(body ->> 'cost_usd' AS DOUBLE PRECISION) END
            AS cost_usd
    FROM (
        SELECT event_id, session_id, turn_id, ts, CAST(payload AS JSON) AS body
        FROM chat_events
        WHERE event_type = 'FinalReply' AND topic = 'chat.responses'
    ) AS final_replies
) AS replies;
