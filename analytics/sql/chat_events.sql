-- One row per event on the analytics topics; payload holds the whole event as JSON text.
CREATE TABLE IF NOT EXISTS chat_events (
    event_id VARCHAR(64) PRIMARY KEY,
    event_type VARCHAR(64) NOT NULL,
    topic VARCHAR(128) NOT NULL,
    session_id VARCHAR(128) NOT NULL,
    turn_id VARCHAR(64) NOT NULL,
    ts TIMESTAMPTZ NOT NULL,
    schema_version INT NOT NULL,
    payload TEXT NOT NULL,
    ingested_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS chat_events_session_ts ON chat_events (session_id, ts);
