#!/bin/sh
# fetch.sh: a cold fetch (fetch on miss, validate, store, answer) of a large
# module zip through modvault.fcgi against curl downloading the same zip
# from the same upstream, and the responder's peak RSS while it fetches.
#
# usage: bench/fetch.sh [BUILDDIR]
#   BUILDDIR  holds modvault and modvault.fcgi ($1, else $MV_BUILDDIR,
#             else bench/../build)
# environment:
#   MV_FIXTURES        test modules (default BUILDDIR/tests/fixtures, made
#                      by `make -C BUILDDIR tests/fixtures/modules.txt`)
#   MV_BENCH_ZIP_MB    data in the timed zip, MiB (default 50)
#   MV_BENCH_ROUNDS    rounds of the timed pair, median reported (default 5)
#   MV_BENCH_RSS_MB    data sizes for the RSS runs, MiB (default "5 50 200")
#   MV_BENCH_LINKS     upstream link speeds for (b), MiB/s (default "100 25";
#                      empty: none)
#   MV_KEEP            keep the scratch directory
#
# It is a measurement, not a test: it exits 0 whatever the numbers are
# (PASS/MISS is printed next to each target) and 1 only when it could not
# measure (missing tool or build, a server or the responder answering
# something else).  See bench/README.md.
set -u

here=$(cd "$(dirname "$0")" && pwd)
MV_BUILDDIR=${1:-${MV_BUILDDIR:-$here/../build}}
MV_FIXTURES=${MV_FIXTURES:-$MV_BUILDDIR/tests/fixtures}
zip_mb=${MV_BENCH_ZIP_MB:-50}
rounds=${MV_BENCH_ROUNDS:-5}
rss_mb=${MV_BENCH_RSS_MB:-5 50 200}
links=${MV_BENCH_LINKS-100 25}

die() {
	echo "fetch.sh: $*" >&2
	exit 1
}

for t in lighttpd curl python3 /usr/bin/time; do
	command -v "$t" >/dev/null 2>&1 ||
	    die "$t not installed (/usr/bin/time: apt-get install time)"
done
for f in modvault modvault.fcgi; do
	[ -x "$MV_BUILDDIR/$f" ] ||
	    die "no $MV_BUILDDIR/$f (build first, or pass BUILDDIR)"
done
[ -d "$MV_FIXTURES/upstream" ] ||
    make -C "$MV_BUILDDIR" tests/fixtures/modules.txt >/dev/null ||
    die "no test modules in $MV_FIXTURES"
MODVAULT=$(cd "$MV_BUILDDIR" && pwd)/modvault
MODVAULT_FCGI=$MODVAULT.fcgi
MV_FIXTURES=$(cd "$MV_FIXTURES" && pwd)

# Scratch dir, lighttpd stopped and the dir removed at exit.
D=$(mktemp -d "${TMPDIR:-/tmp}/modvault-bench.XXXXXX") || die "no scratch dir"
lpid=
ppid_=
trap '[ -z "$lpid" ] || kill "$lpid" 2>/dev/null
[ -z "$ppid_" ] || kill "$ppid_" 2>/dev/null
if [ -n "${MV_KEEP:-}" ]; then echo "# kept $D" >&2; else rm -rf "$D"; fi' EXIT
trap 'exit 1' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

now_ns() {
	date +%s%N
}

# ms T0 T1: the milliseconds between two now_ns readings.
ms() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }'
}

# The upstream: the fixtures plus one generated module per size, as a
# static GOPROXY tree served by lighttpd (python's http.server would be the
# bottleneck of both cells).
up=$D/up
cp -R "$MV_FIXTURES/upstream" "$up" && chmod -R u+w "$up" ||
    die "cannot copy the fixtures"
for mb in $zip_mb $rss_mb; do
	[ -f "$up/example.com/big$mb/@v/v1.0.0.zip" ] && continue
	python3 "$here/../tests/integration/mkmodule.py" "$up" \
	    "example.com/big$mb" v1.0.0 $((mb * 1048576)) ||
	    die "cannot generate a $mb MiB module"
done
port=$(free_port)
cat > "$D/lighttpd.conf" <<EOF
server.document-root = "$up"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$D/lighttpd.err"
mimetype.assign = ( "" => "application/octet-stream" )
EOF
lighttpd -D -f "$D/lighttpd.conf" &
lpid=$!
UP=http://127.0.0.1:$port
LOOPBACK=$UP
i=0
until curl -s -o /dev/null "$UP/"; do
	i=$((i + 1))
	[ $i -lt 100 ] || die "lighttpd did not come up"
	sleep 0.1
done

# fresh_store: an empty store whose upstream is the lighttpd above.
fresh_store() {
	rm -rf "$D/data"
	printf 'data_dir = %s\nupstream = %s\n' "$D/data" "$UP" > "$D/mv.conf"
	"$MODVAULT" --config "$D/mv.conf" init >/dev/null ||
	    die "modvault init failed"
}

# cgi URI [WRAPPER...]: one request to modvault.fcgi as CGI, the answer
# (headers and body) in $D/out.
cgi() {
	uri=$1
	shift
	env -i PATH="$PATH" MODVAULT_CONFIG="$D/mv.conf" REQUEST_METHOD=GET \
	    REQUEST_URI="$uri" "$@" "$MODVAULT_FCGI" </dev/null >"$D/out" \
	    2>"$D/cgi.err"
}

