-- 003-sumdb.sql: checksum database state (user_version 3).
--
-- Checksum-database responses are small (a hash tile is at most 8 KiB, a
-- lookup about 1 KiB), so they live in the index itself: written in the
-- same transactions as the rest, and gc never has to know about them.

-- The newest tree head verified for each database (SD-9.3): only a tree
-- proven consistent with it, and larger, ever replaces it.
CREATE TABLE sumdb_tree (
	name		TEXT PRIMARY KEY,	-- database name (key name)
	size		INTEGER NOT NULL,	-- records in the tree
	note		BLOB NOT NULL		-- the signed tree head
);

-- Responses kept to answer /sumdb/ requests and to verify offline: tiles
-- (content fixed by their path) and lookups (the record never changes).
-- authenticated = 1 once a tile was checked against a signed tree head
-- (SD-9.1.4); only those are used by modvault's own verification.
CREATE TABLE sumdb_cache (
	name		TEXT NOT NULL,
	path		TEXT NOT NULL,		-- "tile/8/0/000.p/5", "lookup/m@v"
	body		BLOB NOT NULL,
	authenticated	INTEGER NOT NULL DEFAULT 0,
	fetched_at	INTEGER NOT NULL,
	PRIMARY KEY (name, path)
);

-- The checksum-database lookup each stored version was verified with
-- (SD-10.1), so `modvault verify --sumdb` can re-check it offline.
CREATE TABLE version_sumdb (
	module		TEXT NOT NULL,
	version		TEXT NOT NULL,
	name		TEXT NOT NULL,
	record_id	INTEGER NOT NULL,
	lookup		BLOB NOT NULL,		-- the whole lookup response
	PRIMARY KEY (module, version, name)
);
