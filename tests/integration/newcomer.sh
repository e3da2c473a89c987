#!/bin/sh
# newcomer.sh: what a new user runs into, each a defect once: quickstart's
# settings on every run, data_dir however it is spelt, commands before
# init, a store that needs upgrading (never upgraded by a request), staged
# leftovers, upstream limits named as the upstream's, error bodies without
# file names, one output format for fetch and import, --version.
. "$MV_SRCDIR/tests/integration/lib.sh"
need python3 curl lighttpd sqlite3
mv_tmpdir
up=$MV_TMP/up
cp -R "$MV_FIXTURES/upstream" "$up"
start_upstream "$up" || { echo "Bail out! no upstream"; exit 1; }

# cgi CONFIG METHOD URI: one request through modvault.fcgi as plain CGI;
# sets $st (the status); the body is in $MV_TMP/body.
cgi() {
	env -i PATH="$PATH" MODVAULT_CONFIG="$1" REQUEST_METHOD="$2" \
	    REQUEST_URI="$3" SCRIPT_NAME= HTTP_HOST=proxy.example \
	    GATEWAY_INTERFACE=CGI/1.1 "$MODVAULT_FCGI" </dev/null \
	    >"$MV_TMP/resp" 2>>"$MV_TMP/cgi.err"
	st=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' "$MV_TMP/resp" | head -1)
	sed '1,/^\r$/d' "$MV_TMP/resp" > "$MV_TMP/body"
}

# --- --version ------------------------------------------------------------
expect_status 0 "modvault --version" "$MODVAULT" --version
check "it names the version" grep -q '^modvault [0-9]' "$MV_TMP/out"
expect_status 0 "modvault.fcgi --version" "$MODVAULT_FCGI" --version
check "it names the version" grep -q '^modvault.fcgi [0-9]' "$MV_TMP/out"

# --- before init ----------------------------------------------------------
printf 'data_dir = %s/nothere\n' "$MV_TMP" > "$MV_TMP/none.conf"
expect_status 1 "ls before init (no data directory) fails" \
    "$MODVAULT" --config "$MV_TMP/none.conf" ls
check "... and says to run modvault init" grep -q "run 'modvault init'" "$MV_TMP/err"
mkdir "$MV_TMP/nothere"
expect_status 1 "ls before init (empty data directory) fails" \
    "$MODVAULT" --config "$MV_TMP/none.conf" ls
check "... and says to run modvault init" grep -q "run 'modvault init'" "$MV_TMP/err"

# --- data_dir however it is spelt: a miss is fetched and stored -----------
mkdir -p "$MV_TMP/real"
ln -s "$MV_TMP/real" "$MV_TMP/link"
printf 'data_dir = %s/link\nupstream = %s\n' "$MV_TMP" "$UP_URL" > "$MV_TMP/link.conf"
printf 'data_dir = %s/real/\nupstream = %s\n' "$MV_TMP" "$UP_URL" > "$MV_TMP/slash.conf"
printf 'upstream = %s\n' "$UP_URL" > "$MV_TMP/rel.conf"
expect_status 0 "init through a symbolic link" \
    "$MODVAULT" --config "$MV_TMP/link.conf" init
cgi "$MV_TMP/link.conf" GET /modvault.test/nogomod/@v/v1.0.0.zip
check "a miss with data_dir through a symbolic link is fetched (200, got $st)" test "$st" = 200
cgi "$MV_TMP/slash.conf" GET /modvault.test/license/@v/v1.0.0.zip
check "a miss with data_dir ending in / is fetched (200, got $st)" test "$st" = 200
(cd "$MV_TMP" && "$MODVAULT" --config rel.conf --data-dir real fetch \
    modvault.test/chain/c@v1.0.0) > "$MV_TMP/out" 2>&1
check "fetch with a relative --data-dir stores the version" \
    grep -qx 'stored modvault.test/chain/c@v1.0.0' "$MV_TMP/out"
expect_status 0 "the store verifies" "$MODVAULT" --config "$MV_TMP/link.conf" verify
check "... with the three versions" grep -q '^verified 3 versions: 0 problems' "$MV_TMP/out"

