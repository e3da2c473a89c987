#!/bin/sh
# s3-client.sh: the S3 client (modvault/net/s3.h) against a real Ceph
# gateway (radosgw, which checks every SigV4 signature and payload hash),
# through tests/s3tool: round trips of keys with '!', '+', '@', '~',
# spaces, reserved and non-ASCII bytes; ranges; 20 MiB byte-exact, streamed
# and from memory; a signed payload hash enforced; create-only (once, and
# 8 at a time); listings of more than a page, with prefix and delimiter; a
# configured prefix isolating keys; presigned URLs (good, tampered,
# expired); refused credentials and a missing bucket named, the secret
# never shown; a stopped or silent gateway failing within the timeouts;
# the byte limit of a GET.
. "$MV_SRCDIR/tests/integration/lib.sh"

S3TOOL=$MV_BUILDDIR/tests/s3tool
[ -x "$S3TOOL" ] || { echo "Bail out! no $S3TOOL (make tests/s3tool)"; exit 1; }
need curl cmp python3
mv_tmpdir
T=$MV_TMP
mv_t0=$(date +%s)

start_ceph || { fail "a Ceph gateway starts"; mv_done; }
echo "# the gateway answered after $(($(date +%s) - mv_t0)) s"

s3() { "$S3TOOL" "$@"; }
# s3_q ARG...: s3 with its output in $T/out and $T/err.
s3_q() { "$S3TOOL" "$@" >"$T/out" 2>"$T/err"; }
# s3_q_env VAR=VALUE... "$S3TOOL" ARG...: the same with variables changed
# (a VAR=VALUE before a shell function may outlive the call in POSIX sh,
# so the environment is changed through env).
s3_q_env() { env "$@" >"$T/out" 2>"$T/err"; }
# err_has TEXT: the last s3_q/expect_status failure said TEXT.
err_has() { grep -qF -- "$1" "$T/err"; }
# mkdata FILE BYTES: FILE holding BYTES random bytes.
mkdata() { head -c "$2" /dev/urandom >"$1"; }
# size_of FILE
size_of() { wc -c <"$1" | tr -d ' '; }

expect_status 0 "check: the bucket exists and the credentials are accepted" \
    s3 check

# --- round trips of odd keys -------------------------------------------
# Each key's bytes must survive the URL, the signature and the listing.
printf '%s\n' \
    'mod/github.com/!foo/bar/@v/v1.0.0+incompatible.zip' \
    'tilde~and space/file name.txt' \
    'reserved/%41?x=1&y#z;a,b:c$d=e' \
    "non-ascii/caf$(printf '\303\251')/$(printf '\346\227\245\346\234\254')" \
    'quotes/"<&>'"'"'/x' >"$T/keys"
i=0
while IFS= read -r key; do
	i=$((i + 1))
	{ printf '%s\n' "$key"; head -c 3000 /dev/urandom; } >"$T/rt$i"
	s3_q put "$key" "$T/rt$i"
	check "put \"$key\": created" grep -qx created "$T/out"
	s3 get "$key" >"$T/rt$i.got" 2>"$T/err"
	check "get \"$key\": the same bytes" cmp -s "$T/rt$i" "$T/rt$i.got"
	s3_q head "$key"
	check "head \"$key\": its size" \
	    [ "$(cut -d' ' -f1 "$T/out")" = "$(size_of "$T/rt$i")" ]
	mtime=$(cut -d' ' -f2 "$T/out")
	check "head \"$key\": Last-Modified within a minute of now" \
	    [ "$mtime" -gt $(($(date +%s) - 60)) -a \
	    "$mtime" -le $(($(date +%s) + 60)) ]
	s3_q list "${key%/*}/"
	check "list: \"$key\" with its size and the same Last-Modified" \
	    grep -qxF "$key	$(size_of "$T/rt$i")	$mtime" "$T/out"
done <"$T/keys"
key=$(head -1 "$T/keys")
expect_status 0 "delete an existing key" s3 delete "$key"
expect_status 1 "head after delete: not found" s3 head "$key"
check "... said not found, naming the key" \
    grep -qF "not found: no object \"$key\"" "$T/err"
expect_status 1 "get after delete: not found" s3 get "$key"
check "... said not found" grep -qF "not found: no object" "$T/err"
expect_status 0 "delete of an absent key succeeds (S3 answers 204)" \
    s3 delete "$key"
expect_status 1 "a key with a '..' element is refused" s3 head 'a/../b'
check "... as invalid" err_has 'invalid: object key "a/../b" has a'
expect_status 1 "a key with a control byte is refused" \
    s3 head "$(printf 'a\001b')"
check "... as invalid" err_has 'holds a control byte'
expect_status 1 "a key of 1025 bytes is refused" \
    s3 head "$(head -c 1025 /dev/zero | tr '\0' k)"
