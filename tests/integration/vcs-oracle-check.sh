#!/bin/sh
# vcs-oracle-check.sh: the harness for fetching modules straight from Git
# reproduces vcs.md §16.  vcs-repos.sh makes the fixture repositories (with
# the spec's commit hashes), vcs-oracle.sh asks the go command every query
# of the §16.2 (lists), §16.3 (downloads) and §16.4 (errors) tables, and
# each answer must be the table's: Version, Time, Sum, GoModSum, error text,
# zip contents.  Tests of direct fetching can then hold modvault against
# the oracle rather than against values copied from the spec.  Last, the
# repositories served over HTTP by start_git_http (lib.sh) answer as the
# files do: ls-remote, clone, a shallow fetch by commit hash, go-get pages.
. "$MV_SRCDIR/tests/integration/lib.sh"
need git go lighttpd python3 iconv curl
mv_tmpdir
echo "# $(go version); $(git --version)"

# The test's own git commands see no system or user configuration.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_CONFIG_PARAMETERS \
    GIT_CONFIG_COUNT 2>/dev/null
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

R=$MV_TMP/repos
ORACLE=$MV_TMP/oracle.tsv
M=example.test

expect_status 0 "vcs-repos.sh makes r1..r17 with vcs.md §16.1's commit hashes" \
    sh "$MV_SRCDIR/tests/integration/vcs-repos.sh" "$R"
[ -d "$R/r17/.git" ] || { echo "Bail out! no fixture repositories"; exit 1; }

