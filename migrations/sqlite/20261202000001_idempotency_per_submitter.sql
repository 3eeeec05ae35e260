-- Idempotency records belong to whoever submitted the batch — one agency token, or one
-- officer — not to the agency: two systems of one agency may use the same keys without
-- answering each other's retries. Records are pruned after the retention period
-- (--idempotency-retention-hours), hence the index by age.
--
-- Records made before this migration are kept under 'agency:<code>', which lookups still
-- consult, so a retry in flight across the upgrade is answered, not stored twice; they
-- are pruned like the others.
CREATE TABLE idempotency_records_new (
    -- 'token:<id>' for an agency token, 'user:<id>' for an officer, 'agency:<code>' before
    submitter    TEXT NOT NULL,
    key          TEXT NOT NULL,
    agency_code  TEXT NOT NULL REFERENCES agencies (code),
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    response     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (submitter, key)
);
INSERT INTO idempotency_records_new (submitter, key, agency_code, request_hash, status, response, created_at)
SELECT 'agency:' || agency_code, key, agency_code, request_hash, status, response, created_at
FROM idempotency_records;
DROP TABLE idempotency_records;
ALTER TABLE idempotency_records_new RENAME TO idempotency_records;
CREATE INDEX idempotency_records_created_at ON idempotency_records (created_at);
