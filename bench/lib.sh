# bench/lib.sh: the helpers every bench script had its own copy of.
# Sourced (. "$here/lib.sh") right after a script sets $here.

# die MESSAGE: the measurement cannot be made; "SCRIPT: MESSAGE", exit 1.
die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# median FILE: the median of the numbers in FILE, one a line (the mean of
# the middle two when there is an even count).
median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
	    if (NR % 2) print v[(NR + 1) / 2];
	    else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
