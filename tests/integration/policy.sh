#!/bin/sh
# policy.sh: deny, allow and download_mode lines and the
# Disable-Module-Fetch header, through lighttpd with the real go command
# (GOPROXY=modvault,FALLBACK: a 403 must stop it, a 404 must fall
# through), download_mode async under plain CGI, and `modvault policy
# check`.  The fallback proxy and modvault's upstream are two test
# upstreams serving the fixtures, so every expected byte and hash is the
# fixtures' (go.sum), never modvault's.
. "$MV_SRCDIR/tests/integration/lib.sh"
need go lighttpd curl python3
mv_tmpdir

DENY_M=$(fx_mod license);	DENY_V=$(fx_ver license)
NONE_M=$(fx_mod vendor);	NONE_V=$(fx_ver vendor)
REDIR_M=$(fx_mod major-root);	REDIR_V=$(fx_ver major-root)
ASYNC_M=$(fx_mod gomod-variants); ASYNC_V=$(fx_ver gomod-variants)
CGI_M=$(fx_mod case);		CGI_V=$(fx_ver case)
SYNC_M=$(fx_mod basic);		SYNC_V=$(fx_ver basic)
ALLOW_M=$(fx_mod nogomod);	ALLOW_V=$(fx_ver nogomod)
esc() { fx_escape "$1"; }
mvc() { "$MODVAULT" --config "$MV_TMP/modvault.conf" "$@"; }
stored() { mvc ls | cut -f1 | grep -qxF "$1"; }
# code URL [CURL_ARGS...]: the HTTP status of a GET (body in $MV_TMP/body).
code() {
	u=$1
	shift
	curl -s -o "$MV_TMP/body" -w '%{http_code}' "$@" "$u"
}
# The go.sum line of M@V's zip: go computes it from what it downloaded.
want_sum() { awk -v m="$1" -v v="$2" '$1 == m && $2 == v { print $3 }' \
    "$MV_FIXTURES/go.sum"; }

# go_dl PROXY M@V: `go mod download -json` into a fresh module cache; its
# output in $MV_TMP/go.out and $MV_TMP/go.err.
go_dl() {
	chmod -R u+w "$MV_TMP/gocache" 2>/dev/null
	rm -rf "$MV_TMP/gocache"
	mkdir -p "$MV_TMP/gocache/scratch"
	(
		cd "$MV_TMP/gocache/scratch" &&
		env GOPATH="$MV_TMP/gocache/gopath" \
		    GOMODCACHE="$MV_TMP/gocache/mod" GOCACHE="$MV_TMP/gocache/build" \
		    GOPROXY="$1" GOSUMDB=off GONOSUMDB= GOPRIVATE= GONOPROXY= \
		    GOFLAGS= GOWORK=off GO111MODULE=on GOTOOLCHAIN=local \
		    GOENV=off GOVCS='*:off' go mod download -json "$2"
	) >"$MV_TMP/go.out" 2>"$MV_TMP/go.err"
}
# go_got M V: go's download of M@V has the fixture's hash.
go_got() {
	grep -qF "\"Sum\": \"$(want_sum "$1" "$2")\"" "$MV_TMP/go.out" ||
	    { sed 's/^/# go: /' "$MV_TMP/go.out" "$MV_TMP/go.err" | tail -8;
	    return 1; }
}
# asked LOG M: how many requests LOG (an upstream's) has for module M.
asked() { grep -c -- " /$(esc "$2")/@" "$1" || true; }

# The fallback proxy the go command tries after modvault, and a slow
# upstream for the CGI part (its zips take 3 s).
UP_NAME=fallback
start_upstream "$MV_FIXTURES/upstream" || { echo "Bail out! fallback"; exit 1; }
FB_URL=$UP_URL FB_LOG=$UP_LOG
UP_NAME=slow
start_upstream "$MV_FIXTURES/upstream" --fault .zip=delay=3 ||
    { echo "Bail out! slow upstream"; exit 1; }
SLOW_URL=$UP_URL SLOW_LOG=$UP_LOG
UP_NAME=
start_upstream "$MV_FIXTURES/upstream" || { echo "Bail out! upstream"; exit 1; }

cat <<EOF | write_config "$MV_TMP/modvault.conf" "$MV_TMP/data"
upstream = $UP_URL
log_level = info
# policy lines, first match wins
deny = example.com/leftpad,$DENY_M
download_mode = $NONE_M none
download_mode = $REDIR_M redirect
download_mode = $ASYNC_M,$CGI_M async
log = $MV_TMP/modvault.log
EOF
: > "$MV_TMP/modvault.log"
mvc init >/dev/null && start_lighttpd "$MV_TMP/modvault.conf" "$MV_TMP/data" ||
    { echo "Bail out! lighttpd"; exit 1; }
