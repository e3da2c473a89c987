#!/bin/sh
# lighttpd.sh: lighttpd (mod_fastcgi, spawning modvault.fcgi) with the
# shipped contrib/lighttpd template, the store imported from the fixtures,
# and the real go command downloading through it: once streaming the zips
# through FastCGI, once with X-Sendfile.
. "$MV_SRCDIR/tests/integration/lib.sh"
need lighttpd go curl python3
mv_tmpdir

# start_lighttpd XSENDFILE: a fresh store and server; sets $url.
start_lighttpd() {
	rm -rf "$MV_TMP/data" "$MV_TMP/run"
	fixture_store "xsendfile = $1" || return 1
	mkdir -p "$MV_TMP/run/htdocs"
	port=$(free_port)
	"$MV_SRCDIR/contrib/render.sh" "$MV_SRCDIR/contrib/lighttpd/lighttpd.conf.in" \
	    "$MV_TMP/run/lighttpd.conf" PORT="$port" RUNDIR="$MV_TMP/run" \
	    FCGI="$MODVAULT_FCGI" CONFIG="$MV_TMP/modvault.conf" DATA="$MV_TMP/data" &&
	lighttpd -tt -f "$MV_TMP/run/lighttpd.conf" || return 1
	lighttpd -D -f "$MV_TMP/run/lighttpd.conf" &
	lpid=$!
	mv_at_exit "kill $lpid"
	url=http://127.0.0.1:$port
	wait_http "$url/healthz"
}

stop_lighttpd() {
	kill "$lpid"
	wait "$lpid" 2>/dev/null
}

for mode in off lighttpd; do
	if ! start_lighttpd $mode; then
		fail "lighttpd starts (xsendfile = $mode)"
		continue
	fi
	check "xsendfile=$mode: /healthz through lighttpd" \
	    sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' $url/healthz) = 200 ]"
	zip=$MV_FIXTURES/upstream/github.com/google/go-cmp/@v/v0.5.9.zip
	curl -s -o "$MV_TMP/got.zip" "$url/github.com/google/go-cmp/@v/v0.5.9.zip"
	check "xsendfile=$mode: zip bytes identical" cmp -s "$MV_TMP/got.zip" "$zip"
	curl -s -r 0-99 -o "$MV_TMP/part" "$url/github.com/google/go-cmp/@v/v0.5.9.zip"
	check "xsendfile=$mode: Range through lighttpd" sh -c "head -c 100 '$zip' | cmp -s - '$MV_TMP/part'"
	check "xsendfile=$mode: hostile %2e%2e is 4xx" \
	    sh -c "curl -s --path-as-is -o /dev/null -w '%{http_code}' '$url/golang.org/%2e%2e/%2e%2e/etc/passwd/@v/list' | grep -q '^4'"
	check "xsendfile=$mode: go mod download/list/build verify every fixture against go.sum" run_go_client "$url/"
	check "xsendfile=$mode: go get M@latest records only the real go.sum lines" run_go_get "$url/"
	stop_lighttpd
done

done_testing
