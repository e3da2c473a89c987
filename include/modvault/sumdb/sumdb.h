/*
 * sumdb.h: the pure logic of a Go checksum database client (spec sumdb.md):
 * signed notes and verifier keys (SD-4), tree heads (SD-5), transparent-log
 * hashing, tiles and proofs (SD-6 to SD-8), lookup responses and records
 * (SD-3), and the client's verification of one lookup (SD-9.1, SD-9.2).
 *
 * Nothing here does I/O.  Tiles come through a caller-supplied callback, so
 * the caller decides whether they come from the store or from upstream.
 * Every size from outside is bounded: a note or lookup body is at most
 * MV_NOTE_MAX_BYTES bytes, a tree at most MV_TLOG_MAX_RECORDS records.
 *
 * Codes: malformed or unverifiable bytes from a server are MV_ECORRUPT, a
 * bad verifier key or tile path (operator or request input) is MV_EINVAL,
 * an over-long input is MV_ELIMIT.  Messages name the spec rule they apply.
 */
#ifndef MODVAULT_SUMDB_H
#define MODVAULT_SUMDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modvault/base/buf.h"
#include "modvault/base/err.h"
#include "modvault/base/limits.h"

#define MV_TLOG_HASH		32		/* SHA-256 */

/* --- signed notes (SD-4) ---------------------------------------------- */

/* A parsed verifier key "<name>+<hash>+<b64(0x01 || key)>" (SD-4.3). */
struct mv_note_verifier {
	char		name[MV_NOTE_NAME_MAX_BYTES + 1];
	uint32_t	hash;		/* SD-4.4 key hash */
	unsigned char	key[32];	/* raw Ed25519 public key */
};

/*
 * Parses and checks a verifier key (SD-4.3, SD-4.4): the name, 8 hex
 * digits, Base64 key data with algorithm byte 0x01 and a 32-byte key, and
 * the key hash recomputed over the name and key data.  Fails with
 * MV_EINVAL naming the broken rule.
 */
int	 mv_note_verifier_parse(const char *s, size_t len,
	    struct mv_note_verifier *v, struct mv_err *err);

/* SD-4.2.1, SD-3.1: valid UTF-8 without control characters but '\n'. */
bool	 mv_note_text_is_valid(const char *s, size_t len);

/* The SD-4.2.3 name rule: non-empty UTF-8, no Unicode space, no '+'. */
bool	 mv_note_name_is_valid(const char *s, size_t len);

/* An opened note: pointers borrow from the message given to mv_note_open. */
struct mv_note {
	const char	*text;		/* the signed text, ends in '\n' */
	size_t		 textlen;
	size_t		 nsigs;		/* signature lines, duplicates counted */
	size_t		 nverified;	/* distinct trusted keys that verified */
};

/*
 * Opens a signed note (SD-4.2): checks UTF-8 and control characters,
 * splits at the last blank line, parses at most MV_NOTE_MAX_SIGNATURES signature
 * lines, verifies every signature whose (name, key hash) is among the
 * nkeys trusted keys with Ed25519 (libcrypto), ignores the others, and
 * requires at least one verified signature.  MV_ELIMIT over MV_NOTE_MAX_BYTES
 * bytes; MV_ECORRUPT for a malformed note, an invalid signature or no
 * trusted signature.  On success out->text points into msg.
 */
int	 mv_note_open(const char *msg, size_t len,
	    const struct mv_note_verifier *keys, size_t nkeys,
	    struct mv_note *out, struct mv_err *err);

/* --- tree heads (SD-5) ------------------------------------------------- */

struct mv_tree {
	int64_t		n;			/* number of records */
	unsigned char	hash[MV_TLOG_HASH];	/* root hash */
};

/*
 * Parses a tree-head note text "go.sum database tree\n<N>\n<b64 hash>\n"
 * (SD-5.1), ignoring extra lines.  MV_ECORRUPT if malformed, MV_ELIMIT
 * over MV_NOTE_MAX_BYTES bytes or MV_TLOG_MAX_RECORDS records.
 */
int	 mv_tree_parse(const char *text, size_t len, struct mv_tree *t,
	    struct mv_err *err);

