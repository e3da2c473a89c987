#!/bin/sh
# run-client.sh PROXY_URL FIXTURES_DIR
#
# End-to-end check of a Go module proxy with the real go command. It builds
# the client main module in FIXTURES_DIR/client (go.mod, go.sum, main.go)
# with PROXY_URL as the only module source and no checksum database, so the
# go command checks every .mod and .zip it receives against the recorded
# go.sum. Works with the fixtures tests/modgen/modgen.go generates and with
# any fixture directory of the same layout.
#
#   PROXY_URL     http://HOST:PORT[/PATH], https://..., or file:///ABS/upstream
#   FIXTURES_DIR  directory holding client/
#
# Prints one line per step, and the go command's output when a step fails.
# Exit status: 0 all steps passed and go.mod/go.sum are unchanged; 1 any
# failure; 2 usage or setup error. Writes only inside a temporary directory
# (kept, and named, when KEEP_WORK=1).
set -u

me=run-client.sh
usage() {
	echo "usage: $me PROXY_URL FIXTURES_DIR" >&2
	exit 2
}
[ $# -eq 2 ] || usage
proxy=$1
fixtures=$2
case $proxy in
http://* | https://* | file:///*) ;;
*)
	echo "$me: PROXY_URL must be http://, https:// or file:///ABSOLUTE-PATH" >&2
	exit 2
	;;
esac
client=$fixtures/client
for f in go.mod go.sum main.go; do
	if [ ! -f "$client/$f" ]; then
		echo "$me: no $client/$f" >&2
		exit 2
	fi
done
if ! command -v go >/dev/null 2>&1; then
	echo "$me: no go command in PATH" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/run-client.XXXXXX") || exit 2
# shellcheck disable=SC2317 # invoked by the trap below
cleanup() {
	if [ "${KEEP_WORK:-0}" = 1 ]; then
		echo "$me: work directory kept: $work" >&2
		return
	fi
	# The module cache is read-only.
	chmod -R u+w "$work" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir "$work/src" "$work/orig" || exit 2
for f in go.mod go.sum main.go; do
	cp "$client/$f" "$work/src/$f" && cp "$client/$f" "$work/orig/$f" || exit 2
done
# FIXTURES_DIR may be read-only (CI's copy of shared/ is).
chmod u+w "$work/src"/* "$work/orig"/* || exit 2

# A go environment that sees nothing of the host's: fresh caches, PROXY_URL
# as the only module source, go.sum as the only checksum authority.
GOPATH=$work/gopath
GOMODCACHE=$work/gopath/pkg/mod
GOCACHE=$work/gocache
GOTMPDIR=
GOPROXY=$proxy
GOSUMDB=off
GOFLAGS=-mod=mod
GONOSUMDB=
GOPRIVATE=
GONOPROXY=
GOINSECURE=
GOWORK=off
GO111MODULE=on
GOTOOLCHAIN=local
GOENV=off
GOVCS='*:off'
export GOPATH GOMODCACHE GOCACHE GOTMPDIR GOPROXY GOSUMDB GOFLAGS GONOSUMDB \
	GOPRIVATE GONOPROXY GOINSECURE GOWORK GO111MODULE GOTOOLCHAIN GOENV GOVCS
cd "$work/src" || exit 2

# Module versions whose zip hash go.sum records (M@V), and module paths.
zips=$(awk 'NF == 3 && $2 !~ /\/go\.mod$/ { print $1 "@" $2 }' go.sum)
mods=$(awk 'NF == 3 { print $1 }' go.sum | sort -u)
latest=$(for m in $mods; do printf '%s@latest\n' "$m"; done)
if [ -z "$zips" ]; then
	echo "$me: $client/go.sum records no module zip" >&2
	exit 2
fi

fail=0
nstep=0
log=$work/step.log
# step NAME CMD...: runs CMD, prints one line, and CMD's output on failure.
step() {
	name=$1
	shift
	nstep=$((nstep + 1))
	if "$@" >"$log" 2>&1; then
		echo "ok   $nstep $name"
	else
		echo "FAIL $nstep $name (exit $?): $*"
		sed 's/^/	/' "$log"
		fail=1
	fi
}

echo "$me: $(go version) against $proxy"
step "go mod download" go mod download
step "go mod download all" go mod download all
# shellcheck disable=SC2086 # word splitting intended: one argument per M@V
step "go mod download M@V for $(echo "$zips" | wc -l | tr -d ' ') versions" go mod download $zips
step "go list -m all" go list -m all
# shellcheck disable=SC2086
step "go list -m -versions for $(echo "$mods" | wc -l | tr -d ' ') modules" go list -m -versions $mods
# shellcheck disable=SC2086
step "go list -m M@latest for every module" go list -m $latest
step "go build" go build -o "$work/client" .
step "run the client" "$work/client"
if [ "$fail" -eq 0 ]; then
	echo "     client said: $(tail -n 1 "$log")"
fi
step "go mod verify" go mod verify

# The go command adds a line to go.sum for a hash it had to trust, and edits
# go.mod when the requirements are incomplete: both must stay as shipped.
for f in go.sum go.mod; do
	nstep=$((nstep + 1))
	if cmp -s "$work/orig/$f" "$f"; then
		echo "ok   $nstep $f unchanged"
	else
		echo "FAIL $nstep $f changed:"
		diff "$work/orig/$f" "$f" | sed 's/^/	/'
		fail=1
	fi
done

if [ "$fail" -ne 0 ]; then
	echo "$me: FAIL against $proxy"
	exit 1
fi
echo "$me: OK, $(echo "$zips" | wc -l | tr -d ' ') module versions verified against go.sum via $proxy"
exit 0
