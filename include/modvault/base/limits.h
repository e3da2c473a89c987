/*
 * limits.h: every bound modvault puts on the size of what it reads, keeps
 * or sends, in one place (curl's DYN_* list is the model).
 *
 * Each bound names its unit (_BYTES, _VERSIONS, _ENTRIES, ...) and says
 * where the number comes from: a go command limit with its spec rule, or
 * a modvault bound where Go has none.  A buffer that holds data from
 * outside (a request, an upstream answer, a file being imported, a config
 * line) is an mv_buf whose max is one of these, so hostile input fails
 * with a message naming the bound instead of exhausting memory.
 */
#ifndef MODVAULT_LIMITS_H
#define MODVAULT_LIMITS_H

#include <stdint.h>

#define MV_KIB	1024u
#define MV_MIB	(1024u * 1024u)

/* --- requests ----------------------------------------------------------- */

/* A percent-decoded request path (Apache's default LimitRequestLine is 8K). */
#define MV_REQUEST_PATH_MAX_BYTES	4096
/* A module path, a version, a file path inside a zip (Go has no bound). */
#define MV_MODPATH_MAX_BYTES		1024
#define MV_VERSION_MAX_BYTES		256
#define MV_FILEPATH_MAX_BYTES		4096
/* A checksum database name and the rest of a /sumdb/ path. */
#define MV_SUMDB_NAME_MAX_BYTES		255
#define MV_SUMDB_REST_MAX_BYTES		1024
/* The Host header echoed on the index page (RFC 1035 names + a port). */
#define MV_HOST_MAX_BYTES		262

/* --- what upstream sends ---------------------------------------------- */

/* A .info is a few hundred bytes; this leaves room for a large Origin. */
#define MV_INFO_MAX_BYTES		(64u * MV_KIB)
/* MZ-2.3, GP-5.3.5: a go.mod (.mod or the zip's) and a root LICENSE. */
#define MV_GOMOD_MAX_BYTES		(16u * MV_MIB)
#define MV_LICENSE_MAX_BYTES		(16u * MV_MIB)
/* MZ-2.1 / MZ-2.2: the go command's zip and unzipped-content limits. */
#define MV_ZIP_MAX_BYTES		(UINT64_C(500) * MV_MIB)
#define MV_UNZIPPED_MAX_BYTES		(UINT64_C(500) * MV_MIB)
/* Entries in one zip (Go has no bound; 100k files is a huge module). */
#define MV_ZIP_MAX_ENTRIES		100000
/* An upstream @v/list body (about 100,000 versions). */
#define MV_LIST_MAX_BYTES		(4u * MV_MIB)
/* Versions one list or @latest answer may hold. */
#define MV_LIST_MAX_VERSIONS		100000
/* A checksum database lookup answer, and a whole signed note (SD-5.1). */
#define MV_LOOKUP_MAX_BYTES		(64u * MV_KIB)
#define MV_NOTE_MAX_BYTES		(1u * MV_MIB)
/* Nesting of a .info's JSON (the go command's is 1; Origin adds 2). */
#define MV_JSON_MAX_DEPTH		16
/* The text of one go.mod line before its comment (a comment is free). */
#define MV_GOMOD_LINE_MAX_BYTES		4096
/* Fields of one go.mod line modvault reads (require, module). */
#define MV_GOMOD_MAX_FIELDS		8
/* Signed notes (SD-4.2.4, SD-5): signatures, a key name, tree size. */
#define MV_NOTE_MAX_SIGNATURES		100
#define MV_NOTE_NAME_MAX_BYTES		255	/* Go has no bound */
#define MV_TLOG_MAX_RECORDS		((int64_t)1 << 62)	/* index math */
#define MV_TLOG_PROOF_MAX_HASHES	128	/* 2 * 62 at most */
#define MV_TILE_PATH_MAX_BYTES		96	/* "tile/30/data/x009/.../807.p/W" */
#define MV_SUMDB_HASH_MAX_BYTES		127	/* one "h1:..." of a record */
/* Entries of the upstream list (GOPROXY has no bound; 8 is plenty). */
#define MV_UPSTREAM_MAX_ENTRIES		8
/* Checksum databases one configuration may name. */
#define MV_SUMDB_MAX_DATABASES		4
/* vcs_rewrite lines in a configuration. */
#define MV_VCS_REWRITE_MAX		32
/* deny, allow and download_mode lines in a configuration, and their
 * patterns together (a thousand patterns take about 30 KiB). */
