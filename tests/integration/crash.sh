#!/bin/sh
# crash.sh: kill -9 while storing a large blob, or a batch of versions,
# leaves the store consistent.
#
# Uses the test build of the CLI, tests/modvault-crash, whose crash points
# (tests/common/crash_hook.c) SIGKILL the writer at the point named by
# MODVAULT_TEST_CRASH_AT while it stores the fixtures' big version (a
# 5 MiB zip).  After each crash, `modvault verify` must pass (no row names
# a missing or partial blob), the version must not be listed, and the next
# store of it must succeed.  The dead writer's staged files stay until
# `modvault gc` (or a FastCGI start-up) finds them unlocked and older than
# the grace period (MV_STAGE_GRACE_SECONDS, 60 s): the test backdates them.
. "$MV_SRCDIR/tests/integration/lib.sh"

need python3 flock
[ -x "$MODVAULT_CRASH" ] ||
    { echo "Bail out! no $MODVAULT_CRASH (make tests/modvault-crash)"; exit 1; }
mv_tmpdir
D="$MV_TMP/store"
E="$MV_TMP/empty.conf"
: >"$E"
MV="$MODVAULT --config $E --data-dir $D"
CRASH="$MODVAULT_CRASH --config $E --data-dir $D"
BIG_M=$(fx_mod big)
BIG_V=$(fx_ver big)
BIG_ZIP=$(fx_file "$BIG_M" "$BIG_V" zip)
BIG_SIZE=$(wc -c <"$BIG_ZIP" | tr -d ' ')
# More bytes than its .info or .mod: a staged file this big is the zip.
ZIPPISH=$(cat "$(fx_file "$BIG_M" "$BIG_V" info)" \
    "$(fx_file "$BIG_M" "$BIG_V" mod)" | wc -c | tr -d ' ')
# An upstream tree holding only the big version.
UP="$MV_TMP/up"
mkdir -p "$UP/$(fx_escape "$BIG_M")"
cp -R "$MV_FIXTURES/upstream/$(fx_escape "$BIG_M")/." "$UP/$(fx_escape "$BIG_M")/"

# nstaged: the number of staged files in the store.
nstaged() { staged "$D" | wc -l | tr -d ' '; }
# staged_between MIN MAX: a staged file holds MIN to MAX bytes.
staged_between() {
	staged "$D" | awk -v a="$1" -v b="$2" \
	    '$1 >= a && $1 <= b { n++ } END { exit !n }'
}

expect_status 0 "init" $MV init
check "the big fixture is over 4 MiB ($BIG_SIZE bytes)" \
    [ "$BIG_SIZE" -gt 4194304 ]
for point in mid-write after-write after-fsync after-rename before-commit; do
	MODVAULT_TEST_CRASH_AT=$point $CRASH import "$UP" >/dev/null 2>&1
	st=$?
	check "writer killed by SIGKILL at $point" test $st -eq 137
	left=$(nstaged)
	case $point in
	mid-write)
		check "a partial staged zip is left after $point" \
		    staged_between $((ZIPPISH + 1)) $((BIG_SIZE - 1))
		;;
	after-write | after-fsync)
		check "a staged file of the whole zip is left after $point" \
		    staged_between "$BIG_SIZE" "$BIG_SIZE"
		;;
	esac
	expect_status 0 "verify passes after a crash at $point" $MV verify
	$MV ls >"$MV_TMP/ls"
	check "the version is not listed after $point" \
	    test "$(wc -l <"$MV_TMP/ls")" -eq 0
	expect_status 0 "storing it again after $point" $MV import "$UP"
	check "it is stored after $point" \
	    grep -qx "stored $BIG_M@$BIG_V" "$MV_TMP/out"
	expect_status 0 "verify passes after storing again ($point)" $MV verify
	if [ "$left" -gt 0 ]; then
		check "the dead writer's $left staged files outlive the next import ($point)" \
		    test "$(nstaged)" -eq "$left"
		expect_status 0 "gc within the grace period ($point)" $MV gc
		check "gc keeps staged files younger than the grace period ($point)" \
		    test "$(nstaged)" -eq "$left"
		touch -d @1000 "$D"/tmp/stage-*
	fi
	expect_status 0 "gc once the leftovers are old ($point)" $MV gc
	check "gc removed the dead writer's $left staged files ($point)" \
	    grep -q "^removed 0 unreferenced blobs (0 bytes) and $left stray staged files\$" \
	    "$MV_TMP/out"
	check "no staged file left after gc ($point)" test "$(nstaged)" -eq 0
	$MV rm "$BIG_M@$BIG_V" >/dev/null && $MV gc >"$MV_TMP/gc"
	check "rm + gc empties the store after $point" \
	    test "$(count_files "$D/blobs")" -eq 0
	check "rm + gc reports the 3 blobs and the manifest it removed ($point)" \
	    grep -q '^removed 4 unreferenced blobs' "$MV_TMP/gc"
done

