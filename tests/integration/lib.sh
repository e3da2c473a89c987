# lib.sh: shared helpers for the integration tests (sourced, POSIX sh).
#
# Tests print TAP-style "ok N - what" / "not ok N - what" lines and exit
# 0 (pass), 1 (fail) or 77 (skip: a tool is missing).  Under ./quickstart
# check MV_REQUIRE_ALL=1 turns every skip into a failure, because CI
# installs every tool.
#
# Environment from make check: MV_BUILDDIR, MV_SRCDIR, MV_FIXTURES.

: "${MV_BUILDDIR:?run the integration tests with make check}"
: "${MV_SRCDIR:?run the integration tests with make check}"
: "${MV_FIXTURES:?run the integration tests with make check}"

MODVAULT=$MV_BUILDDIR/modvault
MODVAULT_FCGI=$MV_BUILDDIR/modvault.fcgi
mv_ntests=0
mv_nfailed=0

# Makes a scratch directory removed at exit (kept when MV_KEEP is set).
mv_tmpdir() {
	MV_TMP=$(mktemp -d "${TMPDIR:-/tmp}/modvault-test.XXXXXX")
	trap 'mv_cleanup' EXIT
	trap 'exit 1' INT TERM
}

# Extra cleanup commands registered by tests (e.g. stopping servers).
mv_on_exit=:
mv_at_exit() { mv_on_exit="$*; $mv_on_exit"; }

mv_cleanup() {
	eval "$mv_on_exit" 2>/dev/null || true
	if [ -n "${MV_KEEP:-}" ]; then
		echo "# kept $MV_TMP" >&2
	else
		rm -rf "$MV_TMP"
	fi
}

ok() {
	mv_ntests=$((mv_ntests + 1))
	echo "ok $mv_ntests - $*"
}

fail() {
	mv_ntests=$((mv_ntests + 1))
	mv_nfailed=$((mv_nfailed + 1))
	echo "not ok $mv_ntests - $*"
}

# check "description" command...: ok if the command succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else fail "$desc"; fi
}

# Skips the whole test (exit 77) unless MV_REQUIRE_ALL is set.
skip_all() {
	if [ -n "${MV_REQUIRE_ALL:-}" ]; then
		echo "not ok - required tool missing: $*"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 77
}

need() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip_all "$t not installed"
	done
}

# Ends the test: a plan line and the exit status.
done_testing() {
	echo "1..$mv_ntests"
	[ "$mv_nfailed" -eq 0 ]
	exit $?
}

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until URL answers (any HTTP status) or 10 s pass.
wait_http() {
	i=0
	while [ $i -lt 100 ]; do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# $1 did not come up" >&2
	return 1
}

# Writes a modvault.conf at $1 with data_dir $2 plus the lines on stdin.
write_config() {
	{ echo "data_dir = $2"; cat; } > "$1"
}

# A store in $MV_TMP/data filled from the fixture upstream tree; extra
# config lines in $1.
fixture_store() {
	printf 'log_level = debug\n%s\n' "${1:-}" |
	    write_config "$MV_TMP/modvault.conf" "$MV_TMP/data"
	"$MODVAULT" --config "$MV_TMP/modvault.conf" init >/dev/null &&
	"$MODVAULT" --config "$MV_TMP/modvault.conf" import \
	    "$MV_FIXTURES/upstream" >/dev/null
}

# Runs the fixture client (the real go command) against a proxy URL.
run_go_client() {
	sh "$MV_FIXTURES/run-client.sh" "$1" > "$MV_TMP/client.log" 2>&1 ||
	    { sed 's/^/# /' "$MV_TMP/client.log" | tail -40; return 1; }
}

# `go get M@latest` for every fixture module in a scratch module, then
# checks that each go.sum line go wrote is the fixture's (public sumdb) line.
run_go_get() {
	g=$MV_TMP/goget
	rm -rf "$g"
	mkdir -p "$g/src"
	(
		cd "$g/src" &&
		export GOPATH="$g/gopath" GOMODCACHE="$g/gopath/pkg/mod" \
		    GOCACHE="$g/cache" GOPROXY="$1" GOSUMDB=off GOFLAGS=-mod=mod \
		    GONOSUMDB= GOPRIVATE= GONOPROXY= GOWORK=off GO111MODULE=on \
		    GOTOOLCHAIN=local GOENV=off GOVCS='*:off' &&
		go mod init example.com/scratch >/dev/null 2>&1 &&
		for m in $(awk '{print $1}' "$MV_FIXTURES/go.sum" | sort -u); do
			go get "$m@latest" || exit 1
		done
	) > "$MV_TMP/goget.log" 2>&1 || { sed 's/^/# /' "$MV_TMP/goget.log" | tail -20; return 1; }
	# Every line go recorded must be one of the fixture's verified lines.
	while read -r line; do
		grep -qxF "$line" "$MV_FIXTURES/go.sum" ||
		    { echo "# unexpected go.sum line: $line"; return 1; }
	done < "$g/src/go.sum"
	[ -s "$g/src/go.sum" ]
	chmod -R u+w "$g" 2>/dev/null; rm -rf "$g"
}
