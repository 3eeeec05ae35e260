-- IOC Live schema, SQLite. Times are UTC text 'YYYY-MM-DDTHH:MM:SS.mmmZ' (fixed width, so
-- they sort as text); decimal values are canonical decimal text, never floating point.

-- The stream's epoch: created once with the database, so offsets from another database
-- are never mistaken for ours.
CREATE TABLE stream_meta (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    epoch      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO stream_meta (id, epoch, created_at)
VALUES (1, lower(hex(randomblob(8))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

CREATE TABLE agencies (
    code     TEXT PRIMARY KEY,
    name_vi  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    short_vi TEXT NOT NULL,
    short_en TEXT NOT NULL,
    -- for a commune's People's Committee: its commune
    area_code TEXT,
    active   INTEGER NOT NULL DEFAULT 1
);

-- Administrative units are time-valid: a unit exists from valid_from to valid_to
-- (inclusive; NULL = unknown start / still exists). code is unique over time; an official
-- code reused after a reform is the official_code of both units.
CREATE TABLE admin_units (
    code          TEXT PRIMARY KEY,
    official_code TEXT NOT NULL,
    name_vi       TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('province', 'district', 'commune', 'ward', 'special_zone')),
    parent_code   TEXT REFERENCES admin_units (code) DEFERRABLE INITIALLY DEFERRED,
    valid_from    TEXT,
    valid_to      TEXT,
    lon           REAL,
    lat           REAL,
    active        INTEGER NOT NULL DEFAULT 1
);

-- Pre-reform unit → post-reform unit: share of the old unit's quantities in the new one.
CREATE TABLE admin_unit_crosswalk (
    from_code TEXT NOT NULL REFERENCES admin_units (code),
    to_code   TEXT NOT NULL REFERENCES admin_units (code),
    share     TEXT NOT NULL,
    PRIMARY KEY (from_code, to_code)
);

CREATE TABLE indicators (
    code             TEXT PRIMARY KEY,
    name_vi          TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    sector           TEXT NOT NULL,
    unit             TEXT NOT NULL,
    cadence          TEXT NOT NULL CHECK (cadence IN ('streamed', 'daily', 'monthly', 'quarterly', 'yearly')),
    agency_code      TEXT NOT NULL REFERENCES agencies (code),
    level            TEXT NOT NULL CHECK (level IN ('province', 'commune')),
    direction        TEXT NOT NULL CHECK (direction IN ('higher_is_better', 'lower_is_better', 'neutral')),
    min_value        TEXT,
    max_value        TEXT,
    target_indicator TEXT,
    target_value     TEXT,
    threshold_warning  TEXT,
    threshold_critical TEXT,
    max_age_hours    INTEGER,
    source           TEXT,
    active           INTEGER NOT NULL DEFAULT 1
);

-- The event log behind the live stream: its id is the stream offset, and the changed row
-- (for kind 'observation', the observation) has the same id.
CREATE TABLE stream_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('observation')),
    recorded_at TEXT NOT NULL
);

-- Every accepted figure, never overwritten: a new value for the same indicator, area and
-- period is the next revision. Periods are canonical text (2026-11-22, 2026-11, 2026-Q4,
-- 2026); all periods of one indicator have one kind, so their text sorts by time.
CREATE TABLE observations (
    id             INTEGER PRIMARY KEY REFERENCES stream_events (id),
    indicator_code TEXT NOT NULL REFERENCES indicators (code),
    area_code      TEXT NOT NULL REFERENCES admin_units (code),
    period         TEXT NOT NULL,
    period_start   TEXT NOT NULL,
    revision       INTEGER NOT NULL CHECK (revision >= 1),
    value          TEXT NOT NULL,
    unit           TEXT NOT NULL,
    agency_code    TEXT NOT NULL REFERENCES agencies (code),
    as_of          TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    UNIQUE (indicator_code, area_code, period, revision)
);

-- Agency API tokens: only a SHA-256 hash of the token is kept.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    agency_code  TEXT NOT NULL REFERENCES agencies (code),
    label        TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

-- The stored answer to each accepted ingest request, by agency and Idempotency-Key.
CREATE TABLE idempotency_records (
    agency_code  TEXT NOT NULL REFERENCES agencies (code),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    response     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (agency_code, key)
);
