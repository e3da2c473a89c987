#!/bin/sh
# check.sh: proves tests/sumdb-server against the real go command.
#
# Builds the server offline (golang.org/x/mod from $MV_GOPATH, by default
# Debian's golang-golang-x-mod-dev in /usr/share/gocode; GOPATH mode),
# serves the fixtures' go.sum as a checksum database, and runs
# `go mod download -x` in a copy of fixtures/client WITHOUT its go.sum, so
# every hash must come from the database (SD-9.2); the go.sum the go command
# writes must then equal the fixture's.  The fault modes must make the go
# command fail: -tamper-tile ("inconsistent tile"), -wrong-key, and -fork
# (a second run that remembers the first tree head sees a fork, SD-9.2.4).
#
# The fixtures are $MV_FIXTURES (make check's generated set, or any set of
# the same layout); without it, tests/modgen/modgen.go makes a set here.
#
#   sh tests/sumdb-server/check.sh        (exit 0 pass, 1 fail, 77 skip)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
gopath=${MV_GOPATH:-/usr/share/gocode}
for t in go curl; do
	command -v $t >/dev/null 2>&1 || { echo "check.sh: no $t command" >&2; exit 77; }
done
[ -d "$gopath/src/golang.org/x/mod/sumdb" ] ||
	{ echo "check.sh: no golang.org/x/mod in $gopath (Debian: golang-golang-x-mod-dev)" >&2; exit 77; }

work=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	chmod -R u+w "$work" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

GO111MODULE=off GOPATH="$gopath" GOCACHE="$work/gocache" GOFLAGS='' \
	go build -o "$work/sumdb-server" "$here/main.go"
if [ -n "${MV_FIXTURES:-}" ]; then
	fixtures=$MV_FIXTURES
else
	fixtures=$work/fixtures
	GO111MODULE=off GOPATH="$gopath" GOCACHE="$work/gocache" GOFLAGS='' \
		go run "$here/../modgen/modgen.go" "$fixtures" >/dev/null
fi
[ -f "$fixtures/go.sum" ] && [ -f "$fixtures/client/go.mod" ] ||
	{ echo "check.sh: no fixtures in $fixtures" >&2; exit 1; }

# start NAME FLAGS...: runs the server, sets $url and $vkey.
start() {
	n=$1
	shift
	rm -f "$work/$n.port"
	"$work/sumdb-server" -gosum "$fixtures/go.sum" -seed check \
		-portfile "$work/$n.port" -vkeyfile "$work/$n.vkey" \
		-log "$work/$n.log" "$@" 2>"$work/$n.err" &
	pid=$!
	i=0
	while [ ! -s "$work/$n.port" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "check.sh: server did not start" >&2; cat "$work/$n.err" >&2; exit 1; }
		sleep 0.1
	done
	url="http://127.0.0.1:$(cat "$work/$n.port")"
	vkey=$(cat "$work/$n.vkey")
}
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; }

# download NAME [GOMODCACHE]: go mod download in a fresh copy of the client.
download() {
	src="$work/$1.src"
	rm -rf "$src"
	mkdir -p "$src"
	cp "$fixtures/client/go.mod" "$fixtures/client/main.go" "$src/"
	(cd "$src" && env GOPATH="$work/$1.gopath" GOMODCACHE="${2:-$work/$1.gopath/pkg/mod}" \
		GOCACHE="$work/gocache" GOPROXY="file://$fixtures/upstream" \
		GOSUMDB="$vkey $url" GONOSUMDB= GOPRIVATE= GONOPROXY= GOFLAGS=-mod=mod \
		GOWORK=off GO111MODULE=on GOTOOLCHAIN=local GOENV=off GOVCS='*:off' \
		go mod download -x) >"$work/$1.out" 2>&1
}

fail=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fail=1; }

start good
# Every go.sum line the go command wrote came from the database and must
# be one of the fixture's lines.
if download good && [ -s "$work/good.src/go.sum" ] &&
	! grep -vxFf "$fixtures/client/go.sum" "$work/good.src/go.sum" >/dev/null; then
	ok "go mod download verifies modules through the database ($(wc -l <"$work/good.src/go.sum") go.sum lines)"
else
	notok "go mod download through the database"
	cat "$work/good.out" "$work/good.src/go.sum" >&2
fi
grep -q ' /lookup/' "$work/good.log" && grep -q ' /tile/8/0/' "$work/good.log" &&
	ok "the go command used lookup and tiles" || notok "no lookup/tile requests logged"
stop

start tamper -tamper-tile
if download tamper; then notok "tampered tile accepted"; else
	grep -q 'inconsistent' "$work/tamper.out" && ok "tampered tile refused" ||
		{ notok "tampered tile: unexpected error"; cat "$work/tamper.out" >&2; }
fi
stop

start wrong -wrong-key
if download wrong; then notok "wrong key accepted"; else ok "wrong signing key refused"; fi
stop

start fork -fork
if download fork; then
	curl -fsS "$url/latest" >/dev/null	# the first /latest forks the log
	if download fork "$work/fork.cache2"; then notok "fork not detected"; else
		grep -qi 'security error\|inconsistent\|fork' "$work/fork.out" && ok "fork detected" ||
			{ notok "fork: unexpected error"; cat "$work/fork.out" >&2; }
	fi
else
	notok "fork server: first run failed"; cat "$work/fork.out" >&2
fi
stop

exit $fail
