#!/bin/sh
# vcs-hostile.sh: go-import discovery, and repositories and pages that try
# to hurt.  A vanity path is found through its go-import tag as the go
# command finds it (the go command, through an HTTP proxy to the same
# pages, is the oracle); then each hostile repository or page is refused
# with a 502 naming the rule (or a 404 for a path no page claims), and
# nothing is stored: names that escape, case-fold collisions, an oversized
# file, a tag naming file:// or ext::, a prefix whose own page disagrees, a
# server that never finishes sending.  Symbolic links and submodules are
# dropped from zips, never followed.
. "$MV_SRCDIR/tests/integration/lib.sh"
need lighttpd git go curl python3
mv_tmpdir
R=$MV_TMP/repos
mkdir -p "$R"

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.test \
    GIT_COMMITTER_NAME=T GIT_COMMITTER_EMAIL=t@example.test \
    GIT_AUTHOR_DATE='2024-01-01 00:00:00 +0000' \
    GIT_COMMITTER_DATE='2024-01-01 00:00:00 +0000'
# repo NAME: a new repository; in it, the files made next are committed by
# tag_all.
repo() {
	git init -q -b master "$R/$1" && cd "$R/$1" || exit 1
}
# tag_all: commits every file and tags the commit v1.0.0.
tag_all() {
	git add -A && git commit -qm one && git tag v1.0.0 && cd "$MV_TMP" || exit 1
}
# tree_repo NAME MKTREE_LINES: a repository whose one commit has the tree
# git mktree makes of the lines (names git's own commands refuse).
tree_repo() {
	git init -q -b master "$R/$1" && cd "$R/$1" || exit 1
	t=$(printf "$2" | git mktree) && c=$(git commit-tree "$t" -m one) &&
	    git update-ref refs/heads/master "$c" && git tag v1.0.0 "$c" ||
	    exit 1
	cd "$MV_TMP" || exit 1
}
blob() { printf '%s' "$1" | git hash-object -w --stdin; }

