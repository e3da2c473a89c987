#!/bin/sh
# vcs-oracle.sh [-retracted] REPOS_DIR OUTFILE QUERY...: what the real go
# command answers for each QUERY when it fetches straight from the Git
# repositories in REPOS_DIR (as vcs-repos.sh makes them), so a test can hold
# modvault's answers against the go command's instead of a copy of the spec.
#
# A QUERY is M@q (a download: `go mod download -json M@q`) or M (a list:
# `go list -m -versions -json M`, with -retracted if given).  Module paths
# are those of the fixtures, example.test/rN.git[/sub]: vcs.md §15 Recipe A
# maps https://example.test/ onto file://REPOS_DIR/ with Git's insteadOf,
# GOPROXY=direct, no checksum database, a module cache of its own (made
# empty, removed at the end) and no network.
#
# OUTFILE gets one tab-separated line per QUERY, in the order given:
#   M@q <TAB> Version <TAB> Time <TAB> Sum <TAB> GoModSum <TAB> Error
#   M   <TAB> versions, space-separated <TAB> Error
# Version, Sum and GoModSum as go prints them (Sum with its "h1:"); Time as
# the .info file in the module cache holds it (2024-01-01T00:00:00Z); an
# empty Error when the query succeeded, else go's whole message (it begins
# "M@q: " or "module M: "), with newline, tab and backslash written \n, \t
# and \\ so a line stays a line, and the oracle's temporary module cache
# named $GOMODCACHE, so two runs write the same bytes.
#
# OUTFILE.d/ (made afresh) gets the .info, .mod and .zip the go command
# stored for every download, at their paths under the module cache's
# cache/download/: a GOPROXY tree (M/@v/V.info, case-encoded as a proxy
# serves it) to compare modvault's bytes with.
#
# All downloads run in one go process and all lists in another: go 1.19
# reports each argument's failure in that argument's own JSON record and
# carries on with the rest.  Should go ever answer a batch with other
# records than one per argument (a failure that stops the whole command),
# each query of that batch is asked again on its own.
#
# Exit status: 0 when every line was written (whatever go answered), 1 when
# the oracle itself could not run, 2 for a usage error.
set -u
retracted=
if [ "${1:-}" = -retracted ]; then
	retracted=-retracted
	shift
