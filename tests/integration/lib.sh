# lib.sh: shared helpers for the integration tests (sourced by sh scripts).
#
# Environment (set by make check): MV_BUILDDIR (build dir holding ./modvault
# and ./modvault.fcgi), MV_SRCDIR (source dir), MV_FIXTURES (the module set
# tests/modgen/modgen.go writes: upstream/, go.sum, client/, modules.txt;
# see tests/modgen/README.md), MV_GOPATH (a GOPATH holding golang.org/x/mod,
# for building tests/sumdb-server).  Output is TAP ("ok N - what",
# "not ok N - what", a closing "1..N"); the exit status is 0 pass, 1 fail,
# 77 skip.  Set MV_KEEP=1 to keep the temporary directory of a run for
# inspection.

MV_TEST_N=0
MV_TEST_FAILED=0
: "${MV_BUILDDIR:=$(pwd)}"
: "${MV_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${MV_FIXTURES:=$MV_BUILDDIR/tests/fixtures}"
: "${MV_GOPATH:=/usr/share/gocode}"
MODVAULT="$MV_BUILDDIR/modvault"
MODVAULT_FCGI="$MV_BUILDDIR/modvault.fcgi"
# The CLI with crash points (tests/common/crash_hook.c), for crash.sh.
MODVAULT_CRASH="$MV_BUILDDIR/tests/modvault-crash"

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

