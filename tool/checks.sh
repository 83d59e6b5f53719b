# checks.sh: './build.sh test': the table of counted checks and what runs it.

# The counted checks, in the order they run.  Fields:
#   name     what './build.sh test NAME...' takes.  '{0..N}' (or {1..N}) makes
#            one row per prefix of the series, N being its number of patches;
#            '{n}' in the arguments is that number.  O is the number of
#            patches up to the end of the openssl3 part.
#   when     ci: every './build.sh test'; full: only with --full (or by name).
#   openssl  the --openssl it runs on, '-' for none; ARCH/OPENSSL (i386/system)
#            with that --arch too.  The runner gets it
#            before the row (one 'openssl:' line when it changes), except one
#            that is built here (openssl_builds), which the row itself gets.
#   needs    what the leg must hold first, got inside the row (silently when
#            it already does): '-', 'series' (the whole series applied) or
#            'build' (applied and built).
#   counts   1: one result, passed when the function returns 0; tests: the
#            function runs Python unittests with -v, each test is counted.
#   runs     a function and its arguments.  It runs in a subshell with
#            errexit, its output in build/logs/test/NAME.log; OPENSSL_LEG
#            names the leg (build/LEG).
# To add a check, add one line here, and its function where its step lives
# (a module of tool/).  A unittest file of tests/ needs no function:
# '... tests unittests test_x.py' gives it BUILD_SH_TARBALL and, on a leg,
# PYTHON27 and PYTHON27_LIBTEST (that leg's interpreter and its Lib/test).
check_table() {
    local o=$OPENSSL111_VERSION n=$OPENSSL35_VERSION f=$OPENSSL40_VERSION
    cat <<TABLE
# name                                when openssl needs  counts runs
hygiene-series-lists-every-patch      ci   -       -      1      hygiene_series_matches_files
hygiene-subjects-and-bodies           ci   -       -      1      hygiene_subjects_and_bodies
hygiene-patch-gitam-pyenv-agree       ci   -       -      1      hygiene_apply_methods
hygiene-added-files-match-series      ci   -       -      1      hygiene_added_files
hygiene-export-is-byte-stable         ci   -       -      1      hygiene_export_is_stable
hygiene-dropins-match-series          ci   -       -      1      hygiene_dropins_match_series
release-reproducible-and-verified     ci   -       -      1      test_release
dist-yocto-target-applies             ci   -       -      1      test_dist_yocto_target_applies
tool-tests                            ci   -       -      tests  unittests test_build_sh.py
tool-units                            ci   -       -      tests  unittests test_tool.py
tool-stdlib-compare                   ci   -       -      tests  unittests test_stdlib_compare.py
tool-dropins                          ci   -       -      tests  unittests test_dropins.py
parts-fixes-applies                   ci   -       -      1      parts_apply fixes
parts-pep546-applies                  ci   -       -      1      parts_apply pep546
parts-fixes+pep546-applies            ci   -       -      1      parts_apply fixes pep546
parts-fixes+openssl3-applies          ci   -       -      1      parts_apply fixes openssl3
backport-debian-$DEBIAN_OLD-install   ci   1.1.1   -      1      backport_install debian-$DEBIAN_OLD
backport-debian-$DEBIAN_OLD-test_ssl  ci   1.1.1   -      tests  backport_test_ssl debian-$DEBIAN_OLD
backport-debian-$DEBIAN_OLD-misuse    ci   1.1.1   -      1      backport_misuse debian-$DEBIAN_OLD
backport-debian-$DEBIAN_OLD-fuzz      ci   1.1.1   -      1      backport_fuzz debian-$DEBIAN_OLD
backport-debian-$DEBIAN_OLD-threads   ci   1.1.1   -      1      backport_threads debian-$DEBIAN_OLD
backport-debian-$DEBIAN_OLD-tls-in-tls ci  1.1.1   -      tests  backport_tls_in_tls debian-$DEBIAN_OLD
backport-debian-$DEBIAN_OLD-dbg-refuses-server-side ci 1.1.1 - 1  backport_debug_interpreter
backport-debian-$DEBIAN_OLD-route-setup.py ci 1.1.1 -     1      backport_route_setup_py debian-$DEBIAN_OLD python2.7
backport-debian-$DEBIAN_OLD-dbg-route-setup.py ci 1.1.1 - 1      backport_route_setup_py debian-$DEBIAN_OLD-dbg python2.7-dbg
backport-debian-$DEBIAN_OLD-route-pip ci  1.1.1   -      1      backport_route_pip debian-$DEBIAN_OLD
backport-debian-$DEBIAN_OLD-namespace-beside-ssl_match_hostname ci 1.1.1 - 1 backport_namespace
backport-debian-$DEBIAN_OLD-openssl-multiarch-prefix ci 1.1.1 - 1 backport_openssl_prefix
backport-debian-$DEBIAN_OLD-other-build-says-which ci 1.1.1 - 1  backport_other_build
backport-pypy-7.3.3-install            ci   1.1.1   -      1      backport_install pypy
backport-pypy-7.3.3-test_ssl           ci   1.1.1   -      tests  backport_test_ssl pypy
backport-pypy-7.3.3-misuse             ci   1.1.1   -      1      backport_misuse pypy
backport-pypy-7.3.3-fuzz               ci   1.1.1   -      1      backport_fuzz pypy
backport-pypy-7.3.3-threads            ci   1.1.1   -      1      backport_threads pypy
backport-pypy-7.3.3-refused-without-its-private-pieces ci 1.1.1 - 1 backport_pypy_refusal
backport-pypy-7.3.3-route-setup.py     ci   1.1.1   -      1      backport_route_setup_py pypy pypy
backport-python.org-openssl-$o-install ci  1.1.1   -      1      backport_install python.org-$o
backport-python.org-openssl-$o-test_ssl ci 1.1.1   -      tests  backport_test_ssl python.org-$o
backport-python.org-openssl-$o-misuse ci   1.1.1   -      1      backport_misuse python.org-$o
backport-python.org-openssl-$o-fuzz   ci   1.1.1   -      1      backport_fuzz python.org-$o
backport-python.org-openssl-$o-threads ci  1.1.1   -      1      backport_threads python.org-$o
backport-python.org-openssl-$o-route-pip ci 1.1.1   -      1      backport_route_pip python.org-$o
backport-python.org-openssl-$o-tls-in-tls full 1.1.1 -    tests  backport_tls_in_tls python.org-$o
bisect-openssl-$o-prefix-{0..N}   ci   1.1.1   -      1      bisect_prefix {n}
stdlib-baseline-pristine-openssl-$o ci 1.1.1   -      1      stdlib_baseline
clients-baseline-pristine-openssl-$o ci 1.1.1  -      1      clients_baseline
parts-fixes-openssl-$o            ci   1.1.1   -      1      parts_pass fixes
parts-pep546-openssl-$o           ci   1.1.1   -      1      parts_pass pep546
parts-fixes+pep546-openssl-$o     ci   1.1.1   -      1      parts_pass fixes pep546
modules-openssl-$o                ci   1.1.1   build  1      check_modules
sni-renegotiation-openssl-$o      ci   1.1.1   build  1      one_test_passes test_ssl test_sni_renegotiation_after_initial_context_is_gone
no-new-warnings-openssl-$o        ci   1.1.1   build  1      no_new_warnings
stdlib-openssl-$o-no-new-failures ci   1.1.1   build  1      stdlib_no_new_failures
client-gevent-openssl-$o          ci   1.1.1   build  1      client_compare gevent
client-trollius-openssl-$o        ci   1.1.1   build  1      client_compare trollius
sslsocket-compat-openssl-$o       ci   1.1.1   build  1      client_compare sslsocket
fault-harness-openssl-$o          ci   1.1.1   build  1      fault_harness 1-8
fault-harness-full-openssl-$o     full 1.1.1   build  1      fault_harness 9-58
dist-debian-$DEBIAN_OLD-openssl-$o ci  1.1.1   -      1      test_dist_debian_bullseye
backport-python.org-openssl-system-install ci system - 1      backport_install python.org-system
backport-python.org-openssl-system-test_ssl ci system - tests  backport_test_ssl python.org-system
backport-python.org-openssl-system-misuse ci system -     1      backport_misuse python.org-system
backport-python.org-openssl-system-fuzz ci system  -      1      backport_fuzz python.org-system
backport-python.org-openssl-system-threads ci system -    1      backport_threads python.org-system
backport-python.org-openssl-system-route-pip ci system - 1      backport_route_pip python.org-system
backport-python.org-openssl-system-tls-in-tls full system - tests backport_tls_in_tls python.org-system
backport-pyenv-$PY_VERSION-install    ci   system  -      1      backport_install pyenv
backport-pyenv-$PY_VERSION-test_ssl   ci   system  -      tests  backport_test_ssl pyenv
backport-pyenv-$PY_VERSION-misuse     ci   system  -      1      backport_misuse pyenv
backport-pyenv-$PY_VERSION-fuzz       ci   system  -      1      backport_fuzz pyenv
backport-pyenv-$PY_VERSION-threads    ci   system  -      1      backport_threads pyenv
backport-pyenv-$PY_VERSION-route-pip  ci   system  -      1      backport_route_pip pyenv
backport-pyenv-$PY_VERSION-tls-in-tls ci   system  -      tests  backport_tls_in_tls pyenv
backport-refuses-other-openssl        ci   system  -      1      backport_refusals
backport-bench-instructions           full system  -      1      backport_bench
bisect-openssl-system-prefix-{0..O-1}-builds ci system - 1   prefix_builds {n}
bisect-openssl-system-prefix-{O..N}   ci   system  -      1      bisect_prefix {n}
parts-fixes+openssl3-openssl-system   ci   system  -      1      parts_pass fixes openssl3
parts-pep546-openssl-system           ci   system  -      1      parts_pep546_tests pep546
parts-fixes+pep546-openssl-system     ci   system  -      1      parts_pep546_tests fixes pep546
dist-debian-2.7.18-13-openssl-system  ci   system  -      1      test_dist_debian_13
dist-debian-2.7.18-13-hashlib-openssl-system ci system - 1   test_dist_debian_13_hashlib
dist-fedora-2.7.18-43-openssl-system  full system  -      1      test_dist_fedora
dist-yocto-native-openssl-system      ci   system  -      1      test_dist_yocto_native
dist-pyenv-patch-openssl-system       ci   -       -      1      test_dist_pyenv_patch
dist-pyenv-definition-openssl-system  full -       -      1      test_dist_pyenv_definition
modules-openssl-system                ci   system  build  1      check_modules
sni-renegotiation-openssl-system      ci   system  build  1      one_test_passes test_ssl test_sni_renegotiation_after_initial_context_is_gone
hashlib-fips-policy-openssl-system    ci   system  build  1      one_test_passes test_hashlib test_openssl_policy_refusal_stands
no-new-warnings-openssl-system        ci   system  build  1      no_new_warnings
stdlib-openssl-system-no-new-failures ci   system  build  1      stdlib_no_new_failures
client-gevent-openssl-system          ci   system  build  1      client_compare gevent
client-trollius-openssl-system        ci   system  build  1      client_compare trollius
sslsocket-compat-openssl-system       ci   system  build  1      client_compare sslsocket
interop-python3                       ci   system  build  tests  unittests test_interop.py
tls-in-tls-openssl-system             ci   system  build  tests  unittests test_tls_in_tls.py
fault-harness-openssl-system          ci   system  build  1      fault_harness 1-8
fault-harness-full-openssl-system     full system  build  1      fault_harness 9-58
openssl-$n-series                    ci   $n     -      1      whole_series_passes
no-new-warnings-openssl-$n           ci   $n     build  1      no_new_warnings
hashlib-fips-policy-openssl-$n       ci   $n     build  1      one_test_passes test_hashlib test_openssl_policy_refusal_stands
stdlib-openssl-$n-no-new-failures    ci   $n     build  1      stdlib_no_new_failures
fault-harness-openssl-$n             ci   $n     build  1      fault_harness 1-8
fault-harness-full-openssl-$n        full $n     build  1      fault_harness 9-58
openssl-$f-series                    ci   $f     -      1      whole_series_passes
no-new-warnings-openssl-$f           ci   $f     build  1      no_new_warnings
hashlib-fips-policy-openssl-$f       ci   $f     build  1      one_test_passes test_hashlib test_openssl_policy_refusal_stands
stdlib-openssl-$f-no-new-failures    ci   $f     build  1      stdlib_no_new_failures
fault-harness-openssl-$f             ci   $f     build  1      fault_harness 1-8
fault-harness-full-openssl-$f        full $f     build  1      fault_harness 9-58
hardening-refleak-test_ssl            ci   system  series 1      do_refleak
hardening-asan-test_ssl               ci   system  series 1      do_asan
hardening-fuzz-under-asan             ci   system  series 1      test_fuzz
hardening-threads                     ci   system  series 1      test_threads
hardening-misuse                      ci   system  series 1      do_misuse
i386-openssl-$o-test_ssl          ci   i386/1.1.1 build 1    i386_test_ssl
i386-openssl-$o-is-32-bit         ci   i386/1.1.1 build 1    is_32_bit
no-new-warnings-i386-openssl-$o   ci   i386/1.1.1 build 1    no_new_warnings
i386-openssl-$o-misuse            ci   i386/1.1.1 build 1    do_misuse
i386-openssl-$o-fuzz              ci   i386/1.1.1 build 1    test_fuzz_plain
i386-openssl-$o-threads           ci   i386/1.1.1 build 1    test_threads
i386-openssl-$o-fuzz-under-asan   full i386/1.1.1 series 1   test_fuzz
i386-openssl-system-test_ssl          ci   i386/system build 1   i386_test_ssl
i386-openssl-system-is-32-bit         ci   i386/system build 1   is_32_bit
no-new-warnings-i386-openssl-system   ci   i386/system build 1   no_new_warnings
i386-openssl-system-misuse            ci   i386/system build 1   do_misuse
i386-openssl-system-fuzz              ci   i386/system build 1   test_fuzz_plain
i386-openssl-system-threads           ci   i386/system build 1   test_threads
i386-openssl-system-fuzz-under-asan   full i386/system series 1  test_fuzz
TABLE
}

