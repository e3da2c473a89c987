#!/bin/sh
# vcs-ssh.sh: modules straight from git over SSH, with the SSH setup of the
# user modvault runs as.  modvault runs git with a HOME of its own
# (data_dir/vcs/home), but OpenSSH takes ~/.ssh (config, keys, known_hosts)
# from the password database's home of the user it runs as, not from HOME:
# so the web server user's own keys and known hosts are what is used.
#
# The test makes a throwaway system user with a key, an ~/.ssh/config
# naming a host alias and a known_hosts entry, runs an sshd of its own on
# a free port of 127.0.0.1 that lets that key in, and has modvault (the
# CLI, run as that user) fetch fixture modules through a vcs_rewrite onto
# ssh://ALIAS/REPOS_DIR/.  The zips must be the go command's (vcs-oracle.sh,
# which reads the same repositories over file://, no SSH involved).  Then
# the refusals: root, who has neither the alias, the key nor the host key,
# fails at once with one line naming the repository (batch mode: no
# prompt, no hang) and never logs in; and a host whose key is not in
# known_hosts is refused, not trusted on first sight.
#
# Needs root (useradd, an sshd) and OpenSSH (Debian: openssh-server).
. "$MV_SRCDIR/tests/integration/lib.sh"
need git go python3 iconv ssh ssh-keygen useradd userdel usermod su timeout
[ "$(id -u)" -eq 0 ] || skip "needs root (a throwaway user and an sshd)"
SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || skip "no $SSHD (Debian: openssh-server)"
# An agent of the caller's would offer keys of its own: only the files in
# the test user's ~/.ssh may count.
unset SSH_AUTH_SOCK SSH_AGENT_PID
mv_tmpdir
# The test user must reach the repositories, the copy of the CLI and its
# configuration under $MV_TMP (mktemp made it 0700).
chmod 755 "$MV_TMP"

# The repositories of vcs.md §16.1 (no HTTP server: SSH serves them).
sh "$MV_SRCDIR/tests/integration/vcs-repos.sh" "$MV_TMP/repos" \
    >"$MV_TMP/repos.log" 2>&1 ||
    { sed 's/^/# /' "$MV_TMP/repos.log"; fail "repositories made"; mv_done; }
chmod -R a+rX "$MV_TMP/repos"
T=example.test
# Tagged versions of a root module and of one in a subdirectory, a major
# version directory, a branch (a pseudo-version: the whole history is
# fetched) and a bare commit hash (fetched by hash over SSH).
MODS="$T/r1.git@v1.0.0 $T/r4.git/sub@v1.2.0 $T/r6.git/v2@v2.0.0
$T/r1.git@master $T/r10.git@708a2864827381be03ef762beaf92ee90cf197e0"
# shellcheck disable=SC2086
sh "$MV_SRCDIR/tests/integration/vcs-oracle.sh" "$MV_TMP/repos" \
    "$MV_TMP/oracle" $MODS >"$MV_TMP/oracle.log" 2>&1 ||
    { sed 's/^/# /' "$MV_TMP/oracle.log"; fail "the go command answers"; mv_done; }

# --- the test user ----------------------------------------------------------
# A system account of its own, its home under $MV_TMP, removed (with its
# group and home) at exit.  Its password field is "*", not useradd's "!":
# without PAM, sshd takes "!" for a locked account and refuses even a key.
U=mvssh$$
H=$MV_TMP/home
useradd -M -d "$H" -s /bin/sh -U "$U" || { fail "useradd $U"; mv_done; }
mv_at_exit "userdel -r $U 2>/dev/null || userdel $U 2>/dev/null"
usermod -p '*' "$U"
mkdir -p "$H/.ssh"
# asuser COMMAND: COMMAND (a shell line) run as the test user, in $MV_TMP.
asuser() {
	su -s /bin/sh "$U" -c "cd '$MV_TMP' && $1"
}

