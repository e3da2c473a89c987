#!/bin/sh
# responder-cgi.sh: modvault.fcgi run as plain CGI (environment variables
# in, CGI response out, no web server), on a store imported from the
# fixtures: every endpoint, status code and header of the responder issue,
# mount prefixes, and hostile paths.
. "$MV_SRCDIR/tests/integration/lib.sh"
need python3 strace
mv_tmpdir
fixture_store || { echo "not ok - fixture import failed"; exit 1; }
up=$MV_FIXTURES/upstream

# cgi METHOD REQUEST_URI [VAR=value...]: runs one request; the headers go
# to $MV_TMP/h (CR stripped) and the body to $MV_TMP/b.
cgi() {
	method=$1 uri=$2
	shift 2
	env -i PATH="$PATH" MODVAULT_CONFIG="$MV_TMP/modvault.conf" \
	    REQUEST_METHOD="$method" REQUEST_URI="$uri" SCRIPT_NAME= \
	    GATEWAY_INTERFACE=CGI/1.1 "$@" "$MODVAULT_FCGI" </dev/null \
	    >"$MV_TMP/out" 2>"$MV_TMP/err"
	python3 - "$MV_TMP" <<'PY'
import sys
d = sys.argv[1]
raw = open(d + "/out", "rb").read()
head, sep, body = raw.partition(b"\r\n\r\n")
open(d + "/h", "wb").write(head.replace(b"\r\n", b"\n") + b"\n")
open(d + "/b", "wb").write(body)
PY
}
status() { sed -n 's/^Status: \([0-9]*\).*/\1/p' "$MV_TMP/h"; }
header() { sed -n "s/^$1: //p" "$MV_TMP/h"; }
is_status() { [ "$(status)" = "$1" ] || { echo "# got status $(status): $(cat "$MV_TMP/b")"; return 1; }; }
body_is() { cmp -s "$MV_TMP/b" "$1"; }

# The fixtures this script asks for, by kind.
B_M=$(fx_mod basic)			# several versions, a prerelease
B_E=$(fx_escape "$B_M")
B_LATEST=$(fx_latest "$B_M")		# a release, not the prerelease
Z_M=$(fx_mod license)			# a zip of a few KB
Z_V=$(fx_ver license)
Z_URI=/$(fx_escape "$Z_M")/@v/$Z_V.zip
zip=$(fx_file "$Z_M" "$Z_V" zip)
size=$(wc -c < "$zip" | tr -d ' ')
C_M=$(fx_mod case)			# upper case in the path
C_V=$(fx_ver case)
C_E=$(fx_escape "$C_M")
P_M=$(fx_mod pseudo)			# no tag: an empty @v/list
P_V=$(fx_ver pseudo)
NG_M=$(fx_mod nogomod)
NG_V=$(fx_ver nogomod)
VERSION=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$MV_BUILDDIR/config.h")

check "modvault.fcgi --version" \
    sh -c "[ \"\$('$MODVAULT_FCGI' --version)\" = 'modvault.fcgi $VERSION' ]"

cgi GET / HTTP_HOST=proxy.example:8080
check "GET / answers 200 with how to set GOPROXY" is_status 200
check "index page prints this proxy's own URL from Host" \
    grep -qF 'go env -w GOPROXY=http://proxy.example:8080/' "$MV_TMP/b"
check "index page lists /sumdb" grep -q '/sumdb' "$MV_TMP/b"
cgi GET /go/ SCRIPT_NAME=/go HTTP_HOST=proxy.example HTTPS=on
check "index page under a mount, over https: the mounted URL" \
    grep -qF 'go env -w GOPROXY=https://proxy.example/go/' "$MV_TMP/b"

cgi GET /healthz
check "/healthz is 200 on a usable store" is_status 200

cgi GET /$B_E/@v/list
check "list: 200" is_status 200
check "list: the stored versions, prerelease included" \
    body_is "$up/$B_E/@v/list"
check "list: text/plain" [ "$(header Content-Type)" = "text/plain; charset=utf-8" ]
check "list: short-lived cache" [ "$(header Cache-Control)" = "public, max-age=60" ]
cgi GET "/$(fx_escape "$P_M")/@v/list"
check "list of a module with no tagged version: 200, empty" \
    sh -c "[ '$(status)' = 200 ] && [ ! -s '$MV_TMP/b' ]"