# check_rows list | check_rows rows [--full] [NAME...]: the table expanded
# (tool/check_table.py); refuses an unknown NAME.
check_rows() {
    check_table | python3 "$TOOL/check_table.py" --patches "$(series_count)" \
        --var "O=$(openssl3_end)" "$@"
}

# openssl3_end: how many patches there are up to the end of the openssl3
# part (1 if the series has none: only pristine 2.7.18 is then just built).
openssl3_end() {
    python3 "$TOOL/series.py" --series "$PATCHES/series" last --part openssl3 2>/dev/null ||
        echo 1
}

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
    if [ -n "$OPENSSL_LDFLAGS" ] && [ -n "$from" ] && [ "$1" -lt "$from" ]; then
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
    rm -rf "$d"; mkdir -p "$d"
    cp -a "$BUILD/pristine" "$d/patch"; rm -f "$d/patch/.origin"
    # shellcheck disable=SC2086  # patch names have no blanks
    apply_patches "$d/patch" $patches
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
    local log=$BUILD/logs/test/one-$1-$2.log
    (cd "$(obj_dir "$OPENSSL_LEG")" && ./python -E -B -m test.regrtest -v -m "$2" "$1") \
        >"$log" 2>&1 || { tail -n 30 "$log"; return 1; }
    grep -E "^$2 \(.*\) \.\.\. ok\$" "$log" ||
        { tail -n 30 "$log"; echo "$2 did not run"; return 1; }
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
    local ran
    ran=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\} in .*/\1/p' \
        "$BUILD/logs/$OPENSSL_LEG-regrtest.log" | tail -n 1)
    [ "${ran:-0}" -ge 50 ] || die "only ${ran:-0} MemoryBIO/SSLObject/SSLWantError tests ran"
}

