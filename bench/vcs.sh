#!/bin/sh
# vcs.sh: upstream = direct (modvault builds the module zip from git itself,
# with git and libarchive, no Go toolchain), two numbers measured in one run
# against a local Git server (git http-backend behind lighttpd, smart HTTP,
# tests/integration/lib.sh start_git_http):
#  (a) a cold fetch of one version: modvault's first GET of
#      <m>/@v/v1.0.0.zip through lighttpd + modvault.fcgi on an empty data
#      directory (so an empty mirror cache: ls-remote, shallow fetch,
#      archive, zip, validation, store, answer), against the go command's
#      own `GOPROXY=direct go mod download <m>@v1.0.0` of the same version
#      from the same server over the same HTTP, into an empty module cache;
#      on a small repository and on one of 10,000 files; median of the
#      rounds, target modvault <= 0.5 x go;
#  (b) the peak RSS of the responder process while it builds a 100 MiB
#      module zip from git (VmHWM, read before and after the request), and
#      of the CLI `modvault fetch` doing the same (GNU time); target
#      < 16 MiB.
#
# usage: bench/vcs.sh [BUILDDIR]
#   BUILDDIR  holds modvault and modvault.fcgi ($1, else $MV_BUILDDIR,
#             else bench/../build)
# environment:
#   MV_BENCH_ROUNDS    rounds of (a), median reported (default 5)
#   MV_BENCH_FILES     files of the big repository of (a) (default 10000,
#                      100 to a directory)
#   MV_BENCH_RSS_MB    MiB of file data in the repository of (b) (default
#                      100, in 20 files)
#   MV_KEEP            keep the scratch directory (repositories, configs,
#                      data directories, logs)
#
# A measurement, not a test: it exits 0 whatever the numbers are (PASS/MISS
# is printed beside each target), 1 only when it could not measure (a tool
# or the build missing, a server not starting, a wrong answer).
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
MV_BUILDDIR=$(cd "${1:-${MV_BUILDDIR:-$here/../build}}" && pwd) ||
    { echo "vcs.sh: no build directory" >&2; exit 1; }
MV_SRCDIR=$(cd "$here/.." && pwd)
rounds=${MV_BENCH_ROUNDS:-5}
nfiles=${MV_BENCH_FILES:-10000}
rss_mb=${MV_BENCH_RSS_MB:-100}

for t in git go lighttpd curl python3 /usr/bin/time; do
	command -v "$t" >/dev/null 2>&1 ||
	    die "$t not installed (/usr/bin/time: apt-get install time)"
done
for f in modvault modvault.fcgi; do
	[ -x "$MV_BUILDDIR/$f" ] ||
	    die "no $MV_BUILDDIR/$f (build first, or pass BUILDDIR)"
done

# lib.sh insists on the tests' fixtures, which nothing here uses: when the
# build has none, an empty stand-in satisfies it.
MV_FIXTURES=${MV_FIXTURES:-$MV_BUILDDIR/tests/fixtures}
stub=
if ! [ -d "$MV_FIXTURES/upstream" ] || ! [ -f "$MV_FIXTURES/modules.txt" ]
then
	stub=$(mktemp -d "${TMPDIR:-/tmp}/modvault-stub.XXXXXX") ||
	    die "no scratch directory"
	mkdir "$stub/upstream" && : >"$stub/modules.txt" || die "stub"
	MV_FIXTURES=$stub
fi
export MV_BUILDDIR MV_SRCDIR MV_FIXTURES
# The tests' helpers: start_git_http, start_lighttpd, write_config.
. "$MV_SRCDIR/tests/integration/lib.sh"
mv_tmpdir >&2
D=$MV_TMP
[ -z "$stub" ] || mv_at_exit "rm -rf '$stub'"
# go makes its module cache read-only; a kept or removed scratch directory
# must be removable all the same.
mv_at_exit "chmod -R u+w '$D' 2>/dev/null"

now_ns() { date +%s%N; }
# ms T0 T1: the milliseconds between two now_ns readings.
ms() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }'
}
# all FILE: the numbers of FILE sorted, on one line.
all() {
	sort -g "$1" | tr '\n' ' '
}
# verdict VALUE OP TARGET: PASS or MISS.
verdict() {
	awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
	    ok = op == "<" ? v < t : v <= t; print ok ? "PASS" : "MISS" }'
}

# --- the repositories ---------------------------------------------------------
# Bare repositories written by git fast-import from a generated stream:
# the same objects (hence commit hashes) on every machine and run, one
# commit, tagged v1.0.0 (lightweight).  No system or user configuration
# may change an object.  http-backend serves D/repos/NAME.git as /git/NAME,
# the URL both clients reach https://example.test/NAME.git by.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
    GIT_CONFIG GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT 2>/dev/null || true