# --- the expected answers, from vcs.md §16.2–16.4 --------------------------
# Downloads (§16.3): TV|query|Version|Time|Sum|GoModSum, one line per query
# (a row's "also" queries are lines of their own; "same" written out).
cat > "$MV_TMP/downloads" <<'EOF'
TV-VC-1|r1.git@v1.0.0|v1.0.0|2024-01-01T00:00:00Z|USONEqm9bBxv0nPbb3gxITBm1IJ7ZMLXipPefgLNloo=|57I+v+meTqsGBmplT71T9g2XQs3RBjN5veGeWOJ2Hcs=
TV-VC-1|r1.git@latest|v1.0.0|2024-01-01T00:00:00Z|USONEqm9bBxv0nPbb3gxITBm1IJ7ZMLXipPefgLNloo=|57I+v+meTqsGBmplT71T9g2XQs3RBjN5veGeWOJ2Hcs=
TV-VC-1|r1.git@b0409b0|v1.0.0|2024-01-01T00:00:00Z|USONEqm9bBxv0nPbb3gxITBm1IJ7ZMLXipPefgLNloo=|57I+v+meTqsGBmplT71T9g2XQs3RBjN5veGeWOJ2Hcs=
TV-VC-1|r1.git@v1|v1.0.0|2024-01-01T00:00:00Z|USONEqm9bBxv0nPbb3gxITBm1IJ7ZMLXipPefgLNloo=|57I+v+meTqsGBmplT71T9g2XQs3RBjN5veGeWOJ2Hcs=
TV-VC-1|r1.git@v1.0|v1.0.0|2024-01-01T00:00:00Z|USONEqm9bBxv0nPbb3gxITBm1IJ7ZMLXipPefgLNloo=|57I+v+meTqsGBmplT71T9g2XQs3RBjN5veGeWOJ2Hcs=
TV-VC-2|r1.git@master|v1.0.1-0.20240203100000-17b0b1f6713f|2024-02-03T10:00:00Z|tlmBPpaIVvv74G0upMU+yreaBqcqqEA/Qr/UcJkFAow=|57I+v+meTqsGBmplT71T9g2XQs3RBjN5veGeWOJ2Hcs=
TV-VC-2|r1.git@release-2|v1.0.1-0.20240203100000-17b0b1f6713f|2024-02-03T10:00:00Z|tlmBPpaIVvv74G0upMU+yreaBqcqqEA/Qr/UcJkFAow=|57I+v+meTqsGBmplT71T9g2XQs3RBjN5veGeWOJ2Hcs=
TV-VC-2|r1.git@17b0b1f6713f|v1.0.1-0.20240203100000-17b0b1f6713f|2024-02-03T10:00:00Z|tlmBPpaIVvv74G0upMU+yreaBqcqqEA/Qr/UcJkFAow=|57I+v+meTqsGBmplT71T9g2XQs3RBjN5veGeWOJ2Hcs=
TV-VC-2|r1.git@HEAD|v1.0.1-0.20240203100000-17b0b1f6713f|2024-02-03T10:00:00Z|tlmBPpaIVvv74G0upMU+yreaBqcqqEA/Qr/UcJkFAow=|57I+v+meTqsGBmplT71T9g2XQs3RBjN5veGeWOJ2Hcs=
TV-VC-3|r1.git@v0.0.0-20240203100000-17b0b1f6713f|v0.0.0-20240203100000-17b0b1f6713f|2024-02-03T10:00:00Z|1sWa7SNl3ZNjYD45afocDW/j0dN+GvyzUnCZT2WtwAM=|57I+v+meTqsGBmplT71T9g2XQs3RBjN5veGeWOJ2Hcs=
TV-VC-4|r2.git@latest|v0.0.0-20240304050607-ce0490c017a1|2024-03-04T05:06:07Z|H4cq8ShvUmQfo+ajmrV2czaHPr43xxIlfpIHdaGkoi0=|ISMeK+nHjkr8eJDgBKYo7R1bEb2nsTRscEoVBleqDjU=
TV-VC-5|r3.git@latest|v1.1.0-pre|2024-01-01T00:00:00Z|ejBUFT4d8yClsf/365aZXa9AtS4s6MxPNA58nrMj0t4=|SOcvsMzx0Xjes5DWsZEjI6JvopLQ9A9xagr/JfpyFBA=
TV-VC-6|r3.git@master|v1.1.0-pre.0.20240102000000-29d892503da9|2024-01-02T00:00:00Z|rRXNzyyJZafeTfMi2uEBn0gFH/PiQ39aN6lR+TPOxdI=|SOcvsMzx0Xjes5DWsZEjI6JvopLQ9A9xagr/JfpyFBA=
TV-VC-7|r4.git@v0.1.0|v0.1.0|2024-01-01T00:00:00Z|ZRTFFRkywHvdQ1FMVq8UNhB0LrlYkA1TTgQsexKW/Js=|3ybhVF8wRBKGMI+zlGko0aJoV/fIwFWNm78kwz9I9Hc=
TV-VC-8|r4.git/sub@v1.2.0|v1.2.0|2024-01-01T00:00:00Z|w1HpptVJhZLMp1p0nZYDxZ3009CYZegi2abcIRUfo2c=|2/A7CMEcuqV9/SMedEniSSF7i8GXSyzDPSwrSUCnmM8=
TV-VC-9|r4.git/sub@master|v1.2.1-0.20240102000000-b988c7d454df|2024-01-02T00:00:00Z|joly6ZVehLhfrDcPgPQtBCqIEQssV4tIANBkhzVZ+4A=|2/A7CMEcuqV9/SMedEniSSF7i8GXSyzDPSwrSUCnmM8=
TV-VC-10|r5.git@v1.0.0|v1.0.0|2024-01-01T00:00:00Z|0gDLMo+6MMpzC/HiXWcHmSfEHWiLcr/AiIMcMWPWrX0=|x4L5XTnjA8eftAXMfXMe9KSPvYTetbWXt4e3ri9Fdzo=
TV-VC-11|r5.git/v2@v2.0.0|v2.0.0|2024-01-02T00:00:00Z|khjiEFJ6ksexrqEk7NkRPdh4UhbMCtEun888y+eVFQs=|qLgLJ84LI8H8vIj6nQ8v9l1X/ytH5cD0ZagLC21kA6U=
TV-VC-12|r6.git@v1.0.0|v1.0.0|2024-01-01T00:00:00Z|OKLWIHpkBUiRRf8xa986nXcfAcTql9iy+hm2m75KLoQ=|UGqliFLtvcxeTKV/fPqWgDT/DOLGzd+n9yoSHUUtcT8=
TV-VC-12|r6.git@master|v1.0.0|2024-01-01T00:00:00Z|OKLWIHpkBUiRRf8xa986nXcfAcTql9iy+hm2m75KLoQ=|UGqliFLtvcxeTKV/fPqWgDT/DOLGzd+n9yoSHUUtcT8=
TV-VC-13|r6.git/v2@v2.0.0|v2.0.0|2024-01-01T00:00:00Z|JixAOPuvyDtgBFQj1Vp9TWTH3GpTOHNjSQG2cJNaBQw=|sb5uAbraUkjGsrhjmoRtZC+A0QYLoGpei/3ypVGzGHA=
TV-VC-13|r6.git/v2@master|v2.0.0|2024-01-01T00:00:00Z|JixAOPuvyDtgBFQj1Vp9TWTH3GpTOHNjSQG2cJNaBQw=|sb5uAbraUkjGsrhjmoRtZC+A0QYLoGpei/3ypVGzGHA=
TV-VC-14|r7.git@v1.0.0|v1.0.0|2024-01-01T00:00:00Z|c75kKjPlUdNowC1tAaCHekhe6oCoh4xXdHZS9odW/d0=|e1C0/7O2W3rc8/J0NC6Egpe/sJnymjFJiXeMlaOSGdk=
TV-VC-15|r7.git@latest|v2.0.0+incompatible|2024-01-02T00:00:00Z|NVNU/p5sdXP4OvUfs+7mX1pKRkwdNy1MRCTRKlasCuM=|e1C0/7O2W3rc8/J0NC6Egpe/sJnymjFJiXeMlaOSGdk=
TV-VC-15|r7.git@v2.0.0|v2.0.0+incompatible|2024-01-02T00:00:00Z|NVNU/p5sdXP4OvUfs+7mX1pKRkwdNy1MRCTRKlasCuM=|e1C0/7O2W3rc8/J0NC6Egpe/sJnymjFJiXeMlaOSGdk=
TV-VC-16|r7.git@master|v2.0.1-0.20240103000000-6ba0cde659c0+incompatible|2024-01-03T00:00:00Z|MEoRUKi0v6l8yTDSA8aaawx7htTeDYvh2WQv99a71cs=|e1C0/7O2W3rc8/J0NC6Egpe/sJnymjFJiXeMlaOSGdk=
TV-VC-17|r8.git@latest|v1.0.0|2024-01-01T00:00:00Z|Rv6fAKLeaKmzVjBkPnJNZGifWkuDa78w+Q+TtRCzMi0=|r6vS/RZ+IgwlLdGcaxRDxE2xa36+ouNqCuig2Ze2LXI=
TV-VC-18|r8.git@v2.0.0|v2.0.0+incompatible|2024-01-02T00:00:00Z|/c8lkiC0jqFmz6A36+8dy1oftQJ50q7knglmvXpTNSk=|r6vS/RZ+IgwlLdGcaxRDxE2xa36+ouNqCuig2Ze2LXI=
TV-VC-19|r9.git@v1.0.0|v1.0.0|2024-01-01T00:00:00Z|Btmd7/SDIZMwjjOzxrO2zecOjz7csfUQSOzVku+uuM0=|ONDt3NBLIsiSYMIs8CcFk8f+yszY3o+AWxr9xZkf9MA=
TV-VC-20|r10.git@master|v1.3.0-rc.1.0.20240103000000-aec57d35c8fb|2024-01-03T00:00:00Z|izsD+Tb6UuBun+E152pR9wH+l0d35KvedjtIEzjjMws=|pvr6FsRyKgUPQI3pl0f7FrlYhCvXMyqFbU8jSAUMlzY=
TV-VC-21|r10.git@latest|v1.5.0|2024-01-04T00:00:00Z|sCHCUPP9t8lz8iqM+q/b99fEmz63JbdfZ/NMd2nvGqE=|pvr6FsRyKgUPQI3pl0f7FrlYhCvXMyqFbU8jSAUMlzY=
TV-VC-21|r10.git@side|v1.5.0|2024-01-04T00:00:00Z|sCHCUPP9t8lz8iqM+q/b99fEmz63JbdfZ/NMd2nvGqE=|pvr6FsRyKgUPQI3pl0f7FrlYhCvXMyqFbU8jSAUMlzY=
TV-VC-22|r10.git@708a2864827381be03ef762beaf92ee90cf197e0|v1.3.0-rc.1|2024-01-02T00:00:00Z|DAIW8M73Jk8swIIX+gS4LbW5Q5NAOFS3Y5FLU/gMTTk=|pvr6FsRyKgUPQI3pl0f7FrlYhCvXMyqFbU8jSAUMlzY=
TV-VC-23|r11.git@master|v1.2.1-0.20240103000000-326148912768|2024-01-03T00:00:00Z|yltHQHo7hLziQMAVxF0qPzr6BclWy7lBjxv/Uc81qGY=|PNIhkNJJ4jwagnKZqCyZmc/ps7lQpCE2exTPTnsqhoU=
TV-VC-24|r11.git@e70dbc620c1489ce7e4cd565f99dd0fa8e4e868a|v1.1.0|2024-01-02T00:00:00Z|YuYy4srq8bRo5fivWrWjUYw9jBZaL0KwekH4GuCCPyg=|PNIhkNJJ4jwagnKZqCyZmc/ps7lQpCE2exTPTnsqhoU=
TV-VC-25|r12.git@master|v1.1.1-0.20240102000000-478acee9b51f|2024-01-02T00:00:00Z|zAd8y1KuP00JyK1NiaFXb6dNy9zb5u+99lcGd6R5sRA=|IaYIJOe4WttxpUZMjOSvguSWFv9M+dr31/zMBq55hjQ=
TV-VC-25|r12.git@v1.1.0+meta|v1.1.1-0.20240102000000-478acee9b51f|2024-01-02T00:00:00Z|zAd8y1KuP00JyK1NiaFXb6dNy9zb5u+99lcGd6R5sRA=|IaYIJOe4WttxpUZMjOSvguSWFv9M+dr31/zMBq55hjQ=
TV-VC-26|r13.git@v1.0.0|v1.0.0|2024-01-01T00:00:00Z|dO+U5xFlF9jj9M6psF9CpMoFY21zp/tjVhch0NXS5Gg=|ofNl57qiHmRud8K/427M7PvADQg24JjVw3bWLZLmgAc=
TV-VC-27|r13.git@v2.0.0|v2.0.0+incompatible|2024-01-02T00:00:00Z|PTcv2RCDMepc40YwmzInHwrwnhRfE21INLjcI1/s48s=|ofNl57qiHmRud8K/427M7PvADQg24JjVw3bWLZLmgAc=
TV-VC-28|r13.git@v3.0.0|v3.0.0+incompatible|2024-01-04T00:00:00Z|oq5nIzluFP5BuEYJbX9aQKV3sxg48YOlDRarX4OlBY8=|ofNl57qiHmRud8K/427M7PvADQg24JjVw3bWLZLmgAc=
TV-VC-29|r13.git@v4.0.0+incompatible|v4.0.0+incompatible|2024-01-05T00:00:00Z|CAMk0Aw0vSWFz352w1eIDF3NYSYP6JLFc7tlRNeuUDo=|ofNl57qiHmRud8K/427M7PvADQg24JjVw3bWLZLmgAc=
TV-VC-29|r13.git@latest|v4.0.0+incompatible|2024-01-05T00:00:00Z|CAMk0Aw0vSWFz352w1eIDF3NYSYP6JLFc7tlRNeuUDo=|ofNl57qiHmRud8K/427M7PvADQg24JjVw3bWLZLmgAc=
TV-VC-30|r14.git@master|v0.0.0-20240101000000-bd9d6d720c67|2024-01-01T00:00:00Z|R/VSLt8ep98oMDhyKMmQ0yAn0/qTet8JCEr6DqIUpkw=|hs2qUgZnh6yXGCwMqXWoSOJSs1VDa4GFUDUzu0ogWD8=
TV-VC-31|r15.git@v1.0.0|v1.0.0|2024-01-01T00:00:00Z|dDE8/5pjJLYqDzRiNe1g670Z2WJ19TW8gy74jm0nVYM=|I5lytXClP24JlkfcSwi1XbMhHVgLTe/VLmj7zvFinVw=
TV-VC-32|r16.git@v1.0.0|v1.0.0|2024-01-01T00:00:00Z|z00wQWN466Nt9+KMEXCXAgbuN+wXyU6I573Dz7qB4CI=|4cD/d9YYIs01WM3uJyhSYuhwPwvyIYwZC5wheirvFVM=
TV-VC-33|r17.git@latest|v0.0.0-20240101000000-b38f227ddf48|2024-01-01T00:00:00Z|Pj4QR2ZQpWbBdb3Mf4YHFGxxG76uT3n5oDyFYjVEKVg=|dbMdGW4USYfTJ/CwgnAlsAr7GC2MI60zP0sbd6NKAPw=
EOF

