#!/bin/sh
# faults.sh: modvault attacked as a hostile client and left with a slow or
# failing upstream, each case a defect once: queries smuggled to the
# upstream, credentials echoed, misses of a failing version retried one
# after another, hits stuck behind slow misses.
. "$MV_SRCDIR/tests/integration/lib.sh"
need python3 curl lighttpd sqlite3
mv_tmpdir
up=$MV_TMP/up
cp -R "$MV_FIXTURES/upstream" "$up"

# cgi CONFIG URI: one GET through modvault.fcgi as plain CGI; sets $st,
# the body is in $MV_TMP/body, the stderr appended to $MV_TMP/cgi.err.
cgi() {
	env -i PATH="$PATH" MODVAULT_CONFIG="$1" REQUEST_METHOD=GET \
	    REQUEST_URI="$2" SCRIPT_NAME= GATEWAY_INTERFACE=CGI/1.1 \
	    "$MODVAULT_FCGI" </dev/null >"$MV_TMP/resp" 2>>"$MV_TMP/cgi.err"
	st=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' "$MV_TMP/resp" | head -1)
	sed '1,/^\r$/d' "$MV_TMP/resp" > "$MV_TMP/body"
}

# --- a query is a query: nothing else reaches the upstream ----------------
start_upstream "$up" --auth "alice:s3cret-pw" ||
    { echo "Bail out! no upstream"; exit 1; }
cfg=$MV_TMP/mv.conf
printf 'data_dir = %s/data\nupstream = http://alice:s3cret-pw@127.0.0.1:%s\n' \
    "$MV_TMP" "$UP_PORT" > "$cfg"
"$MODVAULT" --config "$cfg" init >/dev/null
b=/modvault.test/basic/@v
for q in '%252e%252e%252fchain%252fc%252f@v%252fv1.0.0' 'x%2523y' 'x%20y' \
    'x%253Fy' '-x'; do
	cgi "$cfg" "$b/$q.info"
	check "query \"$q\" is not found (got $st)" test "$st" = 404
done
check "... and none of them reached the upstream" \
    sh -c "! grep -q 'basic/@v/[^v]' '$UP_LOG'"
cgi "$cfg" "$b/v1.0.0.info"
check "a version is fetched with the URL's credentials (got $st)" test "$st" = 200

# --- credentials are used, never shown ------------------------------------
check "the stored origin hides them" sh -c \
    "sqlite3 '$MV_TMP/data/index.db' 'SELECT origin FROM version' | grep -q '^http://\*\*\*@127.0.0.1:'"
check "... and does not hold the password" sh -c \
    "! sqlite3 '$MV_TMP/data/index.db' 'SELECT origin FROM version' | grep -q s3cret"
printf 'data_dir = %s/data\nupstream = http://alice:wrong-pw@127.0.0.1:%s\n' \
    "$MV_TMP" "$UP_PORT" > "$MV_TMP/wrong.conf"
cgi "$MV_TMP/wrong.conf" "/modvault.test/license/@v/v1.0.0.zip"
check "a refused login is a 502 (got $st)" test "$st" = 502
check "... whose body does not echo the password" sh -c "! grep -q wrong-pw '$MV_TMP/body'"
check "... and names the upstream as ***@" grep -q '\*\*\*@127.0.0.1' "$MV_TMP/body"
check "no log line holds a password" sh -c "! grep -q 'pw' '$MV_TMP/cgi.err'"
stop_upstream

# --- misses of a failing version share its failure ------------------------
start_upstream "$up" --fault "license/@v/v1.0.0.zip=delay=60" ||
    { echo "Bail out! no upstream"; exit 1; }
printf 'data_dir = %s/data\nupstream = %s\nupstream_timeout = 3\n' \
    "$MV_TMP" "$UP_URL" > "$MV_TMP/hang.conf"
i=0 pids=
while [ $i -lt 8 ]; do
	(cgi "$MV_TMP/hang.conf" /modvault.test/license/@v/v1.0.0.zip
	 echo "$st" > "$MV_TMP/hang.$i") &
	pids="$pids $!"
	i=$((i + 1))
