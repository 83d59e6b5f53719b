# compile.sh: configure and make a leg's source against its OpenSSL (the
# plain, --with-pydebug and AddressSanitizer variants), check the result
# (_ssl and _hashlib, compiler warnings), run regrtest, install.

# The build variants: the plain one, a --with-pydebug one (for refleak)
# and an AddressSanitizer one (asan, fuzz).  Each has its own object folder
# beside the plain one, over the same source copy.
VARIANT=""
# regrtest options, split on spaces.
REGRTEST_OPTS="-v"
# More configure arguments for a leg that needs them (a distribution's
# stack: tool/dist.sh sets them around its do_build).
LEG_CONFIGURE_ARGS=()
obj_dir() { printf '%s\n' "$BUILD/$1/obj${VARIANT:+-$VARIANT}"; }

# ASan: no leak report (the interpreter never frees some of what it holds
# at exit), and stop at the first error.
ASAN_RUN_OPTIONS="detect_leaks=0:abort_on_error=1:print_summary=1"

# do_build LEG: configure (again only when the flags change) and make, out
# of tree, in obj_dir LEG.  On success obj/built.stamp copies LEG's
# src.stamp: what the interpreter was built from.
do_build() {
    local leg=$1
    local obj src=$BUILD/$leg/src
    obj=$(obj_dir "$leg")
    local prefix=${OPT_PREFIX:-$BUILD/$leg/install}
    local args=(--prefix="$prefix" --enable-unicode=ucs4)
    local cflags="" ldflags=$OPENSSL_LDFLAGS
    case "$VARIANT" in
        "") ;;
        pydebug) args+=(--with-pydebug) ;;
        asan)
            # pymalloc reads memory it does not own to find its arenas, which
            # ASan reports: use the system allocator.
            args+=(--without-pymalloc)
            cflags="-fsanitize=address -fno-omit-frame-pointer -g -O1"
            ldflags="$ldflags -fsanitize=address" ;;
    esac
    args+=("${LEG_CONFIGURE_ARGS[@]}")
    # --arch: configure's CC carries -m32, so setup.py's extension modules
    # and its -print-multiarch (the library folders) follow it.
    [ -n "$ARCH_CC" ] && args+=("CC=$ARCH_CC")
    [ -n "$OPENSSL_CPPFLAGS" ] && args+=("CPPFLAGS=$OPENSSL_CPPFLAGS")
    [ -n "$cflags" ] && args+=("CFLAGS=$cflags")
    [ -n "${ldflags# }" ] && args+=("LDFLAGS=${ldflags# }")
    local key; key=$(printf '%s\n' "${args[@]}")
    local log=$BUILD/logs/$leg${VARIANT:+-$VARIANT}
    if [ ! -f "$obj/config.key" ] || [ "$(cat "$obj/config.key")" != "$key" ]; then
        rm -rf "$obj"; mkdir -p "$obj"
        run "$log-configure.log" sh -c 'cd "$1" && shift && "$@"' _ \
            "$obj" "$src/configure" "${args[@]}"
        printf '%s\n' "$key" >"$obj/config.key"
    fi
    rm -f "$obj/built.stamp"
    ASAN_OPTIONS=$ASAN_RUN_OPTIONS run "$log-make.log" make -C "$obj" -j"$JOBS"
    [ -x "$obj/python" ] || die "no interpreter was built; see $log-make.log"
    if [ -f "$BUILD/$leg/src.stamp" ]; then cp "$BUILD/$leg/src.stamp" "$obj/built.stamp"; fi
    step "build: $obj/python ($(grep -c 'warning:' "$log-make.log" || true) compiler warnings in the log)"
}

# check_modules [LEG [MODULES]]: the interpreter has _ssl and _hashlib (or
# only the MODULES named, e.g. '_ssl'), on the OpenSSL asked for.  The
# modules are the files the interpreter loads: setup.py puts them in
# build/lib.*, a stack whose Setup builds them (Fedora's) in Modules/.
check_modules() {
    local leg=${1:-$OPENSSL_LEG} mods=${2:-_ssl _hashlib}
    local obj; obj=$(obj_dir "$leg")
    local info imports
    imports=$(sed 's/ /, /g' <<<"$mods")
    info=$("$obj/python" -E -c "import ssl, $imports; print(ssl.OPENSSL_VERSION)" 2>&1) ||
        die "the interpreter lacks one of $mods: $info (see $BUILD/logs/$leg-make.log)"
    # Both link libcrypto (_hashlib needs no libssl): it must come from the
    # OpenSSL asked for, a private one or the system's.
    local so libdir=$OPENSSL_LIBDIR
    for so in $("$obj/python" -E -c "import $imports; print('\n'.join(m.__file__ for m in ($imports,)))"); do
        case "$so" in *.so) ;; *) die "$so: not a shared module" ;; esac
        local linked; linked=$(ldd "$so" | grep 'libcrypto' || true)
        if [ -n "$libdir" ]; then
            case "$linked" in
                *"$libdir/libcrypto"*) ;;
                *) die "$(basename "$so") is not linked against $libdir: $linked" ;;
            esac
        else
            case "$linked" in
                *"$BUILD"*|"") die "$(basename "$so") is not linked against the system OpenSSL: $linked" ;;
            esac
        fi
    done
    step "check: $mods import; $info"
}

