#!/bin/sh
# static-web.sh: the static tree (issue 16, static_tree = DIR) behind
# Apache + mod_fcgid, Apache plain CGI (.htaccess), nginx and Caddy, each
# with the optional "#tree" block of its shipped contrib/ config turned on
# (lighttpd is static-tree.sh's).  The store is imported before the key is
# set, so the tree starts empty.  For each server: a first request for a
# stored .info, .mod and .zip misses the tree and reaches modvault, which
# links the version in; the next is answered by the web server (its access
# log has it) and modvault logs nothing for it, with modvault's own bytes,
# Content-Type and Cache-Control; the real go command downloads through
# it twice, the second time with no .mod or .zip reaching modvault; a
# deny line, rm and gc eviction each make the web server pass the
# version's requests to modvault again; hostile paths, a planted @v/list,
# files beside the tree and a link planted to another user's file never
# serve anything but the tree's immutable files.
. "$MV_SRCDIR/tests/integration/lib.sh"
. "$MV_SRCDIR/tests/integration/web-checks.sh"
need apache2 nginx caddy spawn-fcgi go curl python3
for m in fcgid rewrite headers; do
	[ -f /usr/lib/apache2/modules/mod_$m.so ] || skip "mod_$m not installed"
done
mv_tmpdir
run=$MV_TMP/run
mv_at_exit web_stop
# Something outside the tree that no answer may ever contain.
secret=SECRET-$(date +%s)-$$

# sw_cli ARGS...: the modvault command as the user that owns the store
# (its output in $MV_TMP/cli.out).
sw_cli() {
	set -- "$MODVAULT" --config "$MV_TMP/modvault.conf" "$@"
	[ "$(id -u)" != 0 ] || set -- runuser -u "$web_user" -- "$@"
	"$@" >"$MV_TMP/cli.out" 2>&1 || { sed 's/^/# /' "$MV_TMP/cli.out"; return 1; }
}

# sw_mv_lines PATH: modvault's access lines for PATH so far.
sw_mv_lines() {
	grep -c "info: GET /$1 " "$web_log" 2>/dev/null || true
}

# sw_served LOG PATH: the web server's access LOG has a 200 for PATH (a
# grep BRE, under the mount): Apache's and nginx's request line and
# status, or Caddy's JSON "uri" and "status".
sw_served() {
	grep -qs "\"GET [^ ]*/$2 HTTP/1.1\" 200 \|\"uri\":\"[^\"]*/$2\".*\"status\":200" "$1"
}

# sw_header FILE NAME: the value of header NAME in a curl -D dump.
sw_header() {
	tr -d '\r' <"$1" | sed -n "s/^$2: *//Ip" | tail -1
}

# sw_sync: a request only modvault answers, logged before the checks read
# its log (log lines of one process come in order).
sw_sync() {
	sw_n=$(($(sw_mv_lines "$sw_m/@v/list") + 1))
	curl -s -o /dev/null "$1$sw_m/@v/list" &&
	    wait_for 10 test "$(sw_mv_lines "$sw_m/@v/list")" -ge "$sw_n"
}

# sw_static LABEL BASE ACCESS_LOG EXT: the miss, then the static hit.
# The version's first request (.info) links all three files in; for the
# .mod and .zip the link is removed first (a tree missing a file, as
# after a failed write), so that modvault answers, and writes it again:
# a second later, as a process looks at a version's links at most once a
# second (tree_seen.c).
sw_static() {
	l=$1 b=$2 a=$3 e=$4 u=$2$sw_p.$e
	[ "$e" = info ] || { rm -f "$web_tree/$sw_p.$e" && sleep 1; }
	n=$(sw_mv_lines "$sw_p.$e")
	curl -s -D "$MV_TMP/mv.hdr" -o "$MV_TMP/mv.body" "$u"
	check "$l: .$e not in the tree reaches modvault" \
	    wait_for 10 test "$(sw_mv_lines "$sw_p.$e")" -gt "$n"
	check "$l: .$e: modvault linked it into the tree" \
	    cmp -s "$web_tree/$sw_p.$e" "$MV_TMP/mv.body"
	[ "$e" != info ] || check "$l: and the version's .mod and .zip" \
	    test -L "$web_tree/$sw_p.mod" -a -L "$web_tree/$sw_p.zip"
	n=$(sw_mv_lines "$sw_p.$e")
	s=$(curl -s -D "$MV_TMP/st.hdr" -o "$MV_TMP/st.body" -w '%{http_code}' "$u")
	sw_sync "$b"
	check "$l: .$e from the tree: 200, modvault's bytes" \
	    sh -c "[ '$s' = 200 ] && cmp -s '$MV_TMP/st.body' '$MV_TMP/mv.body'"
	check "$l: .$e from the tree: modvault saw no request" \
	    [ "$(sw_mv_lines "$sw_p.$e")" = "$n" ]
	check "$l: .$e from the tree: in the web server's access log" \
	    wait_for 10 sw_served "$a" "$sw_p.$e"
	for h in Content-Type Cache-Control; do
		m=$(sw_header "$MV_TMP/mv.hdr" $h)
		t=$(sw_header "$MV_TMP/st.hdr" $h)
		check "$l: .$e $h from the tree is modvault's ($m)" \
		    [ -n "$m" ] && [ "$t" = "$m" ] || echo "# tree: $t"
	done
}

