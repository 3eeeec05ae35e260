-- Batches refused by validation (or as older than stored), kept for the data-quality
-- score's validity part: who, when, how many items, why. Nothing of their figures is kept.
CREATE TABLE ingest_rejections (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    items       INTEGER NOT NULL CHECK (items >= 0),
    code        TEXT NOT NULL
);
CREATE INDEX ingest_rejections_agency_at ON ingest_rejections (agency_code, at);
-- the data-quality score reads one month's figures by when they arrived and by period
CREATE INDEX observations_received_at ON observations (received_at);
CREATE INDEX observations_period_start ON observations (period_start);