done
wait $pids
check "8 misses of a hanging version all end in 502" \
    test "$(cat "$MV_TMP"/hang.* | grep -c '^502$')" -eq 8
check "... after one fetch, not eight in turn" \
    test "$(upstream_count 'license/@v/v1.0.0.info 200')" -eq 1
stop_upstream

# --- a damaged or missing blob heals: quarantined, fetched again ----------
start_upstream "$up" || { echo "Bail out! no upstream"; exit 1; }
printf 'data_dir = %s/heal\nupstream = %s\n' "$MV_TMP" "$UP_URL" > "$MV_TMP/heal.conf"
printf 'data_dir = %s/heal\nupstream = %s\nxsendfile = lighttpd\n' "$MV_TMP" \
    "$UP_URL" > "$MV_TMP/heal-xs.conf"
"$MODVAULT" --config "$MV_TMP/heal.conf" init >/dev/null
"$MODVAULT" --config "$MV_TMP/heal.conf" import "$MV_FIXTURES/upstream" >/dev/null
# flip FILE: one byte of a stored blob changed.
flip() {
	chmod u+w "$1" && printf 'X' | dd of="$1" bs=1 seek=100 conv=notrunc 2>/dev/null
}
for k in license nested-parent; do
	eval "$(echo $k | tr -d -)_zip=\$(fx_file \"\$(fx_mod $k)\" \"\$(fx_ver $k)\" zip)"
done
lblob=$(blob_path "$MV_TMP/heal" "$license_zip")
flip "$lblob"
cgi "$MV_TMP/heal.conf" /modvault.test/license/@v/v1.0.0.zip
check "a damaged zip is fetched again and served whole (got $st)" \
    sh -c "[ $st = 200 ] && cmp -s '$MV_TMP/body' '$license_zip'"
check "... the damaged blob kept in quarantine/" \
    sh -c "ls '$MV_TMP/heal/quarantine/'$(sha256 "$license_zip").* >/dev/null"
check "... and the blob whole again" test "$(sha256 "$lblob")" = "$(sha256 "$license_zip")"
check "... after one upstream transfer" test "$(upstream_count 'license/@v/v1.0.0.zip 200')" -eq 1
mod=$(fx_file modvault.test/chain/c v1.0.0 mod)
rm -f "$(blob_path "$MV_TMP/heal" "$mod")"
cgi "$MV_TMP/heal.conf" /modvault.test/chain/c/@v/v1.0.0.mod
check "a missing .mod blob is fetched again (got $st)" \
    sh -c "[ $st = 200 ] && cmp -s '$MV_TMP/body' '$mod'"
# X-Sendfile: a blob is checked before the web server first sends it.
nblob=$(blob_path "$MV_TMP/heal" "$nestedparent_zip")
sqlite3 "$MV_TMP/heal/index.db" "DELETE FROM blob_check WHERE blob = '$(sha256 "$nestedparent_zip")'"
flip "$nblob"
cgi "$MV_TMP/heal-xs.conf" /modvault.test/nested/@v/v1.0.0.zip
check "an unchecked blob is read back before X-Sendfile hands it over (got $st)" \
    test "$st" = 200 -a "$(sha256 "$nblob")" = "$(sha256 "$nestedparent_zip")"
check "... and its check is recorded" test "$(sqlite3 "$MV_TMP/heal/index.db" \
    "SELECT count(*) FROM blob_check WHERE blob = '$(sha256 "$nestedparent_zip")'")" -eq 1
# Damage after the check: the scrub (verify) finds it, the next request heals.
flip "$nblob"
expect_status 1 "the scrub finds a blob damaged after its check" \
    "$MODVAULT" --config "$MV_TMP/heal.conf" verify
cgi "$MV_TMP/heal-xs.conf" /modvault.test/nested/@v/v1.0.0.zip
check "... and the next request fetches it again (got $st)" \
    test "$st" = 200 -a "$(sha256 "$nblob")" = "$(sha256 "$nestedparent_zip")"
