#!/bin/sh
# client-guide.sh: the README's "Pointing the go command at modvault", run.
#
# For each deployment (on the internet, on an intranet with the
# checksum-database proxy, air-gapped) the modvault.conf lines, the
# commands and the developers' `export` lines are read from the README
# itself, so the guide and this test cannot drift.  Only the host names
# are replaced by the test's own servers: the fixture upstream for
# proxy.golang.org, tests/sumdb-server named sum.golang.org (its own key)
# for the public checksum database, a git http-backend for
# git.corp.example.com, lighttpd for goproxy.corp.example.com.  The real go
# command then downloads and builds with exactly those settings, on a
# network where every host but the loopback is unreachable (HTTPS_PROXY
# and HTTP_PROXY point at a closed port; Go never proxies the loopback).
# Each deployment is also run without the line it says is needed, which
# must fail.
. "$MV_SRCDIR/tests/integration/lib.sh"
need go git lighttpd curl python3
[ -d "$MV_GOPATH/src/golang.org/x/mod/sumdb" ] ||
    skip "no golang.org/x/mod in MV_GOPATH=$MV_GOPATH (Debian: golang-golang-x-mod-dev)"
mv_tmpdir
README=$MV_SRCDIR/README
REAL_KEY=sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8

# --- the README's lines ------------------------------------------------------
# section HEADING: the README's lines under "### HEADING", to the next heading.
section() {
	awk -v h="### $1" '$0 == h { on = 1; next } /^#/ { on = 0 } on' "$README"
}
conf_lines() { section "$1" | sed -n 's/^    \([a-z0-9_]* = .*\)/\1/p'; }
env_lines() { section "$1" | sed -n 's/^    \(export [A-Z]*=.*\)/\1/p'; }
cmd_lines() { section "$1" | sed -n 's/^    \(modvault .*\)/\1/p'; }
# The test's servers for the README's hosts (set once they run).
subst() {
	sed -e "s|https://goproxy.corp.example.com|$url|g" \
	    -e "s|https://proxy.golang.org|$UP_URL|g" \
	    -e "s|$REAL_KEY|$DB_KEY $DB_URL|g" \
	    -e "s|/var/lib/modvault|$DATA|g" \
	    -e "s|/media/gomods|$MV_TMP/carried|g"
}
NET="On the internet"
INTRA="On an intranet, with the checksum-database proxy"
GAP="Air-gapped"
for s in "$NET" "$INTRA" "$GAP"; do
	check "README, $s: modvault.conf and export lines" \
	    test -n "$(conf_lines "$s")" -a -n "$(env_lines "$s")"
done

# --- the test's world -------------------------------------------------------
start_db sumdb -name sum.golang.org ||
    { fail "the checksum database (named sum.golang.org) starts"; mv_done; }
check "the test database is called sum.golang.org, with its own key" \
    sh -c "case '$DB_KEY' in sum.golang.org+*) [ '$DB_KEY' != '$REAL_KEY' ];; *) false;; esac"
start_upstream "$MV_FIXTURES/upstream" || { fail "upstream starts"; mv_done; }
# A private module on the company's git server.
PRIV=git.corp.example.com/lib.git
mkdir -p "$MV_TMP/repos"
(cd "$MV_TMP/repos" && git init -q -b master lib && cd lib &&
    printf 'module %s\n\ngo 1.16\n' "$PRIV" >go.mod &&
    printf 'package lib\n\n// Name is what the program prints.\nconst Name = "private"\n' >lib.go &&
    git add -A && git -c user.name=T -c user.email=t@example.test commit -qm one &&
    git tag v1.0.0) || { fail "the private repository is made"; mv_done; }
start_git_http "$MV_TMP/repos" || { fail "the git server starts"; mv_done; }

