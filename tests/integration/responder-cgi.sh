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

cgi GET /
check "GET / answers 200 with how to set GOPROXY" is_status 200
check "index page mentions GOPROXY" grep -q GOPROXY "$MV_TMP/b"

cgi GET /healthz
check "/healthz is 200 on a usable store" is_status 200

cgi GET /golang.org/x/sync/@v/list
check "list: 200" is_status 200
check "list: the stored version" body_is "$up/golang.org/x/sync/@v/list"
check "list: text/plain" [ "$(header Content-Type)" = "text/plain; charset=utf-8" ]
check "list: short-lived cache" [ "$(header Cache-Control)" = "public, max-age=60" ]

cgi GET /golang.org/x/sync/@v/v0.3.0.info
check "info: 200 with the stored bytes" body_is "$up/golang.org/x/sync/@v/v0.3.0.info"
check "info: application/json" [ "$(header Content-Type)" = "application/json" ]
etag=$(header ETag)
check "info: ETag is the quoted blob SHA-256" [ "$etag" = "\"$(sha256sum "$up/golang.org/x/sync/@v/v0.3.0.info" | cut -c1-64)\"" ]

cgi GET /golang.org/x/sync/@v/v0.3.0.mod
check "mod: 200 with the stored bytes" body_is "$up/golang.org/x/sync/@v/v0.3.0.mod"
check "mod: immutable" [ "$(header Cache-Control)" = "public, max-age=31536000, immutable" ]

zip=$up/github.com/google/go-cmp/@v/v0.5.9.zip
size=$(wc -c < "$zip" | tr -d ' ')
cgi GET /github.com/google/go-cmp/@v/v0.5.9.zip
check "zip: 200 with the stored bytes" body_is "$zip"
check "zip: application/zip" [ "$(header Content-Type)" = "application/zip" ]
check "zip: Content-Length" [ "$(header Content-Length)" = "$size" ]
check "zip: immutable" [ "$(header Cache-Control)" = "public, max-age=31536000, immutable" ]
zetag=$(header ETag)

cgi HEAD /github.com/google/go-cmp/@v/v0.5.9.zip
check "HEAD: 200, same length, no body" sh -c "[ '$(status)' = 200 ] && [ '$(header Content-Length)' = '$size' ] && [ ! -s '$MV_TMP/b' ]"

cgi GET /github.com/google/go-cmp/@v/v0.5.9.zip HTTP_IF_NONE_MATCH="$zetag"
check "If-None-Match with the ETag: 304 without a body" sh -c "[ '$(status)' = 304 ] && [ ! -s '$MV_TMP/b' ]"
cgi GET /github.com/google/go-cmp/@v/v0.5.9.zip HTTP_IF_NONE_MATCH='"other"'
check "If-None-Match with another tag: 200" is_status 200

cgi GET /github.com/google/go-cmp/@v/v0.5.9.zip HTTP_RANGE=bytes=100-199
head -c 200 "$zip" | tail -c 100 > "$MV_TMP/want"
check "Range: 206 with the requested bytes" sh -c "[ '$(status)' = 206 ] && cmp -s '$MV_TMP/b' '$MV_TMP/want'"
check "Range: Content-Range" [ "$(header Content-Range)" = "bytes 100-199/$size" ]
cgi GET /github.com/google/go-cmp/@v/v0.5.9.zip HTTP_RANGE=bytes=-10
tail -c 10 "$zip" > "$MV_TMP/want"
check "Range: suffix range" sh -c "[ '$(status)' = 206 ] && cmp -s '$MV_TMP/b' '$MV_TMP/want'"
cgi GET /github.com/google/go-cmp/@v/v0.5.9.zip HTTP_RANGE=bytes=99999999-
check "Range beyond the end: 416" is_status 416

cgi GET /github.com/%21masterminds/semver/@v/v1.4.2.mod
check "%21 escape (as the go command sends it): 200" body_is "$up/github.com/!masterminds/semver/@v/v1.4.2.mod"

cgi GET /golang.org/x/sync/@latest
check "@latest: the highest stored release" grep -q '"Version":"v0.3.0"' "$MV_TMP/b"

