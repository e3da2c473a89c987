#!/bin/sh
# fetch.sh: fetch on miss from an upstream serving the fixtures, behind
# lighttpd, with the real go command: cold cache, upstream down, upstream
# back with new versions; GOPROXY list semantics; the negative cache; one
# upstream transfer for 20 concurrent misses; a fetch killed mid-download;
# a download the store cannot write; `modvault fetch`.
. "$MV_SRCDIR/tests/integration/lib.sh"
need lighttpd go curl python3
mv_tmpdir

# What the fixtures hold, and the versions this script asks for by kind.
NV=$(fx_versions)
NZ=$(awk '$2 !~ /\/go\.mod$/' "$MV_FIXTURES/go.sum" | wc -l | tr -d ' ')
B_M=$(fx_mod basic)			# several versions and a prerelease
B_E=$(fx_escape "$B_M")
B_V=$(fx_ver basic)
B_LATEST=$(fx_latest "$B_M")
B_PRE=$(fx_ver prerelease)
P_M=$(fx_mod pseudo)			# no tag: @latest is a pseudo-version
P_V=$(fx_ver pseudo)
C_M=$(fx_mod chain)
C_E=$(fx_escape "$C_M")
C_V=$(fx_ver chain)
N_M=$(fx_mod nogomod)
N_E=$(fx_escape "$N_M")
N_V=$(fx_ver nogomod)
BIG_M=$(fx_mod big)
BIG_E=$(fx_escape "$BIG_M")
BIG_V=$(fx_ver big)
BIG_ZIP=$(fx_file "$BIG_M" "$BIG_V" zip)
BIG_SIZE=$(wc -c <"$BIG_ZIP" | tr -d ' ')
# More bytes than the big version's .info and .mod: a staged file this
# big is (part of) its zip.
ZIPPISH=$(cat "$(fx_file "$BIG_M" "$BIG_V" info)" \
    "$(fx_file "$BIG_M" "$BIG_V" mod)" | wc -c | tr -d ' ')
# A version that appears upstream during the test.
NEW_V=v1.3.0

cp -r "$MV_FIXTURES/upstream" "$MV_TMP/up"
start_upstream "$MV_TMP/up" || { fail "upstream starts"; mv_done; }

# An empty store fetching from the upstream, behind lighttpd.
printf 'upstream = %s\nlist_ttl = 1\nnegative_ttl = 300\nlog_level = info\n' \
    "$UP_URL" | write_config "$MV_TMP/modvault.conf" "$MV_TMP/data"
"$MODVAULT" --config "$MV_TMP/modvault.conf" init >/dev/null
start_lighttpd "$MV_TMP/modvault.conf" "$MV_TMP/data" ||
    { fail "lighttpd starts"; mv_done; }

check "cold cache: go downloads every fixture through modvault, verified against go.sum" \
    run_go_client "$url/"
zips=$(upstream_count '[.]zip 200')
check "each of the $NZ fixture zips crossed from upstream once (got $zips)" \
    sh -c "[ $zips -eq $NZ ] && [ -z \"\$(grep '[.]zip 200' '$UP_LOG' | sort | uniq -d)\" ]"
check "go get M@latest through a filling proxy" run_go_get "$url/"
# quiet CMD...: CMD with its output in $MV_TMP/quiet.out.
quiet() { "$@" >"$MV_TMP/quiet.out" 2>&1; }
check "modvault verify: the fetched store is sound" \
    quiet "$MODVAULT" --config "$MV_TMP/modvault.conf" verify
check "$NV versions stored" \
    sh -c "[ \$('$MODVAULT' --config '$MV_TMP/modvault.conf' ls | wc -l) -eq $NV ]"

# GP-5.2.4: a non-canonical query is resolved through upstream and stored
# under the canonical version it names.
python3 "$MV_SRCDIR/tests/integration/mkmodule.py" "$MV_TMP/up" example.com/q v1.2.0
cp "$MV_TMP/up/example.com/q/@v/v1.2.0.info" "$MV_TMP/up/example.com/q/@v/master.info"
curl -s -o "$MV_TMP/q.info" "$url/example.com/q/@v/master.info"
check "GP-5.2.4: @v/master.info answers the canonical version" \
    grep -q '"Version":"v1.2.0"' "$MV_TMP/q.info"
