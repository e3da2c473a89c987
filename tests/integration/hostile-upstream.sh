#!/bin/sh
# hostile-upstream.sh: fetch on miss from a hostile upstream GOPROXY.  For
# each rule of spec/module-zip.md (and the .info/.mod checks of GP-11.1),
# upstream.py serves a crafted version (craft-zips.py) breaking it; a
# request through modvault.fcgi (run as CGI) must be refused with 502 and
# a one-line body naming the rule, and leave the store exactly as it was.
# Broken transfers (short body, wrong Content-Length, slow loris, 500) are
# refused the same way (GP-6.6).  Then valid versions still come through,
# and the go command, through lighttpd, still verifies every fixture.
. "$MV_SRCDIR/tests/integration/lib.sh"
need python3 curl
mv_tmpdir
here=$MV_SRCDIR/tests/integration
up=$MV_TMP/up
cfg=$MV_TMP/modvault.conf
data=$MV_TMP/data

# The upstream tree: the fixtures plus the crafted versions.
mkdir -p "$up"
cp -R "$MV_FIXTURES/upstream/." "$up/"
python3 "$here/craft-zips.py" "$up" ||
    { echo "Bail out! craft-zips.py failed"; exit 1; }
h=/example.com/hostile
python3 "$here/upstream.py" "$up" "$MV_TMP/port" "$MV_TMP/up.log" \
    --fault "$h/short/@v/v1.0.0.zip=short" \
    --fault "$h/longlength/@v/v1.0.0.zip=long-length" \
    --fault "$h/slow/@v/v1.0.0.zip=slow" \
    --fault "$h/delay/@v/v1.0.0.zip=delay=20" \
    --fault "$h/status500/@v/v1.0.0.zip=500" 2>"$MV_TMP/up.err" &
uppid=$!
mv_at_exit "kill $uppid 2>/dev/null"
wait_file "$MV_TMP/port" || { echo "Bail out! upstream.py did not start"; exit 1; }
upurl=http://127.0.0.1:$(cat "$MV_TMP/port")

fixture_store "upstream = $upurl
connect_timeout = 2" ||
    { echo "Bail out! fixture import failed"; exit 1; }
# The same store under tighter limits: a small max_zip_bytes (MZ-2.1), and
# a short stall_timeout (under 1 KiB/s for 2 s cuts a slow loris) and a
# short upstream_timeout (an upstream that never answers).
{ cat "$cfg"; echo "max_zip_bytes = 32768"; } > "$MV_TMP/small.conf"
{ cat "$cfg"; echo "stall_timeout = 2"; } > "$MV_TMP/stall.conf"
{ cat "$cfg"; echo "upstream_timeout = 3"; } > "$MV_TMP/quick.conf"

# Two fixture versions leave the store, to be fetched again at the end:
# one by a request here, one by the go command (a dependency of another).
A_M=$(fx_mod license)
A_V=$(fx_ver license)
A_E=$(fx_escape "$A_M")
D_M=$(awk '$3 == "chain" { m = $1; v = $2 } END { print m }' "$MV_FIXTURES/modules.txt")
D_V=$(awk '$3 == "chain" { m = $1; v = $2 } END { print v }' "$MV_FIXTURES/modules.txt")
"$MODVAULT" --config "$cfg" rm "$A_M@$A_V" >/dev/null &&
"$MODVAULT" --config "$cfg" rm "$D_M@$D_V" >/dev/null ||
    { echo "Bail out! modvault rm failed"; exit 1; }
"$MODVAULT" --config "$cfg" ls > "$MV_TMP/ls.start"

