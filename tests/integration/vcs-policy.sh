#!/bin/sh
# vcs-policy.sh: fetching from git beside an upstream proxy and a checksum
# database.  A public module is asked of the proxy first, then fetched
# from its repository and verified against the (test) checksum database,
# which refuses bytes it does not know; a private module is never sent to
# the proxy or the database.  A tag moved after storing changes nothing
# served, is logged, and `modvault verify --origin` reports it.
# `modvault fetch` (and -r) fetches from git as on a miss.  A repository
# behind HTTP authentication is fetched with the credentials of `netrc`,
# refused at once (no prompt) without them, and the password is never
# shown.
. "$MV_SRCDIR/tests/integration/lib.sh"
need git go curl python3 iconv
[ -d "$MV_GOPATH/src/golang.org/x/mod/sumdb" ] ||
    skip "no golang.org/x/mod in MV_GOPATH=$MV_GOPATH (Debian: golang-golang-x-mod-dev)"
mv_tmpdir

# Repositories named priv* take a password (lib.sh start_git_http).
GIT_HTTP_AUTH=mvuser:s3cret-pass-1729
git_fixtures
T=example.test
(cd "$MV_TMP/repos" && git init -q -b master priv3 && cd priv3 &&
    printf 'module example.test/priv3.git\n' >go.mod &&
    printf 'package priv\n' >p.go && git add -A &&
    git -c user.name=T -c user.email=t@example.test commit -qm one &&
    git tag v1.0.0) || { fail "the private repository is made"; mv_done; }
printf 'machine 127.0.0.1 login mvuser password s3cret-pass-1729\n' \
    >"$MV_TMP/netrc"
chmod 600 "$MV_TMP/netrc"

# The go command's sums for the versions used here (GOPROXY=direct).
sh "$MV_SRCDIR/tests/integration/vcs-oracle.sh" "$MV_TMP/repos" \
    "$MV_TMP/oracle" $T/r1.git@v1.0.0 $T/r3.git@v1.1.0-pre \
    $T/r5.git@v1.0.0 >"$MV_TMP/oracle.log" 2>&1 ||
    { sed 's/^/# /' "$MV_TMP/oracle.log"; fail "the go command answers"; mv_done; }
# sum M V: the oracle's zip (or, with a third argument, go.mod) h1.
sum() {
	awk -F '\t' -v q="$1@$2" -v c="${3:-4}" '$1 == q { print $c }' \
	    "$MV_TMP/oracle"
}

# The checksum database knows r1 and r5 as the go command hashes them,
# and r3 with another zip hash: a database that disagrees with what the
# repository gives.
{
	echo "$T/r1.git v1.0.0 $(sum $T/r1.git v1.0.0)"
	echo "$T/r1.git v1.0.0/go.mod $(sum $T/r1.git v1.0.0 5)"
	echo "$T/r3.git v1.1.0-pre $(sum $T/r1.git v1.0.0)"
	echo "$T/r3.git v1.1.0-pre/go.mod $(sum $T/r3.git v1.1.0-pre 5)"
	echo "$T/r5.git v1.0.0 $(sum $T/r5.git v1.0.0)"
	echo "$T/r5.git v1.0.0/go.mod $(sum $T/r5.git v1.0.0 5)"
} >"$MV_TMP/db.sum"
GO111MODULE=off GOPATH="$MV_GOPATH" GOCACHE="$MV_TMP/gocache" GOFLAGS='' \
    go build -o "$MV_TMP/sumdb-server" "$MV_SRCDIR/tests/sumdb-server/main.go" ||
    { fail "the test checksum database builds"; mv_done; }
"$MV_TMP/sumdb-server" -gosum "$MV_TMP/db.sum" -seed modvault \
    -portfile "$MV_TMP/db.port" -vkeyfile "$MV_TMP/db.vkey" \
    -log "$MV_TMP/db.log" 2>"$MV_TMP/db.err" &
