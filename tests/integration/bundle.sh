#!/bin/sh
# bundle.sh: air-gapped bundles (modvault export / import FILE).
#
# Node A fetches the fixtures from the test upstream, verified by the
# tests' checksum database (tests/sumdb-server), and exports them in two
# bundles: everything fetched first, then, with --since, what came later.
# Node B has upstream = off and its sumdb URL at a closed port: it imports
# both, and the real go command, given only the database's key and no
# route to anything but the loopback, verifies every module through B.
# A bundle with one flipped byte in one zip, one whose tree head is signed
# by another key and one from a forked log are each refused with the
# reason, and nothing of the refused versions is stored.
. "$MV_SRCDIR/tests/integration/lib.sh"
need go lighttpd curl python3 zstd sqlite3
[ -d "$MV_GOPATH/src/golang.org/x/mod/sumdb" ] ||
    skip "no golang.org/x/mod in MV_GOPATH=$MV_GOPATH (Debian: golang-golang-x-mod-dev)"
mv_tmpdir

FIRST_M=$(awk '{ print $1; exit }' "$MV_FIXTURES/go.sum")
NVER=$(awk '{ sub("/go.mod$", "", $2); print $1 " " $2 }' "$MV_FIXTURES/go.sum" |
    sort -u | wc -l | tr -d ' ')
NFIRST=$(awk -v m="$FIRST_M" '$1 == m { sub("/go.mod$", "", $2); print $2 }' \
    "$MV_FIXTURES/go.sum" | sort -u | wc -l | tr -d ' ')

# node NAME UPSTREAM SUMDB_URL: a fresh store $MV_TMP/NAME verifying with
# $DB_KEY at SUMDB_URL; its config is $MV_TMP/NAME.conf.
node() {
	printf 'upstream = %s\nsumdb = %s %s\nlog_level = info\n' "$2" \
	    "$DB_KEY" "$3" | write_config "$MV_TMP/$1.conf" "$MV_TMP/$1"
	"$MODVAULT" --config "$MV_TMP/$1.conf" init >/dev/null
}
mvc() { c=$1; shift; "$MODVAULT" --config "$MV_TMP/$c.conf" "$@"; }
nstored() { mvc "$1" ls | wc -l | tr -d ' '; }
head_of() {
	sqlite3 "$MV_TMP/$1/index.db" "SELECT hex(note) FROM sumdb_tree" 2>/dev/null
}

CLOSED=http://127.0.0.1:9

# --- node A: fetch, then export two bundles ---------------------------------
start_db good || { fail "the test checksum database builds and starts"; mv_done; }
GOOD_KEY=$DB_KEY
start_upstream "$MV_FIXTURES/upstream"
node a "$UP_URL" "$DB_URL"
awk -v m="$FIRST_M" '$1 == m { sub("/go.mod$", "", $2); print $1 "@" $2 }' \
    "$MV_FIXTURES/go.sum" | sort -u | xargs "$MODVAULT" --config "$MV_TMP/a.conf" \
    fetch > "$MV_TMP/fetch1.out" 2>&1
check "node A holds the $NFIRST versions of $FIRST_M" [ "$(nstored a)" = "$NFIRST" ]
mvc a export -o "$MV_TMP/b1.tar.zst" > "$MV_TMP/export1.out" 2>&1
check "export writes the first bundle" \
    grep -qx "$NFIRST versions exported to $MV_TMP/b1.tar.zst" "$MV_TMP/export1.out"
check "the bundle is a zstd tar whose first member is the manifest" \
    sh -c "zstd -dc '$MV_TMP/b1.tar.zst' | tar -t | head -1 | grep -qx MANIFEST"
check "the manifest names the database, the tree head, tiles and each version's four files" \
    sh -c "zstd -dc '$MV_TMP/b1.tar.zst' | tar -xO MANIFEST > '$MV_TMP/manifest' &&
	grep -qx 'sumdb sum.test' '$MV_TMP/manifest' &&
	grep -q ' sumdb/sum.test/latest\$' '$MV_TMP/manifest' &&
	grep -q ' sumdb/sum.test/tile/8/0/' '$MV_TMP/manifest' &&
	[ \$(grep -c '\\.lookup\$' '$MV_TMP/manifest') = $NFIRST ] &&
	[ \$(grep -c '\\.zip\$' '$MV_TMP/manifest') = $NFIRST ]"