check "... as too large" err_has 'too large: object key'

# --- ranges --------------------------------------------------------------
mkdata "$T/r" 100000
s3_q put ranged "$T/r"
# range_is OFF LEN WANT_OFF WANT_LEN: get OFF LEN gives those bytes.
range_is() {
	s3 get ranged "$1" "$2" >"$T/rg" 2>"$T/err" &&
	    tail -c +$(($3 + 1)) "$T/r" | head -c "$4" | cmp -s - "$T/rg"
}
check "range: 100 bytes at 10" range_is 10 100 10 100
check "range: 1 byte at 0" range_is 0 1 0 1
check "range: from 99990 to the end (len 0)" range_is 99990 0 99990 10
check "range: past the end is cut at the end" range_is 99999 100 99999 1
check "range: all of it, asked with a length" range_is 0 100000 0 100000
expect_status 1 "range: at the end is refused" s3 get ranged 100000 10
check "... as invalid (416)" err_has 'invalid: range beyond the end'

# --- 20 MiB, streamed and from memory -------------------------------------
mkdata "$T/big" $((20 * 1024 * 1024))
expect_status 0 "20 MiB put streamed (UNSIGNED-PAYLOAD)" s3 put big "$T/big"
s3 get big >"$T/big.got" 2>"$T/err"
check "20 MiB get: byte-exact" cmp -s "$T/big" "$T/big.got"
expect_status 0 "20 MiB put streamed with its SHA-256 signed" \
    s3 put big-signed "$T/big" --sha256
s3 get big-signed >"$T/big.got" 2>"$T/err"
check "... byte-exact" cmp -s "$T/big" "$T/big.got"
expect_status 0 "20 MiB put from memory (SHA-256 signed)" \
    s3 put-mem big-mem "$T/big"
s3 get big-mem >"$T/big.got" 2>"$T/err"
check "... byte-exact" cmp -s "$T/big" "$T/big.got"
rm -f "$T/big.got"

# --- the signed payload hash ---------------------------------------------
mkdata "$T/h1" 5000
mkdata "$T/h2" 5000
expect_status 1 "a PUT whose bytes do not match the signed SHA-256 fails" \
    s3 put hashed "$T/h1" --sha256="$(sha256 "$T/h2")"
check "... as corrupt, saying so" \
    err_has 'corrupt: the object store refused PUT of "hashed": the bytes do not match'
expect_status 1 "... and wrote nothing" s3 head hashed
expect_status 1 "a malformed SHA-256 is refused before sending" \
    s3 put hashed "$T/h1" --sha256=ABC
check "... as invalid" err_has 'invalid: SHA-256 for'
expect_status 0 "the right SHA-256 is accepted" \
    s3 put hashed "$T/h1" --sha256="$(sha256 "$T/h1")"
expect_status 1 "an upload whose source ends early fails" \
    s3 put cut "$T/h1" --size=10000
check "... as an i/o error saying where it ended" \
    err_has 'i/o error: the bytes for PUT of "cut" ended after 5000 of 10000'
expect_status 1 "... and leaves no object" s3 head cut

# --- create-only -----------------------------------------------------------
s3_q put once "$T/h1" --create-only
check "create-only on a new key: created" grep -qx created "$T/out"
s3_q put once "$T/h2" --create-only
check "create-only again: exists (created=false)" grep -qx exists "$T/out"
s3_q put-mem once "$T/h2" --create-only
check "create-only from memory again: exists" grep -qx exists "$T/out"
s3 get once >"$T/once" 2>"$T/err"
check "... the object is the first one, unchanged" cmp -s "$T/h1" "$T/once"
for n in 1 2 3 4 5 6 7 8; do
	{ echo "racer $n"; head -c 200000 /dev/urandom; } >"$T/race$n"
done
racers=
for n in 1 2 3 4 5 6 7 8; do
	s3 put race "$T/race$n" --create-only >"$T/race$n.out" \
	    2>"$T/race$n.err" &
	racers="$racers $!"
done
for pid in $racers; do wait "$pid"; done
created=$(cat "$T"/race?.out | grep -cx created)
exists=$(cat "$T"/race?.out | grep -cx exists)
check "8 concurrent create-only PUTs: one created ($created), 7 exist ($exists)" \
    [ "$created" -eq 1 -a "$exists" -eq 7 ]
winner=$(grep -lx created "$T"/race?.out | head -1)
s3 get race >"$T/race.got" 2>"$T/err"
check "... and the object is the winner's bytes" \
    cmp -s "${winner%.out}" "$T/race.got"