# --- one output format for fetch and import -------------------------------
cfg=$MV_TMP/fmt.conf
printf 'data_dir = %s/fmt\nupstream = %s\n' "$MV_TMP" "$UP_URL" > "$cfg"
"$MODVAULT" --config "$cfg" init >/dev/null
"$MODVAULT" --config "$cfg" fetch modvault.test/basic@v1.0.0 \
    modvault.test/basic@v9.9.9 > "$MV_TMP/fetch.out" 2>&1
mkdir -p "$MV_TMP/tree/modvault.test/basic/@v"
for f in v1.0.0.info v1.0.0.mod v1.0.0.zip v1.1.0.info v1.1.0.mod; do
	cp "$up/modvault.test/basic/@v/$f" "$MV_TMP/tree/modvault.test/basic/@v/"
done
printf 'not a zip' > "$MV_TMP/tree/modvault.test/basic/@v/v1.1.0.zip"
"$MODVAULT" --config "$cfg" import "$MV_TMP/tree" > "$MV_TMP/import.out" 2>&1
check "fetch says stored MODULE@VERSION" grep -qx 'stored modvault.test/basic@v1.0.0' "$MV_TMP/fetch.out"
check "import says already present MODULE@VERSION" \
    grep -qx 'already present modvault.test/basic@v1.0.0' "$MV_TMP/import.out"
check "fetch says refused MODULE@VERSION: REASON" \
    grep -q '^refused modvault.test/basic@v9.9.9: not found' "$MV_TMP/fetch.out"
check "import says refused MODULE@VERSION: REASON" \
    grep -q '^refused modvault.test/basic@v1.1.0: MZ-' "$MV_TMP/import.out"
check "a refusal names the version once" sh -c "! grep -q 'refused.*refused' '$MV_TMP/fetch.out' '$MV_TMP/import.out'"
check "both close with the same summary" sh -c \
    "grep -qx '2 versions: 1 stored, 0 already present, 1 refused' '$MV_TMP/fetch.out' &&
     grep -qx '2 versions: 0 stored, 1 already present, 1 refused' '$MV_TMP/import.out'"

# --- a store that needs upgrading is never upgraded by a request ----------
# A schema-2 index, as an older modvault left it (003 to 005 changed it).
sqlite3 "$MV_TMP/fmt/index.db" 'DROP TABLE sumdb_tree; DROP TABLE sumdb_cache;
    DROP TABLE version_sumdb; DROP TABLE blob_check;
    DROP INDEX version_manifest_blob; ALTER TABLE version DROP COLUMN manifest_blob;
    ALTER TABLE version DROP COLUMN manifest_size;
    CREATE TABLE inflight (module TEXT NOT NULL, version TEXT NOT NULL,
	pid INTEGER NOT NULL, started_at INTEGER NOT NULL,
	PRIMARY KEY (module, version));
    PRAGMA user_version = 2'
cgi "$cfg" GET /healthz
check "/healthz of an old store is 503 (got $st)" test "$st" = 503
check "... saying the store needs upgrading" grep -q "store needs upgrading.*run 'modvault init'" "$MV_TMP/body"
cgi "$cfg" GET /modvault.test/basic/@v/v1.0.0.info
check "a request to an old store is 503 (got $st)" test "$st" = 503
check "requests left the schema alone" test "$(sqlite3 "$MV_TMP/fmt/index.db" 'PRAGMA user_version')" = 2
expect_status 1 "ls on an old store fails" "$MODVAULT" --config "$cfg" ls
check "... saying to run modvault init" grep -q "run 'modvault init'" "$MV_TMP/err"
expect_status 0 "init upgrades it" "$MODVAULT" --config "$cfg" init
check "... writing the manifest of each version it holds" \
    grep -qx "wrote the manifests of $("$MODVAULT" --config "$cfg" ls | wc -l) versions" "$MV_TMP/out"
expect_status 0 "... which verify then finds whole" "$MODVAULT" --config "$cfg" verify
cgi "$cfg" GET /healthz
check "then /healthz is 200 (got $st)" test "$st" = 200

# --- what upstream does wrong is named as the upstream's ------------------
python3 -c 'import sys
with open(sys.argv[1], "w") as f:
    for i in range(500000): f.write("v1.0.%d\n" % i)' "$up/modvault.test/major/@v/list"
cgi "$cfg" GET /modvault.test/major/@v/list
check "an upstream list over the limit is a 502 (got $st), not 414" test "$st" = 502
check "... naming the limit" grep -q 'larger than [0-9]* bytes' "$MV_TMP/body"

