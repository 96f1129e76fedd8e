-- MangaAssist analytics on Amazon Redshift: the events table.
-- One row per event (analytics/rows.py), payload = the event as JSON text with
-- personal data already masked by the sink (analytics/privacy.py).
CREATE SCHEMA IF NOT EXISTS mangaassist;

CREATE TABLE IF NOT EXISTS mangaassist.chat_events (
    event_id       VARCHAR(64)    NOT NULL,
    event_type     VARCHAR(64)    NOT NULL,
    topic          VARCHAR(128)   NOT NULL,
    session_id     VARCHAR(128)   NOT NULL,
    turn_id        VARCHAR(64)    NOT NULL,
    ts             TIMESTAMPTZ    NOT NULL,
    schema_version INTEGER        NOT NULL,
    -- VARCHAR, not SUPER: the views read it with JSON_EXTRACT_PATH_TEXT, and a
    -- reply of 2,000 Japanese characters is about 6 KB of UTF-8, far below 65,535.
    payload        VARCHAR(65535) NOT NULL,
    ingested_at    TIMESTAMPTZ    NOT NULL DEFAULT SYSDATE,
    -- Informational only: Redshift does not enforce it. The loader's MERGE
    -- (02_load.sql) is what keeps one row per event_id.
    PRIMARY KEY (event_id)
)
-- Every view joins or groups within a session (turns with their replies,
-- feedback, escalations): co-locating a session's rows avoids redistribution.
DISTSTYLE KEY
DISTKEY (session_id)
-- Every view filters on the event type first and reports over a time range;
-- a compound sort key on (event_type, ts) lets zone maps skip most blocks.
COMPOUND SORTKEY (event_type, ts);
