#!/bin/sh
# responder.sh: cache-hit throughput of lighttpd + modvault.fcgi against
# lighttpd's own static serving and a constant-answer FastCGI program, and
# of the shipped static-tree variant (contrib/lighttpd/lighttpd-static.conf.in,
# static_tree = DIR): hits the tree has, and a miss it passes to modvault.
#
# usage: bench/responder.sh [BUILDDIR]
#   BUILDDIR  holds modvault and modvault.fcgi ($1, else $MV_BUILDDIR,
#             else bench/../build)
# environment:
#   MV_FIXTURES          test modules (default BUILDDIR/tests/fixtures, made
#                        by `make -C BUILDDIR tests/fixtures/modules.txt`)
#   MV_BENCH_DURATION    seconds per wrk run (default 5)
#   MV_BENCH_ROUNDS      runs per cell, the median is reported (default 3)
#   MV_BENCH_THREADS     wrk -t (default 2)
#   MV_BENCH_CONNECTIONS wrk -c (default 32)
#   MV_KEEP              keep the scratch directory
#
# It is a measurement, not a test: it exits 0 whatever the numbers are
# (PASS/MISS is printed next to each target) and 1 only when it could not
# measure (missing tool, build or store, or a server answering wrong bytes).
# See bench/README.md for how to read the ratios.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_paths "$@"
duration=${MV_BENCH_DURATION:-5}
rounds=${MV_BENCH_ROUNDS:-3}
threads=${MV_BENCH_THREADS:-2}
conns=${MV_BENCH_CONNECTIONS:-32}


for t in lighttpd wrk curl python3 cc; do
	command -v "$t" >/dev/null 2>&1 || die "$t not installed"
done
[ -x "$MV_BUILDDIR/modvault" ] && [ -x "$MV_BUILDDIR/modvault.fcgi" ] ||
    die "no modvault/modvault.fcgi in $MV_BUILDDIR (build first, or pass BUILDDIR)"
[ -d "$MV_FIXTURES/upstream" ] ||
    make -C "$MV_BUILDDIR" tests/fixtures/modules.txt >/dev/null ||
    die "no test modules in $MV_FIXTURES"
MV_BUILDDIR=$(cd "$MV_BUILDDIR" && pwd)
MV_FIXTURES=$(cd "$MV_FIXTURES" && pwd)

MODVAULT=$MV_BUILDDIR/modvault
MODVAULT_FCGI=$MV_BUILDDIR/modvault.fcgi

# Scratch dir and the servers are removed/stopped at exit.
bench_scratch

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits up to 10 s for URL to answer anything.
wait_http() {
	for _ in $(seq 100); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	echo "# $1 did not come up" >&2
	return 1
}
MOD=example.com/big
INFO=/$MOD/@v/v1.0.0.info
MODF=/$MOD/@v/v1.0.0.mod
ZIP=/$MOD/@v/v1.0.0.zip
LIST=/$MOD/@v/list

# A valid ~2 MiB module version as a static GOPROXY tree: go.mod plus an
# incompressible data.bin (fixed seed, so every run serves the same bytes).
make_module() {
	python3 - "$D/upstream/$MOD/@v" <<'EOF' || return 1
import os, random, sys, zipfile
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
def put(z, name, data):
	zi = zipfile.ZipInfo("example.com/big@v1.0.0/" + name, (2024, 1, 1, 0, 0, 0))
	zi.external_attr = 0o100644 << 16  # a regular file (MZ-4.3)
	z.writestr(zi, data, zipfile.ZIP_STORED)
with zipfile.ZipFile(os.path.join(d, "v1.0.0.zip"), "w") as z:
	put(z, "go.mod", b"module example.com/big\n")
	put(z, "data.bin", random.Random(1).randbytes(2 * 1024 * 1024))
open(os.path.join(d, "v1.0.0.mod"), "w").write("module example.com/big\n")
open(os.path.join(d, "v1.0.0.info"), "w").write(
    '{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}')
open(os.path.join(d, "list"), "w").write("v1.0.0\n")
EOF
}

# The store: the generated module plus the fixtures; four configs over
# it: X-Sendfile on or off, and with a static tree, $D/tree (which the
# tree server sends from) or $D/tree-miss (which no server sends from, so
# that every .info is a miss the miss server passes to modvault).
make_store() {
	for x in lighttpd off; do
		printf 'data_dir = %s\nlog_level = warn\nxsendfile = %s\n' \
		    "$D/data" "$x" > "$D/mv-$x.conf"
	done
	for t in tree tree-miss; do
		sed "\$astatic_tree = $D/$t" "$D/mv-lighttpd.conf" > "$D/mv-$t.conf"
	done
	mkdir -p "$D/empty" &&
	"$MODVAULT" --config "$D/mv-off.conf" init >/dev/null &&
	"$MODVAULT" --config "$D/mv-off.conf" import "$D/upstream" >/dev/null &&
	"$MODVAULT" --config "$D/mv-off.conf" import "$MV_FIXTURES/upstream" \
	    >/dev/null &&
	"$MODVAULT" --config "$D/mv-tree.conf" static-tree rebuild >/dev/null
}