whole_series_passes() {
    do_apply "$OPENSSL_LEG"
    do_build "$OPENSSL_LEG"
    check_modules "$OPENSSL_LEG"
    do_regrtest "$OPENSSL_LEG"
}

# The i386 legs (--arch i386): the whole series built with gcc -m32
# passes test_ssl, and the interpreter really is 32-bit (pointers, and so
# Py_ssize_t, of 4 bytes: sys.maxsize == INT_MAX).
i386_test_ssl() {
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
    if [ "$ROW_OPENSSL" != - ]; then
        env+=(PYTHON27="$(obj_dir "$OPENSSL_LEG")/python"
              PYTHON27_LIBTEST="$BUILD/$OPENSSL_LEG/src/Lib/test")
    fi
    env "${env[@]}" python3 -m unittest discover -s "$TOP/tests" -p "$1" -v
}

# row_needs NEEDS: the row's OpenSSL, and its leg holding what NEEDS says
# (src.stamp and obj/built.stamp tell what it holds already).
row_needs() {
    [ "$ROW_OPENSSL" != - ] || return 0
    [ "${OPENSSL_FOR:-}" = "${OPT_ARCH:+$OPT_ARCH/}$OPT_OPENSSL" ] || do_openssl
    [ "$1" != - ] || return 0
    local want; want=$(series_stamp "$(series_count)")
    [ "$(cat "$BUILD/$OPENSSL_LEG/src.stamp" 2>/dev/null)" = "$want" ] ||
        do_apply "$OPENSSL_LEG"
    [ "$1" = build ] || return 0
    [ "$(cat "$(obj_dir "$OPENSSL_LEG")/built.stamp" 2>/dev/null)" = "$want" ] ||
        do_build "$OPENSSL_LEG"
}

