-- One row per guardrail flag of a reply (guardrail_flags is a JSON array of categories).
-- Unnesting a JSON array has no common syntax; chat_reply_flags.duckdb.sql is the DuckDB twin.
CREATE OR REPLACE VIEW chat_reply_flags AS
SELECT r.event_id, r.session_id, r.turn_id, r.day, r.is_shown, flag.category
FROM chat_replies AS r
CROSS JOIN LATERAL json_array_elements_text(CAST(r.guardrail_flags AS JSON)) AS flag (category);