cgi GET /$B_E/@v/$B_LATEST.info
check "info: 200 with the stored bytes" body_is "$up/$B_E/@v/$B_LATEST.info"
check "info: application/json" [ "$(header Content-Type)" = "application/json" ]
etag=$(header ETag)
check "info: ETag is the quoted blob SHA-256" [ "$etag" = "\"$(sha256 "$up/$B_E/@v/$B_LATEST.info")\"" ]

cgi GET /$B_E/@v/$B_LATEST.mod
check "mod: 200 with the stored bytes" body_is "$up/$B_E/@v/$B_LATEST.mod"
check "mod: immutable" [ "$(header Cache-Control)" = "public, max-age=31536000, immutable" ]
cgi GET "/$(fx_escape "$NG_M")/@v/$NG_V.mod"
check "mod of a module without go.mod: the synthesized one" \
    sh -c "[ '$(status)' = 200 ] && [ \"\$(cat '$MV_TMP/b')\" = 'module $NG_M' ]"

cgi GET "$Z_URI"
check "zip: 200 with the stored bytes" body_is "$zip"
check "zip: application/zip" [ "$(header Content-Type)" = "application/zip" ]
check "zip: Content-Length" [ "$(header Content-Length)" = "$size" ]
check "zip: immutable" [ "$(header Cache-Control)" = "public, max-age=31536000, immutable" ]
zetag=$(header ETag)

cgi HEAD "$Z_URI"
check "HEAD: 200, same length, no body" sh -c "[ '$(status)' = 200 ] && [ '$(header Content-Length)' = '$size' ] && [ ! -s '$MV_TMP/b' ]"

# RFC 9110 13.1.2: If-None-Match compares whole entity tags.
cgi GET "$Z_URI" HTTP_IF_NONE_MATCH="$zetag"
check "If-None-Match with the ETag: 304 without a body" sh -c "[ '$(status)' = 304 ] && [ ! -s '$MV_TMP/b' ]"
cgi GET "$Z_URI" HTTP_IF_NONE_MATCH="\"other\", $zetag"
check "If-None-Match with a list holding the ETag: 304" is_status 304
cgi GET "$Z_URI" HTTP_IF_NONE_MATCH="W/$zetag"
check "If-None-Match with the weak ETag: 304 (weak comparison)" is_status 304
cgi GET "$Z_URI" HTTP_IF_NONE_MATCH='*'
check "If-None-Match: *: 304" is_status 304
cgi GET "$Z_URI" HTTP_IF_NONE_MATCH='"other"'
check "If-None-Match with another tag: 200" is_status 200
zhex=$(echo "$zetag" | tr -d '"')
cgi GET "$Z_URI" HTTP_IF_NONE_MATCH="\"${zhex%?}\""
check "If-None-Match with a prefix of the ETag: 200" is_status 200
cgi GET "$Z_URI" HTTP_IF_NONE_MATCH="\"${zhex}0\""
check "If-None-Match with the ETag and more: 200" is_status 200
cgi GET "$Z_URI" HTTP_IF_NONE_MATCH="\"x$zhex\""
check "If-None-Match with the ETag inside another tag: 200" \
    sh -c "[ '$(status)' = 200 ] && cmp -s '$MV_TMP/b' '$zip'"
cgi GET "$Z_URI" HTTP_IF_NONE_MATCH="$zhex"
check "If-None-Match with the unquoted digest: 200" is_status 200

cgi GET "$Z_URI" HTTP_RANGE=bytes=100-199
head -c 200 "$zip" | tail -c 100 > "$MV_TMP/want"
check "Range: 206 with the requested bytes" sh -c "[ '$(status)' = 206 ] && cmp -s '$MV_TMP/b' '$MV_TMP/want'"
check "Range: Content-Range" [ "$(header Content-Range)" = "bytes 100-199/$size" ]
cgi GET "$Z_URI" HTTP_RANGE=bytes=-10
tail -c 10 "$zip" > "$MV_TMP/want"
check "Range: suffix range" sh -c "[ '$(status)' = 206 ] && cmp -s '$MV_TMP/b' '$MV_TMP/want'"
cgi GET "$Z_URI" HTTP_RANGE=bytes=100-
tail -c +101 "$zip" > "$MV_TMP/want"
check "Range: open range" sh -c "[ '$(status)' = 206 ] && cmp -s '$MV_TMP/b' '$MV_TMP/want'"
cgi GET "$Z_URI" HTTP_RANGE=bytes=99999999-
check "Range beyond the end: 416" is_status 416
check "416: Content-Range names the size" [ "$(header Content-Range)" = "bytes */$size" ]
for r in bytes=abc bytes=5-2 bytes=0-1,5-6 items=0-1 bytes=--1 bytes=1-2-3 \
    'bytes= 0-1' 'bytes= -5-' bytes=5--3; do
	cgi GET "$Z_URI" HTTP_RANGE="$r"
	check "a malformed Range ($r) is ignored: 200, the whole zip" \
	    sh -c "[ '$(status)' = 200 ] && cmp -s '$MV_TMP/b' '$zip'"
