#!/bin/sh
# vcs-direct.sh: modules straight from git (upstream = direct), held
# against the real go command.  The fixture repositories of vcs.md §16.1
# are served by git http-backend; the go command answers every query of
# §16.2 to §16.4 from the same repositories (vcs-oracle.sh, GOPROXY=direct)
# and modvault, behind lighttpd with no Go toolchain of its own, must give
# the same list, .info, .mod bytes and zip h1 for each, and 404 where go
# fails.  Then the go command builds a program through modvault.
. "$MV_SRCDIR/tests/integration/lib.sh"
need lighttpd go git curl python3 iconv
mv_tmpdir

git_fixtures

# Two more repositories beside §16.1's: nested modules with vendored files
# (MZ-6.3, MZ-6.4, .hg_archival.txt dropped) and one of 10,000 files.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
    GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.test GIT_COMMITTER_NAME=T \
    GIT_COMMITTER_EMAIL=t@example.test \
    GIT_AUTHOR_DATE='2024-01-01 00:00:00 +0000' \
    GIT_COMMITTER_DATE='2024-01-01 00:00:00 +0000'
python3 - "$MV_TMP/repos" <<'PY'
import os, sys
root = sys.argv[1]
def put(repo, name, text):
    path = os.path.join(root, repo, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "w").write(text)
put("nest", "go.mod", "module example.test/nest.git\n\ngo 1.16\n")
put("nest", "a.go", "package nest\n")
put("nest", "vendor/modules.txt", "# example.com/x v1.0.0\n")
put("nest", "vendor/example.com/x/x.go", "package x\n")
put("nest", "pkg/vendor/v.go", "package vendor\n")
put("nest", ".hg_archival.txt", "repo: x\n")
put("nest", "inner/go.mod", "module example.test/nest.git/inner\n")
put("nest", "inner/i.go", "package inner\n")
put("nest", "inner/deep/d.go", "package deep\n")
put("big10k", "go.mod", "module example.test/big10k.git\n")
for d in range(100):
    for f in range(100):
        put("big10k", "d%02d/f%02d.go" % (d, f), "package d%02d\n\n// %d\n" % (d, f))
PY
for r in nest big10k; do
	(cd "$MV_TMP/repos/$r" && git init -q -b master && git add -A &&
	    git commit -qm one && git tag v1.0.0 && git tag inner/v0.1.0) ||
	    { fail "repository $r made"; mv_done; }
done

# The queries: every download, list and error of vcs.md §16.2 to §16.4.
T=example.test
QUERIES="$T/r1.git $T/r2.git $T/r3.git $T/r4.git $T/r4.git/sub $T/r5.git
$T/r5.git/v2 $T/r6.git $T/r6.git/v2 $T/r7.git $T/r8.git $T/r10.git $T/r11.git
$T/r12.git $T/r13.git $T/r17.git
$T/r1.git@v1.0.0 $T/r1.git@latest $T/r1.git@b0409b0 $T/r1.git@master
$T/r1.git@release-2 $T/r1.git@17b0b1f6713f $T/r1.git@HEAD
$T/r1.git@v0.0.0-20240203100000-17b0b1f6713f $T/r2.git@latest $T/r3.git@latest
$T/r3.git@master $T/r4.git@v0.1.0 $T/r4.git/sub@v1.2.0 $T/r4.git/sub@master
$T/r5.git@v1.0.0 $T/r5.git/v2@v2.0.0 $T/r6.git@v1.0.0 $T/r6.git@master
$T/r6.git/v2@v2.0.0 $T/r6.git/v2@master $T/r7.git@v1.0.0 $T/r7.git@latest
$T/r7.git@master $T/r8.git@latest $T/r8.git@v2.0.0 $T/r9.git@v1.0.0
$T/r10.git@master $T/r10.git@latest $T/r10.git@side
$T/r10.git@708a2864827381be03ef762beaf92ee90cf197e0 $T/r11.git@master
$T/r11.git@e70dbc620c1489ce7e4cd565f99dd0fa8e4e868a $T/r12.git@master
$T/r12.git@v1.1.0+meta $T/r11.git@v1.3.0-rc.1 $T/r13.git@v1.0.0 $T/r13.git@v2.0.0 $T/r13.git@v3.0.0
$T/r13.git@v4.0.0+incompatible $T/r13.git@latest $T/r14.git@master
$T/r15.git@v1.0.0 $T/r16.git@v1.0.0 $T/r17.git@latest
$T/r5.git@v2.0.0 $T/r5.git/v2@v1.0.0 $T/r6.git@v2.0.0 $T/r13.git@v2.1.0
$T/r13.git@v4.0.0 $T/r7.git@v1.0.0+incompatible $T/r17.git@v1.2.3
$T/r1.git@v1.0.1-0.20240203100001-17b0b1f6713f
$T/r1.git@v1.0.1-0.20240203100000-17b0b1f6713
$T/r1.git@v1.0.0-20240203100000-17b0b1f6713f
$T/r1.git@v1.0.0-0.20240101000000-b0409b075214 $T/r1.git@v1.0.1
$T/r1.git@b0409b $T/r4.git/sub@v0.1.0 $T/r14.git@409473dbd388
$T/nest.git $T/nest.git/inner $T/nest.git@v1.0.0 $T/nest.git/inner@v0.1.0
$T/big10k.git@v1.0.0"
# Lists with -retracted: a proxy lists retracted versions (VC-6.4), the
# client hides them.
LISTS=$(for q in $QUERIES; do case $q in *@*) ;; *) echo "$q" ;; esac; done)
DOWNLOADS=$(for q in $QUERIES; do case $q in *@*) echo "$q" ;; esac; done)
# shellcheck disable=SC2086
{ sh "$MV_SRCDIR/tests/integration/vcs-oracle.sh" "$MV_TMP/repos" \
    "$MV_TMP/oracle" $DOWNLOADS &&
  sh "$MV_SRCDIR/tests/integration/vcs-oracle.sh" -retracted "$MV_TMP/repos" \
    "$MV_TMP/oracle-lists" $LISTS; } >"$MV_TMP/oracle.log" 2>&1 ||
    { sed 's/^/# /' "$MV_TMP/oracle.log"; fail "the go command answers"; mv_done; }

