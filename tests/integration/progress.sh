#!/bin/sh
# progress.sh: `modvault import`, `export`, `verify` and `fetch -r` on a real
# pseudo-terminal (tests/integration/ptyrun.py) keep one '\r'-rewritten
# progress line on stderr -- versions done/total, bytes, rate, elapsed --
# redrawn at most every 250 ms and ended by a newline; piped, they write
# no '\r' and one line per version, as before.
. "$MV_SRCDIR/tests/integration/lib.sh"

need python3
mv_tmpdir
NV=$(fx_versions)
# The bytes of every version's three files, from the fixtures' own tree.
BYTES=$(fx_sums | awk '{ n += $2 } END { print n }')
# As a person reads them: "5.0 MiB" (one decimal from KiB up).
HUMAN=$(awk -v n="$BYTES" 'BEGIN { u = "B"; split("KiB MiB GiB", us, " ");
    i = 0; while (n >= 1024 && i < 3) { n /= 1024; u = us[++i] }
    if (u == "B") printf "%d B", n; else printf "%.1f %s", n, u }')
CONF=$MV_TMP/modvault.conf
printf 'data_dir = %s\n' "$MV_TMP/data" >"$CONF"
MV="$MODVAULT --config $CONF"
$MV init >/dev/null || { echo "Bail out! init"; exit 1; }
ptyrun() { python3 "$MV_SRCDIR/tests/integration/ptyrun.py" "$@"; }

# The progress line as the terminal last showed it: after the last '\r'
# of the line the newline ends.
final_line() {
	tr -d '\n' <"$1" | awk -v RS='\r' 'NF { last = $0 } END { print last }'
}
# draws FILE: how many times the line was drawn.
draws() {
	tr -d '\n' <"$1" | awk -v RS='\r' -v w="$2" 'index($0, w ":") == 1 { n++ }
	    END { print n + 0 }'
}

# --- import: stderr a terminal, stdout a file -----------------------------
ms=$(ptyrun "$MV_TMP/tty" "$MV_TMP/out" -- $MV import "$MV_FIXTURES/upstream")
check "import on a terminal exits 0" test $? -eq 0
check "the progress line ends at $NV/$NV versions and $HUMAN" \
    grep -q "^import: $NV/$NV versions, $HUMAN, .*/s, 0:0[0-9] elapsed *\$" \
    <<EOF_
$(final_line "$MV_TMP/tty")
EOF_
check "the line is rewritten with CR and finished with a newline" \
    sh -c "tr -d -c '\r' <'$MV_TMP/tty' | wc -c | grep -qv '^ *0\$' &&
    tail -c 2 '$MV_TMP/tty' | od -c | grep -q '\\\\r  *\\\\n'"
n=$(draws "$MV_TMP/tty" import)
check "redrawn at most every 250 ms ($n draws of $NV versions in $ms ms)" \
    test "$n" -le $((ms / 250 + 4))
check "stdout (a file) still has one line per version" \
    test "$(grep -c '^stored ' "$MV_TMP/out")" -eq "$NV"
check "stdout has no CR" sh -c "! grep -q \"\$(printf '\r')\" '$MV_TMP/out'"

# --- export and import of a bundle: stderr a terminal ------------------------
ptyrun "$MV_TMP/tty" "$MV_TMP/out" -- $MV export -o "$MV_TMP/b.tar.zst" >/dev/null
check "export on a terminal exits 0" test $? -eq 0
check "export's progress line ends at $NV/$NV versions and $HUMAN" \
    grep -q "^export: $NV/$NV versions, $HUMAN, .*/s, 0:0[0-9] elapsed *\$" \
    <<EOF_
$(final_line "$MV_TMP/tty")
EOF_
printf 'data_dir = %s\n' "$MV_TMP/bundled" >"$MV_TMP/b.conf"
$MODVAULT --config "$MV_TMP/b.conf" init >/dev/null
ptyrun "$MV_TMP/tty" "$MV_TMP/out" -- $MODVAULT --config "$MV_TMP/b.conf" \
    import "$MV_TMP/b.tar.zst" >/dev/null
