# hardening.sh: reference leaks, AddressSanitizer, the fuzzer, threads and
# misuse, on the OpenSSL chosen with --openssl and the whole series (the leg's
# source must hold it: the commands apply it first, the checks ask for it).

# no_asan_report LOG: the log has no AddressSanitizer report.
no_asan_report() {
    ! grep -m 3 -A 12 'ERROR: AddressSanitizer' "$1" >&2
}

# A --with-pydebug build runs 'regrtest -R 3:3 test_ssl': 3 warm-up runs,
# then 3 whose reference counts must not grow.
do_refleak() {
    VARIANT=pydebug do_build "$OPENSSL_LEG"
    VARIANT=pydebug REGRTEST_OPTS="-R 3:3" do_regrtest "$OPENSSL_LEG"
    ! grep -q 'leaked' "$REGRTEST_LOG"
}

do_asan() {
    VARIANT=asan do_build "$OPENSSL_LEG"
    VARIANT=asan do_regrtest "$OPENSSL_LEG"
    no_asan_report "$REGRTEST_LOG"
}

# run_script NAME VARIANT SCRIPT ARGS...: a script of tests/ under the
# interpreter of that variant, with the series' test certificates.
run_script() {
    local name=$1 variant=$2 script=$3; shift 3
    local obj log=$BUILD/logs/$name.log rc=0
    obj=$(VARIANT=$variant obj_dir "$OPENSSL_LEG")
    ASAN_OPTIONS=${ASAN_SCRIPT_OPTIONS:-$ASAN_RUN_OPTIONS} "$obj/python" -E "$TOP/tests/$script" \
        --certdir "$BUILD/$OPENSSL_LEG/src/Lib/test" "$@" >"$log" 2>&1 || rc=$?
    no_asan_report "$log" || rc=1
    step "$name: $(tail -n 1 "$log") (log: $log)"
    return "$rc"
}

# do_fuzz: OPT_CASES cases (default 100000).
do_fuzz() {
    VARIANT=asan do_build "$OPENSSL_LEG"
    # A small quarantine: memory ASan keeps back after free() must not read
    # as growth to the fuzzer's check that memory stays bounded.
    ASAN_SCRIPT_OPTIONS=$ASAN_RUN_OPTIONS:quarantine_size_mb=16 \
        run_script fuzz asan fuzz_sslobject.py --cases "${OPT_CASES:-100000}" --seed 546
}

# do_threads [SECONDS]
do_threads() {
    do_build "$OPENSSL_LEG"
    run_script threads "" threads_sslobject.py --seconds "${1:-60}"
}

do_misuse() {
    do_build "$OPENSSL_LEG"
    run_script misuse "" misuse_sslobject.py
}

# Under './build.sh test' the fuzzer and the threads run briefly; --full
# runs them at length (--cases still sets the fuzzer's).
test_fuzz() {
    if [ "$OPT_FULL" = 1 ]; then OPT_CASES=${OPT_CASES:-100000}; else OPT_CASES=${OPT_CASES:-5000}; fi
    do_fuzz
}
# The same 5,000 cases without ASan, on the plain build (the i386 legs in
# CI: an ASan build per leg would double their time; --full runs them
# under ASan too).
test_fuzz_plain() {
    do_build "$OPENSSL_LEG"
    run_script fuzz "" fuzz_sslobject.py --cases "${OPT_CASES:-5000}" --seed 546
}
test_threads() { do_threads "$([ "$OPT_FULL" = 1 ] && echo 60 || echo 10)"; }

# fault_harness [SEEDS]: many connections at once, in one thread's select()
# loop and in threads sharing one SSLContext, against a server that
# misbehaves on a third of them (tests/fault_harness.py): every healthy
# connection gets exactly its bytes, and every faulty one ends in the
# outcome class a Python 3 on the same OpenSSL gives, seed by seed.  The
# reference: Debian bullseye's python3.9 on 1.1.1w, the system's python3
# on the system's OpenSSL; there is no Python 3 on 3.5 here, so 3.5 is
# compared with the system's python3 as a proxy.  SEEDS: 1-8, and the full
# row's 9-58.
fault_harness() {
    local py3=python3
    need_tools openssl
    case "$OPENSSL_LEG" in
        "$OPENSSL111_VERSION") peers_py39; py3=$BUILD/peers/py39/python3.9 ;;
        system) ;;
        *) echo "fault-harness: no Python 3 on OpenSSL $OPENSSL_LEG here: the reference is" \
               "$(python3 -c 'import ssl, sys; print("Python %d.%d on %s" % (sys.version_info[:2] + (ssl.OPENSSL_VERSION,)))'), a proxy" ;;
    esac
    python3 "$TOP/tests/fault_harness.py" compare --python "$(obj_dir "$OPENSSL_LEG")/python" \
        --reference "$py3" --seeds "${1:-1-8}"
}
