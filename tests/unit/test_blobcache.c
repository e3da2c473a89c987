/* test_blobcache.c: the per-process cache of small immutable blobs. */
#include "mvtest.h"
#include "modvault/store/blobcache.h"

static void
put_get_replace(void **state)
{
	struct mv_blobcache bc;
	unsigned char a[MV_SHA256_LEN] = { 1, 2, 3 }, b[MV_SHA256_LEN] = { 1, 9 };
	const char *p;
	size_t len;

	memset(&bc, 0, sizeof(bc));
	assert_null(mv_blobcache_get(&bc, a, &len));
	mv_blobcache_put(&bc, a, "{\"Version\":\"v1.0.0\"}", 20);
	assert_non_null(p = mv_blobcache_get(&bc, a, &len));
	assert_int_equal(len, 20);
	assert_memory_equal(p, "{\"Version\":\"v1.0.0\"}", 20);
	/* Same slot (first byte), other digest: a miss, never a wrong hit. */
	assert_null(mv_blobcache_get(&bc, b, &len));
	mv_blobcache_put(&bc, b, "x", 1);
	assert_null(mv_blobcache_get(&bc, a, &len));
	assert_non_null(p = mv_blobcache_get(&bc, b, &len));
	assert_int_equal(len, 1);
	mv_blobcache_free(&bc);
	assert_null(mv_blobcache_get(&bc, b, &len));
}

static void
large_blobs_are_not_kept(void **state)
{
	struct mv_blobcache bc;
	unsigned char d[MV_SHA256_LEN] = { 7 };
	char *big = calloc(1, MV_BLOBCACHE_ENTRY_MAX_BYTES + 1);
	size_t len;

	memset(&bc, 0, sizeof(bc));
	mv_blobcache_put(&bc, d, big, MV_BLOBCACHE_ENTRY_MAX_BYTES + 1);
	assert_null(mv_blobcache_get(&bc, d, &len));
	mv_blobcache_put(&bc, d, big, MV_BLOBCACHE_ENTRY_MAX_BYTES);
	assert_non_null(mv_blobcache_get(&bc, d, &len));
	mv_blobcache_free(&bc);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(put_get_replace),
		cmocka_unit_test(large_blobs_are_not_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