mv_at_exit "kill $! 2>/dev/null"
wait_file "$MV_TMP/db.port"

# A proxy that has none of them, asked first (and counting requests).
mkdir -p "$MV_TMP/up"
start_upstream "$MV_TMP/up" || { fail "upstream starts"; mv_done; }

cat <<EOF | write_config "$MV_TMP/modvault.conf" "$MV_TMP/data"
upstream = $UP_URL,direct
sumdb = $(cat "$MV_TMP/db.vkey") http://127.0.0.1:$(cat "$MV_TMP/db.port")
private = $T/r4.git,$T/r6.git,$T/priv3.git
vcs_rewrite = https://example.test/ $GIT_HTTP_URL/git/
netrc = $MV_TMP/netrc
log_level = info
EOF
MV() { "$MODVAULT" --config "$MV_TMP/modvault.conf" "$@"; }
MV init >/dev/null

# cgi URI [CONFIG]: the responder as plain CGI; status on stdout, body in
# $MV_TMP/body, its log appended to $MV_TMP/cgi.err.
cgi() {
	env -i PATH="$PATH" MODVAULT_CONFIG="${2:-$MV_TMP/modvault.conf}" \
	    REQUEST_METHOD=GET REQUEST_URI="$1" "$MODVAULT_FCGI" </dev/null \
	    2>>"$MV_TMP/cgi.err" | python3 -c '
import sys
d = sys.stdin.buffer.read()
head, _, body = d.partition(b"\r\n\r\n")
open(sys.argv[1], "wb").write(body)
st = [l for l in head.split(b"\r\n") if l.lower().startswith(b"status:")]
print(st[0].split()[1].decode() if st else "200")' "$MV_TMP/body"
}
# zip_h1 FILE: the h1 of a zip, computed as the go command does.
zip_h1() {
	python3 -c '
import base64, hashlib, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
s = "".join("%s  %s\n" % (hashlib.sha256(z.read(n)).hexdigest(), n)
            for n in sorted(z.namelist()))
print("h1:" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode())' "$1"
}

# --- a public module: proxy first, then git, verified -------------------
st=$(cgi /$T/r1.git/@v/v1.0.0.zip)
check "public r1@v1.0.0 from git through 'upstream = proxy,direct' ($st)" \
    [ "$st" = 200 ]
check "... its zip is the go command's" \
    [ "$(zip_h1 "$MV_TMP/body")" = "$(sum $T/r1.git v1.0.0)" ]
check "... the proxy was asked first" \
    [ "$(upstream_count 'r1.git/@v/v1.0.0.info')" -ge 1 ]
check "... and the checksum database was asked" \
    grep -q "lookup/$T/r1.git@v1.0.0" "$MV_TMP/db.log"
st=$(cgi /$T/r3.git/@v/v1.1.0-pre.zip)
check "the database disagrees with r3's repository: refused ($st)" \
    [ "$st" = 502 ]
check "... naming the rule (SD-10.1: checksum mismatch)" \
    grep -q "SD-10.1: checksum mismatch" "$MV_TMP/body"
check "... and nothing stored" sh -c "! '$MODVAULT' --config '$MV_TMP/modvault.conf' ls | grep -q r3.git"

# --- private modules: never the proxy, never the database ---------------
st=$(cgi /$T/r4.git/sub/@v/list)
check "private r4/sub: the list from git ($st)" \
    sh -c "[ $st = 200 ] && grep -qx v1.2.0 '$MV_TMP/body'"
st=$(cgi /$T/r4.git/sub/@v/v1.2.0.zip)
check "private r4/sub@v1.2.0 from git ($st)" [ "$st" = 200 ]
st=$(cgi /$T/r6.git/@v/master.info)
check "private r6@master resolved from git ($st)" \
    sh -c "[ $st = 200 ] && grep -q '\"Version\":\"v1.0.0\"' '$MV_TMP/body'"
check "the proxy never heard of the private modules" \
    [ "$(upstream_count 'r4.git\|r6.git')" -eq 0 ]
