/*
 * s3tool.c: each function of the S3 client (modvault/net/s3.h) on the
 * command line, for tests/integration/s3-client.sh.
 *
 *   s3tool check
 *   s3tool head KEY                      prints "SIZE MTIME"
 *   s3tool get KEY [OFF LEN] [--max N]   the bytes to stdout
 *   s3tool put KEY FILE [--create-only] [--sha256 | --sha256=HEX]
 *                       [--size=N]       (N: the size declared, to cut
 *                                        an upload short on purpose)
 *   s3tool put-mem KEY FILE [--create-only]
 *                                        prints "created" or "exists"
 *   s3tool fill PREFIX N [SUFFIX]        puts PREFIX00000SUFFIX ... (N of
 *                                        them, each holding its key and a
 *                                        newline) on one kept connection
 *   s3tool delete KEY
 *   s3tool list PREFIX [DELIM]           "KEY<TAB>SIZE<TAB>MTIME" lines
 *   s3tool presign KEY SECONDS [--now UNIXTIME]
 *
 * The store is named by the environment: S3_ENDPOINT, S3_BUCKET,
 * S3_REGION (us-east-1), S3_PREFIX (""), S3_ACCESS_KEY, S3_SECRET_KEY,
 * S3_CONNECT_TIMEOUT (5), S3_TIMEOUT (60), S3_STALL_TIMEOUT (10).  A
 * failure prints "s3tool: CODE: MESSAGE" (CODE as mv_code_name gives it)
 * and exits 1; a usage error exits 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modvault/base/hash.h"
#include "modvault/net/s3.h"

/* Bytes put-mem reads into memory. */
#define MEM_MAX	(64u * MV_MIB)

static const char *
env(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v != NULL ? v : dflt;
}

static int
usage(void)
{
	fprintf(stderr, "usage: s3tool check | head KEY | get KEY [OFF LEN] "
	    "[--max N] | put KEY FILE [--create-only] [--sha256[=HEX]] "
	    "[--size=N] | "
	    "put-mem KEY FILE [--create-only] | fill PREFIX N [SUFFIX] | "
	    "delete KEY | "
	    "list PREFIX [DELIM] | presign KEY SECONDS [--now T]\n");
	return 2;
}

/* A whole decimal number, or -1 with a message. */
static int
number(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0) {
		fprintf(stderr, "s3tool: \"%s\" is not a number\n", s);
		return -1;
	}
	return 0;
}

static int
fail(const struct mv_err *err)
{
	fprintf(stderr, "s3tool: %s: %s\n", mv_code_name(err->code),
	    err->msg);
	return 1;
}

static int
to_stdout(void *ctx, const void *p, size_t n, struct mv_err *err)
{
	if (fwrite(p, 1, n, stdout) != n)
		return mv_fail(err, MV_EIO, "cannot write stdout");
	return 0;
}

static int
from_file(void *ctx, void *p, size_t n, size_t *got, struct mv_err *err)
{
	*got = fread(p, 1, n, ctx);
	if (*got == 0 && ferror((FILE *)ctx))
		return mv_fail(err, MV_EIO, "cannot read the file");
	return 0;
}

static int
print_entry(void *ctx, const char *key, uint64_t size, int64_t mtime)
{
	printf("%s\t%llu\t%lld\n", key, (unsigned long long)size,
	    (long long)mtime);
	return 0;
}

/* The file's size and, when hex is not NULL, its SHA-256 (rewound). */
static int
file_facts(FILE *f, uint64_t *size, char *hex, struct mv_err *err)
{
	unsigned char buf[65536], d[MV_SHA256_LEN];
	struct mv_sha256 *sha;
	size_t n;

	*size = 0;
	if ((sha = mv_sha256_new(err)) == NULL)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		*size += n;
		if (mv_sha256_update(sha, buf, n, err) == -1)
			break;
	}
	if (err->code == MV_OK && (ferror(f) || fseek(f, 0, SEEK_SET) != 0))
		mv_fail(err, MV_EIO, "cannot read the file");
	if (err->code == MV_OK && mv_sha256_final(sha, d, err) == 0 &&
	    hex != NULL)
		mv_hex(d, sizeof(d), hex);
	mv_sha256_free(sha);
	return err->code == MV_OK ? 0 : -1;
}