# no_new_warnings [LEG]: the C files the series changes compile, against the
# OpenSSL of LEG and with the build's warning flags, without a warning
# that pristine 2.7.18 does not have (compared by message, not by line).
no_new_warnings() {
    local leg=${1:-$OPENSSL_LEG}
    local obj; obj=$(obj_dir "$leg")
    local f tree new=0 out rc
    for f in _ssl _hashopenssl; do
        for tree in pristine "$leg/src"; do
            rc=0
            # shellcheck disable=SC2086  # ARCH_CFLAGS, OPENSSL_CPPFLAGS: word lists
            out=$(gcc $ARCH_CFLAGS -c -o /dev/null -fno-strict-aliasing -fwrapv -O2 -Wall \
                -Wstrict-prototypes $OPENSSL_CPPFLAGS -I"$BUILD/$tree/Include" \
                -I"$obj" "$BUILD/$tree/Modules/$f.c" 2>&1) || rc=$?
            printf '%s\n' "$out" | sed -n 's/^[^ ]*: warning: //p' | LC_ALL=C sort -u \
                >"$BUILD/logs/warnings-$leg-$f-${tree%%/*}.txt"
            # Pristine 2.7.18's _ssl.c does not compile against OpenSSL 4.0:
            # its warnings still count; the series' file must compile.
            if [ "$rc" -ne 0 ]; then
                if [ "$tree" = pristine ]; then
                    echo "pristine $f.c does not compile against this OpenSSL ($(printf '%s\n' "$out" | grep -c ': error: ') errors)"
                else
                    printf '%s\n' "$out" | grep ': error: ' | head -n 20
                    echo "$f.c of the series does not compile"; new=1
                fi
            fi
        done
        if LC_ALL=C comm -13 "$BUILD/logs/warnings-$leg-$f-pristine.txt" \
                "$BUILD/logs/warnings-$leg-$f-$leg.txt" | grep .; then
            new=1
        fi
        echo "$f.c: $(wc -l <"$BUILD/logs/warnings-$leg-$f-$leg.txt") warnings" \
             "(pristine: $(wc -l <"$BUILD/logs/warnings-$leg-$f-pristine.txt"))"
    done
    return "$new"
}

# do_regrtest LEG|PYTHON [ARGS...]: regrtest ARGS (test_ssl by default) with
# LEG's interpreter (of VARIANT) or PYTHON (a path); prints the summary and
# sets REGRTEST_LOG to its log, the one way a caller finds it.
do_regrtest() {
    local leg=$1 python=$1 log; shift
    if [[ $leg = */* ]]; then leg=$(tr / - <<<"${python#"$BUILD"/}"); else python=$(obj_dir "$leg")/python; fi
    log=$BUILD/logs/$leg${VARIANT:+-$VARIANT}-regrtest.log; REGRTEST_LOG=$log
    local args=("${@:-test_ssl}")
    local rc=0
    (cd "$(dirname "$python")" && ASAN_OPTIONS=$ASAN_RUN_OPTIONS "$python" -E -B -m test.regrtest $REGRTEST_OPTS "${args[@]}") \
        >"$log" 2>&1 || rc=$?
    local summary skipped
    summary=$(grep -E '^(Ran [0-9]+ tests|OK|FAILED|.*leaked)' "$log" | tr '\n' ' ' || true)
    # regrtest exits 0 when a whole test module is skipped, e.g.
    # "test_ssl skipped -- No module named _ssl" where _ssl did not build:
    # that is a failure here, named, never a pass.
    skipped=$(grep -E '^test_[A-Za-z0-9_]+ skipped' "$log" || true)
    if [ "$rc" -eq 0 ] && [ -n "$skipped" ]; then
        printf '%s\n' "$skipped" >&2
        step "regrtest: ${args[*]} FAILED: $(printf '%s' "$skipped" | head -n 1) (log: $log)"
        return 1
    fi
    if [ "$rc" -ne 0 ]; then
        grep -E '^(FAIL|ERROR):' "$log" | head -n 25 >&2 || true
        step "regrtest: ${args[*]} FAILED: $summary(log: $log)"
        return 1
    fi
    step "regrtest: ${args[*]}: $summary(log: $log)"
}

do_install() {
    do_source; do_openssl; do_apply "$OPENSSL_LEG"; do_build "$OPENSSL_LEG"
    check_modules "$OPENSSL_LEG"
    run "$BUILD/logs/$OPENSSL_LEG-install.log" make -C "$BUILD/$OPENSSL_LEG/obj" install
    step "install: $(cd "$BUILD/$OPENSSL_LEG/obj" && ./python -E -c 'import sysconfig; print(sysconfig.get_config_var("prefix"))')/bin/python2.7"
}