check "GP-5.2.4: the resolved version is stored under v1.2.0" \
    sh -c "'$MODVAULT' --config '$MV_TMP/modvault.conf' ls | grep -q '^example.com/q@v1.2.0	'"

# GP-7.5: prefixes that are not modules: one upstream question, then the
# negative cache answers.
for i in 1 2 3; do
	curl -s -o /dev/null "$url/$B_E/nosuch/@v/list"
done
check "not-found prefix: 404" sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' '$url/$B_E/nosuch/@v/list') = 404 ]"
check "negative cache: upstream asked once for a missing module" \
    [ "$(upstream_count "$B_E/nosuch/@v/list")" -eq 1 ]

# Upstream down: everything stored is still served, list still answers.
stop_upstream
check "upstream down: go still downloads and verifies everything" \
    run_go_client "$url/"
curl -s -o "$MV_TMP/list" -w '%{http_code}' "$url/$B_E/@v/list" > "$MV_TMP/code"
sort "$MV_TMP/up/$B_E/@v/list" > "$MV_TMP/want"
check "upstream down: list answers from the store, every version" \
    sh -c "[ \$(cat '$MV_TMP/code') = 200 ] && sort '$MV_TMP/list' | cmp -s - '$MV_TMP/want'"
curl -s -o "$MV_TMP/latest" "$url/$B_E/@latest"
check "upstream down: @latest from the store is the release $B_LATEST, not the prerelease" \
    grep -q "\"Version\":\"$B_LATEST\"" "$MV_TMP/latest"
curl -s -o "$MV_TMP/latest" "$url/$(fx_escape "$P_M")/@latest"
check "upstream down: @latest of an untagged module is its pseudo-version" \
    grep -q "\"Version\":\"$P_V\"" "$MV_TMP/latest"
check "upstream down: a missing version is an upstream error (502), not 404" \
    sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' '$url/$B_E/@v/v1.9.9.info') = 502 ]"

# Upstream back with a new version: it appears once list_ttl (1 s) has
# passed.
python3 "$MV_SRCDIR/tests/integration/mkmodule.py" "$MV_TMP/up" "$B_M" $NEW_V
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up"
list_has_new() {
	curl -s -o "$MV_TMP/list" "$url/$B_E/@v/list" &&
	grep -qx $NEW_V "$MV_TMP/list"
}
check "upstream back: list merges the new version (list_ttl = 1)" \
    wait_for 10 list_has_new
check "upstream back: the merged list keeps the stored versions" \
    sh -c "grep -qx '$B_V' '$MV_TMP/list' && grep -qx '$B_PRE' '$MV_TMP/list'"
curl -s -o "$MV_TMP/zip" "$url/$B_E/@v/$NEW_V.zip"
check "upstream back: the new version is fetched" cmp -s "$MV_TMP/zip" "$MV_TMP/up/$B_E/@v/$NEW_V.zip"
stop_lighttpd

# 20 concurrent misses (20 CGI processes) of the big version in an empty
# store: one upstream transfer; the upstream delays the zip so they all
# overlap.
stop_upstream
: > "$UP_LOG"
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up" \
    --fault "$BIG_E/@v/$BIG_V.zip=delay=1"
printf 'upstream = %s\n' "$UP_URL" | write_config "$MV_TMP/many.conf" "$MV_TMP/data7"
"$MODVAULT" --config "$MV_TMP/many.conf" init >/dev/null
i=0
pids=
while [ $i -lt 20 ]; do
	env -i PATH="$PATH" MODVAULT_CONFIG="$MV_TMP/many.conf" REQUEST_METHOD=GET \
	    REQUEST_URI="/$BIG_E/@v/$BIG_V.zip" "$MODVAULT_FCGI" \
	    </dev/null >"$MV_TMP/big.$i" 2>/dev/null &
	pids="$pids $!"
	i=$((i + 1))