# get CONFIG URI: one GET through modvault.fcgi as CGI; sets $st (the
# status), the body is in $MV_TMP/body.
get() {
	env -i PATH="$PATH" MODVAULT_CONFIG="$1" REQUEST_METHOD=GET \
	    REQUEST_URI="$2" SCRIPT_NAME= GATEWAY_INTERFACE=CGI/1.1 \
	    SERVER_PROTOCOL=HTTP/1.1 "$MODVAULT_FCGI" </dev/null \
	    >"$MV_TMP/resp" 2>"$MV_TMP/stderr"
	st=$(python3 -c '
import sys
raw = open(sys.argv[1], "rb").read()
head, _, body = raw.partition(b"\r\n\r\n")
open(sys.argv[2], "wb").write(body)
st = [l[8:11] for l in head.split(b"\r\n") if l.startswith(b"Status: ")]
print((st or [b"200"])[0].decode())' "$MV_TMP/resp" "$MV_TMP/body")
}

# snapshot: the index and blob count that unchanged compares with.
snapshot() {
	"$MODVAULT" --config "$cfg" ls > "$MV_TMP/ls.before"
	blobs_before=$(count_files "$data/blobs")
}

# The store is as at the snapshot: same index, no new blob, no temp file.
unchanged() {
	"$MODVAULT" --config "$cfg" ls > "$MV_TMP/ls.now" &&
	cmp -s "$MV_TMP/ls.before" "$MV_TMP/ls.now" ||
	    { echo "# index changed:"; diff "$MV_TMP/ls.before" "$MV_TMP/ls.now" | sed 's/^/#   /'; return 1; }
	[ "$(count_files "$data/blobs")" = "$blobs_before" ] ||
	    { echo "# blobs: $(count_files "$data/blobs"), was $blobs_before"; return 1; }
	[ -z "$(ls -A "$data/tmp")" ] ||
	    { echo "# left in tmp: $(ls -A "$data/tmp" | tr '\n' ' ')"; return 1; }
}

# refuse RULE CASE [CONFIG [SUFFIX]]: GET example.com/hostile/CASE at
# v1.0.0 (.zip unless SUFFIX) must be 502 with one line naming RULE (an
# ERE), and change nothing.
refuse() {
	rule=$1 c=$2 conf=${3:-$cfg} sfx=${4:-.zip}
	uri=$h/$c/@v/v1.0.0$sfx
	snapshot
	get "$conf" "$uri"
	body=$(head -c 300 "$MV_TMP/body" | head -n 1 | LC_ALL=C tr -c "[:print:]\n" .)
	if [ "$st" = 502 ]; then
		ok "$c ($rule): GET $uri is 502"
	else
		fail "$c ($rule): GET $uri is 502, got $st"
		echo "#   body: $body"
	fi
	if [ "$(wc -l < "$MV_TMP/body")" -le 1 ] &&
	    head -n 1 "$MV_TMP/body" | grep -Eq "$rule"; then
		ok "$c ($rule): the one-line body names the rule"
	else
		fail "$c ($rule): the one-line body names the rule"
		echo "#   status $st, body: $body"
	fi
	check "$c ($rule): store unchanged" unchanged
}

# MZ-1.3: the prefix, byte-exact, on every entry.
refuse 'MZ-1\.3' prefix
refuse 'MZ-1\.3' noslash
refuse 'MZ-1\.3' absolute
# MZ-3.1 / MZ-3.2: clean, relative, valid file paths.
refuse 'MZ-3\.1' dotdot
refuse 'MZ-3\.[12]' dotdotlead
refuse 'MZ-3\.2' slashabs
refuse 'MZ-3\.2' badchar
# MZ-3.3: case-fold collisions, duplicates, file and directory.
refuse 'MZ-3\.3' casefold
refuse 'MZ-3\.3' kelvin
refuse 'MZ-3\.3' dup
refuse 'MZ-3\.3' dup "" .info
refuse 'MZ-3\.3' dup "" .mod
refuse 'MZ-3\.3' filedir
# MZ-3.4: go.mod only at the root, lower-case.
refuse 'MZ-3\.4' nested
refuse 'MZ-3\.4' upper
# MZ-4.1: central directory authoritative, local headers must agree.
refuse 'MZ-4\.1' lcname
refuse 'MZ-4\.1|MZ-3\.2' lcname2
refuse 'MZ-4\.1' lcsize
refuse 'MZ-4\.1' lccrc
refuse 'MZ-4\.1' lcmethod
refuse 'MZ-4\.1' notzip
# MZ-4.2: stored and deflate only, no encryption.
refuse 'MZ-4\.2' bzip2
refuse 'MZ-4\.2' encrypted
# MZ-4.3: no symlinks or other non-regular entries.
refuse 'MZ-4\.3' symlink
refuse 'MZ-4\.3' fifo
refuse 'MZ-4\.3' chardev
# MZ-2: sizes.
refuse 'MZ-2\.4' bomb
refuse 'MZ-2\.4: the data descriptor' desccrc
refuse 'MZ-2\.4' bomb
refuse 'MZ-2\.4' crc
refuse 'MZ-2\.2' declared
refuse 'MZ-2\.3' license
refuse 'MZ-2' toomany
refuse 'MZ-2\.1' oversize "$MV_TMP/small.conf"
check "oversize (MZ-2.1): the reason names modvault's limit" \
    grep -q "body larger than 32768 bytes (modvault's limit)" "$MV_TMP/body"
# MZ-9: the .mod agrees with the zip.
refuse 'MZ-9\.2' modmismatch
refuse 'MZ-9\.1' synth
# GP-11.1: the .info and .mod describe the requested module@version.
refuse 'GP-11\.1' modpath
refuse 'GP-11\.1' infoversion
refuse 'GP-11\.1' infojunk
# GP-6.6: a broken transfer is a bad gateway, never stored.
refuse 'GP-6\.6' short
refuse 'GP-6\.6' longlength
refuse 'GP-6\.6' status500
refuse 'GP-6\.6' slow "$MV_TMP/stall.conf"
refuse 'GP-6\.6' delay "$MV_TMP/quick.conf"

# verify: modvault verify exits 0 (its report goes to $MV_TMP/verify).
verify() {
	"$MODVAULT" --config "$cfg" verify > "$MV_TMP/verify" 2>&1 ||
	    { sed 's/^/#   /' "$MV_TMP/verify" | grep -v ': ok$'; return 1; }
}
check "modvault verify after every refusal" verify
"$MODVAULT" --config "$cfg" ls > "$MV_TMP/ls.now"
check "the index after every refusal is the one before the first" \
    cmp -s "$MV_TMP/ls.start" "$MV_TMP/ls.now"

# The same setup still fetches valid versions: a crafted one (the form
# every case above breaks one rule of) and a fixture one.
get "$cfg" "$h/valid/@v/v1.0.0.zip"
check "valid crafted version: 200 with upstream's zip" \
    sh -c "[ '$st' = 200 ] && cmp -s '$MV_TMP/body' '$up$h/valid/@v/v1.0.0.zip'"
get "$cfg" "$h/valid/@v/v1.0.0.info"
check "valid crafted version: .info 200" [ "$st" = 200 ]
get "$cfg" "/$A_E/@v/$A_V.zip"
check "fixture $A_M@$A_V fetched again: 200, same bytes" \
    sh -c "[ '$st' = 200 ] && cmp -s '$MV_TMP/body' '$up/$A_E/@v/$A_V.zip'"
"$MODVAULT" --config "$cfg" ls > "$MV_TMP/ls.now"
check "the index gained exactly those two versions" sh -c "
	grep -v -e '^example.com/hostile/valid@v1.0.0	' \\
	    -e '^$A_M@$A_V	' '$MV_TMP/ls.now' |
	    cmp -s - '$MV_TMP/ls.start' &&
	[ \$(wc -l < '$MV_TMP/ls.now') -eq \$((\$(wc -l < '$MV_TMP/ls.start') + 2)) ]"

# The go command through lighttpd (FastCGI) on the same store; it fetches
# the end of the chain (D_M, a dependency of a dependency) from upstream
# on the way.
if command -v lighttpd >/dev/null 2>&1 && command -v go >/dev/null 2>&1; then
	start_lighttpd "$cfg" "$data" >"$MV_TMP/lighttpd.out" 2>&1
	check "go client verifies every fixture through lighttpd" \
	    run_go_client "$url/"
	check "$D_M@$D_V was fetched from upstream" \
	    grep -q "GET /$(fx_escape "$D_M")/@v/$D_V.zip 200" "$MV_TMP/up.log"
else
	MV_TEST_N=$((MV_TEST_N + 1))
	echo "ok $MV_TEST_N # SKIP go client through lighttpd (lighttpd or go not found)"
fi
check "modvault verify at the end" verify

done_testing
