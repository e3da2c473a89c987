# lib.sh: shared helpers for the integration tests (sourced by sh scripts).
#
# Environment (set by make check): MV_BUILDDIR (build dir holding ./modvault
# and ./modvault.fcgi), MV_SRCDIR (source dir), MV_FIXTURES (the shared
# fixtures).  Output is TAP ("ok N - what", "not ok N - what", a closing
# "1..N"); the exit status is 0 pass, 1 fail, 77 skip.  Set MV_KEEP=1 to
# keep the temporary directory of a run for inspection.

MV_TEST_N=0
MV_TEST_FAILED=0
: "${MV_BUILDDIR:=$(pwd)}"
: "${MV_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${MV_FIXTURES:=$MV_SRCDIR/../shared/fixtures}"
MODVAULT="$MV_BUILDDIR/modvault"
MODVAULT_FCGI="$MV_BUILDDIR/modvault.fcgi"

# mv_at_exit COMMAND: runs COMMAND when the script exits (stopping servers).
mv_on_exit=:
mv_at_exit() { mv_on_exit="$*; $mv_on_exit"; }

# ok DESCRIPTION: records a passing test.
ok() {
	MV_TEST_N=$((MV_TEST_N + 1))
	echo "ok $MV_TEST_N - $*"
}

# fail DESCRIPTION: records a failing test (the script goes on).
fail() {
	MV_TEST_N=$((MV_TEST_N + 1))
	MV_TEST_FAILED=1
	echo "not ok $MV_TEST_N - $*"
}

# check DESCRIPTION COMMAND...: ok when COMMAND succeeds.
check() {
	mv_desc=$1
	shift
	if "$@"; then ok "$mv_desc"; else fail "$mv_desc"; fi
}

# expect_status WANT DESCRIPTION COMMAND...: ok when COMMAND exits WANT;
# its stdout and stderr are left in $MV_TMP/out and $MV_TMP/err.
expect_status() {
	mv_want=$1
	mv_desc=$2
	shift 2
	"$@" >"$MV_TMP/out" 2>"$MV_TMP/err"
	mv_got=$?
	if [ "$mv_got" -eq "$mv_want" ]; then
		ok "$mv_desc"
	else
		fail "$mv_desc (exit $mv_got, want $mv_want)"
		sed 's/^/# stdout: /' "$MV_TMP/out" | head -20
		sed 's/^/# stderr: /' "$MV_TMP/err" | head -20
	fi
}

# skip_all is the same as skip (older name).
skip_all() { skip "$@"; }

# skip REASON: skips the whole script, except under ./quickstart check
# (MV_REQUIRE_ALL=1), which installs every tool, so a skip there is a bug.
skip() {
	if [ -n "${MV_REQUIRE_ALL:-}" ]; then
		echo "not ok - cannot run: $*"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 77
}

# need TOOL...: skips unless every TOOL is on PATH.
need() {
	for mv_tool in "$@"; do
		command -v "$mv_tool" >/dev/null 2>&1 || skip "$mv_tool not found"
	done
}

# mv_tmpdir: makes $MV_TMP, removed when the script exits.
mv_tmpdir() {
	MV_TMP=$(mktemp -d "${TMPDIR:-/tmp}/modvault-test.XXXXXX") ||
	    { echo "Bail out! cannot make a temporary directory"; exit 1; }
	if [ -z "${MV_KEEP:-}" ]; then
		trap 'eval "$mv_on_exit"; rm -rf "$MV_TMP"' EXIT
	else
		trap 'eval "$mv_on_exit"' EXIT
		echo "# keeping $MV_TMP"
	fi
	trap 'exit 1' INT TERM HUP PIPE
}

# mv_done (or done_testing): prints the plan and exits with the verdict.
mv_done() {
	echo "1..$MV_TEST_N"
	exit $MV_TEST_FAILED
}
done_testing() { mv_done; }

# sha256 FILE: the lowercase hex SHA-256 of FILE.
sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	else
		openssl dgst -sha256 -r "$1" | cut -d' ' -f1
	fi
}

# blob_path DATA_DIR FILE: where the store keeps FILE's bytes.
blob_path() {
	mv_h=$(sha256 "$2")
	echo "$1/blobs/$(echo "$mv_h" | cut -c1-2)/$(echo "$mv_h" | cut -c3-4)/$mv_h"
}

# count_files DIR: regular files under DIR.
count_files() {
	find "$1" -type f | wc -l | tr -d ' '
}

# --- servers and the go command ------------------------------------------

# free_port: a free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL: waits until URL answers (any status), at most 10 s.
wait_http() {
	mv_i=0
	while [ $mv_i -lt 100 ]; do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
		mv_i=$((mv_i + 1))
	done
	echo "# $1 did not come up" >&2
	return 1
}

# write_config FILE DATA_DIR: a modvault.conf with the lines on stdin.
write_config() {
	{ echo "data_dir = $2"; cat; } > "$1"
}