done
# shellcheck disable=SC2086
wait $pids
check "20 concurrent misses: one upstream transfer of the zip" \
    [ "$(upstream_count "$BIG_E/@v/$BIG_V.zip 200")" -eq 1 ]
same=0
i=0
while [ $i -lt 20 ]; do
	python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.stdout.buffer.write(d.partition(b"\r\n\r\n")[2])' \
	    "$MV_TMP/big.$i" | cmp -s - "$BIG_ZIP" && same=$((same + 1))
	i=$((i + 1))
done
check "20 concurrent misses: all 20 got the exact zip ($same)" [ "$same" -eq 20 ]
check "20 concurrent misses: stored once, the store verifies" \
    sh -c "[ \$('$MODVAULT' --config '$MV_TMP/many.conf' ls | wc -l) -eq 1 ] &&
	'$MODVAULT' --config '$MV_TMP/many.conf' verify >/dev/null"
check "20 concurrent misses: no staged or claim file left" \
    [ -z "$(ls -A "$MV_TMP/data7/tmp")" ]
stop_upstream
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up"

# GP-6.3 list semantics, through the CGI: a dead first entry.
dead=http://127.0.0.1:$(free_port)
# cgi_status URI [CONFIG]: the status modvault.fcgi answers, as CGI; the
# body is left in $MV_TMP/cgi.body.
cgi_status() {
	env -i PATH="$PATH" MODVAULT_CONFIG="${2:-$MV_TMP/list.conf}" REQUEST_METHOD=GET \
	    REQUEST_URI="$1" "$MODVAULT_FCGI" </dev/null 2>>"$MV_TMP/cgi.err" |
	    python3 -c 'import sys
d = sys.stdin.buffer.read()
h, _, b = d.partition(b"\r\n\r\n")
open(sys.argv[1], "wb").write(b)
for l in h.split(b"\r\n"):
    if l.startswith(b"Status: "):
        print(l[8:11].decode())' "$MV_TMP/cgi.body"
}
printf 'upstream = %s,%s\n' "$dead" "$UP_URL" | write_config "$MV_TMP/list.conf" "$MV_TMP/data2"
"$MODVAULT" --config "$MV_TMP/list.conf" init >/dev/null
check "GP-6.3: after ',' an unreachable entry is an error (502)" \
    [ "$(cgi_status "/$C_E/@v/$C_V.info")" = 502 ]
printf 'upstream = %s|%s\n' "$dead" "$UP_URL" | write_config "$MV_TMP/list.conf" "$MV_TMP/data2"
check "GP-6.3: after '|' any error falls through (200)" \
    [ "$(cgi_status "/$C_E/@v/$C_V.info")" = 200 ]
printf 'upstream = %s/nothing,%s\n' "$UP_URL" "$UP_URL" | write_config "$MV_TMP/list.conf" "$MV_TMP/data2"
check "GP-6.3: after ',' a 404 falls through (200)" \
    [ "$(cgi_status "/$N_E/@v/$N_V.mod")" = 200 ]
printf 'upstream = off\n' | write_config "$MV_TMP/list.conf" "$MV_TMP/data2"
check "upstream = off: a version not stored is 404" \
    [ "$(cgi_status "/$B_E/@v/$B_V.info")" = 404 ]

# netrc: a private upstream that wants credentials.
stop_upstream
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up" --auth alice:s3cret
printf 'upstream = %s\n' "$UP_URL" | write_config "$MV_TMP/auth.conf" "$MV_TMP/data4"
"$MODVAULT" --config "$MV_TMP/auth.conf" init >/dev/null
check "a private upstream without credentials: 502" \
    [ "$(cgi_status "/$N_E/@v/$N_V.info" "$MV_TMP/auth.conf")" = 502 ]
printf 'machine 127.0.0.1 login alice password s3cret\n' > "$MV_TMP/netrc"
printf 'upstream = %s\nnetrc = %s\n' "$UP_URL" "$MV_TMP/netrc" |
    write_config "$MV_TMP/auth.conf" "$MV_TMP/data4"
check "netrc: modvault fetch authenticates to the private upstream" \
    quiet "$MODVAULT" --config "$MV_TMP/auth.conf" fetch "$N_M@$N_V"
stop_upstream

