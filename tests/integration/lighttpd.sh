#!/bin/sh
# lighttpd.sh: lighttpd (mod_fastcgi, spawning modvault.fcgi) with the
# shipped contrib/lighttpd template, the store imported from the fixtures,
# and the real go command downloading through it: once streaming the zips
# through FastCGI, once with X-Sendfile; modvault's access lines reach
# lighttpd's stderr.
. "$MV_SRCDIR/tests/integration/lib.sh"
need lighttpd go curl python3
mv_tmpdir

Z_URI=$(fx_escape "$(fx_mod big)")/@v/$(fx_ver big).zip
zip=$MV_FIXTURES/upstream/$Z_URI
top=$(fx_mod basic | cut -d/ -f1)
for mode in off lighttpd; do
	rm -rf "$MV_TMP/data"
	# modvault's lines go to lighttpd's stderr (the journal under
	# systemd, the terminal under lighttpd -D): kept here in a file.
	lt_err=$MV_TMP/lighttpd-$mode.stderr
	if ! fixture_store "xsendfile = $mode" ||
	    ! start_lighttpd "$MV_TMP/modvault.conf" "$MV_TMP/data" \
	    2>"$lt_err"; then
		fail "lighttpd starts (xsendfile = $mode)"
		continue
	fi
	check "xsendfile=$mode: /healthz through lighttpd" \
	    sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' $url/healthz) = 200 ]"
	curl -s -o "$MV_TMP/got.zip" "$url/$Z_URI"
	check "xsendfile=$mode: the big zip's bytes identical" cmp -s "$MV_TMP/got.zip" "$zip"
	check "xsendfile=$mode: its access line on lighttpd's stderr" \
	    access_logged "$Z_URI" "$lt_err"
	curl -s -r 0-99 -o "$MV_TMP/part" "$url/$Z_URI"
	check "xsendfile=$mode: Range through lighttpd" sh -c "head -c 100 '$zip' | cmp -s - '$MV_TMP/part'"
	check "xsendfile=$mode: hostile %2e%2e is 4xx" \
	    sh -c "curl -s --path-as-is -o /dev/null -w '%{http_code}' '$url/$top/%2e%2e/%2e%2e/etc/passwd/@v/list' | grep -q '^4'"
	curl -s -o "$MV_TMP/index" -H 'Host: proxy.example' "$url/"
	check "xsendfile=$mode: the index page names the proxy by its Host" \
	    grep -qF 'go env -w GOPROXY=http://proxy.example/' "$MV_TMP/index"
	check "xsendfile=$mode: go mod download/list/build verify every fixture against go.sum" run_go_client "$url/"
	check "xsendfile=$mode: go get M@latest records only the fixture go.sum lines" run_go_get "$url/"
	stop_lighttpd
done

done_testing