# --- listings ---------------------------------------------------------------
expect_status 0 "1100 PUTs on one kept connection" s3 fill many/k 1100
s3 list many/ >"$T/list" 2>"$T/err"
i=0
while [ $i -lt 1100 ]; do printf 'many/k%05d\t12\n' $i; i=$((i + 1)); done \
    >"$T/list.want"
check "list of 1100 keys (two pages): every key once, in order, sizes right" \
    sh -c "cut -f1,2 '$T/list' | cmp -s - '$T/list.want'"
check "... Last-Modified a time" \
    sh -c "! cut -f3 '$T/list' | grep -qv '^1[0-9]\{9\}$'"
expect_status 0 "1100 keys each in its own \"directory\"" \
    s3 fill dirs/d 1100 /x
s3 list dirs/ / >"$T/list" 2>"$T/err"
i=0
while [ $i -lt 1100 ]; do printf 'dirs/d%05d/\t0\t0\n' $i; i=$((i + 1)); done \
    >"$T/list.want"
check "list with delimiter: 1100 common prefixes over two pages, in order" \
    cmp -s "$T/list" "$T/list.want"
printf 't' >"$T/t"
for k in tree/a/1 tree/a/2 tree/b/1 tree/c tree/d/e/f tree2/z; do
	s3 put "$k" "$T/t" >/dev/null
done
s3 list tree/ / | cut -f1,2 >"$T/list"
printf 'tree/a/\t0\ntree/b/\t0\ntree/c\t1\ntree/d/\t0\n' >"$T/list.want"
check "list tree/ with delimiter /: prefixes and keys merged in order" \
    cmp -s "$T/list" "$T/list.want"
s3 list tree/a/ | cut -f1 >"$T/list"
printf 'tree/a/1\ntree/a/2\n' >"$T/list.want"
check "list tree/a/: its two keys" cmp -s "$T/list" "$T/list.want"
s3 list tree | cut -f1 >"$T/list"
check "list tree (no slash) takes tree2/ too" \
    sh -c "[ \$(wc -l <'$T/list') -eq 6 ] && grep -qx tree2/z '$T/list'"
s3_q list nothing-here/
check "list of an empty prefix: nothing, no failure" \
    [ ! -s "$T/out" -a ! -s "$T/err" ]

# --- a configured prefix ------------------------------------------------------
mkdata "$T/p1" 777
mkdata "$T/p2" 555
s3_q_env S3_PREFIX=p1/ "$S3TOOL" put k "$T/p1"
check "prefix p1/: put k" grep -qx created "$T/out"
s3 get p1/k >"$T/p.got" 2>"$T/err"
check "... it is p1/k to a client without prefix" cmp -s "$T/p1" "$T/p.got"
expect_status 1 "... absent to a client with prefix p2/" \
    env S3_PREFIX=p2/ "$S3TOOL" head k
s3_q_env S3_PREFIX=p2/ "$S3TOOL" put k "$T/p2"
check "prefix p2/: its own k" grep -qx created "$T/out"
env S3_PREFIX=p1/ "$S3TOOL" get k >"$T/p.got" 2>"$T/err"
check "... p1/'s k unchanged" cmp -s "$T/p1" "$T/p.got"
env S3_PREFIX=p1/ "$S3TOOL" list '' >"$T/list" 2>"$T/err"
check "prefix p1/: the listing shows k, relative to the prefix, alone" \
    sh -c "[ \$(wc -l <'$T/list') -eq 1 ] && grep -q '^k	777	' '$T/list'"
expect_status 0 "prefix p1/: delete k" env S3_PREFIX=p1/ "$S3TOOL" delete k
env S3_PREFIX=p2/ "$S3TOOL" get k >"$T/p.got" 2>"$T/err"
check "... p2/'s k still there" cmp -s "$T/p2" "$T/p.got"

# --- presigned URLs -----------------------------------------------------------
# http_get URL: the status curl got, the body in $T/body.
http_get() { curl -s -o "$T/body" -w '%{http_code}' "$1"; }
key=$(sed -n 2p "$T/keys")
url=$(s3 presign "$key" 300)
check "presigned URL of \"$key\": 200" [ "$(http_get "$url")" = 200 ]
check "... with the object's bytes" cmp -s "$T/rt2" "$T/body"
url=$(s3 presign ranged 300)
check "presigned URL of a plain key: 200" [ "$(http_get "$url")" = 200 ]
check "... with the object's bytes" cmp -s "$T/r" "$T/body"
last=$(printf '%s' "$url" | tail -c 1)
case $last in 0) other=1 ;; *) other=0 ;; esac
check "a tampered signature: 403" \
    [ "$(http_get "${url%?}$other")" = 403 ]
