# web-checks.sh: what every web-server integration test checks through its
# server (sourced after lib.sh by apache-*.sh, caddy.sh, nginx.sh).

# The user a server started as root runs modvault.fcgi and its workers as;
# Apache refuses to serve as root and nginx workers drop to "user".
if [ "$(id -u)" = 0 ]; then web_user=www-data; else web_user=$(id -un); fi
web_group=$(id -gn "$web_user")

# web_share: lets $web_user reach the scratch dir and own the store: the
# responder opens the index read-write (SQLite WAL needs the directory).
web_share() {
	chmod 755 "$MV_TMP" &&
	chown -R "$web_user:$web_group" "$MV_TMP/data"
}

# web_fresh XSENDFILE [DIR...]: a fresh store ("xsendfile = XSENDFILE")
# and a fresh $run holding a copy of modvault.fcgi and the DIRs, all
# reachable by $web_user.
web_fresh() {
	x=$1
	shift
	rm -rf "$MV_TMP/data" "$run"
	fixture_store "xsendfile = $x" && mkdir -p "$run" &&
	cp "$MODVAULT_FCGI" "$run/modvault.fcgi" || return 1
	for d; do
		mkdir -p "$run/$d" || return 1
	done
	web_share
}

# web_log_to_file: "log = FILE" in the store's config, the README's choice
# whatever the setup does with stderr: $MV_TMP/log/modvault.log, in a
# directory $web_user may create it in; sets web_log.
web_log_to_file() {
	rm -rf "$MV_TMP/log" && mkdir "$MV_TMP/log" &&
	chown "$web_user:$web_group" "$MV_TMP/log" &&
	echo "log = $MV_TMP/log/modvault.log" >>"$MV_TMP/modvault.conf" &&
	web_log=$MV_TMP/log/modvault.log
}

# web_spawn BINARY: BINARY on $MV_TMP/run/modvault.sock the README's way
# without systemd: spawn-fcgi -n (in the foreground, so the app keeps
# the stderr it is given: $MV_TMP/run/modvault.err, the default web_log),
# dropping to $web_user, with --children 8.
web_spawn() {
	MODVAULT_CONFIG=$MV_TMP/modvault.conf spawn-fcgi -n \
	    -s "$MV_TMP/run/modvault.sock" -M 0660 -U "$web_user" \
	    -u "$web_user" -g "$web_group" \
	    -- "$1" --children 8 </dev/null >/dev/null \
	    2>>"$MV_TMP/run/modvault.err" &
	web_spawned=$!
	: "${web_log:=$MV_TMP/run/modvault.err}"
	wait_for 10 test -S "$MV_TMP/run/modvault.sock"
}

# web_unspawn: stops what web_spawn started (again at exit: a no-op then).
web_unspawn() {
	[ -n "${web_spawned:-}" ] || return 0
	kill $web_spawned 2>/dev/null
	wait $web_spawned 2>/dev/null
	web_spawned=
}

# web_start URL COMMAND...: starts a server in the foreground (in the
# background of this script) and waits for URL; web_stop stops it.
web_start() {
	u=$1
	shift
	"$@" &
	web_pid=$!
	wait_http "$u"
}

# web_stop: stops the server and the spawned app (a no-op when stopped, so
# it is also the exit handler).
web_stop() {
	if [ -n "${web_pid:-}" ]; then
		kill "$web_pid"
		wait "$web_pid" 2>/dev/null
		web_pid=
	fi
	web_unspawn
}

# web_render TEMPLATE OUTPUT NAME=VALUE...: contrib/render.sh; when
# $web_tree is set, with the template's optional static-tree block on (the
# "#tree" in front of its lines removed, as the README tells users) and
# TREE=$web_tree.
web_render() {
	t=$1 o=$2
	shift 2
	if [ -n "${web_tree:-}" ]; then
		sed 's/^#tree//' "$t" >"$o.in" && t=$o.in &&
		    set -- "$@" TREE="$web_tree" || return 1
	fi
	"$MV_SRCDIR/contrib/render.sh" "$t" "$o" "$@"
}

# web_apache TEMPLATE NAME=VALUE...: renders an Apache template of
# contrib/apache into $run/httpd.conf, checks and starts it; sets $url.
web_apache() {
	t=$1
	shift
	port=$(free_port)
	url=http://127.0.0.1:$port
	web_render "$MV_SRCDIR/contrib/apache/$t" "$run/httpd.conf" \
	    PORT="$port" RUNDIR="$run" USER="$web_user" GROUP="$web_group" "$@" &&
	apache2 -t -f "$run/httpd.conf" 2>"$run/t.log" ||
	    { sed 's/^/# /' "$run/t.log"; return 1; }
	web_start "$url/${web_mount}healthz" \
	    apache2 -f "$run/httpd.conf" -DFOREGROUND
}

# web_nginx: renders the contrib/nginx template into $run/nginx.conf (the
# app on $run/modvault.sock), checks and starts it; sets $url.
web_nginx() {
	port=$(free_port)
	url=http://127.0.0.1:$port
	web_render "$MV_SRCDIR/contrib/nginx/nginx.conf.in" "$run/nginx.conf" \
	    PORT="$port" RUNDIR="$run" DATA="$MV_TMP/data" USER="$web_user" &&
	nginx -t -q -e "$run/nginx-error.log" -p "$run" -c "$run/nginx.conf" &&
	web_start "$url/go/healthz" \
	    nginx -e "$run/nginx-error.log" -p "$run" -c "$run/nginx.conf"
}