# Errors (§16.4): TV|query|after or whole|text.  "after": the Error is
# "M@query: " and the text; "whole": the Error is the text.  E13's full
# hash is r14's refs/pull/1/head (vcs-repos.sh checked its first 12 digits).
cat > "$MV_TMP/errors" <<'EOF'
TV-VC-E1|r5.git@v2.0.0|after|invalid version: go.mod has post-v2 module path "example.test/r5.git/v2" at revision v2.0.0
TV-VC-E2|r5.git/v2@v1.0.0|after|invalid version: go.mod has non-.../v2 module path "example.test/r5.git" (and .../v2/go.mod does not exist) at revision v1.0.0
TV-VC-E3|r6.git@v2.0.0|after|invalid version: module contains a go.mod file, so module path must match major version ("example.test/r6.git/v2")
TV-VC-E3|r13.git@v2.1.0|after|invalid version: module contains a go.mod file, so module path must match major version ("example.test/r13.git/v2")
TV-VC-E4|r13.git@v4.0.0|after|invalid version: module contains a go.mod file, so module path must match major version ("example.test/r13.git/v4")
TV-VC-E5|r7.git@v1.0.0+incompatible|after|invalid version: +incompatible suffix not allowed: major version v1 is compatible
TV-VC-E6|r17.git@v1.2.3|after|invalid version: resolves to version v0.0.0-20240101000000-b38f227ddf48 (v1.2.3 is not a tag)
TV-VC-E7|r1.git@v1.0.1-0.20240203100001-17b0b1f6713f|after|invalid pseudo-version: does not match version-control timestamp (expected 20240203100000)
TV-VC-E8|r1.git@v1.0.1-0.20240203100000-17b0b1f6713|after|invalid pseudo-version: revision is shorter than canonical (expected 17b0b1f6713f)
TV-VC-E9|r1.git@v1.0.0-20240203100000-17b0b1f6713f|after|invalid pseudo-version: major version without preceding tag must be v0, not v1
TV-VC-E10|r1.git@v1.0.0-0.20240101000000-b0409b075214|after|invalid pseudo-version: version before v1.0.0 would have negative patch number
TV-VC-E11|r1.git@v1.0.1|after|invalid version: unknown revision v1.0.1
TV-VC-E11|r1.git@b0409b|after|invalid version: unknown revision b0409b
TV-VC-E11|r1.git@B0409B0|after|invalid version: unknown revision B0409B0
TV-VC-E12|r4.git/sub@v0.1.0|after|invalid version: unknown revision sub/v0.1.0
TV-VC-E13|r14.git@409473dbd388|after|invalid version: unknown revision 409473dbd388
TV-VC-E13|r14.git@409473dbd3889778128b8ea8e5db606d61167648|after|invalid version: unknown revision 409473dbd3889778128b8ea8e5db606d61167648
TV-VC-E14|r2.git/v2@latest|whole|module example.test/r2.git/v2: no matching versions for query "latest"
TV-VC-E15|r12.git@v1.1|whole|module example.test/r12.git: no matching versions for query "v1.1"
EOF

