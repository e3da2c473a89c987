#!/bin/sh
# vcs-repos.sh DIR: the Git fixture repositories of vcs.md §16.1, r1..r17,
# as non-bare repositories DIR/r1 .. DIR/r17 (each removed and made again).
#
# The commands below are the spec's recipe, unchanged, so the commit hashes
# are the ones §16.1 lists on every machine; the script checks that before
# it succeeds.  Git runs with a configuration of its own (no system file, a
# private global file), so a user's settings (commit.gpgsign, core.autocrlf,
# hooks, templates) cannot change an object.
#
# DIR is the one source of both views the tests need:
# - file://DIR/rN for the go command (vcs.md §15 Recipe A maps
#   https://example.test/ onto file://DIR/ with url.<base>.insteadOf);
# - git http-backend with GIT_PROJECT_ROOT=DIR (lib.sh's start_git_http):
#   for a path /rN it finds DIR/rN/.git by itself, so the work trees are
#   served as they are, with no bare clone to keep in step and no
#   update-server-info (that is for the dumb protocol, which is not served).
#   Fetching by commit hash over HTTP is the server's setting
#   (uploadpack.allowAnySHA1InWant in its environment), so nothing here
#   differs from the recipe, not even a repository's config.
#
# Needs git >= 2.28 (init -b) and iconv (r9).  Takes about a second.
set -eu
[ $# -eq 1 ] || { echo "usage: vcs-repos.sh DIR" >&2; exit 2; }
mkdir -p "$1"
R=$(cd "$1" && pwd)

# Nothing from the caller's Git environment may reach the recipe: a
# GIT_DIR or GIT_INDEX_FILE (set when run from a hook) would send the
# commands to another repository, GIT_CONFIG_* would add settings.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
    GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_CEILING_DIRECTORIES \
    GIT_CONFIG GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT GIT_TEMPLATE_DIR \
    GIT_AUTHOR_DATE GIT_COMMITTER_DATE GIT_NAMESPACE 2>/dev/null || true
T=$(mktemp -d "${TMPDIR:-/tmp}/vcs-repos.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
# core.safecrlf = false only silences the "LF will be replaced by CRLF"
# warnings r9 and r16 provoke; the objects are the same either way.
printf '[init]\n\tdefaultBranch = master\n[core]\n\tsafecrlf = false\n' \
    > "$T/gitconfig"

# --- vcs.md §16.1, verbatim from here (set -e, R and T are set above) -------
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$T/gitconfig
export GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.test GIT_COMMITTER_NAME=T GIT_COMMITTER_EMAIL=t@example.test
c() { git add -A && GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" git commit -q -m "$2"; }
new() { rm -rf "$R/$1"; git init -q -b master "$R/$1" && cd "$R/$1"; }
D1='2024-01-01 00:00:00 +0000' D2='2024-01-02 00:00:00 +0000' D3='2024-01-03 00:00:00 +0000'

new r1    # tagged root module; attributes; symlink; pseudo after tag
printf 'module example.test/r1.git\n\ngo 1.16\n' > go.mod
printf 'package r1\n\nconst V = 1\n' > r1.go; printf 'LICENSE r1\n' > LICENSE
printf 'ignored.txt export-ignore\nsubst.txt export-subst\n' > .gitattributes
printf 'kept although export-ignore\n' > ignored.txt; printf '$Format:%%H$\n' > subst.txt
ln -s r1.go link.go; c "$D1" one
GIT_COMMITTER_DATE="$D1" git tag -a v1.0.0 -m 'release v1.0.0'
printf 'package r1\n\nconst V = 2\n' > r1.go; git add -A
GIT_AUTHOR_DATE='2023-06-01 00:00:00 +0000' GIT_COMMITTER_DATE='2024-02-03 12:00:00 +0200' git commit -q -m two
git tag release-2
new r2; printf 'package r2\n' > r2.go; c '2024-03-04 05:06:07 +0000' one      # no tags, no go.mod
new r3; printf 'module example.test/r3.git\n' > go.mod; printf 'package r3\n' > r3.go
c "$D1" one; git tag v1.1.0-pre; printf 'package r3 // 2\n' > r3.go; c "$D2" two
new r4; printf 'LICENSE r4\n' > LICENSE; printf 'module example.test/r4.git\n' > go.mod
printf 'package r4\n' > r4.go; mkdir sub; printf 'module example.test/r4.git/sub\n' > sub/go.mod
printf 'package sub\n' > sub/sub.go; c "$D1" one; git tag v0.1.0; git tag sub/v1.2.0
printf 'package sub // 2\n' > sub/sub.go; c "$D2" two
new r5; printf 'module example.test/r5.git\n' > go.mod; printf 'package r5\n' > r5.go
c "$D1" one; git tag v1.0.0; printf 'module example.test/r5.git/v2\n' > go.mod; c "$D2" two; git tag v2.0.0
new r6; printf 'LICENSE r6\n' > LICENSE; printf 'module example.test/r6.git\n' > go.mod
printf 'package r6\n' > r6.go; mkdir v2; printf 'module example.test/r6.git/v2\n' > v2/go.mod
printf 'package r6 // v2\n' > v2/r6.go; c "$D1" one; git tag v1.0.0; git tag v2.0.0
new r7; printf 'package r7\n' > r7.go; c "$D1" one; git tag v1.0.0
printf 'package r7 // 2\n' > r7.go; c "$D2" two; git tag v2.0.0
printf 'package r7 // 3\n' > r7.go; c "$D3" three
new r8; printf 'module example.test/r8.git\n' > go.mod; printf 'package r8\n' > r8.go
c "$D1" one; git tag v1.0.0; git rm -q go.mod; c "$D2" two; git tag v2.0.0
new r9    # checkout conversions survive in the zip
printf 'module example.test/r9.git\n' > go.mod
printf 'crlf.txt text eol=crlf\nident.txt ident\nenc.txt working-tree-encoding=UTF-16LE\n' > .gitattributes
printf 'a\nb\n' > crlf.txt; printf '$Id$\n' > ident.txt
printf 'hi\n' | iconv -f UTF-8 -t UTF-16LE > enc.txt; printf '#!/bin/sh\n' > exec.sh; chmod 755 exec.sh
git add -A; git update-index --add --cacheinfo 160000,b0409b0752148c3c550071cd2f81356e7feb3996,gitlink
GIT_AUTHOR_DATE="$D1" GIT_COMMITTER_DATE="$D1" git commit -q -m one; git tag v1.0.0   # not c(): add -A would drop the gitlink
for n in 10 11; do      # pseudo base = highest ancestor tag; r11 retracts the rc
  new r$n; printf 'module example.test/r%s.git\n' $n > go.mod; printf 'package p\n' > p.go
  c "$D1" one; git tag v1.2.0; printf 'package p // 2\n' > p.go
  c "$D2" two; git tag v1.1.0; git tag v1.3.0-rc.1; git checkout -q -b side v1.2.0
  [ $n = 11 ] && printf 'module example.test/r%s.git\n\nretract v1.3.0-rc.1\n' $n > go.mod
  printf 'package p // side\n' > p.go; c '2024-01-04 00:00:00 +0000' side; git tag v1.5.0
  git checkout -q master; printf 'package p // 3\n' > p.go; c "$D3" three
done
new r12; printf 'module example.test/r12.git\n' > go.mod; c "$D1" one; git tag v1.0.0
printf 'package p\n' > p.go; c "$D2" two; git tag v1.1.0+meta; git tag v1.1
new r13; printf 'package p\n' > p.go; c "$D1" one
GIT_COMMITTER_DATE='2025-05-05 05:05:05 +0000' git tag -a v1.0.0 -m v1.0.0
printf 'package p // 2\n' > p.go; c "$D2" two; git tag v2.0.0
printf 'module example.test/r13.git\n' > go.mod; c "$D3" three; git tag v2.1.0
git rm -q go.mod; c '2024-01-04 00:00:00 +0000' four; git tag v3.0.0
mkdir v4; printf 'module example.test/r13.git/v4\n' > v4/go.mod; c '2024-01-05 00:00:00 +0000' five; git tag v4.0.0
new r14; printf 'module example.test/r14.git\n' > go.mod; c "$D1" one
git checkout -q --detach; printf 'package p\n' > p.go; c "$D2" pr
git update-ref refs/pull/1/head HEAD; git checkout -q master
new r15; printf 'module example.com/other\n' > go.mod; c "$D1" one; git tag v1.0.0
new r16; printf 'go.mod text eol=crlf\n' > .gitattributes; printf 'module example.test/r16.git\n' > go.mod
c "$D1" one; git tag v1.0.0
new r17; printf 'module example.test/r17.git\n' > go.mod; c "$D1" one; git branch v1.2.3
# --- end of the recipe -------------------------------------------------------

# The commits §16.1 lists (12 hex digits); r11's v1.1.0 and r10's v1.3.0-rc.1
# are §16.3's full hashes.  A mismatch means this git made other objects
# than the spec's (a changed recipe or a git that writes commits
# differently), and every vector would be off: fail now, saying which.
cd "$R"
bad=0
while read -r repo rev want; do
	got=$(git -C "$R/$repo" rev-parse --verify -q "$rev^{commit}" | cut -c1-12)
	if [ "$got" != "$want" ]; then
		echo "vcs-repos.sh: $repo $rev is ${got:-missing}, the spec says $want" >&2
		bad=1
	fi
done <<'EOF'
r1 v1.0.0 b0409b075214
r1 master 17b0b1f6713f
r2 master ce0490c017a1
r3 v1.1.0-pre db40eee033db
r3 master 29d892503da9
r4 v0.1.0 c706d8ed8c31
r4 master b988c7d454df
r5 v1.0.0 6717c6e606de
r5 v2.0.0 504a25c6eb5f
r6 master a96a93547e6e
r7 v1.0.0 b5c2f24d582c
r7 v2.0.0 23a9402a4400
r7 master 6ba0cde659c0
r8 v1.0.0 d95e78800fbc
r8 v2.0.0 799c9130b328
r9 v1.0.0 0b24163697b3
r10 v1.1.0 708a28648273
r10 v1.3.0-rc.1 708a28648273
r10 master aec57d35c8fb
r10 side 4229e723f636
r11 master 326148912768
r11 v1.1.0 e70dbc620c14
r12 master 478acee9b51f
r13 v1.0.0 e1d9f721cfdb
r14 master bd9d6d720c67
r14 refs/pull/1/head 409473dbd388
r17 master b38f227ddf48
EOF
exit $bad
