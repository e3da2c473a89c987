#!/bin/sh
# policy.sh: cache-hit throughput of lighttpd + modvault.fcgi with no
# policy lines against the same store with 1000 deny and download_mode
# lines, none of which names the module asked for (so every request walks
# all of them: the worst case of first-match-wins).
#
# usage: bench/policy.sh [BUILDDIR]
# environment: MV_FIXTURES, MV_BENCH_DURATION (default 5), MV_BENCH_ROUNDS
# (default 3), MV_BENCH_THREADS (2), MV_BENCH_CONNECTIONS (32), MV_KEEP, as
# for bench/responder.sh.  A measurement, not a test: exits 0 whatever the
# ratio (PASS/MISS against the target is printed), 1 when it cannot
# measure.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_paths "$@"
duration=${MV_BENCH_DURATION:-5}
rounds=${MV_BENCH_ROUNDS:-3}
threads=${MV_BENCH_THREADS:-2}
conns=${MV_BENCH_CONNECTIONS:-32}


for t in lighttpd wrk curl python3; do
	command -v "$t" >/dev/null 2>&1 || die "$t not installed"
done
[ -x "$MV_BUILDDIR/modvault.fcgi" ] || die "no modvault.fcgi in $MV_BUILDDIR"
[ -f "$MV_FIXTURES/modules.txt" ] ||
    die "no test modules in $MV_FIXTURES (make -C BUILDDIR tests/fixtures/modules.txt)"
MV_BUILDDIR=$(cd "$MV_BUILDDIR" && pwd)
MV_FIXTURES=$(cd "$MV_FIXTURES" && pwd)
MODVAULT=$MV_BUILDDIR/modvault
bench_scratch

M=$(awk '$3 == "basic" { print $1; exit }' "$MV_FIXTURES/modules.txt")
V=$(awk '$3 == "basic" { print $2; exit }' "$MV_FIXTURES/modules.txt")
INFO=/$M/@v/$V.info

printf 'data_dir = %s\nlog_level = warn\n' "$D/data" >"$D/p0.conf"
{
	cat "$D/p0.conf"
	i=0
	while [ $i -lt 500 ]; do
		echo "deny = corp$i.example.com/*,*.internal$i.example"
		echo "download_mode = big$i.example.com/* async"
		i=$((i + 1))
	done
} >"$D/p1000.conf"
"$MODVAULT" --config "$D/p0.conf" init >/dev/null &&
"$MODVAULT" --config "$D/p0.conf" import "$MV_FIXTURES/upstream" >/dev/null ||
    die "cannot build the store"
[ "$("$MODVAULT" --config "$D/p1000.conf" policy check "$M" | head -1)" = \
    "$M: allowed: no deny or allow line names it" ] ||
    die "a policy line names $M: not the worst case"

# start NAME CONFIG: lighttpd from the shipped template; sets url_NAME.
start() {
	run=$D/run-$1 port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p "$run/htdocs"
	grep -v '^#' "$MV_SRCDIR/contrib/lighttpd/lighttpd.conf.in" >"$D/template.in"
	"$MV_SRCDIR/contrib/render.sh" "$D/template.in" "$run/lighttpd.conf" \
	    PORT="$port" RUNDIR="$run" FCGI="$MV_BUILDDIR/modvault.fcgi" \
	    CONFIG="$2" DATA="$D/data" || return 1
	lighttpd -D -f "$run/lighttpd.conf" &
	pids="$pids $!"
	eval "url_$1=http://127.0.0.1:$port"
	for _ in $(seq 100); do
		[ "$(curl -s -o "$D/got" -w '%{http_code}' "http://127.0.0.1:$port$INFO")" = 200 ] &&
		    cmp -s "$D/got" "$MV_FIXTURES/upstream$INFO" && return 0
		sleep 0.1
	done
	return 1
}
start p0 "$D/p0.conf" && start p1000 "$D/p1000.conf" ||
    die "a lighttpd did not serve $INFO"

echo "# wrk -t$threads -c$conns -d${duration}s, $rounds rounds, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ $r -le "$rounds" ]; do
	# Alternate which goes first, so neither always follows the other.
	if [ $((r % 2)) = 1 ]; then order="p0 p1000"; else order="p1000 p0"; fi
	for n in $order; do
		eval "u=\$url_$n$INFO"
		wrk -t"$threads" -c"$conns" -d"${duration}s" "$u" >"$D/wrk.out" 2>&1 ||
		    die "wrk failed"
		grep -E 'Non-2xx|Socket errors' "$D/wrk.out" >&2
		v=$(awk '/^Requests\/sec:/ { print $2 }' "$D/wrk.out")
		echo "$v" >>"$D/res-$n"
		printf '# round %d %-6s %10s req/s\n' "$r" "$n" "$v" >&2
	done
	r=$((r + 1))
done
printf '%-24s %10s req/s\n' "no policy lines" "$(median "$D/res-p0")" \
    "1000 policy lines" "$(median "$D/res-p1000")"
awk -v a="$(median "$D/res-p1000")" -v b="$(median "$D/res-p0")" 'BEGIN { r = b > 0 ? a / b : 0;
    printf "1000 lines / none %6.2f   target >= 0.90  %s\n", r,
    (r >= 0.9 ? "PASS" : "MISS") }'
exit 0