# sanitized: true when modvault was built with AddressSanitizer (which
# reserves terabytes of address space, and holds freed memory on purpose).
sanitized() {
	ldd "$MODVAULT_FCGI" 2>/dev/null | grep -q libasan
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

# manifests DATA_DIR: "SIZE FILE" of each version manifest among the
# store's blobs (blob files starting "modvault manifest 1"), one a line.
manifests() {
	find "$1/blobs" -type f -size -5k | while read -r mv_f; do
		[ "$(head -c 20 "$mv_f" | tr -d '\0')" = "modvault manifest 1" ] &&
		    echo "$(wc -c <"$mv_f" | tr -d ' ') $mv_f"
	done
	return 0
}

# manifest_of DATA_DIR MODULE VERSION: the manifest blob file of a version.
manifest_of() {
	manifests "$1" | while read -r mv_s mv_f; do
		grep -qxF "module $2" "$mv_f" && grep -qxF "version $3" "$mv_f" &&
		    echo "$mv_f"
	done | head -1
}

# --- waiting on a condition --------------------------------------------

# wait_for SECONDS COMMAND...: runs COMMAND until it succeeds, polling
# briefly, for at most SECONDS; false when it never did.
wait_for() {
	mv_end=$(($(date +%s) + $1 + 1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$mv_end" ] || return 1
		sleep 0.05
	done
}

# wait_file FILE: waits until FILE is non-empty, at most 10 s.
wait_file() {
	wait_for 10 test -s "$1"
}

# wait_log PATTERN FILE: waits until FILE has a line matching PATTERN (a
# grep BRE), at most 10 s.
wait_log() {
	wait_for 10 grep -q -- "$1" "$2"
}

# access_logged URI FILE: FILE (the log the README points to for a
# setup) gets modvault's stamped access line of a 200 for URI (a fixture
# file's path under the mount) with that file's size as the bytes sent,
# within 10 s.
access_logged() {
	mv_line="[0-9]\{4\}-[0-9-]\{5\}T[0-9:]\{8\}\.[0-9]\{3\}Z modvault\[[0-9]*\]: info: GET /$1 200 bytes=$(wc -c <"$MV_FIXTURES/upstream/$1" | tr -d ' ') ms=[0-9]* how=hit"
	wait_log "$mv_line" "$2" && return 0
	echo "# no access line for /$1 in $2:"
	grep 'modvault\[' "$2" | tail -3 | sed 's/^/#   /'
	return 1
}

# wait_http URL: waits until URL answers (any status), at most 10 s.
wait_http() {
	wait_for 10 curl -s -o /dev/null "$1" ||
	    { echo "# $1 did not come up" >&2; return 1; }
}

# staged DATA_DIR: the staged files (stage-*) in the store's staging area,
# one "SIZE NAME" a line.
staged() {
	find "$1/tmp" -maxdepth 1 -type f -name 'stage-*' -printf '%s %f\n' \
	    2>/dev/null
}

# old_store DIR: an empty store in DIR at index schema version 1 (only
# sql/001-initial.sql applied), as the first release of modvault made it.
old_store() {
	mkdir -p "$1/blobs" "$1/tmp" &&
	python3 - "$1/index.db" "$MV_SRCDIR/sql/001-initial.sql" \
	    "$MV_SRCDIR/src/lib/store/schema.h" <<'PY'
import re, sqlite3, sys
appid = re.search(r"#define MV_SCHEMA_APPLICATION_ID\s+(\w+)",
                  open(sys.argv[3]).read()).group(1)
db = sqlite3.connect(sys.argv[1])
db.executescript(open(sys.argv[2]).read())
db.execute("PRAGMA application_id = %d" % int(appid, 0))
db.execute("PRAGMA user_version = 1")
db.commit()
PY
}

# --- the fixtures ---------------------------------------------------------
# $MV_FIXTURES/modules.txt has one line "MODULE VERSION KIND" a version
# (tests/modgen/README.md lists the kinds); tests pick what they need by
# kind, never by a hard-coded name, and count from these files.

# fx_escape PATH: PATH case-encoded as a proxy serves it (GP-2.2).
fx_escape() {
	printf '%s\n' "$1" | LC_ALL=C sed 's/[A-Z]/!&/g' | LC_ALL=C tr 'A-Z' 'a-z'
}

# fx_mod KIND, fx_ver KIND: the module and version of the first fixture
# version of KIND.
fx_mod() {
	awk -v k="$1" '$3 == k { print $1; exit }' "$MV_FIXTURES/modules.txt"
}
fx_ver() {
	awk -v k="$1" '$3 == k { print $2; exit }' "$MV_FIXTURES/modules.txt"
}

# fx_file MODULE VERSION EXT: the fixture upstream's .EXT (info, mod, zip)
# of MODULE@VERSION.
fx_file() {
	echo "$MV_FIXTURES/upstream/$(fx_escape "$1")/@v/$(fx_escape "$2").$3"
}

# fx_latest MODULE: the version the fixture upstream's @latest names.
fx_latest() {
	sed -n 's/.*"Version": *"\([^"]*\)".*/\1/p' \
	    "$MV_FIXTURES/upstream/$(fx_escape "$1")/@latest"
}

# fx_versions: the number of fixture module versions.
fx_versions() {
	wc -l <"$MV_FIXTURES/modules.txt" | tr -d ' '
}

# fx_modules: the number of distinct fixture modules.
fx_modules() {
	awk '{ print $1 }' "$MV_FIXTURES/modules.txt" | sort -u | wc -l |
	    tr -d ' '
}

# fx_sums: "SHA256 SIZE" of every .info, .mod and .zip of the upstream
# tree, one a line (a file of the same bytes twice is two lines).
fx_sums() {
	find "$MV_FIXTURES/upstream" -type f \( -name '*.info' -o \
	    -name '*.mod' -o -name '*.zip' \) -exec sha256sum {} + |
	while read -r mv_h mv_f; do
		echo "$mv_h $(wc -c <"$mv_f" | tr -d ' ')"
	done
}

# fx_blobs: the blobs a store of every fixture version holds (identical
# bytes once).
fx_blobs() {
	fx_sums | sort -u | wc -l | tr -d ' '
}

# --- servers and the go command ------------------------------------------

# free_port: a free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
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

# run_go_client URL: tests/run-client.sh: the real go command builds the
# fixture client through URL, checking every download against go.sum.
run_go_client() {
	sh "$MV_SRCDIR/tests/run-client.sh" "$1" "$MV_FIXTURES" \
	    > "$MV_TMP/client.log" 2>&1 ||
	    { sed 's/^/# /' "$MV_TMP/client.log" | tail -40; return 1; }
}

# run_go_get URL: in a scratch module, `go get M@latest` for every fixture
# module, which must resolve to the version the fixture upstream's @latest
# names (a release over a prerelease, the pseudo-version of a module with
# no tag), then `go get M@V` for every prerelease; every go.sum line go
# writes must be the fixture's.
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
			v=$(go list -m -f '{{.Version}}' "$m") || exit 1
			[ "$v" = "$(fx_latest "$m")" ] ||
			    { echo "go get $m@latest chose $v, upstream's @latest is $(fx_latest "$m")"; exit 1; }
		done &&
		for mv in $(awk '$3 == "prerelease" { print $1 "@" $2 }' \
		    "$MV_FIXTURES/modules.txt"); do
			go get "$mv" || exit 1
			v=$(go list -m -f '{{.Version}}' "${mv%@*}") || exit 1
			[ "$v" = "${mv#*@}" ] ||
			    { echo "go get $mv chose $v"; exit 1; }
		done
	) > "$MV_TMP/goget.log" 2>&1 ||
	    { sed 's/^/# /' "$MV_TMP/goget.log" | tail -20; return 1; }
	[ -s "$mv_g/src/go.sum" ] || { echo "# go get wrote no go.sum"; return 1; }
	while read -r mv_line; do
		grep -qxF "$mv_line" "$MV_FIXTURES/go.sum" ||
		    { echo "# unexpected go.sum line: $mv_line"; return 1; }
	done < "$mv_g/src/go.sum"
	chmod -R u+w "$mv_g" 2>/dev/null
	rm -rf "$mv_g"
}

# start_lighttpd CONFIG DATA_DIR [RUN_DIR [TREE]]: lighttpd on a free port
# with the shipped contrib/lighttpd template, spawning modvault.fcgi with
# CONFIG; sets url and LIGHTTPD_PID once /healthz answers.  DATA_DIR is
# where X-Sendfile may read blobs/ (with storage = s3, the node cache:
# data_dir/cache); RUN_DIR (default $MV_TMP/run) holds its sockets and
# logs, so several can run at once.  With TREE, the static-tree variant
# (lighttpd-static.conf.in) serving TREE, CONFIG's static_tree, with its
# access log in RUN_DIR/access.log.
start_lighttpd() {
	mv_run=${3:-$MV_TMP/run}
	rm -rf "$mv_run"
	mkdir -p "$mv_run/htdocs"
	mv_port=$(free_port)
	mv_tpl=lighttpd.conf.in
	[ -z "${4:-}" ] || mv_tpl=lighttpd-static.conf.in
	"$MV_SRCDIR/contrib/render.sh" \
	    "$MV_SRCDIR/contrib/lighttpd/$mv_tpl" \
	    "$mv_run/lighttpd.conf" PORT="$mv_port" RUNDIR="$mv_run" \
	    FCGI="$MODVAULT_FCGI" CONFIG="$1" DATA="$2" ${4:+TREE="$4"} \
	    ${4:+LUA="$MV_SRCDIR/contrib/lighttpd/static-tree.lua"} &&
	    lighttpd -tt -f "$mv_run/lighttpd.conf" || return 1
	lighttpd -D -f "$mv_run/lighttpd.conf" &
	LIGHTTPD_PID=$!
	mv_at_exit "kill $LIGHTTPD_PID 2>/dev/null"
	url=http://127.0.0.1:$mv_port
	wait_http "$url/healthz"
}

# start_fetching_lighttpd: the fixtures' upstream (start_upstream) and an
# empty store fetching from it, at log_level = info, behind lighttpd
# (start_lighttpd; $MV_TMP/modvault.conf, $MV_TMP/data); fails when any
# of it does not start.
# lighttpd_base DOCROOT PORT ERRLOG: the lines a minimal lighttpd main
# config starts with (on 127.0.0.1), for a test that adds a snippet.
lighttpd_base() {
	printf 'server.document-root = "%s"\nserver.bind = "127.0.0.1"\n' "$1"
	printf 'server.port = %s\nserver.errorlog = "%s"\n' "$2" "$3"
}

start_fetching_lighttpd() {
	start_upstream "$MV_FIXTURES/upstream" || return 1
	printf 'upstream = %s\nlog_level = info\n' "$UP_URL" |
	    write_config "$MV_TMP/modvault.conf" "$MV_TMP/data"
	"$MODVAULT" --config "$MV_TMP/modvault.conf" init >/dev/null &&
	    start_lighttpd "$MV_TMP/modvault.conf" "$MV_TMP/data"
}

stop_lighttpd() {
	kill "$LIGHTTPD_PID" 2>/dev/null
	wait "$LIGHTTPD_PID" 2>/dev/null
	return 0
}

# start_upstream ROOT [--fault SUFFIX=KIND]...: serves ROOT as a GOPROXY
# upstream (tests/integration/upstream.py); sets UP_URL, UP_PID and UP_LOG
# (one line per request; its own errors go to $MV_TMP/upstream.err).
# UPSTREAM_PORT in the environment reuses a port; UP_NAME (default
# upstream) names its files, so several can run at once.
start_upstream() {
	mv_root=$1
	mv_up=$MV_TMP/${UP_NAME:-upstream}
	shift
	rm -f "$mv_up.port"
	UP_LOG=$mv_up.log
	python3 "$MV_SRCDIR/tests/integration/upstream.py" "$mv_root" \
	    "$mv_up.port" "$UP_LOG" "$@" 2>>"$mv_up.err" &
	UP_PID=$!
	mv_at_exit "kill $UP_PID 2>/dev/null"
	wait_file "$mv_up.port" || return 1
	UP_PORT=$(cat "$mv_up.port")
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

# start_fcgi CONFIG: modvault.fcgi as a FastCGI application, as a web
# server starts one (a listening Unix socket as its stdin), with CONFIG;
# its log goes to $MV_TMP/fcgi.err; sets FCGI_PID.  stop_fcgi stops it.
start_fcgi() {
	rm -f "$MV_TMP/fcgi.sock"
	MODVAULT_CONFIG=$1 python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
os.dup2(s.fileno(), 0)
os.execv(sys.argv[2], [sys.argv[2]])' "$MV_TMP/fcgi.sock" "$MODVAULT_FCGI" \
	    </dev/null >/dev/null 2>"$MV_TMP/fcgi.err" &
	FCGI_PID=$!
	mv_at_exit "kill $FCGI_PID 2>/dev/null"
}

stop_fcgi() {
	kill "$FCGI_PID" 2>/dev/null
	wait "$FCGI_PID" 2>/dev/null
	return 0
}

[ -x "$MODVAULT" ] || { echo "Bail out! no $MODVAULT (set MV_BUILDDIR)"; exit 1; }
[ -d "$MV_FIXTURES/upstream" ] && [ -f "$MV_FIXTURES/modules.txt" ] ||
    skip "no fixtures in $MV_FIXTURES"

# --- a Ceph object gateway, for the S3 client --------------------------------
# One monitor, one OSD keeping its data in memory (memstore) and radosgw
# (beast), all under $MV_TMP/ceph and on 127.0.0.1 only, started in about
# three seconds.  What the recipe must get right, each seen failing:
# - the monitor map has msgr2 addresses (v2:...,v1:...), or the OSD loops
#   on "Address family not supported";
# - with auth "none", clients need `ms mon client mode = crc secure`, or
#   they loop on "get_initial_auth_request returned -13";
# - `paxos propose interval = 0.1`: radosgw's first start makes a dozen
#   pool changes, each waiting for a monitor commit (1 s by default);
# - `rgw enable lc threads = false`: at night (UTC) the lifecycle workers
#   delay shutdown by seconds;
# - the OSD binds a port range of its own, below the ephemeral ports that
#   free_port hands out, so parallel scripts do not take each other's.

# mv_ceph_params: "MON_V1 MON_V2 RGW OSD FSID SECRET": three distinct free
# ports, the first of 20 free ones below the ephemeral range (the OSD's),
# a cluster id and a random secret key (one Python start: each costs up
# to a second on a loaded machine).
mv_ceph_params() {
	python3 - <<'PY'
import random, secrets, socket, uuid
def free_range(n):
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    for _ in range(100):
        base, socks = random.randrange(10000, low - n), []
        try:
            for p in range(base, base + n):
                socks.append(socket.socket())
                socks[-1].bind(("127.0.0.1", p))
            return base
        except OSError:
            pass
        finally:
            for s in socks:
                s.close()
    raise SystemExit(1)
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
ports = [s.getsockname()[1] for s in socks]
print(*ports, free_range(20), uuid.uuid4(), secrets.token_hex(20))
PY
}

# mv_ceph_conf DIR FSID MON_V1 MON_V2 OSD_PORT RGW_PORT: DIR/ceph.conf.
mv_ceph_conf() {
	cat >"$1/ceph.conf" <<CONF
[global]
fsid = $2
mon host = [v2:127.0.0.1:$4,v1:127.0.0.1:$3]
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
run dir = $1/run
crash dir = $1/run
log file = $1/\$name.log
admin socket = $1/run/\$name.asok
keyring = $1/keyring
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon data avail crit = 1
[mon]
mon data = $1/mon
paxos propose interval = 0.1
[osd]
osd data = $1/osd
osd objectstore = memstore
memstore device bytes = 1073741824
ms bind port min = $5
ms bind port max = $(($5 + 19))
[client]
ms mon client mode = crc secure
rgw data = $1/rgw
rgw frontends = beast endpoint=127.0.0.1:$6 tcp_nodelay=1
rgw enable lc threads = false
CONF
}

# mv_gone PID: PID has exited (a child not yet reaped is a zombie).
mv_gone() {
	! kill -0 "$1" 2>/dev/null ||
	    [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" = Z ]
}

# mv_up_or_gone PID URL: URL answers, or PID (its server) has exited.
mv_up_or_gone() {
	curl -s -o /dev/null "$2" || mv_gone "$1"
}

# mv_ceph_logs: the end of each daemon's log, as TAP comments; false.
mv_ceph_logs() {
	for mv_f in "$MV_TMP"/ceph/*.log "$MV_TMP"/ceph/*.out; do
		[ -f "$mv_f" ] && tail -5 "$mv_f" | sed "s|^|# ${mv_f##*/}: |"
	done
	return 1
}

# mv_s3_put_bucket: creates $S3_BUCKET with a signed PUT; 200 or false.
mv_s3_put_bucket() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
	    --aws-sigv4 "aws:amz:$S3_REGION:s3" \
	    -u "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
	    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
	    "$S3_ENDPOINT/$S3_BUCKET")" = 200 ]
}

