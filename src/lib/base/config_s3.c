/* config_s3.c: the storage keys (storage, s3_*, zip_delivery) and the
 * S3 credentials they name. */
/*
 * Values are checked as strictly as the rest of the file: an endpoint is a
 * bare scheme://host[:port] (credentials never go in a URL here: they have
 * keys of their own), a bucket follows S3's naming rules, and the keys
 * that only mean something for storage = s3 are refused with storage =
 * dir, so a typo never leaves a node silently on its local disk.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_priv.h"

int
mv_config_set_storage(struct mv_config *cfg, const struct key *k,
    const char *v, struct mv_err *err)
{
	(void)k;
	if (strcmp(v, "dir") == 0)
		cfg->storage = MV_STORAGE_DIR;
	else if (strcmp(v, "s3") == 0)
		cfg->storage = MV_STORAGE_S3;
	else
		return mv_fail(err, MV_ECONFIG, "must be one of dir, s3");
	return 0;
}

int
mv_config_set_zip_delivery(struct mv_config *cfg, const struct key *k,
    const char *v, struct mv_err *err)
{
	(void)k;
	if (strcmp(v, "local") == 0)
		cfg->zip_delivery = MV_ZIP_DELIVERY_LOCAL;
	else if (strcmp(v, "redirect") == 0)
		cfg->zip_delivery = MV_ZIP_DELIVERY_REDIRECT;
	else
		return mv_fail(err, MV_ECONFIG, "must be one of local, "
		    "redirect");
	return 0;
}

/* Every byte is in set (or alphanumeric when alnum). */
static bool
only(const char *v, bool alnum, const char *set)
{
	for (; *v != '\0'; v++)
		if (!(alnum && isalnum((unsigned char)*v)) &&
		    strchr(set, *v) == NULL)
			return false;
	return true;
}

/* scheme://host[:port], a trailing '/' dropped; no user, path or query. */
int
mv_config_set_s3_endpoint(struct mv_config *cfg, const struct key *k,
    const char *v, struct mv_err *err)
{
	char buf[sizeof(cfg->s3.endpoint)];
	size_t host, n = strlen(v);

	if (n >= sizeof(buf))
		return mv_fail(err, MV_ECONFIG, "longer than %zu bytes",
		    sizeof(buf) - 1);
	memcpy(buf, v, n + 1);
	if (n > 0 && buf[n - 1] == '/')
		buf[--n] = '\0';
	if (strncmp(buf, "http://", 7) == 0)
		host = 7;
	else if (strncmp(buf, "https://", 8) == 0)
		host = 8;
	else
		return mv_fail(err, MV_ECONFIG, "must be an http:// or https:// "
		    "URL");
	if (host == n || !only(buf + host, true, ".-:[]"))
		return mv_fail(err, MV_ECONFIG, "must be scheme://host[:port] "
		    "with no user, path or query (the keys go in s3_access_key "
		    "and s3_secret_key_file)");
	return mv_config_set_string(cfg, k, buf, err);
}