done

cgi GET "/$(echo "$C_E" | sed 's/!/%21/g')/@v/$C_V.mod"
check "%21 escape (as the go command sends it): 200" body_is "$up/$C_E/@v/$C_V.mod"

cgi GET /$B_E/@latest
check "@latest: the highest stored release, not the prerelease ($B_LATEST)" \
    grep -q "\"Version\":\"$B_LATEST\"" "$MV_TMP/b"
cgi GET "/$(fx_escape "$P_M")/@latest"
check "@latest of a module with no tag: its pseudo-version" \
    grep -q "\"Version\":\"$P_V\"" "$MV_TMP/b"

cgi GET /$B_E/@v/v1.9.9.info
check "unknown version: 404" is_status 404
check "404 reason is one line naming module@version" sh -c "[ \$(wc -l < '$MV_TMP/b') -eq 1 ] && grep -q '$B_M@v1.9.9' '$MV_TMP/b'"
check "errors are text/plain and not cached" sh -c "[ '$(header Content-Type)' = 'text/plain; charset=utf-8' ] && [ '$(header Cache-Control)' = no-store ]"
cgi GET /example.com/nothing/@v/list
check "unknown module list: 404" is_status 404
cgi GET "/$B_E/@v/$(echo "$B_LATEST" | sed 's/\.0$//').mod"
check "non-canonical .mod: 404 (GP-4.1)" is_status 404
cgi POST /$B_E/@v/list
check "POST: 405 with Allow" sh -c "[ '$(status)' = 405 ] && [ '$(header Allow)' = 'GET, HEAD' ]"

# Hostile paths: each a 4xx, and strace shows no file outside the store
# (nor any passwd) was looked at.
hostile() {
	want=$1 uri=$2
	cgi GET "$uri"
	case $(status) in "$want") ;; *) echo "# $uri -> $(status)"; return 1 ;; esac
	env -i PATH="$PATH" MODVAULT_CONFIG="$MV_TMP/modvault.conf" \
	    REQUEST_METHOD=GET REQUEST_URI="$uri" strace -f -qq -e trace=%file \
	    -o "$MV_TMP/trace" "$MODVAULT_FCGI" </dev/null >/dev/null 2>&1
	! grep -E 'passwd|"[^"]*\.\./' "$MV_TMP/trace"
}
top=${B_M%%/*}
long=/$(python3 -c 'print("a" * 5000)')/@v/list
C_LOWER=$(echo "$C_M" | tr 'A-Z' 'a-z')
check "..: 400" hostile 400 "/$top/../../../../etc/passwd/@v/list"
check "%2e%2e: 400" hostile 400 "/$top/%2e%2e/%2e%2e/etc/passwd/@v/list"
check "//: 400" hostile 400 "/$top//${B_M#*/}/@v/list"
check "%00: 400" hostile 400 "/$B_E%00/@v/list"
check "%2F smuggling ..: 400" hostile 400 "/$top/x%2F..%2F..%2Fetc/passwd/@v/list"
check "bad percent escape: 400" hostile 400 "/$B_E%zz/@v/list"
check "over-long path: 414" hostile 414 "$long"
check "bad ! escape: 404" hostile 404 "/$(echo "$C_E" | sed 's/!/!!/')/@v/list"
check "trailing !: 404" hostile 404 "/$C_LOWER!/@v/list"
check "uppercase in an encoded path: 404" hostile 404 "/$C_M/@v/list"
check "version with a slash: 404" hostile 404 "/$B_E/@v/$B_LATEST/x.zip"