# start NAME FCGI CONFIG [TREE [SED]]: one lighttpd from the shipped
# template in $D/run-NAME (document root = the static tree); sets
# url_NAME.  FCGI "none" drops the fastcgi.server block: lighttpd serves
# static files with otherwise identical settings.  With TREE, the
# static-tree template instead, sending from TREE; SED edits the rendered
# config (a variant measured beside the shipped one).
start() {
	run=$D/run-$1
	mkdir -p "$run"
	cp -R "$D/upstream" "$run/htdocs"
	port=$(free_port)
	t=lighttpd.conf.in
	[ -z "${4:-}" ] || t=lighttpd-static.conf.in
	# Comments dropped: render.sh takes the "@NAME@" in the template's
	# own comment for an unfilled placeholder.
	grep -v '^#' "$MV_SRCDIR/contrib/lighttpd/$t" > "$D/template.in"
	"$MV_SRCDIR/contrib/render.sh" "$D/template.in" "$run/lighttpd.conf" \
	    PORT="$port" RUNDIR="$run" FCGI="$2" CONFIG="$3" DATA="$D/data" \
	    TREE="${4:-}" LUA="$MV_SRCDIR/contrib/lighttpd/static-tree.lua" ||
	    return 1
	for edit in "$([ "$2" != none ] || echo '/^fastcgi\.server/,/^)))/d')" \
	    "${5:-}"; do
		[ -n "$edit" ] || continue
		sed "$edit" "$run/lighttpd.conf" > "$run/conf.tmp" &&
		    mv "$run/conf.tmp" "$run/lighttpd.conf" || return 1
	done
	lighttpd -tt -f "$run/lighttpd.conf" || return 1
	lighttpd -D -f "$run/lighttpd.conf" &
	pids="$pids $!"
	eval "url_$1=http://127.0.0.1:$port"
	wait_http "http://127.0.0.1:$port/"
}

# same NAME PATH FILE: the server answers 200 with exactly FILE's bytes
# (an ignored X-Sendfile would give 200 with an empty body).
same() {
	eval "u=\$url_$1$2"
	code=$(curl -s -o "$D/got" -w '%{http_code}' "$u")
	[ "$code" = 200 ] && cmp -s "$D/got" "$3" ||
	    die "$u: answered $code, not the bytes of $3"
}

# sent_by NAME PATH WHO: the server's answer for PATH was sent by lighttpd
# from a file (WHO = lighttpd: it has Last-Modified, which modvault never
# sends for an .info or .mod) or by modvault (WHO = modvault).
sent_by() {
	eval "u=\$url_$1$2"
	if curl -s -D - -o /dev/null "$u" | grep -qi '^last-modified:'; then
		[ "$3" = lighttpd ]
	else
		[ "$3" = modvault ]
	fi || die "$u: not sent by $3"
}

# wrk_once URL: prints requests/s; warns about errors and non-2xx.
wrk_once() {
	wrk -t"$threads" -c"$conns" -d"${duration}s" "$1" > "$D/wrk.out" 2>&1 ||
	    { cat "$D/wrk.out" >&2; die "wrk failed on $1"; }
	if grep -E 'Non-2xx|Socket errors' "$D/wrk.out" >/dev/null; then
		echo "# $1: $(grep -E 'Non-2xx|Socket errors' "$D/wrk.out" |
		    tr -s ' ' | tr '\n' ' ')" >&2
	fi
	awk '/^Requests\/sec:/ { print $2 }' "$D/wrk.out"
}


cc -O2 -o "$D/fcgi-constant" "$here/fcgi-constant.c" -lfcgi ||
    die "cannot build fcgi-constant (libfcgi-dev installed?)"
make_module || die "cannot generate the module"
make_store || die "cannot build the store"
start static none "$D/mv-off.conf" &&
start const "$D/fcgi-constant" "$D/mv-off.conf" &&
start xs "$MODVAULT_FCGI" "$D/mv-lighttpd.conf" &&
start off "$MODVAULT_FCGI" "$D/mv-off.conf" &&
start tree "$MODVAULT_FCGI" "$D/mv-tree.conf" "$D/tree" &&
start miss "$MODVAULT_FCGI" "$D/mv-tree-miss.conf" "$D/empty" &&
start nocache "$MODVAULT_FCGI" "$D/mv-tree.conf" "$D/tree" \
    's/^server\.stat-cache-engine.*/server.stat-cache-engine = "disable"/' &&
