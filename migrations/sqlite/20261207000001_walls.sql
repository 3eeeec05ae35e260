-- Wall mode: scenes (named layouts of panels), playlists (scenes in turn, each for a set
-- time), each wall's playlist and what it last said it shows, and the scenes operators
-- push onto walls from the console. Panels and entries are JSON, checked by the server
-- (app::model::wall) before they are stored.
CREATE TABLE wall_scenes (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    panels     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE wall_playlists (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    entries    TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- NULL: the first playlist
ALTER TABLE displays ADD COLUMN playlist_id INTEGER REFERENCES wall_playlists (id) ON DELETE SET NULL;
-- what the wall last said it shows (`scene:<id>` or `incident:<alert>`), and when
ALTER TABLE displays ADD COLUMN shown TEXT;
ALTER TABLE displays ADD COLUMN shown_at TEXT;

-- A scene pushed by an operator onto one wall (display_id) or every wall (NULL), until
-- released; a pushed incident names its alert instead of a scene.
CREATE TABLE wall_pushes (
    id          INTEGER PRIMARY KEY,
    display_id  INTEGER REFERENCES displays (id),
    scene_id    INTEGER REFERENCES wall_scenes (id) ON DELETE CASCADE,
    alert_id    INTEGER REFERENCES alerts (id),
    pushed_by   TEXT NOT NULL,
    pushed_at   TEXT NOT NULL,
    released_at TEXT,
    released_by TEXT
);
CREATE INDEX wall_pushes_standing ON wall_pushes (released_at);
