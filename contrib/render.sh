#!/bin/sh
# render.sh TEMPLATE OUTPUT NAME=VALUE...
# Fills the @NAME@ placeholders of a contrib/ template.  Used by ./quickstart
# and by the integration tests, so the configs we ship are the ones we test.
set -eu
[ $# -ge 2 ] || { echo "usage: render.sh TEMPLATE OUTPUT NAME=VALUE..." >&2; exit 2; }
in=$1 out=$2
shift 2
script=
for kv in "$@"; do
	name=${kv%%=*}
	value=$(printf '%s' "${kv#*=}" | sed 's/[\\&|]/\\&/g')
	script="${script}s|@${name}@|${value}|g;"
done
sed "$script" "$in" > "$out.tmp"
if grep -n '^[^#]*@[A-Z_][A-Z_]*@' "$out.tmp" >&2; then
	echo "render.sh: $in: placeholders left unfilled (above)" >&2
	rm -f "$out.tmp"
	exit 1
fi
mv "$out.tmp" "$out"