# --- counting ---------------------------------------------------------------------------

PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()
ROW_OPENSSL=-

# run_row NAME NEEDS COUNTS FUNCTION [ARGS...]: one row of the table.
run_row() {
    local name=$1 needs=$2 counts=$3; shift 3
    local log=$BUILD/logs/test/$name.log t0=$SECONDS rc
    # errexit is off inside anything whose status is tested ('if', '||'), so
    # run the row in a subshell of its own with errexit on.
    set +e
    (set -e; row_needs "$needs"; "$@") </dev/null >"$log" 2>&1
    rc=$?
    set -e
    if [ "$counts" = tests ]; then
        count_unittest "$name" "$log"
    elif [ "$rc" -eq 0 ]; then
        PASSED=$((PASSED + 1))
        step "PASS $name ($((SECONDS - t0))s)"
    elif [ "$rc" -eq 77 ]; then
        # a row that cannot run here says why in its last line
        SKIPPED=$((SKIPPED + 1))
        step "SKIP $name: $(tail -n 1 "$log")"
    else
        FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name")
        step "FAIL $name ($((SECONDS - t0))s; log: $log)"
        tail -n 15 "$log" | sed 's/^/    /'
    fi
}

# count_unittest NAME LOG: add a unittest run's results to the totals
# (tool/count_unittest.py reads the log).
count_unittest() {
    local name=$1 log=$2 counts passed bad skipped
    if ! counts=$(python3 "$TOOL/count_unittest.py" "$log"); then
        FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name")
        step "FAIL $name: did not run (log: $log)"
        tail -n 15 "$log" | sed 's/^/    /'
        return
    fi
    read -r passed bad skipped <<<"$counts"
    PASSED=$((PASSED + passed)); FAILED=$((FAILED + bad))
    SKIPPED=$((SKIPPED + skipped))
    [ "$bad" -eq 0 ] || FAILED_NAMES+=("$name")
    step "$name: $passed passed, $bad failed, $skipped skipped (log: $log)"
    [ "$bad" -eq 0 ] || sed -n '2,$s/^/    /p' <<<"$counts"
}