start sinotify none "$D/mv-off.conf" "" \
    '$aserver.stat-cache-engine = "inotify"' ||
    die "a lighttpd did not start"

up=$D/upstream
same static "$INFO" "$up$INFO"
same static "$ZIP" "$up$ZIP"
same xs "$INFO" "$up$INFO"
same xs "$ZIP" "$up$ZIP"
same off "$ZIP" "$up$ZIP"
for p in "$INFO" "$MODF" "$ZIP"; do
	same tree "$p" "$up$p"
done
# (A zip modvault answers is sent by lighttpd too, with X-Sendfile.)
sent_by tree "$INFO" lighttpd
sent_by tree "$MODF" lighttpd
same nocache "$INFO" "$up$INFO"
sent_by nocache "$INFO" lighttpd
same static "$MODF" "$up$MODF"
same miss "$INFO" "$up$INFO"
sent_by miss "$INFO" modvault
same sinotify "$INFO" "$up$INFO"
same xs "$LIST" "$up$LIST"
same tree "$LIST" "$up$LIST"
curl -s "$url_const$INFO" | cmp -s - "$up$INFO" ||
    die "the constant FastCGI program answers something else"

# Cells: name, server, path.  Interleaved: each round visits every cell,
# starting one cell later than the round before, so no cell always runs
# right after the same neighbour.
cells="static-info:static:$INFO const-fcgi:const:$INFO mv-info:xs:$INFO
static-zip:static:$ZIP mv-zip-xsendfile:xs:$ZIP mv-zip-streamed:off:$ZIP
static-mod:static:$MODF tree-info:tree:$INFO tree-mod:tree:$MODF
tree-zip:tree:$ZIP tree-miss-info:miss:$INFO tree-nocache-info:nocache:$INFO
mv-list:xs:$LIST tree-list:tree:$LIST static-inotify-info:sinotify:$INFO"
ncells=$(echo $cells | wc -w)
echo "# lighttpd $(lighttpd -v | sed -n 's/^lighttpd\/\([^ ]*\).*/\1/p'), wrk -t$threads -c$conns" \
    "-d${duration}s, $rounds rounds, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ $r -le "$rounds" ]; do
	i=0 first=$(((r - 1) % ncells + 1))
	for c in $cells $cells; do
		i=$((i + 1))
		[ $i -ge $first ] && [ $i -lt $((first + ncells)) ] || continue
		name=${c%%:*} rest=${c#*:}
		eval "u=\$url_${rest%%:*}${rest#*:}"
		v=$(wrk_once "$u") || exit 1
		echo "$v" >> "$D/res-$name"
		printf '# round %d %-18s %10s req/s\n' "$r" "$name" "$v" >&2
	done
	r=$((r + 1))
done

echo
printf '%-20s %-8s %12s   %s\n' cell path "req/s" "all runs"
for c in $cells; do
	name=${c%%:*} rest=${c#*:}
	path=${rest##*/}
	printf '%-20s %-8s %12s   %s\n' "$name" "${path##*.}" "$(median "$D/res-$name")" \
	    "$(sort -g "$D/res-$name" | tr '\n' ' ')"
done
echo
# ratio LABEL NUM DEN [TARGET]
ratio() {
	awk -v l="$1" -v a="$(median "$D/res-$2")" -v b="$(median "$D/res-$3")" -v t="${4:-}" \
	    'BEGIN { r = b > 0 ? a / b : 0;
	    printf "%-38s %6.2f", l, r;
	    if (t != "") printf "   target >= %.2f  %s", t, (r >= t ? "PASS" : "MISS");
	    printf "\n" }'
}
ratio "zip X-Sendfile / static zip" mv-zip-xsendfile static-zip 0.9
ratio "zip streamed / static zip" mv-zip-streamed static-zip
ratio ".info / constant FastCGI" mv-info const-fcgi 0.8
ratio "constant FastCGI / static .info" const-fcgi static-info
ratio "static tree .info / static .info" tree-info static-info 0.9
ratio "static tree .mod / static .mod" tree-mod static-mod 0.9
ratio "static tree zip / static zip" tree-zip static-zip 0.95
ratio "tree miss .info / .info today" tree-miss-info mv-info 0.95
ratio "tree miss @v/list / @v/list today" tree-list mv-list 0.95
ratio "(stat cache off) .info / static" tree-nocache-info static-info
ratio "(static inotify) tree / static .info" tree-info static-inotify-info
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