expect_status 0 "then the store verifies" "$MODVAULT" --config "$MV_TMP/heal.conf" verify
stop_upstream

# --- a full disk is ours, not the upstream's, and loses nothing -----------
start_upstream "$up" || { echo "Bail out! no upstream"; exit 1; }
mkdir -p "$MV_TMP/full"
printf 'data_dir = %s/full/data\nupstream = %s\n' "$MV_TMP" "$UP_URL" > "$MV_TMP/full.conf"
# In a mount namespace of its own: a 3 MiB file system for the store, too
# small for the 5 MiB module.
unshare --mount sh -c "mount -t tmpfs -o size=3m tmpfs '$MV_TMP/full' &&
    '$MODVAULT' --config '$MV_TMP/full.conf' init >/dev/null &&
    for u in /modvault.test/big/@v/v1.0.0.zip /modvault.test/license/@v/v1.0.0.zip; do
	env -i PATH=\"\$PATH\" MODVAULT_CONFIG='$MV_TMP/full.conf' REQUEST_METHOD=GET \
	    REQUEST_URI=\$u '$MODVAULT_FCGI' </dev/null 2>>'$MV_TMP/full.err' |
	    sed -n '1s/^Status: //p; \$p' | tr -d '\r'
    done > '$MV_TMP/full.out' &&
    '$MODVAULT' --config '$MV_TMP/full.conf' verify > '$MV_TMP/full.verify' 2>&1 &&
    ls -A '$MV_TMP/full/data/tmp' > '$MV_TMP/full.tmp'" ||
    fail "a tmpfs store in a mount namespace of its own"
check "a miss on a full disk is 507, not a 502" grep -q '^507 ' "$MV_TMP/full.out"
check "... saying the store has no room, naming no file" sh -c \
    "grep -q 'insufficient storage' '$MV_TMP/full.out' && ! grep -q '$MV_TMP' '$MV_TMP/full.out'"
check "... while the log names the cause" grep -q 'No space left on device' "$MV_TMP/full.err"
check "... and a version that fits is still stored" grep -q '^200 ' "$MV_TMP/full.out"
check "... the store verifies" grep -q '^verified 1 versions: 0 problems' "$MV_TMP/full.verify"
check "... and nothing is left in the staging area" test ! -s "$MV_TMP/full.tmp"

# --- under a memory limit: misses refused with 503, hits served -----------
# (Not under AddressSanitizer, whose shadow memory needs far more address
# space than any such limit: the plain build runs it.)
if sanitized; then
	echo "# the ulimit -v checks run in the plain build only (ASan)"
else
	printf 'data_dir = %s/mem\nupstream = %s\n' "$MV_TMP" "$UP_URL" > "$MV_TMP/mem.conf"
	"$MODVAULT" --config "$MV_TMP/mem.conf" init >/dev/null
	"$MODVAULT" --config "$MV_TMP/mem.conf" fetch modvault.test/basic@v1.0.0 >/dev/null
	(ulimit -v 80000; cgi "$MV_TMP/mem.conf" /modvault.test/license/@v/v1.0.0.zip
	 echo "$st" > "$MV_TMP/mem.miss")
	check "a miss under ulimit -v 80000 is a 503, not a dead process ($(cat "$MV_TMP/mem.miss"))" \
	    test "$(cat "$MV_TMP/mem.miss")" = 503
	check "... saying why" grep -q 'ulimit -v' "$MV_TMP/body"
	(ulimit -v 62000; cgi "$MV_TMP/mem.conf" /modvault.test/basic/@v/v1.0.0.zip
	 echo "$st" > "$MV_TMP/mem.hit")
	check "a hit under ulimit -v 62000 is served ($(cat "$MV_TMP/mem.hit"))" \
	    test "$(cat "$MV_TMP/mem.hit")" = 200
fi
stop_upstream

