-- Directives and tasks (nhiệm vụ được giao). A task's status (overdue, done late) follows
-- from its progress, its deadline and the day, and is not stored; due_on is the day a dated
-- deadline falls due (NULL for ongoing, recurring and external ones), kept for sorting.
CREATE TABLE tasks (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    source        TEXT NOT NULL,
    lead_agency   TEXT NOT NULL REFERENCES agencies (code),
    -- coordinating parties named in words, not as agencies: a JSON list of text
    other_parties TEXT NOT NULL,
    output        TEXT NOT NULL,
    deadline_text TEXT NOT NULL,
    -- the parsed deadline, JSON (app::model::deadline::Deadline)
    deadline      TEXT NOT NULL,
    due_on        TEXT,
    progress      TEXT NOT NULL CHECK (progress IN ('not_started', 'in_progress', 'done')),
    done_on       TEXT,
    reported_on   TEXT,
    -- the value it was raised from, JSON (app::model::task::RaisedFrom)
    raised_from   TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL CHECK (version >= 1)
);
CREATE INDEX tasks_lead ON tasks (lead_agency, due_on);

-- The coordinating agencies of each task.
CREATE TABLE task_agencies (
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    agency  TEXT NOT NULL REFERENCES agencies (code),
    PRIMARY KEY (task_id, agency)
);
CREATE INDEX task_agencies_agency ON task_agencies (agency);

-- A task's history, append-only: its creation, progress notes, attachments (links), being
-- done and reopened.
CREATE TABLE task_notes (
    id        INTEGER PRIMARY KEY,
    task_id   INTEGER NOT NULL REFERENCES tasks (id),
    at        TEXT NOT NULL,
    -- the day (Vietnam) the note reports on
    on_day    TEXT NOT NULL,
    author    TEXT NOT NULL,
    agency    TEXT REFERENCES agencies (code),
    kind      TEXT NOT NULL CHECK (kind IN ('created', 'progress', 'attachment', 'done', 'reopened')),
    progress  TEXT CHECK (progress IN ('not_started', 'in_progress', 'done')),
    body      TEXT NOT NULL,
    link      TEXT
);
CREATE INDEX task_notes_task ON task_notes (task_id, id);
CREATE TRIGGER task_notes_append_only_update BEFORE UPDATE ON task_notes
BEGIN SELECT RAISE(ABORT, 'task_notes is append-only'); END;
CREATE TRIGGER task_notes_append_only_delete BEFORE DELETE ON task_notes
BEGIN SELECT RAISE(ABORT, 'task_notes is append-only'); END;
