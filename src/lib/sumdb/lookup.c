/* lookup.c: checksum-database lookup responses and their verification (SD-3, SD-9.2). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "modvault/sumdb/sumdb.h"

/*
 * A lookup body is "<id>\n<record>\n<signed tree head>".  Nothing in it is
 * believed until the note verifies with the configured key, the tree is
 * consistent with the one trusted before, and the record hashes to leaf
 * <id> of the log; only then are its h1 lines handed out.
 */

int
mv_lookup_parse(const char *body, size_t len, struct mv_lookup *out,
    struct mv_err *err)
{
	const char *nl, *p, *end = body + len;
	int64_t id = 0;
	size_t i;

	if (len > MV_NOTE_MAX_BYTES)
		return mv_fail(err, MV_ELIMIT, "lookup response larger than "
		    "%d bytes", MV_NOTE_MAX_BYTES);
	/* SD-3.2: decimal, no sign, no leading zeros (except "0"). */
	if ((nl = memchr(body, '\n', len)) == NULL || nl == body ||
	    (nl - body > 1 && body[0] == '0') || nl - body > 18)
		return mv_fail(err, MV_ECORRUPT, "malformed lookup response: "
		    "bad record id line (SD-3.3)");
	for (p = body; p < nl; p++) {
		if (*p < '0' || *p > '9')
			return mv_fail(err, MV_ECORRUPT, "malformed lookup "
			    "response: record id is not decimal (SD-3.3)");
		id = id * 10 + (*p - '0');
	}
	/* SD-3.3: the record ends at the first blank line. */
	p = nl + 1;
	for (i = 0; p + i + 1 < end; i++)
		if (p[i] == '\n' && p[i + 1] == '\n')
			break;
	if (p + i + 1 >= end)
		return mv_fail(err, MV_ECORRUPT, "malformed lookup response: "
		    "no blank line after the record (SD-3.3)");
	/* SD-3.1: at least one line, no blank lines, no control bytes. */
	if (i == 0 || p[0] == '\n' || !mv_note_text_is_valid(p, i + 1))
		return mv_fail(err, MV_ECORRUPT, "malformed lookup response: "
		    "record text is empty, not utf-8 or has control "
		    "characters (SD-3.1)");
	out->id = id;
	out->rec = p;
	out->reclen = i + 1;
	out->note = p + i + 2;
	out->notelen = (size_t)(end - out->note);
	return 0;
}

/*
 * If line starts with "<path> <version><suffix> h1:", keeps the value in
 * out (one value per key: a second, different one is corrupt).
 */
static int
take_hash(const char *line, size_t len, const char *path, const char *version,
    const char *suffix, char out[MV_SUMDB_HASH_MAX_BYTES + 1], struct mv_err *err)
{
	size_t pl = strlen(path), vl = strlen(version), sl = strlen(suffix);
	size_t klen = pl + 1 + vl + sl + 1, vlen;

	if (len < klen + 3 || memcmp(line, path, pl) != 0 || line[pl] != ' ' ||
	    memcmp(line + pl + 1, version, vl) != 0 ||
	    memcmp(line + pl + 1 + vl, suffix, sl) != 0 ||
	    line[klen - 1] != ' ' || memcmp(line + klen, "h1:", 3) != 0)
		return 0;
	vlen = len - klen;
	if (vlen > MV_SUMDB_HASH_MAX_BYTES)
		return mv_fail(err, MV_ECORRUPT, "malformed record: hash of "
		    "\"%s@%s%s\" too long (SD-3.1)", path, version, suffix);
	if (out[0] != '\0' && (strlen(out) != vlen ||
	    memcmp(out, line + klen, vlen) != 0))
		return mv_fail(err, MV_ECORRUPT, "malformed record: two "
		    "different hashes for \"%s@%s%s\" (SD-9.2.6)", path, version,
		    suffix);
	memcpy(out, line + klen, vlen);
	out[vlen] = '\0';
	return 0;
}

int
mv_record_hashes(const char *rec, size_t len, const char *path,
    const char *version, char zip_h1[MV_SUMDB_HASH_MAX_BYTES + 1],
    char mod_h1[MV_SUMDB_HASH_MAX_BYTES + 1], struct mv_err *err)
{
	const char *p, *nl, *end = rec + len;

	zip_h1[0] = mod_h1[0] = '\0';
	if (len == 0 || rec[len - 1] != '\n' || !mv_note_text_is_valid(rec, len))
		return mv_fail(err, MV_ECORRUPT, "malformed record: not "
		    "newline-terminated utf-8 text (SD-3.1)");
	for (p = rec; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == p)
			return mv_fail(err, MV_ECORRUPT, "malformed record: "
			    "blank line (SD-3.1)");
		if (take_hash(p, (size_t)(nl - p), path, version, "", zip_h1,
		    err) == -1 || take_hash(p, (size_t)(nl - p), path, version,
		    "/go.mod", mod_h1, err) == -1)
			return -1;
	}
	if (zip_h1[0] == '\0' || mod_h1[0] == '\0')
		return mv_fail(err, MV_ENOTFOUND, "checksum database record "
		    "has no %s line for \"%s@%s\" (SD-9.2.6)",
		    zip_h1[0] == '\0' ? "zip" : "go.mod", path, version);
	return 0;
}

int
mv_sumdb_check_lookup(const struct mv_note_verifier *key,
    const struct mv_tlog_tiles *tt, const struct mv_tree *trusted,
    const char *path, const char *version, const char *body, size_t len,
    struct mv_sumdb_result *res, struct mv_err *err)
{
	const struct mv_tree *latest;
	unsigned char leaf[MV_TLOG_HASH];
	struct mv_lookup lk;

	memset(res, 0, sizeof(*res));
	if (mv_lookup_parse(body, len, &lk, err) == -1 ||
	    mv_tree_open(lk.note, lk.notelen, key, 1, &res->tree, err) == -1)
		return mv_wrap(err, "verifying %s@%s: ", path, version);
	/* SD-9.2.4: one log, checked against the larger tree. */
	if (mv_tlog_check_consistent(tt, trusted, &res->tree, err) == -1)
		return mv_wrap(err, "verifying %s@%s: ", path, version);
	latest = res->tree.n > trusted->n ? &res->tree : trusted;
	/* SD-9.2.5: the record is leaf <id> of that log. */
	if (mv_tlog_record_hash(lk.rec, lk.reclen, leaf, err) == -1 ||
	    mv_tlog_check_record(tt, latest, lk.id, leaf, err) == -1 ||
	    mv_record_hashes(lk.rec, lk.reclen, path, version, res->zip_h1,
	    res->mod_h1, err) == -1)
		return mv_wrap(err, "verifying %s@%s: ", path, version);
	res->id = lk.id;
	res->note = lk.note;
	res->notelen = lk.notelen;
	res->newer = res->tree.n > trusted->n;
	return 0;
}
