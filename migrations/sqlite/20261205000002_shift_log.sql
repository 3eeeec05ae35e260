-- The shift log (sổ giao ca): notes written through a shift and handovers at its end,
-- each listing the alerts left open, read and confirmed by the next shift. Append-only but
-- for the one confirmation of a handover (set once); every entry also in the audit trail.
CREATE TABLE shift_log (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('note', 'handover')),
    author_id       INTEGER NOT NULL REFERENCES users (id),
    author          TEXT NOT NULL,
    body            TEXT NOT NULL,
    -- a handover: the alerts not resolved when it was written, JSON
    -- [{"id", "severity", "status", "summary"}]
    open_alerts     TEXT,
    confirmed_at    TEXT,
    confirmed_by_id INTEGER REFERENCES users (id),
    confirmed_by    TEXT,
    CHECK (kind = 'handover' OR (open_alerts IS NULL AND confirmed_at IS NULL))
);
CREATE INDEX shift_log_at ON shift_log (at);
CREATE TRIGGER shift_log_delete BEFORE DELETE ON shift_log
BEGIN SELECT RAISE(ABORT, 'shift_log is append-only'); END;
CREATE TRIGGER shift_log_update BEFORE UPDATE ON shift_log
WHEN OLD.confirmed_at IS NOT NULL
  OR NEW.at IS NOT OLD.at OR NEW.kind IS NOT OLD.kind OR NEW.author_id IS NOT OLD.author_id
  OR NEW.author IS NOT OLD.author OR NEW.body IS NOT OLD.body OR NEW.open_alerts IS NOT OLD.open_alerts
BEGIN SELECT RAISE(ABORT, 'shift_log is append-only: only a handover''s confirmation is set, once'); END;