/* put KEY FILE [--create-only] [--sha256[=HEX]] [--size=N] */
static int
cmd_put(struct mv_s3 *s3, int argc, char **argv, struct mv_err *err)
{
	char hex[MV_SHA256_HEX + 1];
	const char *sha = NULL;
	bool create_only = false, created = false;
	unsigned long long declared = UINT64_MAX;
	uint64_t size;
	FILE *f;
	int i, rc;

	for (i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--create-only") == 0)
			create_only = true;
		else if (strcmp(argv[i], "--sha256") == 0)
			sha = hex;
		else if (strncmp(argv[i], "--sha256=", 9) == 0)
			sha = argv[i] + 9;
		else if (strncmp(argv[i], "--size=", 7) == 0) {
			if (number(argv[i] + 7, &declared) == -1)
				return 2;
		} else
			return usage();
	}
	if ((f = fopen(argv[3], "rb")) == NULL)
		return mv_fail(err, MV_EIO, "cannot open %s", argv[3]);
	rc = file_facts(f, &size, sha == hex ? hex : NULL, err);
	if (declared != UINT64_MAX)
		size = declared;
	if (rc == 0)
		rc = mv_s3_put(s3, argv[2], size, sha, create_only, from_file,
		    f, &created, err);
	fclose(f);
	if (rc == 0)
		printf("%s\n", created ? "created" : "exists");
	return rc;
}

/* put-mem KEY FILE [--create-only] */
static int
cmd_put_mem(struct mv_s3 *s3, int argc, char **argv, struct mv_err *err)
{
	bool create_only = argc > 4 && strcmp(argv[4], "--create-only") == 0;
	bool created = false;
	char *p;
	size_t n;
	FILE *f;
	int rc = -1;

	if (argc > 5 || (argc == 5 && !create_only))
		return usage();
	if ((f = fopen(argv[3], "rb")) == NULL)
		return mv_fail(err, MV_EIO, "cannot open %s", argv[3]);
	if ((p = malloc(MEM_MAX)) == NULL)
		mv_fail(err, MV_ENOMEM, "out of memory");
	else if ((n = fread(p, 1, MEM_MAX, f)) == MEM_MAX || ferror(f))
		mv_fail(err, MV_EIO, "cannot read %s whole", argv[3]);
	else
		rc = mv_s3_put_mem(s3, argv[2], p, n, create_only, &created,
		    err);
	free(p);
	fclose(f);
	if (rc == 0)
		printf("%s\n", created ? "created" : "exists");
	return rc;
}

/* fill PREFIX N [SUFFIX] */
static int
cmd_fill(struct mv_s3 *s3, int argc, char **argv, struct mv_err *err)
{
	unsigned long long i, n;
	char key[MV_S3_KEY_MAX_BYTES + 1], body[sizeof(key) + 1];
	int len;

	if (argc > 5 || number(argv[3], &n) == -1)
		return 2;
	for (i = 0; i < n; i++) {
		len = snprintf(key, sizeof(key), "%s%05llu%s", argv[2], i,
		    argc == 5 ? argv[4] : "");
		if (len < 0 || (size_t)len >= sizeof(key))
			return mv_fail(err, MV_EINVAL, "key too long");
		snprintf(body, sizeof(body), "%s\n", key);
		if (mv_s3_put_mem(s3, key, body, (size_t)len + 1, false, NULL,
		    err) == -1)
			return -1;
	}
	return 0;
}