# modvault: straight from git for example.test (private: no checksum
# database, no proxy), its https:// URLs rewritten onto the git server.
cat <<EOF | write_config "$MV_TMP/modvault.conf" "$MV_TMP/data"
upstream = direct
private = example.test
vcs_rewrite = https://example.test/ $GIT_HTTP_URL/git/
log_level = info
EOF
"$MODVAULT" --config "$MV_TMP/modvault.conf" init >/dev/null
start_lighttpd "$MV_TMP/modvault.conf" "$MV_TMP/data" ||
    { fail "lighttpd starts"; mv_done; }

# Every oracle line against modvault's answer: python says PASS or FAIL
# (with "# why" lines), the shell counts.
cat "$MV_TMP/oracle-lists" >>"$MV_TMP/oracle"
python3 - "$MV_TMP/oracle" "$url" >"$MV_TMP/compare" <<'PY'
import base64, hashlib, io, json, re, sys, urllib.error, urllib.request
import zipfile

oracle, url = sys.argv[1], sys.argv[2]

def report(good, desc, why=""):
    print("%s %s" % ("PASS" if good else "FAIL", desc))
    if not good and why:
        for line in why.splitlines()[:6]:
            print("# " + line)

def esc(s):
    return "".join("!" + c.lower() if c.isupper() else c for c in s)

def get(path):
    try:
        with urllib.request.urlopen(url + "/" + path, timeout=300) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()

def h1(zbytes):
    z = zipfile.ZipFile(io.BytesIO(zbytes))
    lines = []
    for name in sorted(z.namelist()):
        lines.append("%s  %s\n" % (hashlib.sha256(z.read(name)).hexdigest(),
                                    name))
    return "h1:" + base64.b64encode(
        hashlib.sha256("".join(lines).encode()).digest()).decode()

def gomod_h1(b):
    return "h1:" + base64.b64encode(hashlib.sha256(
        ("%s  go.mod\n" % hashlib.sha256(b).hexdigest()).encode()
    ).digest()).decode()