/* Opens a signed tree-head note and parses its text (SD-4.2 + SD-5.1). */
int	 mv_tree_open(const char *msg, size_t len,
	    const struct mv_note_verifier *keys, size_t nkeys,
	    struct mv_tree *t, struct mv_err *err);

/* --- log hashing (SD-6) ------------------------------------------------ */

/* SD-6.1: SHA256(0x00 || data). */
int	 mv_tlog_record_hash(const void *data, size_t len,
	    unsigned char out[MV_TLOG_HASH], struct mv_err *err);
/* SD-6.2: SHA256(0x01 || l || r). */
int	 mv_tlog_node_hash(const unsigned char l[MV_TLOG_HASH],
	    const unsigned char r[MV_TLOG_HASH], unsigned char out[MV_TLOG_HASH],
	    struct mv_err *err);
/* SD-6.6: Go's storage index of h(level, n); -1 if out of range. */
int64_t	 mv_tlog_stored_index(int level, int64_t n);

/* --- tiles (SD-8) ------------------------------------------------------ */

struct mv_tile {
	int	h;	/* height, 1..30 */
	int	l;	/* level >= 0, or -1 for a data tile */
	int64_t	n;	/* index */
	int	w;	/* width, 1..2^h */
};

/* SD-8.5: strict parse of "tile/H/L/NNN[.p/W]" (no leading '/'). MV_EINVAL. */
int	 mv_tile_parse(const char *s, size_t len, struct mv_tile *t,
	    struct mv_err *err);
/* SD-8.4: writes the path of a valid tile; MV_EINVAL for an invalid one. */
int	 mv_tile_path(const struct mv_tile *t, char out[MV_TILE_PATH_MAX_BYTES],
	    struct mv_err *err);

/*
 * Supplies the 32 * t->w bytes of hash tile t (appended to out, which is
 * empty and bounded to that size).  Returns 0, or -1 with err filled in;
 * any other length is treated as a corrupt tile.  A caller holding a wider
 * tile of the same (h, l, n) may return its prefix (SD-8.3).
 */
typedef int	(*mv_tile_reader)(void *ctx, const struct mv_tile *t,
		    struct mv_buf *out, struct mv_err *err);
/*
 * Optional: told of each tile once it is authenticated against a signed
 * tree (SD-9.1.4: only such tiles may be cached).  data is 32 * t->w bytes.
 */
typedef int	(*mv_tile_saver)(void *ctx, const struct mv_tile *t,
		    const unsigned char *data, size_t len, struct mv_err *err);

struct mv_tlog_tiles {
	int		 height;	/* H: 8 for the go command (SD-8.7) */
	mv_tile_reader	 read;
	mv_tile_saver	 save;		/* may be NULL */
	void		*ctx;
};

/*
 * SD-9.1: computes the root of tree->n records from the tiles of that tree
 * and requires it to equal tree->hash ("downloaded inconsistent tile",
 * MV_ECORRUPT).  A size-0 tree must have hash SHA256("").
 */
int	 mv_tlog_check_tree(const struct mv_tlog_tiles *tt,
	    const struct mv_tree *tree, struct mv_err *err);

/*
 * Reads the authenticated hash h(level, n) of tree (SD-6.4, SD-8.8,
 * SD-9.1 steps 1-3).  MV_EINVAL if h(level, n) is not in the tree.
 */
int	 mv_tlog_read_hash(const struct mv_tlog_tiles *tt,
	    const struct mv_tree *tree, int level, int64_t n,
	    unsigned char out[MV_TLOG_HASH], struct mv_err *err);

/*
 * SD-9.2.5: requires 0 <= id < tree->n and h(0, id) (authenticated through
 * tiles) to equal leaf.  MV_ECORRUPT "cannot authenticate record data".
 */
int	 mv_tlog_check_record(const struct mv_tlog_tiles *tt,
	    const struct mv_tree *tree, int64_t id,
	    const unsigned char leaf[MV_TLOG_HASH], struct mv_err *err);

/*
 * SD-9.2.4: requires trees a and b (either may be the larger) to lie on one
 * log: the smaller tree's root is rebuilt from tiles authenticated against
 * the larger one.  A size-0 tree is consistent with everything.  A mismatch
 * is MV_ECORRUPT with a message starting "security error".
 */