check "import of that bundle on a terminal exits 0" test $? -eq 0
check "its progress line ends at $NV/$NV versions and $HUMAN" \
    grep -q "^import: $NV/$NV versions, $HUMAN, .*/s, 0:0[0-9] elapsed *\$" \
    <<EOF_
$(final_line "$MV_TMP/tty")
EOF_

# --- verify: stdout and stderr the same terminal --------------------------
ptyrun --both "$MV_TMP/tty" "$MV_TMP/out" -- $MV verify >/dev/null
check "verify on a terminal exits 0" test $? -eq 0
check "verify's progress line counts $NV/$NV versions and $HUMAN" \
    grep -q "verify: $NV/$NV versions, $HUMAN, " "$MV_TMP/tty"
check "on a terminal the line stands for the good versions' lines" \
    sh -c "! grep -q ': ok' '$MV_TMP/tty'"
check "the summary is printed below it" \
    grep -q "^verified $NV versions: 0 problems" "$MV_TMP/tty"
# A damaged blob: its line is printed above the progress line.
MOD=$(fx_mod basic)
VER=$(fx_ver basic)
blob=$(blob_path "$MV_TMP/data" "$(fx_file "$MOD" "$VER" mod)")
chmod u+w "$blob" && printf 'x' >>"$blob"
ptyrun --both "$MV_TMP/tty" "$MV_TMP/out" -- $MV verify --dry-run >/dev/null
check "verify finds the damage (exit 1)" test $? -eq 1
# The line erased ("\r   \r") before it, so it starts a screen line.
check "the problem's line is shown on the terminal, on a line of its own" \
    sh -c "tr '\r' '\n' <'$MV_TMP/tty' | grep -q '^$MOD@$VER: '"
chmod u+w "$blob" && cp "$(fx_file "$MOD" "$VER" mod)" "$blob"

# --- piped: no progress at all --------------------------------------------
$MV verify >"$MV_TMP/out" 2>"$MV_TMP/err"
check "verify piped: nothing on stderr" test ! -s "$MV_TMP/err"
check "verify piped: one 'ok' line per version" \
    test "$(grep -c ': ok$' "$MV_TMP/out")" -eq "$NV"
check "verify piped: no CR" sh -c "! grep -q \"\$(printf '\r')\" '$MV_TMP/out'"

# --- fetch -r go.sum through a real upstream ------------------------------
start_upstream "$MV_FIXTURES/upstream" || { echo "Bail out! upstream"; exit 1; }
printf 'data_dir = %s\nupstream = %s\n' "$MV_TMP/data2" "$UP_URL" \
    >"$MV_TMP/fetch.conf"
MV2="$MODVAULT --config $MV_TMP/fetch.conf"
$MV2 init >/dev/null
# The versions the go.sum names: "M V h1:" and "M V/go.mod h1:" lines.
NS=$(awk '{ sub("/go.mod$", "", $2); print $1, $2 }' "$MV_FIXTURES/go.sum" |
    sort -u | wc -l | tr -d ' ')
ptyrun "$MV_TMP/tty" "$MV_TMP/out" -- $MV2 fetch -r "$MV_FIXTURES/go.sum" \
    >/dev/null
check "fetch -r go.sum on a terminal exits 0" test $? -eq 0
check "fetch's progress line ends at $NS/$NS versions" \
    grep -q "^fetch: $NS/$NS versions, " <<EOF_
$(final_line "$MV_TMP/tty")
EOF_
check "fetch's stdout (a file) has one 'stored' line per version" \
    test "$(grep -c '^stored ' "$MV_TMP/out")" -eq "$NS"
$MV2 fetch -r "$MV_FIXTURES/go.sum" >"$MV_TMP/out" 2>"$MV_TMP/err"
check "fetch piped: nothing on stderr, one line per version" \
    test ! -s "$MV_TMP/err" -a \
    "$(grep -c '^already present ' "$MV_TMP/out")" -eq "$NS"
mv_done
