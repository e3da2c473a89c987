#!/bin/sh
# s3-nodes.sh: storage = s3 on a real Ceph gateway, with several nodes
# (each its own data directory and lighttpd + modvault.fcgi) sharing one
# bucket, and the real go command as the client: what node A fetched node B
# serves with no upstream; module paths whose keys hold '!', '+' and '@';
# wrong credentials and a missing bucket named at start-up; concurrent
# misses on two nodes make one upstream transfer; a tampered blob in the
# bucket is refused; the gateway stopped (cached versions served, the rest
# 503, /healthz naming it) and stopped mid-upload (nothing partial);
# gc on A with versions only B fetched; zip_delivery = redirect; verify,
# ls, stats and rm seeing the bucket; import --from-store; the checksum
# database's record checked by another node with the database stopped.
. "$MV_SRCDIR/tests/integration/lib.sh"

S3TOOL=$MV_BUILDDIR/tests/s3tool
[ -x "$S3TOOL" ] || { echo "Bail out! no $S3TOOL (make tests/s3tool)"; exit 1; }
need lighttpd go curl cmp python3
mv_tmpdir
T=$MV_TMP

NV=$(fx_versions)
BIG_M=$(fx_mod big)
BIG_E=$(fx_escape "$BIG_M")
BIG_V=$(fx_ver big)
BIG_ZIP=$(fx_file "$BIG_M" "$BIG_V" zip)
C_M=$(fx_mod case)			# upper case: '!' in every key
C_E=$(fx_escape "$C_M")
C_V=$(fx_ver case)
I_M=$(fx_mod incompatible)		# '+incompatible' in the version
I_E=$(fx_escape "$I_M")
I_V=$(fx_ver incompatible)
B_M=$(fx_mod basic)
B_E=$(fx_escape "$B_M")
B_V=$(fx_ver basic)

start_ceph || { fail "a Ceph gateway starts"; mv_done; }
cp -r "$MV_FIXTURES/upstream" "$T/up"
start_upstream "$T/up" --fault "$BIG_V.zip=delay=2" ||
    { fail "upstream starts"; mv_done; }

# The secret key, in a file only its owner reads.
printf '%s\n' "$S3_SECRET_KEY" >"$T/s3.secret"
chmod 600 "$T/s3.secret"

# node NAME PREFIX UPSTREAM [EXTRA_LINES]: $T/NAME.conf, a node of the bucket
# under PREFIX with its own data directory $T/NAME.
node() {
	printf '%s\n' "storage = s3" "s3_endpoint = $S3_ENDPOINT" \
	    "s3_bucket = ${NODE_BUCKET:-$S3_BUCKET}" "s3_region = $S3_REGION" \
	    "s3_prefix = $2" "s3_access_key = $S3_ACCESS_KEY" \
	    "s3_secret_key_file = ${NODE_SECRET:-$T/s3.secret}" \
	    "upstream = $3" "log_level = info" "list_ttl = 1" \
	    "negative_ttl = 1" "upstream_timeout = 30" "${4:-}" |
	    write_config "$T/$1.conf" "$T/$1"
}
# on NAME ARG...: modvault with node NAME's configuration.
on() { n=$1; shift; "$MODVAULT" --config "$T/$n.conf" "$@"; }
# mvq NAME ARG...: the same, its output in $T/out and $T/err.
mvq() { n=$1; shift; "$MODVAULT" --config "$T/$n.conf" "$@" >"$T/out" 2>"$T/err"; }
err_has() { grep -qF -- "$1" "$T/err"; }
s3() { "$S3TOOL" "$@"; }
# in_bucket KEY / not_in_bucket KEY: whether the bucket has an object KEY.
in_bucket() { "$S3TOOL" head "$1" >/dev/null 2>&1; }
not_in_bucket() { ! in_bucket "$1"; }
# serve NAME: lighttpd + modvault for node NAME; sets NAME_url.  unserve
# NAME stops them.
serve() {
	start_lighttpd "$T/$1.conf" "$T/$1/cache" "$T/run-$1" || return 1
	eval "${1}_url=\$url ${1}_pid=\$LIGHTTPD_PID"
}
unserve() {
	eval "LIGHTTPD_PID=\$${1}_pid"
	stop_lighttpd
}
# status URL: the HTTP status of a GET of URL (redirects not followed).
status() { curl -s -o /dev/null -w '%{http_code}' "$1"; }
# requests: every request the test upstream has had.
requests() { wc -l <"$UP_LOG" | tr -d ' '; }