check "every manifest digest is the SHA-256 of its member (sha256sum)" \
    sh -c "mkdir -p '$MV_TMP/x1' && zstd -dc '$MV_TMP/b1.tar.zst' | tar -x -C '$MV_TMP/x1' &&
	tail -n +3 '$MV_TMP/manifest' | awk '{ print \$1 \"  \" \$3 }' > '$MV_TMP/sums' &&
	cd '$MV_TMP/x1' && sha256sum --quiet -c '$MV_TMP/sums'"
sleep 1
SINCE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1
awk '{ sub("/go.mod$", "", $2); print $1 "@" $2 }' "$MV_FIXTURES/go.sum" | sort -u |
    xargs "$MODVAULT" --config "$MV_TMP/a.conf" fetch > "$MV_TMP/fetch2.out" 2>&1
check "node A holds all $NVER versions" [ "$(nstored a)" = "$NVER" ]
mvc a export -o "$MV_TMP/b2.tar.zst" --since "$SINCE" > "$MV_TMP/export2.out" 2>&1
check "export --since takes only the $((NVER - NFIRST)) versions fetched since" \
    grep -qx "$((NVER - NFIRST)) versions exported to $MV_TMP/b2.tar.zst" "$MV_TMP/export2.out"
# --go-sum: every version the fixture go.sum names; --go-mod: a go.mod
# requiring only the head of the fixture chain (a -> b -> c, as modgen
# wrote their go.mod files) brings the whole chain.
mvc a export -o "$MV_TMP/sum.tar.zst" --go-sum "$MV_FIXTURES/go.sum" \
    > "$MV_TMP/export3.out" 2>&1
check "export --go-sum takes the $NVER versions the go.sum names" \
    grep -qx "$NVER versions exported to $MV_TMP/sum.tar.zst" "$MV_TMP/export3.out"
mkdir -p "$MV_TMP/chain"
CHAIN=$(awk '$3 == "chain" { print $1 "@" $2 }' "$MV_FIXTURES/modules.txt" | sort)
printf 'module example.com/x\n\ngo 1.19\n\nrequire %s %s\n' \
    "$(echo "$CHAIN" | head -1 | cut -d@ -f1)" "$(echo "$CHAIN" | head -1 | cut -d@ -f2)" \
    > "$MV_TMP/chain/go.mod"
mvc a export -o "$MV_TMP/chain.tar.zst" --go-mod "$MV_TMP/chain/go.mod" \
    > "$MV_TMP/export4.out" 2>&1
check "export --go-mod follows the requirements transitively ($(echo $CHAIN))" \
    sh -c "[ \"\$(sed -n 's/^exported //p' '$MV_TMP/export4.out' | sort)\" = '$CHAIN' ]"
# An export that fails half way (a blob gone from a copy of A's store)
# leaves the file it would replace as it was, and no temporary beside it.
cp -a "$MV_TMP/a" "$MV_TMP/a2"
sed "s|$MV_TMP/a\$|$MV_TMP/a2|" "$MV_TMP/a.conf" > "$MV_TMP/a2.conf"
rm -f "$(blob_path "$MV_TMP/a2" "$(find "$MV_FIXTURES/upstream" -name '*.zip' | sort | tail -1)")"
cp "$MV_TMP/b1.tar.zst" "$MV_TMP/keep.tar.zst"
expect_status 1 "an export missing a blob fails" \
    "$MODVAULT" --config "$MV_TMP/a2.conf" export -o "$MV_TMP/keep.tar.zst"
check "... and the bundle it would have replaced is intact" \
    cmp -s "$MV_TMP/b1.tar.zst" "$MV_TMP/keep.tar.zst"
check "... with no temporary file left beside it" \
    sh -c "[ -z \"\$(ls '$MV_TMP' | grep 'keep.tar.zst.tmp')\" ]"
# --- import DIR consults the database when it can reach it -------------------
node d off "$DB_URL"
before=$(grep -c 'GET /lookup/' "$DB_LOG")
mvc d import "$MV_FIXTURES/upstream" > "$MV_TMP/importd.out" 2>&1
check "import DIR with the database reachable stores the $NVER versions" \
    grep -qx "$NVER versions: $NVER stored, 0 already present, 0 refused" "$MV_TMP/importd.out"
check "... having looked each up in the database" \
    [ "$(grep -c 'GET /lookup/' "$DB_LOG")" -ge $((before + NVER)) ]
check "... and kept the records (verify --sumdb re-checks them offline)" \
    sh -c "'$MODVAULT' --config '$MV_TMP/d.conf' verify --sumdb 2>&1 |
	grep -qx 'verified $NVER versions: 0 problems'"
