#!/usr/bin/env bash
# build.sh: build CPython 2.7.18 with the PEP 546 patch series and check it.
#
# The entry point: usage, options (every one checked before any work
# starts) and the commands.  The steps live in tool/, one module each.
#
# Everything it writes goes below the build folder (./build, or $BUILD_DIR);
# it never writes into a source tree it was given, nor outside that folder,
# except `install` (into the prefix you chose) and `export` (into patches/).
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOL=$TOP/tool
BUILD=${BUILD_DIR:-$TOP/build}
PATCHES=$TOP/patches

# shellcheck source=/dev/null
for module in common apt arch source openssl series compile bases dist release hardening bench clients checks sdist backport; do
    . "$TOOL/$module.sh"
done

JOBS=$(nproc 2>/dev/null || echo 2)
OPT_SOURCE=""
OPT_OPENSSL=system
OPT_ARCH=""
OPT_PREFIX=""
OPT_BASE=""
OPT_FULL=0
OPT_LIST=0
OPT_CASES=""
OPT_SECONDS=""
OPT_ALLOW_DIRTY=0

usage() {
    cat <<EOF
Usage: ./build.sh [options] [command]

Builds CPython $PY_VERSION with the PEP 546 series in patches/ and checks it.
With no command: source, openssl, apply, build, regrtest (the main job).
With --base DIR and no command: the same on a distributor's 2.7.18 (below).

Commands:
  source       get pristine $PY_VERSION (checked by SHA-256) into the build folder
  openssl      get or build the OpenSSL chosen with --openssl
  apply        apply patches/series, in order, to a fresh copy of the source
  build        configure and make (incremental) against the chosen OpenSSL
  regrtest     run 'regrtest -v test_ssl' with the built interpreter
  install      'make install' into the --prefix the build was configured with
  test [NAME...]
               every check (tool/checks.py), on each leg: OpenSSL $OPENSSL111_VERSION,
               the system's, $(openssl_series_list) (built from Debian's source), and
               i386 builds on $OPENSSL111_VERSION and the system's.  Its groups:
                 hygiene-*    the series' files, subjects, bodies, export
                 tool-*       the tool's own tests; release-*: the release
                 parts-*      each part a packager takes alone applies, passes
                 bisect-*     every prefix of the series builds, passes test_ssl
                 openssl-*-series, modules-*, no-new-warnings-*: the whole series
                 stdlib-*     the standard library's tests: no new failure
                 client-*, sslsocket-compat-*, clients-*: gevent, trollius,
                              2.7 SSLSocket code, against pristine 2.7.18
                 interop-*, tls-in-tls-*: against Python 3; TLS in TLS
                 sni-*, hashlib-*: single regression tests that must run
                 fault-harness-*  many connections, misbehaving peers
                 hardening-*  refleak, ASan, fuzz, threads, misuse
                 i386-*       a 32-bit interpreter (gcc -m32)
                 dist-*       the drop-ins on Debian, Fedora, Yocto, pyenv
                 backport-*   the backport on stock interpreters (bullseye's
                              python2.7, python.org and pyenv 2.7.18, PyPy)
               Ends with 'N passed, N failed'.  With NAMEs, only those
               checks; 'test --list' prints them all
  edit         make build/work: a git work tree with one pristine commit and
               one commit per patch, for git rebase -i / commit --amend
  export       write patches/ (and the files the series adds whole) from
               build/work, byte-stably
  bench        the benchmark (bench/): patched 2.7 vs Python 3 vs pyOpenSSL
  sdist        build/dist/backports.ssl_memorybio-VERSION.tar.gz: the backport
               for unpatched 2.7 interpreters, made from the series (backport/)
  bench-backport  the backport on python.org 2.7.18 beside the patched build
               (system OpenSSL): callgrind instructions per operation
  refleak      a --with-pydebug build running 'regrtest -R 3:3 test_ssl'
  asan         an AddressSanitizer build running test_ssl
  fuzz         the SSLObject fuzzer under AddressSanitizer (--cases N)
  threads      8 threads driving SSLObject pairs on one SSLContext beside a
               CPU-bound thread (--seconds N, default 60)
  misuse       every misuse of SSLObject/MemoryBIO raises a clear exception
  release      build/release/NAME-VERSION.tar.xz (VERSION, CHANGES) and
               SHA256SUMS (the tarball's): the series, the drop-ins, the
               backport's sdist, clients/, a README of its own, LICENSE,
               CHANGES; byte-reproducible; refuses uncommitted changes to
               what it packs (git status) without --allow-dirty
  dist         rewrite the drop-ins' patch lists (dist/) from patches/series
  clean        remove the build folder

Options:
  --source PATH     your own Python-$PY_VERSION.tgz, unpacked tree or git checkout
                    (default: cached copy, else Debian $DEBIAN_OLD's python2.7
                    source package, else python.org)
  --openssl WHICH   system (default), 1.1.1 (Debian $DEBIAN_OLD's $OPENSSL111_VERSION,
                    unpacked privately), $(openssl_series_list) (Debian's source
                    package, built once into $OPENSSL_CACHE),
                    or PREFIX (your own install: PREFIX/include, PREFIX/lib)
  --arch i386       a 32-bit interpreter, built with gcc -m32 (gcc-multilib)
                    against Debian's i386 libssl/libssl-dev (--openssl 1.1.1:
                    $DEBIAN_OLD's; system: the system's version), unpacked
                    privately; its own build folder (build/i386-OPENSSL)
  --prefix DIR      where 'install' puts the interpreter (default: a folder
                    inside the build folder; never the system unless you say so)
  --base DIR        a distribution's own patch stack for 2.7.18 (DIR/series and
                    the patches it names, e.g. a debian/patches folder; one
                    with only series.in, as Debian bullseye's, is run through
                    cpp as its debian/rules does), applied
                    first as quilt would; then each part of patches/series that
                    applies on it at fuzz 0 (the others are named and left out),
                    build, test_ssl.  configure is regenerated with a private
                    autoconf when the stack changes configure.ac
  --full            with 'test': also the slow legs (long fuzz and thread runs)
  --list            with 'test': print the table of checks (name, when, OpenSSL,
                    what it runs) and stop
  --cases N         with 'fuzz': how many cases (default 100000)
  --seconds N       with 'threads': how long (default 60)
  --allow-dirty     with 'release': pack the files as they are, even with
                    uncommitted changes (git status) or outside a git checkout
  -j N              parallel make jobs (default: $JOBS)
  -h, --help        this text