check "... SignatureDoesNotMatch" grep -q SignatureDoesNotMatch "$T/body"
url=$(s3 presign ranged 60 --now $(($(date +%s) - 3600)))
check "an expired URL: 403" [ "$(http_get "$url")" = 403 ]
url=$(env S3_SECRET_KEY=not-the-secret "$S3TOOL" presign ranged 300)
check "a URL signed with another secret: 403" \
    [ "$(http_get "$url")" = 403 ]
expect_status 1 "a URL for more than 7 days is refused" \
    s3 presign ranged 604801
check "... as invalid" err_has 'invalid: a presigned URL lasts'

# --- refused credentials, a missing bucket --------------------------------
# shows_no_secret: no output of the last command shows either secret.
shows_no_secret() {
	! grep -qF -e "$S3_SECRET_KEY" -e wrong-secret-0123456789 \
	    "$T/out" "$T/err"
}
expect_status 1 "check with a wrong secret key fails" \
    env S3_SECRET_KEY=wrong-secret-0123456789 "$S3TOOL" check
check "... as unavailable: credentials refused" \
    err_has "unavailable: the object store refused modvault's credentials (403"
check "... showing neither secret" shows_no_secret
expect_status 1 "head with a wrong secret key fails" \
    env S3_SECRET_KEY=wrong-secret-0123456789 "$S3TOOL" head ranged
check "... credentials refused" err_has "refused modvault's credentials"
check "... showing neither secret" shows_no_secret
expect_status 1 "get with a wrong secret key fails" \
    env S3_SECRET_KEY=wrong-secret-0123456789 "$S3TOOL" get ranged
check "... credentials refused, naming S3's code" \
    err_has "credentials (403 SignatureDoesNotMatch to GET of \"ranged\")"
check "... showing neither secret" shows_no_secret
expect_status 1 "check with an unknown access key fails" \
    env S3_ACCESS_KEY=NOSUCHACCESSKEY "$S3TOOL" check
check "... credentials refused" err_has "refused modvault's credentials"
expect_status 1 "check of a missing bucket fails" \
    env S3_BUCKET=no-such-bucket "$S3TOOL" check
check "... saying which bucket is missing" \
    err_has 'unavailable: the object store has no bucket "no-such-bucket"'
expect_status 1 "get from a missing bucket fails" \
    env S3_BUCKET=no-such-bucket "$S3TOOL" get ranged
check "... saying the bucket is missing (not the key)" \
    err_has 'has no bucket "no-such-bucket"'
expect_status 1 "list of a missing bucket fails" \
    env S3_BUCKET=no-such-bucket "$S3TOOL" list ''
check "... saying the bucket is missing" err_has 'has no bucket'

# --- the byte limit of a GET -------------------------------------------------
expect_status 0 "get with --max the object's size succeeds" \
    s3 get ranged --max 100000
expect_status 1 "get with --max one byte less fails" \
    s3 get ranged --max 99999
check "... as an i/o error naming the limit" \
    err_has 'i/o error: the object store sent more than 99999 bytes for GET of'
expect_status 1 "a ranged get over its limit fails" \
    s3 get ranged 0 10 --max 5
expect_status 0 "a ranged get within its limit" s3 get ranged 0 10 --max 10

# --- a gateway that answers nothing, then none ----------------------------
# A listener that accepts and never answers: the total timeout ends it.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' >"$T/silent.port" 2>/dev/null &
silent=$!
mv_at_exit "kill $silent 2>/dev/null"
wait_file "$T/silent.port"
mv_t=$(date +%s)
expect_status 1 "a gateway that never answers: check fails" \
    env S3_ENDPOINT=http://127.0.0.1:$(cat "$T/silent.port") S3_TIMEOUT=2 \
    "$S3TOOL" check
mv_t=$(($(date +%s) - mv_t))
check "... within its 2 s timeout (took $mv_t s)" [ "$mv_t" -le 10 ]
check "... as unavailable: unreachable, timed out" \
    err_has 'unavailable: the object store at http://127.0.0.1:'
kill "$silent" 2>/dev/null
stop_ceph
mv_t=$(date +%s)
expect_status 1 "gateway stopped: check fails" \
    env S3_CONNECT_TIMEOUT=2 S3_TIMEOUT=5 "$S3TOOL" check
check "... as unavailable: unreachable" \
    err_has "unavailable: the object store at $S3_ENDPOINT is unreachable"
expect_status 1 "gateway stopped: put fails" \
    env S3_CONNECT_TIMEOUT=2 S3_TIMEOUT=5 "$S3TOOL" put x "$T/t"
check "... unreachable" err_has 'is unreachable'
mv_t=$(($(date +%s) - mv_t))
check "... both within their timeouts (took $mv_t s)" [ "$mv_t" -le 12 ]

echo "# s3-client.sh took $(($(date +%s) - mv_t0)) s"
mv_done
