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
Usage: ./build.sh [options] [command]      (the README says more of each)

Builds CPython $PY_VERSION with the PEP 546 series in patches/ and checks it.
With no command: source, openssl, apply, build, regrtest (the main job);
with --base DIR, the same on a distributor's 2.7.18.

Commands:
  source       pristine $PY_VERSION, checked by SHA-256, into the build folder
  openssl      get or build the OpenSSL chosen with --openssl
  apply        patches/series, in order, on a fresh copy of the source
  build        configure and make (incremental) against that OpenSSL
  regrtest     'regrtest -v test_ssl' with the built interpreter
  install      'make install' into --prefix
  test [NAME...]  every check, or those NAMEs ('test --list' prints them), on
               each leg: OpenSSL $OPENSSL111_VERSION, the system's, $(openssl_series_list) (built
               from Debian's source), i386 on $OPENSSL111_VERSION and the system's; ends
               'N passed, N failed'.  The groups of checks:
                 hygiene-*, tool-*, release-*: the series' mails, the tool, the release
                 parts-*       each part a packager takes alone applies and passes
                 bisect-*      every prefix of the series builds and passes test_ssl
                 openssl-*-series, modules-*, no-new-warnings-*: the whole series
                 stdlib-*      the standard library's tests: no new failure
                 client-*, clients-*, sslsocket-compat-*: gevent, trollius, and
                               2.7 SSLSocket code, against pristine 2.7.18
                 interop-*, tls-in-tls-*: Python 3 peers; TLS in TLS
                 sni-*, hashlib-*: single regression tests that must run
                 fault-harness-*: many connections with misbehaving peers
                 hardening-*   refleak, ASan, fuzz, threads, misuse
                 i386-*        a 32-bit interpreter (gcc -m32)
                 dist-*        the drop-ins on Debian, Fedora, Yocto, pyenv
                 backport-*    the backport on stock 2.7s (bullseye's python2.7,
                               python.org's and pyenv's 2.7.18, PyPy)
  edit, export build/work (a git tree, a commit per patch) and back to patches/
  bench        the benchmark (bench/): patched 2.7, Python 3, pyOpenSSL
  sdist        the backport for unpatched 2.7s (build/dist, from backport/)
  bench-backport  the backport's callgrind instructions per operation
  refleak, asan, fuzz (--cases N), threads (--seconds N), misuse:
               the hardening checks, one at a time
  release      build/release: the series, drop-ins, sdist, clients/ in one
               byte-reproducible tarball (refuses uncommitted changes)
  dist         rewrite the drop-ins' patch lists (dist/) from patches/series
  clean        remove the build folder

Options:
  --source PATH     your Python-$PY_VERSION.tgz, unpacked tree or git checkout
                    (default: Debian $DEBIAN_OLD's python2.7 source package)
  --openssl WHICH   system (default), 1.1.1 (Debian $DEBIAN_OLD's $OPENSSL111_VERSION), $(openssl_series_list)
                    (built once into $OPENSSL_CACHE), or PREFIX
  --arch i386       a 32-bit interpreter (gcc -m32, Debian's i386 OpenSSL)
  --prefix DIR      where 'install' puts it (default: inside the build folder)
  --base DIR        a distribution's patch stack (DIR/series, or Debian's
                    series.in) first, then each part that applies at fuzz 0
  --full            with 'test': also the slow rows
  --list            with 'test': print the rows and stop
  --cases N         with 'fuzz': how many cases (default 100000)
  --seconds N       with 'threads': how long (default 60)
  --allow-dirty     with 'release': pack uncommitted changes too
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

COMMANDS="source openssl apply build regrtest install test edit export clean bench
 refleak asan fuzz threads misuse sdist bench-backport release dist _row"
known_command() { local c; for c in $COMMANDS; do [ "$c" = "$1" ] && return 0; done; return 1; }

# number OPTION VALUE: refuse a VALUE that is not a positive whole number.
number() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 $2: say a whole number above 0"; }

main() {
    local cmd="" names=()
    while [ $# -gt 0 ]; do
        # --option=VALUE is --option VALUE
        case "$1" in --source=*|--openssl=*|--arch=*|--prefix=*|--base=*)
            set -- "${1%%=*}" "${1#*=}" "${@:2}" ;; esac
        case "$1" in
            # tool/checks.py's 'build.sh [OPTIONS] _row LEG NEEDS STEP ARG...'
            _row) [ -z "$cmd" ] || die "one command at a time (got '$cmd' and '$1')"
                  cmd=$1; shift; names=("$@"); break ;;
            -h|--help) usage; exit 0 ;;
            --source) [ $# -ge 2 ] || die "--source needs a path"; OPT_SOURCE=$2; shift ;;
            --openssl) [ $# -ge 2 ] || die "--openssl needs a value"; OPT_OPENSSL=$2; shift ;;
            --arch) [ $# -ge 2 ] || die "--arch needs a value"; OPT_ARCH=$2; shift ;;
            --prefix) [ $# -ge 2 ] || die "--prefix needs a folder"; OPT_PREFIX=$2; shift ;;
            --base) [ $# -ge 2 ] || die "--base needs a folder"; OPT_BASE=$2; shift ;;
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
    [ "$cmd" = clean ] || series >/dev/null
    if [ "$cmd" = test ]; then
        if [ "$OPT_LIST" = 1 ]; then
            [ ${#names[@]} -eq 0 ] || die "--list takes no check names"
            exec python3 "$TOOL/checks.py" list
        fi
        python3 "$TOOL/checks.py" rows "${names[@]}" >/dev/null || exit 2
    fi

    [ -z "$OPT_PREFIX" ] || { mkdir -p "$OPT_PREFIX" && OPT_PREFIX=$(cd "$OPT_PREFIX" && pwd); }
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
        clean) rm -rf "$BUILD"; step "clean: removed $BUILD" ;;
        bench) prepare_leg; do_bench ;;
        refleak) prepare_leg; do_refleak ;;
        asan) prepare_leg; do_asan ;;
        fuzz) prepare_leg; do_fuzz ;;
        threads) prepare_leg; do_threads "${OPT_SECONDS:-60}" ;;
        misuse) prepare_leg; do_misuse ;;
        sdist) do_sdist ;;
        bench-backport) do_openssl system ""; do_bench_backport ;;
        release) do_release ;;
        dist) do_dist ;;
    esac
}

main "$@"
