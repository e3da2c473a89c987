#!/bin/sh
# static-tree.sh: static_tree = DIR behind the shipped lighttpd variant
# (contrib/lighttpd/lighttpd-static.conf.in), with the real go command.
#
# A version's first request is a miss modvault answers (and links); the
# next is sent by lighttpd from the tree, which modvault's own log never
# sees.  rm, gc eviction, a new deny line and a damaged blob found by
# verify each take the file out of the tree, and the next request reaches
# modvault.  Static answers carry modvault's Content-Type, Cache-Control
# and bytes (the bytes: the fixture upstream's).  static-tree verify
# reports a removed link, an extra file and a wrong target, --repair fixes
# them, rebuild links a store filled before the key was set.  Hostile
# paths never serve anything the tree should not have.  TAP output.
. "$MV_SRCDIR/tests/integration/lib.sh"

need lighttpd curl go
# mod_magnet (Debian: lighttpd-modules-lua) sets the static answers' headers.
[ -e /usr/lib/lighttpd/mod_magnet.so ] || skip "no mod_magnet (lighttpd-modules-lua)"
mv_tmpdir
TREE=$MV_TMP/tree
LOG=$MV_TMP/modvault.log
start_upstream "$MV_FIXTURES/upstream" || { fail "upstream starts"; mv_done; }
conf() {
	printf 'upstream = %s\nlog = %s\nlog_level = info\nxsendfile = lighttpd\nstatic_tree = %s\n%s\n' \
	    "$UP_URL" "$LOG" "$TREE" "${1:-}" |
	    write_config "$MV_TMP/modvault.conf" "$MV_TMP/data"
}
conf
"$MODVAULT" --config "$MV_TMP/modvault.conf" init >/dev/null
mvc() { "$MODVAULT" --config "$MV_TMP/modvault.conf" "$@"; }
check "lighttpd with the static tree starts" start_lighttpd \
    "$MV_TMP/modvault.conf" "$MV_TMP/data" "$MV_TMP/run" "$TREE"
ACCESS=$MV_TMP/run/access.log

M=$(fx_mod basic)
V=$(fx_ver basic)
P=$(fx_escape "$M")/@v/$(fx_escape "$V")

# lighttpd_sent HEADERS: a curl -D dump of an answer lighttpd sent from
# the tree itself: its ETag is its own, not modvault's (the blob's SHA-256).
lighttpd_sent() { ! grep -qi '^etag: "[0-9a-f]\{64\}"' "$1"; }

# mark, then modvault_saw URI: modvault's log has an access line for URI
# since the mark.
mark() { MARK=$(wc -l <"$LOG"); }
modvault_saw() { tail -n "+$((MARK + 1))" "$LOG" | grep -q "info: GET /$1 "; }
# modvault_count: modvault's access lines for a version's files.
modvault_count() { grep -c 'info: GET /[^ ]*/@v/[^ ]*\.\(info\|mod\|zip\) ' "$LOG"; }
# lighttpd_count: lighttpd's access lines for a version's files.
lighttpd_count() { grep -c '"GET /[^ ]*/@v/[^ ]*\.\(info\|mod\|zip\) ' "$ACCESS"; }

check "the go command builds the client through the tree-backed lighttpd" \
    run_go_client "$url"
check "its first request of $M@$V was a miss modvault answered (fetched)" \
    grep -q "info: GET /$P.mod 200 .*how=fetched" "$LOG"
for x in info mod zip; do
	check "$M@$V.$x is a relative link in the tree, to the fixture's bytes" \
	    sh -c 'test -L "$1" && case $(readlink "$1") in /*) exit 1;; esac &&
	    cmp -s "$1" "$2"' - "$TREE/$P.$x" "$(fx_file "$M" "$V" "$x")"
done
expect_status 0 "static-tree verify finds the tree as the index says" \
    mvc static-tree verify

# The second build: every file from the tree, none through modvault.
before_mv=$(modvault_count)
before_l=$(lighttpd_count)
check "the go command builds the client again, from a fresh module cache" \
    run_go_client "$url"