# --- the SSH server ---------------------------------------------------------
# sshd on a free port of 127.0.0.1 with a host key of its own, letting in
# only the test user, by the key in $MV_TMP/sshd/authorized_keys.  It logs
# (VERBOSE: each accepted key) to $MV_TMP/sshd/log.  AcceptEnv
# GIT_PROTOCOL lets git speak protocol v2, as Git hosts do.  /run/sshd is
# its privilege-separation directory, which only a started service makes.
S=$MV_TMP/sshd
mkdir -p "$S" /run/sshd
ssh-keygen -q -t ed25519 -N '' -C mvtest-host -f "$S/host_ed25519" &&
ssh-keygen -q -t ed25519 -N '' -C "$U" -f "$H/.ssh/id_ed25519" ||
    { fail "ssh-keygen"; mv_done; }
cp "$H/.ssh/id_ed25519.pub" "$S/authorized_keys"
chmod 644 "$S/authorized_keys"
PORT=$(free_port)
cat >"$S/sshd_config" <<EOF
ListenAddress 127.0.0.1:$PORT
HostKey $S/host_ed25519
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin no
AllowUsers $U
AcceptEnv GIT_PROTOCOL
LogLevel VERBOSE
EOF
"$SSHD" -t -f "$S/sshd_config" 2>"$S/log" ||
    { sed 's/^/# /' "$S/log"; fail "sshd configuration"; mv_done; }
"$SSHD" -D -e -f "$S/sshd_config" 2>>"$S/log" &
SSHD_PID=$!
mv_at_exit "kill $SSHD_PID 2>/dev/null; wait $SSHD_PID 2>/dev/null"
wait_log "Server listening on 127.0.0.1 port $PORT" "$S/log" ||
    { sed 's/^/# /' "$S/log"; fail "sshd starts"; mv_done; }

# The user's client side, as an administrator sets up the web server's
# account: an alias for the git host, the key, and its host key in
# known_hosts (a port other than 22 is written [host]:port).  A second
# alias, mvgit-unknown, is the same server with an empty known_hosts.
cat >"$H/.ssh/config" <<EOF
Host mvgit
	HostName 127.0.0.1
	Port $PORT
	User $U
	IdentityFile ~/.ssh/id_ed25519
	IdentitiesOnly yes
	UserKnownHostsFile ~/.ssh/known_hosts
Host mvgit-unknown
	HostName 127.0.0.1
	Port $PORT
	User $U
	IdentityFile ~/.ssh/id_ed25519
	IdentitiesOnly yes
	UserKnownHostsFile ~/.ssh/known_hosts_unknown
EOF
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$S/host_ed25519.pub")" \
    >"$H/.ssh/known_hosts"
: >"$H/.ssh/known_hosts_unknown"
chown -R "$U:$U" "$H"
chmod 700 "$H/.ssh"
chmod 600 "$H/.ssh/config" "$H/.ssh/id_ed25519"

# The server side is the test user's too: git-upload-pack runs as that
# user in repositories root made, which git refuses ("dubious ownership")
# unless the user's ~/.gitconfig trusts them.  modvault's own git never
# reads that file (it runs with no global configuration).
cat >"$H/.gitconfig" <<EOF
[safe]
	directory = *
EOF
chown "$U:$U" "$H/.gitconfig"
check "plain ssh as the test user reaches the server with its own setup" \
    asuser "ssh -o BatchMode=yes mvgit true" </dev/null

# --- modvault, as the test user ---------------------------------------------
# A copy of the CLI in $MV_TMP: the build tree may not be open to others.
mkdir -p "$MV_TMP/bin"
cp "$MODVAULT" "$MV_TMP/bin/modvault"
chmod 755 "$MV_TMP/bin" "$MV_TMP/bin/modvault"
MVU=$MV_TMP/bin/modvault
mkdir -p "$MV_TMP/data"
chown "$U:$U" "$MV_TMP/data"
# conf FILE DATA_DIR HOST: a configuration fetching example.test straight
# from git at ssh://HOST/REPOS_DIR/ (the repository of example.test/rN.git
# is https://example.test/rN, vcs.md VC-2; git-upload-pack takes the work
# tree's path).  upstream_timeout bounds every git run, should one hang.
conf() {
	cat <<EOF | write_config "$1" "$2"
upstream = direct
private = $T
vcs_rewrite = https://$T/ ssh://$3$MV_TMP/repos/
upstream_timeout = 30
log_level = info
EOF
	chmod 644 "$1"
}
conf "$MV_TMP/modvault.conf" "$MV_TMP/data" mvgit
MVCMD="'$MVU' --config '$MV_TMP/modvault.conf'"
check "modvault init as the test user" asuser "$MVCMD init >/dev/null"