# do_test ROWS: run the rows (check_rows rows ...), in order; the last line
# is 'N passed, N failed'.
do_test() {
    local t0=$SECONDS rows row name when ssl needs counts fn ctx=-
    mapfile -t rows <<<"$1"
    do_source
    mkdir -p "$BUILD/logs/test"
    for row in "${rows[@]}"; do
        [ -n "$row" ] || continue
        read -r name when ssl needs counts fn <<<"$row"
        ROW_OPENSSL=$ssl
        if [ "$ssl" != - ] && [ "$ssl" != "$ctx" ]; then
            # ARCH/OPENSSL (i386/system): that --arch too
            case "$ssl" in */*) OPT_ARCH=${ssl%%/*} OPT_OPENSSL=${ssl#*/} ;;
                           *) OPT_ARCH="" OPT_OPENSSL=$ssl ;; esac
            ctx=$ssl
            openssl_builds "$ssl" || do_openssl
        fi
        # shellcheck disable=SC2086  # fn: a function and its arguments
        run_row "$name" "$needs" "$counts" $fn
    done
    step "test: done in $((SECONDS - t0))s"
    [ "$FAILED" -eq 0 ] || printf 'failed: %s\n' "${FAILED_NAMES[*]}"
    if [ "$SKIPPED" -gt 0 ]; then
        printf '%d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
    else
        printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
    fi
    [ "$FAILED" -eq 0 ]
}
