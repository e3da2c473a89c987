#!/bin/sh
# bundle.sh: modvault export and import of a bundle against tar + zstd over
# the same files, in one run.
#
# usage: bench/bundle.sh [BUILDDIR]
#   BUILDDIR  holds modvault ($1, else $MV_BUILDDIR, else bench/../build)
# environment:
#   MV_BENCH_MODULES   module versions in the store (default 100)
#   MV_BENCH_KB        data per version, KiB (default 512)
#   MV_BENCH_ROUNDS    rounds, median reported (default 3)
#   MV_KEEP            keep the scratch directory
#
# The store is filled with `modvault import` from a GOPROXY tree of
# generated modules (tests/integration/mkmodule.py: go.mod and data.bin of
# incompressible, reproducible bytes).  Export: `modvault export -o` of
# every version, against `tar -c` of the store's blob files piped to
# `zstd -3` (libarchive's default level too).  Import: `modvault import`
# of that bundle into an empty store (manifest digests, zip validation,
# h1 hashes, blobs made durable, one index row each), against
# `zstd -dc | tar -x` of the tar.zst into an empty directory.  No checksum
# database is configured: the proof's cost (a few tiles per version) is
# not what this measures.  Also times `modvault import DIR` of the same
# versions from the GOPROXY tree, for scale.  Prints each median and the ratio of speeds
# (tar time / modvault time; the target is >= 0.5).  A measurement, not a
# test: exits 0 whatever the numbers, 1 when it could not measure.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
MV_BUILDDIR=${1:-${MV_BUILDDIR:-$here/../build}}
n=${MV_BENCH_MODULES:-100}
kb=${MV_BENCH_KB:-512}
rounds=${MV_BENCH_ROUNDS:-3}


for t in tar zstd python3; do
	command -v "$t" >/dev/null 2>&1 || die "$t not installed"
done
[ -x "$MV_BUILDDIR/modvault" ] ||
    die "no $MV_BUILDDIR/modvault (build first, or pass BUILDDIR)"
MODVAULT=$(cd "$MV_BUILDDIR" && pwd)/modvault
D=$(mktemp -d "${TMPDIR:-/tmp}/modvault-bench.XXXXXX") || die "mktemp"
[ -n "${MV_KEEP:-}" ] && echo "keeping $D" || trap 'rm -rf "$D"' EXIT

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }
store() {
	printf 'data_dir = %s\nupstream = off\n' "$D/$1" > "$D/$1.conf"
	rm -rf "$D/$1"
	"$MODVAULT" --config "$D/$1.conf" init >/dev/null || die "init $1"
}

i=0
while [ "$i" -lt "$n" ]; do
	python3 "$here/../tests/integration/mkmodule.py" "$D/up" \
	    "bench.test/m$i" v1.0.0 $((kb * 1024)) >/dev/null || die "mkmodule"
	i=$((i + 1))
done
store src
"$MODVAULT" --config "$D/src.conf" import "$D/up" >/dev/null || die "import tree"
bytes=$(du -sb "$D/src/blobs" | cut -f1)

: > "$D/dir.mv"; : > "$D/export.mv"; : > "$D/export.tar"; : > "$D/import.mv"; : > "$D/import.tar"
r=0
while [ "$r" -lt "$rounds" ]; do
	t0=$(now)
	"$MODVAULT" --config "$D/src.conf" export -o "$D/b.tar.zst" \
	    >/dev/null 2>&1 || die "export"
	t1=$(now)
	tar -C "$D/src" -cf - blobs | zstd -q -3 -o "$D/t.tar.zst" -f ||
	    die "tar | zstd"
	t2=$(now)
	store dst
	t3=$(now)
	"$MODVAULT" --config "$D/dst.conf" import "$D/b.tar.zst" \
	    > "$D/import.out" 2>&1 || die "import: $(tail -1 "$D/import.out")"
	t4=$(now)
	rm -rf "$D/x" && mkdir "$D/x"
	t5=$(now)
	zstd -dc "$D/t.tar.zst" | tar -x -C "$D/x" || die "zstd | tar"
	t6=$(now)
	store dir
	t7=$(now)
	"$MODVAULT" --config "$D/dir.conf" import "$D/up" >/dev/null 2>&1 ||
	    die "import DIR"
	t8=$(now)
	echo "$t8 - $t7" | bc -l >> "$D/dir.mv"
	echo "$t1 - $t0" | bc -l >> "$D/export.mv"
	echo "$t2 - $t1" | bc -l >> "$D/export.tar"
	echo "$t4 - $t3" | bc -l >> "$D/import.mv"
	echo "$t6 - $t5" | bc -l >> "$D/import.tar"
	r=$((r + 1))
done
grep -qx "$n versions: $n stored, 0 already present, 0 refused" "$D/import.out" ||
    die "import did not store the $n versions: $(tail -1 "$D/import.out")"

report() {
	mv_t=$(median "$D/$1.mv")
	tar_t=$(median "$D/$1.tar")
	ratio=$(echo "$tar_t / $mv_t" | bc -l)
	verdict=$(echo "$ratio >= 0.5" | bc -l)
	printf '%-7s modvault %6.3fs (%6.1f MiB/s)  %-13s %6.3fs (%6.1f MiB/s)  speed ratio %.2f  %s\n' \
	    "$1" "$mv_t" "$(echo "$bytes / 1048576 / $mv_t" | bc -l)" "$2" \
	    "$tar_t" "$(echo "$bytes / 1048576 / $tar_t" | bc -l)" "$ratio" \
	    "$([ "$verdict" = 1 ] && echo PASS || echo MISS)"
}
echo "$n versions, $(echo "$bytes / 1048576" | bc -l | xargs printf '%.1f') MiB of blobs, median of $rounds rounds (target: speed ratio >= 0.5)"
report export "tar | zstd"
report import "zstd -d | tar"
# The same versions from a GOPROXY tree: what validating and storing them
# costs whatever carries them (each blob and row made durable).
printf 'for scale: modvault import DIR of the same versions %.3fs\n' \
    "$(median "$D/dir.mv")"