cgi GET /golang.org/x/sync/@v/v9.9.9.info
check "unknown version: 404" is_status 404
check "404 reason is one line naming module@version" sh -c "[ \$(wc -l < '$MV_TMP/b') -eq 1 ] && grep -q 'golang.org/x/sync@v9.9.9' '$MV_TMP/b'"
check "errors are text/plain and not cached" sh -c "[ '$(header Content-Type)' = 'text/plain; charset=utf-8' ] && [ '$(header Cache-Control)' = no-store ]"
cgi GET /example.com/nothing/@v/list
check "unknown module list: 404" is_status 404
cgi GET /golang.org/x/sync/@v/v0.3.mod
check "non-canonical .mod: 404 (GP-4.1)" is_status 404
cgi POST /golang.org/x/sync/@v/list
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
long=/$(python3 -c 'print("a" * 5000)')/@v/list
check "..: 400" hostile 400 "/golang.org/../../../../etc/passwd/@v/list"
check "%2e%2e: 400" hostile 400 "/golang.org/%2e%2e/%2e%2e/etc/passwd/@v/list"
check "//: 400" hostile 400 "/golang.org//x/sync/@v/list"
check "%00: 400" hostile 400 "/golang.org/x/sync%00/@v/list"
check "%2F smuggling ..: 400" hostile 400 "/golang.org/x%2F..%2F..%2Fetc/passwd/@v/list"
check "bad percent escape: 400" hostile 400 "/golang.org/x/sync%zz/@v/list"
check "over-long path: 414" hostile 414 "$long"
check "bad ! escape: 404" hostile 404 "/github.com/!!masterminds/semver/@v/list"
check "trailing !: 404" hostile 404 "/github.com/masterminds!/semver/@v/list"
check "uppercase in an encoded path: 404" hostile 404 "/github.com/Masterminds/semver/@v/list"
check "version with a slash: 404" hostile 404 "/golang.org/x/sync/@v/v0.3.0/x.zip"

# Mount prefixes: by SCRIPT_NAME (lighttpd, fcgid, nginx, Caddy split) and
# by the mount key (mod_proxy_fcgi without SetEnvIf, shared-host rewrites).
cgi GET /go/golang.org/x/sync/@v/list SCRIPT_NAME=/go
check "prefix /go via SCRIPT_NAME" body_is "$up/golang.org/x/sync/@v/list"
cgi GET /cgi-bin/modvault.cgi/golang.org/x/sync/@v/list SCRIPT_NAME=/cgi-bin/modvault.cgi PATH_INFO=/golang.org/x/sync/@v/list
check "prefix /cgi-bin/modvault.cgi/" body_is "$up/golang.org/x/sync/@v/list"
cgi GET /mods/golang.org/x/sync/@v/list SCRIPT_NAME=/mods/modvault.cgi PATH_INFO=/golang.org/x/sync/@v/list
check "shared-host rewrite (SCRIPT_NAME not a prefix) uses PATH_INFO" body_is "$up/golang.org/x/sync/@v/list"
echo "mount = /pfx" >> "$MV_TMP/modvault.conf"
cgi GET /pfx/golang.org/x/sync/@v/list SCRIPT_NAME=/pfx/golang.org/x/sync/@v/list
check "mount key strips a configured prefix" body_is "$up/golang.org/x/sync/@v/list"
cgi GET /elsewhere/golang.org/x/sync/@v/list
check "outside the mount: 404" is_status 404

# X-Sendfile: headers only, naming the blob inside the store.
fixture_store "xsendfile = lighttpd"
cgi GET /github.com/google/go-cmp/@v/v0.5.9.zip
f=$(header X-LIGHTTPD-send-file)
check "xsendfile=lighttpd: header names the blob, no body" sh -c "[ -n '$f' ] && cmp -s '$f' '$zip' && [ ! -s '$MV_TMP/b' ]"
case $f in "$MV_TMP/data/blobs/"*) ok "xsendfile path is inside the blob directory" ;; *) fail "xsendfile path $f outside the store" ;; esac
fixture_store "xsendfile = nginx"
cgi GET /github.com/google/go-cmp/@v/v0.5.9.zip
a=$(header X-Accel-Redirect)
check "xsendfile=nginx: X-Accel-Redirect under the prefix" sh -c "case '$a' in /_modvault_blobs/??/??/*) [ -f '$MV_TMP/data/blobs/${a#/_modvault_blobs/}' ];; *) false;; esac"

# A store that cannot be opened: /healthz says so with 503.
printf 'data_dir = %s\n' "$MV_TMP/missing" > "$MV_TMP/modvault.conf"
cgi GET /healthz
check "/healthz on a missing store: 503" is_status 503
check "the cause is logged" grep -q 'cannot open the store' "$MV_TMP/err"

done_testing
