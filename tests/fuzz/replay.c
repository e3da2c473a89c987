/*
 * replay.c: runs one fuzz target's LLVMFuzzerTestOneInput over every file
 * of its seed corpus, as an ordinary program, so `make check` builds every
 * target with the project's compiler and replays its seeds (under the
 * sanitizer build too): a target cannot rot between fuzzing runs.
 *
 * The program is named replay_<target>; its corpus is
 * $MV_SRCDIR/tests/fuzz/corpus/<target>/.  A seed that makes the target
 * abort fails the test, as it would the fuzzer.  TAP output.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads a whole file (seeds are small: the fuzzer caps them at 4 KiB). */
static unsigned char *
slurp(const char *path, size_t *n)
{
	unsigned char *p = NULL;
	long len;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)len + 1)) != NULL &&
	    fread(p, 1, (size_t)len, f) != (size_t)len) {
		free(p);
		p = NULL;
	}
	if (p != NULL)
		*n = (size_t)len;
	fclose(f);
	return p;
}

int
main(int argc, char **argv)
{
	const char *src = getenv("MV_SRCDIR"), *name = strrchr(argv[0], '/');
	char dir[4096], path[8192];
	struct dirent *de;
	unsigned char *p;
	int n = 0;
	size_t len;
	DIR *d;

	(void)argc;
	name = name != NULL ? name + 1 : argv[0];
	if (strncmp(name, "replay_", 7) == 0)
		name += 7;
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", src != NULL ?
	    src : ".", name);
	if ((d = opendir(dir)) == NULL) {
		printf("Bail out! no corpus %s\n", dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((p = slurp(path, &len)) == NULL) {
			printf("not ok %d - cannot read %s\n", ++n, path);
			closedir(d);
			return 1;
		}
		LLVMFuzzerTestOneInput(p, len);
		free(p);
		printf("ok %d - %s: %s\n", ++n, name, de->d_name);
	}
	closedir(d);
	printf("1..%d\n", n);
	return n > 0 ? 0 : 1;
}