# (One shell line for su: the newline in MODS made a space.)
expect_status 0 "modvault fetch over ssh as the test user" \
    asuser "$MVCMD fetch $(printf '%s' "$MODS" | tr '\n' ' ')"
asuser "$MVCMD ls" >"$MV_TMP/ls" 2>&1
# Each version listed under the version go resolves the query to, and its
# stored zip and go.mod (the blobs the version's manifest names, read
# here, not through modvault) hashed as the go command hashes them: the
# h1 sums must be go's.
# shellcheck disable=SC2086
python3 - "$MV_TMP/data/blobs" "$MV_TMP/oracle" "$MV_TMP/ls" $MODS \
    >"$MV_TMP/compare" <<'PY'
import base64, hashlib, io, os, sys, zipfile
blobs, oracle, ls, queries = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]

def h1(lines):
    return "h1:" + base64.b64encode(hashlib.sha256(
        "".join(lines).encode()).digest()).decode()

def blob(h):
    with open(os.path.join(blobs, h[:2], h[2:4], h), "rb") as f:
        return f.read()

want = {}
for line in open(oracle, encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    want[f[0]] = f[1:6]
listed = {l.split("\t")[0] for l in open(ls, encoding="utf-8")}
stored = {}         # module@version: the manifest's fields
for d, _, names in os.walk(blobs):
    for n in names:
        with open(os.path.join(d, n), "rb") as f:
            if f.read(20) != b"modvault manifest 1\n":
                continue
            kv = dict(l.split(" ", 1) for l in
                      f.read().decode("ascii").splitlines() if " " in l)
        stored[kv["module"] + "@" + kv["version"]] = kv
for q in queries:
    version, _, zsum, msum, error = want[q]
    mv = q.split("@")[0] + "@" + version
    print("%s %s listed as %s" % ("PASS" if mv in listed else "FAIL", q, mv))
    kv = stored.get(mv)
    if kv is None:
        print("FAIL %s: stored (no manifest names %s)" % (q, mv))
        continue
    z = zipfile.ZipFile(io.BytesIO(blob(kv["zip"].split()[0])))
    got = h1("%s  %s\n" % (hashlib.sha256(z.read(n)).hexdigest(), n)
             for n in sorted(z.namelist()))
    print("%s %s: zip %s is the go command's" % ("PASS" if got == zsum
          else "FAIL", q, got))
    got = h1(["%s  go.mod\n" %
              hashlib.sha256(blob(kv["mod"].split()[0])).hexdigest()])
    print("%s %s: go.mod %s is the go command's" % ("PASS" if got == msum
          else "FAIL", q, got))
PY
tally "$MV_TMP/compare"
check "sshd let the test user's key in" \
    grep -q "Accepted publickey for $U " "$S/log"
logins=$(grep -c "Accepted publickey" "$S/log")
check "... though modvault's private HOME holds no SSH setup" \
    sh -c "[ -d '$MV_TMP/data/vcs/home' ] && [ ! -e '$MV_TMP/data/vcs/home/.ssh' ]"

# --- refusals -----------------------------------------------------------------
# attempt COMMAND...: runs COMMAND, its output in $MV_TMP/out and err; sets
# rc (its exit status) and secs (how long it took).
attempt() {
	mv_t0=$(date +%s)
	"$@" >"$MV_TMP/out" 2>"$MV_TMP/err"
	rc=$?
	secs=$(($(date +%s) - mv_t0))
}
# refusal Q TEXT...: `modvault fetch Q` said why in one line, "refused Q:
# WHY" on stdout (nothing else but the closing count), containing each TEXT.
refusal() {
	mv_q=$1
	shift
	mv_n=$(grep -c "^refused $mv_q: " "$MV_TMP/out")
	mv_ok=$([ "$mv_n" -eq 1 ] && [ "$(grep -vc ' versions: ' "$MV_TMP/out")" \
	    -eq 1 ] && echo y)
	for mv_s in "$@"; do
		grep "^refused $mv_q: " "$MV_TMP/out" | grep -qF -- "$mv_s" ||
		    mv_ok=
	done
	[ -n "$mv_ok" ] && return 0
	sed 's/^/# stdout: /' "$MV_TMP/out" | head -10
	sed 's/^/# stderr: /' "$MV_TMP/err" | head -10
	return 1
}

# Root, with the very same configuration (a store of its own): root's
# ~/.ssh has no alias mvgit, no key and no host key for this server, so
# its ssh looks "mvgit" up as a host name and finds none.  ssh makes
# ~/.ssh when there is none: root's home is left as it was.
[ -e /root/.ssh ] || mv_at_exit "rmdir /root/.ssh 2>/dev/null"
conf "$MV_TMP/root.conf" "$MV_TMP/rootdata" mvgit
"$MODVAULT" --config "$MV_TMP/root.conf" init >/dev/null
attempt timeout 60 "$MODVAULT" --config "$MV_TMP/root.conf" \
    fetch $T/r1.git@v1.0.0
check "root: the same fetch fails (exit $rc)" [ "$rc" -eq 1 ]
check "... at once (${secs}s)" [ "$secs" -lt 20 ]
check "... in one line naming the repository and ssh's reason" \
    refusal $T/r1.git@v1.0.0 "ssh://mvgit$MV_TMP/repos/r1" \
    "Could not resolve hostname mvgit"
# Root straight at the server, user and port in the URL: the host key is
# unknown to root, and batch mode refuses it instead of asking.  (The
# message may hide the URL's user part, as it would a password.)
conf "$MV_TMP/root.conf" "$MV_TMP/rootdata" "$U@127.0.0.1:$PORT"
attempt timeout 60 "$MODVAULT" --config "$MV_TMP/root.conf" \
    fetch $T/r4.git/sub@v1.2.0
check "root at ssh://$U@127.0.0.1:$PORT/: refused (exit $rc)" [ "$rc" -eq 1 ]
check "... at once (${secs}s)" [ "$secs" -lt 20 ]
check "... in one line naming the repository and the host key" \
    refusal $T/r4.git/sub@v1.2.0 "@127.0.0.1:$PORT$MV_TMP/repos/r4" \
    "Host key verification failed"
check "... root never logged in (the test user's logins only)" \
    [ "$(grep -c "Accepted publickey" "$S/log")" -eq "$logins" ]
check "... nor stored anything" \
    [ -z "$("$MODVAULT" --config "$MV_TMP/root.conf" ls 2>&1)" ]

# The test user, at an alias whose host key is not in its known_hosts:
# refused (StrictHostKeyChecking's default, in batch mode), not accepted
# and remembered.
conf "$MV_TMP/unknown.conf" "$MV_TMP/data" mvgit-unknown
attempt timeout 60 su -s /bin/sh "$U" -c \
    "cd '$MV_TMP' && '$MVU' --config '$MV_TMP/unknown.conf' fetch $T/r5.git@v1.0.0"
check "an unknown host key is refused (exit $rc)" [ "$rc" -eq 1 ]
check "... at once (${secs}s)" [ "$secs" -lt 20 ]
check "... in one line naming the repository and the host key" \
    refusal $T/r5.git@v1.0.0 "ssh://mvgit-unknown$MV_TMP/repos/r5" \
    "Host key verification failed"
check "... known_hosts left empty" [ ! -s "$H/.ssh/known_hosts_unknown" ]
asuser "$MVCMD ls" >"$MV_TMP/ls" 2>&1
check "... and nothing stored" \
    awk -v m="$T/r5.git" 'index($1, m "@") == 1 { f = 1 } END { exit f }' \
    "$MV_TMP/ls"
mv_done