repo good; printf 'module vanity.test/good\n' >go.mod
printf 'package good\n' >good.go; tag_all
# gopkg.in: gopkg.in/yaml.v3 is its repository's root (VC-12.3), major
# .v3: no go.mod, tags of several majors, only v3.x listed.
repo yaml; printf 'package yaml\n' >yaml.go; git add -A; git commit -qm one
git tag v2.0.0; printf 'package yaml // 3\n' >yaml.go; git commit -qam two
git tag v3.0.0; printf 'package yaml // 3.1\n' >yaml.go; git commit -qam three
git tag v3.0.1; printf 'package yaml // next\n' >yaml.go; git commit -qam four
cd "$MV_TMP"
repo symlink; printf 'module example.test/symlink.git\n' >go.mod
printf 'package s\n' >ok.go; ln -s /etc/passwd evil.go; ln -s /etc link; tag_all
repo submodule; printf 'module example.test/submodule.git\n' >go.mod
printf 'package s\n' >ok.go
printf '[submodule "sub"]\n\tpath = sub\n\turl = file:///etc\n' >.gitmodules
git add -A
git update-index --add --cacheinfo 160000,b0409b0752148c3c550071cd2f81356e7feb3996,sub
git commit -qm one && git tag v1.0.0 && cd "$MV_TMP"
repo case; printf 'module example.test/case.git\n' >go.mod
printf 'package c\n' >a.go; printf 'package c\n' >A.go; tag_all
repo big; printf 'module example.test/big.git\n' >go.mod
head -c 17000000 /dev/zero | tr '\0' 'a' >LICENSE; tag_all
(cd "$R" && git init -q -b master escape && cd escape &&
    b=$(blob 'package x
') && g=$(blob 'module example.test/escape.git
') && t=$(printf "100644 blob $b\tx.go\n" | git mktree) &&
    t2=$(printf "100644 blob $g\tgo.mod\n040000 tree $t\t..\n" | git mktree) &&
    c=$(git commit-tree "$t2" -m one) && git update-ref refs/heads/master "$c" &&
    git tag v1.0.0 "$c") || { fail "the escaping tree is made"; mv_done; }
(cd "$R" && git init -q -b master badname && cd badname &&
    g=$(blob 'module example.test/badname.git
') && b=$(blob 'package x
') && t=$(printf "100644 blob $g\tgo.mod\n100644 blob $b\tevil\`x.go\n" |
    git mktree) && c=$(git commit-tree "$t" -m one) &&
    git update-ref refs/heads/master "$c" && git tag v1.0.0 "$c") ||
    { fail "the tree with a bad name is made"; mv_done; }

start_git_http "$R" || { fail "git server starts"; mv_done; }
W=$MV_TMP/git-http/www
# page PATH TAG...: the ?go-get=1 page of vanity.test/PATH with these tags
# (PATH/index.html: the server answers /PATH with it).
page() {
	p=$1
	shift
	mkdir -p "$W/$p"
	{ echo '<!DOCTYPE html><html><head>'
	  for t in "$@"; do echo "<meta name=\"go-import\" content=\"$t\">"; done
	  echo '</head><body>go get</body></html>'; } >"$W/$p/index.html"
}
page good "vanity.test/good git https://example.test/good"
page yaml.v3 "gopkg.in/yaml.v3 git https://example.test/yaml"
# A "mod" tag: the module is served by the module proxy it names (VC-3.7),
# a static GOPROXY tree under the same server.
page proxied "vanity.test/proxied mod http://vanity.test/proxy" \
    "vanity.test/proxied git https://example.test/good"
python3 "$MV_SRCDIR/tests/integration/mkmodule.py" "$W/proxy" \
    vanity.test/proxied v1.2.3 1000
page filemeta "vanity.test/filemeta git file://$R/good"
page extmeta "vanity.test/extmeta git ext::touch%20$MV_TMP/pwned"
page claim/sub "vanity.test/claim git https://example.test/good"
page claim "vanity.test/claim git https://example.test/symlink"
page foreign "github.com/corp/foreign git https://example.test/good"
page hg "vanity.test/hg hg https://example.test/good"
page ins "insecure.test/ins git https://example.test/good"

# A server that answers and then sends a byte a second for ever.
cat >"$MV_TMP/trickle.py" <<'PY'
import socket, sys, threading, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
def serve(c):
    try:
        c.recv(65536)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/"
                  b"x-git-upload-pack-advertisement\r\n\r\n")
        while True:
            c.sendall(b"0")
            time.sleep(1)
    except OSError:
        c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
python3 "$MV_TMP/trickle.py" "$MV_TMP/trickle.port" &
mv_at_exit "kill $! 2>/dev/null"
wait_file "$MV_TMP/trickle.port"

cat <<EOF | write_config "$MV_TMP/modvault.conf" "$MV_TMP/data"
upstream = direct
private = example.test,vanity.test,slow.test,github.com/corp,gopkg.in,insecure.test
insecure = insecure.test
vcs_rewrite = https://example.test/ $GIT_HTTP_URL/git/
vcs_rewrite = https://vanity.test/ $GIT_HTTP_URL/
vcs_rewrite = http://vanity.test/ $GIT_HTTP_URL/
vcs_rewrite = https://gopkg.in/ $GIT_HTTP_URL/
vcs_rewrite = https://slow.test/ http://127.0.0.1:$(cat "$MV_TMP/trickle.port")/
stall_timeout = 2
upstream_timeout = 20
log_level = info
EOF
"$MODVAULT" --config "$MV_TMP/modvault.conf" init >/dev/null
start_lighttpd "$MV_TMP/modvault.conf" "$MV_TMP/data" ||
    { fail "lighttpd starts"; mv_done; }
# get PATH: status of a GET through modvault, body in $MV_TMP/body.
get() { curl -s -o "$MV_TMP/body" -w '%{http_code}' --max-time 120 "$url/$1"; }
# refused WANT PATH RULE DESC: the status is WANT and the body names RULE.
refused() {
	st=$(get "$2")
	if [ "$st" = "$1" ] && grep -q -- "$3" "$MV_TMP/body"; then
		ok "$4 ($st: $3)"
	else
		fail "$4 (want $1 naming $3)"
		sed "s/^/# $st: /" "$MV_TMP/body"
	fi
}