# Lists (§16.2): TV|module|versions.
cat > "$MV_TMP/lists" <<'EOF'
TV-VC-L|r1.git|v1.0.0
TV-VC-L|r2.git|
TV-VC-L|r17.git|
TV-VC-L|r3.git|v1.1.0-pre
TV-VC-L|r4.git|v0.1.0
TV-VC-L|r4.git/sub|v1.2.0
TV-VC-L|r5.git|v1.0.0
TV-VC-L|r5.git/v2|v2.0.0
TV-VC-L|r6.git|v1.0.0
TV-VC-L|r6.git/v2|v2.0.0
TV-VC-L|r7.git|v1.0.0 v2.0.0+incompatible
TV-VC-L|r8.git|v1.0.0
TV-VC-L|r10.git|v1.1.0 v1.2.0 v1.3.0-rc.1 v1.5.0
TV-VC-L|r11.git|v1.1.0 v1.2.0 v1.5.0
TV-VC-L|r12.git|v1.0.0
TV-VC-L|r13.git|v1.0.0 v3.0.0+incompatible v4.0.0+incompatible
EOF

# --- the oracle: every query in one run, r11 again with -retracted ---------
# (vcs-oracle.sh takes the queries as arguments; none holds white space.)
# shellcheck disable=SC2046
expect_status 0 "vcs-oracle.sh answers all $(cat "$MV_TMP/downloads" "$MV_TMP/errors" "$MV_TMP/lists" | wc -l | tr -d ' ') queries" \
    sh "$MV_SRCDIR/tests/integration/vcs-oracle.sh" "$R" "$ORACLE" \
    $(cut -d'|' -f2 "$MV_TMP/downloads" "$MV_TMP/errors" "$MV_TMP/lists" |
      sed "s|^|$M/|")