# web_caddy: renders the contrib/caddy template into $run/Caddyfile (the
# app on $run/modvault.sock), validates and starts it; sets $url.
web_caddy() {
	port=$(free_port)
	url=http://127.0.0.1:$port
	web_render "$MV_SRCDIR/contrib/caddy/Caddyfile.in" "$run/Caddyfile" \
	    PORT="$port" RUNDIR="$run" DATA="$MV_TMP/data" || return 1
	# Caddy keeps its state under $HOME unless told otherwise.
	export XDG_DATA_HOME="$run/xdg-data" XDG_CONFIG_HOME="$run/xdg-config"
	caddy validate --config "$run/Caddyfile" --adapter caddyfile \
	    >"$run/validate.log" 2>&1 ||
	    { sed 's/^/# /' "$run/validate.log"; return 1; }
	web_start "$url/go/healthz" sh -c "exec caddy run --config '$run/Caddyfile' \
	    --adapter caddyfile >'$run/caddy.log' 2>&1"
}

# web_passes NAME START MODE...: for each xsendfile MODE, START MODE (a
# fresh store and server under $web_mount, setting $url), web_checks,
# the script's own web_more_checks LABEL, and web_stop.
web_passes() {
	n=$1 start=$2
	shift 2
	mv_at_exit web_stop
	for mode in "$@"; do
		if ! $start "$mode"; then
			web_stop
			fail "$n starts (xsendfile = $mode)"
			continue
		fi
		offload=
		[ "$mode" = off ] || offload=offload
		web_checks "$n xsendfile=$mode" "$url/$web_mount" $offload
		web_more_checks "$n xsendfile=$mode"
		web_stop
	done
}

# web_status URL [CURL-ARGS...]: the HTTP status of a GET.
web_status() {
	u=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' "$@" "$u"
}

web_is_4xx() {
	s=$(web_status "$@")
	case $s in 4??) return 0 ;; esac
	echo "# $1 -> $s"
	return 1
}

# web_checks LABEL BASE [offload]: the protocol through the server at BASE
# (the proxy URL, ending in "/"): zips byte for byte, Range, hostile
# paths, and the real go command.  With "offload" the server must have
# sent the zip itself: it adds Last-Modified, which modvault never sends.
web_checks() {
	l=$1 b=$2 o=${3:-}
	up=$MV_FIXTURES/upstream
	top=$(fx_mod basic | cut -d/ -f1)
	check "$l: /healthz is 200" [ "$(web_status "${b}healthz")" = 200 ]
	# GP-1.2, GP-1.4, GP-5.4: under the mount; "!" sent as %21 as go does;
	# the big zip last (its headers are checked below).
	for z in "$(fx_escape "$(fx_mod case)")/@v/$(fx_ver case).zip" \
	    "$(fx_escape "$(fx_mod big)")/@v/$(fx_ver big).zip"; do
		curl -s -D "$MV_TMP/hdr" -o "$MV_TMP/got.zip" \
		    "$b$(echo "$z" | sed 's/!/%21/g')"
		check "$l: $z byte for byte (GP-5.4)" cmp -s "$MV_TMP/got.zip" "$up/$z"
	done
	check "$l: its access line is in ${web_log#"$MV_TMP"/}" \
	    access_logged "$z" "${web_log:?each script sets web_log}"
	# The server acted on the offload header, and kept modvault's headers.
	check "$l: zip is application/zip, immutable, no offload header leaked" \
	    sh -c "tr -d '\r' < '$MV_TMP/hdr' | grep -qix 'content-type: application/zip' &&
	        tr -d '\r' < '$MV_TMP/hdr' | grep -qi '^cache-control: .*immutable' &&
	        ! grep -qiE '^(x-sendfile|x-accel-redirect|x-lighttpd-send-file):' '$MV_TMP/hdr'"
	if [ -n "$o" ]; then
		check "$l: the server sent the zip itself (Last-Modified)" \
		    grep -qi '^last-modified:' "$MV_TMP/hdr"
	else
		check "$l: modvault streamed the zip (no Last-Modified)" \
		    sh -c "! grep -qi '^last-modified:' '$MV_TMP/hdr'"
	fi
	zu=$(fx_escape "$(fx_mod license)")/@v/$(fx_ver license).zip
	s=$(curl -s -r 100-199 -o "$MV_TMP/part" -w '%{http_code}' "$b$zu")
	head -c 200 "$up/$zu" | tail -c 100 > "$MV_TMP/want"
	check "$l: Range 100-199 is 206 with those bytes" \
	    sh -c "[ '$s' = 206 ] && cmp -s '$MV_TMP/part' '$MV_TMP/want'"
	check "$l: hostile %2e%2e is 4xx" web_is_4xx \
	    "${b}$top/%2e%2e/%2e%2e/%2e%2e/etc/passwd/@v/list" --path-as-is
	check "$l: hostile .. is 4xx" web_is_4xx \
	    "${b}$top/../../../etc/passwd/@v/list" --path-as-is
	check "$l: hostile // is 4xx" web_is_4xx \
	    "${b}$top//$(fx_mod basic | cut -d/ -f2-)/@v/list" --path-as-is
	check "$l: hostile %2F is 4xx" web_is_4xx \
	    "${b}$top/x%2F..%2F..%2Fetc/passwd/@v/list" --path-as-is
	check "$l: go mod download/list/build verify every fixture against go.sum" \
	    run_go_client "$b"
	check "$l: go get M@latest records only the fixture go.sum lines" \
	    run_go_get "$b"
}