for line in open(oracle, encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    q = f[0]
    if "@" not in q:
        want = f[1].split()
        st, body = get(esc(q) + "/@v/list")
        got = body.decode().split() if st == 200 else None
        report(st == 200 and sorted(got) == sorted(want),
               "list %s: %s" % (q, " ".join(want) or "(empty)"),
               "modvault: %s %s" % (st, body[:300]))
        continue
    m, query = q.split("@", 1)
    version, time, zsum, msum, error = f[1:6]
    if query == "latest":
        continue    # the client's choice from the list: see below
    st, body = get(esc(m) + "/@v/" + esc(query) + ".info")
    if error:
        report(st == 404, "%s fails as go does (404): %s" % (q, error[:120]),
               "modvault: %s %s" % (st, body[:300]))
        continue
    base = "%s.d/%s/@v/%s" % (oracle, esc(m), esc(version))
    ok = st == 200
    info = json.loads(body) if ok else {}
    report(ok and info.get("Version") == version and
           info.get("Time") == time,
           "%s: Version %s, Time %s" % (q, version, time),
           "modvault: %s %s" % (st, body[:300]))
    if not ok:
        continue
    # The go command's cached .info is what the last query that reached
    # the version wrote (a branch query adds its Ref); the form of the
    # version asked by its name has none (VC-8.4), and that is modvault's.
    stored = re.sub(rb',"Ref":"[^"]*"', b"", open(base + ".info", "rb").read())
    report(body == stored, "%s: .info bytes are the go command's" % q,
           "modvault: %r\ngo:       %r" % (body, stored))
    st, mod = get(esc(m) + "/@v/" + esc(version) + ".mod")
    gomod = open(base + ".mod", "rb").read()
    report(st == 200 and mod == gomod and gomod_h1(mod) == msum,
           "%s: .mod bytes are the go command's" % q,
           "modvault: %s %r\ngo: %r" % (st, mod[:200], gomod[:200]))
    st, z = get(esc(m) + "/@v/" + esc(version) + ".zip")
    got = h1(z) if st == 200 else "status %d" % st
    report(got == zsum, "%s: zip %s" % (q, zsum),
           "modvault: %s (%s)" % (got, z[:200] if st != 200 else ""))
PY
tally "$MV_TMP/compare"

# The go command itself through modvault (GOPROXY=modvault): every query
# gives the Version and hashes it gives straight from git, and fails
# where that fails.  This is how @latest is judged: the client picks it
# from @v/list, asking @latest only for an empty list.
mkdir -p "$MV_TMP/work"
# shellcheck disable=SC2086
(cd "$MV_TMP/work" && env GOPROXY="$url" GOSUMDB=off GOFLAGS=-mod=mod \
    GOENV=off GO111MODULE=on GOPRIVATE= GONOSUMDB= GONOPROXY= \
    GOPATH="$MV_TMP/gopath" GOMODCACHE="$MV_TMP/gopath/mod" \
    go mod download -json $DOWNLOADS >"$MV_TMP/client.json" 2>"$MV_TMP/client.err")
python3 - "$MV_TMP/oracle" "$MV_TMP/client.json" >"$MV_TMP/compare2" <<'PY'
import json, sys
oracle = {}
for line in open(sys.argv[1], encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    if "@" in f[0]:
        oracle[f[0]] = f[1:6]
text = open(sys.argv[2], encoding="utf-8").read()
dec, i, got = json.JSONDecoder(), 0, {}
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    obj, i = dec.raw_decode(text, i)
    got[obj.get("Path", "") + "@" + obj.get("Query", obj.get("Version", ""))] = obj
for q, (version, time, zsum, msum, error) in oracle.items():
    g = got.get(q)
    if g is None:
        print("FAIL go through modvault: %s: no answer" % q)
        continue
    if error:
        ok = bool(g.get("Error"))
        print("%s go through modvault: %s fails" % ("PASS" if ok else "FAIL", q))
        continue
    ok = (not g.get("Error") and g.get("Version") == version and
          g.get("Sum") == zsum and g.get("GoModSum") == msum)
    print("%s go through modvault: %s is %s %s" % ("PASS" if ok else "FAIL",
          q, version, zsum))
    if not ok:
        print("# got %s" % json.dumps(g)[:400])
PY
tally "$MV_TMP/compare2"

# And a program that imports them builds through modvault alone
# (GOFLAGS=-mod=mod: go resolves each module's latest and writes go.mod
# and go.sum from what modvault serves).
mkdir -p "$MV_TMP/prog"
printf 'module example.test/prog\n\ngo 1.19\n' >"$MV_TMP/prog/go.mod"
cat >"$MV_TMP/prog/main.go" <<'EOF'
package main

import (
	"fmt"

	r1 "example.test/r1.git"
	_ "example.test/r4.git/sub"
	_ "example.test/r6.git/v2"
	_ "example.test/r7.git"
	_ "example.test/r10.git"
	_ "example.test/nest.git"
)

func main() { fmt.Println(r1.V) }
EOF
(cd "$MV_TMP/prog" && env GOPROXY="$url" GOSUMDB=off GOFLAGS=-mod=mod \
    GOENV=off GO111MODULE=on GOPRIVATE= GONOSUMDB= GONOPROXY= \
    GOPATH="$MV_TMP/gopath2" GOMODCACHE="$MV_TMP/gopath2/mod" \
    GOCACHE="$MV_TMP/gocache" go build -o prog .) >"$MV_TMP/build.log" 2>&1
[ -x "$MV_TMP/prog/prog" ] || sed 's/^/# /' "$MV_TMP/build.log"
check "the go command builds a program importing them through modvault" \
    [ -x "$MV_TMP/prog/prog" ]
mv_done
