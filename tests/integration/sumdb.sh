#!/bin/sh
# sumdb.sh: the checksum database (spec sumdb.md), end to end.
#
# An independent checksum database (tests/sumdb-server, on Debian's
# golang.org/x/mod/sumdb) serves the fixture go.sum; modvault fetches from
# an upstream serving the fixtures, behind lighttpd, with that database
# configured.  The real go command, given only the database's key, sends
# all checksum traffic through modvault (SD-2.1) and verifies every module
# on its side while modvault verifies before storing (SD-10.1); then the
# database goes away and a fresh client still verifies from what modvault
# kept.  A tampered upstream, a database signing with another key, a tile
# that does not hash to the tree, and a forked log are each refused.
. "$MV_SRCDIR/tests/integration/lib.sh"
need go lighttpd curl python3
[ -d "$MV_GOPATH/src/golang.org/x/mod/sumdb" ] ||
    skip "no golang.org/x/mod in MV_GOPATH=$MV_GOPATH (Debian: golang-golang-x-mod-dev)"
mv_tmpdir

# The database's log: one record per module version of the fixture go.sum.
NREC=$(awk '{ sub("/go.mod$", "", $2); print $1 " " $2 }' "$MV_FIXTURES/go.sum" |
    sort -u | wc -l | tr -d ' ')
# The version the fault cases fetch (by kind), and the first and last
# records of the log (the fork differs in the last).
T_M=$(fx_mod basic)
T_E=$(fx_escape "$T_M")
T_V=$(fx_latest "$T_M")
T_URI=/$T_E/@v/$T_V.zip
T_H1=$(awk -v m="$T_M" -v v="$T_V" '$1 == m && $2 == v { print $3 }' "$MV_FIXTURES/go.sum")
FIRST=$(awk '$2 !~ /\/go\.mod$/ { print $1 " " $2; exit }' "$MV_FIXTURES/go.sum")
LAST=$(awk '$2 !~ /\/go\.mod$/ { l = $1 " " $2 } END { print l }' "$MV_FIXTURES/go.sum")
# zip_uri MODULE VERSION: the proxy path of its zip.
zip_uri() { echo "/$(fx_escape "$1")/@v/$2.zip"; }

# new_store NAME UPSTREAM_ROOT: a fresh store $MV_TMP/NAME fetching from an
# upstream serving ROOT, verifying with the running database.
new_store() {
	start_upstream "$2"
	printf 'upstream = %s\nsumdb = %s %s\nlog_level = info\n' \
	    "$UP_URL" "$DB_KEY" "$DB_URL" |
	    write_config "$MV_TMP/$1.conf" "$MV_TMP/$1"
	"$MODVAULT" --config "$MV_TMP/$1.conf" init >/dev/null
}

# cgi CONF URI: status of one request to modvault.fcgi as CGI; body in $MV_TMP/body.
cgi() {
	env -i PATH="$PATH" MODVAULT_CONFIG="$1" REQUEST_METHOD=GET \
	    REQUEST_URI="$2" "$MODVAULT_FCGI" </dev/null 2>>"$MV_TMP/cgi.err" |
	    python3 -c 'import sys
d = sys.stdin.buffer.read()
h, _, b = d.partition(b"\r\n\r\n")
open(sys.argv[1], "wb").write(b)
for l in h.split(b"\r\n"):
    if l.startswith(b"Status: "):
        print(l[8:11].decode())' "$MV_TMP/body"
}

# go_download GOSUMDB MODULES...: go mod download in a fresh client copy
# without its go.sum, through modvault at $url; output in $MV_TMP/go.out.
go_download() {
	sdb=$1
	shift
	src=$MV_TMP/client.$$.$(date +%s%N)
	mkdir -p "$src"
	cp "$MV_FIXTURES/client/go.mod" "$MV_FIXTURES/client/main.go" "$src/"
	(cd "$src" && env GOPATH="$src/gopath" GOMODCACHE="$src/gopath/pkg/mod" \
	    GOCACHE="$MV_TMP/gocache" GOPROXY="$url/" GOSUMDB="$sdb" \
	    GONOSUMDB= GONOSUMCHECK= GOPRIVATE= GONOPROXY= GOFLAGS=-mod=mod \
	    GOWORK=off GO111MODULE=on GOTOOLCHAIN=local GOENV=off GOVCS='*:off' \
	    go mod download -x "$@") > "$MV_TMP/go.out" 2>&1
	rc=$?
	cp "$src/go.sum" "$MV_TMP/go.sum" 2>/dev/null || : > "$MV_TMP/go.sum"
	chmod -R u+w "$src" 2>/dev/null
	rm -rf "$src"
	return $rc
}