# --- start-up: credentials and bucket checked, named ---------------------
printf 'not-the-secret\n' >"$T/wrong.secret"
chmod 600 "$T/wrong.secret"
NODE_SECRET=$T/wrong.secret node wrong nodes/ off
expect_status 1 "init with a wrong secret key fails" mvq wrong init
check "... saying the object store refused the credentials" \
    err_has "refused modvault's credentials"
check "... never showing the secret" \
    sh -c "! grep -qF not-the-secret '$T/err' '$T/out'"
NODE_BUCKET=no-such-bucket node nobucket nodes/ off
expect_status 1 "init with a missing bucket fails" mvq nobucket init
check "... naming the bucket" err_has 'no bucket "no-such-bucket"'
printf '%s\n' "$S3_SECRET_KEY" >"$T/open.secret"
chmod 644 "$T/open.secret"
NODE_SECRET=$T/open.secret node open nodes/ off
expect_status 1 "a secret key file others can read is refused" mvq open init
check "... naming the file" err_has "$T/open.secret"

# --- node A fills from upstream; node B serves it all with none ----------
node a nodes/ "$UP_URL"
node b nodes/ off
expect_status 0 "init node A checks the bucket" mvq a init
expect_status 0 "init node B" mvq b init
serve a || { fail "node A starts"; mv_done; }
serve b || { fail "node B starts"; mv_done; }

check "go downloads every fixture through node A, verified against go.sum" \
    run_go_client "$a_url/"
s3 list nodes/manifests/ >"$T/manifests"
check "the bucket holds a manifest for each of the $NV versions" \
    [ "$(wc -l <"$T/manifests")" -eq "$NV" ]
check "... keys with '!' ($C_E/@v/$C_V)" \
    grep -qF "nodes/manifests/$C_E/@v/$C_V	" "$T/manifests"
check "... and '+' ($I_E/@v/$I_V)" \
    grep -qF "nodes/manifests/$I_E/@v/$I_V	" "$T/manifests"
before=$(requests)
check "go downloads every fixture through node B (upstream = off)" \
    run_go_client "$b_url/"
check "... and the upstream had no request meanwhile" \
    [ "$(requests)" -eq "$before" ]
curl -s "$b_url/$B_E/@v/list" | sort >"$T/list"
sort "$MV_FIXTURES/upstream/$B_E/@v/list" >"$T/list.want"
check "node B's @v/list names the versions" \
    cmp -s "$T/list" "$T/list.want"

# A node with an upstream but download_mode none, or a request with
# Disable-Module-Fetch: what another node stored is stored, so it is served.
node n nodes/ "$UP_URL" "download_mode = $C_M none"
mvq n init
serve n || { fail "node N starts"; mv_done; }
before=$(requests)
check "download_mode none: node N serves a zip only the bucket has" sh -c \
    "[ \"\$(curl -s -o '$T/n.zip' -w '%{http_code}' '$n_url/$C_E/@v/$C_V.zip')\" = 200 ] &&
    cmp -s '$T/n.zip' '$(fx_file "$C_M" "$C_V" zip)'"
check "Disable-Module-Fetch: true: node N serves an .info only the bucket has" \
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Disable-Module-Fetch: true' \
    "$n_url/$I_E/@v/$I_V.info")" = 200 ]
check "... a version nobody stored is still 404, from the store only" sh -c \
    "[ \"\$(curl -s -o '$T/n.body' -w '%{http_code}' '$n_url/$C_E/@v/v9.9.9.info')\" = 404 ] &&
    grep -q 'download_mode none' '$T/n.body'"
check "... and the upstream had no request meanwhile" \
    [ "$(requests)" -eq "$before" ]
unserve n

# --- the bucket seen by a node that fetched nothing ------------------------
node c nodes/ off
mvq c init
mvq c ls
check "ls on a fresh node lists the $NV versions of the bucket" \
    [ "$(wc -l <"$T/out")" -eq "$NV" ]
check "... among them $C_M@$C_V" grep -qF "$C_M@$C_V	" "$T/out"
expect_status 0 "stats on a fresh node" mvq c stats
check "... counts the bucket's $NV versions" \
    grep -qE "^versions: +$NV\$" "$T/out"
expect_status 0 "verify on node A re-reads the bucket: clean" mvq a verify
check "... having read every version" grep -qF "$NV versions" "$T/out"