/* S3's bucket naming rules: 3 to 63 of a-z 0-9 . -, alphanumeric ends. */
int
mv_config_set_s3_bucket(struct mv_config *cfg, const struct key *k,
    const char *v, struct mv_err *err)
{
	size_t n = strlen(v);

	if (n < 3 || n > 63 || !only(v, false, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789.-") || !isalnum((unsigned char)v[0]) ||
	    !isalnum((unsigned char)v[n - 1]))
		return mv_fail(err, MV_ECONFIG, "must be 3 to 63 lower-case "
		    "letters, digits, '.' or '-', starting and ending with a "
		    "letter or digit");
	return mv_config_set_string(cfg, k, v, err);
}

int
mv_config_set_s3_region(struct mv_config *cfg, const struct key *k,
    const char *v, struct mv_err *err)
{
	if (*v == '\0' || strlen(v) > 63 || !only(v, true, "-_"))
		return mv_fail(err, MV_ECONFIG, "must be a region name such as "
		    "us-east-1");
	return mv_config_set_string(cfg, k, v, err);
}

/* Key characters S3 needs no quoting rules for, ending in '/'. */
int
mv_config_set_s3_prefix(struct mv_config *cfg, const struct key *k,
    const char *v, struct mv_err *err)
{
	char buf[sizeof(cfg->s3.prefix)];
	size_t n = strlen(v);

	if (n == 0)
		return mv_config_set_string(cfg, k, v, err);
	if (n + 2 > sizeof(buf) || v[0] == '/' || strstr(v, "//") != NULL ||
	    !only(v, true, "-._~/!"))
		return mv_fail(err, MV_ECONFIG, "must be letters, digits and "
		    "-._~/! with no leading '/' or empty segment");
	snprintf(buf, sizeof(buf), "%s%s", v, v[n - 1] == '/' ? "" : "/");
	return mv_config_set_string(cfg, k, buf, err);
}

/* libcurl's user:password splits at the first ':'. */
int
mv_config_set_s3_access_key(struct mv_config *cfg, const struct key *k,
    const char *v, struct mv_err *err)
{
	if (*v == '\0' || strchr(v, ':') != NULL || !only(v, true, "-_./+="))
		return mv_fail(err, MV_ECONFIG, "must be an access key id "
		    "(letters, digits, -_./+=)");
	return mv_config_set_string(cfg, k, v, err);
}

int
mv_config_check_storage(const struct mv_config *cfg, const char *name,
    struct mv_err *err)
{
	const struct mv_s3_settings *s = &cfg->s3;

	if (cfg->storage == MV_STORAGE_S3) {
		if (s->endpoint[0] == '\0' || s->bucket[0] == '\0')
			return mv_fail(err, MV_ECONFIG, "%s: storage = s3 needs "
			    "s3_endpoint and s3_bucket", name);
		return 0;
	}
	if (s->endpoint[0] != '\0' || s->bucket[0] != '\0' ||
	    s->prefix[0] != '\0' || s->access_key[0] != '\0' ||
	    s->secret_key_file[0] != '\0')
		return mv_fail(err, MV_ECONFIG, "%s: s3_* keys are set but "
		    "storage is dir (add storage = s3)", name);
	if (cfg->zip_delivery == MV_ZIP_DELIVERY_REDIRECT)
		return mv_fail(err, MV_ECONFIG, "%s: zip_delivery = redirect "
		    "needs storage = s3", name);
	return 0;
}

/* The first line of path, which only its owner may read. */
static int
read_secret(const char *path, char *out, size_t outsz, struct mv_err *err)
{
	struct stat sb;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return mv_fail(err, MV_ECONFIG, "s3_secret_key_file \"%s\": "
		    "cannot open: %s", path, strerror(errno));
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return mv_fail(err, MV_ECONFIG, "s3_secret_key_file \"%s\": "
		    "not a regular file", path);
	}
	if ((sb.st_mode & 077) != 0) {
		close(fd);
		return mv_fail(err, MV_ECONFIG, "s3_secret_key_file \"%s\": "
		    "readable by others (mode %03o): chmod 600 it", path,
		    (unsigned)(sb.st_mode & 0777));
	}
	n = read(fd, out, outsz - 1);
	close(fd);
	if (n <= 0)
		return mv_fail(err, MV_ECONFIG, "s3_secret_key_file \"%s\": "
		    "empty or unreadable", path);
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	if (out[0] == '\0')
		return mv_fail(err, MV_ECONFIG, "s3_secret_key_file \"%s\": "
		    "the first line is empty", path);
	return 0;
}

int
mv_config_s3_credentials(const struct mv_config *cfg, char *access_key,
    size_t aksz, char *secret, size_t sksz, struct mv_err *err)
{
	const char *ak = cfg->s3.access_key, *sk;

	if (ak[0] == '\0' && ((ak = getenv("AWS_ACCESS_KEY_ID")) == NULL ||
	    *ak == '\0'))
		return mv_fail(err, MV_ECONFIG, "no S3 access key: set "
		    "s3_access_key or AWS_ACCESS_KEY_ID");
	if (strlen(ak) >= aksz || strchr(ak, ':') != NULL)
		return mv_fail(err, MV_ECONFIG, "the S3 access key is malformed");
	snprintf(access_key, aksz, "%s", ak);
	if (cfg->s3.secret_key_file[0] != '\0')
		return read_secret(cfg->s3.secret_key_file, secret, sksz, err);
	if ((sk = getenv("AWS_SECRET_ACCESS_KEY")) == NULL || *sk == '\0')
		return mv_fail(err, MV_ECONFIG, "no S3 secret key: set "
		    "s3_secret_key_file or AWS_SECRET_ACCESS_KEY");
	if (strlen(sk) >= sksz)
		return mv_fail(err, MV_ECONFIG, "the S3 secret key is too long");
	snprintf(secret, sksz, "%s", sk);
	return 0;
}
