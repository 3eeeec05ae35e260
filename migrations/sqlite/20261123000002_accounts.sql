-- Accounts, display screens and the audit trail.

-- People who sign in. An agency officer belongs to one agency; other roles to none.
CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name        TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('admin', 'leader', 'operator', 'agency_officer')),
    agency_code         TEXT REFERENCES agencies (code),
    -- argon2id, PHC string format
    password_hash       TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    disabled_at         TEXT,
    -- sessions that began before this time are over (set when the account is disabled,
    -- its role changes or its password changes)
    sessions_valid_from TEXT NOT NULL,
    CHECK ((role = 'agency_officer') = (agency_code IS NOT NULL))
);

-- Wall screens: each has a read-only token (only its SHA-256 hash is kept).
CREATE TABLE displays (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT,
    revoked_at   TEXT
);

-- Who did what, when, from where. Append-only: written in the same transaction as the
-- action it records, never updated or deleted.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'agency_token', 'display', 'system', 'anonymous')),
    actor_id   TEXT,
    actor_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT,
    detail     TEXT NOT NULL DEFAULT '{}',
    ip         TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
