-- 005-manifests.sql: version manifests (user_version 5).

-- Each version's manifest: a small blob naming its module, version and
-- blobs (manifest.h), so `modvault reindex` can rebuild this table from
-- the blobs alone.  '' for a row written before this schema until `modvault
-- init` writes its manifest.
ALTER TABLE version ADD COLUMN manifest_blob TEXT NOT NULL DEFAULT '';
ALTER TABLE version ADD COLUMN manifest_size INTEGER NOT NULL DEFAULT 0;
CREATE INDEX version_manifest_blob ON version (manifest_blob);