more_sent() { test "$(lighttpd_count)" -gt "$before_l"; }
check "lighttpd's access log has the second build's files" wait_for 5 more_sent
check "modvault's log has no line for any of them" \
    test "$(modvault_count)" -eq "$before_mv"

# Headers and bytes: lighttpd's static answer against modvault's own
# (the plain lighttpd config over the same store answers every request).
check "lighttpd without the tree, over the same store, starts" \
    start_lighttpd "$MV_TMP/modvault.conf" "$MV_TMP/data" "$MV_TMP/plain"
plain=$url
url=http://127.0.0.1:$(sed -n 's/^server.port *= *//p' "$MV_TMP/run/lighttpd.conf")
head_of() { grep -i "^$1:" "$2" | tr -d '\r' | sed 's/^[^:]*: *//'; }
for x in info mod zip; do
	curl -sS -D "$MV_TMP/s.h" -o "$MV_TMP/s.b" "$url/$P.$x"
	curl -sS -D "$MV_TMP/d.h" -o "$MV_TMP/d.b" "$plain/$P.$x"
	check ".$x: the static answer is lighttpd's own (modvault saw no request)" \
	    lighttpd_sent "$MV_TMP/s.h"
	for h in Content-Type Cache-Control; do
		check ".$x: $h of the static answer is modvault's ($(head_of $h "$MV_TMP/d.h"))" \
		    test "$(head_of $h "$MV_TMP/s.h")" = "$(head_of $h "$MV_TMP/d.h")"
	done
	check ".$x: both bodies are the fixture's bytes" sh -c \
	    'cmp -s "$1" "$3" && cmp -s "$2" "$3"' - "$MV_TMP/s.b" \
	    "$MV_TMP/d.b" "$(fx_file "$M" "$V" "$x")"
done
# A miss of a version's file keeps modvault's own headers (a 404 is not
# immutable).
miss=$(dirname "$P")/v9.9.9.mod
curl -sS -D "$MV_TMP/s.h" -o /dev/null "$url/$miss"
curl -sS -D "$MV_TMP/d.h" -o /dev/null "$plain/$miss"
check "a miss (404) for a .mod keeps modvault's Cache-Control ($(head_of Cache-Control "$MV_TMP/d.h"))" \
    test "$(head_of Cache-Control "$MV_TMP/s.h")" = "$(head_of Cache-Control "$MV_TMP/d.h")"
kill "$LIGHTTPD_PID" 2>/dev/null
wait "$LIGHTTPD_PID" 2>/dev/null

# sent_from_tree URI: lighttpd answers 200 for URI from the tree itself.
# Asked twice: the first may be the miss that links it.
sent_from_tree() {
	curl -s -D "$MV_TMP/w.h" -o /dev/null "$url/$1" &&
	    head -1 "$MV_TMP/w.h" | grep -q ' 200' && lighttpd_sent "$MV_TMP/w.h"
}
from_tree() { sent_from_tree "$1" || sent_from_tree "$1"; }
# warm URI: lighttpd has just sent URI, so its stat cache holds the file
# when the next step takes it out (the step must not wait for the cache).
warm() { check "lighttpd has just sent $1 from the tree" from_tree "$1"; }

# took_out WHAT URI: the file left the tree, and the next request for it
# reaches modvault.
took_out() {
	check "$1 takes $2 out of the tree" test ! -e "$TREE/$2" -a ! -L "$TREE/$2"
	curl -s -o /dev/null "$url/$2"
	if wait_for 5 modvault_saw "$2"; then
		ok "after $1 the next request for $2 reaches modvault"
	else
		fail "after $1 the next request for $2 reaches modvault"
		tail -2 "$ACCESS" | sed 's/^/# lighttpd: /'
	fi
}

warm "$P.zip"
mark
mvc rm "$M@$V" >/dev/null
took_out "modvault rm" "$P.zip"

