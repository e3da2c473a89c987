/* cmd_import.c: `modvault import DIR`: store a module cache or GOPROXY tree. */
/*
 * DIR is walked for <escaped module>/@v/<escaped version>.zip files (the
 * layout of $GOMODCACHE/cache/download and of any static GOPROXY tree); each
 * needs the .info and .mod beside it.  Paths are unescaped and checked
 * (GP-2.2) before they are used, and every version goes through
 * mv_store_ingest, the validator a fetch uses.  Symbolic links are not
 * followed, so the walk stays inside DIR.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* A module path has far fewer elements than this. */
#define DEPTH_MAX	64

struct item {
	char	*module;	/* unescaped, or escaped when problem is set */
	char	*version;
	char	*base;		/* DIR/.../@v/<escaped version>, no extension */
	char	*problem;	/* why it cannot be ingested, or NULL */
};

struct walk {
	struct cli	*c;
	size_t		 rootlen;
	struct item	*items;
	size_t		 n, cap;
};

static int
add_item(struct walk *w, const char *esc_module, const char *esc_version,
    const char *base)
{
	struct mv_buf m = MV_BUF_INIT, v = MV_BUF_INIT;
	struct mv_err err;
	struct item *it;

	if ((it = cli_grow(w->items, &w->cap, w->n, sizeof(*w->items))) == NULL)
		return -1;
	w->items = it;
	it = &w->items[w->n++];
	memset(it, 0, sizeof(*it));
	if (mv_unescape_path(esc_module, &m, &err) == -1 ||
	    mv_unescape_version(esc_version, &v, &err) == -1) {
		it->problem = strdup(err.msg);
		it->module = strdup(esc_module);
		it->version = strdup(esc_version);
	} else {
		it->module = mv_buf_detach(&m, NULL);
		it->version = mv_buf_detach(&v, NULL);
	}
	it->base = strdup(base);
	mv_buf_free(&m);
	mv_buf_free(&v);
	return it->module == NULL || it->version == NULL || it->base == NULL ?
	    -1 : 0;
}

/* The .zip files of one @v directory; path is DIR/<escaped module>/@v. */
static int
scan_atv(struct walk *w, struct mv_buf *path, DIR *d)
{
	struct dirent *de;
	size_t len = path->len, n;
	char *module;
	int rc = 0;

	if (len - 3 <= w->rootlen)
		return 0;	/* DIR itself is an @v directory */
	if ((module = strndup(path->data + w->rootlen + 1,
	    len - 3 - w->rootlen - 1)) == NULL)
		return -1;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n <= 4 || strcmp(de->d_name + n - 4, ".zip") != 0)
			continue;
		de->d_name[n - 4] = '\0';
		if (mv_buf_printf(path, NULL, "/%s", de->d_name) == -1)
			rc = -1;
		else
			rc = add_item(w, module, de->d_name, path->data);
		mv_buf_truncate(path, len);
	}
	free(module);
	return rc;
}

static int
walk(struct walk *w, struct mv_buf *path, int depth)
{
	struct dirent *de;
	struct stat sb;
	size_t len = path->len;
	DIR *d;
	int rc = 0;

	if (depth > DEPTH_MAX || (d = opendir(path->data)) == NULL)
		return 0;
	if (len >= 3 && strcmp(path->data + len - 3, "/@v") == 0) {
		rc = scan_atv(w, path, d);
		closedir(d);
		return rc;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (mv_buf_printf(path, NULL, "/%s", de->d_name) == -1) {
			rc = -1;
			break;
		}
		if (lstat(path->data, &sb) == 0 && S_ISDIR(sb.st_mode))
			rc = walk(w, path, depth + 1);
		mv_buf_truncate(path, len);
	}
	closedir(d);
	return rc;
}

static int
cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int k = strcmp(x->module, y->module);

	return k != 0 ? k : strcmp(x->version, y->version);
}

/* Ingests one item and prints its outcome; returns 1 when refused. */
static int
import_one(struct walk *w, struct mv_store *st, const char *origin,
    const struct mv_zip_limits *lim, struct item *it)
{
	char info[PATH_MAX], mod[PATH_MAX], zip[PATH_MAX];
	struct mv_ingest in = { .module = it->module, .version = it->version,
	    .info_path = info, .mod_path = mod, .zip_path = zip,
	    .origin = origin };
	enum mv_ingest_outcome out;
	struct mv_err err;

	if (it->problem != NULL) {
		printf("%s@%s: refused: %s\n", it->module, it->version,
		    it->problem);
		return 1;
	}
	snprintf(info, sizeof(info), "%s.info", it->base);
	snprintf(mod, sizeof(mod), "%s.mod", it->base);
	snprintf(zip, sizeof(zip), "%s.zip", it->base);
	if (mv_store_ingest(st, &in, lim, &out, &err) == -1) {
		printf("%s@%s: refused: %s\n", it->module, it->version, err.msg);
		return 1;
	}
	printf("%s@%s: %s\n", it->module, it->version,
	    out == MV_INGEST_STORED ? "stored" : "already present");
	return 0;
}

static int
import_all(struct walk *w, const char *root)
{
	struct mv_zip_limits lim;
	struct mv_store *st;
	char origin[PATH_MAX + 8];
	size_t i, refused = 0;
	int rc;

	if ((rc = cli_open_store(w->c, 0, &st)) != CLI_OK)
		return rc;
	cli_zip_limits(w->c, &lim);
	snprintf(origin, sizeof(origin), "import:%s", root);
	if (w->n > 0)
		qsort(w->items, w->n, sizeof(*w->items), cmp_item);
	for (i = 0; i < w->n; i++)
		refused += (size_t)import_one(w, st, origin, &lim, &w->items[i]);
	mv_store_close(st);
	printf("%zu versions: %zu stored or present, %zu refused\n", w->n,
	    w->n - refused, refused);
	return refused > 0 ? CLI_FAILED : CLI_OK;
}

int
cmd_import(struct cli *c, int argc, char **argv)
{
	struct walk w = { .c = c };
	struct mv_buf path;
	char root[PATH_MAX];
	size_t i;
	int first, rc;

	if ((rc = cli_options(c, argc, argv, NULL, &first)) != CLI_OK ||
	    (rc = cli_operands(c, argc - first, 1, 1)) != CLI_OK)
		return rc;
	if (realpath(argv[first], root) == NULL) {
		cli_error(c, "cannot open \"%s\"", argv[first]);
		return CLI_FAILED;
	}
	mv_buf_init(&path, PATH_MAX - 16);
	w.rootlen = strlen(root);
	if (mv_buf_puts(&path, root, NULL) == -1 || walk(&w, &path, 0) == -1) {
		cli_error(c, "cannot walk \"%s\": out of memory or path too "
		    "long", root);
		rc = CLI_FAILED;
	} else
		rc = import_all(&w, root);
	for (i = 0; i < w.n; i++) {
		free(w.items[i].module);
		free(w.items[i].version);
		free(w.items[i].base);
		free(w.items[i].problem);
	}
	free(w.items);
	mv_buf_free(&path);
	return rc;
}
