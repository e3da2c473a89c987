#!/bin/sh
# systemd.sh: the units of contrib/systemd and socket activation.
# - systemd-analyze verify passes on the four units, rendered with this
#   build's paths (PID 1 need not be systemd: verify reads the files);
#   a broken copy is reported, so the check reads them.
# - modvault.fcgi started by systemd-socket-activate (the socket handed
#   over as LISTEN_FDS, stdin /dev/null) behind the shipped nginx
#   template, with --children 4 as modvault.service runs it: the real go
#   command downloads everything through it; a killed child is replaced;
#   SIGHUP is passed on; SIGTERM ends them all; a LISTEN_FDS it cannot serve is refused.
. "$MV_SRCDIR/tests/integration/lib.sh"
. "$MV_SRCDIR/tests/integration/web-checks.sh"
need systemd-analyze systemd-socket-activate setpriv nginx go curl python3
mv_tmpdir
run=$MV_TMP/run
units=$MV_TMP/units
mkdir -p "$units"

# --- the units ---------------------------------------------------------
for u in modvault.socket modvault.service modvault-gc.service \
    modvault-gc.timer; do
	"$MV_SRCDIR/contrib/render.sh" "$MV_SRCDIR/contrib/systemd/$u.in" \
	    "$units/$u" FCGI="$MODVAULT_FCGI" MODVAULT="$MODVAULT" \
	    CONFIG="$MV_TMP/modvault.conf" DATA="$MV_TMP/data" \
	    SOCKET=/run/modvault/modvault.sock USER="$web_user" \
	    GROUP="$web_group" DEFAULTS=/etc/default/modvault ||
	    fail "$u renders"
done
# --man=no: the pages named in Documentation= are installed by the
# package, not on this machine.
(cd "$units" && systemd-analyze verify --man=no ./modvault.socket \
    ./modvault.service ./modvault-gc.service ./modvault-gc.timer) \
    >"$MV_TMP/verify.out" 2>&1
check "systemd-analyze verify: the four units, no error and no warning" \
    sh -c "[ \$? = 0 ] && [ ! -s '$MV_TMP/verify.out' ]"
sed 's/^/# /' "$MV_TMP/verify.out"
sed 's/^NoNewPrivileges=yes/NoNewPrivilege=yes/' "$units/modvault.service" \
    >"$units/broken.service"
(cd "$units" && systemd-analyze verify --man=no ./broken.service) \
    >"$MV_TMP/broken.out" 2>&1
check "systemd-analyze verify reports a misspelt key in a copy" \
    grep -q "Unknown key 'NoNewPrivilege'" "$MV_TMP/broken.out"
check "the service runs the responder as $web_user with the store writable" \
    sh -c "grep -qx 'User=$web_user' '$units/modvault.service' &&
        grep -qx 'ReadWritePaths=$MV_TMP/data' '$units/modvault.service' &&
        grep -qx 'ProtectSystem=strict' '$units/modvault.service'"

# --- socket activation behind nginx -------------------------------------
# start_activated: a fresh store and nginx in front of modvault.fcgi,
# which systemd-socket-activate (run as $web_user, so the socket is
# theirs) starts on the first connection; sets $url.
start_activated() {
	web_fresh off htdocs tmp || return 1
	chown "$web_user:$web_group" "$run" || return 1
	setpriv --reuid="$web_user" --regid="$web_group" --clear-groups \
	    systemd-socket-activate -l "$run/modvault.sock" \
	    env MODVAULT_CONFIG="$MV_TMP/modvault.conf" \
	    "$run/modvault.fcgi" --children 4 \
	    </dev/null >/dev/null 2>"$run/activate.err" &
	act_pid=$!
	# What systemd would give the journal: the access lines are there.
	web_log=$run/activate.err
	mv_at_exit "kill $act_pid 2>/dev/null"
	wait_for 10 test -S "$run/modvault.sock" && web_nginx
}

# children PID: the child processes of PID.
children() {
	ps -o pid= --ppid "$1" | tr -d ' '
}

mv_at_exit web_stop
if start_activated; then
	check "the responder was started by the first connection" \
	    grep -q "Execing env" "$run/activate.err"
	kids=$(children "$act_pid")
	check "--children 4: four FastCGI children under one parent" \
	    [ "$(echo "$kids" | wc -l)" = 4 ]
	k=$(echo "$kids" | head -1)
	check "a child's fd 0 is the handed-over socket (stdin was /dev/null)" \
	    sh -c "readlink /proc/$k/fd/0 | grep -q '^socket:'"
	check "the children run as $web_user" \
	    [ "$(ps -o user= -p "$k" | tr -d ' ')" = "$web_user" ]
	web_checks "systemd-socket-activate + nginx" "$url/go/"
	kill -9 "$k"
	wait_for 10 sh -c "[ \"\$(ps -o pid= --ppid $act_pid | wc -l)\" = 4 ] &&
	    ! ps -o pid= --ppid $act_pid | grep -qx ' *$k'"
	check "a killed child is replaced" [ $? = 0 ]
	check "and the proxy still answers" \
	    [ "$(web_status "$url/go/healthz")" = 200 ]
	kids=$(children "$act_pid")
	kill -HUP "$act_pid"
	wait_for 10 sh -c "[ \"\$(ps -o pid= --ppid $act_pid | wc -l)\" = 4 ]"
	check "SIGHUP (log reopening) is passed on: the parent lives on with four children" \
	    sh -c "kill -0 $act_pid && [ \"\$(ps -o pid= --ppid $act_pid | wc -l)\" = 4 ] &&
	        [ \"\$(curl -s -o /dev/null -w '%{http_code}' '$url/go/healthz')\" = 200 ]"
	check "and the children logging to stderr live through it (none restarted)" \
	    [ "$(children "$act_pid" | sort | tr '\n' ' ')" = "$(echo "$kids" | sort | tr '\n' ' ')" ]
	kids=$(children "$act_pid")
	kill "$act_pid"
	check "SIGTERM to the parent ends every child" \
	    wait_for 10 sh -c "! ps -o pid= -p $(echo $kids $act_pid | tr ' ' ,) >/dev/null"
	web_stop
else
	web_stop
	fail "nginx and the activated responder start"
	sed 's/^/# /' "$run/activate.err" "$run/nginx-error.log" 2>/dev/null | tail -20
fi

# --- what it refuses ------------------------------------------------------
expect_status 1 "LISTEN_FDS=2 for this process is refused" \
    env MODVAULT_CONFIG="$MV_TMP/modvault.conf" sh -c \
    'LISTEN_PID=$$ LISTEN_FDS=2 exec "$0"' "$MODVAULT_FCGI"
check "with a one-line reason" \
    grep -q "LISTEN_FDS=\"2\": modvault.fcgi serves exactly one socket" "$MV_TMP/err"
expect_status 2 "--children 0 is a usage error" "$MODVAULT_FCGI" --children 0
check "naming the range" grep -q "from 1 to 256" "$MV_TMP/err"
done_testing