Build folder: $BUILD (set BUILD_DIR to move it). Logs: \$BUILD/logs.
EOF
}

# The main job: pristine source to a tested interpreter.
main_job() {
    do_source
    do_openssl
    do_apply "$OPENSSL_LEG"
    do_build "$OPENSSL_LEG"
    check_modules "$OPENSSL_LEG"
    do_regrtest "$OPENSSL_LEG"
    local obj; obj=$(obj_dir "$OPENSSL_LEG")
    cat <<EOF

The interpreter: $obj/python
  run it in place:   $obj/python -c 'import ssl; print ssl.MemoryBIO'
  install it:        ./build.sh ${OPT_ARCH:+--arch $OPT_ARCH }--openssl $OPT_OPENSSL --prefix DIR install
                     (then DIR/bin/python2.7; the default DIR is $BUILD/$OPENSSL_LEG/install)
EOF
}

# The hardening commands and the benchmark use the OpenSSL chosen with
# --openssl (the system's by default) and the whole series.
prepare_leg() { do_source; do_openssl; do_apply "$OPENSSL_LEG"; }

do_clean() {
    rm -rf "$BUILD"
    step "clean: removed $BUILD"
}

COMMANDS="source openssl apply build regrtest install test edit export clean bench
 refleak asan fuzz threads misuse sdist bench-backport release dist _row"
known_command() { local c; for c in $COMMANDS; do [ "$c" = "$1" ] && return 0; done; return 1; }

# number OPTION VALUE: refuse a VALUE that is not a positive whole number.
number() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 $2: say a whole number above 0"; }

