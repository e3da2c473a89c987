#!/bin/sh
# man-pages.sh: the three man pages are clean mdoc, document every config
# key and CLI command the source has (once each, and nothing the source
# lacks), are installed by make install and render.
. "$MV_SRCDIR/tests/integration/lib.sh"

need mandoc
mv_tmpdir
MAN="$MV_SRCDIR/man"
PAGES="modvault.1 modvault.conf.5 modvault.fcgi.8"

for p in $PAGES; do
	mandoc -T lint -W warning "$MAN/$p" >"$MV_TMP/lint" 2>&1
	check "$p: mandoc -T lint -W warning is clean" \
	    test $? -eq 0 -a ! -s "$MV_TMP/lint"
	sed 's/^/# /' "$MV_TMP/lint"
done

# --- configuration keys: the parser's key tables against modvault.conf.5 --
# Every "static const struct key NAME[] = {" table of src/lib/base/config*.c,
# each entry's first field.
awk '/^static const struct key [a-z_]*\[\] = \{/ { t = 1; next }
    t && /^\};/ { t = 0 }
    t && match($0, /^\t\{ "[a-z0-9_]+"/) {
	s = substr($0, RSTART + 4, RLENGTH - 5); print s }' \
    "$MV_SRCDIR"/src/lib/base/config*.c | sort >"$MV_TMP/src-keys"
check "the source's key tables were found ($(wc -l <"$MV_TMP/src-keys") keys)" \
    test "$(wc -l <"$MV_TMP/src-keys")" -ge 30
# A documented key is an item ".It Ic KEY Cm = ..." of modvault.conf.5.
sed -n 's/^\.It Ic \([a-z0-9_]*\) Cm = .*/\1/p' "$MAN/modvault.conf.5" |
    sort >"$MV_TMP/man-keys-all"
sort -u "$MV_TMP/man-keys-all" >"$MV_TMP/man-keys"
missing=$(comm -23 "$MV_TMP/src-keys" "$MV_TMP/man-keys" | tr '\n' ' ')
check "every key the parser accepts is documented in modvault.conf.5${missing:+ (missing: $missing)}" \
    test -z "$missing"
twice=$(uniq -d "$MV_TMP/man-keys-all" | tr '\n' ' ')
check "each key is documented once${twice:+ (twice: $twice)}" test -z "$twice"
extra=$(comm -13 "$MV_TMP/src-keys" "$MV_TMP/man-keys" | tr '\n' ' ')
check "every key in modvault.conf.5 exists in the source${extra:+ (not in the source: $extra)}" \
    test -z "$extra"

# --- commands and options: src/cli against modvault.1 ---------------------
# The dispatch table of src/cli/main.c: '{ "NAME", cmd_NAME,'.
sed -n 's/^\t{ "\([a-z-]*\)", cmd_[a-z_]*,.*/\1/p' "$MV_SRCDIR/src/cli/main.c" |
    sort >"$MV_TMP/src-cmds"
check "the CLI's command table was found ($(wc -l <"$MV_TMP/src-cmds") commands)" \
    test "$(wc -l <"$MV_TMP/src-cmds")" -ge 9
sed -n 's/^\.It Ic \([a-z-]*\).*/\1/p' "$MAN/modvault.1" | sort >"$MV_TMP/man-cmds-all"
sort -u "$MV_TMP/man-cmds-all" >"$MV_TMP/man-cmds"
check "modvault.1 documents exactly the CLI's commands" \
    cmp -s "$MV_TMP/src-cmds" "$MV_TMP/man-cmds"
diff "$MV_TMP/src-cmds" "$MV_TMP/man-cmds" | sed -n 's/^[<>]/# &/p'
check "each command is documented once" \
    test -z "$(uniq -d "$MV_TMP/man-cmds-all")"
# Every option a command's cli_opt table names: { "NAME", ...
grep -o '{ "[a-z-]*", &\?[a-zA-Z_]*, &\?[a-zA-Z_]* }' "$MV_SRCDIR"/src/cli/*.c |
    sed 's/.*{ "\([a-z-]*\)".*/\1/' | sort -u >"$MV_TMP/src-opts"
check "the CLI's options were found ($(wc -l <"$MV_TMP/src-opts") options)" \
    test "$(wc -l <"$MV_TMP/src-opts")" -ge 11
undoc=
for o in $(cat "$MV_TMP/src-opts"); do
	if [ ${#o} -eq 1 ]; then f="Fl $o"; else f="Fl -$o"; fi
	grep -Eq "^\.(It|Op|Oo) .*$f( |\$)" "$MAN/modvault.1" || undoc="$undoc$o "
done
check "every option of the CLI is documented in modvault.1${undoc:+ (missing: $undoc)}" \
    test -z "$undoc"

# --- the README points at the pages ---------------------------------------
for p in 'modvault(1)' 'modvault.conf(5)' 'modvault.fcgi(8)'; do
	check "the README points at $p" grep -qF "$p" "$MV_SRCDIR/README"
done

# --- installed and rendered -----------------------------------------------
make -s -C "$MV_BUILDDIR" install-man DESTDIR="$MV_TMP/inst" \
    >"$MV_TMP/install.log" 2>&1
check "make install-man DESTDIR=... succeeds" test $? -eq 0
for p in man1/modvault.1 man5/modvault.conf.5 man8/modvault.fcgi.8; do
	f=$(find "$MV_TMP/inst" -path "*/$p" -type f | head -1)
	check "make install puts $p under mandir" test -n "$f"
	[ -n "$f" ] && check "the installed $p is the source's" cmp -s "$f" "$MAN/${p#*/}"
done
for p in $PAGES; do
	name=${p%.*}
	mandoc -T ascii "$MAN/$p" 2>/dev/null | col -b >"$MV_TMP/rendered"
	check "$p renders with its NAME line" \
	    grep -q "^ *$name - " "$MV_TMP/rendered"
done
if command -v man >/dev/null 2>&1; then
	MANWIDTH=80 man -l "$MAN/modvault.conf.5" 2>/dev/null | col -b >"$MV_TMP/man"
	check "man -l renders modvault.conf.5 (its data_dir item)" \
	    grep -q '^ *data_dir = directory' "$MV_TMP/man"
fi
mv_done
