#!/bin/sh
# cli.sh: every modvault CLI command on a real store built from the fixtures.
. "$MV_SRCDIR/tests/integration/lib.sh"

mv_tmpdir
UP="$MV_FIXTURES/upstream"
D="$MV_TMP/store"
E="$MV_TMP/empty.conf"
: >"$E"
MV="$MODVAULT --config $E --data-dir $D"
unset MODVAULT_CONFIG

# --- init, import, ls, stats, verify -------------------------------------
expect_status 0 "init creates a store" $MV init
check "init made index.db and blobs/" test -f "$D/index.db" -a -d "$D/blobs"
expect_status 0 "init is idempotent" $MV init
expect_status 0 "import of the fixture tree" $MV import "$UP"
check "import stored 7 versions (GP-11.1 validation passed)" \
    test "$(grep -c ': stored$' "$MV_TMP/out")" -eq 7
check "upper-case path unescaped (GP-2.2)" \
    grep -q '^github.com/Masterminds/semver@v1.4.2: stored$' "$MV_TMP/out"
expect_status 0 "import again" $MV import "$UP"
check "import again: 7 already present" \
    test "$(grep -c ': already present$' "$MV_TMP/out")" -eq 7
check "identical bytes stored once: 21 blobs" \
    test "$(count_files "$D/blobs")" -eq 21

# A Go module download cache has the same layout under cache/download.
mkdir -p "$MV_TMP/gomodcache/cache"
cp -R "$UP" "$MV_TMP/gomodcache/cache/download"
expect_status 0 "import of a GOMODCACHE layout" \
    $MV import "$MV_TMP/gomodcache/cache/download"
check "GOMODCACHE import: all already present" \
    test "$(grep -c ': already present$' "$MV_TMP/out")" -eq 7

expect_status 0 "ls" $MV ls
check "ls lists 7 versions" test "$(wc -l <"$MV_TMP/out")" -eq 7
check "ls shows zip size and .info time" grep -q \
    "^golang.org/x/sync@v0.3.0	$(wc -c <"$UP/golang.org/x/sync/@v/v0.3.0.zip" | tr -d ' ')	2023-06-01T20:35:10Z$" \
    "$MV_TMP/out"
expect_status 0 "ls PATTERN" $MV ls github.com/kr
check "ls github.com/kr: 3 versions (PT-3 prefix match)" \
    test "$(wc -l <"$MV_TMP/out")" -eq 3
expect_status 0 "ls glob PATTERN" $MV ls 'golang.org/*,*/google'
check "ls 'golang.org/*,*/google': 2 versions (PT-2 list)" \
    test "$(wc -l <"$MV_TMP/out")" -eq 2
expect_status 0 "stats" $MV stats
check "stats counts 7 versions and 7 modules" \
    sh -c "grep -q '^versions: 7$' '$MV_TMP/out' && grep -q '^modules: 7$' '$MV_TMP/out'"
check "stats reports bytes saved by dedup" \
    grep -q '^bytes saved by dedup: 0$' "$MV_TMP/out"
expect_status 0 "verify on a clean store" $MV verify
check "verify checked 7 versions" \
    grep -q '^verified 7 versions: 0 problems$' "$MV_TMP/out"

# --- verify catches damage ------------------------------------------------
ZIP="$UP/github.com/kr/pty/@v/v1.1.1.zip"
BLOB=$(blob_path "$D" "$ZIP")
chmod u+w "$BLOB"
printf 'X' | dd of="$BLOB" bs=1 seek=200 conv=notrunc 2>/dev/null
[ "$(sha256 "$BLOB")" = "$(sha256 "$ZIP")" ] &&
    printf 'Y' | dd of="$BLOB" bs=1 seek=200 conv=notrunc 2>/dev/null
expect_status 1 "verify fails on a flipped byte in a zip blob" $MV verify
check "verify names the damaged version" \
    grep -q '^github.com/kr/pty@v1.1.1: zip blob: ' "$MV_TMP/out"
cp "$ZIP" "$BLOB"
expect_status 0 "verify passes once the blob is restored" $MV verify

MOD="$UP/github.com/kr/text/@v/v0.1.0.mod"
MBLOB=$(blob_path "$D" "$MOD")
rm -f "$MBLOB"
expect_status 1 "verify fails on a deleted blob" $MV verify
check "verify names the version with the missing blob" \
    grep -q '^github.com/kr/text@v0.1.0: mod blob: .*No such file' "$MV_TMP/out"
cp "$MOD" "$MBLOB"
expect_status 0 "verify passes once the blob is back" $MV verify

# --- import refuses bad versions, storing nothing ------------------------
BAD="$MV_TMP/bad/github.com/kr/pty/@v"
mkdir -p "$BAD"
cp "$UP/github.com/kr/pty/@v/v1.1.1.zip" "$UP/github.com/kr/pty/@v/v1.1.1.info" "$BAD/"
printf 'module github.com/kr/pty\n\ngo 1.12\n' >"$BAD/v1.1.1.mod"
rm -rf "$MV_TMP/store2"
$MODVAULT --config $E --data-dir "$MV_TMP/store2" init >/dev/null
expect_status 1 "import refuses a .mod that is not the synthesized one (MZ-9.1)" \
    $MODVAULT --config $E --data-dir "$MV_TMP/store2" import "$MV_TMP/bad"
check "the refusal names the rule" grep -q 'refused: MZ-9.1' "$MV_TMP/out"
check "a refused import stores no blob" \
    test "$(count_files "$MV_TMP/store2/blobs")" -eq 0