# --- concurrent misses on two nodes: one upstream transfer ----------------
# Under a prefix of their own, two nodes with the same upstream miss every
# version but basic's at the same moment (the big zip 2 s late upstream).
node r1 race/ "$UP_URL"
node r2 race/ "$UP_URL"
on r1 init >/dev/null && on r2 init >/dev/null
serve r1 && serve r2 || { fail "nodes R1 and R2 start"; mv_done; }
: >"$UP_LOG"
awk -v b="$B_M" '$1 != b' "$MV_FIXTURES/modules.txt" >"$T/race.txt"
pids=
i=0
while read -r m v kind; do
	i=$((i + 1))
	p=$(fx_escape "$m")/@v/$(fx_escape "$v").zip
	curl -s -o "$T/race$i.r1" "$r1_url/$p" & pids="$pids $!"
	curl -s -o "$T/race$i.r2" "$r2_url/$p" & pids="$pids $!"
done <"$T/race.txt"
wait $pids
bad=
i=0
while read -r m v kind; do
	i=$((i + 1))
	f=$(fx_file "$m" "$v" zip)
	cmp -s "$f" "$T/race$i.r1" && cmp -s "$f" "$T/race$i.r2" ||
	    bad="$bad $m@$v(bytes)"
	n=$(upstream_count "$(fx_escape "$m")/@v/$(fx_escape "$v").zip")
	[ "$n" -eq 1 ] || bad="$bad $m@$v($n)"
done <"$T/race.txt"
check "$(wc -l <"$T/race.txt") versions missed on both nodes at once: each zip right on both, fetched upstream once${bad:+ (not:$bad)}" \
    [ -z "$bad" ]
s3 list race/claims/ >"$T/claims"
check "... and no claim is left in the bucket" [ ! -s "$T/claims" ]

# --- gc on R1 with versions only R2 fetched ------------------------------
curl -s -o /dev/null "$r2_url/$B_E/@v/$B_V.zip"
B_ZIP_HEX=$(sha256sum <"$(fx_file "$B_M" "$B_V" zip)" | cut -c1-64)
B_ZIP_KEY=race/blobs/$(echo "$B_ZIP_HEX" | cut -c1-2)/$(echo "$B_ZIP_HEX" | cut -c3-4)/$B_ZIP_HEX
check "R2 fetched $B_M@$B_V: its zip is in the bucket" in_bucket "$B_ZIP_KEY"
head -c 1000 /dev/urandom >"$T/orphan"
O_HEX=$(sha256sum <"$T/orphan" | cut -c1-64)
O_KEY=race/blobs/$(echo "$O_HEX" | cut -c1-2)/$(echo "$O_HEX" | cut -c3-4)/$O_HEX
s3 put "$O_KEY" "$T/orphan" --sha256 >/dev/null
s3 list race/blobs/ | wc -l >"$T/nblobs"
expect_status 0 "gc on R1 (default grace)" mvq r1 gc
check "... keeps R2's $B_M@$B_V" in_bucket "$B_ZIP_KEY"
check "... and a blob no manifest names yet, inside the grace period" \
    in_bucket "$O_KEY"
expect_status 0 "gc on R1 with --grace 0" mvq r1 gc --grace 0
check "... removes that unreferenced blob" not_in_bucket "$O_KEY"
check "... and nothing else" \
    [ "$(s3 list race/blobs/ | wc -l)" -eq $(($(cat "$T/nblobs") - 1)) ]
check "... still keeping R2's $B_M@$B_V" in_bucket "$B_ZIP_KEY"
expect_status 0 "verify on R1 after gc: every manifest's blobs there" \
    mvq r1 verify

# --- a tampered blob in the bucket ----------------------------------------
node r3 race/ off
on r3 init >/dev/null
serve r3 || { fail "node R3 starts"; mv_done; }
CH_M=$(fx_mod chain)
CH_V=$(fx_ver chain)
CH_ZIP=$(fx_file "$CH_M" "$CH_V" zip)
CH_P=$(fx_escape "$CH_M")/@v/$CH_V.zip
CH_HEX=$(sha256sum <"$CH_ZIP" | cut -c1-64)
CH_KEY=race/blobs/$(echo "$CH_HEX" | cut -c1-2)/$(echo "$CH_HEX" | cut -c3-4)/$CH_HEX
head -c "$(wc -c <"$CH_ZIP")" /dev/urandom >"$T/tampered"
s3 put "$CH_KEY" "$T/tampered" >/dev/null
code=$(curl -s -o "$T/got" -w '%{http_code}' "$r3_url/$CH_P")
check "a zip whose blob in the bucket was replaced is refused ($code)" \
    [ "$code" -ge 500 ]
