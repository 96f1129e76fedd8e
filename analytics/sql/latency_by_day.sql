-- Time to the first chunk and to the final reply, p50/p95/p99 in ms, by day.
CREATE OR REPLACE VIEW latency_by_day AS
SELECT
    day,
    answered_turns,
    first_chunk_p50_ms,
    first_chunk_p95_ms,
    first_chunk_p99_ms,
    final_p50_ms,
    final_p95_ms,
    final_p99_ms
FROM latency_percentiles
WHERE grouped_by = 'day';
