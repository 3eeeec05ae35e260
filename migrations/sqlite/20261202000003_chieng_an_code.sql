-- Phường Chiềng An's official code is 03664 (the Statistics Office's list of 25 June 2025,
-- Decision 19/2025/QĐ-TTg), not 03667 as the province data had it. Whatever a database
-- holds under the old codes — the unit and its People's Committee — moves to the new ones;
-- the province data files name them by the new codes from now on, and start-up writes the
-- rest of their rows.
INSERT OR IGNORE INTO admin_units (code, official_code, name_vi, kind, parent_code, valid_from, valid_to, lon, lat, active)
SELECT '03664', '03664', name_vi, kind, parent_code, valid_from, valid_to, lon, lat, active
FROM admin_units WHERE code = '03667';
UPDATE admin_unit_crosswalk SET to_code = '03664' WHERE to_code = '03667';
UPDATE observations SET area_code = '03664' WHERE area_code = '03667';

INSERT OR IGNORE INTO agencies (code, name_vi, name_en, short_vi, short_en, area_code, active)
SELECT 'UBND-03664', name_vi, name_en, short_vi, short_en, '03664', active
FROM agencies WHERE code = 'UBND-03667';
UPDATE observations SET agency_code = 'UBND-03664' WHERE agency_code = 'UBND-03667';
UPDATE api_tokens SET agency_code = 'UBND-03664' WHERE agency_code = 'UBND-03667';
UPDATE users SET agency_code = 'UBND-03664' WHERE agency_code = 'UBND-03667';
UPDATE idempotency_records
SET agency_code = 'UBND-03664',
    submitter = CASE submitter WHEN 'agency:UBND-03667' THEN 'agency:UBND-03664' ELSE submitter END
WHERE agency_code = 'UBND-03667';

DELETE FROM agencies WHERE code = 'UBND-03667';
DELETE FROM admin_units WHERE code = '03667';
