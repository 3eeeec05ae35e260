-- Explanations of values by the owning agency's officers, and the operators' requests for
-- them. An explanation stands until expires_on or until a figure newer than figure_as_of
-- arrives (judged when read); a request is answered by the next explanation of its value.
CREATE TABLE explanations (
    id             INTEGER PRIMARY KEY,
    indicator_code TEXT NOT NULL,
    area_code      TEXT NOT NULL,
    agency_code    TEXT NOT NULL REFERENCES agencies (code),
    author_id      INTEGER NOT NULL REFERENCES users (id),
    author         TEXT NOT NULL,
    why            TEXT NOT NULL,
    action         TEXT NOT NULL,
    by_date        TEXT,
    created_at     TEXT NOT NULL,
    expires_on     TEXT NOT NULL,
    figure_as_of   TEXT
);
CREATE INDEX explanations_value ON explanations (indicator_code, area_code, id);
CREATE INDEX explanations_expires ON explanations (expires_on);

CREATE TABLE explanation_requests (
    id              INTEGER PRIMARY KEY,
    indicator_code  TEXT NOT NULL,
    area_code       TEXT NOT NULL,
    agency_code     TEXT NOT NULL REFERENCES agencies (code),
    requested_by_id INTEGER NOT NULL REFERENCES users (id),
    requested_by    TEXT NOT NULL,
    requested_at    TEXT NOT NULL,
    due_at          TEXT NOT NULL,
    note            TEXT NOT NULL,
    answered_by     INTEGER REFERENCES explanations (id)
);
CREATE INDEX explanation_requests_open ON explanation_requests (agency_code, answered_by);
