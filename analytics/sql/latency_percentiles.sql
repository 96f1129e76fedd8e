-- Latency percentiles of answered turns (turns with a final reply), computed once for two
-- groupings: by intent (grouped_by = 'intent') and by UTC day (grouped_by = 'day').
-- latency_by_intent and latency_by_day are the two halves.
CREATE OR REPLACE VIEW latency_percentiles AS
SELECT
    CASE WHEN GROUPING(intent) = 0 THEN 'intent' ELSE 'day' END AS grouped_by,
    intent,
    day,
    COUNT(*) AS answered_turns,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY first_chunk_ms) AS first_chunk_p50_ms,
    percentile_cont(0.95) WITHIN GROUP (ORDER BY first_chunk_ms) AS first_chunk_p95_ms,
    percentile_cont(0.99) WITHIN GROUP (ORDER BY first_chunk_ms) AS first_chunk_p99_ms,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY final_ms) AS final_p50_ms,
    percentile_cont(0.95) WITHIN GROUP (ORDER BY final_ms) AS final_p95_ms,
    percentile_cont(0.99) WITHIN GROUP (ORDER BY final_ms) AS final_p99_ms
FROM chat_turns
WHERE final_ms IS NOT NULL
GROUP BY GROUPING SETS ((intent), (day));