/* get KEY [OFF LEN] [--max N] */
static int
cmd_get(struct mv_s3 *s3, int argc, char **argv, struct mv_err *err)
{
	unsigned long long off = 0, len = 0, max = UINT64_MAX;
	int rc;

	if (argc >= 5 && strcmp(argv[argc - 2], "--max") == 0) {
		if (number(argv[argc - 1], &max) == -1)
			return 2;
		argc -= 2;
	}
	if (argc == 5 && (number(argv[3], &off) == -1 ||
	    number(argv[4], &len) == -1))
		return 2;
	if (argc != 3 && argc != 5)
		return usage();
	rc = mv_s3_get(s3, argv[2], off, len, max, to_stdout, NULL, NULL, err);
	if (fflush(stdout) != 0)
		rc = mv_fail(err, MV_EIO, "cannot write stdout");
	return rc;
}

/* presign KEY SECONDS [--now T] */
static int
cmd_presign(struct mv_s3 *s3, int argc, char **argv, struct mv_err *err)
{
	unsigned long long secs, now = (unsigned long long)time(NULL);
	char url[8192];

	if ((argc != 4 && argc != 6) || (argc == 6 &&
	    strcmp(argv[4], "--now") != 0))
		return usage();
	if (number(argv[3], &secs) == -1 || (argc == 6 &&
	    number(argv[5], &now) == -1))
		return 2;
	if (mv_s3_presign(s3, argv[2], (int64_t)now, (long)secs, url,
	    sizeof(url), err) == -1)
		return -1;
	printf("%s\n", url);
	return 0;
}

static int
run(struct mv_s3 *s3, int argc, char **argv, struct mv_err *err)
{
	const char *cmd = argv[1];
	uint64_t size;
	int64_t mtime;

	if (strcmp(cmd, "check") == 0 && argc == 2)
		return mv_s3_check(s3, err);
	if (strcmp(cmd, "head") == 0 && argc == 3) {
		if (mv_s3_head(s3, argv[2], &size, &mtime, err) == -1)
			return -1;
		printf("%llu %lld\n", (unsigned long long)size,
		    (long long)mtime);
		return 0;
	}
	if (strcmp(cmd, "get") == 0 && argc >= 3)
		return cmd_get(s3, argc, argv, err);
	if (strcmp(cmd, "put") == 0 && argc >= 4)
		return cmd_put(s3, argc, argv, err);
	if (strcmp(cmd, "put-mem") == 0 && argc >= 4)
		return cmd_put_mem(s3, argc, argv, err);
	if (strcmp(cmd, "fill") == 0 && argc >= 4)
		return cmd_fill(s3, argc, argv, err);
	if (strcmp(cmd, "delete") == 0 && argc == 3)
		return mv_s3_delete(s3, argv[2], err);
	if (strcmp(cmd, "list") == 0 && (argc == 3 || argc == 4))
		return mv_s3_list(s3, argv[2], argc == 4 ? argv[3] : NULL,
		    print_entry, NULL, err);
	if (strcmp(cmd, "presign") == 0 && argc >= 4)
		return cmd_presign(s3, argc, argv, err);
	return usage();
}

int
main(int argc, char **argv)
{
	struct mv_err err = MV_ERR_INIT;
	struct mv_s3_config c;
	unsigned long long t[3];
	struct mv_s3 *s3;
	int rc;

	if (argc < 2)
		return usage();
	if (number(env("S3_CONNECT_TIMEOUT", "5"), &t[0]) == -1 ||
	    number(env("S3_TIMEOUT", "60"), &t[1]) == -1 ||
	    number(env("S3_STALL_TIMEOUT", "10"), &t[2]) == -1)
		return 2;
	c.endpoint = getenv("S3_ENDPOINT");
	c.bucket = getenv("S3_BUCKET");
	c.region = env("S3_REGION", "us-east-1");
	c.prefix = env("S3_PREFIX", "");
	c.access_key = getenv("S3_ACCESS_KEY");
	c.secret_key = getenv("S3_SECRET_KEY");
	c.connect_timeout = (long)t[0];
	c.timeout = (long)t[1];
	c.stall_timeout = (long)t[2];
	if (mv_s3_open(&c, &s3, &err) == -1)
		return fail(&err);
	rc = run(s3, argc, argv, &err);
	mv_s3_close(s3);
	if (rc == -1)
		return fail(&err);
	return rc;
}
