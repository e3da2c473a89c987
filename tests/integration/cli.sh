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

# What the fixtures hold: every count below comes from them.
NV=$(fx_versions)
NM=$(fx_modules)
NB=$(fx_blobs)
fx_sums >"$MV_TMP/sums"
# Bytes of every file, and of every distinct file (what the store keeps).
ALL_BYTES=$(awk '{ n += $2 } END { print n }' "$MV_TMP/sums")
STORE_BYTES=$(sort -u "$MV_TMP/sums" | awk '{ n += $2 } END { print n }')
check "the fixtures share some files (so dedup is tested): $NB blobs for $NV versions" \
    [ "$NB" -lt $((3 * NV)) ]

# --- init, import, ls, stats, verify -------------------------------------
expect_status 0 "init creates a store" $MV init
check "init made index.db and blobs/" test -f "$D/index.db" -a -d "$D/blobs"
expect_status 0 "init is idempotent" $MV init
expect_status 0 "import of the fixture tree" $MV import "$UP"
check "import stored $NV versions (GP-11.1 validation passed)" \
    test "$(grep -c '^stored ' "$MV_TMP/out")" -eq "$NV"
check "import: one line per version, then the totals" sh -c "
	[ \$(wc -l <'$MV_TMP/out') -eq $((NV + 1)) ] &&
	tail -n 1 '$MV_TMP/out' | grep -qx '$NV versions: $NV stored, 0 already present, 0 refused'"
CASE_M=$(fx_mod case)
check "upper-case path unescaped (GP-2.2)" \
    grep -qxF "stored $CASE_M@$(fx_ver case)" "$MV_TMP/out"
check "the case-encoded path is not taken for the module" \
    sh -c "! grep -qF '!' '$MV_TMP/out'"
expect_status 0 "import again" $MV import "$UP"
check "import again: $NV already present" \
    test "$(grep -c '^already present ' "$MV_TMP/out")" -eq "$NV"
check "import again: the totals" \
    grep -qx "$NV versions: 0 stored, $NV already present, 0 refused" "$MV_TMP/out"
check "identical bytes stored once: $NB blobs, and a manifest a version" \
    test "$(count_files "$D/blobs")" -eq $((NB + NV))
check "... $NV manifests" test "$(manifests "$D" | wc -l)" -eq "$NV"

# A Go module download cache has the same layout under cache/download.
mkdir -p "$MV_TMP/gomodcache/cache"
cp -R "$UP" "$MV_TMP/gomodcache/cache/download"
expect_status 0 "import of a GOMODCACHE layout" \
    $MV import "$MV_TMP/gomodcache/cache/download"
check "GOMODCACHE import: all already present" \
    test "$(grep -c '^already present ' "$MV_TMP/out")" -eq "$NV"

expect_status 0 "ls" $MV ls
check "ls lists $NV versions" test "$(wc -l <"$MV_TMP/out")" -eq "$NV"
awk '{ print $1 "@" $2 }' "$MV_FIXTURES/modules.txt" | sort >"$MV_TMP/want"
check "ls lists exactly the fixture versions" \
    sh -c "cut -f1 '$MV_TMP/out' | sort | cmp -s - '$MV_TMP/want'"
B_M=$(fx_mod basic)
B_V=$(fx_ver basic)
B_TIME=$(sed -n 's/.*"Time": *"\([^"]*\)".*/\1/p' "$(fx_file "$B_M" "$B_V" info)")
check "ls shows zip size and .info time" grep -qx \
    "$B_M@$B_V	$(wc -c <"$(fx_file "$B_M" "$B_V" zip)" | tr -d ' ')	$B_TIME" \
    "$MV_TMP/out"
# PT-3: a pattern matches a path prefix, whole elements only.
CHAIN=$(dirname "$(fx_mod chain)")
awk -v p="$CHAIN" '$1 == p || index($1, p "/") == 1 { print $1 "@" $2 }' \
    "$MV_FIXTURES/modules.txt" | sort >"$MV_TMP/want"
expect_status 0 "ls PATTERN" $MV ls "$CHAIN"
check "ls $CHAIN: the $(wc -l <"$MV_TMP/want" | tr -d ' ') versions under it (PT-3 prefix match)" \
    sh -c "[ -s '$MV_TMP/want' ] && cut -f1 '$MV_TMP/out' | sort | cmp -s - '$MV_TMP/want'"
NESTED=$(fx_mod nested-parent)
expect_status 0 "ls of a string prefix that is not a path prefix" \
    $MV ls "${NESTED%?}"
