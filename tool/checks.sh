# checks.sh: the steps of './build.sh test' that belong to no other module:
# bisect prefixes, parts, the standard library's tests, i386, unittests.
# The table of checks, and its runner, are tool/checks.py's.

# --- what the rows run -------------------------------------------------------------

# bisect_prefix N: prefix N of the series builds and passes test_ssl.
bisect_prefix() {
    do_apply "$OPENSSL_LEG" "$1"
    do_build "$OPENSSL_LEG"
    # Against a private OpenSSL (1.1.1w), 2.7.18's setup.py builds no
    # _hashlib until the openssl3 patch that looks where _ssl looks: the
    # prefixes before it must have _ssl only.
    local from
    from=$(series | grep -n -- '-Build-_hashlib-against-the-OpenSSL' | cut -d: -f1)
    if [ -n "$OPENSSL_LIBDIR" ] && [ -n "$from" ] && [ "$1" -lt "$from" ]; then
        check_modules "$OPENSSL_LEG" _ssl
    else
        check_modules "$OPENSSL_LEG"
    fi
    do_regrtest "$OPENSSL_LEG"
}

# prefix_builds N: prefix N builds.  On OpenSSL 3 this is all that is
# checked up to the end of the openssl3 part: pristine 2.7.18 fails 21 of
# test_ssl's tests there, and that part fixes them one behaviour at a time.
prefix_builds() {
    do_apply "$OPENSSL_LEG" "$1"
    do_build "$OPENSSL_LEG"
}

# The standard library's tests that touch ssl, hashlib and what is built on
# them (tests/stdlib_compare.py names them), with pristine 2.7.18 on
# OpenSSL 1.1.1w as the baseline: no test may fail with the series that
# passes there.  Failures the machine causes are reported as known
# (tests/stdlib_known.txt), never dropped.
stdlib_run() {  # LABEL NAME: the leg's interpreter, results in build/stdlib/NAME.json
    mkdir -p "$BUILD/stdlib"
    python3 "$TOP/tests/stdlib_compare.py" run --python "$(obj_dir "$OPENSSL_LEG")/python" \
        --label "$1" --out "$BUILD/stdlib/$2.json" --logdir "$BUILD/logs/stdlib-$2"
}
stdlib_baseline() {
    do_apply "$OPENSSL_LEG" 0
    do_build "$OPENSSL_LEG"
    stdlib_run "pristine $PY_VERSION, OpenSSL $OPENSSL_LEG" baseline
}
stdlib_no_new_failures() {
    [ -f "$BUILD/stdlib/baseline.json" ] ||
        die "no baseline: run ./build.sh test stdlib-baseline-pristine-openssl-$OPENSSL111_VERSION first"
    stdlib_run "the series, OpenSSL $OPENSSL_LEG" "$OPENSSL_LEG"
    python3 "$TOP/tests/stdlib_compare.py" compare "$BUILD/stdlib/baseline.json" \
        "$BUILD/stdlib/$OPENSSL_LEG.json"
}

# parts_apply PART...: those parts alone, in series order, apply to
# pristine 2.7.18 with patch -p1 --fuzz=0 and with git am, to the same tree.
parts_apply() {
    local d=$BUILD/parts-apply patches
    patches=$(series "${@/#/--part=}")
    rm -rf "$d"
    pristine_copy "$d/patch"
    # shellcheck disable=SC2086  # patch names have no blanks
    apply_patch_list "$d/patch" 1 0 $patches
    # shellcheck disable=SC2086
    make_work_tree "$d/am" $patches
    rm -rf "$d/am/.git"
    diff -r "$d/patch" "$d/am"
    rm -rf "$d"
}

# parts_pass PART...: pristine 2.7.18 with those parts builds and passes
# test_ssl (on the row's OpenSSL), as a packager taking them would build it.
parts_pass() {
    do_apply_parts "$OPENSSL_LEG" "$@"
    do_build "$OPENSSL_LEG"
    check_modules "$OPENSSL_LEG"
    do_regrtest "$OPENSSL_LEG"
}

# one_test_passes MODULE TEST: that one test of the leg's Lib/test ran and
# passed (a skip fails the row: it would hide that nothing was checked).
one_test_passes() {
    do_regrtest "$OPENSSL_LEG" -m "$2" "$1"
    grep -E "^$2 \(.*\) \.\.\. ok\$" "$REGRTEST_LOG" ||
        { tail -n 30 "$REGRTEST_LOG"; echo "$2 did not run"; return 1; }
}