# go.sum lines all from the fixture go.sum (the database's) and not none.
gosum_is_real() {
	[ -s "$MV_TMP/go.sum" ] && ! grep -vxFf "$MV_FIXTURES/go.sum" "$MV_TMP/go.sum"
}

# --- the good path, through lighttpd ---------------------------------------
start_db good || { fail "the test checksum database builds and starts"; mv_done; }
new_store store "$MV_FIXTURES/upstream"
start_lighttpd "$MV_TMP/store.conf" "$MV_TMP/store" ||
    { fail "lighttpd starts"; mv_done; }

check "SD-10.2: /sumdb/sum.test/supported is 200" \
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/sumdb/sum.test/supported")" = 200 ]
check "SD-10.2: an unconfigured database is 404" \
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/sumdb/sum.golang.org/supported")" = 404 ]
check "GOSUMDB=<key> through modvault: go downloads and verifies every module" \
    go_download "$DB_KEY"
check "every go.sum line came from the database and is the real one" gosum_is_real
check "the go command reached the database only through modvault" \
    grep -q "GET /lookup/" "$DB_LOG"
n=$("$MODVAULT" --config "$MV_TMP/store.conf" ls | wc -l | tr -d ' ')
check "modvault verified before storing: verify --sumdb re-checks the $n versions offline" \
    sh -c "[ $n -gt 0 ] && '$MODVAULT' --config '$MV_TMP/store.conf' verify --sumdb > '$MV_TMP/verify.out' 2>&1 &&
	grep -qx 'verified $n versions: 0 problems' '$MV_TMP/verify.out'"
curl -s -o "$MV_TMP/tile" -D "$MV_TMP/tile.h" "$url/sumdb/sum.test/tile/8/0/000.p/$NREC"
check "a partial hash tile: application/octet-stream, short-lived, $NREC hashes" \
    sh -c "grep -qi 'content-type: application/octet-stream' '$MV_TMP/tile.h' && grep -qi 'max-age=60' '$MV_TMP/tile.h' && [ \$(wc -c < '$MV_TMP/tile') -eq $((NREC * 32)) ]"
check "the tile is the database's own" \
    sh -c "curl -s '$DB_URL/tile/8/0/000.p/$NREC' | cmp -s - '$MV_TMP/tile'"

# SD-9.1.4: a tile is kept once authenticated against a signed tree, never
# before; verify --sumdb authenticates every kept tile again.
check "the proxied tile is kept, authenticated" test "$(sqlite3 "$MV_TMP/store/index.db" \
    "SELECT authenticated FROM sumdb_cache WHERE path = 'tile/8/0/000.p/$NREC'")" = 1
sqlite3 "$MV_TMP/store/index.db" "INSERT OR REPLACE INTO sumdb_cache
    (name, path, body, authenticated, fetched_at) VALUES ('sum.test',
    'tile/8/0/000.p/1', zeroblob(32), 1, 1)"
expect_status 1 "verify --sumdb finds a kept tile that is not the tree's" \
    "$MODVAULT" --config "$MV_TMP/store.conf" verify --sumdb
check "... names it" grep -q '^checksum database sum.test: tile/8/0/000.p/1: not part of' "$MV_TMP/out"
check "... and drops it" test "$(sqlite3 "$MV_TMP/store/index.db" \
    "SELECT count(*) FROM sumdb_cache WHERE path = 'tile/8/0/000.p/1'")" = 0
expect_status 0 "then verify --sumdb passes" "$MODVAULT" --config "$MV_TMP/store.conf" verify --sumdb

# --- the database goes away: what modvault kept still verifies -------------
stop_db
check "database stopped: a fresh client still verifies everything via modvault" \
    go_download "$DB_KEY"
check "database stopped: go.sum is still the real one" gosum_is_real
stop_lighttpd
stop_upstream

# --- a tampered upstream: one byte changed, self-consistent go.mod ---------
cp -r "$MV_FIXTURES/upstream" "$MV_TMP/tampered"
python3 - "$MV_TMP/tampered$T_URI" <<'PY'
import sys, zipfile
p = sys.argv[1]
z = zipfile.ZipFile(p)
items = [(i, z.read(i.filename)) for i in z.infolist()]
z.close()
with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as out:
    done = False
    for info, data in items:
        if not done and info.filename.endswith(".go"):
            data = data.replace(b"package", b"packagE", 1)
            done = True
        out.writestr(info, data)
    assert done, "no .go file to tamper with"
