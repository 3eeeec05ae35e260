-- Alerts raised by the province's rules (alerts.toml): one row per alert, its life cycle in
-- its columns; every transition is also in the audit trail (target 'alert <id>'). At most
-- one alert per (rule, indicator, area) is not resolved.
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    rule            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('threshold', 'late', 'jump', 'missing')),
    -- no foreign key: a sum of projects (invest.disbursement.rate) is no catalogue row
    indicator_code  TEXT NOT NULL,
    area_code       TEXT NOT NULL,
    agency_code     TEXT NOT NULL REFERENCES agencies (code),
    severity        TEXT NOT NULL CHECK (severity IN ('warning', 'critical')),
    status          TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    -- the figure it is about, as last evaluated (none for a figure never reported)
    value           TEXT,
    period          TEXT,
    as_of           TEXT,
    reason_vi       TEXT NOT NULL,
    reason_en       TEXT NOT NULL,
    raised_at       TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    ack_note        TEXT,
    escalated_at    TEXT,
    resolved_at     TEXT,
    -- NULL: it cleared by itself
    resolved_by     TEXT,
    resolve_note    TEXT,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL CHECK (version >= 1)
);
CREATE UNIQUE INDEX alerts_one_open ON alerts (rule, indicator_code, area_code)
    WHERE status <> 'resolved';
CREATE INDEX alerts_status ON alerts (status, id);
CREATE INDEX alerts_updated ON alerts (updated_at);
CREATE INDEX alerts_resolved ON alerts (resolved_at) WHERE status = 'resolved';