reason="forbidden: $DENY_M is denied by \"deny = example.com/leftpad,$DENY_M\" (modvault.conf:5)"

# --- deny ----------------------------------------------------------------
D=$url/$(esc "$DENY_M")
for ep in @v/list "@v/$DENY_V.info" "@v/$DENY_V.mod" "@v/$DENY_V.zip" @latest; do
	check "deny: $ep is 403 naming the line" sh -c \
	    "[ \"\$(curl -s -o '$MV_TMP/body' -w '%{http_code}' '$D/$ep')\" = 403 ] &&
	    grep -qxF '$reason' '$MV_TMP/body'"
done
check "deny: the /sumdb lookup is 403 too" \
    [ "$(code "$url/sumdb/sum.golang.org/lookup/$DENY_M@$DENY_V")" = 403 ]
go_dl "$url,$FB_URL" "$DENY_M@$DENY_V"
check "deny: go mod download through modvault,fallback fails" \
    [ $? -ne 0 ]
check "deny: go's error carries modvault's reason" sh -c \
    "$(command -v python3) -c 'import json, sys; print(json.load(sys.stdin)[\"Error\"])' <'$MV_TMP/go.out' |
    grep -qF 'server response: $reason'"
check "deny: the 403 did not fall through to the fallback proxy" \
    [ "$(asked "$FB_LOG" "$DENY_M")" = 0 ]
check "deny: modvault never asked its upstream" \
    [ "$(asked "$UP_LOG" "$DENY_M")" = 0 ]
check "deny: nothing stored" sh -c \
    "! '$MODVAULT' --config '$MV_TMP/modvault.conf' ls | grep -q '^$DENY_M@'"

# --- download_mode none -----------------------------------------------------
check "none: a version not stored is 404 saying so" sh -c \
    "[ \"\$(curl -s -o '$MV_TMP/body' -w '%{http_code}' '$url/$(esc "$NONE_M")/@v/$NONE_V.info')\" = 404 ] &&
    grep -q 'download_mode none' '$MV_TMP/body'"
go_dl "$url,$FB_URL" "$NONE_M@$NONE_V"
check "none: go falls through to the fallback and gets the fixture's zip" \
    go_got "$NONE_M" "$NONE_V"
check "none: the fallback was asked" [ "$(asked "$FB_LOG" "$NONE_M")" -gt 0 ]
check "none: modvault asked no upstream" [ "$(asked "$UP_LOG" "$NONE_M")" = 0 ]
check "none: nothing stored" sh -c \
    "! '$MODVAULT' --config '$MV_TMP/modvault.conf' ls | grep -q '^$NONE_M@'"

# --- download_mode redirect -------------------------------------------------
R=/$(esc "$REDIR_M")/@v/$REDIR_V.zip
check "redirect: 302 to the first upstream's URL for that file" sh -c \
    "[ \"\$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' '$url$R')\" = '302 $UP_URL$R' ]"
go_dl "$url" "$REDIR_M@$REDIR_V"
check "redirect: go follows it (modvault alone) and gets the fixture's zip" \
    go_got "$REDIR_M" "$REDIR_V"
check "redirect: the upstream served the zip to go" \
    grep -qF "GET $R 200" "$UP_LOG"
check "redirect: nothing stored" sh -c \
    "! '$MODVAULT' --config '$MV_TMP/modvault.conf' ls | grep -q '^$REDIR_M@'"
check "redirect: the access line says how=redirected, not a hit" \
    grep -q "GET $R 302 .*how=redirected" "$MV_TMP/modvault.log"

# --- download_mode async (FastCGI) ----------------------------------------
A=$url/$(esc "$ASYNC_M")/@v/$ASYNC_V
pids=
for i in 1 2 3; do code "$A.info" >"$MV_TMP/async.$i" & pids="$pids $!"; done
wait $pids
check "async: 404 now, three times" sh -c \
    "cat '$MV_TMP'/async.? | tr -d '\n' | grep -qx 404404404"
check "async: the version appears without another request" \
    wait_for 20 stored "$ASYNC_M@$ASYNC_V"
check "async: three background fetches, one upstream transfer" \
    [ "$(grep -c " /$(esc "$ASYNC_M")/@v/$ASYNC_V.zip" "$UP_LOG")" = 1 ]
check "async: modvault stats counts them" \
    wait_for 10 sh -c "'$MODVAULT' --config '$MV_TMP/modvault.conf' stats |
    grep -qx 'background fetches: 0 running, 3 done'"
