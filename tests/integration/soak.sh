#!/bin/sh
# soak.sh: one FastCGI process answers 100,000 requests (hits of every
# kind, HEAD, Range, conditional, not-found, bad paths) behind lighttpd,
# and keeps a flat resident size and the same open file descriptors: no
# leak of memory, blob readers or index handles per request.  A test, not
# a timing: only sizes and counts are compared.
. "$MV_SRCDIR/tests/integration/lib.sh"
need lighttpd ab curl
mv_tmpdir
printf 'log_level = error\n' | write_config "$MV_TMP/modvault.conf" "$MV_TMP/data"
"$MODVAULT" --config "$MV_TMP/modvault.conf" init >/dev/null &&
"$MODVAULT" --config "$MV_TMP/modvault.conf" import "$MV_FIXTURES/upstream" \
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
check "a warm-up of 10,000 requests" round 1000
set -- $(sample)
rss0=$1 fds0=$2
check "100,000 more requests" round 10000
check "... all by the same process" test "$(pgrep -f "^$MODVAULT_FCGI" | head -1)" = "$pid"
set -- $(sample)
rss1=$1 fds1=$2
echo "# resident size ${rss0} KiB -> ${rss1} KiB, open fds ${fds0} -> ${fds1}"
check "the resident size stays flat (grew $((rss1 - rss0)) KiB, at most 512)" \
    test $((rss1 - rss0)) -le 512
check "the open file descriptors are the same ($fds0 -> $fds1)" test "$fds1" -eq "$fds0"
mv_done