# sw_no_secret URL [CURL-ARGS]: URL's answer has nothing from outside the
# tree (nor the planted files).
sw_no_secret() {
	u=$1
	shift
	curl -s -o "$MV_TMP/h.body" "$@" "$u"
	! grep -q "$secret" "$MV_TMP/h.body" || { echo "# $u served it"; return 1; }
}

# sw_plant: beside the tree, files with $secret where a ".." would land,
# and in it, an @v/list, an @latest and a stray file.
sw_plant() {
	for f in "$MV_TMP/x/@v/v1.0.0.mod" "$web_tree/../x/@v/v1.0.0.mod" \
	    "$web_tree/$sw_m/@v/list" "$web_tree/$sw_m/@latest" \
	    "$web_tree/notes.txt" "$web_tree/$sw_m/@v/notes.txt"; do
		mkdir -p "${f%/*}" && echo "$secret" >"$f" || return 1
	done
	chown -R "$web_user:$web_group" "$web_tree"
}

# sw_hostile LABEL BASE: nothing but the tree's immutable files.
sw_hostile() {
	l=$1 b=$2
	sw_plant || { fail "$l: files planted"; return; }
	for p in "../x/@v/v1.0.0.mod" "%2e%2e/x/@v/v1.0.0.mod" \
	    "$sw_top/%2e%2e/%2e%2e/x/@v/v1.0.0.mod" "$sw_top/../../x/@v/v1.0.0.mod" \
	    "$sw_top/..%2F..%2Fx/@v/v1.0.0.mod" "%2e%2e%2Fx/@v/v1.0.0.mod" \
	    "/../x/@v/v1.0.0.mod" "$sw_m/@v/list" "$sw_m/@latest" \
	    "notes.txt" "$sw_m/@v/notes.txt" "$sw_m/@v/" "$sw_m//@v/list"; do
		check "$l: $p serves nothing planted or outside the tree" \
		    sw_no_secret "$b$p" --path-as-is
	done
	check "$l: a tree directory is not listed" \
	    sh -c "! curl -s '$b$sw_m/@v/' | grep -q '$sw_v\\.zip'"
}

# sw_planted_link LABEL BASE: a link in the tree (of modvault's user) to a
# file of another user outside it is not followed.
sw_planted_link() {
	mkdir -p "$web_tree/evil.example/m/@v" &&
	ln -sf "$MV_TMP/x/@v/v1.0.0.mod" "$web_tree/evil.example/m/@v/v1.0.0.mod" &&
	chown -hR "$web_user:$web_group" "$web_tree/evil.example" &&
	chown root "$MV_TMP/x/@v/v1.0.0.mod"
	check "$1: a planted link to another user's file is not followed" \
	    sw_no_secret "${2}evil.example/m/@v/v1.0.0.mod"
}

# sw_passed LABEL BASE PATH WHY: after WHY, PATH is no longer in the tree
# and its request reaches modvault.
sw_passed() {
	check "$1: after $4, $3 is gone from the tree" [ ! -e "$web_tree/$3" ]
	n=$(sw_mv_lines "$3")
	s=$(curl -s -o /dev/null -w '%{http_code}' "$2$3")
	check "$1: after $4, $3 reaches modvault ($s)" \
	    wait_for 10 test "$(sw_mv_lines "$3")" -gt "$n"
}

# sw_removed LABEL BASE: a deny line (a command that writes the store
# prunes the tree first: here gc, which evicts nothing without options),
# rm, and gc eviction.
sw_removed() {
	l=$1 b=$2
	d=$(fx_escape "$(fx_mod license)")/@v/$(fx_escape "$(fx_ver license)").zip
	echo "deny = $(fx_mod license)" >>"$MV_TMP/modvault.conf"
	check "$l: a command writes the store under the deny line" sw_cli gc
	sw_passed "$l" "$b" "$d" "a deny line"
	check "$l: modvault rm" sw_cli rm "$sw_mod@$sw_ver"
	sw_passed "$l" "$b" "$sw_p.zip" rm
	e=$(fx_escape "$(fx_mod case)")/@v/$(fx_escape "$(fx_ver case)").zip
	check "$l: gc --max-bytes 1 evicts every version" sw_cli gc --max-bytes 1
	sw_passed "$l" "$b" "$e" "gc eviction"
}

