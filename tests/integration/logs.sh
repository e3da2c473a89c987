#!/bin/sh
# logs.sh: modvault's log lines where `log` sends them.  Through
# modvault.fcgi as CGI, with log = FILE: every line is stamped (RFC 3339,
# UTC, milliseconds), has the pid and the level; one access line per
# request with the status sent (206, 304), the body bytes (the fixture
# files' sizes), how it was answered (fetched with upstream=, hit, refused
# with the rule, error, stale, local).  log = syslog: what syslog(3)
# sends to /dev/log (daemon facility, the level as priority, no stamp of
# ours).  An unopenable file: the error names it and stderr gets the lines.
# Under lighttpd (long-lived FastCGI processes): the file moved away and
# SIGHUP, then moved away without a signal: the same processes write the
# next lines to a new file.
. "$MV_SRCDIR/tests/integration/lib.sh"
need python3 curl lighttpd
mv_tmpdir
here=$MV_SRCDIR/tests/integration
cfg=$MV_TMP/modvault.conf
log=$MV_TMP/modvault.log

# The upstream: the fixtures, the crafted hostile versions, one 500.
up=$MV_TMP/up
mkdir -p "$up"
cp -R "$MV_FIXTURES/upstream/." "$up/"
python3 "$here/craft-zips.py" "$up" >/dev/null ||
    { echo "Bail out! craft-zips.py failed"; exit 1; }
B_M=$(fx_mod basic)
B_V=$(fx_ver basic)
B=/$(fx_escape "$B_M")
L_M=$(fx_mod license)
L_V=$(fx_ver license)
start_upstream "$up" --fault "$(fx_escape "$L_M")/@v/$L_V.info=500" ||
    { echo "Bail out! upstream.py did not start"; exit 1; }
printf 'log_level = info\nlog = modvault.log\nlist_ttl = 1\nupstream = %s\n' \
    "$UP_URL" |
    write_config "$cfg" "$MV_TMP/data"
"$MODVAULT" --config "$cfg" init >/dev/null ||
    { echo "Bail out! modvault init failed"; exit 1; }

# cgi URI [VAR=VALUE...]: one GET through modvault.fcgi as plain CGI
# with $cfg (VARs override: REQUEST_METHOD=HEAD, MODVAULT_CONFIG=...);
# its stderr is added to $MV_TMP/cgi.err.
cgi() {
	uri=$1
	shift
	env -i PATH="$PATH" MODVAULT_CONFIG="$cfg" REQUEST_METHOD=GET \
	    REQUEST_URI="$uri" SCRIPT_NAME= GATEWAY_INTERFACE=CGI/1.1 "$@" \
	    "$MODVAULT_FCGI" </dev/null >"$MV_TMP/out" 2>>"$MV_TMP/cgi.err"
}

# has_line ERE [FILE]: FILE (default the log) has a line matching ERE
# whole; says what it has otherwise.
has_line() {
	grep -Eq "^$1\$" "${2:-$log}" && return 0
	echo "# no line matching: $1"
	sed 's/^/#   /' "${2:-$log}" | tail -5
	return 1
}
size() { wc -c <"$1" | tr -d ' '; }
stamp='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
pre="$stamp modvault\\[[0-9]+\\]: info:"
tail_ok=' ms=[0-9]+ how='

: >"$MV_TMP/cgi.err"
today=$(date -u +%Y-%m-%d)
cgi "$B/@v/$B_V.info"
cgi "$B/@v/$B_V.info"
cgi "$B/@v/$B_V.zip" HTTP_RANGE=bytes=0-9
etag=\"$(sha256 "$(fx_file "$B_M" "$B_V" mod)")\"
cgi "$B/@v/$B_V.mod" HTTP_IF_NONE_MATCH="$etag"
cgi "$B/@v/$B_V.zip" REQUEST_METHOD=HEAD
cgi /example.com/hostile/dotdot/@v/v1.0.0.zip
cgi "/$(fx_escape "$L_M")/@v/$L_V.info"
cgi /healthz
cgi "$B/@v/../../x/@v/list"

info=$(size "$(fx_file "$B_M" "$B_V" info)")
zipsize=$(size "$(fx_file "$B_M" "$B_V" zip)")
check "log = FILE (relative to the config): created, nothing on stderr" \
    sh -c "[ -s '$log' ] && [ ! -s '$MV_TMP/cgi.err' ]"
check "every line: RFC 3339 UTC stamp with ms, modvault[pid], level" \
    sh -c "! grep -Ev '^$stamp modvault\\[[0-9]+\\]: (error|warning|info): ' '$log'"