expect_status 0 "vcs-oracle.sh -retracted" \
    sh "$MV_SRCDIR/tests/integration/vcs-oracle.sh" -retracted "$R" \
    "$MV_TMP/retracted.tsv" "$M/r11.git"

# answer FILE QUERY: the fields after the query of FILE's line for QUERY,
# joined by "|".
answer() {
	awk -F'\t' -v OFS='\t' -v q="$2" '$1 == q { $1 = ""; sub(/^\t/, ""); print; exit }' \
	    "$1" | tr '\t' '|'
}

# same TV QUERY GOT WANT: ok when GOT is WANT, else both as comments.
same() {
	if [ "$3" = "$4" ]; then
		ok "$1 $2"
	else
		fail "$1 $2"
		echo "#   got:  $3"
		echo "#   want: $4"
	fi
}

while IFS='|' read -r tv q v t s g; do
	same "$tv" "$q: $v $t" "$(answer "$ORACLE" "$M/$q")" \
	    "$v|$t|h1:$s|h1:$g|"
done < "$MV_TMP/downloads"
while IFS='|' read -r tv q how text; do
	[ "$how" = after ] && text="$M/$q: $text"
	same "$tv" "$q: error" "$(answer "$ORACLE" "$M/$q")" "||||$text"
done < "$MV_TMP/errors"
while IFS='|' read -r tv q vs; do
	same "$tv" "$q: versions '$vs'" "$(answer "$ORACLE" "$M/$q")" "$vs|"
