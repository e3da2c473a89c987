#!/bin/sh
# static-web.sh: the static tree (issue 16) behind Apache + mod_fcgid,
# Apache plain CGI (.htaccess), nginx and Caddy, each with the optional
# "#tree" block of its shipped contrib/ config turned on (lighttpd is
# static-tree.sh's).  For each: a first request for a stored .info, .mod
# and .zip misses the tree and reaches modvault; once the file is linked
# into the tree, the next request is answered by the web server (in its
# access log) and modvault logs nothing for it, with modvault's own
# Content-Type, Cache-Control and bytes; the real go command downloads
# through the tree; once the version is removed (rm, gc), a request
# reaches modvault again; hostile paths, a planted @v/list, files beside
# the tree and a link planted to a file outside it never serve anything
# but the tree's immutable files.
#
# The tree is laid out here as static_tree's contract says modvault lays
# it out (DIR/<escaped module>/@v/<escaped version>.EXT, relative links
# to the blobs, owned by modvault's user), from the bytes modvault itself
# answered, until the library maintains it.
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

# sw_cli ARGS...: the modvault command as the user that owns the store.
sw_cli() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$web_user" -- "$MODVAULT" --config "$MV_TMP/modvault.conf" "$@"
	else
		"$MODVAULT" --config "$MV_TMP/modvault.conf" "$@"
	fi
}

# sw_link PATH FILE: links the tree's PATH (as under the mount) to the
# blob holding FILE's bytes, as modvault's user: false when the store has
# no such blob.
sw_link() {
	b=$(blob_path "$MV_TMP/data" "$2")
	[ -f "$b" ] || return 1
	mkdir -p "$web_tree/${1%/*}" && ln -sfr "$b" "$web_tree/$1" &&
	chown -hR "$web_user:$web_group" "$web_tree"
}

# sw_fill: links every fixture .mod and .zip (stored as the upstream
# serves them), so that the go command's downloads are mostly static.
sw_fill() {
	(cd "$MV_FIXTURES/upstream" && find . -path '*/@v/*' \
	    \( -name '*.mod' -o -name '*.zip' \)) | while read -r f; do
		sw_link "${f#./}" "$MV_FIXTURES/upstream/$f" || true
	done
}

# sw_mv_lines PATH: modvault's access lines for PATH so far.
sw_mv_lines() {
	grep -c "info: GET /$1 " "$web_log" 2>/dev/null || true
}

# sw_header FILE NAME: the value of header NAME in a curl -D dump.
sw_header() {
	tr -d '\r' <"$1" | sed -n "s/^$2: *//Ip" | tail -1
}

# sw_sync: a request only modvault answers, logged before the checks read
# its log (log lines of one process come in order).
sw_sync() {
	n=$(($(sw_mv_lines "$sw_m/@v/list") + 1))
	curl -s -o /dev/null "$1$sw_m/@v/list" &&
	    wait_for 10 test "$(sw_mv_lines "$sw_m/@v/list")" -ge "$n"
}

# sw_static LABEL BASE ACCESS_LOG EXT: the miss, then the static hit.
sw_static() {
	l=$1 b=$2 a=$3 e=$4 u=$2$sw_p.$e
	n=$(sw_mv_lines "$sw_p.$e")
	curl -s -D "$MV_TMP/mv.hdr" -o "$MV_TMP/mv.body" "$u"
	check "$l: .$e not in the tree reaches modvault" \
	    wait_for 10 test "$(sw_mv_lines "$sw_p.$e")" -gt "$n"
	check "$l: .$e linked into the tree" sw_link "$sw_p.$e" "$MV_TMP/mv.body"
	n=$(sw_mv_lines "$sw_p.$e")
	s=$(curl -s -D "$MV_TMP/st.hdr" -o "$MV_TMP/st.body" -w '%{http_code}' "$u")
	sw_sync "$b"
	check "$l: .$e from the tree: 200, modvault's bytes" \
	    sh -c "[ '$s' = 200 ] && cmp -s '$MV_TMP/st.body' '$MV_TMP/mv.body'"
	check "$l: .$e from the tree: modvault saw no request" \
	    [ "$(sw_mv_lines "$sw_p.$e")" = "$n" ]
	check "$l: .$e from the tree: in the web server's access log" \
	    wait_for 10 grep -q "GET [^ ]*/$sw_p.$e HTTP/1.1\" 200 \|\"uri\":\"[^\"]*/$sw_p.$e\".*\"status\":200" "$a"
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

# sw_removed LABEL BASE: after rm and gc the links dangle (the version's
# blobs are gone): the web server passes the request to modvault.
sw_removed() {
	l=$1 b=$2
	if sw_cli rm "$sw_mod@$sw_ver" >/dev/null && sw_cli gc >/dev/null; then
		ok "$l: modvault rm and gc"
	else
		fail "$l: modvault rm and gc"
	fi
	for e in info zip; do
		n=$(sw_mv_lines "$sw_p.$e")
		s=$(curl -s -o "$MV_TMP/rm.body" -w '%{http_code}' "$b$sw_p.$e")
		check "$l: .$e of a removed version reaches modvault ($s)" \
		    wait_for 10 test "$(sw_mv_lines "$sw_p.$e")" -gt "$n"
		check "$l: .$e of a removed version is not served" [ "$s" != 200 ]
	done
}

# sw_checks LABEL BASE ACCESS_LOG: everything above, through one server.
sw_checks() {
	for e in info mod zip; do
		sw_static "$1" "$2" "$3" "$e"
	done
	sw_fill
	check "$1: go mod download/list/build verify every fixture against go.sum" \
	    run_go_client "$2"
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

# sw_fresh DIR...: web_fresh (zips streamed) and an empty tree.
sw_fresh() {
	web_tree=$MV_TMP/tree
	web_fresh off "$@" && rm -rf "$web_tree" "$MV_TMP/x" &&
	mkdir -p "$web_tree" && chown "$web_user:$web_group" "$web_tree"
}

# sw_fcgid: Apache + mod_fcgid (its children's stderr is in the ErrorLog).
sw_fcgid() {
	web_log=$run/error.log web_mount=go/
	if sw_fresh htdocs fcgid && chmod 777 "$run/fcgid" &&
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
	if sw_fresh htdocs tmp && web_spawn "$run/modvault.fcgi" && web_nginx
	then
		sw_checks nginx "$url/go/" "$run/tree-access.log"
	else
		fail "nginx starts"
	fi
}

# sw_caddy: Caddy, modvault under spawn-fcgi, logging to a file.
sw_caddy() {
	web_log= web_mount=go/
	if sw_fresh && web_log_to_file && web_spawn "$run/modvault.fcgi" &&
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
	if sw_fresh htdocs/cgi-bin && web_tree=$cgi/tree &&
	    mkdir -p "$web_tree" &&
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