check "the stamp is today's date in UTC" grep -q "^$today" "$log"
check "a miss: 200, the .info's size, fetched with the upstream time" \
    has_line "$pre GET $B/@v/$B_V.info 200 bytes=$info${tail_ok}fetched upstream=[0-9]+ms"
check "the same again: a hit, no upstream time" \
    has_line "$pre GET $B/@v/$B_V.info 200 bytes=$info${tail_ok}hit"
check "Range: 206 and the 10 bytes sent" \
    has_line "$pre GET $B/@v/$B_V.zip 206 bytes=10${tail_ok}hit"
check "If-None-Match: 304, no body" \
    has_line "$pre GET $B/@v/$B_V.mod 304 bytes=0${tail_ok}hit"
check "HEAD: 200, no body" \
    has_line "$pre HEAD $B/@v/$B_V.zip 200 bytes=0${tail_ok}hit"
check "an upstream zip breaking MZ-3.1: 502, refused, rule=MZ-3.1" \
    has_line "$pre GET /example.com/hostile/dotdot/@v/v1.0.0.zip 502 bytes=[0-9]+${tail_ok}refused upstream=[0-9]+ms rule=MZ-3.1"
check "an upstream answering 500: 502, error" \
    has_line "$pre GET /$(fx_escape "$L_M")/@v/$L_V.info 502 bytes=[0-9]+${tail_ok}error upstream=[0-9]+ms"
check "the error itself is logged at error level" \
    grep -Eq "^$stamp modvault\\[[0-9]+\\]: error: .*status 500" "$log"
check "/healthz: local" has_line "$pre GET /healthz 200 bytes=3${tail_ok}local"
check "an invalid path: 400, refused, rule=invalid" \
    has_line "$pre GET $B/@v/\\.\\./\\.\\./x/@v/list 400 bytes=[0-9]+${tail_ok}refused rule=invalid"

# The upstream gone: what is stored answers, marked stale.
cgi "$B/@v/list"
stop_upstream
sleep 1.1	# list_ttl: the stored list is due for a refresh
cgi "$B/@latest"
cgi "$B/@v/list"
check "upstream down: @latest from the store is stale" \
    has_line "$pre GET $B/@latest 200 bytes=[0-9]+${tail_ok}stale upstream=[0-9]+ms"
check "upstream down: @v/list from the store is stale" \
    has_line "$pre GET $B/@v/list 200 bytes=[0-9]+${tail_ok}stale upstream=[0-9]+ms"

# At warn, no access lines.
sed 's/^log_level = info$/log_level = warn/' "$cfg" >"$MV_TMP/warn.conf"
: >"$log"
cgi /healthz MODVAULT_CONFIG="$MV_TMP/warn.conf"
check "log_level = warn: no access line" test ! -s "$log"

# An unopenable file: said on stderr, naming it; the lines go there.
sed 's|^log = .*|log = /nonexistent/dir/m.log|' "$cfg" >"$MV_TMP/bad.conf"
: >"$MV_TMP/cgi.err"
cgi /healthz MODVAULT_CONFIG="$MV_TMP/bad.conf"
check "an unopenable log file: an error naming it, on stderr" \
    grep -Eq "^$stamp modvault\\[[0-9]+\\]: error: log: cannot open /nonexistent/dir/m.log: .*logging to stderr" "$MV_TMP/cgi.err"
check "... and the access line on stderr" \
    has_line "$pre GET /healthz 200 bytes=3${tail_ok}local" "$MV_TMP/cgi.err"

# A bad value is a configuration error naming the file and line.
printf 'log = \n' | write_config "$MV_TMP/empty.conf" "$MV_TMP/data"
expect_status 2 "log = (empty): the CLI exits 2" \
    "$MODVAULT" --config "$MV_TMP/empty.conf" ls
check "... naming the file, line and key" \
    grep -q "empty.conf:2: log: must be stderr, syslog or a file" "$MV_TMP/err"
# The CLI appends to the file but never creates it.
rm -f "$log"
expect_status 0 "the CLI runs with log = FILE" "$MODVAULT" --config "$cfg" ls
check "the CLI did not create the log file" test ! -e "$log"

