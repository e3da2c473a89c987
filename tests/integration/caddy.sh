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
	web_fresh "$1" && web_log_to_file && web_spawn "$run/modvault.fcgi" || return 1
	port=$(free_port)
	url=http://127.0.0.1:$port
	"$MV_SRCDIR/contrib/render.sh" "$MV_SRCDIR/contrib/caddy/Caddyfile.in" \
	    "$run/Caddyfile" PORT="$port" RUNDIR="$run" DATA="$MV_TMP/data" ||
	    return 1
	# Caddy keeps its state under $HOME unless told otherwise.
	export XDG_DATA_HOME="$run/xdg-data" XDG_CONFIG_HOME="$run/xdg-config"
	caddy validate --config "$run/Caddyfile" --adapter caddyfile \
	    >"$run/validate.log" 2>&1 ||
	    { sed 's/^/# /' "$run/validate.log"; return 1; }
	web_start "$url/go/healthz" sh -c "exec caddy run --config '$run/Caddyfile' \
	    --adapter caddyfile >'$run/caddy.log' 2>&1"
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