# serve NAME SECTION [EXTRA CONFIG LINES]: modvault with the section's
# modvault.conf (and the test's own plumbing lines) behind lighttpd.
serve() {
	stop_lighttpd 2>/dev/null
	DATA=$MV_TMP/$1
	CONF=$MV_TMP/$1.conf
	{ conf_lines "$2" | subst; printf '%s\n' "${3:-}"; } >"$CONF"
	sed 's/^/# conf: /' "$CONF"
	"$MODVAULT" --config "$CONF" init >/dev/null &&
	    start_lighttpd "$CONF" "$DATA" "$MV_TMP/run-$1"
}

# client SECTION KEEP_GOSUM DEFAULT_GOSUMDB [DROP]: a fresh copy of the
# fixture client (with a program also importing the private module when
# SECTION is the intranet's), built by the real go command with the
# section's export lines -- all but those matching DROP -- over an
# environment of go's defaults: GOSUMDB is DEFAULT_GOSUMDB, the test's
# sum.golang.org (with its URL when the internet reaches it).  The go
# command's output is in $MV_TMP/go.out, its go.sum in $MV_TMP/go.sum.
client() {
	src=$MV_TMP/client.$(date +%s%N)
	mkdir -p "$src"
	cp "$MV_FIXTURES/client/go.mod" "$MV_FIXTURES/client/main.go" "$src/"
	# A project with its go.sum builds at once; a fresh one is tidied
	# first, which looks every module up.
	tidy="go mod tidy"
	[ "$2" = fresh ] || { cp "$MV_FIXTURES/client/go.sum" "$src/"; tidy=true; }
	# "tampered": the first zip hash of go.sum is another's.
	[ "$2" = tampered ] && awk 'NR == FNR { if (FNR == 3) h = $3; next }
	    FNR == 1 { $3 = h } { print }' "$MV_FIXTURES/client/go.sum" \
	    "$MV_FIXTURES/client/go.sum" >"$src/go.sum"
	get=true
	if [ "$1" = "$INTRA" ]; then
		get="go get $PRIV@v1.0.0"
		printf 'package main\n\nimport "%s"\n\nvar _ = lib.Name\n' \
		    "$PRIV" >"$src/private.go"
	fi
	env_lines "$1" | subst | grep -v "${4:-^\$}" >"$src/env.sh"
	sed 's/^/# client: /' "$src/env.sh"
	(cd "$src" && export GOPATH="$src/gopath" GOMODCACHE="$src/gopath/pkg/mod" \
	    GOCACHE="$MV_TMP/gocache" GOPROXY=https://proxy.golang.org,direct \
	    GOSUMDB="$3" GONOSUMDB= GOPRIVATE= GONOPROXY= GOINSECURE= \
	    GOFLAGS= GOWORK=off GO111MODULE=on GOTOOLCHAIN=local GOENV=off \
	    HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 \
	    NO_PROXY= && . ./env.sh && $get && $tidy &&
	    go build -o app . && ./app) >"$MV_TMP/go.out" 2>&1
	rc=$?
	cp "$src/go.sum" "$MV_TMP/go.sum" 2>/dev/null || : >"$MV_TMP/go.sum"
	chmod -R u+w "$src" 2>/dev/null
	rm -rf "$src"
	[ $rc -eq 0 ] || sed 's/^/# go: /' "$MV_TMP/go.out" | tail -8
	return $rc
}
# Every go.sum line the go command wrote for the fixtures is the fixture's.
gosum_is_real() {
	[ -s "$MV_TMP/go.sum" ] &&
	    ! grep -v "^$PRIV " "$MV_TMP/go.sum" | grep -vxFf "$MV_FIXTURES/go.sum"
}
lookups() { grep -c "GET /lookup/" "$DB_LOG" || true; }

# --- on the internet ----------------------------------------------------------
serve net "$NET" || { fail "modvault serves ($NET)"; mv_done; }
before=$(lookups)
check "$NET: the go command builds the client through modvault" \
    client "$NET" fresh "$DB_KEY $DB_URL"
check "... with go.sum lines the database vouched for" gosum_is_real
check "... looked up by the go command itself, at the database" \
    test "$(lookups)" -gt "$before"
check "... and the modules came from the proxy modvault caches" \
    test "$(upstream_count '\.zip')" -gt 0