int	 mv_tlog_check_consistent(const struct mv_tlog_tiles *tt,
	    const struct mv_tree *a, const struct mv_tree *b,
	    struct mv_err *err);

/* --- RFC 6962 proofs (SD-7; for tests and locally held hashes) ---------- */

/* SD-7.1: inclusion proof of record n in tree t, from authenticated tiles. */
int	 mv_tlog_prove_record(const struct mv_tlog_tiles *tt,
	    const struct mv_tree *t, int64_t n,
	    unsigned char proof[MV_TLOG_PROOF_MAX_HASHES][MV_TLOG_HASH], size_t *nproof,
	    struct mv_err *err);
/* SD-7.3: consistency proof from size m to tree t, from authenticated tiles. */
int	 mv_tlog_prove_tree(const struct mv_tlog_tiles *tt,
	    const struct mv_tree *t, int64_t m,
	    unsigned char proof[MV_TLOG_PROOF_MAX_HASHES][MV_TLOG_HASH], size_t *nproof,
	    struct mv_err *err);
/* SD-7.2: checks an inclusion proof of leaf n in tree t.  MV_ECORRUPT. */
int	 mv_tlog_check_record_proof(
	    const unsigned char proof[][MV_TLOG_HASH], size_t nproof,
	    const struct mv_tree *t, int64_t n,
	    const unsigned char leaf[MV_TLOG_HASH], struct mv_err *err);
/* SD-7.4: checks a consistency proof from old to t.  MV_ECORRUPT. */
int	 mv_tlog_check_tree_proof(
	    const unsigned char proof[][MV_TLOG_HASH], size_t nproof,
	    const struct mv_tree *t, const struct mv_tree *old,
	    struct mv_err *err);

/* --- lookups and records (SD-3, SD-9.2) ----------------------------------- */

/* A parsed lookup response; pointers borrow from the body. */
struct mv_lookup {
	int64_t		 id;
	const char	*rec;		/* record text, ends in '\n' */
	size_t		 reclen;
	const char	*note;		/* the signed tree head */
	size_t		 notelen;
};

/* SD-3.2, SD-3.3: splits a lookup body.  MV_ECORRUPT / MV_ELIMIT. */
int	 mv_lookup_parse(const char *body, size_t len, struct mv_lookup *out,
	    struct mv_err *err);

/*
 * SD-3.1, SD-9.2.6: finds in record text the hashes of module path at
 * version: the value after "<path> <version> " (zip) and after
 * "<path> <version>/go.mod " (go.mod), e.g. "h1:...".  path is unescaped.
 * Only "h1:" values are taken (others are future hash kinds).
 * MV_ENOTFOUND if either is missing, MV_ECORRUPT if the text is malformed
 * or holds two different h1 values for one key.
 */
int	 mv_record_hashes(const char *rec, size_t len, const char *path,
	    const char *version, char zip_h1[MV_SUMDB_HASH_MAX_BYTES + 1],
	    char mod_h1[MV_SUMDB_HASH_MAX_BYTES + 1], struct mv_err *err);

/* What a verified lookup yields. */
struct mv_sumdb_result {
	int64_t		 id;
	struct mv_tree	 tree;		/* the response's signed tree head */
	const char	*note;		/* its note bytes, borrowed from body */
	size_t		 notelen;
	bool		 newer;		/* tree.n > trusted->n: persist note */
	char		 zip_h1[MV_SUMDB_HASH_MAX_BYTES + 1];
	char		 mod_h1[MV_SUMDB_HASH_MAX_BYTES + 1];
};

/*
 * SD-9.2 steps 2-6 for one lookup body of path@version (unescaped): opens
 * the note with key, checks consistency with the trusted tree (size 0 =
 * nothing trusted yet), then that the record is in the response's tree,
 * and returns the two hashes.  When res->newer the caller should replace
 * its trusted head by res->tree / res->note (compare-and-swap, SD-9.3).
 * Consistency is checked against the larger of the two trees, as the
 * go command does.  The caller compares the hashes with its own (SD-10.1).
 */
int	 mv_sumdb_check_lookup(const struct mv_note_verifier *key,
	    const struct mv_tlog_tiles *tt, const struct mv_tree *trusted,
	    const char *path, const char *version, const char *body,
	    size_t len, struct mv_sumdb_result *res, struct mv_err *err);

#endif