# Mount prefixes: by SCRIPT_NAME (lighttpd, fcgid, nginx, Caddy split) and
# by the mount key (mod_proxy_fcgi without SetEnvIf, shared-host rewrites).
cgi GET /go/$B_E/@v/list SCRIPT_NAME=/go
check "prefix /go via SCRIPT_NAME" body_is "$up/$B_E/@v/list"
cgi GET /cgi-bin/modvault.cgi/$B_E/@v/list SCRIPT_NAME=/cgi-bin/modvault.cgi PATH_INFO=/$B_E/@v/list
check "prefix /cgi-bin/modvault.cgi/" body_is "$up/$B_E/@v/list"
cgi GET /mods/$B_E/@v/list SCRIPT_NAME=/mods/modvault.cgi PATH_INFO=/$B_E/@v/list
check "shared-host rewrite (SCRIPT_NAME not a prefix) uses PATH_INFO" body_is "$up/$B_E/@v/list"
echo "mount = /pfx" >> "$MV_TMP/modvault.conf"
cgi GET /pfx/$B_E/@v/list SCRIPT_NAME=/pfx/$B_E/@v/list
check "mount key strips a configured prefix" body_is "$up/$B_E/@v/list"
cgi GET /pfx/ HTTP_HOST=proxy.example
check "index page under the mount key: the mounted URL" \
    grep -qF 'go env -w GOPROXY=http://proxy.example/pfx/' "$MV_TMP/b"
cgi GET /elsewhere/$B_E/@v/list
check "outside the mount: 404" is_status 404

# X-Sendfile: headers only, naming the blob inside the store.
fixture_store "xsendfile = lighttpd"
cgi GET "$Z_URI"
f=$(header X-LIGHTTPD-send-file)
check "xsendfile=lighttpd: header names the blob, no body" sh -c "[ -n '$f' ] && cmp -s '$f' '$zip' && [ ! -s '$MV_TMP/b' ]"
case $f in "$MV_TMP/data/blobs/"*) ok "xsendfile path is inside the blob directory" ;; *) fail "xsendfile path $f outside the store" ;; esac
fixture_store "xsendfile = nginx"
cgi GET "$Z_URI"
a=$(header X-Accel-Redirect)
check "xsendfile=nginx: X-Accel-Redirect under the prefix" sh -c "case '$a' in /_modvault_blobs/??/??/*) [ -f '$MV_TMP/data/blobs/${a#/_modvault_blobs/}' ];; *) false;; esac"

# A store that cannot be opened: /healthz says so with 503; requests are
# a 500 whose body names no file (the log has the cause).
printf 'data_dir = %s\n' "$MV_TMP/missing" > "$MV_TMP/modvault.conf"
cgi GET /healthz
check "/healthz on a missing store: 503" is_status 503
check "the cause is logged" grep -q 'cannot open the store' "$MV_TMP/err"
check "the /healthz body names no file" sh -c "! grep -qF '$MV_TMP' '$MV_TMP/b'"
cgi GET /$B_E/@v/list
check "a request on a missing store: 5xx ($(status))" \
    sh -c "case '$(status)' in 5??) ;; *) false ;; esac"
check "its body: one line about the store, pointing at the log, no file name" sh -c "
	[ \$(wc -l < '$MV_TMP/b') -eq 1 ] && grep -q 'store' '$MV_TMP/b' &&
	grep -qF \"(the server's error log has the cause)\" '$MV_TMP/b' &&
	! grep -qF '$MV_TMP' '$MV_TMP/b'"
check "the log names the store" grep -qF "$MV_TMP/missing" "$MV_TMP/err"

# A configuration error: every request is a 500 that names no file.
printf 'data_dir = %s\nvcs_rewrite = https://a/\n' "$MV_TMP/data" > "$MV_TMP/modvault.conf"
cgi GET /$B_E/@v/list
check "a vcs_rewrite without its TO: requests are 500" is_status 500
check "a configuration error: the body names no file" sh -c "
	grep -q '^internal error: ' '$MV_TMP/b' && ! grep -qF '$MV_TMP' '$MV_TMP/b'"
check "the log names the key and what it must be" \
    grep -q 'vcs_rewrite: must be two URL prefixes' "$MV_TMP/err"
cgi GET /healthz
check "/healthz with a configuration error: 503" is_status 503

# A store whose schema is older than this modvault: 503 until init.
old_store "$MV_TMP/old"
printf 'data_dir = %s\n' "$MV_TMP/old" > "$MV_TMP/modvault.conf"
cgi GET /$B_E/@v/list
check "an old store: 503" is_status 503
check "an old store: the body says to run modvault init" \
    grep -q "^store needs upgrading: .*run 'modvault init'" "$MV_TMP/b"
cgi GET /healthz
check "/healthz on an old store: 503" is_status 503
check "a request does not upgrade the store" \
    [ "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA user_version").fetchone()[0])' "$MV_TMP/old/index.db")" = 1 ]
"$MODVAULT" --config "$MV_TMP/modvault.conf" init >/dev/null
cgi GET /healthz
check "/healthz once init upgraded it: 200" is_status 200

done_testing
