#!/bin/sh
# s3.sh: storage = s3 on a real one-node Ceph gateway (the tests' recipe,
# tests/integration/lib.sh start_ceph), three numbers, each a ratio against
# a baseline measured in the same run:
#  (a) a cache hit of a 2 MiB zip from the node-local cache with X-Sendfile,
#      requests/s against lighttpd serving the same file statically (wrk);
#  (b) node B's first request for a version node A stored (bucket -> node
#      cache -> client), against curl fetching the same object from the
#      gateway (SigV4-signed GET), median of the rounds;
#  (c) the peak RSS of a responder process while a 200 MiB zip goes through
#      S3: node A fetching it from upstream and uploading it, node B
#      downloading it from the bucket.
#
# usage: bench/s3.sh [BUILDDIR]
# environment: MV_BENCH_ROUNDS (versions timed in (b), default 7),
#   MV_BENCH_DURATION (seconds per wrk run, default 5), MV_BENCH_BIG_MB
#   (the zip of (c), default 200), MV_KEEP.
# A measurement, not a test: exits 0 whatever the numbers (PASS/MISS is
# printed beside each target), 1 only when it could not measure.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
MV_BUILDDIR=$(cd "${1:-${MV_BUILDDIR:-$here/../build}}" && pwd)
MV_SRCDIR=$(cd "$here/.." && pwd)
MV_FIXTURES=${MV_FIXTURES:-$MV_BUILDDIR/tests/fixtures}
rounds=${MV_BENCH_ROUNDS:-7}
duration=${MV_BENCH_DURATION:-5}
big_mb=${MV_BENCH_BIG_MB:-200}
export MV_BUILDDIR MV_SRCDIR MV_FIXTURES

for t in wrk lighttpd curl python3; do
	command -v "$t" >/dev/null 2>&1 || die "$t not installed"
done
[ -d "$MV_FIXTURES/upstream" ] ||
    make -C "$MV_BUILDDIR" tests/fixtures/modules.txt >/dev/null ||
    die "no test modules in $MV_FIXTURES"
# The tests' helpers: start_ceph, start_lighttpd, start_upstream.
. "$MV_SRCDIR/tests/integration/lib.sh"
mv_tmpdir
D=$MV_TMP
start_ceph >/dev/null || die "the Ceph gateway did not start"

now_ns() { date +%s%N; }
# verdict VALUE OP TARGET: PASS or MISS.
verdict() {
	awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
	    ok = op == ">=" ? v >= t : v <= t; print ok ? "PASS" : "MISS" }'
}

# Upstream: rounds + 1 modules of a 2 MiB zip, and one of big_mb MiB.
cp -R "$MV_FIXTURES/upstream" "$D/up"
i=0
while [ $i -le "$rounds" ]; do
	python3 "$MV_SRCDIR/tests/integration/mkmodule.py" "$D/up" \
	    "bench.test/two$i" v1.0.0 2097152 >/dev/null || die "mkmodule"
	i=$((i + 1))
done
python3 "$MV_SRCDIR/tests/integration/mkmodule.py" "$D/up" bench.test/big \
    v1.0.0 $((big_mb * 1048576)) >/dev/null || die "mkmodule"
start_upstream "$D/up" || die "the upstream did not start"

printf '%s\n' "$S3_SECRET_KEY" >"$D/s3.secret"
chmod 600 "$D/s3.secret"
# node NAME UPSTREAM: $D/NAME.conf, sharing the bucket.
node() {
	printf '%s\n' "storage = s3" "s3_endpoint = $S3_ENDPOINT" \
	    "s3_bucket = $S3_BUCKET" "s3_access_key = $S3_ACCESS_KEY" \
	    "s3_secret_key_file = $D/s3.secret" "upstream = $2" \
	    "xsendfile = lighttpd" "log_level = warn" |
	    write_config "$D/$1.conf" "$D/$1"
	"$MODVAULT" --config "$D/$1.conf" init >/dev/null
	start_lighttpd "$D/$1.conf" "$D/$1/cache" "$D/run-$1" ||
	    die "lighttpd for node $1 did not start"
	eval "${1}_url=\$url ${1}_pid=\$LIGHTTPD_PID"
}
node a "$UP_URL"
node b off

# --- (a) cache hit with X-Sendfile vs static ----------------------------------
zip=bench.test/two0/@v/v1.0.0.zip
curl -s -o "$D/got" "$a_url/$zip" && cmp -s "$D/got" "$D/up/$zip" ||
    die "node A did not serve $zip"
# The static baseline: the same lighttpd template, its fastcgi.server
# block dropped (as bench/responder.sh does).
run=$D/run-static
mkdir -p "$run/htdocs"
cp "$D/up/$zip" "$run/htdocs/two.zip"
sport=$(free_port)
grep -v '^#' "$MV_SRCDIR/contrib/lighttpd/lighttpd.conf.in" >"$D/template.in"
"$MV_SRCDIR/contrib/render.sh" "$D/template.in" "$run/lighttpd.conf" \
    PORT="$sport" RUNDIR="$run" FCGI=none CONFIG=none DATA="$D/a/cache" &&
    sed '/^fastcgi\.server/,/^)))/d' "$run/lighttpd.conf" >"$run/static.conf" ||
    die "static lighttpd config"