# An upstream (or a CDN in front of it) that gzips its bodies: the
# Content-Length it sends counts the encoded bytes.
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up" --gzip
printf 'upstream = %s\n' "$UP_URL" | write_config "$MV_TMP/gzip.conf" "$MV_TMP/data5"
"$MODVAULT" --config "$MV_TMP/gzip.conf" init >/dev/null
check "a gzip-encoding upstream: every version fetched and stored" \
    sh -c "'$MODVAULT' --config '$MV_TMP/gzip.conf' fetch -r '$MV_FIXTURES/go.sum' > '$MV_TMP/g.out' &&
	[ \$(grep -c '^stored ' '$MV_TMP/g.out') -eq $NV ] &&
	grep -qx '$NV versions: $NV stored, 0 already present, 0 refused' '$MV_TMP/g.out'"
check "a gzip-encoding upstream: the stored zips verify" \
    quiet "$MODVAULT" --config "$MV_TMP/gzip.conf" verify
check "a gzip-encoding upstream: list answers" \
    [ "$(cgi_status "/$B_E/@v/list" "$MV_TMP/gzip.conf")" = 200 ]
stop_upstream

# A fetch killed mid-download (SIGKILL, threads and all) does not hold the
# version: its claim names a dead process, so the next request takes it
# over at once instead of waiting out upstream_timeout (20 s here) and
# answering 504.  The upstream sends the big zip at 1 MiB/s.
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up" \
    --fault "$BIG_E/@v/$BIG_V.zip=rate=1"
printf 'upstream = %s\nupstream_timeout = 20\n' "$UP_URL" |
    write_config "$MV_TMP/kill.conf" "$MV_TMP/data6"
"$MODVAULT" --config "$MV_TMP/kill.conf" init >/dev/null
env -i PATH="$PATH" MODVAULT_CONFIG="$MV_TMP/kill.conf" REQUEST_METHOD=GET \
    REQUEST_URI="/$BIG_E/@v/$BIG_V.zip" "$MODVAULT_FCGI" \
    </dev/null >/dev/null 2>&1 &
victim=$!
# partial: a staged file holds part of the zip (more than the .info and
# .mod, less than the whole).
partial() {
	staged "$MV_TMP/data6" | awk -v a=$((ZIPPISH + 1)) -v b=$((BIG_SIZE - 1)) \
	    '$1 >= a && $1 <= b { n++ } END { exit !n }'
}
wait_for 20 partial
kill -9 "$victim"
wait "$victim" 2>/dev/null
staged "$MV_TMP/data6" > "$MV_TMP/left"
check "a fetch killed mid-download: it died holding a partial download" partial
stop_upstream
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up"
st=$(cgi_status "/$BIG_E/@v/$BIG_V.zip" "$MV_TMP/kill.conf")
check "a fetch killed mid-download: the next request fetches it (got $st)" \
    [ "$st" = 200 ]
check "a fetch killed mid-download: the next request answered the whole zip" \
    cmp -s "$MV_TMP/cgi.body" "$BIG_ZIP"
check "a fetch killed mid-download: the store verifies" \
    quiet "$MODVAULT" --config "$MV_TMP/kill.conf" verify
staged "$MV_TMP/data6" > "$MV_TMP/now"
check "a fetch killed mid-download: its staged files wait for gc" \
    sh -c "[ -s '$MV_TMP/left' ] && ! grep -vxFf '$MV_TMP/now' '$MV_TMP/left'"
