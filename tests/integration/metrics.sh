#!/bin/sh
# metrics.sh: /metrics behind lighttpd, fetching from a test upstream.
# A known sequence (a `modvault fetch`, curl and the real go command on a
# stored version, a version fetched by the responder, a 404, a refused
# path) is then read back: `promtool check metrics` (Debian's prometheus
# package) passes on the scraped text; the counts match the requests this
# script made and what the fixtures hold; a real Prometheus server scrapes
# modvault through lighttpd and a PromQL query over its HTTP API returns
# the hit count.  Access: another client address gets 403, metrics = off
# 404.  Expected values come from this script's own counting, the
# fixtures and the upstream's log, never from modvault.
. "$MV_SRCDIR/tests/integration/lib.sh"
need lighttpd go curl python3 prometheus promtool
mv_tmpdir

H_M=$(fx_mod license)		# fetched by the CLI, then only hit
H_E=$(fx_escape "$H_M")
H_V=$(fx_ver license)
F_M=$(fx_mod nogomod)		# fetched by the responder
F_E=$(fx_escape "$F_M")
F_V=$(fx_ver nogomod)

start_fetching_lighttpd ||
    { fail "the upstream, the store and lighttpd start"; mv_done; }

# status PATH: the HTTP status of GET $url/PATH.
status() {
	curl -s --path-as-is -o /dev/null -w '%{http_code}' "$url/$1"
}

# --- the sequence -----------------------------------------------------------
hits=0
expect_status 0 "modvault fetch $H_M@$H_V" \
    "$MODVAULT" --config "$MV_TMP/modvault.conf" fetch "$H_M@$H_V"
for ext in info mod zip info; do
	[ "$(status "$H_E/@v/$H_V.$ext")" = 200 ] && hits=$((hits + 1))
done
check "curl: 4 answers from the store" [ "$hits" -eq 4 ]
# The go command, with a cache of its own: each GET it makes (go -x
# prints them) is answered from the store.
(
	export GOPATH="$MV_TMP/gopath" GOMODCACHE="$MV_TMP/gopath/pkg/mod" \
	    GOCACHE="$MV_TMP/gocache" GOPROXY="$url/" GOSUMDB=off GOFLAGS= \
	    GONOSUMDB= GOPRIVATE= GONOPROXY= GOWORK=off GO111MODULE=on \
	    GOTOOLCHAIN=local GOENV=off
	go mod download -x "$H_M@$H_V"
) >"$MV_TMP/go.out" 2>"$MV_TMP/go.err"
go_gets=$(grep -c "^# get $url/.*: 200 OK" "$MV_TMP/go.err")
check "go mod download made its requests through modvault ($go_gets)" \
    [ "$go_gets" -ge 2 ]
hits=$((hits + go_gets))
check "a version the store lacks is fetched (200)" \
    [ "$(status "$F_E/@v/$F_V.info")" = 200 ]
check "a module upstream lacks is 404" \
    [ "$(status "example.com/nosuch/@v/v1.0.0.info")" = 404 ]
check "a path with .. is refused (400)" \
    [ "$(status "$H_E/../x/@v/list")" = 400 ]

# --- the scrape -------------------------------------------------------------
curl -s -D "$MV_TMP/headers" -o "$MV_TMP/metrics" "$url/metrics"
check "/metrics: 200, Prometheus text 0.0.4" grep -qi \
    '^Content-Type: text/plain; version=0.0.4; charset=utf-8' "$MV_TMP/headers"
if promtool check metrics <"$MV_TMP/metrics" >"$MV_TMP/promtool.out" 2>&1 &&
    [ ! -s "$MV_TMP/promtool.out" ]; then
	ok "promtool check metrics: no error, no lint"
else
	fail "promtool check metrics: no error, no lint"
	sed 's/^/# /' "$MV_TMP/promtool.out"
fi

# has LINE: the scraped text has this exact line.
has() {
	grep -qxF "$1" "$MV_TMP/metrics" ||
	    { echo "# no line: $1"; grep "^${1%% *}" "$MV_TMP/metrics" |
	    sed 's/^/#   got: /'; return 1; }
}
# sizes M V: the bytes of the fixture version's .info, .mod and .zip.
sizes() {
	cat "$(fx_file "$1" "$2" info)" "$(fx_file "$1" "$2" mod)" \
	    "$(fx_file "$1" "$2" zip)" | wc -c | tr -d ' '
}
ups=$(grep -c . "$UP_LOG")
check "the $hits hits counted" has "modvault_cache_hits_total $hits"
check "misses: the responder's fetch and the 404 upstream answered" \
    has "modvault_cache_misses_total 2"