curl -s -o /dev/null "$url/$P.info"
curl -s -o /dev/null "$url/$P.zip"
warm "$P.mod"
mark
mvc gc --max-bytes 1 >/dev/null
check "gc --max-bytes 1 leaves no link and no directory in the tree" \
    test -z "$(find "$TREE" -mindepth 1 ! -name .modvault-static-tree | head -1)"
took_out "gc eviction" "$P.mod"
curl -s -o /dev/null "$url/$P.zip"
curl -s -o /dev/null "$url/$P.info"

# A damaged blob: verify quarantines it and unlinks it.
zip=$(cd "$TREE/$(dirname "$P")" && readlink -f "$(basename "$P").zip")
chmod u+w "$zip" && printf 'damage' | dd of="$zip" bs=1 seek=100 conv=notrunc 2>/dev/null
warm "$P.zip"
mark
mvc verify >/dev/null 2>&1
took_out "a damaged blob found by modvault verify" "$P.zip"

# A new deny line: the responder prunes the tree when it starts.
curl -s -o /dev/null "$url/$P.info"
check "$P.info is in the tree before the deny line" test -L "$TREE/$P.info"
# The line lands while the responders run: a command opening the store
# prunes, and the responders, still under the old lines (they serve the
# version until restarted), must not link it back on a hit.
conf "deny = $M"
mvc init >/dev/null
check "the first command under the deny line takes $P.info out" \
    test ! -L "$TREE/$P.info"
sleep 1	# past the responders' once-a-second look (tree_seen.c)
curl -s -o /dev/null "$url/$P.info"
curl -s -o /dev/null "$url/$P.mod"
check "a responder started before the deny line links nothing back" \
    test ! -L "$TREE/$P.info" -a ! -L "$TREE/$P.mod"
stop_lighttpd
mark
check "lighttpd restarts under the deny line" start_lighttpd \
    "$MV_TMP/modvault.conf" "$MV_TMP/data" "$MV_TMP/run" "$TREE"
ACCESS=$MV_TMP/run/access.log
took_out "a new deny line" "$P.info"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/$P.info")
check "the denied version is refused (403), not served ($code)" test "$code" = 403
conf

# static-tree verify and --repair.
M2=$(fx_mod case)
V2=$(fx_ver case)
P2=$(fx_escape "$M2")/@v/$(fx_escape "$V2")
curl -s -o /dev/null "$url/$P2.info"
curl -s -o /dev/null "$url/$P2.mod"
curl -s -o /dev/null "$url/$P2.zip"
rm -f "$TREE/$P2.info"
echo 'v9.9.9' >"$TREE/$(dirname "$P2")/list"
ln -sf "$(basename "$P2").mod" "$TREE/$P2.zip.new" && mv "$TREE/$P2.zip.new" "$TREE/$P2.zip"
expect_status 1 "static-tree verify exits 1 on a damaged tree" mvc static-tree verify
for line in "$TREE/$P2.info: missing" "$TREE/$(dirname "$P2")/list: extra" \
    "$TREE/$P2.zip: wrong target"; do
	check "verify reports '$line'" grep -qxF "$line" "$MV_TMP/out"
done
list=$(curl -s "$url/$(dirname "$P2")/list")
check "the planted @v/list is not what lighttpd serves" test "$list" != v9.9.9
expect_status 1 "static-tree verify --repair reports and fixes" \
    mvc static-tree verify --repair
expect_status 0 "static-tree verify then finds nothing" mvc static-tree verify
check "the repaired .zip is the fixture's bytes again" \
    cmp -s "$TREE/$P2.zip" "$(fx_file "$M2" "$V2" zip)"

