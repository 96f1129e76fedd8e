-- Per-connection staging table: each batch is COPYed here, then inserted with
-- ON CONFLICT DO NOTHING, so redelivered events are skipped.
CREATE TEMPORARY TABLE IF NOT EXISTS chat_events_stage (LIKE chat_events INCLUDING DEFAULTS)
    ON COMMIT DELETE ROWS;