check "nor did the checksum database" \
    sh -c "! grep -q 'r4.git\|r6.git' '$MV_TMP/db.log'"
st=$(cgi "/sumdb/sum.golang.org/lookup/$T/r4.git/sub@v1.2.0")
check "the checksum-database proxy refuses to look a private module up ($st)" \
    [ "$st" = 403 ] || [ "$st" = 404 ]

# --- a repository behind HTTP authentication ------------------------------
st=$(cgi /$T/priv3.git/@v/v1.0.0.zip)
check "a repository behind a password: fetched with netrc's credentials ($st)" \
    sh -c "[ $st = 200 ] && unzip -Z1 '$MV_TMP/body' | grep -q '/p.go$'"
sed -e '/^netrc/d' -e "s#^data_dir = .*#data_dir = $MV_TMP/data2#" \
    "$MV_TMP/modvault.conf" >"$MV_TMP/nonetrc.conf"
"$MODVAULT" --config "$MV_TMP/nonetrc.conf" init >/dev/null
start=$(date +%s)
st=$(cgi /$T/priv3.git/@v/v1.0.0.zip "$MV_TMP/nonetrc.conf")
took=$(($(date +%s) - start))
check "... without them: refused at once, no prompt ($st after ${took}s)" \
    sh -c "[ $st = 502 ] && [ $took -lt 30 ]"
check "... saying why" grep -qi "username\|authentication" "$MV_TMP/body"
check "the password is in no answer and no log" \
    sh -c "! grep -rq 's3cret-pass' '$MV_TMP/body' '$MV_TMP/cgi.err'"

# --- modvault fetch, and fetch -r ------------------------------------------
check "modvault fetch M@V from git" MV fetch $T/r5.git@v1.0.0
printf 'module x\n\ngo 1.19\n\nrequire (\n\t%s v2.0.0\n)\n' \
    "$T/r6.git/v2" >"$MV_TMP/go.mod"
check "modvault fetch -r go.mod from git" MV fetch -r "$MV_TMP/go.mod"
MV ls >"$MV_TMP/ls"
check "... both stored" sh -c "grep -q '^$T/r5.git@v1.0.0' '$MV_TMP/ls' &&
    grep -q '^$T/r6.git/v2@v2.0.0' '$MV_TMP/ls'"
expect_status 0 "verify --origin: every tag still names its commit" \
    MV verify --origin

# --- a tag moved after storing ------------------------------------------
cgi /$T/r5.git/@v/v1.0.0.zip >/dev/null
cp "$MV_TMP/body" "$MV_TMP/r5-before.zip"
git -C "$MV_TMP/repos/r5" tag -f v1.0.0 v2.0.0 >/dev/null 2>&1
st=$(cgi /$T/r5.git/@v/v1.0.0.zip)
check "tag v1.0.0 of r5 moved: the stored bytes are still served ($st)" \
    cmp -s "$MV_TMP/body" "$MV_TMP/r5-before.zip"
: >"$MV_TMP/cgi.err"
cgi /$T/r5.git/@v/list >/dev/null
check "... listing r5 logs the move" grep -q "tag v1.0.0 moved" "$MV_TMP/cgi.err"
expect_status 1 "verify --origin reports it (exit 1)" MV verify --origin
check "... naming the version, the tag and both commits" \
    grep -q "^$T/r5.git@v1.0.0: .*tag v1.0.0 moved: it names 504a25c6eb5f.* stored from 6717c6e606de" \
    "$MV_TMP/out"
check "... and nothing else" [ "$(grep -c 'moved\|gone' "$MV_TMP/out")" -eq 1 ]
git -C "$MV_TMP/repos/r5" tag -d v1.0.0 >/dev/null 2>&1
expect_status 1 "a tag deleted: verify --origin reports it gone" \
    MV verify --origin
check "... as gone" grep -q "tag v1.0.0 is gone" "$MV_TMP/out"
mv_done
