#!/bin/sh
# reindex.sh: a store whose index.db is lost or emptied is refused by
# everything (requests, /healthz, the CLI, gc, init) and rebuilt from its
# blobs by `modvault reindex`: exactly from the manifests, partly from the
# zips alone; then the real go command downloads every version through
# lighttpd with no upstream at all, each checked against the fixtures'
# go.sum (the oracle).
. "$MV_SRCDIR/tests/integration/lib.sh"

mv_tmpdir
NV=$(fx_versions)
D=$MV_TMP/data
cfg=$MV_TMP/modvault.conf
printf 'data_dir = %s\n' "$D" > "$cfg"
MV="$MODVAULT --config $cfg"

cgi() {
	env -i PATH="$PATH" MODVAULT_CONFIG="$cfg" REQUEST_METHOD=GET \
	    REQUEST_URI="$1" SCRIPT_NAME= GATEWAY_INTERFACE=CGI/1.1 \
	    "$MODVAULT_FCGI" </dev/null >"$MV_TMP/resp" 2>>"$MV_TMP/cgi.err"
	st=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' "$MV_TMP/resp" | head -1)
}

$MV init >/dev/null && $MV import "$MV_FIXTURES/upstream" >/dev/null ||
    { echo "Bail out! no store"; exit 1; }
$MV ls > "$MV_TMP/ls.before"
NBLOBS=$(count_files "$D/blobs")
B_M=$(fx_mod basic)
B_V=$(fx_ver basic)

# --- a lost index is refused everywhere, and nothing is deleted ----------
: > "$D/index.db"
cgi /healthz
check "/healthz of a store whose index.db is empty is 503 (got $st)" test "$st" = 503
cgi "/$B_M/@v/$B_V.info"
check "a request to it is 503 (got $st), not 404" test "$st" = 503
expect_status 1 "ls refuses it" $MV ls
check "... naming reindex" grep -q "index.db is empty: 'modvault reindex' rebuilds" "$MV_TMP/err"
expect_status 1 "gc refuses it" $MV gc
expect_status 1 "verify refuses it" $MV verify
expect_status 1 "init refuses to make an empty index beside the blobs" $MV init
check "... saying why and what to run" grep -q "has blobs but its index.db is empty: 'modvault reindex'" "$MV_TMP/err"
check "no blob was deleted ($NBLOBS)" test "$(count_files "$D/blobs")" -eq "$NBLOBS"
check "index.db is still empty" test ! -s "$D/index.db"
rm -f "$D/index.db"
expect_status 1 "a missing index.db is refused the same way" $MV ls
check "... naming reindex" grep -q "index.db is missing: 'modvault reindex'" "$MV_TMP/err"

# --- reindex: every version back, exactly, from the manifests -------------
expect_status 0 "reindex rebuilds the index" $MV reindex
check "... restoring all $NV versions" \
    grep -qx "$NBLOBS blobs read: $NV versions restored, 0 already present, 0 not recovered" "$MV_TMP/out"
check "... one line each" test "$(grep -c '^restored ' "$MV_TMP/out")" -eq "$NV"
$MV ls > "$MV_TMP/ls.after"
check "ls shows what it showed before (versions, sizes, times)" \
    cmp -s "$MV_TMP/ls.before" "$MV_TMP/ls.after"
expect_status 0 "verify finds every version whole" $MV verify
check "... $NV of them" grep -qx "verified $NV versions: 0 problems" "$MV_TMP/out"
check "no blob was added or lost" test "$(count_files "$D/blobs")" -eq "$NBLOBS"
expect_status 0 "reindex again changes nothing" $MV reindex
check "... all already present" \
    grep -qx "$NBLOBS blobs read: 0 versions restored, $NV already present, 0 not recovered" "$MV_TMP/out"

# A damaged manifest costs nothing but itself: verify writes it again.
MF=$(manifest_of "$D" "$B_M" "$B_V")
chmod u+w "$MF"
echo junk >> "$MF"
expect_status 1 "verify reports a damaged manifest" $MV verify
check "... naming the version" grep -q "^$B_M@$B_V: manifest blob: " "$MV_TMP/out"
check "... and writes it again, keeping the version" \
    grep -q "^$B_M@$B_V: store: manifest written again" "$MV_TMP/out"
