#!/bin/sh
# layers.sh: the library's layers and seams, checked on the source.
#
# src/lib/<layer>/ and include/modvault/<layer>/ may include only their own
# layer's headers and those of the layers below (the order of Makefile.am):
#
#   base < proto < zip, net, policy, vcs < store < sumdb < source < serve
#
# and the front ends (cgi/, src/cli/) sit above them all.  Also checked:
# nothing outside the blob backends calls a backend's ops table, and no
# code outside src/lib/store/ builds a path from data_dir.  TAP output.
set -u
src=${MV_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$src" || exit 1

rank() {
	case $1 in
	base) echo 0 ;; proto) echo 1 ;; zip|net|policy|vcs) echo 2 ;;
	store) echo 3 ;; sumdb) echo 4 ;; source) echo 5 ;; serve) echo 6 ;;
	*) echo 99 ;;
	esac
}

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }

# Every include of a library header, from every library file.
bad=$(
	for f in $(find src/lib include/modvault -name '*.[ch]' | sort); do
		layer=$(echo "$f" | sed -E 's#^(src/lib|include/modvault)/([^/]+)/.*#\2#')
		mine=$(rank "$layer")
		grep -o '#include "modvault/[a-z]*/' "$f" | sed 's#.*modvault/##; s#/$##' |
		    sort -u | while read -r dep; do
			[ "$(rank "$dep")" -le "$mine" ] ||
			    echo "$f ($layer) includes a $dep header"
		done
	done
)
if [ -z "$bad" ]; then
	ok "every library file includes only its layer and those below"
else
	notok "includes that run upward"
	echo "$bad" | sed 's/^/# /'
fi

# Each layer directory is a known one (a new layer must be ranked here).
unknown=$({ ls src/lib; ls include/modvault; } | sort -u | while read -r d; do
	[ "$(rank "$d")" -ne 99 ] || echo "$d"; done)
if [ -z "$unknown" ]; then
	ok "every layer has a rank"
else
	notok "layers without a rank: $unknown"
fi

# The blob backend's table is called only through mv_blob_* (blob.c).
calls=$(grep -rn -- '->ops->' src cgi | grep -v '^src/lib/store/blob\.c:' |
    grep -v '^src/lib/store/blob_[a-z]*\.c:' || true)
if [ -z "$calls" ]; then
	ok "no file outside the blob functions calls a backend's ops"
else
	notok "ops tables called directly"
	echo "$calls" | sed 's/^/# /'
fi

# Paths under data_dir are the store's business alone.
paths=$(grep -rn 'data_dir' src cgi | grep -v '^src/lib/store/' |
    grep '"%s/' || true)
if [ -z "$paths" ]; then
	ok "no file outside the store builds a path under data_dir"
else
	notok "paths built from data_dir outside the store"
	echo "$paths" | sed 's/^/# /'
fi

# The test-only crash hook is not in the installed programs' sources.
if grep -rq 'MODVAULT_TEST_CRASH_AT' src cgi; then
	notok "MODVAULT_TEST_CRASH_AT is read outside tests/"
else
	ok "the crash hook lives only in tests/"
fi

echo "1..$n"
exit $failed