check "... its bytes never served" sh -c "! cmp -s '$T/tampered' '$T/got'"
check "... the reason given" grep -q "does not hash" "$T/got"
check "... the bad object taken out of the bucket" \
    not_in_bucket "$CH_KEY"
expect_status 0 "verify on R1, which has it cached, puts it back" mvq r1 verify
check "... saying so" grep -q "put back from this node's cache" "$T/out"
code=$(curl -s -o "$T/got" -w '%{http_code}' "$r3_url/$CH_P")
check "... then R3 serves the right bytes ($code)" cmp -s "$CH_ZIP" "$T/got"
expect_status 0 "... and verify on R1 is clean" mvq r1 verify
check "... with nothing to put back" sh -c "! grep -q 'put back' '$T/out'"
# A damaged blob no node has cached: its version leaves the bucket and is
# fetched again on the next miss.
s3 put "$B_ZIP_KEY" "$T/tampered" >/dev/null
expect_status 1 "verify on R1 reports a damaged blob it cannot mend" \
    mvq r1 verify
check "... naming its version" grep -qF "$B_M@$B_V" "$T/out"
check "... whose manifest leaves the bucket" \
    sh -c "! '$S3TOOL' list race/manifests/ | grep -qF '$B_E/@v/$B_V'"
before=$(upstream_count "$B_E/@v/$B_V.zip")
curl -s -o "$T/got" "$r1_url/$B_E/@v/$B_V.zip"
check "... then a miss fetches it from upstream again" \
    [ "$(upstream_count "$B_E/@v/$B_V.zip")" -eq $((before + 1)) ]
check "... and serves the right bytes" \
    cmp -s "$(fx_file "$B_M" "$B_V" zip)" "$T/got"
expect_status 0 "... verify on R1 clean again" mvq r1 verify

# --- @latest from the bucket ------------------------------------------------
# R3 (upstream off) has fetched neither module: @latest is computed over
# the bucket's versions (a module with no tag: its pseudo-version).
curl -s -o "$T/list" "$r3_url/$B_E/@v/list"
check "@v/list of $B_M on R3, which has none of it: the bucket's $B_V" \
    [ "$(cat "$T/list")" = "$B_V" ]
for kind in pseudo license; do
	m=$(fx_mod $kind)
	curl -s -o "$T/latest" "$r3_url/$(fx_escape "$m")/@latest"
	check "@latest of $m on a node that never fetched it: $(fx_latest "$m"), from the bucket" \
	    grep -qF "\"Version\":\"$(fx_latest "$m")\"" "$T/latest"
done

# --- zip_delivery = redirect ----------------------------------------------
node d nodes/ off "zip_delivery = redirect"
on d init >/dev/null
serve d || { fail "node D starts"; mv_done; }
curl -s -D "$T/hdr" -o /dev/null "$d_url/$BIG_E/@v/$BIG_V.zip"
check "redirect: a zip is a 302" grep -q '^HTTP/1.1 302' "$T/hdr"
check "... to a presigned URL of the gateway" \
    grep -qi "^Location: $S3_ENDPOINT/.*X-Amz-Signature=" "$T/hdr"
curl -s -L -o "$T/got" "$d_url/$BIG_E/@v/$BIG_V.zip"
check "... which gives the zip's bytes" cmp -s "$BIG_ZIP" "$T/got"
check "go downloads every fixture through node D, following redirects" \
    run_go_client "$d_url/"
unserve d

# --- the node cache, bounded --------------------------------------------------
# Node B holds every version in its cache; with cache_max_bytes = 1M and
# the files last served an hour ago, gc trims it, and B still serves all.
cache_bytes() { du -sb "$T/b/cache/blobs" | cut -f1; }
check "node B's cache holds more than 1 MiB ($(cache_bytes))" \
    [ "$(cache_bytes)" -gt 1048576 ]
echo "cache_max_bytes = 1M" >>"$T/b.conf"
find "$T/b/cache/blobs" -type f -exec touch -a -d '1 hour ago' {} +
expect_status 0 "gc on node B" mvq b gc
check "... trims its cache to cache_max_bytes ($(cache_bytes))" \
    [ "$(cache_bytes)" -le 1048576 ]
