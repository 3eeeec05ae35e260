-- Townships (thị trấn) are a kind of unit of their own, not communes. SQLite cannot change
-- a CHECK constraint in place, so admin_units is rebuilt: copied into a table with the
-- wider CHECK, dropped, and the copy renamed. (Migrations run with foreign keys off, as a
-- rebuild needs, and the server checks every foreign key afterwards: see db::migrate.)
CREATE TABLE admin_units_new (
    code          TEXT PRIMARY KEY,
    official_code TEXT NOT NULL,
    name_vi       TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('province', 'district', 'commune', 'ward', 'township', 'special_zone')),
    parent_code   TEXT REFERENCES admin_units (code) DEFERRABLE INITIALLY DEFERRED,
    valid_from    TEXT,
    valid_to      TEXT,
    lon           REAL,
    lat           REAL,
    active        INTEGER NOT NULL DEFAULT 1
);
INSERT INTO admin_units_new (code, official_code, name_vi, kind, parent_code, valid_from, valid_to, lon, lat, active)
SELECT code, official_code, name_vi, kind, parent_code, valid_from, valid_to, lon, lat, active FROM admin_units;
DROP TABLE admin_units;
ALTER TABLE admin_units_new RENAME TO admin_units;
