#!/bin/sh
# apache-fcgid.sh: Apache 2.4 + mod_fcgid (starting modvault.fcgi itself)
# with the shipped contrib/apache/fcgid.conf.in (mount /go/), the store
# imported from the fixtures, and the real go command downloading through
# it: once streaming the zips through FastCGI, once with mod_xsendfile.
. "$MV_SRCDIR/tests/integration/lib.sh"
. "$MV_SRCDIR/tests/integration/web-checks.sh"
need apache2 go curl python3
for m in fcgid xsendfile; do
	[ -f /usr/lib/apache2/modules/mod_$m.so ] || skip_all "mod_$m not installed"
done
mv_tmpdir
run=$MV_TMP/run
# mod_fcgid puts its children's stderr in the ErrorLog.
web_log=$run/error.log
web_mount=go/

# start_apache XSENDFILE: a fresh store and server (Apache stops its
# fcgid children itself); sets $url.
start_apache() {
	# fcgid's socket dir must be writable by the user Apache drops to.
	web_fresh "$1" htdocs fcgid && chmod 777 "$run/fcgid" &&
	web_apache fcgid.conf.in DATA="$MV_TMP/data" \
	    FCGI="$run/modvault.fcgi" CONFIG="$MV_TMP/modvault.conf"
}

web_more_checks() {
	check "$1: /gox is not the app" \
	    web_is_4xx "$url/gox/$(fx_mod basic)/@v/list"
}

web_passes apache+fcgid start_apache off apache
done_testing