check "fetches: the CLI's and the responder's" has "modvault_fetches_total 2"
check "fetched bytes: the two versions' files" \
    has "modvault_fetched_bytes_total $(( $(sizes "$H_M" "$H_V") + $(sizes "$F_M" "$F_V") ))"
check "the refusal counted by its rule" \
    has 'modvault_refusals_total{rule="invalid"} 1'
zips=$((1 + $(grep -c "^# get $url/.*[.]zip: 200 OK" "$MV_TMP/go.err")))
check "zip requests by endpoint and class (curl's and go's: $zips)" \
    has "modvault_requests_total{endpoint=\"zip\",code=\"2xx\"} $zips"
check "the 404 and the 400 by class" \
    has 'modvault_requests_total{endpoint="info",code="4xx"} 1'
check "the upstream latency histogram counted each of the $ups upstream requests" \
    has "modvault_upstream_request_duration_seconds_count $ups"
check "the store: 2 versions" has "modvault_store_versions 2"
check "the store: their bytes" \
    has "modvault_store_bytes $(( $(sizes "$H_M" "$H_V") + $(sizes "$F_M" "$F_V") ))"
check "build info" has "modvault_build_info{version=\"$("$MODVAULT" --version | awk '{print $2}')\"} 1"

# --- access -----------------------------------------------------------------
# as_cgi CONFIG ADDR: the status modvault.fcgi answers /metrics with as a
# CGI program for a client at ADDR.
as_cgi() {
	MODVAULT_CONFIG=$1 REQUEST_METHOD=GET REQUEST_URI=/metrics \
	    REMOTE_ADDR=$2 "$MODVAULT_FCGI" 2>/dev/null |
	    sed -n 's/^Status: \([0-9]*\).*/\1/p'
}
check "another address than loopback: 403" \
    [ "$(as_cgi "$MV_TMP/modvault.conf" 192.0.2.7)" = 403 ]
check "loopback over IPv6: 200" [ "$(as_cgi "$MV_TMP/modvault.conf" ::1)" = 200 ]
sed 's/^log_level.*/metrics = 192.0.2.0\/28, 2001:db8::\/32/' \
    "$MV_TMP/modvault.conf" >"$MV_TMP/nets.conf"
check "metrics = CIDR list: an address inside it, 200" \
    [ "$(as_cgi "$MV_TMP/nets.conf" 192.0.2.7)" = 200 ]
check "metrics = CIDR list: loopback outside it, 403" \
    [ "$(as_cgi "$MV_TMP/nets.conf" 127.0.0.1)" = 403 ]
sed 's/^log_level.*/metrics = off/' "$MV_TMP/modvault.conf" >"$MV_TMP/off.conf"
check "metrics = off: 404" [ "$(as_cgi "$MV_TMP/off.conf" 127.0.0.1)" = 404 ]
sed 's/^log_level.*/metrics = 10.0.0.0\/40/' "$MV_TMP/modvault.conf" \
    >"$MV_TMP/bad.conf"
expect_status 2 "a bad CIDR is a configuration error naming the line" \
    "$MODVAULT" --config "$MV_TMP/bad.conf" ls
check "... with FILE:LINE: metrics:" \
    grep -q "bad.conf:3: metrics: \"10.0.0.0/40\" is not" "$MV_TMP/err"

# --- a real Prometheus --------------------------------------------------------
pport=$(free_port)
cat >"$MV_TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: modvault
    metrics_path: /metrics
    static_configs:
      - targets: ['${url#http://}']
EOF
prometheus --config.file="$MV_TMP/prometheus.yml" \
    --storage.tsdb.path="$MV_TMP/tsdb" \
    --web.listen-address="127.0.0.1:$pport" >"$MV_TMP/prometheus.log" 2>&1 &
PROM_PID=$!
mv_at_exit "kill $PROM_PID 2>/dev/null"
# query PROMQL: the first result's value, or nothing.
query() {
	curl -s -G --data-urlencode "query=$1" \
	    "http://127.0.0.1:$pport/api/v1/query" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null
}
# The counters do not move between scrapes now: the first scrape that
# has them answers.
got=
for i in $(seq 1 100); do
	got=$(query 'modvault_cache_hits_total{job="modvault"}')
	[ -n "$got" ] && break
	sleep 0.2
done
check "Prometheus scraped modvault: the hit count is $hits (got '$got')" \
    [ "$got" = "$hits" ]
check "PromQL: the target is up" [ "$(query 'up{job="modvault"}')" = 1 ]
check "PromQL: refusals by rule" \
    [ "$(query 'sum(modvault_refusals_total)')" = 1 ]
[ "$got" = "$hits" ] || sed 's/^/# /' "$MV_TMP/prometheus.log" | tail -20

done_testing