done < "$MV_TMP/lists"
same TV-VC-L "r11.git -retracted: the retracted rc too" \
    "$(answer "$MV_TMP/retracted.tsv" "$M/r11.git")" \
    "v1.1.0 v1.2.0 v1.3.0-rc.1 v1.5.0|"

# --- the bytes the oracle kept (ORACLE.d) ------------------------------------
# Each download's .info, .mod and .zip must be the go command's: their h1
# hashes (H-1, computed here independently) are the Sum and GoModSum go
# printed, the .info names the Version and Time; §16.3's zip file sets and
# contents to check hold.  One line "ok|fail DESCRIPTION" per check.
python3 - "$ORACLE" "$M" > "$MV_TMP/bytes" <<'PY'
import base64, hashlib, json, os, sys, zipfile

oracle, top = sys.argv[1], sys.argv[2]
tree = oracle + ".d"


def h1(files):
    """dirhash Hash1 of [(name, bytes)]."""
    summary = "".join("%s  %s\n" % (hashlib.sha256(data).hexdigest(), name)
                      for name, data in sorted(files))
    return "h1:" + base64.b64encode(
        hashlib.sha256(summary.encode()).digest()).decode()


def esc(p):
    return "".join("!" + c.lower() if c.isupper() else c for c in p)


def report(good, desc, why=""):
    print(("ok " if good else "fail ") + desc + (": " + why if why and not good else ""))


zips, mods, infos = {}, {}, {}
bad = []
n = 0
for line in open(oracle):
    f = line.rstrip("\n").split("\t")
    if "@" not in f[0] or not f[1]:
        continue
    q, ver, when, sum_, gomodsum = f[0], f[1], f[2], f[3], f[4]
    mod = q.split("@", 1)[0]
    base = os.path.join(tree, esc(mod), "@v", esc(ver))
    try:
        info = open(base + ".info", "rb").read()
        gomod = open(base + ".mod", "rb").read()
        z = zipfile.ZipFile(base + ".zip")
    except OSError as e:
        bad.append("%s: %s" % (q, e))
        continue
    files = [(i.filename, z.read(i)) for i in z.infolist()]
    j = json.loads(info)
    n += 1
    if h1(files) != sum_:
        bad.append("%s: zip h1 %s, go printed %s" % (q, h1(files), sum_))
    if h1([("go.mod", gomod)]) != gomodsum:
        bad.append("%s: .mod h1 is not its GoModSum" % q)
    if j.get("Version") != ver or j.get("Time") != when:
        bad.append("%s: .info says %s %s" % (q, j.get("Version"), j.get("Time")))
    prefix = "%s@%s/" % (mod, ver)
    if any(not name.startswith(prefix) for name, _ in files):
        bad.append("%s: a zip file outside %s" % (q, prefix))
    short = mod[len(top) + 1:]
    zips[short + "@" + ver] = {name[len(prefix):]: data for name, data in files}
    mods[short + "@" + ver] = gomod
    infos[short + "@" + ver] = info
report(n > 0 and not bad,
       "ORACLE.d: each of the %d downloads' .zip and .mod hash to the Sum and "
       "GoModSum go printed, its .info names Version and Time" % n,
       "; ".join(bad))

