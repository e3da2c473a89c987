#!/bin/sh
# fetch.sh: fetch on miss from an upstream serving the fixtures, behind
# lighttpd, with the real go command: cold cache, upstream down, upstream
# back with new versions; GOPROXY list semantics; the negative cache; one
# upstream transfer for 20 concurrent misses; `modvault fetch`.
. "$MV_SRCDIR/tests/integration/lib.sh"
need lighttpd go curl python3
mv_tmpdir

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
check "each fixture zip crossed from upstream once (got $zips)" [ "$zips" -eq 7 ]
check "go get M@latest through a filling proxy" run_go_get "$url/"
check "modvault verify: the fetched store is sound" \
    "$MODVAULT" --config "$MV_TMP/modvault.conf" verify
check "7 versions stored" sh -c "[ \$('$MODVAULT' --config '$MV_TMP/modvault.conf' ls | grep -vc '^example.com/q@') -eq 7 ]"

# GP-5.2.4: a non-canonical query is resolved through upstream and stored
# under the canonical version it names.
python3 "$MV_SRCDIR/tests/integration/mkmodule.py" "$MV_TMP/up" example.com/q v1.2.0
cp "$MV_TMP/up/example.com/q/@v/v1.2.0.info" "$MV_TMP/up/example.com/q/@v/master.info"
curl -s -o "$MV_TMP/q.info" "$url/example.com/q/@v/master.info"
check "GP-5.2.4: @v/master.info answers the canonical version" \
    grep -q '"Version":"v1.2.0"' "$MV_TMP/q.info"
check "GP-5.2.4: the resolved version is stored under v1.2.0" \
    sh -c "'$MODVAULT' --config '$MV_TMP/modvault.conf' ls | grep -q '^example.com/q@v1.2.0'"

# GP-7.5: prefixes that are not modules: one upstream question, then the
# negative cache answers.
for i in 1 2 3; do
	curl -s -o /dev/null "$url/github.com/kr/pretty/nosuch/@v/list"
done
check "not-found prefix: 404" sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' '$url/github.com/kr/pretty/nosuch/@v/list') = 404 ]"
check "negative cache: upstream asked once for a missing module" \
    [ "$(upstream_count 'kr/pretty/nosuch/@v/list')" -eq 1 ]

# Upstream down: everything stored is still served, list still answers.
stop_upstream
check "upstream down: go still downloads and verifies everything" \
    run_go_client "$url/"
curl -s -o "$MV_TMP/list" -w '%{http_code}' "$url/golang.org/x/sync/@v/list" > "$MV_TMP/code"
check "upstream down: list answers from the store" \
    sh -c "[ \$(cat '$MV_TMP/code') = 200 ] && grep -qx v0.3.0 '$MV_TMP/list'"
check "upstream down: a missing version is an upstream error (502), not 404" \
    sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' '$url/golang.org/x/sync/@v/v0.9.9.info') = 502 ]"

# Upstream back with a new version: it appears after list_ttl.
python3 "$MV_SRCDIR/tests/integration/mkmodule.py" "$MV_TMP/up" golang.org/x/sync v0.4.0
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up"
sleep 1.2
curl -s -o "$MV_TMP/list" "$url/golang.org/x/sync/@v/list"
check "upstream back: list merges the new version" grep -qx v0.4.0 "$MV_TMP/list"
curl -s -o "$MV_TMP/zip" "$url/golang.org/x/sync/@v/v0.4.0.zip"
check "upstream back: the new version is fetched" cmp -s "$MV_TMP/zip" "$MV_TMP/up/golang.org/x/sync/@v/v0.4.0.zip"
stop_lighttpd

# 20 concurrent misses (20 CGI processes) for one ~5 MB version: one
# upstream transfer; the upstream delays the zip so they all overlap.
stop_upstream
python3 "$MV_SRCDIR/tests/integration/mkmodule.py" "$MV_TMP/up" example.com/big v1.0.0 5000000
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up" --fault big/@v/v1.0.0.zip=delay=1
i=0
pids=
while [ $i -lt 20 ]; do
	env -i PATH="$PATH" MODVAULT_CONFIG="$MV_TMP/modvault.conf" REQUEST_METHOD=GET \
	    REQUEST_URI=/example.com/big/@v/v1.0.0.zip "$MODVAULT_FCGI" \
	    </dev/null >"$MV_TMP/big.$i" 2>/dev/null &
	pids="$pids $!"
	i=$((i + 1))