# sw_go_twice LABEL BASE ACCESS_LOG: the go command through BASE; the
# second time (a fresh module cache) no .mod or .zip reaches modvault.
sw_go_twice() {
	check "$1: go mod download/list/build verify every fixture against go.sum" \
	    run_go_client "$2"
	n=$(grep -c 'info: GET /[^ ]*\.\(zip\|mod\) ' "$web_log")
	check "$1: again, now from the tree" run_go_client "$2"
	sw_sync "$2"
	check "$1: the second time no .mod or .zip reached modvault" \
	    [ "$(grep -c 'info: GET /[^ ]*\.\(zip\|mod\) ' "$web_log")" = "$n" ]
	check "$1: the second time the web server sent them" \
	    sw_served "$3" "$(fx_escape "$(fx_mod big)")/@v/[^ \"]*\.zip"
}

# sw_checks LABEL BASE ACCESS_LOG: everything above, through one server.
sw_checks() {
	for e in info mod zip; do
		sw_static "$1" "$2" "$3" "$e"
	done
	sw_go_twice "$1" "$2" "$3"
	sw_hostile "$1" "$2"
	[ "$1" = caddy ] || sw_planted_link "$1" "$2"
	sw_removed "$1" "$2"
}

sw_mod=$(fx_mod basic)
sw_ver=$(fx_ver basic)
sw_m=$(fx_escape "$sw_mod")
sw_v=$(fx_escape "$sw_ver")
sw_p=$sw_m/@v/$sw_v
sw_top=${sw_m%%/*}

# sw_fresh TREE DIR...: web_fresh (zips streamed), then static_tree =
# TREE, an empty directory of modvault's user.
sw_fresh() {
	web_tree=$1
	shift
	web_fresh off "$@" && rm -rf "$web_tree" "$MV_TMP/x" &&
	mkdir -p "$web_tree" && chown "$web_user:$web_group" "$web_tree" &&
	echo "static_tree = $web_tree" >>"$MV_TMP/modvault.conf"
}

# sw_fcgid: Apache + mod_fcgid (its children's stderr is in the ErrorLog).
sw_fcgid() {
	web_log=$run/error.log web_mount=go/
	if sw_fresh "$MV_TMP/tree" htdocs fcgid && chmod 777 "$run/fcgid" &&
	    web_apache fcgid.conf.in DATA="$MV_TMP/data" \
	    FCGI="$run/modvault.fcgi" CONFIG="$MV_TMP/modvault.conf"; then
		sw_checks apache+fcgid "$url/go/" "$run/tree-access.log"
		check "apache+fcgid: the internal prefix is refused when asked for" \
		    web_is_4xx "$url/_modvault_tree/$sw_p.zip"
	else
		fail "apache+fcgid starts"
	fi
}

# sw_nginx: nginx, modvault under spawn-fcgi.
sw_nginx() {
	web_log= web_mount=go/
	if sw_fresh "$MV_TMP/tree" htdocs tmp && web_spawn "$run/modvault.fcgi" && web_nginx
	then
		sw_checks nginx "$url/go/" "$run/tree-access.log"
	else
		fail "nginx starts"
	fi
}

# sw_caddy: Caddy, modvault under spawn-fcgi, logging to a file.
sw_caddy() {
	web_log= web_mount=go/
	if sw_fresh "$MV_TMP/tree" && web_log_to_file && web_spawn "$run/modvault.fcgi" &&
	    web_caddy; then
		sw_checks caddy "$url/go/" "$run/access.log"
	else
		fail "caddy starts"
	fi
}

# sw_cgi: Apache plain CGI, the tree inside the CGI directory, the shipped
# .htaccess with its tree block on and its two paths edited.
sw_cgi() {
	web_log=$run/error.log web_mount=cgi-bin/
	cgi=$run/htdocs/cgi-bin
	if sw_fresh "$cgi/tree" htdocs/cgi-bin &&
	    echo "mount = /cgi-bin" >>"$MV_TMP/modvault.conf" &&
	    cp "$MODVAULT_FCGI" "$cgi/modvault.cgi" &&
	    chmod 755 "$cgi/modvault.cgi" &&
	    c="SetEnv MODVAULT_CONFIG $MV_TMP/modvault.conf" &&
	    sed -e 's/^#tree//' -e "s|^SetEnv MODVAULT_CONFIG .*|$c|" \
	    -e "s|/home/you/public_html/cgi-bin/tree|$web_tree|" \
	    "$MV_SRCDIR/contrib/apache/htaccess" >"$cgi/.htaccess" &&
	    chown -R "$web_user:$web_group" "$web_tree" &&
	    web_apache cgi.conf.in; then
		sw_checks "apache plain CGI" "$url/cgi-bin/" "$run/access.log"
		check "apache plain CGI: the tree is refused when asked for" \
		    web_is_4xx "$url/cgi-bin/tree/$sw_p.zip"
	else
		fail "apache plain CGI starts"
	fi
}

# MV_STATIC_WEB_SERVERS picks some of them (when working on one).
for sw in ${MV_STATIC_WEB_SERVERS:-fcgid nginx caddy cgi}; do
	sw_$sw
	web_stop
done
done_testing