check "ls ${NESTED%?}: nothing (PT-3: whole elements)" test ! -s "$MV_TMP/out"
# PT-2: a comma-separated list of globs, each matching whole elements.
MAJOR=$(fx_mod major-root)
PAT="$(dirname "$NESTED")/n*,*/${MAJOR##*/}"
awk -v m="${MAJOR##*/}" '{ split($1, e, "/") }
    e[2] ~ /^n/ || e[2] == m { print $1 "@" $2 }' \
    "$MV_FIXTURES/modules.txt" | sort >"$MV_TMP/want"
expect_status 0 "ls glob PATTERN" $MV ls "$PAT"
check "ls '$PAT': the $(wc -l <"$MV_TMP/want" | tr -d ' ') versions it names (PT-2 list)" \
    sh -c "[ -s '$MV_TMP/want' ] && cut -f1 '$MV_TMP/out' | sort | cmp -s - '$MV_TMP/want'"
expect_status 0 "stats" $MV stats
check "stats counts $NV versions and $NM modules" \
    sh -c "grep -qx 'versions: $NV' '$MV_TMP/out' && grep -qx 'modules: $NM' '$MV_TMP/out'"
check "stats counts $NB blobs holding $STORE_BYTES bytes" \
    sh -c "grep -qx 'blobs: $NB' '$MV_TMP/out' && grep -qx 'bytes stored: $STORE_BYTES' '$MV_TMP/out'"
check "stats reports the bytes saved by dedup ($((ALL_BYTES - STORE_BYTES)))" \
    grep -qx "bytes saved by dedup: $((ALL_BYTES - STORE_BYTES))" "$MV_TMP/out"
check "stats counts the $NV manifests apart" grep -qx "manifests: $NV ($(manifests "$D" |
    awk '{ n += $1 } END { print n }') bytes)" "$MV_TMP/out"
expect_status 0 "verify on a clean store" $MV verify
check "verify checked $NV versions" \
    grep -qx "verified $NV versions: 0 problems" "$MV_TMP/out"

# --- verify catches damage ------------------------------------------------
L_M=$(fx_mod license)
L_V=$(fx_ver license)
ZIP=$(fx_file "$L_M" "$L_V" zip)
BLOB=$(blob_path "$D" "$ZIP")
chmod u+w "$BLOB"
printf 'X' | dd of="$BLOB" bs=1 seek=200 conv=notrunc 2>/dev/null
[ "$(sha256 "$BLOB")" = "$(sha256 "$ZIP")" ] &&
    printf 'Y' | dd of="$BLOB" bs=1 seek=200 conv=notrunc 2>/dev/null
expect_status 1 "verify --dry-run reports a flipped byte in a zip blob" \
    $MV verify --dry-run
check "... naming the version" grep -q "^$L_M@$L_V: zip blob: " "$MV_TMP/out"
check "... and leaves the damaged blob in place" test -f "$BLOB"
expect_status 1 "verify fails on a flipped byte in a zip blob" $MV verify
check "verify names the damaged version" \
    grep -q "^$L_M@$L_V: zip blob: " "$MV_TMP/out"
check "verify counts one problem" \
    grep -qx "verified $NV versions: 1 problems" "$MV_TMP/out"
check "verify drops the version, to be fetched again" \
    grep -q "^repaired: 1 versions dropped to be fetched again" "$MV_TMP/out"
check "... moving the damaged blob to quarantine/" sh -c \
    "test ! -e '$BLOB' && ls '$D'/quarantine/$(sha256 "$ZIP").* >/dev/null"
expect_status 0 "verify passes on what is left" $MV verify
check "... with one version less" grep -qx "verified $((NV - 1)) versions: 0 problems" "$MV_TMP/out"
expect_status 0 "import brings the version back" $MV import "$UP"
check "... stored again" grep -qx "stored $L_M@$L_V" "$MV_TMP/out"
expect_status 0 "verify passes once it is back" $MV verify

# A .mod no other version shares.
C_M=$(fx_mod chain)
C_V=$(fx_ver chain)
MOD=$(fx_file "$C_M" "$C_V" mod)
check "the chosen .mod is unique among the fixtures" \
    test "$(grep -c "^$(sha256 "$MOD") " "$MV_TMP/sums")" -eq 1
MBLOB=$(blob_path "$D" "$MOD")
rm -f "$MBLOB"
expect_status 1 "verify fails on a deleted blob" $MV verify
check "verify names the version with the missing blob" \
    grep -q "^$C_M@$C_V: mod blob: .*No such file" "$MV_TMP/out"
check "... and drops it" sh -c "! $MV ls | grep -q '^$C_M@$C_V'"
expect_status 0 "import brings it back" $MV import "$UP"
expect_status 0 "verify passes once the blob is back" $MV verify
# A blob written with another mode is set right (0444: the web server
# reads it as another user).
chmod 0600 "$MBLOB"
expect_status 0 "verify sets a blob's mode right" $MV verify
check "... saying so" grep -q "^$C_M@$C_V: mod blob: mode was not 0444" "$MV_TMP/out"
check "... and the mode is 0444" test "$(stat -c %a "$MBLOB")" = 444