done
# shellcheck disable=SC2086
wait $pids
check "20 concurrent misses: one upstream transfer of the zip" \
    [ "$(upstream_count 'big/@v/v1.0.0.zip 200')" -eq 1 ]
same=0
i=0
while [ $i -lt 20 ]; do
	python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.stdout.buffer.write(d.partition(b"\r\n\r\n")[2])' \
	    "$MV_TMP/big.$i" | cmp -s - "$MV_TMP/up/example.com/big/@v/v1.0.0.zip" && same=$((same + 1))
	i=$((i + 1))
done
check "20 concurrent misses: all 20 got the exact zip ($same)" [ "$same" -eq 20 ]

# GP-6.3 list semantics, through the CGI: a dead first entry.
dead=http://127.0.0.1:$(free_port)
# cgi_status URI [CONFIG]: the status modvault.fcgi answers, as CGI.
cgi_status() {
	env -i PATH="$PATH" MODVAULT_CONFIG="${2:-$MV_TMP/list.conf}" REQUEST_METHOD=GET \
	    REQUEST_URI="$1" "$MODVAULT_FCGI" </dev/null 2>/dev/null |
	    sed -n 's/^Status: \([0-9]*\).*/\1/p'
}
printf 'upstream = %s,%s\n' "$dead" "$UP_URL" | write_config "$MV_TMP/list.conf" "$MV_TMP/data2"
"$MODVAULT" --config "$MV_TMP/list.conf" init >/dev/null
check "GP-6.3: after ',' an unreachable entry is an error (502)" \
    [ "$(cgi_status /github.com/kr/text/@v/v0.1.0.info)" = 502 ]
printf 'upstream = %s|%s\n' "$dead" "$UP_URL" | write_config "$MV_TMP/list.conf" "$MV_TMP/data2"
check "GP-6.3: after '|' any error falls through (200)" \
    [ "$(cgi_status /github.com/kr/text/@v/v0.1.0.info)" = 200 ]
mkdir -p "$MV_TMP/empty"
printf 'upstream = %s/nothing,%s\n' "$UP_URL" "$UP_URL" | write_config "$MV_TMP/list.conf" "$MV_TMP/data2"
check "GP-6.3: after ',' a 404 falls through (200)" \
    [ "$(cgi_status /github.com/kr/pty/@v/v1.1.1.mod)" = 200 ]
printf 'upstream = off\n' | write_config "$MV_TMP/list.conf" "$MV_TMP/data2"
check "upstream = off: a version not stored is 404" \
    [ "$(cgi_status /golang.org/x/sync/@v/v0.3.0.info)" = 404 ]

# netrc: a private upstream that wants credentials.
stop_upstream
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up" --auth alice:s3cret
printf 'upstream = %s\n' "$UP_URL" | write_config "$MV_TMP/auth.conf" "$MV_TMP/data4"
"$MODVAULT" --config "$MV_TMP/auth.conf" init >/dev/null
check "a private upstream without credentials: 502" \
    [ "$(cgi_status /github.com/kr/pty/@v/v1.1.1.info "$MV_TMP/auth.conf")" = 502 ]
printf 'machine 127.0.0.1 login alice password s3cret\n' > "$MV_TMP/netrc"
printf 'upstream = %s\nnetrc = %s\n' "$UP_URL" "$MV_TMP/netrc" |
    write_config "$MV_TMP/auth.conf" "$MV_TMP/data4"
check "netrc: modvault fetch authenticates to the private upstream" \
    "$MODVAULT" --config "$MV_TMP/auth.conf" fetch github.com/kr/pty@v1.1.1
stop_upstream
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up"

# An upstream (or a CDN in front of it) that gzips its bodies: the
# Content-Length it sends counts the encoded bytes.
stop_upstream
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up" --gzip
printf 'upstream = %s\n' "$UP_URL" | write_config "$MV_TMP/gzip.conf" "$MV_TMP/data5"
"$MODVAULT" --config "$MV_TMP/gzip.conf" init >/dev/null
check "a gzip-encoding upstream: every version fetched and stored" \
    sh -c "'$MODVAULT' --config '$MV_TMP/gzip.conf' fetch -r '$MV_FIXTURES/go.sum' > '$MV_TMP/g.out' && [ \$(grep -c '^stored ' '$MV_TMP/g.out') -eq 7 ]"