# fixture_store [EXTRA_CONFIG_LINES]: $MV_TMP/modvault.conf and a store in
# $MV_TMP/data filled from the fixtures' upstream tree.
fixture_store() {
	printf 'log_level = debug\n%s\n' "${1:-}" |
	    write_config "$MV_TMP/modvault.conf" "$MV_TMP/data"
	"$MODVAULT" --config "$MV_TMP/modvault.conf" init >/dev/null &&
	"$MODVAULT" --config "$MV_TMP/modvault.conf" import \
	    "$MV_FIXTURES/upstream" >/dev/null
}

# run_go_client URL: the fixture client (the real go command) through URL.
run_go_client() {
	sh "$MV_FIXTURES/run-client.sh" "$1" > "$MV_TMP/client.log" 2>&1 ||
	    { sed 's/^/# /' "$MV_TMP/client.log" | tail -40; return 1; }
}

# run_go_get URL: `go get M@latest` for every fixture module in a scratch
# module; every go.sum line go writes must be the fixture's (sumdb) line.
run_go_get() {
	mv_g=$MV_TMP/goget
	rm -rf "$mv_g"
	mkdir -p "$mv_g/src"
	(
		cd "$mv_g/src" &&
		export GOPATH="$mv_g/gopath" GOMODCACHE="$mv_g/gopath/pkg/mod" \
		    GOCACHE="$mv_g/cache" GOPROXY="$1" GOSUMDB=off GOFLAGS=-mod=mod \
		    GONOSUMDB= GOPRIVATE= GONOPROXY= GOWORK=off GO111MODULE=on \
		    GOTOOLCHAIN=local GOENV=off GOVCS='*:off' &&
		go mod init example.com/scratch >/dev/null 2>&1 &&
		for m in $(awk '{print $1}' "$MV_FIXTURES/go.sum" | sort -u); do
			go get "$m@latest" || exit 1
		done
	) > "$MV_TMP/goget.log" 2>&1 ||
	    { sed 's/^/# /' "$MV_TMP/goget.log" | tail -20; return 1; }
	while read -r mv_line; do
		grep -qxF "$mv_line" "$MV_FIXTURES/go.sum" ||
		    { echo "# unexpected go.sum line: $mv_line"; return 1; }
	done < "$mv_g/src/go.sum"
	[ -s "$mv_g/src/go.sum" ] || return 1
	chmod -R u+w "$mv_g" 2>/dev/null
	rm -rf "$mv_g"
}

# wait_file FILE: waits until FILE is non-empty, at most 10 s.
wait_file() {
	mv_i=0
	while [ ! -s "$1" ] && [ $mv_i -lt 100 ]; do
		sleep 0.1
		mv_i=$((mv_i + 1))
	done
	[ -s "$1" ]
}

# start_lighttpd CONFIG DATA_DIR: lighttpd on a free port with the shipped
# contrib/lighttpd template, spawning modvault.fcgi with CONFIG; sets url
# and LIGHTTPD_PID once /healthz answers.
start_lighttpd() {
	rm -rf "$MV_TMP/run"
	mkdir -p "$MV_TMP/run/htdocs"
	mv_port=$(free_port)
	"$MV_SRCDIR/contrib/render.sh" \
	    "$MV_SRCDIR/contrib/lighttpd/lighttpd.conf.in" \
	    "$MV_TMP/run/lighttpd.conf" PORT="$mv_port" RUNDIR="$MV_TMP/run" \
	    FCGI="$MODVAULT_FCGI" CONFIG="$1" DATA="$2" &&
	    lighttpd -tt -f "$MV_TMP/run/lighttpd.conf" || return 1
	lighttpd -D -f "$MV_TMP/run/lighttpd.conf" &
	LIGHTTPD_PID=$!
	mv_at_exit "kill $LIGHTTPD_PID"
	url=http://127.0.0.1:$mv_port
	wait_http "$url/healthz"
}

stop_lighttpd() {
	kill "$LIGHTTPD_PID" 2>/dev/null
	wait "$LIGHTTPD_PID" 2>/dev/null
	return 0
}

# start_upstream ROOT [--fault SUFFIX=KIND]...: serves ROOT as a GOPROXY
# upstream (tests/integration/upstream.py); sets UP_URL, UP_PID and UP_LOG
# (one line per request).  UPSTREAM_PORT in the environment reuses a port.
start_upstream() {
	mv_root=$1
	shift
	rm -f "$MV_TMP/upstream.port"
	UP_LOG=$MV_TMP/upstream.log
	python3 "$MV_SRCDIR/tests/integration/upstream.py" "$mv_root" \
	    "$MV_TMP/upstream.port" "$UP_LOG" "$@" &
	UP_PID=$!
	mv_at_exit "kill $UP_PID"
	wait_file "$MV_TMP/upstream.port" || return 1
	UP_PORT=$(cat "$MV_TMP/upstream.port")
	UP_URL=http://127.0.0.1:$UP_PORT
}

stop_upstream() {
	kill "$UP_PID" 2>/dev/null
	wait "$UP_PID" 2>/dev/null
	return 0
}

# upstream_count PATTERN: requests in the upstream log matching PATTERN.
upstream_count() {
	grep -c -- "$1" "$UP_LOG" || true
}

[ -x "$MODVAULT" ] || { echo "Bail out! no $MODVAULT (set MV_BUILDDIR)"; exit 1; }
[ -d "$MV_FIXTURES/upstream" ] || skip "no fixtures in $MV_FIXTURES"
