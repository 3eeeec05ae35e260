-- Figures below the commune: public-investment plans and disbursement are reported per
-- project (the province's project registry, projects.toml). An observation names its
-- project in project_code ('' for a figure about the area itself), and a revision is of
-- one (indicator, area, project, period). The same as migrations/sqlite/…_projects.sql.
ALTER TABLE observations ADD COLUMN project_code TEXT NOT NULL DEFAULT '';
ALTER TABLE observations DROP CONSTRAINT observations_indicator_code_area_code_period_revision_key;
ALTER TABLE observations ADD CONSTRAINT observations_key
    UNIQUE (indicator_code, area_code, project_code, period, revision);

-- The money view reads one indicator over a span of periods.
CREATE INDEX observations_indicator_period ON observations (indicator_code, period);

-- Whether an indicator is reported per project (its area is then the project's commune).
ALTER TABLE indicators ADD COLUMN by_project BIGINT NOT NULL DEFAULT 0;