lighttpd -D -f "$run/static.conf" &
spid=$!
mv_at_exit "kill $spid 2>/dev/null"
wait_http "http://127.0.0.1:$sport/two.zip" || die "static lighttpd"
# wrk_rps URL: requests/s.
wrk_rps() {
	wrk -t2 -c16 -d"${duration}s" "$1" >"$D/wrk.out" 2>&1 ||
	    die "wrk failed on $1"
	! grep -qE 'Non-2xx|Socket errors' "$D/wrk.out" ||
	    die "errors from $1: $(grep -E 'Non-2xx|Socket' "$D/wrk.out")"
	awk '/^Requests\/sec:/ { print $2 }' "$D/wrk.out"
}
# For reference, the same zip from a storage = dir store (X-Sendfile from
# data_dir/blobs), in the same run.
mkdir -p "$D/tree"
cp -R "$D/up/bench.test" "$D/tree/"
rm -rf "$D/tree/bench.test/big"
printf 'xsendfile = lighttpd\nlog_level = warn\n' |
    write_config "$D/dir.conf" "$D/dir"
"$MODVAULT" --config "$D/dir.conf" init >/dev/null &&
    "$MODVAULT" --config "$D/dir.conf" import "$D/tree" >/dev/null ||
    die "the directory store"
start_lighttpd "$D/dir.conf" "$D/dir" "$D/run-dir" || die "lighttpd, dir"
dir_url=$url
: >"$D/static.rps"
: >"$D/hit.rps"
: >"$D/dir.rps"
for r in 1 2 3 4 5; do
	wrk_rps "http://127.0.0.1:$sport/two.zip" >>"$D/static.rps"
	wrk_rps "$a_url/$zip" >>"$D/hit.rps"
	wrk_rps "$dir_url/$zip" >>"$D/dir.rps"
done
st=$(median "$D/static.rps")
hit=$(median "$D/hit.rps")
dir=$(median "$D/dir.rps")
ra=$(awk -v a="$hit" -v b="$st" 'BEGIN { printf "%.2f", a / b }')
rd=$(awk -v a="$dir" -v b="$st" 'BEGIN { printf "%.2f", a / b }')
echo "(a) 2 MiB zip, node cache + X-Sendfile: $hit req/s; static: $st req/s;" \
    "storage = dir + X-Sendfile: $dir req/s"
echo "    ratio $ra (target >= 0.90) $(verdict "$ra" ">=" 0.9); storage = dir: $rd"

# --- (b) node B's first request vs curl from the gateway ----------------------
: >"$D/b.ms"
: >"$D/curl.ms"
i=1
while [ $i -le "$rounds" ]; do
	p=bench.test/two$i/@v/v1.0.0.zip
	curl -s -o /dev/null "$a_url/$p" || die "node A: $p"
	hex=$(sha256sum <"$D/up/$p" | cut -c1-64)
	key=blobs/$(echo "$hex" | cut -c1-2)/$(echo "$hex" | cut -c3-4)/$hex
	# Alternate which goes first, so neither always finds a warm gateway.
	for who in $( [ $((i % 2)) -eq 0 ] && echo "b curl" || echo "curl b"); do
		t0=$(now_ns)
		if [ "$who" = b ]; then
			curl -s -o "$D/got" "$b_url/$p"
		else
			curl -s -o "$D/got.curl" --aws-sigv4 "aws:amz:$S3_REGION:s3" \
			    -u "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
			    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
			    "$S3_ENDPOINT/$S3_BUCKET/$key"
		fi
		t1=$(now_ns)
		echo $(((t1 - t0) / 1000)) >>"$D/$who.ms"
	done
	cmp -s "$D/got" "$D/up/$p" && cmp -s "$D/got.curl" "$D/up/$p" ||
	    die "round $i: wrong bytes"
	i=$((i + 1))
done
bm=$(median "$D/b.ms")
cm=$(median "$D/curl.ms")
rb=$(awk -v a="$bm" -v b="$cm" 'BEGIN { printf "%.2f", a / b }')
echo "(b) node B's first request of a 2 MiB zip A stored: $bm us; curl from the gateway: $cm us (median of $rounds)"
echo "    ratio $rb (target <= 1.30) $(verdict "$rb" "<=" 1.3)"

# --- (c) peak RSS moving a big zip through S3 ---------------------------------
# peak_kib PID: the largest VmHWM among lighttpd PID's responder processes.
peak_kib() {
	for c in $(pgrep -P "$1" -f modvault.fcgi); do
		awk '/^VmHWM:/ { print $2 }' "/proc/$c/status"
	done | sort -n | tail -1
}
p=bench.test/big/@v/v1.0.0.zip
curl -s -o /dev/null "$a_url/$p" || die "node A: $p"
ra_kib=$(peak_kib "$a_pid")
curl -s -o "$D/got" "$b_url/$p" && cmp -s "$D/got" "$D/up/$p" ||
    die "node B: wrong bytes of $p"
rb_kib=$(peak_kib "$b_pid")
for w in "A (upstream -> bucket):$ra_kib" "B (bucket -> cache -> client):$rb_kib"; do
	kib=${w##*:}
	echo "(c) $big_mb MiB zip, peak RSS of a responder on node ${w%:*}: $kib KiB" \
	    "(target < 16384) $(verdict "$kib" "<=" 16383)"
done