check "a gzip-encoding upstream: the stored zips verify" \
    "$MODVAULT" --config "$MV_TMP/gzip.conf" verify
check "a gzip-encoding upstream: list answers" \
    [ "$(cgi_status /golang.org/x/sync/@v/list "$MV_TMP/gzip.conf")" = 200 ]
stop_upstream
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up"

# A fetch killed mid-download (SIGKILL, threads and all) does not hold the
# version: its claim names a dead process, so the next request takes it
# over at once instead of waiting out upstream_timeout (20 s here).
python3 "$MV_SRCDIR/tests/integration/mkmodule.py" "$MV_TMP/up" \
    example.com/killed v1.0.0 $((8 * 1048576))
stop_upstream
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up" \
    --fault killed/@v/v1.0.0.zip=rate=1
printf 'upstream = %s\nupstream_timeout = 20\n' "$UP_URL" |
    write_config "$MV_TMP/kill.conf" "$MV_TMP/data6"
"$MODVAULT" --config "$MV_TMP/kill.conf" init >/dev/null
env -i PATH="$PATH" MODVAULT_CONFIG="$MV_TMP/kill.conf" REQUEST_METHOD=GET \
    REQUEST_URI=/example.com/killed/@v/v1.0.0.zip "$MODVAULT_FCGI" \
    </dev/null >/dev/null 2>&1 &
victim=$!
i=0
until [ "$(upstream_count 'killed/@v/v1.0.0.zip 200')" -ge 1 ] || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
kill -9 "$victim"
wait "$victim" 2>/dev/null
check "a fetch killed mid-download: it died holding a partial download" \
    sh -c "ls '$MV_TMP/data6/tmp' | grep -q '^blob-$victim-dl'"
stop_upstream
UPSTREAM_PORT=$UP_PORT start_upstream "$MV_TMP/up"
t0=$(date +%s)
st=$(cgi_status /example.com/killed/@v/v1.0.0.zip "$MV_TMP/kill.conf")
t1=$(date +%s)
check "a fetch killed mid-download: the next request fetches it (got $st in $((t1 - t0)) s)" \
    [ "$st" = 200 -a $((t1 - t0)) -lt 15 ]
check "a fetch killed mid-download: the store verifies" \
    "$MODVAULT" --config "$MV_TMP/kill.conf" verify
check "a fetch killed mid-download: its temporary files are gone" \
    sh -c "[ -z \"\$(ls '$MV_TMP/data6/tmp')\" ]"

# modvault fetch: the same code path from the command line.
printf 'upstream = %s\n' "$UP_URL" | write_config "$MV_TMP/fetch.conf" "$MV_TMP/data3"
"$MODVAULT" --config "$MV_TMP/fetch.conf" init >/dev/null
check "modvault fetch -r go.sum stores every version in it" \
    sh -c "'$MODVAULT' --config '$MV_TMP/fetch.conf' fetch -r '$MV_FIXTURES/go.sum' > '$MV_TMP/f.out' && [ \$(grep -c '^stored ' '$MV_TMP/f.out') -eq 7 ]"
check "modvault fetch again: already present" \
    sh -c "'$MODVAULT' --config '$MV_TMP/fetch.conf' fetch golang.org/x/sync@v0.3.0 | grep -q '^already present golang.org/x/sync@v0.3.0'"
check "modvault fetch of an unknown version: refused, exit 1" \
    sh -c "! '$MODVAULT' --config '$MV_TMP/fetch.conf' fetch golang.org/x/sync@v9.9.9 > '$MV_TMP/f.out' && grep -q '^refused golang.org/x/sync@v9.9.9' '$MV_TMP/f.out'"
check "modvault fetch M@latest resolves through upstream" \
    sh -c "'$MODVAULT' --config '$MV_TMP/fetch.conf' fetch golang.org/x/sync@latest | grep -q 'golang.org/x/sync@v0.4.0'"

mv_done