# --- a local failure names no file -----------------------------------------
mv "$MV_TMP/fmt" "$MV_TMP/fmt.away"
cgi "$cfg" GET /modvault.test/basic/@v/v1.0.0.info
check "a store that is gone: 503 (got $st)" test "$st" = 503
check "... whose body names no file" sh -c "! grep -q '$MV_TMP' '$MV_TMP/body'"
check "... while the log has the cause" grep -q "fmt.*run 'modvault init'" "$MV_TMP/cgi.err"
mv "$MV_TMP/fmt.away" "$MV_TMP/fmt"

# --- staged leftovers: gone at FastCGI start-up and in gc, not per request --
# A staged file of a writer that died (backdated past the grace period).
leftover=$MV_TMP/real/tmp/stage-dead01
printf 'partial' > "$leftover"
touch -d @1000 "$leftover"
cgi "$MV_TMP/link.conf" GET /modvault.test/nogomod/@v/v1.0.0.info
check "a CGI request cleans nothing" test -f "$leftover"
start_lighttpd "$MV_TMP/link.conf" "$MV_TMP/real" || fail "lighttpd starts"
check "a FastCGI process removes it at start-up" test ! -e "$leftover"
stop_lighttpd
printf 'partial' > "$leftover"
touch -d @1000 "$leftover"
expect_status 0 "gc" "$MODVAULT" --config "$MV_TMP/link.conf" gc
check "gc removes it too" test ! -e "$leftover"
check "... and says so" grep -q 'and 1 stray staged files' "$MV_TMP/out"

# --- an upstream entry without its scheme is explained ---------------------
printf 'upstream = proxy.golang.org,direct\n' > "$MV_TMP/direct.conf"
expect_status 2 "an upstream entry without https:// is a configuration error" \
    "$MODVAULT" --config "$MV_TMP/direct.conf" ls
check "... that says what an entry may be" \
    grep -q 'entry "proxy.golang.org" is not an http:// or https:// url, direct or off' "$MV_TMP/err"

# --- quickstart: PORT and UPSTREAM take effect on every run ---------------
qs=$MV_TMP/qs
mkdir -p "$qs"
cp "$MV_SRCDIR/quickstart" "$qs/"
cp -R "$MV_SRCDIR/contrib" "$qs/"
ln -s "$MV_BUILDDIR" "$qs/build"
# quickstart_serve PORT UPSTREAM [SUMDB]: ./quickstart serve in the
# background.
quickstart_serve() {
	(cd "$qs" && PORT=$1 UPSTREAM=$2 SUMDB=${3:-} exec ./quickstart serve) \
	    > "$MV_TMP/qs.out" 2>&1 &
	qspid=$!
	mv_at_exit "kill $qspid 2>/dev/null"
	wait_http "http://127.0.0.1:$1/healthz"
}
p1=$(free_port)
quickstart_serve "$p1" off || fail "quickstart serve starts"
check "quickstart serves on PORT" sh -c "curl -s http://127.0.0.1:$p1/ | grep -q 'GOPROXY=http://127.0.0.1:$p1/'"
check "with UPSTREAM=off, a miss is not fetched" sh -c \
    "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$p1/modvault.test/basic/@v/v1.0.0.info | grep -qx 404"
check "it says where modvault's errors go" grep -q "errors appear in this terminal" "$MV_TMP/qs.out"
kill "$qspid"; wait "$qspid" 2>/dev/null
p=$(free_port)
quickstart_serve "$p" "$UP_URL" || fail "quickstart serve starts by default"
check "by default a fetch is verified against sum.golang.org" \
    grep -q '^sumdb = sum.golang.org+' "$qs/var/modvault.conf"
kill "$qspid"; wait "$qspid" 2>/dev/null
p2=$(free_port)
quickstart_serve "$p2" "$UP_URL" off || fail "quickstart serve starts again"
check "a second run takes the new PORT" sh -c "curl -s http://127.0.0.1:$p2/ | grep -q 'GOPROXY=http://127.0.0.1:$p2/'"
check "... and the new UPSTREAM: a miss is fetched" sh -c \
    "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$p2/modvault.test/basic/@v/v1.0.0.info | grep -qx 200"
check "SUMDB=off leaves the checksum database out" \
    sh -c "! grep -q '^sumdb' '$qs/var/modvault.conf'"
kill "$qspid"; wait "$qspid" 2>/dev/null

mv_done
