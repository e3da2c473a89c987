#!/bin/sh
# apache-proxy-fcgi.sh: Apache 2.4 + mod_proxy_fcgi with the shipped
# contrib/apache/proxy-fcgi.conf.in (mount /go/, the SetEnvIf
# proxy-fcgi-pathinfo=unescape recipe, modvault.fcgi under spawn-fcgi),
# the store imported from the fixtures, and the real go command
# downloading through it: once streaming the zips, once with mod_xsendfile.
. "$MV_SRCDIR/tests/integration/lib.sh"
. "$MV_SRCDIR/tests/integration/web-checks.sh"
need apache2 spawn-fcgi go curl python3
[ -f /usr/lib/apache2/modules/mod_xsendfile.so ] ||
    skip_all "mod_xsendfile not installed"
mv_tmpdir
run=$MV_TMP/run
web_mount=go/

# start_apache XSENDFILE: a fresh store, app and server; sets $url.
start_apache() {
	web_fresh "$1" htdocs && web_spawn "$run/modvault.fcgi" &&
	web_apache proxy-fcgi.conf.in DATA="$MV_TMP/data"
}

web_more_checks() {
	check "$1: /go without the slash is not the app" web_is_4xx "$url/go"
}

web_passes apache+proxy_fcgi start_apache off apache
done_testing