# zip_h1 FILE: the h1 of a zip, as the go command computes it.
zip_h1() {
	python3 -c '
import base64, hashlib, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
s = "".join("%s  %s\n" % (hashlib.sha256(z.read(n)).hexdigest(), n)
            for n in sorted(z.namelist()))
print("h1:" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode())' \
	    "$1" 2>/dev/null
}

# --- discovery: the go command (through an HTTP proxy to the same pages,
# GOINSECURE for vanity.test so it falls back to http) is the oracle.
VCS_ORACLE_HTTP_PROXY=$GIT_HTTP_URL VCS_ORACLE_INSECURE=vanity.test,gopkg.in \
    sh "$MV_SRCDIR/tests/integration/vcs-oracle.sh" "$R" "$MV_TMP/oracle" \
    vanity.test/good@v1.0.0 vanity.test/good gopkg.in/yaml.v3 \
    gopkg.in/yaml.v3@v3.0.1 gopkg.in/yaml.v3@master vanity.test/proxied@v1.2.3 \
    >"$MV_TMP/oracle.log" 2>&1 ||
    { sed 's/^/# /' "$MV_TMP/oracle.log"; fail "the go command answers"; }
want=$(awk -F '\t' '$1 == "vanity.test/good@v1.0.0" { print $4 }' "$MV_TMP/oracle")
check "the go command found vanity.test/good through its page" [ -n "$want" ]
st=$(get vanity.test/good/@v/list)
check "vanity.test/good: @v/list through its go-import tag ($st)" \
    sh -c "[ $st = 200 ] && grep -qx v1.0.0 '$MV_TMP/body'"
st=$(get vanity.test/good/@v/v1.0.0.zip)
got=$(zip_h1 "$MV_TMP/body")
check "... its zip is the go command's ($st, $got)" [ "$got" = "$want" ]
get vanity.test/good/@v/v1.0.0.info >/dev/null
check "... its Origin names the repository the tag names" \
    grep -q '"URL":"https://example.test/good"' "$MV_TMP/body"
# oracle Q COLUMN: a field of the go command's answer to Q.
oracle() { awk -F '\t' -v q="$1" -v c="$2" '$1 == q { print $c }' "$MV_TMP/oracle"; }
get gopkg.in/yaml.v3/@v/list >/dev/null
check "gopkg.in/yaml.v3: the list is the go command's ($(oracle gopkg.in/yaml.v3 2))" \
    [ "$(tr '\n' ' ' <"$MV_TMP/body")" = "$(oracle gopkg.in/yaml.v3 2) " ]
for q in v3.0.1 master; do
	v=$(oracle "gopkg.in/yaml.v3@$q" 2)
	get "gopkg.in/yaml.v3/@v/$q.info" >/dev/null
	check "... @$q is $v, as the go command says" \
	    grep -q "\"Version\":\"$v\"" "$MV_TMP/body"
	get "gopkg.in/yaml.v3/@v/$v.zip" >/dev/null
	check "... and its zip is the go command's" \
	    [ "$(zip_h1 "$MV_TMP/body")" = "$(oracle "gopkg.in/yaml.v3@$q" 4)" ]
done

want=$(oracle vanity.test/proxied@v1.2.3 4)
st=$(get vanity.test/proxied/@v/list)
check "a \"mod\" tag: the list from the proxy it names ($st)" \
    sh -c "[ $st = 200 ] && grep -qx v1.2.3 '$MV_TMP/body'"
st=$(get vanity.test/proxied/@v/v1.2.3.zip)
check "... and the version, as the go command gets it ($st, $want)" \
    [ -n "$want" ] && [ "$(zip_h1 "$MV_TMP/body")" = "$want" ]

# insecure: https to the page fails (no such host), so http is tried
# (VC-3.2), here through an HTTP proxy that is the same server; without
# insecure, no http.
st=$(env -i PATH="$PATH" http_proxy="$GIT_HTTP_URL" \
    MODVAULT_CONFIG="$MV_TMP/modvault.conf" REQUEST_METHOD=GET \
    REQUEST_URI=/insecure.test/ins/@v/list "$MODVAULT_FCGI" </dev/null \
    2>/dev/null | tr -d '\r' | sed -n 's/^Status: \([0-9]*\).*/\1/p')
check "insecure: a page only http serves is read over http ($st)" \
    [ "$st" = 200 ]