# --- import refuses bad versions, storing nothing ------------------------
N_M=$(fx_mod nogomod)
N_V=$(fx_ver nogomod)
BAD="$MV_TMP/bad/$(fx_escape "$N_M")/@v"
mkdir -p "$BAD"
cp "$(fx_file "$N_M" "$N_V" zip)" "$(fx_file "$N_M" "$N_V" info)" "$BAD/"
printf 'module %s\n\ngo 1.12\n' "$N_M" >"$BAD/$N_V.mod"
rm -rf "$MV_TMP/store2"
$MODVAULT --config $E --data-dir "$MV_TMP/store2" init >/dev/null
expect_status 1 "import refuses a .mod that is not the synthesized one (MZ-9.1)" \
    $MODVAULT --config $E --data-dir "$MV_TMP/store2" import "$MV_TMP/bad"
check "the refusal is one line naming the version and the rule" \
    grep -q "^refused $N_M@$N_V: MZ-9\.1" "$MV_TMP/out"
check "the refusal says \"refused\" once" \
    sh -c "! grep -q 'refused.*refused' '$MV_TMP/out'"
check "import: the totals count the refusal" \
    grep -qx '1 versions: 0 stored, 0 already present, 1 refused' "$MV_TMP/out"
check "a refused import stores no blob" \
    test "$(count_files "$MV_TMP/store2/blobs")" -eq 0
check "a refused import leaves no staged file" \
    test -z "$(staged "$MV_TMP/store2")"

# --- rm and gc ------------------------------------------------------------
# The license version's files: those no other version shares go at gc.
RM_N=0
RM_BYTES=0
for x in info mod zip; do
	f=$(fx_file "$L_M" "$L_V" $x)
	if [ "$(grep -c "^$(sha256 "$f") " "$MV_TMP/sums")" -eq 1 ]; then
		RM_N=$((RM_N + 1))
		RM_BYTES=$((RM_BYTES + $(wc -c <"$f")))
	fi
done
expect_status 0 "rm MODULE@VERSION" $MV rm "$L_M@$L_V"
expect_status 1 "rm of an absent version fails" $MV rm "$L_M@$L_V"
$MV ls >"$MV_TMP/ls"
check "ls no longer shows the removed version" \
    sh -c "[ \$(wc -l <'$MV_TMP/ls') -eq $((NV - 1)) ] && ! grep -q '^$L_M@$L_V	' '$MV_TMP/ls'"
# Manifests go too: the removed version's, and those of versions verify
# dropped above and import stored again (a new manifest each time).
manifests "$D" | awk '{ n++; b += $1 } END { print n, b }' >"$MV_TMP/man0"
expect_status 0 "gc" $MV gc
manifests "$D" | awk '{ n++; b += $1 } END { print n, b }' >"$MV_TMP/man1"
read -r MAN0_N MAN0_B <"$MV_TMP/man0"
read -r MAN1_N MAN1_B <"$MV_TMP/man1"
check "gc kept one manifest a stored version ($MAN1_N)" test "$MAN1_N" -eq $((NV - 1))
check "gc removed the $RM_N unreferenced blobs ($RM_BYTES bytes) and $((MAN0_N - MAN1_N)) manifests" \
    grep -qx "removed $((RM_N + MAN0_N - MAN1_N)) unreferenced blobs ($((RM_BYTES + MAN0_B - MAN1_B)) bytes) and 0 stray staged files" \
    "$MV_TMP/out"
check "gc: nothing to evict" \
    grep -qx "evicted 0 versions (0 bytes); blobs now hold $((STORE_BYTES - RM_BYTES + MAN1_B)) bytes" \
    "$MV_TMP/out"
check "gc reclaimed the space: $((NB - RM_N)) blobs and $MAN1_N manifests left" \
    test "$(count_files "$D/blobs")" -eq $((NB - RM_N + MAN1_N))