# Hostile paths: nothing from outside the tree, no planted file.
ln -s /etc/passwd "$TREE/$(dirname "$P2")/passwd.info"
ln -s ../../../../data/index.db "$TREE/$(dirname "$P2")/list.info"
for u in "/..%2f..%2fdata/index.db" "/%2e%2e/data/index.db" \
    "/$(dirname "$P2")/%2e%2e/%2e%2e/%2e%2e/data/index.db" \
    "//etc/passwd" "/$(dirname "$P2")/..//..//passwd.info" \
    "/$(dirname "$P2")/list" "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd" \
    "/$(dirname "$(dirname "$P2")")/passwd.info" "/static-tree.state" \
    "/.modvault-static-tree"; do
	curl -s --path-as-is -o "$MV_TMP/h.b" "$url$u"
	check "$u serves no file from outside the tree" \
	    sh -c '! grep -q "^root:\|SQLite format\|v9.9.9" "$1"' - "$MV_TMP/h.b"
done
rm -f "$TREE/$(dirname "$P2")/passwd.info" "$TREE/$(dirname "$P2")/list.info"
stop_lighttpd

# The Debian conf-available snippet (the proxy at /go/), its paths made
# this test's: a hit from the tree, a miss through modvault.
drun=$MV_TMP/debian
mkdir -p "$drun/htdocs"
sed -e "s|/usr/libexec/modvault/modvault.fcgi|$MODVAULT_FCGI|" \
    -e "s|/run/lighttpd/modvault.sock|$drun/modvault.sock|" \
    -e "s|/etc/modvault.conf|$MV_TMP/modvault.conf|" \
    -e "s|/var/lib/modvault/static/|$TREE/|" \
    -e "s|/usr/share/modvault/lighttpd/|$MV_SRCDIR/contrib/lighttpd/|" \
    "$MV_SRCDIR/debian/lighttpd/50-modvault-static.conf" >"$drun/snippet.conf"
dport=$(free_port)
{
	lighttpd_base "$drun/htdocs" "$dport" "$drun/error.log"
	echo "include \"$drun/snippet.conf\""
} >"$drun/lighttpd.conf"
lighttpd -D -f "$drun/lighttpd.conf" &
dpid=$!
mv_at_exit "kill $dpid 2>/dev/null"
wait_http "http://127.0.0.1:$dport/go/healthz"
mark
curl -sS -D "$MV_TMP/s.h" -o "$MV_TMP/s.b" "http://127.0.0.1:$dport/go/$P2.mod"
check "Debian's snippet: /go/$P2.mod comes from the tree with modvault's Cache-Control" \
    sh -c 'cmp -s "$1" "$2" && grep -qi "^cache-control: public, max-age=31536000, immutable" "$3"' \
    - "$MV_TMP/s.b" "$(fx_file "$M2" "$V2" mod)" "$MV_TMP/s.h"
curl -s -o /dev/null "http://127.0.0.1:$dport/go/$(dirname "$P2")/list"
check "Debian's snippet: @v/list reaches modvault" wait_for 5 modvault_saw "$(dirname "$P2")/list"
check "Debian's snippet: modvault saw no request for the tree's file" \
    sh -c '! tail -n "+$(($1 + 1))" "$2" | grep -q "GET /$3 "' - "$MARK" "$LOG" "$P2.mod"
kill "$dpid" 2>/dev/null
wait "$dpid" 2>/dev/null

# rebuild: a store filled before static_tree was set.
rm -rf "$MV_TMP/data" "$TREE"
fixture_store
printf 'static_tree = %s\n' "$TREE" >>"$MV_TMP/modvault.conf"
expect_status 0 "static-tree rebuild on a store filled without the key" \
    mvc static-tree rebuild
n=0
bad=
while read -r m v kind; do
	for x in info mod zip; do
		f=$TREE/$(fx_escape "$m")/@v/$(fx_escape "$v").$x
		if test -L "$f" && cmp -s "$f" "$(fx_file "$m" "$v" $x)"; then
			n=$((n + 1))
		else
			bad="$bad $m@$v.$x"
		fi
	done
done <"$MV_FIXTURES/modules.txt"
check "rebuild links every stored version's three files ($n of $(($(fx_versions) * 3)))${bad:+ (not:$bad)}" \
    test -z "$bad"
check "the tree holds those links and nothing else (but its mark)" \
    test "$(find "$TREE" ! -type d ! -name .modvault-static-tree | wc -l)" -eq "$n"
mv_done
