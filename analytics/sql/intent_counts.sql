-- How often the intent stage assigned each intent. PostgreSQL and DuckDB share the
-- json ->> 'key' operator; Redshift will need JSON_EXTRACT_PATH_TEXT(payload, 'intent').
CREATE OR REPLACE VIEW intent_counts AS
SELECT
    CAST(payload AS JSON) ->> 'intent' AS intent,
    COUNT(*) AS turns
FROM chat_events
WHERE event_type = 'UnderstoodTurn'
GROUP BY CAST(payload AS JSON) ->> 'intent';