cp -r "$MV_FIXTURES/upstream" "$MV_TMP/tree"
chmod -R u+w "$MV_TMP/tree"
python3 "$MV_SRCDIR/tests/integration/mkmodule.py" "$MV_TMP/tree" \
    modvault.test/basic v1.0.0 100 >/dev/null
node e off "$DB_URL"
expect_status 1 "import DIR of a tree with another basic@v1.0.0 exits 1" \
    "$MODVAULT" --config "$MV_TMP/e.conf" import "$MV_TMP/tree"
check "... refusing it with the database's hashes (SD-10.1), storing the rest" \
    sh -c "grep -q '^refused modvault.test/basic@v1.0.0: SD-10.1: checksum mismatch' '$MV_TMP/out' &&
	grep -qx '$NVER versions: $((NVER - 1)) stored, 0 already present, 1 refused' '$MV_TMP/out'"
node u off "$CLOSED"
expect_status 0 "import DIR with the database unreachable stores what passes the zip checks" \
    "$MODVAULT" --config "$MV_TMP/u.conf" import "$MV_FIXTURES/upstream"
check "... and says it could not verify against the database" \
    grep -q "not verified against the checksum database: checksum database sum.test" "$MV_TMP/err"
stop_upstream
stop_db

# --- node B: offline, imports, serves the go command -------------------------
node b off "$CLOSED"
mvc b import "$MV_TMP/b1.tar.zst" > "$MV_TMP/import1.out" 2>&1
check "import of the first bundle stores its $NFIRST versions" \
    grep -qx "$NFIRST versions: $NFIRST stored, 0 already present, 0 refused" "$MV_TMP/import1.out"
mvc b import "$MV_TMP/b2.tar.zst" > "$MV_TMP/import2.out" 2>&1
check "the --since bundle applies on top: $((NVER - NFIRST)) more" \
    grep -qx "$((NVER - NFIRST)) versions: $((NVER - NFIRST)) stored, 0 already present, 0 refused" \
    "$MV_TMP/import2.out"
check "node B holds every version" [ "$(nstored b)" = "$NVER" ]
check "node B's versions re-check offline against the records kept" \
    sh -c "'$MODVAULT' --config '$MV_TMP/b.conf' verify --sumdb > '$MV_TMP/verifyb.out' 2>&1 &&
	grep -qx 'verified $NVER versions: 0 problems' '$MV_TMP/verifyb.out'"
start_lighttpd "$MV_TMP/b.conf" "$MV_TMP/b" || { fail "lighttpd starts"; mv_done; }

# go_offline: go mod download of the fixture client through node B with
# GOSUMDB=<key> only and every host but the loopback unreachable.
go_offline() {
	src=$MV_TMP/client
	rm -rf "$src"
	mkdir -p "$src"
	cp "$MV_FIXTURES/client/go.mod" "$MV_FIXTURES/client/main.go" "$src/"
	(cd "$src" && env GOPATH="$src/gopath" GOMODCACHE="$src/gopath/pkg/mod" \
	    GOCACHE="$MV_TMP/gocache" GOPROXY="$url/" GOSUMDB="$GOOD_KEY" \
	    GONOSUMDB= GONOSUMCHECK= GOPRIVATE= GONOPROXY= GOFLAGS=-mod=mod \
	    GOWORK=off GO111MODULE=on GOTOOLCHAIN=local GOENV=off GOVCS='*:off' \
	    HTTPS_PROXY=$CLOSED HTTP_PROXY=$CLOSED \
	    go mod download -x all) > "$MV_TMP/go.out" 2>&1 || return 1
	cp "$src/go.sum" "$MV_TMP/go.sum"
	chmod -R u+w "$src"
	[ -s "$MV_TMP/go.sum" ] && ! grep -vxFf "$MV_FIXTURES/go.sum" "$MV_TMP/go.sum"
}
check "GOSUMDB=<key>, no network: go verifies every module through node B" go_offline
check "... with lookups and tiles answered by node B" \
    sh -c "grep -q '/sumdb/sum.test/lookup/' '$MV_TMP/go.out' &&
	grep -q '/sumdb/sum.test/tile/' '$MV_TMP/go.out'"
stop_lighttpd

# --- refused bundles ------------------------------------------------------
# One flipped byte in the middle of one zip of the second bundle (repacked
# with python's tarfile); FIX=1 also puts the flipped zip's SHA-256 in the
# manifest, so the zip's own checks, as on a fetch, must catch it.
ZIP=$(zstd -dc "$MV_TMP/b2.tar.zst" | tar -xO MANIFEST | grep '\.zip$' |
    awk '{ print $3 }' | sed -n 2p)