check "... saying how much" grep -q "bytes from this node's blob cache" "$T/out"
unserve b
serve b || { fail "node B starts again"; mv_done; }
check "... and B still serves every fixture to go, from the bucket" \
    run_go_client "$b_url/"

# --- the gateway stopped ---------------------------------------------------
stop_rgw
check "gateway stopped: node A still serves every fixture to go (cached)" \
    run_go_client "$a_url/"
python3 "$MV_SRCDIR/tests/integration/mkmodule.py" "$T/up" "$B_M" v1.3.0 \
    >/dev/null
code=$(curl -s -o "$T/got" -w '%{http_code}' "$a_url/healthz")
check "... /healthz is 503 ($code)" [ "$code" = 503 ]
check "... saying the object store is unreachable" \
    grep -q "object store.*unreachable" "$T/got"
code=$(curl -s -o "$T/got" -w '%{http_code}' "$a_url/$B_E/@v/v1.3.0.info")
check "... a version new upstream is 503 on A ($code): it cannot be stored" \
    [ "$code" = 503 ]
check "... a one-line reason naming the object store" \
    sh -c "[ \$(wc -l <'$T/got') -le 1 ] && grep -q 'object store' '$T/got'"
code=$(curl -s -o "$T/got" -w '%{http_code}' "$r3_url/$BIG_E/@v/$BIG_V.zip")
check "... a version node R3 has not cached is 503 there ($code)" \
    [ "$code" = 503 ]
check "... a one-line reason naming the object store" \
    sh -c "[ \$(wc -l <'$T/got') -le 1 ] && grep -q 'object store' '$T/got'"
start_rgw || { fail "the gateway starts again"; mv_done; }
code=$(curl -s -o "$T/got" -w '%{http_code}' "$a_url/$B_E/@v/v1.3.0.info")
check "gateway back: the new version is fetched and stored ($code)" \
    [ "$code" = 200 ]
check "... /healthz is 200 again" [ "$(status "$a_url/healthz")" = 200 ]

# --- the gateway stopped mid-upload -----------------------------------------
# Node M talks to the gateway through a relay that lets 1 MiB/s through, so
# the big zip's upload is under way when the gateway is killed.
rm -f "$T/relay.port"
python3 "$MV_SRCDIR/tests/integration/slowrelay.py" "${S3_ENDPOINT##*:}" \
    "$T/relay.port" 1048576 "$T/relay.count" 2>"$T/relay.err" &
RELAY_PID=$!
mv_at_exit "kill $RELAY_PID 2>/dev/null"
wait_file "$T/relay.port"
node m cut/ "$UP_URL"
sed -i "s|^s3_endpoint = .*|s3_endpoint = http://127.0.0.1:$(cat "$T/relay.port")|" \
    "$T/m.conf"
on m init >/dev/null
serve m || { fail "node M starts"; mv_done; }
curl -s -o "$T/cut.got" -w '%{http_code}' "$m_url/$BIG_E/@v/$BIG_V.zip" \
    >"$T/cut.code" &
cpid=$!
# uploaded: more than 1 MiB has gone towards the gateway.
uploaded() { [ "$(cat "$T/relay.count" 2>/dev/null || echo 0)" -gt 1048576 ]; }
check "the upload of the big zip is under way" wait_for 30 uploaded
stop_rgw KILL
wait $cpid
check "... killing the gateway fails the request ($(cat "$T/cut.code"))" \
    [ "$(cat "$T/cut.code")" -ge 500 ]
start_rgw || { fail "the gateway starts again"; mv_done; }
BIG_HEX=$(sha256sum <"$BIG_ZIP" | cut -c1-64)
check "... nothing of the big zip is in the bucket" \
    sh -c "! '$S3TOOL' list cut/blobs/ | grep -q $BIG_HEX"
check "... nor a manifest of its version" \
    sh -c "[ -z \"\$('$S3TOOL' list cut/manifests/)\" ]"
expect_status 0 "... and verify is clean" mvq m verify
kill $RELAY_PID
sed -i "s|^s3_endpoint = .*|s3_endpoint = $S3_ENDPOINT|" "$T/m.conf"
unserve m
serve m || { fail "node M starts again"; mv_done; }
curl -s -m 20 -o "$T/got" "$m_url/$BIG_E/@v/$BIG_V.zip"
check "... then the version is fetched and served whole" cmp -s "$BIG_ZIP" "$T/got"