# §16.3 "Zip file sets", by the version each row resolves to.
R1 = ".gitattributes LICENSE go.mod ignored.txt r1.go subst.txt"
GP = "go.mod p.go"
sets = {
    "r1.git@v1.0.0": R1,
    "r1.git@v1.0.1-0.20240203100000-17b0b1f6713f": R1,
    "r1.git@v0.0.0-20240203100000-17b0b1f6713f": R1,
    "r2.git@v0.0.0-20240304050607-ce0490c017a1": "r2.go",
    "r3.git@v1.1.0-pre": "go.mod r3.go",
    "r3.git@v1.1.0-pre.0.20240102000000-29d892503da9": "go.mod r3.go",
    "r4.git@v0.1.0": "LICENSE go.mod r4.go",
    "r4.git/sub@v1.2.0": "LICENSE go.mod sub.go",
    "r4.git/sub@v1.2.1-0.20240102000000-b988c7d454df": "LICENSE go.mod sub.go",
    "r5.git@v1.0.0": "go.mod r5.go",
    "r5.git/v2@v2.0.0": "go.mod r5.go",
    "r6.git@v1.0.0": "LICENSE go.mod r6.go",
    "r6.git/v2@v2.0.0": "LICENSE go.mod r6.go",
    "r7.git@v1.0.0": "r7.go",
    "r7.git@v2.0.0+incompatible": "r7.go",
    "r7.git@v2.0.1-0.20240103000000-6ba0cde659c0+incompatible": "r7.go",
    "r8.git@v1.0.0": "go.mod r8.go",
    "r8.git@v2.0.0+incompatible": "r8.go",
    "r9.git@v1.0.0": ".gitattributes crlf.txt enc.txt exec.sh go.mod ident.txt",
    "r10.git@v1.3.0-rc.1.0.20240103000000-aec57d35c8fb": GP,
    "r10.git@v1.5.0": GP,
    "r10.git@v1.3.0-rc.1": GP,
    "r11.git@v1.2.1-0.20240103000000-326148912768": GP,
    "r11.git@v1.1.0": GP,
    "r12.git@v1.1.1-0.20240102000000-478acee9b51f": GP,
    "r13.git@v1.0.0": "p.go",
    "r13.git@v2.0.0+incompatible": "p.go",
    "r13.git@v3.0.0+incompatible": "p.go",
    "r13.git@v4.0.0+incompatible": "p.go",
    "r14.git@v0.0.0-20240101000000-bd9d6d720c67": "go.mod",
    "r15.git@v1.0.0": "go.mod",
    "r16.git@v1.0.0": ".gitattributes go.mod",
    "r17.git@v0.0.0-20240101000000-b38f227ddf48": "go.mod",
}
bad = ["%s: %s, want %s" % (mv, " ".join(sorted(zips.get(mv, {"(no zip)": 0}))), want)
       for mv, want in sets.items()
       if sorted(zips.get(mv, {})) != sorted(want.split())]
report(not bad, "§16.3 zip file sets (%d versions)" % len(sets), "; ".join(bad))


def content(desc, got, want):
    report(got == want, desc, "%r, want %r" % (got, want))


z = zips.get("r1.git@v1.0.0", {})
content("TV-VC-1 zip: subst.txt not substituted", z.get("subst.txt"),
        b"$Format:%H$\n")
content("TV-VC-1 zip: export-ignore'd ignored.txt kept, symlink link.go left out",
        ("ignored.txt" in z, "link.go" in z), (True, False))
z = zips.get("r9.git@v1.0.0", {})
content("TV-VC-19 zip: crlf.txt converted (eol=crlf)", z.get("crlf.txt"),
        b"a\r\nb\r\n")
content("TV-VC-19 zip: ident.txt expanded", z.get("ident.txt"),
        b"$Id: 055c8729cdcc372500a08db659c045e16c4409fb $\n")
content("TV-VC-19 zip: enc.txt as stored (UTF-16LE)", z.get("enc.txt"),
        b"h\0i\0\n\0")
content("TV-VC-19 zip: no gitlink", "gitlink" in z, False)
content("TV-VC-32 .mod is the raw blob",
        mods.get("r16.git@v1.0.0"), b"module example.test/r16.git\n")
content("TV-VC-32 zip go.mod is converted (eol=crlf)",
        zips.get("r16.git@v1.0.0", {}).get("go.mod"),
        b"module example.test/r16.git\r\n")
content("TV-VC-4 .mod synthesized",
        mods.get("r2.git@v0.0.0-20240304050607-ce0490c017a1"),
        b"module example.test/r2.git\n")
content("TV-VC-14 .mod synthesized", mods.get("r7.git@v1.0.0"),
        b"module example.test/r7.git\n")
content("TV-VC-31 .mod declares the foreign path", mods.get("r15.git@v1.0.0"),
        b"module example.com/other\n")
content("TV-VC-9 .info bytes",
        infos.get("r4.git/sub@v1.2.1-0.20240102000000-b988c7d454df"),
        b'{"Version":"v1.2.1-0.20240102000000-b988c7d454df",'
        b'"Time":"2024-01-02T00:00:00Z","Origin":{"VCS":"git",'
        b'"URL":"https://example.test/r4","Subdir":"sub",'
        b'"Hash":"b988c7d454df8b0d7e85c32c564c470c88d4a78f"}}')