mkdir -p "$D/repos"
# mkrepo NAME KIND ARG: KIND small (a handful of files), tree (ARG small .go
# files, 100 to a directory) or data (ARG MiB of random bytes in 20 files,
# fixed seed: incompressible, so the zip is as large as the data).
# The pack fast-import writes is kept as the server's (not exploded into
# loose objects: a hosting server's repositories are packed, and
# upload-pack would search deltas among loose 5 MiB blobs for seconds);
# random data is stored, not deflated, and never tried as a delta.
mkrepo() {
	fi_opts=fast-import
	[ "$2" != data ] || fi_opts="-c pack.compression=0 fast-import --depth=0"
	# shellcheck disable=SC2086
	git init -q --bare -b master "$D/repos/$1.git" &&
	python3 - "$@" <<'PY' | git -C "$D/repos/$1.git" \
	    -c fastimport.unpackLimit=0 $fi_opts --quiet
import random, sys

name, kind, arg = sys.argv[1], sys.argv[2], sys.argv[3]
out = sys.stdout.buffer
files = [("go.mod", b"module example.test/%s.git\n\ngo 1.19\n" % name.encode())]
if kind == "small":
    files += [
        ("LICENSE", b"Permission is granted to benchmark this module.\n"),
        ("README.md", b"# %s\n\nA small module for bench/vcs.sh.\n" % name.encode()),
        ("small.go", b"package small\n\n// V is the answer.\nfunc V() int { return 42 }\n"),
        ("small_test.go", b"package small\n\nimport \"testing\"\n\n"
         b"func TestV(t *testing.T) {\n\tif V() != 42 {\n\t\tt.Fatal(V())\n\t}\n}\n"),
        ("internal/util/util.go", b"package util\n\nconst Name = \"util\"\n"),
    ]
elif kind == "tree":
    for i in range(int(arg)):
        d, f = i // 100, i % 100
        files.append(("d%02d/f%02d.go" % (d, f),
                      b"package d%02d\n\n// F%02d is file %d of the tree.\n"
                      b"const F%02d = %d\n" % (d, f, i, f, i)))
else:
    rnd, total, n = random.Random(1), int(arg) * 1048576, 20
    for i in range(n):
        files.append(("data/d%02d.bin" % i, rnd.randbytes(total // n)))
for i, (path, data) in enumerate(files):
    out.write(b"blob\nmark :%d\ndata %d\n" % (i + 1, len(data)))
    out.write(data)
    out.write(b"\n")
msg = b"v1.0.0\n"
out.write(b"commit refs/heads/master\nmark :%d\n" % (len(files) + 1))
for who in (b"author", b"committer"):
    out.write(b"%s Bench <bench@example.test> 1704067200 +0000\n" % who)
out.write(b"data %d\n%s" % (len(msg), msg))
for i, (path, data) in enumerate(files):
    out.write(b"M 100644 :%d %s\n" % (i + 1, path.encode()))
out.write(b"\nreset refs/tags/v1.0.0\nfrom :%d\n\n" % (len(files) + 1))
PY
}
echo "# making the repositories" >&2
for spec in "small small 0" "big10k tree $nfiles" "big100m data $rss_mb"; do
	# shellcheck disable=SC2086
	mkrepo $spec && git -C "$D/repos/${spec%% *}.git" rev-parse -q \
	    --verify 'v1.0.0^{commit}' >/dev/null ||
	    die "cannot make the repository ${spec%% *}"
done
start_git_http "$D/repos" "$D/git-http" >&2 || die "the git server did not start"

# --- the two clients -------------------------------------------------------
# The go command as tests/integration/vcs-oracle.sh runs it (Recipe A), but
# over the same HTTP server as modvault instead of file:// (a fair race):
# Git's insteadOf maps https://example.test/ onto the server,
# GIT_ALLOW_PROTOCOL lets git speak http to it (and nothing else), no
# GOINSECURE (go asks for https, git rewrites).  A .git-qualified path
# needs no go-get discovery, so go's first request is git ls-remote, as
# modvault's is.
mkdir -p "$D/home" "$D/work"
cat >"$D/gitconfig" <<EOF
[url "$GIT_HTTP_URL/git/"]
	insteadOf = https://example.test/
EOF
unset GOINSECURE GOFLAGS GONOPROXY GONOSUMDB GOWORK 2>/dev/null || true
# go_download MODULE CACHE: the timed go command, CACHE its module cache.
go_download() {
	(cd "$D/work" && env GIT_CONFIG_GLOBAL="$D/gitconfig" \
	    GIT_ALLOW_PROTOCOL=https:http HOME="$D/home" GOENV=off \
	    GO111MODULE=on GOPROXY=direct GOSUMDB=off GONOSUMDB='*' \
	    GOPRIVATE='*' GOFLAGS='-mod=mod -modcacherw' GOTOOLCHAIN=local \
	    GOWORK=off GOPATH="$D/gopath" GOMODCACHE="$2" GOCACHE="$D/gocache" \
	    go mod download "$1@v1.0.0") >>"$D/go.log" 2>&1
}
# modvault: straight from git for example.test, its https:// URLs rewritten
# onto the git server; the rest of the configuration the default.
# mv_fresh DIR: an empty store in DIR (no mirrors, no versions) and
# DIR.conf naming it.
mv_fresh() {
	rm -rf "$1"
	printf '%s\n' "upstream = direct" "private = example.test" \
	    "vcs_rewrite = https://example.test/ $GIT_HTTP_URL/git/" \
	    "log_level = warn" | write_config "$1.conf" "$1"
	"$MODVAULT" --config "$1.conf" init >/dev/null || die "modvault init"
}
# hwm_all PID: "CHILD VmHWM-KiB" of each modvault.fcgi lighttpd PID runs.
hwm_all() {
	for c in $(pgrep -P "$1" -f modvault.fcgi); do
		echo "$c $(awk '/^VmHWM:/ { print $2 }' "/proc/$c/status")"
	done
}
# h1 ZIP: the go command's hash of a module zip (dirhash h1).
h1() {
	python3 - "$1" <<'PY'
import base64, hashlib, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
lines = "".join("%s  %s\n" % (hashlib.sha256(z.read(n)).hexdigest(), n)
                for n in sorted(z.namelist()))
print("h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode())
PY
}

# --- (a) cold fetch: modvault vs the go command -----------------------------
# cell WHO NAME ROUND: one timed cold fetch of example.test/NAME.git@v1.0.0,
# its milliseconds appended to D/NAME.WHO.ms.  Before the clock starts
# (untimed): an empty store and a lighttpd with fresh responders for
# modvault, an empty module cache for go, then sync, so neither finds the
# other's dirty pages to write back.
cell() {
	m=example.test/$2.git
	if [ "$1" = mv ]; then
		mv_fresh "$D/mv-$2"
		start_lighttpd "$D/mv-$2.conf" "$D/mv-$2" "$D/run-$2" ||
		    die "lighttpd for modvault did not start"
		sync
		t0=$(now_ns)
		code=$(curl -s -o "$D/$2.zip" -w '%{http_code}' \
		    "$url/$m/@v/v1.0.0.zip")
		t1=$(now_ns)
		# Untimed: the responders' largest peak, for (b)'s reference
		# line (what a zip of many files costs in memory).
		hwm_all "$LIGHTTPD_PID" | awk '{ print $2 }' >>"$D/$2.hwm"
		stop_lighttpd
		[ "$code" = 200 ] ||
		    die "modvault answered $code for $m@v1.0.0.zip: $(tail -3 "$D/run-$2/lighttpd-error.log")"
	else
		cache=$D/modcache-$2
		chmod -R u+w "$cache" 2>/dev/null
		rm -rf "$cache"
		sync
		t0=$(now_ns)
		go_download "$m" "$cache" ||
		    die "go mod download $m@v1.0.0 failed: $(tail -3 "$D/go.log")"
		t1=$(now_ns)
	fi
	ms "$t0" "$t1" >>"$D/$2.$1.ms"
	echo "# round $3 $2 $1 $(ms "$t0" "$t1") ms" >&2
}
# same_zip NAME: modvault's zip of the last round is the go command's (the
# same h1 as the module cache's .ziphash).
same_zip() {
	want=$(cat "$D/modcache-$1/cache/download/example.test/$1.git/@v/v1.0.0.ziphash")
	got=$(h1 "$D/$1.zip")
	[ "$got" = "$want" ] ||
	    die "modvault's zip of example.test/$1.git@v1.0.0 is $got, go's $want"
}

# One untimed pair first: the binaries, libraries and the git server's
# programs in the page cache for both, whichever goes first.
cell mv small 0 && cell go small 0
same_zip small
: >"$D/small.mv.ms"
: >"$D/small.go.ms"
r=1
while [ "$r" -le "$rounds" ]; do
	# Alternate which goes first, so neither always follows the other.
	if [ $((r % 2)) -eq 1 ]; then order="mv go"; else order="go mv"; fi
	for name in small big10k; do
		for who in $order; do
			cell "$who" "$name" "$r"
		done
		[ "$r" -eq 1 ] && same_zip "$name"
	done
	r=$((r + 1))
done

for name in small big10k; do
	mvm=$(median "$D/$name.mv.ms")
	gom=$(median "$D/$name.go.ms")
	ratio=$(awk -v a="$mvm" -v b="$gom" 'BEGIN { printf "%.2f", a / b }')
	files=$(git -C "$D/repos/$name.git" ls-tree -r --name-only v1.0.0 | wc -l)
	echo "# (a) cold fetch of example.test/$name.git@v1.0.0 ($files files," \
	    "$(wc -c <"$D/$name.zip" | tr -d ' ') byte zip), median of $rounds"
	printf '%-34s %9.1f ms   all: %s\n' "modvault GET .zip (cold)" "$mvm" \
	    "$(all "$D/$name.mv.ms")"
	printf '%-34s %9.1f ms   all: %s\n' "go mod download (GOPROXY=direct)" \
	    "$gom" "$(all "$D/$name.go.ms")"
	printf '%-34s %9s x    target <= 0.50  %s\n' "modvault / go" "$ratio" \
	    "$(verdict "$ratio" "<=" 0.5)"
	# The same ratio within each round (the two cells ran back to back),
	# less sensitive to load that comes and goes during the run.
	paste "$D/$name.mv.ms" "$D/$name.go.ms" |
	    awk '{ printf "%.3f\n", $1 / $2 }' >"$D/$name.ratio"
	printf '%-34s %9.2f x    all: %s\n' "modvault / go within a round" \
	    "$(median "$D/$name.ratio")" "$(all "$D/$name.ratio")"
done

# --- (b) peak RSS building a big zip from git -------------------------------
m=example.test/big100m.git
mv_fresh "$D/mv-rss"
start_lighttpd "$D/mv-rss.conf" "$D/mv-rss" "$D/run-rss" ||
    die "lighttpd for modvault did not start"
hwm_all "$LIGHTTPD_PID" >"$D/hwm.before"
[ -s "$D/hwm.before" ] || die "no modvault.fcgi process under lighttpd"
t0=$(now_ns)
code=$(curl -s -o "$D/big100m.zip" -w '%{http_code}' "$url/$m/@v/v1.0.0.zip")
t1=$(now_ns)
hwm_all "$LIGHTTPD_PID" >"$D/hwm.after"
[ "$code" = 200 ] ||
    die "modvault answered $code for $m@v1.0.0.zip: $(tail -3 "$D/run-rss/lighttpd-error.log")"
stop_lighttpd
# The responder that served it is the one whose peak grew (lighttpd runs
# several; the others only answered /healthz, if anything): the largest
# growth, its peak before and after.
# shellcheck disable=SC2046
set -- $(awk 'NR == FNR { b[$1] = $2; next }
    { o = $1 in b ? b[$1] : 0; g = $2 - o
      if (!n++ || g > best) { best = g; p = $2; q = o } }
    END { print q, p }' "$D/hwm.before" "$D/hwm.after")
before=$1
after=$2
zsz=$(wc -c <"$D/big100m.zip" | tr -d ' ')
[ "$zsz" -gt $((rss_mb * 1048576)) ] ||
    die "the zip of $m@v1.0.0 has $zsz bytes, less than its data"
echo "# (b) peak RSS building $m@v1.0.0 from git ($zsz byte zip," \
    "cold GET in $(ms "$t0" "$t1") ms)"
printf '%-34s %9s KiB  (start-up, libraries, /healthz)\n' \
    "modvault.fcgi before the request" "$before"
printf '%-34s %9s KiB  +%s   target < 16384  %s\n' \
    "modvault.fcgi after the request" "$after" $((after - before)) \
    "$(verdict "$after" "<" 16384)"
# For reference, not a target: the largest peak of a responder after the
# cold fetches of (a): memory follows the number of files in a zip (the
# validation keeps a record per entry), not its size.
big=$(sort -n "$D/big10k.hwm" 2>/dev/null | tail -1)
[ -z "$big" ] || printf '%-34s %9s KiB  +%s   after (a)'"'"'s %s files; no target\n' \
    "modvault.fcgi, the big10k zip" "$big" $((big - before)) \
    "$(git -C "$D/repos/big10k.git" ls-tree -r --name-only v1.0.0 | wc -l)"
# The CLI the same way, on a fresh store.  GNU time reports the largest
# peak of the process tree it waited for: modvault's own or that of one of
# the git processes it ran (git's peak is not modvault's memory).
mv_fresh "$D/mv-cli"
/usr/bin/time -f '%M' -o "$D/cli.rss" "$MODVAULT" --config "$D/mv-cli.conf" \
    fetch "$m@v1.0.0" >"$D/cli.out" 2>&1 ||
    die "modvault fetch $m@v1.0.0 failed: $(tail -3 "$D/cli.out")"
cli=$(tail -1 "$D/cli.rss")
printf '%-34s %9s KiB  (modvault or a git it ran, the larger)\n' \
    "modvault fetch, GNU time %M" "$cli"
exit 0