check "async: now a hit" [ "$(code "$A.zip")" = 200 ]
check "async: the stored zip is the fixture's" \
    cmp -s "$MV_TMP/body" "$(fx_file "$ASYNC_M" "$ASYNC_V" zip)"

# --- Disable-Module-Fetch ----------------------------------------------------
S=$url/$(esc "$SYNC_M")/@v/$SYNC_V.info
check "Disable-Module-Fetch: true: 404 for what is not stored" sh -c \
    "[ \"\$(curl -s -o '$MV_TMP/body' -w '%{http_code}' -H 'Disable-Module-Fetch: true' '$S')\" = 404 ] &&
    grep -q 'Disable-Module-Fetch' '$MV_TMP/body'"
check "Disable-Module-Fetch: no upstream asked" \
    [ "$(asked "$UP_LOG" "$SYNC_M")" = 0 ]
check "sync (no header): fetched and served" [ "$(code "$S")" = 200 ]
check "Disable-Module-Fetch: true: served from the store" \
    [ "$(code "$S" -H 'Disable-Module-Fetch: true')" = 200 ]

# --- policy check ------------------------------------------------------------
check "policy check: a denied module, exit 1, with the reason" sh -c \
    "out=\$('$MODVAULT' --config '$MV_TMP/modvault.conf' policy check '$DENY_M@$DENY_V'); [ \$? = 1 ] &&
    [ \"\$out\" = '$DENY_M@$DENY_V: denied: $reason' ]"
check "policy check: the download_mode line that applies" sh -c \
    "'$MODVAULT' --config '$MV_TMP/modvault.conf' policy check '$CGI_M' |
    grep -qxF 'download_mode: async, by \"download_mode = $ASYNC_M,$CGI_M async\" (modvault.conf:8)'"
check "policy check: a module no line names" sh -c \
    "'$MODVAULT' --config '$MV_TMP/modvault.conf' policy check '$SYNC_M' |
    grep -qxF '$SYNC_M: allowed: no deny or allow line names it'"
stop_lighttpd

# --- download_mode async under plain CGI -----------------------------------
# The request must end while the fetch (3 s, the slow upstream) goes on:
# the shell's $(...) waits for every holder of the response pipe.
sed "s|^upstream = .*|upstream = $SLOW_URL|" "$MV_TMP/modvault.conf" \
    >"$MV_TMP/cgi.conf"
cgi_get() {
	env -i PATH="$PATH" MODVAULT_CONFIG="$MV_TMP/cgi.conf" \
	    REQUEST_METHOD=GET REQUEST_URI="$1" SCRIPT_NAME= \
	    GATEWAY_INTERFACE=CGI/1.1 "$MODVAULT_FCGI" </dev/null 2>>"$MV_TMP/cgi.err"
}
t0=$(date +%s)
out=$(cgi_get "/$(esc "$CGI_M")/@v/$CGI_V.zip")
t1=$(date +%s)
check "async CGI: 404 now" sh -c "printf '%s' '$out' | grep -q '^Status: 404'"
check "async CGI: the response ended before the fetch did" \
    [ $((t1 - t0)) -lt 3 ]
check "async CGI: the version appears without another request" \
    wait_for 20 stored "$CGI_M@$CGI_V"
check "async CGI: from the slow upstream, once" \
    [ "$(grep -c " /$(esc "$CGI_M")/@v/$CGI_V.zip" "$SLOW_LOG")" = 1 ]

# --- background_fetches caps them -------------------------------------------
# One slot: while a fetch from the slow upstream (3 s) holds it, a request
# for another version starts nothing, and says so; once it ends, one does.
CAP_A=$(awk '$3 == "chain" { print $1 }' "$MV_FIXTURES/modules.txt" | sed -n 1p)
CAP_B=$(awk '$3 == "chain" { print $1 }' "$MV_FIXTURES/modules.txt" | sed -n 2p)
{ sed "s|^log = .*|log = $MV_TMP/cap.log|" "$MV_TMP/cgi.conf"
  printf 'download_mode = %s,%s async\nbackground_fetches = 1\n' "$CAP_A" "$CAP_B"
} >"$MV_TMP/cap.conf"
: >"$MV_TMP/cap.log"
cap_get() {
	env -i PATH="$PATH" MODVAULT_CONFIG="$MV_TMP/cap.conf" \
	    REQUEST_METHOD=GET REQUEST_URI="$1" SCRIPT_NAME= \
	    GATEWAY_INTERFACE=CGI/1.1 REMOTE_ADDR=127.0.0.1 "$MODVAULT_FCGI" \
	    </dev/null 2>>"$MV_TMP/cgi.err"
}
running() {
	"$MODVAULT" --config "$MV_TMP/cap.conf" stats |
	    grep -q "^background fetches: $1 running"
}
cap_get "/$(esc "$CAP_A")/@v/v1.0.0.zip" >"$MV_TMP/cap1"
cap_get "/$(esc "$CAP_B")/@v/v1.0.0.zip" >"$MV_TMP/cap2"
cap_get /metrics >"$MV_TMP/cap.metrics"
check "background_fetches = 1: the first miss starts a fetch" \
    grep -q 'being fetched in the background' "$MV_TMP/cap1"
check "... a second, while it runs, is 404 and starts none, saying so" sh -c \
    "grep -q '^Status: 404' '$MV_TMP/cap2' &&
    grep -q 'no background fetch could start now' '$MV_TMP/cap2'"
check "... modvault stats: 1 running" running 1
check "... /metrics: modvault_background_fetches_running 1" \
    grep -qx 'modvault_background_fetches_running 1' "$MV_TMP/cap.metrics"
check "... the log says why it was not fetched" grep -q \
    "$CAP_B@v1.0.0: not fetched in the background: 1 background fetches are running" \
    "$MV_TMP/cap.log"
check "the first fetch completes" wait_for 20 stored "$CAP_A@v1.0.0"
check "... nothing asked the upstream for the second" \
    [ "$(grep -c " /$(esc "$CAP_B")/@" "$SLOW_LOG")" = 0 ]
check "... and its slot is free again: 0 running" wait_for 10 running 0
cap_get "/$(esc "$CAP_B")/@v/v1.0.0.zip" >"$MV_TMP/cap3"
check "... so a new request for the second starts it" \
    wait_for 20 stored "$CAP_B@v1.0.0"

# --- allow, and a stored version now denied ------------------------------
cat <<EOF | write_config "$MV_TMP/modvault.conf" "$MV_TMP/data"
upstream = $UP_URL
log_level = info
allow = $ALLOW_M
EOF
start_lighttpd "$MV_TMP/modvault.conf" "$MV_TMP/data" "$MV_TMP/run2" ||
    { echo "Bail out! lighttpd"; exit 1; }
go_dl "$url" "$ALLOW_M@$ALLOW_V"
check "allow: go gets an allowed module through modvault" \
    go_got "$ALLOW_M" "$ALLOW_V"
check "allow: and modvault stored it" stored "$ALLOW_M@$ALLOW_V"
fb_before=$(asked "$FB_LOG" "$SYNC_M")
go_dl "$url,$FB_URL" "$SYNC_M@$SYNC_V"
check "allow: go fails for a module no allow line names" [ $? -ne 0 ]
check "allow: go's error says no allow line names it" sh -c \
    "$(command -v python3) -c 'import json, sys; print(json.load(sys.stdin)[\"Error\"])' <'$MV_TMP/go.out' |
    grep -qF 'server response: forbidden: $SYNC_M is denied: no allow line names it'"
check "allow: the 403 did not fall through" \
    [ "$(asked "$FB_LOG" "$SYNC_M")" = "$fb_before" ]
check "stored, then denied: not served" \
    [ "$(code "$url/$(esc "$SYNC_M")/@v/$SYNC_V.info")" = 403 ]
check "stored, then denied: ls shows it denied" sh -c \
    "'$MODVAULT' --config '$MV_TMP/modvault.conf' ls | grep -q '^$SYNC_M@$SYNC_V	.*	denied\$'"
check "stored, then denied: an allowed one is not marked" sh -c \
    "'$MODVAULT' --config '$MV_TMP/modvault.conf' ls | grep '^$ALLOW_M@$ALLOW_V	' | grep -qv denied"
"$MODVAULT" --config "$MV_TMP/modvault.conf" import "$MV_FIXTURES/upstream" \
    >"$MV_TMP/import.out" 2>&1
check "allow: an import refuses what no allow line names, saying why" \
    grep -qF "refused $NONE_M@$NONE_V: forbidden: $NONE_M is denied: no allow line names it" \
    "$MV_TMP/import.out"
check "allow: and stores none of it" sh -c \
    "! '$MODVAULT' --config '$MV_TMP/modvault.conf' ls | grep -q '^$NONE_M@'"
check "a thousand allow lines still decide" sh -c \
    "{ cat '$MV_TMP/modvault.conf'; i=0; while [ \$i -lt 1000 ]; do echo \"allow = corp\$i.example/*\"; i=\$((i+1)); done; } >'$MV_TMP/big.conf' &&
    '$MODVAULT' --config '$MV_TMP/big.conf' policy check corp999.example/m |
    grep -qxF 'corp999.example/m: allowed by \"allow = corp999.example/*\" (big.conf:1004)'"

mv_done