main() {
    local cmd="" names=()
    while [ $# -gt 0 ]; do
        case "$1" in
            # tool/checks.py's 'build.sh [OPTIONS] _row LEG NEEDS STEP ARG...'
            _row) [ -z "$cmd" ] || die "one command at a time (got '$cmd' and '$1')"
                  cmd=$1; shift; names=("$@"); break ;;
            -h|--help) usage; exit 0 ;;
            --source) [ $# -ge 2 ] || die "--source needs a path"; OPT_SOURCE=$2; shift ;;
            --source=*) OPT_SOURCE=${1#*=} ;;
            --openssl) [ $# -ge 2 ] || die "--openssl needs a value"; OPT_OPENSSL=$2; shift ;;
            --openssl=*) OPT_OPENSSL=${1#*=} ;;
            --arch) [ $# -ge 2 ] || die "--arch needs a value"; OPT_ARCH=$2; shift ;;
            --arch=*) OPT_ARCH=${1#*=} ;;
            --prefix) [ $# -ge 2 ] || die "--prefix needs a folder"; OPT_PREFIX=$2; shift ;;
            --prefix=*) OPT_PREFIX=${1#*=} ;;
            --base) [ $# -ge 2 ] || die "--base needs a folder"; OPT_BASE=$2; shift ;;
            --base=*) OPT_BASE=${1#*=} ;;
            --full) OPT_FULL=1 ;;
            --allow-dirty) OPT_ALLOW_DIRTY=1 ;;
            --list) OPT_LIST=1 ;;
            --cases) [ $# -ge 2 ] || die "--cases needs a number"; OPT_CASES=$2; shift ;;
            --seconds) [ $# -ge 2 ] || die "--seconds needs a number"; OPT_SECONDS=$2; shift ;;
            -j) [ $# -ge 2 ] || die "-j needs a number"; JOBS=$2; shift ;;
            -j*) JOBS=${1#-j} ;;
            -*) die "unknown option $1 (see ./build.sh --help)" ;;
            *) if [ -z "$cmd" ]; then cmd=$1
               elif [ "$cmd" = test ] || [ "$cmd" = _row ]; then names+=("$1")
               else die "one command at a time (got '$cmd' and '$1')"; fi ;;
        esac
        shift
    done

    # Every argument is checked here, before any work.
    [ -z "$cmd" ] || known_command "$cmd" ||
        die "unknown command '$cmd' (see ./build.sh --help)"
    [ "$OPT_LIST" = 0 ] || [ "$cmd" = test ] || die "--list goes with 'test'"
    number -j "$JOBS"
    [ -z "$OPT_CASES" ] || number --cases "$OPT_CASES"
    [ "$OPT_ALLOW_DIRTY" = 0 ] || [ "$cmd" = release ] || die "--allow-dirty goes with 'release'"
    [ -z "$OPT_SECONDS" ] || number --seconds "$OPT_SECONDS"
    openssl_option
    arch_option "$OPT_ARCH" "$OPT_OPENSSL"
    [ -z "$OPT_ARCH" ] || [ -z "$OPT_BASE" ] || die "--arch goes without --base"
    [ -z "$OPT_ARCH" ] || [ "$cmd" != test ] || die "--arch does not go with 'test' (its table has the i386 rows)"
    [ "$cmd" != _row ] || [ ${#names[@]} -ge 3 ] || die "_row takes LEG NEEDS STEP [ARG...] (tool/checks.py)"
    source_option
    if [ -n "$OPT_BASE" ]; then
        [ -z "$cmd" ] || die "--base goes with the main job (no command)"
        [ -f "$OPT_BASE/series" ] || [ -f "$OPT_BASE/series.in" ] ||
            die "--base $OPT_BASE: no series (quilt's) nor series.in (Debian's, for cpp) there; give the debian/patches folder"
        OPT_BASE=$(cd "$OPT_BASE" && pwd)
    fi
    need_tools gcc make git patch python3 tar sha256sum
    if [ "$cmd" != clean ]; then
        series >/dev/null
    fi
    if [ "$cmd" = test ]; then
        if [ "$OPT_LIST" = 1 ]; then
            [ ${#names[@]} -eq 0 ] || die "--list takes no check names"
            exec python3 "$TOOL/checks.py" list
        fi
        python3 "$TOOL/checks.py" rows "${names[@]}" >/dev/null || exit 2
    fi

    if [ -n "$OPT_PREFIX" ]; then
        mkdir -p "$OPT_PREFIX" && OPT_PREFIX=$(cd "$OPT_PREFIX" && pwd)
    fi
    mkdir -p "$BUILD/logs"
    case "$cmd" in
        "") if [ -n "$OPT_BASE" ]; then base_main_job; else main_job; fi ;;
        source) do_source ;;
        openssl) do_openssl ;;
        apply) do_source; do_openssl; do_apply "$OPENSSL_LEG" ;;
        build) do_openssl; do_apply "$OPENSSL_LEG"; do_build "$OPENSSL_LEG"; check_modules "$OPENSSL_LEG" ;;
        regrtest) do_openssl; do_regrtest "$OPENSSL_LEG" ;;
        install) do_install ;;
        test) do_test "${names[@]}" ;;
        _row) run_row "${names[@]}" ;;
        edit) do_edit ;;
        export) do_export ;;
        clean) do_clean ;;
        bench) prepare_leg; do_bench ;;
        refleak) prepare_leg; do_refleak ;;
        asan) prepare_leg; do_asan ;;
        fuzz) prepare_leg; do_fuzz ;;
        threads) prepare_leg; do_threads "${OPT_SECONDS:-60}" ;;
        misuse) prepare_leg; do_misuse ;;
        sdist) do_sdist ;;
        bench-backport) OPT_OPENSSL=system; do_openssl; do_bench_backport ;;
        release) do_release ;;
        dist) do_dist ;;
    esac
}

main "$@"