# parts_pep546_tests PART...: on OpenSSL 3, pristine 2.7.18 with those parts
# but without the openssl3 part (as Debian's and Fedora's 2.7.18 take them)
# builds, and test_ssl's MemoryBIO, SSLObject and SSLWantError tests pass.
# The rest of test_ssl needs the openssl3 part on 3.x: pristine 2.7.18
# fails 21 of its tests there.  A filter that matched nothing fails.
parts_pep546_tests() {
    do_apply_parts "$OPENSSL_LEG" "$@"
    do_build "$OPENSSL_LEG"
    do_regrtest "$OPENSSL_LEG" -m MemoryBIOTests -m SSLObjectTests \
        -m SSLObjectPairTests -m SSLWantErrorTests test_ssl
    local counts
    counts=$(python3 "$TOOL/checks.py" count "$REGRTEST_LOG") || die "no 'Ran N tests' in $REGRTEST_LOG"
    [ "${counts%% *}" -ge 50 ] || die "only ${counts%% *} MemoryBIO/SSLObject/SSLWantError tests passed"
}

# series_passes: the leg's build of the whole series (the row needs it)
# has its modules and passes test_ssl.  On the i386 legs the interpreter
# is also checked to be 32-bit (pointers, and so Py_ssize_t, of 4 bytes:
# sys.maxsize == INT_MAX).
series_passes() {
    check_modules "$OPENSSL_LEG"
    do_regrtest "$OPENSSL_LEG"
}
is_32_bit() {
    local obj; obj=$(obj_dir "$OPENSSL_LEG")
    "$obj/python" -E -c 'import struct, sys, platform
print("calcsize(P) = %d, sys.maxsize = %d, %s" % (struct.calcsize("P"), sys.maxsize, platform.architecture()[0]))
assert struct.calcsize("P") == 4 and sys.maxsize == 2**31 - 1'
    file -L "$obj/python" "$obj"/build/lib.*/_ssl.so 2>/dev/null || true
}

# unittests FILE: a Python 3 unittest file of tests/, verbose.
unittests() {
    local env=(BUILD_SH_TARBALL="$BUILD/cache/Python-$PY_VERSION.tgz"
               TLS_IN_TLS_DIR="$BUILD/tls-in-tls")
    if [ -n "${OPENSSL_LEG:-}" ]; then
        env+=(PYTHON27="$(obj_dir "$OPENSSL_LEG")/python"
              PYTHON27_LIBTEST="$BUILD/$OPENSSL_LEG/src/Lib/test")
    fi
    env "${env[@]}" python3 -m unittest discover -s "$TOP/tests" -p "$1" -v
}

# row_needs NEEDS: the row's leg holds what NEEDS says: '-', 'series' (the
# whole series applied) or 'build' (and built); src.stamp and
# obj/built.stamp tell what it holds already.
row_needs() {
    [ "$1" != - ] || return 0
    local want; want=$(series_stamp "$(series_count)")
    [ "$(cat "$BUILD/$OPENSSL_LEG/src.stamp" 2>/dev/null)" = "$want" ] ||
        do_apply "$OPENSSL_LEG"
    [ "$1" = build ] || return 0
    [ "$(cat "$(obj_dir "$OPENSSL_LEG")/built.stamp" 2>/dev/null)" = "$want" ] ||
        do_build "$OPENSSL_LEG"
}

# run_row LEG NEEDS STEP [ARG...]: one row of './build.sh test', in a
# build.sh of its own (tool/checks.py runs it as 'build.sh _row ...'): the
# leg's OpenSSL ('-' for none, OPENSSL or ARCH/OPENSSL), what NEEDS says,
# then the step, a function of tool/ that the table names.
run_row() {
    local leg=$1 needs=$2 fn=$3; shift 3
    declare -F "$fn" >/dev/null || die "the check table names a step '$fn' that no module of tool/ defines"
    case "$leg" in
        -) ;;
        */*) do_openssl "${leg#*/}" "${leg%%/*}" ;;
        *) do_openssl "$leg" "" ;;
    esac
    [ "$leg" = - ] || row_needs "$needs"
    "$fn" "$@"
}

# do_test [NAME...]: './build.sh test': the pristine source, then
# tool/checks.py runs the rows, each as a 'build.sh _row ...' of its own
# that gets the options given here.
do_test() {
    do_source
    local opts=(-j "$JOBS") args=()
    [ -z "$OPT_SOURCE" ] || opts+=(--source "$OPT_SOURCE")
    [ -z "$OPT_CASES" ] || opts+=(--cases "$OPT_CASES")
    [ "$OPT_FULL" = 0 ] || args+=(--full)
    python3 "$TOOL/checks.py" run --build-sh "$TOP/build.sh" --logdir "$BUILD/logs/test" \
        --elapsed $((SECONDS - START)) \
        "${args[@]}" "${opts[@]/#/--option=}" -- "$@"
}