#define MV_POLICY_RULES_MAX		4096
#define MV_POLICY_TEXT_MAX_BYTES	(256u * MV_KIB)

/* "Not found" answers remembered at once (each costs a row of the index). */
#define MV_NEGATIVE_MAX_ENTRIES		100000

/* --- an S3-compatible object store (s3.h) ------------------------------ */

/* An object key, prefix included (S3's own limit is 1024 bytes). */
#define MV_S3_KEY_MAX_BYTES		1024
/* One ListObjectsV2 answer (1,000 keys of at most 1 KiB, and XML). */
#define MV_S3_LIST_MAX_BYTES		(4u * MV_MIB)
/* An error body or other small answer kept to explain a failure. */
#define MV_S3_SMALL_MAX_BYTES		(64u * MV_KIB)
/* Keys and common prefixes of one listing page (S3's max-keys ceiling). */
#define MV_S3_LIST_MAX_ENTRIES		1000
/* A continuation token (AWS's are ~100 bytes; radosgw's is a key). */
#define MV_S3_TOKEN_MAX_BYTES		2048
/* A request URL: endpoint, bucket, an encoded key or listing query. */
#define MV_S3_URL_MAX_BYTES		(32u * MV_KIB)

/* --- what the store writes itself ------------------------------------- */

/* A version manifest (manifest.h): ten lines, about 2.4 KiB at most. */
#define MV_MANIFEST_MAX_BYTES		4096

/* --- configuration and files the CLI reads ---------------------------- */

#define MV_CONFIG_FILE_MAX_BYTES	(1u * MV_MIB)
#define MV_CONFIG_LINE_MAX_BYTES	8192
#define MV_CONFIG_VALUE_MAX_BYTES	4096
/* A go.mod or go.sum given to `modvault fetch -r`. */
#define MV_REQUIREMENTS_MAX_BYTES	(16u * MV_MIB)
/* Module versions one `modvault fetch` may queue (a go.mod closure). */
#define MV_FETCH_MAX_VERSIONS		20000
/* Directory depth an import walks (a module path has far fewer). */
#define MV_IMPORT_MAX_DEPTH		64
/* Versions one import may find. */
#define MV_IMPORT_MAX_VERSIONS		1000000

/* --- memory a process keeps ------------------------------------------- */

/*
 * The address space a fetch needs: libcurl, OpenSSL, libarchive and the
 * zip scan's threads (each with a malloc arena) map about 64 MiB; below
 * this limit (ulimit -v) a process does not fetch, it answers 503, rather
 * than let an allocation inside libarchive abort it mid-request.
 */
#define MV_FETCH_MIN_ADDRESS_SPACE_BYTES	(96u * MV_MIB)

/* One error or log message. */
#define MV_ERR_MSG_MAX_BYTES		512
#define MV_LOG_MSG_MAX_BYTES		2048
/* A small blob kept in a FastCGI process (blobcache.h): 64 of them. */
#define MV_BLOBCACHE_ENTRY_MAX_BYTES	(16u * MV_KIB)
/* A small blob read whole into memory: .info, .mod, tiles (MZ-2.3). */
#define MV_SMALL_BLOB_MAX_BYTES		MV_GOMOD_MAX_BYTES
/* A response body built in memory (lists, @latest, sumdb answers). */
#define MV_BODY_MAX_BYTES		(64u * MV_MIB)

#endif
