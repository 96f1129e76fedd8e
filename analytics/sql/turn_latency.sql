-- Per turn: when the bridge received the ChatTurn, when the first reply chunk and the final
-- reply reached chat.responses (the guarded copies the customer sees), and the waits in ms.
CREATE OR REPLACE VIEW turn_latency AS
SELECT
    session_id,
    turn_id,
    received_ts,
    first_chunk_ts,
    final_reply_ts,
    CAST(EXTRACT(EPOCH FROM (first_chunk_ts - received_ts)) * 1000 AS DOUBLE PRECISION)
        AS first_chunk_ms,
    CAST(EXTRACT(EPOCH FROM (final_reply_ts - received_ts)) * 1000 AS DOUBLE PRECISION)
        AS final_reply_ms
FROM (
    SELECT
        session_id,
        turn_id,
        MIN(CASE WHEN event_type = 'ChatTurn' THEN ts END) AS received_ts,
        MIN(CASE WHEN event_type = 'ReplyChunk' AND topic = 'chat.responses' THEN ts END)
            AS first_chunk_ts,
        MIN(CASE WHEN event_type = 'FinalReply' AND topic = 'chat.responses' THEN ts END)
            AS final_reply_ts
    FROM chat_events
    WHERE event_type IN ('ChatTurn', 'ReplyChunk', 'FinalReply')
    GROUP BY session_id, turn_id
) AS turn_events
WHERE received_ts IS NOT NULL;