fi
[ $# -ge 2 ] ||
    { echo "usage: vcs-oracle.sh [-retracted] REPOS_DIR OUTFILE QUERY..." >&2; exit 2; }
REPOS=$(cd "$1" && pwd) || exit 1
OUT=$2
shift 2
case $OUT in /*) ;; *) OUT=$(pwd)/$OUT ;; esac
command -v go >/dev/null 2>&1 || { echo "vcs-oracle.sh: no go command" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/vcs-oracle.XXXXXX") || exit 1
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
mkdir -p "$T/work" "$T/home"

# Recipe A.  Git sees only this file (no system or user settings: a global
# filter or insteadOf of the user's would change what go downloads).
cat > "$T/gitconfig" <<EOF
[url "file://$REPOS/"]
	insteadOf = https://example.test/
[init]
	defaultBranch = master
EOF
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
    GIT_CONFIG GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT GOINSECURE GOFLAGS \
    GONOPROXY GONOSUMDB GOWORK 2>/dev/null || true
# GOINSECURE stays unset (else go probes git:// first, VC-2.3).
# GIT_ALLOW_PROTOCOL keeps everything off the network: https (rewritten to
# file://) is the only scheme go may probe; without it, a repository that
# is not in REPOS_DIR would send go on to ssh://example.test and
# git://example.test (DNS lookups and connections).  Only such a missing
# repository's error text differs ("transport 'git' not allowed").
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$T/gitconfig" \
    GIT_ALLOW_PROTOCOL=https:file HOME="$T/home" \
    GOENV=off GO111MODULE=on GOPROXY=direct GOSUMDB=off GONOSUMDB='*' \
    GOPRIVATE='*' GOFLAGS='-mod=mod -modcacherw' GOTOOLCHAIN=local \
    GOWORK=off GOPATH="$T/gopath" GOMODCACHE="$T/modcache" \
    GOCACHE="$T/gocache"
# go-get pages (vcs.md §3) at made-up hosts: with VCS_ORACLE_HTTP_PROXY
# and VCS_ORACLE_INSECURE (the hosts, GOINSECURE-style) set, go's https
# fetch of https://HOST/P?go-get=1 fails (no such host) and it retries
# http://HOST/P?go-get=1 (VC-3.2), which goes through that proxy: a web
# server answering absolute-form requests from its own pages.
if [ -n "${VCS_ORACLE_HTTP_PROXY:-}" ]; then
	export HTTP_PROXY="$VCS_ORACLE_HTTP_PROXY" NO_PROXY= no_proxy= \
	    GOINSECURE="${VCS_ORACLE_INSECURE:-}"
fi
cd "$T/work" || exit 1
# Outside any module (the spec's observations were made so): a go.mod
# above TMPDIR would make go resolve the queries against its requirements.
[ "$(go env GOMOD)" = /dev/null ] ||
    { echo "vcs-oracle.sh: $T/work is inside a module ($(go env GOMOD))" >&2; exit 1; }

: > "$T/dl.q"
: > "$T/ls.q"
for q in "$@"; do
	case $q in
	*@*) printf '%s\n' "$q" >> "$T/dl.q" ;;
	*) printf '%s\n' "$q" >> "$T/ls.q" ;;
	esac
done
# One go process per kind of query; each line of the .q files is one
# argument (split on newlines only, no globbing).
nl='
'
set -f
IFS=$nl
# shellcheck disable=SC2046
if [ -s "$T/dl.q" ]; then
	go mod download -json $(cat "$T/dl.q") > "$T/dl.json" 2> "$T/dl.err"
fi
# shellcheck disable=SC2046,SC2086
if [ -s "$T/ls.q" ]; then
	go list -m -versions $retracted -json -e $(cat "$T/ls.q") \
	    > "$T/ls.json" 2> "$T/ls.err"
fi
unset IFS
set +f

rm -rf "$OUT.d"
mkdir -p "$OUT.d" || exit 1
python3 - "$T" "$OUT" "$retracted" "$@" <<'PY'
import json, os, shutil, subprocess, sys

tmp, out, retracted, queries = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
modcache = os.path.join(tmp, "modcache")
download = os.path.join(modcache, "cache", "download")


def records(text):
    """The JSON objects go printed one after another."""
    dec, objs, i = json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            return objs
        obj, i = dec.raw_decode(text, i)
        objs.append(obj)


def field(s):
    """s as one tab-free line; the temporary module cache named neutrally."""
    s = s.replace(modcache, "$GOMODCACHE").replace(tmp, "$TMP")
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def error_of(rec):
    e = rec.get("Error")
    if isinstance(e, dict):  # go list -m: {"Err": "..."}
        e = e.get("Err")
    return e or ""


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def run(args):
    """go ARGS: its JSON records, and its stderr."""
    p = subprocess.run(["go"] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    try:
        return records(p.stdout), p.stderr
    except ValueError:
        return [], p.stderr


def alone_error(err):
    """A failure without a JSON record: go's stderr, less its "go: "."""
    lines = [l[4:] if l.startswith("go: ") else l
             for l in err.strip().split("\n")]
    return "\n".join(lines) or "no answer from the go command"


def answers(qs, batch_json, batch_err, args, path_of):
    """One record (or None, stderr) per query in qs, in order."""
    try:
        recs = records(read(batch_json))
    except ValueError:
        recs = []
    if len(recs) == len(qs) and all(r.get("Path") == path_of(q)
                                    for r, q in zip(recs, qs)):
        return [(r, "") for r in recs]
    res = []
    for q in qs:  # the batch went wrong as a whole: one query at a time
        recs, err = run(args + [q])
        res.append((recs[0], "") if len(recs) == 1 else (None, alone_error(err)))
    return res


dls = [q for q in queries if "@" in q]
lss = [q for q in queries if "@" not in q]
dl = dict(zip(dls, answers(dls, os.path.join(tmp, "dl.json"),
                           os.path.join(tmp, "dl.err"),
                           ["mod", "download", "-json"],
                           lambda q: q.split("@", 1)[0])))
lsflags = ["list", "-m", "-versions"] + ([retracted] if retracted else []) + \
    ["-json", "-e"]
ls = dict(zip(lss, answers(lss, os.path.join(tmp, "ls.json"),
                           os.path.join(tmp, "ls.err"), lsflags,
                           lambda q: q)))

lines = []
for q in queries:
    if "@" in q:
        rec, err = dl[q]
        if rec is None or error_of(rec):
            lines.append([q, "", "", "", "", err or error_of(rec)])
            continue
        t = ""
        for key in ("Info", "GoMod", "Zip"):
            src = rec.get(key)
            if not src:
                continue
            dst = os.path.join(out + ".d", os.path.relpath(src, download))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)
            if key == "Info":
                with open(src) as f:
                    t = json.load(f).get("Time", "")
        lines.append([q, rec.get("Version", ""), t, rec.get("Sum", ""),
                      rec.get("GoModSum", ""), ""])
    else:
        rec, err = ls[q]
        if rec is None:
            lines.append([q, "", err])
        else:
            lines.append([q, " ".join(rec.get("Versions") or []),
                          error_of(rec)])
with open(out, "w") as f:
    for l in lines:
        f.write("\t".join(field(x) for x in l) + "\n")
PY
