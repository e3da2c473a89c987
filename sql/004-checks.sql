-- 004-checks.sql: blob checks (user_version 4).

-- When each blob was last read back whole and found to hash to its name:
-- when it was written (its bytes were validated just before), by
-- `modvault verify` (the scrub the gc timer runs), and by the responder
-- before it first lets the web server send a blob itself (X-Sendfile),
-- which modvault then never reads again.  A blob found damaged is moved
-- to quarantine/ and its versions dropped, to be fetched again.
CREATE TABLE blob_check (
	blob		TEXT PRIMARY KEY,	-- hex SHA-256
	verified_at	INTEGER NOT NULL	-- unix seconds
);

-- Downloads under way are claimed with flock() on files in the staging
-- area (claim.h), which vanish with a dead holder: this table is unused.
DROP TABLE inflight;
