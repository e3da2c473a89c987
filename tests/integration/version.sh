#!/bin/sh
# version.sh: both programs' --version print the version configure.ac's
# AC_INIT declares, exit 0 and write nothing else; a bad option is no
# version.
. "$MV_SRCDIR/tests/integration/lib.sh"

mv_tmpdir
# The expected version comes from the source, not from modvault.
WANT=$(sed -n 's/^AC_INIT(\[modvault\], *\[\([^]]*\)\].*/\1/p' \
    "$MV_SRCDIR/configure.ac")
check "configure.ac declares a version ($WANT)" \
    sh -c "printf '%s\n' '$WANT' | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$'"

for prog in "$MODVAULT" "$MODVAULT_FCGI"; do
	name=$(basename "$prog")
	expect_status 0 "$name --version exits 0" "$prog" --version
	check "$name --version prints '$name $WANT' and nothing more" \
	    test "$(cat "$MV_TMP/out")" = "$name $WANT"
	check "$name --version writes nothing on stderr" test ! -s "$MV_TMP/err"
done
# Not read from the environment: a plain CGI run with --version answers
# the same even with a configuration the responder would refuse.
printf 'bogus = 1\n' >"$MV_TMP/bad.conf"
MODVAULT_CONFIG="$MV_TMP/bad.conf" "$MODVAULT_FCGI" --version \
    >"$MV_TMP/out" 2>&1
check "modvault.fcgi --version needs no valid configuration" \
    test "$(cat "$MV_TMP/out")" = "modvault.fcgi $WANT"
MODVAULT_CONFIG="$MV_TMP/bad.conf" "$MODVAULT" --version >"$MV_TMP/out" 2>&1
check "modvault --version needs no valid configuration" \
    test "$(cat "$MV_TMP/out")" = "modvault $WANT"
# The version is in the man pages' and NEWS's words too.
check "NEWS has an entry for release $WANT" \
    grep -q "^\* Noteworthy changes in release $WANT " "$MV_SRCDIR/NEWS"
mv_done
