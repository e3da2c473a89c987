#!/bin/sh
# nginx.sh: nginx with the shipped contrib/nginx template (mount /go/,
# modvault.fcgi under spawn-fcgi), the store imported from the fixtures,
# and the real go command downloading through it: once streaming the zips
# through FastCGI, once with X-Accel-Redirect to the internal blob location.
. "$MV_SRCDIR/tests/integration/lib.sh"
. "$MV_SRCDIR/tests/integration/web-checks.sh"
need nginx spawn-fcgi go curl python3
mv_tmpdir
run=$MV_TMP/run
web_mount=go/

# start_nginx XSENDFILE: a fresh store, app and server; sets $url.
start_nginx() {
	web_fresh "$1" htdocs tmp && web_spawn "$run/modvault.fcgi" && web_nginx
}

web_more_checks() {
	check "$1: /go without the slash is not the app" \
	    [ "$(web_status "$url/go")" != 200 ]
	check "$1: the internal blob location is not public" \
	    web_is_4xx "$url/_modvault_blobs/"
}

web_passes nginx start_nginx off nginx
done_testing
