-- The language each person and each wall screen last chose (`vi` or `en`): a screen opened
-- without `?lang=` speaks it. Vietnamese unless chosen otherwise.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'vi';
ALTER TABLE displays ADD COLUMN language TEXT NOT NULL DEFAULT 'vi';
