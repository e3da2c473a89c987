#!/bin/sh
# crash.sh: kill -9 while storing a large blob leaves the store consistent.
#
# Uses the test hook MODVAULT_TEST_CRASH_AT (blob.h): the writer SIGKILLs
# itself at a chosen point of storing a ~8 MiB zip.  After each crash,
# `modvault verify` must pass (no row names a missing or partial blob), the
# version must not be listed, the next store of it must succeed, and the
# dead writer's temporary file must be gone after the next open.
. "$MV_SRCDIR/tests/integration/lib.sh"

need python3
mv_tmpdir
D="$MV_TMP/store"
E="$MV_TMP/empty.conf"
: >"$E"
MV="$MODVAULT --config $E --data-dir $D"
UP="$MV_TMP/up"
V="$UP/example.com/big/@v"
mkdir -p "$V"

# A Go-style module zip with an incompressible 8 MiB file (MZ-5 valid).
python3 - "$V/v1.0.0.zip" <<'PY' || { echo "Bail out! cannot build the zip"; exit 1; }
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
    z.writestr("example.com/big@v1.0.0/go.mod", "module example.com/big\n")
    z.writestr("example.com/big@v1.0.0/big.bin", os.urandom(8 << 20))
PY
printf 'module example.com/big\n' >"$V/v1.0.0.mod"
printf '{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}' >"$V/v1.0.0.info"

expect_status 0 "init" $MV init
for point in mid-write after-write after-fsync after-rename before-commit; do
	MODVAULT_TEST_CRASH_AT=$point $MV import "$UP" >/dev/null 2>&1
	st=$?
	check "writer killed by SIGKILL at $point" test $st -eq 137
	if [ "$point" = mid-write ] || [ "$point" = after-write ] ||
	    [ "$point" = after-fsync ]; then
		check "a temporary file is left after $point" \
		    test "$(count_files "$D/tmp")" -gt 0
	fi
	expect_status 0 "verify passes after a crash at $point" $MV verify
	$MV ls >"$MV_TMP/ls"
	check "the version is not listed after $point" \
	    test "$(wc -l <"$MV_TMP/ls")" -eq 0
	expect_status 0 "storing it again after $point" $MV import "$UP"
	check "it is stored after $point" \
	    grep -q '^example.com/big@v1.0.0: stored$' "$MV_TMP/out"
	check "stray temporary files cleaned after $point" \
	    test "$(count_files "$D/tmp")" -eq 0
	expect_status 0 "verify passes after storing again ($point)" $MV verify
	$MV rm example.com/big@v1.0.0 >/dev/null && $MV gc >/dev/null
	check "rm + gc empties the store after $point" \
	    test "$(count_files "$D/blobs")" -eq 0
done

# A live writer's temporary file survives an open by another process;
# a dead one's, and an old foreign file, do not.
sleep 300 &
LIVE=$!
: >"$D/tmp/blob-$LIVE-abcdef"
: >"$D/tmp/blob-999999999-abcdef"
: >"$D/tmp/stray"
touch -t 200001010000 "$D/tmp/stray"
expect_status 0 "an open with temporary files present" $MV init
check "a live writer's temporary file is kept" test -f "$D/tmp/blob-$LIVE-abcdef"
check "a dead writer's temporary file is removed" \
    test ! -e "$D/tmp/blob-999999999-abcdef"
check "an old stray file is removed" test ! -e "$D/tmp/stray"
kill $LIVE
wait $LIVE 2>/dev/null
expect_status 0 "an open after the writer died" $MV init
check "its temporary file is now removed" test ! -e "$D/tmp/blob-$LIVE-abcdef"

mv_done