# log = syslog: syslog(3) writes to /dev/log.  A datagram socket of ours
# receives there: bound at /dev/log when there is none (removed at exit),
# else bind-mounted over it in a mount namespace of the CGI's own.
syslog_cgi() {
	if [ -n "$devlog_ns" ]; then
		unshare -m --propagation private sh -c \
		    'mount --bind "$1" /dev/log && shift && exec env "$@"' \
		    sh "$sock" MODVAULT_CONFIG="$MV_TMP/syslog.conf" \
		    REQUEST_METHOD=GET REQUEST_URI="$1" SCRIPT_NAME= \
		    GATEWAY_INTERFACE=CGI/1.1 PATH="$PATH" "$MODVAULT_FCGI" \
		    </dev/null >/dev/null 2>>"$MV_TMP/cgi.err"
	else
		cgi "$1" MODVAULT_CONFIG="$MV_TMP/syslog.conf"
	fi
}
sed 's|^log = .*|log = syslog|' "$cfg" >"$MV_TMP/syslog.conf"
sock=$MV_TMP/log.sock
devlog_ns=
if [ -e /dev/log ] || [ -L /dev/log ]; then
	devlog_ns=1
	need unshare
else
	sock=/dev/log
	mv_at_exit "rm -f /dev/log"
fi
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2], "w").close()
with open(sys.argv[3], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536) + b"\n")' "$sock" "$MV_TMP/syslog.ready" \
    "$MV_TMP/syslog.got" &
slpid=$!
mv_at_exit "kill $slpid 2>/dev/null"
wait_for 10 test -e "$MV_TMP/syslog.ready"
: >"$MV_TMP/cgi.err"
syslog_cgi /healthz
syslog_cgi "/$(fx_escape "$L_M")/@v/$L_V.info"
wait_for 5 grep -q 'error:' "$MV_TMP/syslog.got"
# <30>: facility daemon (3) * 8 + info (6); <27>: daemon + err (3).
check "syslog: the access line, daemon.info, ident modvault with the pid" \
    has_line "<30>[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} modvault\\[[0-9]+\\]: info: GET /healthz 200 bytes=3${tail_ok}local" "$MV_TMP/syslog.got"
check "syslog: an error line is daemon.err" \
    grep -Eq "^<27>.* modvault\\[[0-9]+\\]: error: " "$MV_TMP/syslog.got"
check "syslog: no stamp of ours in the message" \
    sh -c "! grep -Eq 'modvault\\[[0-9]+\\]: $stamp|: $stamp ' '$MV_TMP/syslog.got'"
check "syslog: nothing on stderr" test ! -s "$MV_TMP/cgi.err"
kill $slpid 2>/dev/null
[ -n "$devlog_ns" ] || rm -f /dev/log

# Under lighttpd: the FastCGI processes live on; the file is moved away.
sed -e "s|^upstream = .*|upstream = off|" -e "s|^log = .*|log = $MV_TMP/run-log/m.log|" \
    "$cfg" >"$MV_TMP/lt.conf"
mkdir -p "$MV_TMP/run-log"
start_lighttpd "$MV_TMP/lt.conf" "$MV_TMP/data" ||
    { fail "lighttpd starts"; done_testing; }
lt=$MV_TMP/run-log/m.log
# ask N: N requests, so that each of the processes likely gets one.
ask() {
	i=0
	while [ $i -lt "$1" ]; do
		curl -s -o /dev/null "$url$B/@v/$B_V.mod"
		i=$((i + 1))
	done
}
ask 16
pids=$(pgrep -P "$LIGHTTPD_PID" | sort | tr '\n' ' ')
check "lighttpd: access lines in the file" \
    has_line "$pre GET $B/@v/$B_V.mod 200 bytes=[0-9]+${tail_ok}hit" "$lt"
# from_old FILE: every access line of FILE comes from a process in $pids.
from_old() {
	[ -s "$1" ] || { echo "# $1 is empty"; return 1; }
	for p in $(sed -n 's/.* modvault\[\([0-9]*\)\]: info: GET .*/\1/p' "$1" | sort -u); do
		case " $pids " in *" $p "*) ;; *) echo "# pid $p is new"; return 1 ;; esac
	done
}
mv "$lt" "$lt.1"
n1=$(wc -l <"$lt.1")
# shellcheck disable=SC2086
kill -HUP $pids
ask 16
check "SIGHUP: the processes live on" sh -c "kill -0 $pids"
check "SIGHUP: the next lines in a new file, from the same processes" from_old "$lt"
check "... and no more lines in the moved file" [ "$(wc -l <"$lt.1")" = "$n1" ]
mv "$lt" "$lt.2"
n2=$(wc -l <"$lt.2")
sleep 1.2	# rotation is checked at most once a second
ask 16
check "moved away without a signal: a new file, from the same processes" from_old "$lt"
check "... and no more lines in the moved file" [ "$(wc -l <"$lt.2")" = "$n2" ]
stop_lighttpd
done_testing