# start_ceph: the gateway, a user and an empty bucket; exports S3_ENDPOINT,
# S3_ACCESS_KEY, S3_SECRET_KEY (random for the run), S3_BUCKET, S3_REGION.
# stop_ceph (also run at exit) stops it.
start_ceph() {
	need ceph ceph-mon ceph-osd radosgw radosgw-admin monmaptool curl \
	    python3 timeout
	mv_c=$MV_TMP/ceph
	rm -rf "$mv_c"
	mkdir -p "$mv_c/mon" "$mv_c/osd" "$mv_c/run" "$mv_c/rgw" || return 1
	set -- $(mv_ceph_params)
	[ $# -eq 6 ] || return 1
	mv_fsid=$5
	mv_ceph_conf "$mv_c" "$mv_fsid" "$1" "$2" "$4" "$3"
	mv_cc="-c $mv_c/ceph.conf"
	mv_at_exit stop_ceph
	CEPH_PIDS=
	monmaptool --create --fsid "$mv_fsid" --addv a \
	    "[v2:127.0.0.1:$2,v1:127.0.0.1:$1]" "$mv_c/monmap" >/dev/null &&
	ceph-mon $mv_cc -i a --mkfs --monmap "$mv_c/monmap" || return 1
	ceph-mon $mv_cc -i a -f >"$mv_c/mon.out" 2>&1 &
	CEPH_PIDS="$! $CEPH_PIDS"
	mv_osd=$(timeout 30 ceph $mv_cc --connect-timeout 20 osd create) &&
	ceph-osd $mv_cc -i "$mv_osd" --mkfs >"$mv_c/mkfs.out" 2>&1 ||
	    mv_ceph_logs || return 1
	ceph-osd $mv_cc -i "$mv_osd" -f >"$mv_c/osd.out" 2>&1 &
	CEPH_PIDS="$! $CEPH_PIDS"
	radosgw $mv_cc -n client.rgw -f >"$mv_c/rgw.out" 2>&1 &
	mv_rgw=$!
	CEPH_PIDS="$mv_rgw $CEPH_PIDS"
	export S3_ENDPOINT="http://127.0.0.1:$3" S3_REGION=us-east-1 \
	    S3_BUCKET=modvault-test S3_ACCESS_KEY=MODVAULTTESTACCESS01 \
	    S3_SECRET_KEY="$6"
	wait_for 30 mv_up_or_gone "$mv_rgw" "$S3_ENDPOINT/" &&
	    ! mv_gone "$mv_rgw" || mv_ceph_logs || return 1
	timeout 30 radosgw-admin $mv_cc user create --uid=modvault \
	    --display-name=modvault --access-key="$S3_ACCESS_KEY" \
	    --secret-key="$S3_SECRET_KEY" >"$mv_c/user.out" 2>&1 &&
	mv_s3_put_bucket || mv_ceph_logs
}

# stop_rgw [SIGNAL] / start_rgw: the gateway alone stopped (TERM, or
# SIGNAL; the cluster behind it keeps its objects) and started again on the
# same port.
stop_rgw() {
	kill -"${1:-TERM}" "$mv_rgw" 2>/dev/null
	wait_for 10 mv_gone "$mv_rgw" || kill -9 "$mv_rgw" 2>/dev/null
	wait "$mv_rgw" 2>/dev/null
	return 0
}
start_rgw() {
	radosgw -c "$MV_TMP/ceph/ceph.conf" -n client.rgw -f \
	    >>"$MV_TMP/ceph/rgw.out" 2>&1 &
	mv_rgw=$!
	CEPH_PIDS="$mv_rgw $CEPH_PIDS"
	wait_for 30 mv_up_or_gone "$mv_rgw" "$S3_ENDPOINT/" && ! mv_gone "$mv_rgw"
}

# stop_ceph: stops the gateway, then the OSD, then the monitor (in that
# order each exits at once); a daemon that ignores TERM for 10 s is killed.
stop_ceph() {
	for mv_pid in $CEPH_PIDS; do
		kill "$mv_pid" 2>/dev/null
		wait_for 10 mv_gone "$mv_pid" || kill -9 "$mv_pid" 2>/dev/null
		wait "$mv_pid" 2>/dev/null
	done
	CEPH_PIDS=
	return 0
}

# --- the tests' own checksum database -------------------------------------

# start_db NAME [SERVER FLAGS...]: tests/sumdb-server (built once into
# $MV_TMP, from Debian's golang.org/x/mod/sumdb) serving the fixture go.sum
# (a later -gosum FILE overrides it) with the key seeded "modvault"; its
# port, key and log are $MV_TMP/NAME.*.  Sets DB_URL, DB_KEY (the verifier
# key), DB_PID and DB_LOG; stop_db stops it.
start_db() {
	mv_n=$1
	shift
	if [ ! -x "$MV_TMP/sumdb-server" ]; then
		GO111MODULE=off GOPATH="$MV_GOPATH" GOCACHE="$MV_TMP/gocache" \
		    GOFLAGS='' go build -o "$MV_TMP/sumdb-server" \
		    "$MV_SRCDIR/tests/sumdb-server/main.go" || return 1
	fi
	rm -f "$MV_TMP/$mv_n.port"
	DB_LOG=$MV_TMP/$mv_n.log
	"$MV_TMP/sumdb-server" -gosum "$MV_FIXTURES/go.sum" -seed modvault \
	    -portfile "$MV_TMP/$mv_n.port" -vkeyfile "$MV_TMP/$mv_n.vkey" \
	    -log "$DB_LOG" "$@" 2>"$MV_TMP/$mv_n.err" &
	DB_PID=$!
	mv_at_exit "kill $DB_PID 2>/dev/null"
	wait_file "$MV_TMP/$mv_n.port" || return 1
	DB_URL=http://127.0.0.1:$(cat "$MV_TMP/$mv_n.port")
	DB_KEY=$(cat "$MV_TMP/$mv_n.vkey")
}
stop_db() { kill "$DB_PID" 2>/dev/null; wait "$DB_PID" 2>/dev/null; return 0; }

# --- Git over HTTP, for fetching modules straight from Git ------------------
# vcs-repos.sh makes the Git fixture repositories (vcs.md §16.1) and
# vcs-oracle.sh asks the real go command about them; start_git_http serves
# the same repositories over smart HTTP, as a Git host would.

# start_git_http REPOS_DIR [RUN_DIR]: lighttpd on a free port of 127.0.0.1
# running git http-backend (CGI) for the repositories in REPOS_DIR: the
# repository REPOS_DIR/NAME (a work tree, its .git is found, or a bare
# NAME.git) is http://127.0.0.1:PORT/git/NAME (clone, ls-remote, fetch,
# also of a commit by hash; no push).  The rest of the URL space is static
# files from RUN_DIR/www (made if missing; default RUN_DIR
# $MV_TMP/git-http), for go-get=1 pages: the query string is ignored, and
# /P answers the file www/P, or www/P/index.html when www/P is a directory
# (no redirect to /P/), as text/html.  Exports GIT_HTTP_PORT and
# GIT_HTTP_URL (http://127.0.0.1:PORT), sets GIT_HTTP_PID; stop_git_http
# stops it (so does the end of the script).  With GIT_HTTP_AUTH=USER:PASS
# set, the repositories whose names start with "priv" take HTTP basic
# authentication as that user (a private Git host).
start_git_http() {
	mv_groot=$(cd "$1" && pwd) || return 1
	mv_grun=${2:-$MV_TMP/git-http}
	mkdir -p "$mv_grun/www" || return 1
	mv_grun=$(cd "$mv_grun" && pwd)
	mv_gbackend=$(git --exec-path)/git-http-backend
	[ -x "$mv_gbackend" ] || { echo "# no $mv_gbackend"; return 1; }
	GIT_HTTP_PORT=$(free_port)
	# The CGI environment is all http-backend and upload-pack see (lighttpd
	# passes none of its own): no system or user Git configuration, and
	# uploadpack.allow*SHA1InWant through GIT_CONFIG_COUNT, so a fetch of
	# a bare commit hash works with protocol v0 as well as v2 whatever
	# the repositories' own configs say.  The alias maps /git/NAME/... onto
	# the program, lighttpd passes the rest as PATH_INFO.  What
	# http-backend writes to stderr ("Not a git repository") goes to
	# RUN_DIR/cgi-stderr.log, not into the test's output.
	cat > "$mv_grun/lighttpd.conf" <<CONF
server.modules += ( "mod_auth", "mod_authn_file", "mod_alias", "mod_setenv",
	"mod_cgi", "mod_rewrite" )
server.bind          = "127.0.0.1"
server.port          = $GIT_HTTP_PORT
server.document-root = "$mv_grun/www"
server.errorlog      = "$mv_grun/lighttpd-error.log"
server.pid-file      = "$mv_grun/lighttpd.pid"
server.breakagelog   = "$mv_grun/cgi-stderr.log"
index-file.names     = ( "index.html" )
mimetype.assign      = ( "" => "text/html; charset=utf-8" )
alias.url            = ( "/git/" => "$mv_gbackend/" )
\$HTTP["url"] =~ "^/git/" {
	cgi.assign = ( "" => "" )
	setenv.set-environment = (
		"GIT_PROJECT_ROOT"    => "$mv_groot",
		"GIT_HTTP_EXPORT_ALL" => "1",
		"GIT_CONFIG_NOSYSTEM" => "1",
		"GIT_CONFIG_GLOBAL"   => "/dev/null",
		"GIT_CONFIG_COUNT"    => "2",
		"GIT_CONFIG_KEY_0"    => "uploadpack.allowAnySHA1InWant",
		"GIT_CONFIG_VALUE_0"  => "true",
		"GIT_CONFIG_KEY_1"    => "uploadpack.allowReachableSHA1InWant",
		"GIT_CONFIG_VALUE_1"  => "true",
	)
} else {
	# A directory's page at once, not lighttpd's redirect to P/: a
	# vanity host answers the path asked for (go would follow the
	# redirect, but a test of what it requested would see two requests).
	url.rewrite-if-not-file = ( "^(/[^?]*[^/?])(\\?.*)?\$" => "\$1/index.html\$2" )
}
CONF
	if [ -n "${GIT_HTTP_AUTH:-}" ]; then
		printf '%s\n' "$GIT_HTTP_AUTH" >"$mv_grun/users"
		cat >>"$mv_grun/lighttpd.conf" <<CONF
auth.backend = "plain"
auth.backend.plain.userfile = "$mv_grun/users"
auth.require = ( "/git/priv" => ( "method" => "basic", "realm" => "git",
	"require" => "valid-user" ) )
CONF
	fi
	lighttpd -tt -f "$mv_grun/lighttpd.conf" || return 1
	lighttpd -D -f "$mv_grun/lighttpd.conf" &
	GIT_HTTP_PID=$!
	mv_at_exit "kill $GIT_HTTP_PID 2>/dev/null"
	GIT_HTTP_URL=http://127.0.0.1:$GIT_HTTP_PORT
	export GIT_HTTP_PORT GIT_HTTP_URL
	# Up, or gone at once (its port taken meanwhile): no 10 s wait then.
	wait_for 10 mv_up_or_gone "$GIT_HTTP_PID" "$GIT_HTTP_URL/" &&
	    ! mv_gone "$GIT_HTTP_PID" ||
	    { sed 's/^/# /' "$mv_grun/lighttpd-error.log" 2>/dev/null | tail -5
	      return 1; }
}

# git_fixtures: the vcs.md §16.1 repositories in $MV_TMP/repos, served by
# start_git_http; a failure ends the script.
git_fixtures() {
	sh "$MV_SRCDIR/tests/integration/vcs-repos.sh" "$MV_TMP/repos" \
	    >"$MV_TMP/repos.log" 2>&1 ||
	    { sed 's/^/# /' "$MV_TMP/repos.log"; fail "repositories made"; mv_done; }
	start_git_http "$MV_TMP/repos" || { fail "git server starts"; mv_done; }
}

# tally FILE: the lines "PASS what" and "FAIL what" a checker wrote, as
# tests (other lines, "# why", pass through).
tally() {
	while IFS= read -r mv_line; do
		case $mv_line in
		PASS\ *) ok "${mv_line#PASS }" ;;
		FAIL\ *) fail "${mv_line#FAIL }" ;;
		*) echo "$mv_line" ;;
		esac
	done <"$1"
}

stop_git_http() {
	kill "$GIT_HTTP_PID" 2>/dev/null
	wait "$GIT_HTTP_PID" 2>/dev/null
	return 0
}
