-- 002-serving.sql: what the responder needs to serve and evict (user_version 2).

-- When a version was last served (unix seconds, 0 = never); gc evicts the
-- least recently served first.  mv_store_touch updates it at most daily.
ALTER TABLE version ADD COLUMN last_served INTEGER NOT NULL DEFAULT 0;
CREATE INDEX version_last_served ON version (last_served);

-- Which versions use a blob: gc asks this for every blob it finds.
CREATE INDEX version_info_blob ON version (info_blob);
CREATE INDEX version_mod_blob ON version (mod_blob);
CREATE INDEX version_zip_blob ON version (zip_blob);

-- Expired negative entries are swept by expiry time.
CREATE INDEX negative_expires ON negative (expires_at);

-- A download under way, so concurrent misses for the same version wait
-- for one fetch instead of starting their own.
CREATE TABLE inflight (
	module		TEXT NOT NULL,
	version		TEXT NOT NULL,		-- '' = the module's list
	pid		INTEGER NOT NULL,	-- the fetching process
	started_at	INTEGER NOT NULL,	-- unix seconds
	PRIMARY KEY (module, version)
);