# --- rm and import --from-store ----------------------------------------------
expect_status 0 "rm on node A" mvq a rm "$C_M@$C_V"
check "... removes the bucket's manifest" \
    sh -c "! '$S3TOOL' list nodes/manifests/ | grep -qF '$C_E/@v/$C_V'"
mvq c ls
check "... so a fresh node no longer sees it" sh -c "! grep -qF '$C_M@$C_V	' '$T/out'"
printf 'log_level = warn\n' | write_config "$T/dir.conf" "$T/dirdata"
"$MODVAULT" --config "$T/dir.conf" init >/dev/null &&
    "$MODVAULT" --config "$T/dir.conf" import "$MV_FIXTURES/upstream" >/dev/null
node e moved/ off
on e init >/dev/null
expect_status 0 "import --from-store moves a directory store into the bucket" \
    mvq e import --from-store "$T/dirdata"
node f moved/ off
on f init >/dev/null
mvq f ls
check "... a fresh node sees its $NV versions" [ "$(wc -l <"$T/out")" -eq "$NV" ]
serve f || { fail "node F starts"; mv_done; }
check "... and serves every fixture to go" run_go_client "$f_url/"
expect_status 0 "... verify clean" mvq f verify

# --- the checksum database's record, shared --------------------------------
# Node SA verifies what it fetches against a test checksum database; node
# SB (upstream off, the same database and key configured) then serves it
# with the database stopped: it checks the record and tiles SA left in the
# bucket under its own key.  A record altered in the bucket is refused.
GO111MODULE=off GOPATH="$MV_GOPATH" GOCACHE="$T/gocache" GOFLAGS='' \
    go build -o "$T/sumdb-server" "$MV_SRCDIR/tests/sumdb-server/main.go" ||
    { fail "the test checksum database builds"; mv_done; }
"$T/sumdb-server" -gosum "$MV_FIXTURES/go.sum" -seed modvault \
    -portfile "$T/db.port" -vkeyfile "$T/db.vkey" -log "$T/db.log" \
    2>"$T/db.err" &
DB_PID=$!
mv_at_exit "kill $DB_PID 2>/dev/null"
wait_file "$T/db.port"
DB="sumdb = $(cat "$T/db.vkey") http://127.0.0.1:$(cat "$T/db.port")"
node sa sum/ "$UP_URL" "$DB"
node sb sum/ off "$DB"
node sc sum/ off "$DB"
for n in sa sb sc; do on $n init >/dev/null; done
serve sa && serve sb && serve sc || { fail "nodes SA, SB, SC start"; mv_done; }
for p in "$B_E/@v/$B_V.zip" "$C_E/@v/$C_V.zip"; do
	curl -s -o /dev/null "$sa_url/$p"
done
check "node SA looked its versions up in the checksum database" \
    grep -q "lookup/" "$T/db.log"
s3 list sum/sumdb/ >"$T/sumdb.list"
check "... and shared the records and tiles in the bucket" \
    sh -c "grep -q '/record/' '$T/sumdb.list' && grep -q '/tile/' '$T/sumdb.list'"
kill $DB_PID
wait $DB_PID 2>/dev/null
code=$(curl -s -o "$T/got" -w '%{http_code}' "$sb_url/$B_E/@v/$B_V.zip")
check "database stopped: node SB serves $B_M@$B_V ($code), checked against SA's record" \
    cmp -s "$(fx_file "$B_M" "$B_V" zip)" "$T/got"
# The record of the other version, altered: its hash lines changed.
C_HEX=$(printf '%s@%s' "$C_M" "$C_V" | sha256sum | cut -c1-64)
C_REC=$(grep -o "sum/sumdb/[^	]*/record/$C_HEX" "$T/sumdb.list")
s3 get "$C_REC" | sed 's/h1:[A-Za-z0-9+\/]/h1:AAA/' >"$T/record"
s3 delete "$C_REC" >/dev/null && s3 put "$C_REC" "$T/record" >/dev/null
code=$(curl -s -o "$T/got" -w '%{http_code}' "$sc_url/$C_E/@v/$C_V.zip")
check "a record altered in the bucket is refused ($code), the database being down" \
    [ "$code" -ge 500 ]
check "... never serving the version" \
    sh -c "! cmp -s '$(fx_file "$C_M" "$C_V" zip)' '$T/got'"

mv_done