touch -d @1000 "$MV_TMP/data6/tmp"/*
check "a fetch killed mid-download: gc removes its leftovers" \
    sh -c "'$MODVAULT' --config '$MV_TMP/kill.conf' gc > '$MV_TMP/gc.out' &&
	grep -q '^removed 0 unreferenced blobs (0 bytes) and [1-9][0-9]* stray staged files\$' '$MV_TMP/gc.out'"
check "a fetch killed mid-download: its staged and claim files are gone" \
    [ -z "$(ls -A "$MV_TMP/data6/tmp")" ]

# A download the store cannot keep (here: a file size limit, so writing
# the zip fails with EFBIG) is the server's failure: 507 Insufficient
# Storage, whose body names no file; nothing is stored or left staged.
printf 'upstream = %s\n' "$UP_URL" | write_config "$MV_TMP/efbig.conf" "$MV_TMP/data8"
"$MODVAULT" --config "$MV_TMP/efbig.conf" init >/dev/null
env -i PATH="$PATH" MODVAULT_CONFIG="$MV_TMP/efbig.conf" REQUEST_METHOD=GET \
    REQUEST_URI="/$BIG_E/@v/$BIG_V.zip" sh -c \
    "trap '' XFSZ; ulimit -f $((BIG_SIZE / 2048)); exec '$MODVAULT_FCGI'" \
    </dev/null >"$MV_TMP/efbig.out" 2>"$MV_TMP/efbig.err"
check "a download the store cannot write: 507" \
    grep -q '^Status: 507' "$MV_TMP/efbig.out"
check "its body names no file" sh -c "
	grep -q '^internal error: insufficient storage' '$MV_TMP/efbig.out' &&
	! grep -qF '$MV_TMP' '$MV_TMP/efbig.out'"
check "nothing stored, nothing left staged" \
    sh -c "[ -z \"\$('$MODVAULT' --config '$MV_TMP/efbig.conf' ls)\" ] && [ -z \"\$(ls -A '$MV_TMP/data8/tmp')\" ]"

# modvault fetch: the same code path from the command line.
printf 'upstream = %s\n' "$UP_URL" | write_config "$MV_TMP/fetch.conf" "$MV_TMP/data3"
"$MODVAULT" --config "$MV_TMP/fetch.conf" init >/dev/null
fetch() { "$MODVAULT" --config "$MV_TMP/fetch.conf" fetch "$@"; }
awk '{ sub("/go.mod$", "", $2); print $1 "@" $2 }' "$MV_FIXTURES/go.sum" |
    sort -u > "$MV_TMP/want"
expect_status 0 "modvault fetch -r go.sum" fetch -r "$MV_FIXTURES/go.sum"
check "modvault fetch -r go.sum stores every version in it" \
    sh -c "sed -n 's/^stored //p' '$MV_TMP/out' | sort | cmp -s - '$MV_TMP/want'"
check "modvault fetch -r go.sum: the totals" \
    grep -qx "$NV versions: $NV stored, 0 already present, 0 refused" "$MV_TMP/out"
check "every blob a fetch wrote is mode 0444 (the web server reads it as another user)" \
    test -z "$(find "$MV_TMP/data3/blobs" -type f ! -perm 0444)"
expect_status 0 "modvault fetch again" fetch "$B_M@$B_V"
check "modvault fetch again: already present, then the totals" \
    sh -c "[ \"\$(cat '$MV_TMP/out')\" = 'already present $B_M@$B_V
1 versions: 0 stored, 1 already present, 0 refused' ]"
expect_status 1 "modvault fetch of an unknown version: exit 1" fetch "$B_M@v1.9.9"
check "modvault fetch of an unknown version: one refused line, then the totals" \
    sh -c "grep -q '^refused $B_M@v1.9.9: ' '$MV_TMP/out' &&
	! grep -q 'refused.*refused' '$MV_TMP/out' &&
	[ \$(wc -l < '$MV_TMP/out') -eq 2 ] &&
	tail -n 1 '$MV_TMP/out' | grep -qx '1 versions: 0 stored, 0 already present, 1 refused'"
expect_status 0 "modvault fetch M@latest" fetch "$B_M@latest"
check "modvault fetch M@latest resolves through upstream (to $NEW_V)" \
    grep -qx "stored $B_M@$NEW_V" "$MV_TMP/out"
expect_status 0 "modvault fetch of an untagged module's @latest" fetch "$P_M@latest"
check "modvault fetch M@latest: the pseudo-version of an untagged module" \
    grep -qx "already present $P_M@$P_V" "$MV_TMP/out"
expect_status 0 "modvault fetch of a prerelease" fetch "$B_M@$B_PRE"
check "modvault fetch of a prerelease: already present" \
    grep -qx "already present $B_M@$B_PRE" "$MV_TMP/out"

mv_done
