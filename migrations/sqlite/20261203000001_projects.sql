-- Figures below the commune: public-investment plans and disbursement are reported per
-- project (the province's project registry, projects.toml). An observation names its
-- project in project_code ('' for a figure about the area itself), and a revision is of
-- one (indicator, area, project, period). SQLite cannot change a table's UNIQUE
-- constraint, so observations is rebuilt (migrations run with foreign keys off; nothing
-- refers to observations).
CREATE TABLE observations_new (
    id             INTEGER PRIMARY KEY REFERENCES stream_events (id),
    indicator_code TEXT NOT NULL REFERENCES indicators (code),
    area_code      TEXT NOT NULL REFERENCES admin_units (code),
    project_code   TEXT NOT NULL DEFAULT '',
    period         TEXT NOT NULL,
    period_start   TEXT NOT NULL,
    revision       INTEGER NOT NULL CHECK (revision >= 1),
    value          TEXT NOT NULL,
    unit           TEXT NOT NULL,
    agency_code    TEXT NOT NULL REFERENCES agencies (code),
    as_of          TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    UNIQUE (indicator_code, area_code, project_code, period, revision)
);
INSERT INTO observations_new
    (id, indicator_code, area_code, project_code, period, period_start, revision, value, unit, agency_code, as_of, received_at)
SELECT id, indicator_code, area_code, '', period, period_start, revision, value, unit, agency_code, as_of, received_at
FROM observations;
DROP TABLE observations;
ALTER TABLE observations_new RENAME TO observations;

-- The money view reads one indicator over a span of periods.
CREATE INDEX observations_indicator_period ON observations (indicator_code, period);

-- Whether an indicator is reported per project (its area is then the project's commune).
ALTER TABLE indicators ADD COLUMN by_project INTEGER NOT NULL DEFAULT 0;