# --- import never follows a link out of the tree, never waits on a FIFO ----
t=$MV_TMP/hostile-tree/modvault.test/basic/@v
mkdir -p "$t"
mkfifo "$t/v1.0.0.info"
cp "$(fx_file modvault.test/basic v1.0.0 mod)" "$t/v1.0.0.mod"
cp "$(fx_file modvault.test/basic v1.0.0 zip)" "$t/v1.0.0.zip"
ln -s /etc/passwd "$t/v1.1.0.info"
cp "$(fx_file modvault.test/basic v1.1.0 mod)" "$t/v1.1.0.mod"
cp "$(fx_file modvault.test/basic v1.1.0 zip)" "$t/v1.1.0.zip"
printf 'data_dir = %s/imp\n' "$MV_TMP" > "$MV_TMP/imp.conf"
"$MODVAULT" --config "$MV_TMP/imp.conf" init >/dev/null
timeout 20 "$MODVAULT" --config "$MV_TMP/imp.conf" import "$MV_TMP/hostile-tree" \
    > "$MV_TMP/imp2.out" 2>&1
check "import does not hang on a FIFO (exit $?, want 1)" test $? -eq 1
check "... refusing it as not a regular file" \
    grep -q '^refused modvault.test/basic@v1.0.0: .info: .* is not a regular file' "$MV_TMP/imp2.out"
check "... and a symbolic link out of the tree" \
    grep -q '^refused modvault.test/basic@v1.1.0: .info: .*symbolic link' "$MV_TMP/imp2.out"

# --- gc on a slow disk never holds the index against a miss ---------------
start_upstream "$up" || { echo "Bail out! no upstream"; exit 1; }
printf 'data_dir = %s/gc\nupstream = %s\n' "$MV_TMP" "$UP_URL" > "$MV_TMP/gc.conf"
"$MODVAULT" --config "$MV_TMP/gc.conf" init >/dev/null
"$MODVAULT" --config "$MV_TMP/gc.conf" import "$MV_FIXTURES/upstream" >/dev/null
# Every version but the big one removed: dozens of blobs for gc, each
# unlink made to take 0.8 s (strace's fault injection: a slow disk freeing
# a file's extents), so the whole walk takes longer than a writer waits for
# the index (30 s).
awk '$3 != "big" { print $1 "@" $2 }' "$MV_FIXTURES/modules.txt" |
    while read -r mv; do "$MODVAULT" --config "$MV_TMP/gc.conf" rm "$mv" >/dev/null; done
strace -f -qq -o "$MV_TMP/gc.trace" -e trace=unlink \
    -e inject=unlink:delay_enter=800000 \
    "$MODVAULT" --config "$MV_TMP/gc.conf" gc > "$MV_TMP/gc.out" 2>&1 &
gcpid=$!
mv_at_exit "kill $gcpid 2>/dev/null"
wait_for 10 grep -q 'unlink(.*/tmp/removed-' "$MV_TMP/gc.trace" ||
    fail "gc started removing blobs"
cgi "$MV_TMP/gc.conf" /modvault.test/license/@v/v1.0.0.zip
check "a miss while gc crawls over a slow disk is answered (got $st)" test "$st" = 200
check "... while gc is still running" kill -0 "$gcpid"
kill "$gcpid" 2>/dev/null
wait "$gcpid" 2>/dev/null
"$MODVAULT" --config "$MV_TMP/gc.conf" verify > "$MV_TMP/gc.verify" 2>&1
check "a gc killed mid-walk leaves a consistent store (verify exit $?)" \
    test $? -eq 0
stop_upstream

# --- a go.sum is read as a go.sum, whatever it is called ------------------
start_upstream "$up" || { echo "Bail out! no upstream"; exit 1; }
printf 'data_dir = %s/sums\nupstream = %s\n' "$MV_TMP" "$UP_URL" > "$MV_TMP/sums.conf"
"$MODVAULT" --config "$MV_TMP/sums.conf" init >/dev/null
cp "$MV_FIXTURES/go.sum" "$MV_TMP/deps.txt"
n=$(fx_versions)
expect_status 0 "fetch -r of a go.sum called deps.txt" \
    "$MODVAULT" --config "$MV_TMP/sums.conf" fetch -r "$MV_TMP/deps.txt"