check "... modvault does not proxy a database it was not given (404)" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "$url/sumdb/sum.golang.org/supported")" = 404

# --- on an intranet, with the checksum-database proxy -------------------------
# The test's plumbing: git.corp.example.com is the local git server.
serve intra "$INTRA" "vcs_rewrite = https://git.corp.example.com/ $GIT_HTTP_URL/git/" ||
    { fail "modvault serves ($INTRA)"; mv_done; }
check "$INTRA: modvault answers /sumdb/sum.golang.org/supported" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "$url/sumdb/sum.golang.org/supported")" = 200
before=$(lookups)
: >"$UP_LOG"
check "$INTRA: the go command builds a program using a private module" \
    client "$INTRA" fresh "$DB_KEY"
check "... with go.sum lines the database vouched for" gosum_is_real
check "... and one for the private module" grep -q "^$PRIV v1.0.0 h1:" "$MV_TMP/go.sum"
check "... its checksum traffic through modvault (sum.golang.org itself unreachable)" \
    test "$(lookups)" -gt "$before"
check "... the private module named neither to the public proxy nor to the database" \
    sh -c "! grep -q 'git.corp.example.com' '$UP_LOG' '$DB_LOG'"
# expect_fail DESCRIPTION CLIENT ARGS...: ok when the go command fails,
# saying why with "verifying".
expect_fail() {
	mv_d=$1
	shift
	if client "$@" >/dev/null; then
		fail "$mv_d (it succeeded)"
	else
		check "$mv_d" grep -q "verifying" "$MV_TMP/go.out"
	fi
}
expect_fail "without its GONOSUMDB line the private module cannot be verified" \
    "$INTRA" fresh "$DB_KEY" GONOSUMDB

# --- air-gapped -----------------------------------------------------------------
# The connected machine: a modvault fetching from the (test) public proxy
# into the carried store, with the README's commands, in the project.
printf 'upstream = https://proxy.golang.org\n' | subst >"$MV_TMP/connected.conf"
cmd_lines "$GAP" | grep -e ' init' -e ' fetch ' | subst |
    sed "s|^modvault |'$MODVAULT' --config '$MV_TMP/connected.conf' |" \
    >"$MV_TMP/connected.sh"
sed 's/^/# connected: /' "$MV_TMP/connected.sh"
check "$GAP: the README's commands fill a store on the connected machine" \
    sh -c "cd '$MV_FIXTURES/client' && sh -e '$MV_TMP/connected.sh' \
    >'$MV_TMP/connected.out' 2>&1"
tail -1 "$MV_TMP/connected.out" | sed 's/^/# /'
stop_upstream
serve gap "$GAP" || { fail "modvault serves ($GAP)"; mv_done; }
cmd_lines "$GAP" | grep ' import ' | subst |
    sed "s|^modvault |'$MODVAULT' --config '$CONF' |" >"$MV_TMP/gap.sh"
sed 's/^/# air-gapped: /' "$MV_TMP/gap.sh"
check "$GAP: the README's import fills the air-gapped store from it" \
    sh -c "sh -e '$MV_TMP/gap.sh' >'$MV_TMP/gap.out' 2>&1"
tail -1 "$MV_TMP/gap.out" | sed 's/^/# /'
before=$(lookups)
check "$GAP: the go command builds the client, with no upstream and no database" \
    client "$GAP" fresh "$DB_KEY"
check "... and writes go.sum lines that are the real ones" gosum_is_real
check "... a project's go.sum is still checked" client "$GAP" keep "$DB_KEY"
check "... no checksum database was asked" test "$(lookups)" -eq "$before"
if client "$GAP" tampered "$DB_KEY" >/dev/null; then
	fail "... a download that go.sum disputes is refused (it succeeded)"
else
	check "... a download that go.sum disputes is refused" \
	    grep -q "SECURITY ERROR" "$MV_TMP/go.out"
fi
expect_fail "without its GOSUMDB=off line the go command cannot verify" \
    "$GAP" fresh "$DB_KEY" GOSUMDB
mv_done