PY
start_db good2
new_store tampered "$MV_TMP/tampered"
st=$(cgi "$MV_TMP/tampered.conf" "$T_URI")
check "SD-10.1: a tampered zip is refused with 502 ($st)" [ "$st" = 502 ]
awk '{ print $3 }' "$MV_FIXTURES/go.sum" > "$MV_TMP/fixture.h1"
check "SD-10.1: the reason names both hashes (the database's, the tampered zip's)" \
    sh -c "[ -n '$T_H1' ] && grep -q 'checksum mismatch' '$MV_TMP/body' && grep -qF '$T_H1' '$MV_TMP/body' &&
	grep -o 'h1:[A-Za-z0-9+/=]*' '$MV_TMP/body' | grep -qvxFf '$MV_TMP/fixture.h1'"
check "SD-10.1: nothing stored" \
    sh -c "[ -z \"\$('$MODVAULT' --config '$MV_TMP/tampered.conf' ls)\" ]"
# sumdb_verify = warn: logged, stored anyway.
echo "sumdb_verify = warn" >> "$MV_TMP/tampered.conf"
st=$(cgi "$MV_TMP/tampered.conf" "$T_URI")
check "sumdb_verify = warn: the mismatch is logged and the version stored ($st)" \
    sh -c "[ '$st' = 200 ] && grep -q 'storing anyway' '$MV_TMP/cgi.err'"
# nosumdb: private paths are neither verified nor looked up (SD-10.3).
printf 'upstream = %s\nsumdb = %s %s\nnosumdb = %s\n' "$UP_URL" \
    "$DB_KEY" "$DB_URL" "$T_M" | write_config "$MV_TMP/private.conf" "$MV_TMP/private"
"$MODVAULT" --config "$MV_TMP/private.conf" init >/dev/null
: > "$DB_LOG"
st=$(cgi "$MV_TMP/private.conf" "/sumdb/sum.test/lookup/$T_E@$T_V")
check "SD-10.3: a lookup of a nosumdb path is refused with 403 ($st)" [ "$st" = 403 ]
st=$(cgi "$MV_TMP/private.conf" "/$T_E/@v/$T_V.mod")
check "nosumdb: a private module is fetched without asking the database ($st)" \
    sh -c "[ '$st' = 200 ] && ! grep -qF '$T_E' '$DB_LOG'"
stop_upstream
stop_db

# --- a database that signs with another key ----------------------------------
start_db wrong -wrong-key
new_store wrongkey "$MV_FIXTURES/upstream"
st=$(cgi "$MV_TMP/wrongkey.conf" "$T_URI")
check "SD-4.2: a tree head signed with another key is refused ($st)" \
    sh -c "[ '$st' = 502 ] && grep -q 'SD-4' '$MV_TMP/body'"
stop_upstream
stop_db

# --- a tile that does not hash to the tree head ---------------------------------
start_db tamper -tamper-tile
new_store badtile "$MV_FIXTURES/upstream"
st=$(cgi "$MV_TMP/badtile.conf" "$T_URI")
check "SD-9.1: an inconsistent tile is refused ($st)" \
    sh -c "[ '$st' = 502 ] && grep -q 'inconsistent tile' '$MV_TMP/body'"
st=$(cgi "$MV_TMP/badtile.conf" "/sumdb/sum.test/tile/8/0/000.p/$NREC")
check "a client asking for that tile gets the database's answer ($st)" [ "$st" = 200 ]
check "... which is not kept, neither authenticated nor not" \
    test "$(sqlite3 "$MV_TMP/badtile/index.db" "SELECT count(*) FROM sumdb_cache
	WHERE path = 'tile/8/0/000.p/$NREC'")" = 0
stop_upstream
stop_db

# --- a tree head inconsistent with one seen before ---------------------------
start_db fork -fork
new_store fork "$MV_FIXTURES/upstream"
# shellcheck disable=SC2086 # FIRST is "MODULE VERSION"
st=$(cgi "$MV_TMP/fork.conf" "$(zip_uri $FIRST)")
check "before the fork: a version verifies and is stored ($st)" [ "$st" = 200 ]
curl -s -o /dev/null "$DB_URL/latest"
# shellcheck disable=SC2086
st=$(cgi "$MV_TMP/fork.conf" "$(zip_uri $LAST)")
check "SD-9.2.4: a forked log is detected and refused ($st)" \
    sh -c "[ '$st' = 502 ] && grep -Eq 'fork|inconsistent' '$MV_TMP/body'"
stop_upstream
stop_db

mv_done