PY
[ -s "$MV_TMP/bytes" ] || fail "the ORACLE.d checks ran"
while read -r verdict desc; do
	if [ "$verdict" = ok ]; then ok "$desc"; else fail "$desc"; fi
done < "$MV_TMP/bytes"

# --- the same repositories over HTTP (start_git_http) ------------------------
mkdir -p "$MV_TMP/git-http/www/vanity/m1" "$MV_TMP/git-http/www/vanity"
printf '<meta name="go-import" content="m1">\n' \
    > "$MV_TMP/git-http/www/vanity/m1/index.html"
printf '<meta name="go-import" content="m2">\n' \
    > "$MV_TMP/git-http/www/vanity/m2"
if ! start_git_http "$R" "$MV_TMP/git-http"; then
	fail "start_git_http: lighttpd serves git http-backend"
	mv_done
fi
ok "start_git_http: lighttpd serves git http-backend on port $GIT_HTTP_PORT"
G=$GIT_HTTP_URL/git

git ls-remote "$G/r1" > "$MV_TMP/ls.http" 2>"$MV_TMP/ls.err"
git ls-remote "file://$R/r1" > "$MV_TMP/ls.file"
check "git ls-remote $G/r1 lists the refs of file://…/r1" \
    sh -c "[ -s '$MV_TMP/ls.file' ] && cmp -s '$MV_TMP/ls.http' '$MV_TMP/ls.file'"
differ=
for n in 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do
	[ "$(git ls-remote "$G/r$n" 2>&1)" = "$(git ls-remote "file://$R/r$n")" ] ||
	    differ="$differ r$n"
done
check "git ls-remote over HTTP lists the same refs for r2..r17 (differ:${differ:- none})" \
    [ -z "$differ" ]
check "a repository not in REPOS_DIR: ls-remote fails" \
    sh -c "! git ls-remote '$G/nosuch' >/dev/null 2>&1"

# A shallow fetch of one commit by its full hash, as a client that knows
# the hash but no ref would make it, with protocol v2 (git's default) and
# v0 (which needs uploadpack.allow*SHA1InWant); the v0 fetch asks for r1's
# v1.0.0 commit, which no branch has at its tip.
H=$(git -C "$R/r1" rev-parse master)
H0=$(git -C "$R/r1" rev-parse 'v1.0.0^{commit}')
git init -q -b master "$MV_TMP/shallow"
git -C "$MV_TMP/shallow" remote add origin "$G/r1"
# fetched PROTO HASH: a --depth=1 fetch of HASH with protocol.version
# PROTO gives HASH, and the clone is shallow.
fetched() {
	git -C "$MV_TMP/shallow" -c protocol.version="$1" fetch -q --depth=1 \
	    origin "$2" 2>"$MV_TMP/fetch.err" &&
	[ "$(git -C "$MV_TMP/shallow" rev-parse FETCH_HEAD)" = "$2" ] &&
	grep -qx "$2" "$MV_TMP/shallow/.git/shallow" ||
	    { sed 's/^/# /' "$MV_TMP/fetch.err"; return 1; }
}
check "git fetch --depth=1 origin <r1 master's hash> over HTTP (protocol v2)" \
    fetched 2 "$H"
check "git fetch --depth=1 origin <r1 v1.0.0's hash> over HTTP (protocol v0)" \
    fetched 0 "$H0"
check "git clone over HTTP: r4's master" \
    sh -c "git clone -q '$G/r4' '$MV_TMP/clone' 2>/dev/null &&
	[ \$(git -C '$MV_TMP/clone' rev-parse HEAD | cut -c1-12) = b988c7d454df ]"

# go-get pages: the query string ignored, a directory's index.html without
# a redirect, text/html.
# page PATH WANT: /PATH?go-get=1 answers 200, text/html, holding WANT.
page() {
	curl -s -D "$MV_TMP/page.h" -o "$MV_TMP/page" \
	    "$GIT_HTTP_URL/$1?go-get=1" &&
	head -1 "$MV_TMP/page.h" | grep -q ' 200' &&
	grep -qi '^content-type: text/html' "$MV_TMP/page.h" &&
	grep -qF "$2" "$MV_TMP/page" ||
	    { sed 's/^/# /' "$MV_TMP/page.h"; return 1; }
}
check "?go-get=1 page from www/vanity/m2 (a file)" page vanity/m2 'content="m2"'
check "?go-get=1 page from www/vanity/m1/index.html (a directory, no redirect)" \
    page vanity/m1 'content="m1"'
check "a missing page is 404" \
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$GIT_HTTP_URL/vanity/m3?go-get=1")" = 404 ]
stop_git_http

mv_done
