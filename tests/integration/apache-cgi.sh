#!/bin/sh
# apache-cgi.sh: modvault as plain CGI on a shared host: Apache 2.4 with
# mod_cgid and "AllowOverride All" (contrib/apache/cgi.conf.in), and a
# cgi-bin/ directory holding modvault.cgi (a copy of modvault.fcgi) and the
# shipped contrib/apache/htaccess, whose rewrite makes SCRIPT_NAME
# /cgi-bin/modvault.cgi (not a prefix of the request) and PATH_INFO the
# module path; modvault.conf says "mount = /cgi-bin".  The store is imported from the fixtures and the real go
# command downloads through it (zips streamed; one process per request).
. "$MV_SRCDIR/tests/integration/lib.sh"
. "$MV_SRCDIR/tests/integration/web-checks.sh"
need apache2 go curl python3
mv_tmpdir
run=$MV_TMP/run
cgi=$run/htdocs/cgi-bin
# mod_cgid puts the CGI's stderr in the ErrorLog.
web_log=$run/error.log

# "mount" as the htaccess comment recommends.
fixture_store "mount = /cgi-bin" ||
    { echo "not ok - fixture import failed"; exit 1; }
mkdir -p "$cgi" && cp "$MODVAULT_FCGI" "$cgi/modvault.cgi" &&
chmod 755 "$cgi/modvault.cgi" &&
# The user edits one line of the shipped .htaccess: the config path.
sed "s|^SetEnv MODVAULT_CONFIG .*|SetEnv MODVAULT_CONFIG $MV_TMP/modvault.conf|" \
    "$MV_SRCDIR/contrib/apache/htaccess" > "$cgi/.htaccess" &&
web_share || { echo "not ok - scratch setup failed"; exit 1; }
check "the .htaccess names the test's config" \
    grep -q "^SetEnv MODVAULT_CONFIG $MV_TMP/modvault.conf\$" "$cgi/.htaccess"

web_mount='cgi-bin/'
mv_at_exit web_stop
if web_apache cgi.conf.in; then
	web_checks "apache plain CGI" "$url/cgi-bin/"
	check "apache plain CGI: the .htaccess itself is not served" \
	    web_is_4xx "$url/cgi-bin/.htaccess"
else
	fail "apache (plain CGI) starts"
fi

done_testing
