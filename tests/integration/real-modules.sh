#!/bin/sh
# real-modules.sh: the extra stage on real modules (a static GOPROXY tree
# of published modules with their go.sum lines from the public checksum
# database, in the layout of the generated set), when they are present in
# $MV_REAL_FIXTURES (by default ../shared/fixtures beside the source tree).
# Without them the stage says so and is skipped: the rest of the suite
# needs nothing outside the repository.
#
# With them: the hash and zip oracles of the unit tests over every real
# zip and .mod; an import that verifies; the real go command downloading,
# verifying and building them through lighttpd, from the store and then
# filling an empty store from an upstream; and every fetch verified
# against an independent checksum database serving their go.sum.
. "$MV_SRCDIR/tests/integration/lib.sh"
real=${MV_REAL_FIXTURES:-$MV_SRCDIR/../shared/fixtures}
if [ ! -d "$real/upstream" ] || [ ! -f "$real/go.sum" ]; then
	# Not a missing tool: absent data is a plain skip, even in CI.
	echo "1..0 # SKIP real modules absent: no $real/upstream (this stage runs where they are)"
	exit 77
fi
need go python3 lighttpd curl
mv_tmpdir
echo "# real modules from $real"
n=$(awk '$2 !~ /\/go\.mod$/' "$real/go.sum" | wc -l | tr -d ' ')

# The unit tests' oracles (hashes from go.sum, never from modvault).
for t in test_hash test_zip; do
	MV_FIXTURES=$real "$MV_BUILDDIR/tests/unit/$t" >"$MV_TMP/$t.out" 2>&1
	check "$t over the real modules" test $? -eq 0 ||
	    tail -20 "$MV_TMP/$t.out" | sed 's/^/# /'
done

# From the store: import, verify, serve.
printf 'log_level = info\n' | write_config "$MV_TMP/store.conf" "$MV_TMP/store"
"$MODVAULT" --config "$MV_TMP/store.conf" init >/dev/null
expect_status 0 "import of the real modules" \
    "$MODVAULT" --config "$MV_TMP/store.conf" import "$real/upstream"
check "... stores all $n" grep -qx "$n versions: $n stored, 0 already present, 0 refused" "$MV_TMP/out"
expect_status 0 "verify" "$MODVAULT" --config "$MV_TMP/store.conf" verify
start_lighttpd "$MV_TMP/store.conf" "$MV_TMP/store" || fail "lighttpd starts"
check "the go command verifies and builds them from the store" \
    sh -c "sh '$MV_SRCDIR/tests/run-client.sh' '$url' '$real' > '$MV_TMP/client1.log' 2>&1" ||
    tail -20 "$MV_TMP/client1.log" | sed 's/^/# /'
stop_lighttpd

# Filled on demand from an upstream, each fetch verified against a
# checksum database (tests/sumdb-server) serving the real go.sum.
GO111MODULE=off GOPATH="${MV_GOPATH:-/usr/share/gocode}" GOCACHE="$MV_TMP/gocache" \
    go build -o "$MV_TMP/sumdb-server" "$MV_SRCDIR/tests/sumdb-server/main.go" ||
    { echo "Bail out! cannot build tests/sumdb-server"; exit 1; }
"$MV_TMP/sumdb-server" -gosum "$real/go.sum" -seed modvault \
    -portfile "$MV_TMP/sdb.port" -vkeyfile "$MV_TMP/sdb.key" \
    -log "$MV_TMP/sdb.log" 2>"$MV_TMP/sdb.err" &
sdbpid=$!
mv_at_exit "kill $sdbpid 2>/dev/null"
wait_file "$MV_TMP/sdb.port" && wait_file "$MV_TMP/sdb.key" ||
    { echo "Bail out! sumdb-server did not start"; exit 1; }
start_upstream "$real/upstream" || { echo "Bail out! no upstream"; exit 1; }
printf 'upstream = %s\nsumdb = %s http://127.0.0.1:%s\n' "$UP_URL" \
    "$(cat "$MV_TMP/sdb.key")" "$(cat "$MV_TMP/sdb.port")" |
    write_config "$MV_TMP/fill.conf" "$MV_TMP/fill"
"$MODVAULT" --config "$MV_TMP/fill.conf" init >/dev/null
start_lighttpd "$MV_TMP/fill.conf" "$MV_TMP/fill" || fail "lighttpd starts"
check "the go command gets them through a cold cache" \
    sh -c "sh '$MV_SRCDIR/tests/run-client.sh' '$url' '$real' > '$MV_TMP/client2.log' 2>&1" ||
    tail -20 "$MV_TMP/client2.log" | sed 's/^/# /'
check "each zip crossed from upstream once" \
    test "$(grep -c '\.zip 200$' "$UP_LOG")" -eq "$n"
expect_status 0 "verify --sumdb re-checks every fetch offline" \
    "$MODVAULT" --config "$MV_TMP/fill.conf" verify --sumdb
check "... all $n" grep -q "^verified $n versions: 0 problems" "$MV_TMP/out"
mv_done
