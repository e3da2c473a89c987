#!/bin/sh
# caddy.sh: Caddy 2.6 with the shipped contrib/caddy template (mount /go/,
# modvault.fcgi under spawn-fcgi), the store imported from the fixtures,
# and the real go command downloading through it: once streaming the zips
# through FastCGI, once with X-Accel-Redirect handled by handle_response +
# file_server.  Caddy passes ".." and "//" through unresolved, so the
# hostile-path checks here exercise modvault's own rejection.
. "$MV_SRCDIR/tests/integration/lib.sh"
. "$MV_SRCDIR/tests/integration/web-checks.sh"
need caddy spawn-fcgi go curl python3
mv_tmpdir
run=$MV_TMP/run
web_mount=go/

# start_caddy XSENDFILE: a fresh store, app and server; sets $url.
start_caddy() {
	web_fresh "$1" && web_log_to_file && web_spawn "$run/modvault.fcgi" &&
	    web_caddy
}

web_more_checks() {
	check "$1: /go without the slash is not the app" \
	    [ "$(web_status "$url/go")" != 200 ]
	# Caddy does not resolve "..": modvault must see it and refuse it.
	check "$1: .. reaches modvault and is 400" \
	    [ "$(web_status "$url/go/$(fx_mod basic)/../../etc/@v/list" --path-as-is)" = 400 ]
}

web_passes caddy start_caddy off caddy
done_testing