expect_status 0 "gc --older-than 30 evicts nothing fresh" $MV gc --older-than 30
check "nothing evicted" grep -q '^evicted 0 versions' "$MV_TMP/out"
# Half of what is stored: the big version alone is more than that.
LIMIT=$(((STORE_BYTES - RM_BYTES) / 2))
expect_status 0 "gc --max-bytes $LIMIT" $MV gc --max-bytes $LIMIT
cp "$MV_TMP/out" "$MV_TMP/gc"
$MV stats >"$MV_TMP/stats"
STORED=$(sed -n 's/^bytes stored: //p' "$MV_TMP/stats")
check "gc --max-bytes left at most $LIMIT bytes ($STORED)" test "$STORED" -le $LIMIT
check "gc --max-bytes kept some versions" test "$STORED" -gt 0
NEV=$(grep -c '^evicted [^ ]*@' "$MV_TMP/gc")
check "gc --max-bytes: one line per evicted version ($NEV), then the totals" \
    sh -c "[ $NEV -gt 0 ] && tail -n 1 '$MV_TMP/gc' | grep -q '^evicted $NEV versions ([0-9]* bytes); blobs now hold $((STORED + $(manifests "$D" | awk '{ n += $1 } END { print n + 0 }'))) bytes\$'"
check "gc --max-bytes evicted the big version" \
    grep -q "^evicted $(fx_mod big)@$(fx_ver big) " "$MV_TMP/gc"
$MV ls >"$MV_TMP/ls"
check "ls lists what gc kept" \
    test "$(wc -l <"$MV_TMP/ls")" -eq $((NV - 1 - NEV))
expect_status 0 "verify after gc" $MV verify

# --- an old store is upgraded by init only --------------------------------
old_store "$MV_TMP/old"
expect_status 1 "ls on a store whose schema is old fails" \
    $MODVAULT --config $E --data-dir "$MV_TMP/old" ls
check "and says to run modvault init" \
    grep -q "store needs upgrading: .*run 'modvault init'" "$MV_TMP/err"
expect_status 1 "import into an old store fails too" \
    $MODVAULT --config $E --data-dir "$MV_TMP/old" import "$UP"
check "the failed import stored nothing" \
    test "$(count_files "$MV_TMP/old/blobs")" -eq 0
expect_status 0 "init upgrades an old store" \
    $MODVAULT --config $E --data-dir "$MV_TMP/old" init
expect_status 0 "the upgraded store takes an import" \
    $MODVAULT --config $E --data-dir "$MV_TMP/old" import "$UP"
check "and holds every version" \
    test "$(grep -c '^stored ' "$MV_TMP/out")" -eq "$NV"

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
printf 'data_dir = %s\nupstream = http://127.0.0.1:1,direct\nvcs_rewrite = https://a/\n' "$D" >"$MV_TMP/direct.conf"
expect_status 2 "a vcs_rewrite without its TO is a configuration error" \
    $MODVAULT --config "$MV_TMP/direct.conf" ls
check "vcs_rewrite: one line naming file:line: key and what it must be" sh -c \
    "test \$(wc -l <'$MV_TMP/err') -eq 1 && grep -q '^modvault: $MV_TMP/direct.conf:3: vcs_rewrite: must be two URL prefixes: FROM TO' '$MV_TMP/err'"
printf 'data_dir = %s\nupstream = http://127.0.0.1:1,direct\n' "$D" >"$MV_TMP/direct.conf"
expect_status 0 "upstream = ...,direct is accepted" \
    $MODVAULT --config "$MV_TMP/direct.conf" ls
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
VERSION=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$MV_BUILDDIR/config.h")
expect_status 0 "modvault --version" $MODVAULT --version
check "--version prints \"modvault $VERSION\"" \
    sh -c "[ -n '$VERSION' ] && [ \"\$(cat '$MV_TMP/out')\" = 'modvault $VERSION' ]"
expect_status 0 "modvault.fcgi --version" $MODVAULT_FCGI --version
check "modvault.fcgi --version prints \"modvault.fcgi $VERSION\"" \
    sh -c "[ \"\$(cat '$MV_TMP/out')\" = 'modvault.fcgi $VERSION' ]"
for c in init ls stats verify import fetch rm gc; do
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
check "each version reported stored exactly once across both" sh -c "
	cat '$MV_TMP/c1' '$MV_TMP/c2' | sed -n 's/^stored //p' | sort >'$MV_TMP/cst' &&
	awk '{ print \$1 \"@\" \$2 }' '$MV_FIXTURES/modules.txt' | sort | cmp -s - '$MV_TMP/cst'"
check "the rest reported already present" \
    test "$(cat "$MV_TMP/c1" "$MV_TMP/c2" | grep -c '^already present ')" -eq "$NV"
$MODVAULT --config $E --data-dir "$C" ls >"$MV_TMP/cls"
check "the store holds $NV versions" test "$(wc -l <"$MV_TMP/cls")" -eq "$NV"
check "and $NB blobs and $NV manifests" \
    test "$(count_files "$C/blobs")" -eq $((NB + NV))
check "no staged or claim files left" test "$(count_files "$C/tmp")" -eq 0
expect_status 0 "verify after concurrent imports" \
    $MODVAULT --config $E --data-dir "$C" verify

mv_done
