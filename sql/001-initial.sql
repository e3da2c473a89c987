-- 001-initial.sql: the first modvault index schema (user_version 1).
--
-- Blobs are named by the lowercase hex SHA-256 of their bytes; the bytes
-- live in blobs/ab/cd/<hex>, never in this database.  A row is inserted
-- only after its blobs are durable, so no row names a missing blob.

-- One stored module version: its three files and their hashes.
CREATE TABLE version (
	id		INTEGER PRIMARY KEY,
	module		TEXT NOT NULL,		-- unescaped module path
	version		TEXT NOT NULL,		-- canonical version
	time		TEXT NOT NULL DEFAULT '',	-- .info Time (RFC 3339)
	info_blob	TEXT NOT NULL,		-- hex SHA-256 of the .info
	info_size	INTEGER NOT NULL,
	mod_blob	TEXT NOT NULL,		-- hex SHA-256 of the .mod
	mod_size	INTEGER NOT NULL,
	zip_blob	TEXT NOT NULL,		-- hex SHA-256 of the .zip
	zip_size	INTEGER NOT NULL,
	zip_h1		TEXT NOT NULL,		-- H-2 hash of the zip
	mod_h1		TEXT NOT NULL,		-- H-3 hash of the .mod
	origin		TEXT NOT NULL DEFAULT '',	-- upstream URL or import:DIR
	fetched_at	INTEGER NOT NULL,	-- unix seconds
	UNIQUE (module, version)		-- also the lookup index
);

-- The version list an upstream gave for a module, and when.
CREATE TABLE module_list (
	module		TEXT PRIMARY KEY,	-- unescaped module path
	versions	TEXT NOT NULL,		-- the @v/list body
	fetched_at	INTEGER NOT NULL	-- unix seconds
);

-- Things the upstream said do not exist, remembered until expires_at.
CREATE TABLE negative (
	module		TEXT NOT NULL,
	version		TEXT NOT NULL,		-- '' = the module itself
	reason		TEXT NOT NULL DEFAULT '',
	expires_at	INTEGER NOT NULL,	-- unix seconds
	PRIMARY KEY (module, version)
);
