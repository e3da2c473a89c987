#!/bin/sh
# soak.sh: one FastCGI process answers 100,000 requests (hits of every
# kind, HEAD, Range, conditional, not-found, bad paths) and hundreds of
# misses (a version fetched from the upstream, validated and stored; a
# version the upstream does not have) behind lighttpd, and keeps a flat
# resident size and the same open file descriptors: no leak of memory,
# blob readers, transfers or index handles per request.  A test, not a
# timing: only sizes and counts are compared.  The sanitizer build runs it
# with a tenth of the requests, where any ASan or UBSan report aborts the
# process (and fails the test); there the resident size is not compared,
# since ASan holds freed memory in its quarantine on purpose.
. "$MV_SRCDIR/tests/integration/lib.sh"
need lighttpd ab curl ldd
mv_tmpdir
if sanitized; then
	SANITIZED=1 HITS0=100 HITS=1000 MISSES0=10 MISSES=50
else
	SANITIZED= HITS0=1000 HITS=10000 MISSES0=20 MISSES=300
fi
start_upstream "$MV_FIXTURES/upstream" || { echo "Bail out! no upstream"; exit 1; }
cfg=$MV_TMP/modvault.conf
printf 'log_level = error\nupstream = %s\nlist_ttl = 3600\n' "$UP_URL" |
    write_config "$cfg" "$MV_TMP/data"
"$MODVAULT" --config "$cfg" init >/dev/null &&
"$MODVAULT" --config "$cfg" import "$MV_FIXTURES/upstream" \
    >/dev/null || { echo "Bail out! import failed"; exit 1; }
start_lighttpd "$MV_TMP/modvault.conf" "$MV_TMP/data" ||
    { echo "Bail out! lighttpd did not start"; exit 1; }
# One responder process, so every request goes through the one measured.
sed -i 's/"m\(in\|ax\)-procs" *=> [0-9]*/"m\1-procs" => 1/' \
    "$MV_TMP/run/lighttpd.conf"
stop_lighttpd
lighttpd -D -f "$MV_TMP/run/lighttpd.conf" &
LIGHTTPD_PID=$!
mv_at_exit "kill $LIGHTTPD_PID 2>/dev/null"
wait_http "$url/healthz" || { echo "Bail out! lighttpd did not restart"; exit 1; }

b=/modvault.test/basic/@v
tag=$(curl -sI "$url$b/v1.0.0.mod" | sed -n 's/^ETag: //Ip' | tr -d '\r')
# load N [AB OPTIONS] PATH: N requests at 4 concurrent, kept alive.
load() {
	mv_n=$1
	shift
	mv_p=$(eval echo "\${$#}")
	ab -q -k -n "$mv_n" -c 4 "$@" >"$MV_TMP/ab.out" 2>&1 ||
	    { echo "# ab failed on $mv_p"; tail -5 "$MV_TMP/ab.out" | sed 's/^/# /'; return 1; }
	grep -q '^Failed requests: *0$' "$MV_TMP/ab.out" ||
	    { echo "# failed requests on $mv_p"; grep '^Failed' "$MV_TMP/ab.out"; return 1; }
}
L_M=$(fx_mod license)
L_V=$(fx_ver license)
L_URL=$url/$(fx_escape "$L_M")/@v/$(fx_escape "$L_V").zip
nmiss=0
# misses N: N times, a version removed from the store then asked for (the
# whole fill: transfers, zip check, blobs, row), and a version no upstream
# has (a new one each time, so none is answered from the negative cache).
misses() {
	mv_i=0
	while [ $mv_i -lt "$1" ]; do
		nmiss=$((nmiss + 1))
		"$MODVAULT" --config "$cfg" rm "$L_M@$L_V" >/dev/null &&
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$L_URL")" = 200 ] &&
		[ "$(curl -s -o /dev/null -w '%{http_code}' \
		    "$url$b/v9.$nmiss.0.info")" = 404 ] ||
		    { echo "# miss $nmiss failed"; return 1; }
		mv_i=$((mv_i + 1))
	done
}
# round N: N requests of each of ten kinds.
round() {
	load "$1" "$url$b/v1.0.0.info" &&
	load "$1" "$url$b/v1.1.0.mod" &&
	load "$1" "$url$b/list" &&
	load "$1" "$url$b/v1.0.0.zip" &&
	load "$1" -i "$url/modvault.test/big/@v/v1.0.0.zip" &&
	load "$1" -H "Range: bytes=100-199" "$url/modvault.test/big/@v/v1.0.0.zip" &&
	load "$1" -H "If-None-Match: $tag" "$url$b/v1.0.0.mod" &&
	load "$1" "$url/modvault.test/basic/@latest" &&
	load "$1" "$url$b/v9.9.9.info" &&
	load "$1" "$url/modvault.test/../x/@v/list"
}
pid=$(pgrep -f "^$MODVAULT_FCGI" | head -1)
check "one modvault.fcgi process" test -n "$pid"
# sample: "RSS_KB FDS" of the responder.
sample() {
	echo "$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$pid/status")" \
	    "$(ls "/proc/$pid/fd" | wc -l)"
}
check "a warm-up of $((HITS0 * 10)) requests" round $HITS0
check "... and $MISSES0 of each kind of miss" misses $MISSES0
set -- $(sample)
rss0=$1 fds0=$2
check "$((HITS * 10)) more requests" round $HITS
check "... and $MISSES more misses of each kind" misses $MISSES
check "... all by the same process" test "$(pgrep -f "^$MODVAULT_FCGI" | head -1)" = "$pid"
check "... whose misses went to the upstream ($((MISSES0 + MISSES)) zips fetched)" \
    test "$(upstream_count "$(fx_escape "$L_M")/@v/$L_V.zip 200")" -eq $((MISSES0 + MISSES))
set -- $(sample)
rss1=$1 fds1=$2
echo "# resident size ${rss0} KiB -> ${rss1} KiB, open fds ${fds0} -> ${fds1}"
if [ -z "$SANITIZED" ]; then
	check "the resident size stays flat (grew $((rss1 - rss0)) KiB, at most 512)" \
	    test $((rss1 - rss0)) -le 512
fi
check "the open file descriptors are the same ($fds0 -> $fds1)" test "$fds1" -eq "$fds0"
expect_status 0 "the store verifies" "$MODVAULT" --config "$cfg" verify
mv_done