expect_status 0 "then verify passes" $MV verify
check "... with every version still there" cmp -s "$MV_TMP/ls.before" "$(
    $MV ls > "$MV_TMP/ls.now"; echo "$MV_TMP/ls.now")"

# The real go command, through lighttpd, with no upstream configured.
start_lighttpd "$cfg" "$D" || fail "lighttpd came up"
check "the go command downloads every version of the rebuilt store (go.sum checked)" \
    run_go_client "$url"
stop_lighttpd

# --- an index that lost some rows gets them back --------------------------
# (the responder's processes may still be recording their last serves)
sqlite3 -cmd '.timeout 10000' "$D/index.db" "DELETE FROM version WHERE module = '$B_M'"
NB_V=$(awk -v m="$B_M" '$1 == m' "$MV_FIXTURES/modules.txt" | wc -l)
expect_status 0 "reindex fills the gaps of an index" $MV reindex
check "... restoring the $NB_V lost versions" \
    grep -qx "$NBLOBS blobs read: $NB_V versions restored, $((NV - NB_V)) already present, 0 not recovered" "$MV_TMP/out"

# --- a damaged zip is reported, never indexed ------------------------------
N_M=$(fx_mod nested-parent)
N_V=$(fx_ver nested-parent)
ZB=$(blob_path "$D" "$(fx_file "$N_M" "$N_V" zip)")
rm -f "$D/index.db"*
chmod u+w "$ZB"
printf 'X' | dd of="$ZB" bs=1 seek=40 conv=notrunc 2>/dev/null
expect_status 1 "reindex with a damaged zip exits 1" $MV reindex
check "... saying that version was not recovered, and why" \
    grep -q "^not recovered $N_M@$N_V: " "$MV_TMP/out"
check "... the others restored" \
    grep -q "$((NV - 1)) versions restored, 0 already present, 1 not recovered" "$MV_TMP/out"
check "... and the damaged version is not in the index" \
    sh -c "! $MV ls | grep -q '^$N_M@$N_V	'"
cp "$(fx_file "$N_M" "$N_V" zip)" "$ZB"

# --- a store without manifests: what the zips alone can say ----------------
# The zips name their module@version and hold the go.mod; a .info is known
# only when one stored .info names that version.  The fixtures say which:
# a version string whose .info files (by content) are all the same.
rm -f "$D/index.db"*
manifests "$D" | while read -r s f; do rm -f "$f"; done
awk '{ print $2 }' "$MV_FIXTURES/modules.txt" | sort -u | while read -r v; do
	n=$(awk -v v="$v" '$2 == v { print $1 }' "$MV_FIXTURES/modules.txt" |
	    while read -r m; do sha256 "$(fx_file "$m" "$v" info)"; done |
	    sort -u | wc -l)
	[ "$n" -eq 1 ] && awk -v v="$v" '$2 == v { print $1 "@" v }' \
	    "$MV_FIXTURES/modules.txt"
done | sort > "$MV_TMP/knowable"
NK=$(wc -l < "$MV_TMP/knowable")
check "the fixtures have versions a zip can and cannot identify ($NK of $NV)" \
    test "$NK" -gt 0 -a "$NK" -lt "$NV"
expect_status 1 "reindex of a store without manifests exits 1" $MV reindex
check "... restoring exactly the $NK versions whose .info is known" \
    sh -c "sed -n 's/^restored //p' '$MV_TMP/out' | sort | cmp -s - '$MV_TMP/knowable'"
check "... and saying why each other one is not" \
    test "$(grep -c '^not recovered .*which is this module.s cannot be told' "$MV_TMP/out")" -eq $((NV - NK))
expect_status 0 "what it restored verifies" $MV verify
check "... with a manifest written for each" \
    test "$(manifests "$D" | wc -l)" -eq "$NK"

# --- init --empty: starting over on purpose --------------------------------
rm -f "$D/index.db"*
expect_status 0 "init --empty makes an empty index beside the blobs" $MV init --empty
check "... which lists nothing" test -z "$($MV ls)"
expect_status 0 "gc then removes the blobs nothing names" $MV gc
check "... every one" test "$(count_files "$D/blobs")" -eq 0

done_testing
