# bench/lib.sh: the helpers every bench script had its own copy of.
# Sourced (. "$here/lib.sh") right after a script sets $here.

# bench_paths [BUILDDIR]: MV_SRCDIR (this tree), MV_BUILDDIR (BUILDDIR,
# else $MV_BUILDDIR, else build/) and MV_FIXTURES (the build's fixtures
# unless set), exported for the helpers the scripts run.
bench_paths() {
	MV_SRCDIR=$(cd "$here/.." && pwd)
	MV_BUILDDIR=${1:-${MV_BUILDDIR:-$here/../build}}
	MV_FIXTURES=${MV_FIXTURES:-$MV_BUILDDIR/tests/fixtures}
	export MV_SRCDIR MV_BUILDDIR MV_FIXTURES
}

# die MESSAGE: the measurement cannot be made; "SCRIPT: MESSAGE", exit 1.
die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# median FILE: the median of the numbers in FILE, one a line (the mean of
# the middle two when there is an even count).
median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
	    if (NR % 2) print v[(NR + 1) / 2];
	    else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_scratch: $D, a scratch directory removed at exit (kept with
# MV_KEEP), and $pids, the servers to stop then.
bench_scratch() {
	D=$(mktemp -d "${TMPDIR:-/tmp}/modvault-bench.XXXXXX") ||
	    die "no scratch dir"
	pids=
	trap bench_cleanup EXIT
	trap 'exit 1' INT TERM
}
bench_cleanup() {
	[ -z "$pids" ] || kill $pids 2>/dev/null
	if [ -n "${MV_KEEP:-}" ]; then echo "# kept $D" >&2; else rm -rf "$D"; fi
}