LOOKUP=${ZIP%.zip}.lookup
zstd -dc "$MV_TMP/b2.tar.zst" > "$MV_TMP/b2.tar"
# A lookup (MEMBER = $LOOKUP) has its record's first hash changed instead.
flip() {
	python3 - "$MV_TMP/b2.tar" "$MV_TMP/$1.tar" "${3:-$ZIP}" "$2" <<'PY'
import hashlib, io, sys, tarfile
src, dst, name, fix = sys.argv[1:5]
with tarfile.open(src) as a:
    members = [(m, a.extractfile(m).read()) for m in a.getmembers()]
files = dict((m.name, d) for m, d in members)
old = hashlib.sha256(files[name]).hexdigest()
flipped = bytearray(files[name])
if name.endswith(".lookup"):
    i = flipped.index(b"h1:") + 3
    flipped[i] = ord("A") if flipped[i] != ord("A") else ord("B")
else:
    flipped[len(flipped) // 2] ^= 0x01
files[name] = bytes(flipped)
if fix == "1":
    new = hashlib.sha256(files[name]).hexdigest()
    files["MANIFEST"] = files["MANIFEST"].replace(old.encode(), new.encode())
with tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as b:
    for m, _ in members:
        m.size = len(files[m.name])
        b.addfile(m, io.BytesIO(files[m.name]))
PY
	zstd -q -f "$MV_TMP/$1.tar" -o "$MV_TMP/$1.tar.zst"
}
# refused_one NAME REASON: node NAME (offline) imports $MV_TMP/NAME.tar.zst;
# exactly one version is refused, with REASON, and the others are stored.
refused_one() {
	node "$1" off "$CLOSED"
	expect_status 1 "$1: import exits 1" \
	    "$MODVAULT" --config "$MV_TMP/$1.conf" import "$MV_TMP/$1.tar.zst"
	cp "$MV_TMP/out" "$MV_TMP/$1.out"
	bad=$(grep '^refused ' "$MV_TMP/out" | sed 's/^refused \([^:]*\):.*/\1/')
	check "$1: one version is refused by name, with the reason ($bad)" \
	    sh -c "[ \$(grep -c '^refused ' '$MV_TMP/out') = 1 ] &&
		grep -q \"^refused $bad: .*$2\" '$MV_TMP/out'"
	check "$1: nothing of it is stored, the other $((NVER - NFIRST - 1)) are" \
	    sh -c "[ -n '$bad' ] && ! '$MODVAULT' --config '$MV_TMP/$1.conf' ls |
		grep -q '^$bad ' && [ \$('$MODVAULT' --config '$MV_TMP/$1.conf' ls |
		wc -l) = $((NVER - NFIRST - 1)) ]"
}
flip flip 0
refused_one flip "bundle member $ZIP: its SHA-256 is not the manifest's"
flip flipfix 1
refused_one flipfix "MZ-2.4: the data descriptor of"
flip lookfix 1 "$LOOKUP"
refused_one lookfix "SD-9.2: .*cannot authenticate record data"

# A tree head signed by another key (the database run with another seed).
start_db other -seed other-key
start_upstream "$MV_FIXTURES/upstream"
printf 'upstream = %s\nsumdb = %s %s\n' "$UP_URL" "$(cat "$MV_TMP/other.vkey")" \
    "$DB_URL" | write_config "$MV_TMP/o.conf" "$MV_TMP/o"
mvc o init >/dev/null
mvc o fetch "$FIRST_M@$(fx_latest "$FIRST_M")" >/dev/null 2>&1
mvc o export -o "$MV_TMP/other.tar.zst" >/dev/null 2>&1
stop_db
HEAD_B=$(head_of b)
DB_KEY=$GOOD_KEY
node c off "$CLOSED"
expect_status 1 "a bundle whose tree head is signed by another key is refused" \
    "$MODVAULT" --config "$MV_TMP/c.conf" import "$MV_TMP/other.tar.zst"
check "... with the reason (SD-4.2)" grep -q "^refused $FIRST_M@.*SD-4.2" "$MV_TMP/out"
check "... and nothing stored" [ "$(nstored c)" = 0 ]

# export_latest NAME BUNDLE: node NAME fetches $FIRST_M's latest through
# the running database and upstream, exports it to BUNDLE; stops the db.
export_latest() {
	node "$1" "$UP_URL" "$DB_URL"
	mvc "$1" fetch "$FIRST_M@$(fx_latest "$FIRST_M")" >/dev/null 2>&1
	mvc "$1" export -o "$2" >/dev/null 2>&1
	stop_db
}

# A forked log: same size, another last record.
start_db fork -fork
curl -s -o /dev/null "$DB_URL/latest"
export_latest f "$MV_TMP/fork.tar.zst"

# A shrunk log: fewer records than B's tree head and not its prefix (the
# same versions in another order, one left out; SD-9.2 step 4, N1 <= N0).
DROP=$(awk -v m="$FIRST_M" '$1 != m { print $1 " " $2; exit }' "$MV_FIXTURES/go.sum")
tac "$MV_FIXTURES/go.sum" |
    grep -v -e "^$DROP " -e "^$DROP/go.mod " > "$MV_TMP/shrunk.sum"
start_db shrunk -gosum "$MV_TMP/shrunk.sum"
export_latest s "$MV_TMP/shrunk.tar.zst"
stop_upstream
expect_status 1 "a bundle from a forked log is refused by node B" \
    "$MODVAULT" --config "$MV_TMP/b.conf" import "$MV_TMP/fork.tar.zst"
check "... with the reason (SD-9.2.4)" grep -q "^refused $FIRST_M@.*SD-9.2.4.*security error" "$MV_TMP/out"
check "... and node B's tree head is unchanged" [ "$(head_of b)" = "$HEAD_B" ]
expect_status 1 "a bundle from a shrunk log is refused by node B" \
    "$MODVAULT" --config "$MV_TMP/b.conf" import "$MV_TMP/shrunk.tar.zst"
check "... with the reason (SD-9.2.4), its tree smaller than B's" sh -c \
    "sed -n 's/.*SD-9.2.4: the bundle.s tree head (\\([0-9]*\\) records) against the one stored here (\\([0-9]*\\)).*security error.*/\\1 \\2/p' '$MV_TMP/out' |
    awk '{ exit !(\$1 < \$2) }'"
check "... and node B's tree head is still unchanged" [ "$(head_of b)" = "$HEAD_B" ]

# --- hostile archives: one clear line, nothing stored -------------------------
head -c 4096 /dev/urandom > "$MV_TMP/noise"
node h off "$CLOSED"
expect_status 1 "a file that is no archive is refused" \
    "$MODVAULT" --config "$MV_TMP/h.conf" import "$MV_TMP/noise"
check "... with one line naming it" \
    sh -c "[ \$(wc -l < '$MV_TMP/err') = 1 ] && grep -q '$MV_TMP/noise' '$MV_TMP/err'"
# hostile NAME MEMBER_NAME: a tar whose manifest lists one member of that
# name, with its right digest, followed by that member.
hostile() {
	python3 - "$MV_TMP/$1.tar" "$2" <<'PY'
import hashlib, io, sys, tarfile
dst, name = sys.argv[1:3]
data = b"module x\n"
man = ("modvault-bundle 1\n%s %d %s\n" % (hashlib.sha256(data).hexdigest(),
    len(data), name)).encode()
with tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as t:
    for n, d in (("MANIFEST", man), (name, data)):
        m = tarfile.TarInfo(n)
        m.size = len(d)
        t.addfile(m, io.BytesIO(d))
PY
}
hostile dotdot "mod/../../../../tmp/x/@v/v1.0.0.mod"
expect_status 1 "a manifest naming a path with .. is refused" \
    "$MODVAULT" --config "$MV_TMP/h.conf" import "$MV_TMP/dotdot.tar"
check "... as malformed, in one line" \
    sh -c "[ \$(wc -l < '$MV_TMP/err') = 1 ] && grep -q 'MANIFEST line 2 is malformed' '$MV_TMP/err'"
hostile other "etc/passwd"
expect_status 1 "a member that is neither a tile nor a module file is refused" \
    "$MODVAULT" --config "$MV_TMP/h.conf" import "$MV_TMP/other.tar"
check "... naming it" grep -q 'bundle member etc/passwd: not a module file' "$MV_TMP/err"
check "nothing of the hostile archives is stored" [ "$(nstored h)" = 0 ]

# --- a node with no database: stored on the zip checks, and told so ----------
printf 'upstream = off\n' | write_config "$MV_TMP/n.conf" "$MV_TMP/n"
mvc n init >/dev/null
expect_status 0 "a node with no sumdb imports the bundle" \
    "$MODVAULT" --config "$MV_TMP/n.conf" import "$MV_TMP/b2.tar.zst"
check "... saying its proofs were not checked" \
    grep -q "no sumdb configured: the bundle's proofs are not checked" "$MV_TMP/err"

mv_done