check "... fetches every version it names ($n)" \
    grep -qx "$n versions: $n stored, 0 already present, 0 refused" "$MV_TMP/out"
stop_upstream

# --- what a tree or a client names is shown, never obeyed ------------------
esc=$(printf 'modvault.test/bad\033[2Jname')
mkdir -p "$MV_TMP/tree/$esc/@v"
printf 'x' > "$MV_TMP/tree/$esc/@v/v1.0.0.zip"
"$MODVAULT" --config "$MV_TMP/sums.conf" import "$MV_TMP/tree" > "$MV_TMP/imp.out" 2>&1
check "an import names a control byte as \\x1b" grep -q 'bad\\x1b\[2Jname' "$MV_TMP/imp.out"
check "... and prints no control byte" sh -c "! grep -q \"\$(printf '\\033')\" '$MV_TMP/imp.out'"
cgi "$MV_TMP/sums.conf" '/modvault.test/%ff/@v/list'
check "a request naming byte 0xff is a 404 (got $st)" test "$st" = 404
check "... whose body holds only printable ASCII" sh -c \
    "LC_ALL=C grep -q '[^ -~]' '$MV_TMP/body' && exit 1 || exit 0"

# --- /healthz says when the store cannot be written ------------------------
mkdir -m 0755 "$MV_TMP/ro"
printf 'data_dir = %s/ro/data\n' "$MV_TMP" > "$MV_TMP/ro/mv.conf"
chmod 0755 "$MV_TMP" "$MV_TMP/ro"
"$MODVAULT" --config "$MV_TMP/ro/mv.conf" init >/dev/null
chmod 0644 "$MV_TMP/ro/mv.conf"
# healthz_as USER: /healthz run as USER; sets $st.
healthz_as() {
	setpriv --reuid="$1" --regid="$1" --clear-groups env -i PATH="$PATH" \
	    MODVAULT_CONFIG="$MV_TMP/ro/mv.conf" REQUEST_METHOD=GET \
	    REQUEST_URI=/healthz "$MODVAULT_FCGI" </dev/null >"$MV_TMP/resp" 2>/dev/null
	st=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' "$MV_TMP/resp" | head -1)
}
healthz_as 0
check "/healthz of a store its user can write: 200 (got $st)" test "$st" = 200
healthz_as 65534
check "/healthz of a store its user cannot write: 503 (got $st)" test "$st" = 503
chmod 0700 "$MV_TMP"

# --- hits keep answering while slow misses hold processes -----------------
start_upstream "$up" \
    --fault "big/@v/v1.0.0.zip=delay=30" \
    --fault "nested/@v/v1.0.0.zip=delay=30" \
    --fault "vendored/@v/v1.0.0.zip=delay=30" \
    --fault "major/@v/v1.0.0.zip=delay=30" ||
    { echo "Bail out! no upstream"; exit 1; }
printf 'data_dir = %s/data\nupstream = %s\nupstream_timeout = 40\n' \
    "$MV_TMP" "$UP_URL" > "$MV_TMP/slow.conf"
start_lighttpd "$MV_TMP/slow.conf" "$MV_TMP/data" ||
    { echo "Bail out! lighttpd did not start"; exit 1; }
pids=
for m in big nested vendored major; do
	curl -s -o /dev/null --max-time 60 \
	    "$url/modvault.test/$m/@v/v1.0.0.zip" &
	pids="$pids $!"
done
mv_at_exit "kill $pids 2>/dev/null"
wait_for 10 sh -c "[ \$(grep -c '\.info 200' '$UP_LOG') -ge 4 ]" ||
    fail "the four slow misses started"
ok=0
i=0
while [ $i -lt 20 ]; do
	code=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' \
	    --max-time 5 "$url$b/v1.0.0.info")
	case $code in 200*) ok=$((ok + 1)) ;; *) echo "# hit: $code" ;; esac
	i=$((i + 1))
done
check "with four misses hanging, 20 hits all answered ($ok)" test "$ok" -eq 20
stop_lighttpd
stop_upstream
mv_done
