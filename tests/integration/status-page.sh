#!/bin/sh
# status-page.sh: the status page in a real headless Chromium, behind
# lighttpd, after a known sequence of requests: a fetch from the test
# upstream, hits, and a refused path holding "<script>".  Chromium's DOM
# (read with python3's html.parser, status-dom.py) must show the GOPROXY
# line with the URL the browser used (by two host names), a chart of 48
# points whose counts add up to the requests made, the <script> path as
# text and no script element, and nothing loaded from elsewhere; the
# screenshot must be a PNG of the window's size.  curl without an Accept
# header, or with */*, still gets the plain text.
. "$MV_SRCDIR/tests/integration/lib.sh"
need lighttpd curl python3 chromium
mv_tmpdir

B_M=$(fx_mod basic)
B_E=$(fx_escape "$B_M")
B_V=$(fx_ver basic)
# A path refused before it names a module (a "." element: 400, rule
# "invalid"), recorded among the refusals as the client sent it.
HOSTILE='/example.com/<script>document.title="pwned"</script>/./@v/list'
start_fetching_lighttpd ||
    { fail "the upstream, the store and lighttpd start"; mv_done; }
port=${url##*:}

# chromium_run ARGS...: headless Chromium with a profile of its own, no
# background traffic, a minute at most.
chromium_run() {
	timeout 60 chromium --headless=new --no-sandbox --disable-gpu \
	    --no-first-run --disable-extensions --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$MV_TMP/chromium" "$@" 2>>"$MV_TMP/chromium.err"
}

# requests NAME: the sum of the chart's hourly counts in page NAME.
requests() { sed -n 's/^requests: //p' "$MV_TMP/$1.check"; }

# page NAME URL: Chromium's DOM of URL into $MV_TMP/NAME.html, checked
# against URL (status-dom.py's lines in NAME.check, shown as comments).
page() {
	chromium_run --dump-dom "$2" > "$MV_TMP/$1.html" || return 1
	python3 "$MV_SRCDIR/tests/integration/status-dom.py" "$MV_TMP/$1.html" \
	    "$2" 48 "$HOSTILE" > "$MV_TMP/$1.check"
	mv_rc=$?
	sed 's/^/# /' "$MV_TMP/$1.check"
	return $mv_rc
}

# The known sequence: 1 fetch, 3 hits, 1 refusal (5 requests, 4 counted
# as module requests, 3 of them from the store).
curl -s -o /dev/null "$url/healthz"
curl -s -o "$MV_TMP/info" "$url/$B_E/@v/$B_V.info"
check "the .info is fetched from the upstream" \
    cmp -s "$MV_TMP/info" "$(fx_file "$B_M" "$B_V" info)"
for f in info mod zip; do
	curl -s -o /dev/null "$url/$B_E/@v/$B_V.$f"
done
code=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$url$HOSTILE")
check "the <script> path is refused (400)" test "$code" = 400

check "Chromium's DOM of http://127.0.0.1:$port/ passes the checks" \
    page first "http://127.0.0.1:$port/"
n1=$(requests first)
check "the fetch asked the upstream for the version" \
    sh -c "[ $(upstream_count "/@v/$B_V.zip") -ge 1 ]"
hits=$(sed -n 's/^hit-ratio: //p' "$MV_TMP/first.check")
check "the hit ratio counts 3 hits of 4 module requests" \
    sh -c "echo '$hits' | grep -qF '75.0 % (3 of 4 module requests'"
check "the last fetch is the version fetched" \
    grep -qF "<td class=\"path\">$B_M</td><td>$B_V</td>" "$MV_TMP/first.html"

# Five more requests, then the page by another name for the same server.
for i in 1 2 3 4 5; do curl -s -o /dev/null "$url/$B_E/@v/$B_V.mod"; done
check "Chromium's DOM of http://localhost:$port/ passes the checks" \
    page second "http://localhost:$port/"
n2=$(requests second)
# The first page view and the five .mod requests came between the two.
check "the chart counted the 6 requests between the two views ($n1 -> $n2)" \
    test "$((n2 - n1))" -eq 6
check "the refusal names its rule next to the path" \
    python3 -c '
import sys
d = open(sys.argv[1]).read()
i = d.index("id=\"refusals\"")
row = d[i:d.index("</tr>", d.index("<td>", i))]
sys.exit(0 if "&lt;script&gt;" in row and "<td>invalid</td>" in row else 1)' \
    "$MV_TMP/second.html"

chromium_run --screenshot="$MV_TMP/status.png" --window-size=1000,1400 \
    "http://127.0.0.1:$port/" >/dev/null
check "the screenshot is a 1000x1400 PNG of some substance" python3 -c '
import struct, sys
b = open(sys.argv[1], "rb").read()
ok = b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR"
w, h = struct.unpack(">II", b[16:24]) if ok else (0, 0)
print("# %d bytes, %dx%d" % (len(b), w, h))
sys.exit(0 if ok and (w, h) == (1000, 1400) and len(b) > 20000 else 1)' \
    "$MV_TMP/status.png"

# Everyone else keeps the text.
curl -s -D "$MV_TMP/h1" -o "$MV_TMP/b1" -H 'Accept:' "$url/"
check "curl with no Accept gets text/plain" \
    grep -qi '^Content-Type: text/plain' "$MV_TMP/h1"
check "... naming GOPROXY" grep -qF "GOPROXY=$url/" "$MV_TMP/b1"
curl -s -D "$MV_TMP/h2" -o /dev/null "$url/"
check "curl's */* gets text/plain" \
    grep -qi '^Content-Type: text/plain' "$MV_TMP/h2"
check "both answers of / vary by Accept" \
    sh -c "grep -qi '^Vary: Accept' '$MV_TMP/h1' &&
	grep -qi '^Vary: Accept' '$MV_TMP/h2'"
curl -s -D "$MV_TMP/h3" -o /dev/null -H 'Accept: text/html' "$url/"
check "the page forbids scripts and loads (Content-Security-Policy)" \
    grep -qi "^Content-Security-Policy: default-src 'none'" "$MV_TMP/h3"

done_testing