# answered FILE: $D/out is a 200 whose body is exactly FILE's bytes.
answered() {
	head -n 1 "$D/out" | grep -q '^Status: 200' &&
	    tail -c "$(wc -c < "$1")" "$D/out" | cmp -s - "$1" ||
	    { sed 's/^/# /' "$D/cgi.err" >&2; head -c 300 "$D/out" >&2
	    die "modvault did not answer the bytes of $1"; }
}

# --- (a) cold fetch time against curl ------------------------------------
path=/example.com/big$zip_mb/@v/v1.0.0.zip
zip=$up$path

# One cell; prints milliseconds.  Everything but the request itself (a
# fresh store, flushing the previous cell's dirty pages) happens untimed.
cell_mv() {
	fresh_store
	rm -f "$D/out"
	sync
	t0=$(now_ns)
	cgi "$path"
	t1=$(now_ns)
	answered "$zip"
	ms "$t0" "$t1"
}
cell_curl() {
	rm -f "$D/out"
	sync
	t0=$(now_ns)
	code=$(curl -s -o "$D/out" -w '%{http_code}' "$UP$path")
	t1=$(now_ns)
	[ "$code" = 200 ] && cmp -s "$D/out" "$zip" || die "curl got $code, not the zip"
	ms "$t0" "$t1"
}

median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
	    if (NR % 2) print v[(NR + 1) / 2];
	    else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# compare LABEL: the interleaved rounds against $UP, and the ratio row.
compare() {
	label=$1
	: > "$D/t-mv"
	: > "$D/t-curl"
	# Interleaved: odd rounds time modvault first, even rounds curl first.
	for r in $(seq "$rounds"); do
		set -- mv curl
		[ $((r % 2)) -eq 1 ] || set -- curl mv
		for c; do
			v=$(cell_"$c") || exit 1
			printf '# %s round %d %-5s %9s ms\n' "$label" "$r" "$c" \
			    "$v" >&2
			echo "$v" >> "$D/t-$c"
		done
	done
	mv_ms=$(median "$D/t-mv")
	curl_ms=$(median "$D/t-curl")
	printf '%-34s %9s ms   all: %s\n' "modvault.fcgi cold fetch (CGI)" \
	    "$mv_ms" "$(sort -g "$D/t-mv" | tr '\n' ' ')"
	printf '%-34s %9s ms   all: %s\n' "curl from the same upstream" \
	    "$curl_ms" "$(sort -g "$D/t-curl" | tr '\n' ' ')"
	awk -v a="$mv_ms" -v b="$curl_ms" -v l="$label" 'BEGIN {
	    r = b > 0 ? a / b : 0;
	    printf "%-34s %9.2f x   target <= 1.50  %s\n",
	    "cold fetch / curl, " l, r, (r <= 1.5 ? "PASS" : "MISS");
	    printf "%-34s %9.1f ms\n", "modvault minus curl", a - b }'
}

echo "# $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), scratch on" \
    "$(df -PT "$D" | awk 'NR == 2 { print $2 }')"
echo "# (a) cold fetch of a $zip_mb MiB zip ($(wc -c < "$zip") bytes)," \
    "$rounds rounds, upstream lighttpd on loopback"
compare loopback

# --- (b) the same over links of a given speed -----------------------------
# upstream.py paces the zip's body (256 KiB steps); .info and .mod are not.
for mb in $links; do
	[ -n "$ppid_" ] && kill "$ppid_" 2>/dev/null && wait "$ppid_" 2>/dev/null
	rm -f "$D/pport"
	python3 "$here/../tests/integration/upstream.py" "$up" "$D/pport" \
	    "$D/plog" --fault ".zip=rate=$mb" &
	ppid_=$!
	i=0
	until [ -s "$D/pport" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "upstream.py did not come up"
		sleep 0.1
	done
	UP=http://127.0.0.1:$(cat "$D/pport")
	echo
	echo "# (b) the same, the upstream's zip paced at $mb MiB/s"
	compare "$mb MiB/s link"
done
UP=$LOOPBACK

# --- (c) peak RSS while fetching and validating --------------------------
# rss URI: the responder's maximum RSS in KiB for one cold request.
rss() {
	fresh_store
	cgi "$1" /usr/bin/time -f %M -o "$D/rss"
	tail -n 1 "$D/rss"
}

echo
echo "# (c) peak RSS of modvault.fcgi (CGI), fresh store each"
base=$(rss /healthz)
head -n 1 "$D/out" | grep -q '^Status: 200' || die "/healthz did not answer 200"
printf '%-34s %9s KiB   (baseline: start-up and libraries)\n' "GET /healthz" "$base"
: > "$D/rss-all"
for spec in $(for mb in $rss_mb; do echo "big$mb:v1.0.0:$mb-MiB"; done) \
    modvault.test/license:v1.0.0:test-module; do
	mod=${spec%%:*} rest=${spec#*:}
	ver=${rest%%:*} label=${rest#*:}
	case $mod in big*) mod=example.com/$mod ;; esac
	p=/$mod/@v/$ver.zip
	k=$(rss "$p")
	answered "$up$p"
	echo "$k" >> "$D/rss-all"
	printf '%-34s %9s KiB   +%s over /healthz\n' "cold fetch $label zip" "$k" \
	    $((k - base))
done
# Independent of size: the spread across all sizes stays under 1 MiB.
sort -g "$D/rss-all" | awk 'NR == 1 { lo = $1 } { hi = $1 } END {
    printf "%-34s %9d KiB   target < 16384   %s\n", "largest peak", hi,
    (hi < 16384 ? "PASS" : "MISS");
    printf "%-34s %9d KiB   target < 1024    %s\n", "spread across sizes", hi - lo,
    (hi - lo < 1024 ? "PASS" : "MISS") }'
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