sed -e 's/^insecure = .*/insecure =/' \
    -e "s#^data_dir = .*#data_dir = $MV_TMP/data-secure#" \
    "$MV_TMP/modvault.conf" >"$MV_TMP/secure.conf"
"$MODVAULT" --config "$MV_TMP/secure.conf" init >/dev/null
st=$(env -i PATH="$PATH" http_proxy="$GIT_HTTP_URL" \
    MODVAULT_CONFIG="$MV_TMP/secure.conf" REQUEST_METHOD=GET \
    REQUEST_URI=/insecure.test/ins/@v/list "$MODVAULT_FCGI" </dev/null \
    2>/dev/null | tr -d '\r' | sed -n 's/^Status: \([0-9]*\).*/\1/p')
check "... and refused without insecure ($st)" [ "$st" = 502 ]

# --- hostile pages ---------------------------------------------------------
refused 502 vanity.test/filemeta/@v/list "VC-3.7" \
    "a go-import tag naming file:// is refused"
check "... it says why" grep -q "file scheme disallowed" "$MV_TMP/body"
refused 502 vanity.test/extmeta/@v/list "VC-4.1" \
    "a go-import tag naming ext:: is refused"
check "... and git never ran the command it names" [ ! -e "$MV_TMP/pwned" ]
refused 502 vanity.test/claim/sub/@v/list "VC-3.6" \
    "a tag for a prefix whose own page says otherwise is refused"
refused 404 vanity.test/foreign/@v/list "did not match import path" \
    "a page whose only tag is another host's path: no such module"
refused 404 vanity.test/hg/@v/list "only from git" \
    "a module in Mercurial: 404 naming it, so a client may try itself"
refused 404 vanity.test/nopage/@v/list "unrecognized import path" \
    "a path with no page at all: 404"

# --- hostile repositories ---------------------------------------------------
refused 502 example.test/escape.git/@v/v1.0.0.zip "MZ-3" \
    "a tree with a '..' directory (names that escape) is refused"
refused 502 example.test/badname.git/@v/v1.0.0.zip "MZ-3.2" \
    "a file name the go command refuses is refused"
refused 502 example.test/case.git/@v/v1.0.0.zip "MZ-3.3" \
    "files whose names differ only in case are refused"
refused 502 example.test/big.git/@v/v1.0.0.zip "MZ-2.3" \
    "a root LICENSE over 16 MiB is refused"
st=$(get example.test/symlink.git/@v/v1.0.0.zip)
check "symbolic links: the version is served without them ($st)" \
    sh -c "[ $st = 200 ] && unzip -Z1 '$MV_TMP/body' | sort | tr '\n' ' ' |
        grep -qx 'example.test/symlink.git@v1.0.0/go.mod example.test/symlink.git@v1.0.0/ok.go '"
check "... and nothing of /etc/passwd is in it" \
    sh -c "! unzip -p '$MV_TMP/body' | grep -q 'root:'"
st=$(get example.test/submodule.git/@v/v1.0.0.zip)
check "a submodule (url file:///etc): served without it ($st)" \
    sh -c "[ $st = 200 ] && ! unzip -Z1 '$MV_TMP/body' | grep -q '@v1.0.0/sub'"
start=$(date +%s)
st=$(get slow.test/r.git/@v/list)
took=$(($(date +%s) - start))
check "a server that never finishes sending: given up within the bounds ($st after ${took}s)" \
    sh -c "[ $st = 502 ] || [ $st = 504 ]" 
check "... well before the request's own timeout" [ "$took" -lt 60 ]
"$MODVAULT" --config "$MV_TMP/modvault.conf" ls >"$MV_TMP/ls"
cut -f1 "$MV_TMP/ls" | sed 's/^/# stored: /'
check "only the good versions are stored" \
    [ "$(cut -f1 "$MV_TMP/ls" | sort | tr '\n' ' ')" = \
      "example.test/submodule.git@v1.0.0 example.test/symlink.git@v1.0.0 gopkg.in/yaml.v3@v3.0.1 gopkg.in/yaml.v3@$(oracle gopkg.in/yaml.v3@master 2) vanity.test/good@v1.0.0 vanity.test/proxied@v1.2.3 " ]
mv_done