# --- rm and gc ------------------------------------------------------------
expect_status 0 "rm MODULE@VERSION" $MV rm github.com/google/go-cmp@v0.5.9
expect_status 1 "rm of an absent version fails" $MV rm github.com/google/go-cmp@v0.5.9
$MV ls >"$MV_TMP/ls"
check "ls no longer shows the removed version" \
    test "$(wc -l <"$MV_TMP/ls")" -eq 6
expect_status 0 "gc" $MV gc
check "gc removed the 3 unreferenced blobs" \
    grep -q '^removed 3 unreferenced blobs' "$MV_TMP/out"
check "gc reclaimed the space: 18 blobs left" \
    test "$(count_files "$D/blobs")" -eq 18
expect_status 0 "gc --older-than 30 evicts nothing fresh" $MV gc --older-than 30
check "nothing evicted" grep -q '^evicted 0 versions' "$MV_TMP/out"
expect_status 0 "gc --max-bytes 40000" $MV gc --max-bytes 40000
$MV stats >"$MV_TMP/stats"
STORED=$(sed -n 's/^bytes stored: //p' "$MV_TMP/stats")
check "gc --max-bytes left at most 40000 bytes ($STORED)" test "$STORED" -le 40000
check "gc --max-bytes kept some versions" test "$STORED" -gt 0
expect_status 0 "verify after gc" $MV verify

# --- configuration errors: one line naming file, line and key; exit 2 ----
printf 'data_dir = %s\nbogus_key = 1\n' "$D" >"$MV_TMP/unknown.conf"
expect_status 2 "unknown config key exits 2" \
    $MODVAULT --config "$MV_TMP/unknown.conf" ls
check "unknown key: one line naming file:line: key" sh -c \
    "test \$(wc -l <'$MV_TMP/err') -eq 1 && grep -q '^modvault: $MV_TMP/unknown.conf:2: bogus_key: ' '$MV_TMP/err'"
printf '# a comment\nmax_zip_bytes = lots\n' >"$MV_TMP/badvalue.conf"
expect_status 2 "bad config value exits 2" \
    $MODVAULT --config "$MV_TMP/badvalue.conf" ls
check "bad value: one line naming file:line: key" sh -c \
    "test \$(wc -l <'$MV_TMP/err') -eq 1 && grep -q '^modvault: $MV_TMP/badvalue.conf:2: max_zip_bytes: ' '$MV_TMP/err'"
expect_status 2 "missing config file exits 2" \
    $MODVAULT --config "$MV_TMP/nonexistent.conf" ls
check "missing file: one line naming the file" sh -c \
    "test \$(wc -l <'$MV_TMP/err') -eq 1 && grep -q 'nonexistent.conf' '$MV_TMP/err'"
expect_status 2 "MODVAULT_CONFIG is used when --config is absent" \
    env MODVAULT_CONFIG="$MV_TMP/unknown.conf" $MODVAULT ls
printf 'data_dir = store\n' >"$MV_TMP/good.conf"
expect_status 0 "a relative data_dir is relative to the config file" \
    $MODVAULT --config "$MV_TMP/good.conf" ls

# --- usage errors exit 2, --help exits 0 ----------------------------------
expect_status 2 "no command" $MODVAULT
expect_status 2 "unknown command" $MV frobnicate
expect_status 2 "unknown global option" $MODVAULT --frob ls
expect_status 2 "unknown command option" $MV ls --frob
expect_status 2 "rm without operand" $MV rm
expect_status 2 "rm of something that is not MODULE@VERSION" $MV rm nover
expect_status 2 "ls with two patterns" $MV ls a b
expect_status 2 "import without DIR" $MV import
expect_status 2 "gc --max-bytes with a bad number" $MV gc --max-bytes lots
expect_status 2 "gc --older-than without value" $MV gc --older-than
expect_status 0 "modvault --help" $MODVAULT --help
for c in init ls stats verify import rm gc; do
	expect_status 0 "modvault $c --help" $MODVAULT $c --help
	check "$c --help prints its usage" grep -q "^usage: modvault $c" "$MV_TMP/out"
done
expect_status 1 "a command on a missing store fails" \
    $MODVAULT --config $E --data-dir "$MV_TMP/none" ls

# --- two concurrent imports store each version once -----------------------
C="$MV_TMP/concurrent"
$MODVAULT --config $E --data-dir "$C" init >/dev/null
$MODVAULT --config $E --data-dir "$C" import "$UP" >"$MV_TMP/c1" 2>&1 &
P1=$!
$MODVAULT --config $E --data-dir "$C" import "$UP" >"$MV_TMP/c2" 2>&1 &
P2=$!
wait $P1; S1=$?
wait $P2; S2=$?
check "both concurrent imports succeed" test $S1 -eq 0 -a $S2 -eq 0
check "each version reported stored exactly once across both" \
    test "$(cat "$MV_TMP/c1" "$MV_TMP/c2" | grep -c ': stored$')" -eq 7
$MODVAULT --config $E --data-dir "$C" ls >"$MV_TMP/cls"
check "the store holds 7 versions" test "$(wc -l <"$MV_TMP/cls")" -eq 7
check "and 21 blobs" test "$(count_files "$C/blobs")" -eq 21
check "no temporary files left" test "$(count_files "$C/tmp")" -eq 0
expect_status 0 "verify after concurrent imports" \
    $MODVAULT --config $E --data-dir "$C" verify

mv_done