# A batched import (ingest_batch.h): all the fixture tree's versions are
# staged and validated, their blobs made durable together, their rows
# committed in one transaction.  Killed at each step of that path (the
# first two while the batch is being staged, the big zip partly written
# with four versions staged before it), the store lists none of them and
# verify passes; blobs made durable before the commit are unreferenced,
# gc's to remove; the same import run again stores them all.
NV=$(fx_versions)
B="$MV_TMP/batch"
MVB="$MODVAULT --config $E --data-dir $B"
for point in batch-staged mid-write after-write after-fsync after-rename \
    batch-durable before-commit; do
	rm -rf "$B"
	$MVB init >/dev/null
	MODVAULT_TEST_CRASH_AT=$point $MODVAULT_CRASH --config "$E" \
	    --data-dir "$B" import "$MV_FIXTURES/upstream" >/dev/null 2>&1
	st=$?
	check "batched import of $NV versions killed by SIGKILL at $point" \
	    test $st -eq 137
	case $point in
	after-rename | batch-durable | before-commit)
		check "the batch's blobs are in the store after $point" \
		    test "$(count_files "$B/blobs")" -gt "$NV"
		;;
	*)
		check "no blob is in the store after $point" \
		    test "$(count_files "$B/blobs")" -eq 0
		;;
	esac
	expect_status 0 "verify passes after a batch crash at $point" $MVB verify
	$MVB ls >"$MV_TMP/ls"
	check "no version of the batch is listed after $point" \
	    test "$(wc -l <"$MV_TMP/ls")" -eq 0
	expect_status 0 "the batched import again after $point" \
	    $MVB import "$MV_FIXTURES/upstream"
	check "it stores all $NV versions after $point" grep -qx \
	    "$NV versions: $NV stored, 0 already present, 0 refused" \
	    "$MV_TMP/out"
	$MVB ls >"$MV_TMP/ls"
	check "all $NV versions are listed after $point" \
	    test "$(wc -l <"$MV_TMP/ls")" -eq "$NV"
	expect_status 0 "verify passes after the batch is stored ($point)" \
	    $MVB verify
	check "verify checked all $NV versions ($point)" grep -qx \
	    "verified $NV versions: 0 problems" "$MV_TMP/out"
done

# Each waiting version holds four staged files open (locked): under a low
# limit of open files, batches are smaller, nothing is refused for it.
rm -rf "$B"
$MVB init >/dev/null
expect_status 0 "a batched import under ulimit -n 60" \
    sh -c "ulimit -n 60 && exec $MVB import '$MV_FIXTURES/upstream'"
check "it stores all $NV versions under ulimit -n 60" grep -qx \
    "$NV versions: $NV stored, 0 already present, 0 refused" "$MV_TMP/out"

# Who may remove a staged file: a live writer holds an exclusive flock on
# its own; a dead writer's lock died with it; the grace period covers the
# instant between creating a file and locking it.
T=$D/tmp
: >"$T/stage-live00"
: >"$T/stage-dead00"
: >"$T/stage-young0"
: >"$T/claim-0123456789abcdef"
sh -c 'exec 9<"$1" && flock -x 9 && exec sleep 300' sh "$T/stage-live00" &
LIVE=$!
mv_at_exit "kill $LIVE 2>/dev/null"
check "the live writer holds its lock" \
    wait_for 10 sh -c "! flock -n '$T/stage-live00' true"
touch -d @1000 "$T/stage-live00" "$T/stage-dead00" "$T/claim-0123456789abcdef"
expect_status 0 "ls on a store with staged files" $MV ls
expect_status 0 "verify on a store with staged files" $MV verify
check "opening the store removes nothing (only gc and FastCGI start-up do)" \
    test -e "$T/stage-dead00" -a -e "$T/claim-0123456789abcdef"
expect_status 0 "gc with staged files present" $MV gc
check "gc counts the 2 stray files it removed" \
    grep -q '^removed 0 unreferenced blobs (0 bytes) and 2 stray staged files$' \
    "$MV_TMP/out"
check "a live writer's staged file is kept" test -f "$T/stage-live00"
check "a dead writer's old staged file is removed" test ! -e "$T/stage-dead00"
check "an old claim nobody holds is removed" \
    test ! -e "$T/claim-0123456789abcdef"
check "a young staged file nobody holds is kept (grace period)" \
    test -f "$T/stage-young0"
kill $LIVE
wait $LIVE 2>/dev/null
expect_status 0 "gc after the writer died" $MV gc
check "its staged file is now removed" test ! -e "$T/stage-live00"
check "the young file is still kept" test -f "$T/stage-young0"

# A FastCGI process cleans the staging area when it starts.
printf 'data_dir = %s\nlog_level = info\n' "$D" >"$MV_TMP/fcgi.conf"
touch -d @1000 "$T/stage-young0"
: >"$T/stage-fresh0"
start_fcgi "$MV_TMP/fcgi.conf"
check "FastCGI start-up logs what it removed" \
    wait_log 'removed 1 files left in the staging area' "$MV_TMP/fcgi.err"
check "FastCGI start-up removed the old staged file" test ! -e "$T/stage-young0"
check "FastCGI start-up kept the fresh one" test -f "$T/stage-fresh0"
stop_fcgi
expect_status 0 "verify at the end" $MV verify

mv_done
