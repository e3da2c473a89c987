#!/bin/sh
# lighttpd.sh: lighttpd (mod_fastcgi, spawning modvault.fcgi) with the
# shipped contrib/lighttpd template, the store imported from the fixtures,
# and the real go command downloading through it: once streaming the zips
# through FastCGI, once with X-Sendfile.
. "$MV_SRCDIR/tests/integration/lib.sh"
need lighttpd go curl python3
mv_tmpdir

for mode in off lighttpd; do
	rm -rf "$MV_TMP/data"
	if ! fixture_store "xsendfile = $mode" ||
	    ! start_lighttpd "$MV_TMP/modvault.conf" "$MV_TMP/data"; then
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
