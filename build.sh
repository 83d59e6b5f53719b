#!/usr/bin/env bash
# build.sh: build CPython 2.7.18 with the PEP 546 patch series and check it.
#
# Everything it writes goes below the build folder (./build, or $BUILD_DIR);
# it never writes into a source tree it was given, nor outside that folder,
# except `install` (into the prefix you chose) and `export` (into patches/).
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${BUILD_DIR:-$TOP/build}
PATCHES=$TOP/patches
PY_VERSION=2.7.18
PY_TARBALL_SHA256=da3080e3b488f648a3d7a4560ddee895284c3380b11d6de75edb986526b9a814
PY_TARBALL_URL=https://www.python.org/ftp/python/$PY_VERSION/Python-$PY_VERSION.tgz
# The Debian release whose python2.7 source package carries the pristine
# tarball and whose libssl1.1 is OpenSSL 1.1.1w; and the one whose openssl
# source package is OpenSSL 3.5.
DEBIAN_OLD=bullseye
DEBIAN_NEW=trixie
OPENSSL111_VERSION=1.1.1w
OPENSSL35_VERSION=3.5
# Fixed identities and dates for the work tree, so that its commits (and the
# patches exported from them) do not depend on who runs the tool, or when.
PRISTINE_DATE="2020-04-20T00:00:00+00:00"
TOOL_IDENT_NAME="build.sh"
TOOL_IDENT_EMAIL="build.sh@localhost"

START=$SECONDS
JOBS=$(nproc 2>/dev/null || echo 2)
OPT_SOURCE=""
OPT_OPENSSL=system
OPT_PREFIX=""
OPT_FULL=0
OPT_CASES=""
OPT_SECONDS=""

usage() {
    cat <<EOF
Usage: ./build.sh [options] [command]

Builds CPython $PY_VERSION with the PEP 546 series in patches/ and checks it.
With no command: source, openssl, apply, build, regrtest (the main job).

Commands:
  source       get pristine $PY_VERSION (checked by SHA-256) into the build folder
  openssl      get or build the OpenSSL chosen with --openssl
  apply        apply patches/series, in order, to a fresh copy of the source
  build        configure and make (incremental) against the chosen OpenSSL
  regrtest     run 'regrtest -v test_ssl' with the built interpreter
  install      'make install' into the --prefix the build was configured with
  test         every check: hygiene, the tool's own tests, each prefix of the
               series on OpenSSL $OPENSSL111_VERSION and the system's, the whole
               series on OpenSSL $OPENSSL35_VERSION, interop with Python 3 and the
               hardening checks; ends with 'N passed, N failed'
  edit         make build/work: a git work tree with one pristine commit and
               one commit per patch, for git rebase -i / commit --amend
  export       write patches/ (and the files the series adds whole) from
               build/work, byte-stably
  bench        the benchmark (bench/): patched 2.7 vs Python 3 vs pyOpenSSL
  refleak      a --with-pydebug build running 'regrtest -R 3:3 test_ssl'
  asan         an AddressSanitizer build running test_ssl
  fuzz         the SSLObject fuzzer under AddressSanitizer (--cases N)
  threads      8 threads driving SSLObject pairs on one SSLContext beside a
               CPU-bound thread (--seconds N, default 60)
  misuse       every misuse of SSLObject/MemoryBIO raises a clear exception
  clean        remove the build folder

Options:
  --source PATH     your own Python-$PY_VERSION.tgz, unpacked tree or git checkout
                    (default: cached copy, else Debian $DEBIAN_OLD's python2.7
                    source package, else python.org)
  --openssl WHICH   system (default), 1.1.1 (Debian $DEBIAN_OLD's $OPENSSL111_VERSION,
                    unpacked privately), 3.5 (Debian $DEBIAN_NEW's source, built
                    privately), or PREFIX (your own install: PREFIX/include, PREFIX/lib)
  --prefix DIR      where 'install' puts the interpreter (default: a folder
                    inside the build folder; never the system unless you say so)
  --full            with 'test': also the slow legs (long fuzz and thread runs)
  --cases N         with 'fuzz': how many cases (default 100000)
  --seconds N       with 'threads': how long (default 60)
  -j N              parallel make jobs (default: $JOBS)
  -h, --help        this text

Build folder: $BUILD (set BUILD_DIR to move it). Logs: \$BUILD/logs.
EOF
}

# --- output -----------------------------------------------------------------

step() { printf '[%4ds] %s\n' $((SECONDS - START)) "$*"; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

# run LOG CMD...: run a command with its output in a log file; on failure
# show the end of the log and stop.
run() {
    local log=$1; shift
    mkdir -p "$(dirname "$log")"
    if ! "$@" >"$log" 2>&1; then
        tail -n 25 "$log" >&2
        die "'$*' failed; full log: $log"
    fi
}

need_tools() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 ||
            die "'$t' is needed but not installed (apt-get install ${t/dpkg-deb/dpkg})"
    done
}

# --- private apt --------------------------------------------------------------
# apt-get with its own state folder and a sources list of our own, built from
# the Debian mirror that the machine's apt sources already name.  The system's
# apt configuration and state are only read, never written.

debian_mirror() {
    local f uri=""
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
             /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        uri=$(awk '
            /^[[:space:]]*#/ { next }
            $1 == "URIs:" { for (i = 2; i <= NF; i++) print $i; next }
            $1 == "deb" || $1 == "deb-src" {
                for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break }
            }' "$f" | grep -E '/debian/?$' | head -n 1) || true
        [ -n "$uri" ] && break
    done
    [ -n "$uri" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d}; use --source and --openssl PREFIX instead"
    printf '%s\n' "${uri%/}"
}

# apt_private SUITE ARGS...: apt-get against Debian SUITE only.
apt_private() {
    local suite=$1; shift
    local dir=$BUILD/apt/$suite
    if [ ! -f "$dir/sources.list" ]; then
        need_tools apt-get
        local mirror
        mirror=$(debian_mirror)
        mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/parts"
        : >"$dir/status"
        printf 'deb [signed-by=%s] %s %s main\ndeb-src [signed-by=%s] %s %s main\n' \
            /usr/share/keyrings/debian-archive-keyring.gpg "$mirror" "$suite" \
            /usr/share/keyrings/debian-archive-keyring.gpg "$mirror" "$suite" \
            >"$dir/sources.list.new"
        mv "$dir/sources.list.new" "$dir/sources.list"
    fi
    local opts=(
        -o "Dir::Etc::SourceList=$dir/sources.list"
        -o "Dir::Etc::SourceParts=$dir/parts"
        -o "Dir::Etc::Preferences=$dir/parts/none"
        -o "Dir::Etc::PreferencesParts=$dir/parts"
        -o "Dir::State=$dir"
        -o "Dir::State::Lists=$dir/lists"
        -o "Dir::State::status=$dir/status"
        -o "Dir::Cache=$dir/cache"
        -o "Debug::NoLocking=1"
        -o "APT::Sandbox::User=root"
        -o "APT::Architecture=$(dpkg --print-architecture)"
    )
    if [ ! -f "$dir/updated" ]; then
        apt-get "${opts[@]}" update >"$dir/update.log" 2>&1 ||
            die "apt-get update for Debian $suite failed; see $dir/update.log"
        touch "$dir/updated"
    fi
    if [ "$1" = "apt-cache" ]; then
        shift
        apt-cache "${opts[@]}" "$@"
    else
        apt-get "${opts[@]}" "$@"
    fi
}

# --- step 1: pristine source ---------------------------------------------------

sha256_of() { sha256sum "$1" | awk '{print $1}'; }

check_tarball() {
    local sum
    sum=$(sha256_of "$1")
    [ "$sum" = "$PY_TARBALL_SHA256" ] ||
        die "$1: SHA-256 is $sum, not $PY_TARBALL_SHA256 (Python-$PY_VERSION.tgz); refusing it"
}

# check_tree DIR: refuse a tree that is not a clean 2.7.18, saying why.
check_tree() {
    local dir=$1
    [ -f "$dir/Include/patchlevel.h" ] ||
        die "$dir is not a CPython source tree (no Include/patchlevel.h)"
    grep -q "^#define PY_VERSION[[:space:]]*\"$PY_VERSION\"" "$dir/Include/patchlevel.h" ||
        die "$dir is not CPython $PY_VERSION: $(grep '^#define PY_VERSION' "$dir/Include/patchlevel.h")"
    if [ -e "$dir/.git" ]; then
        local dirty
        # --no-optional-locks: not even git's index refresh writes to it.
        dirty=$(git -C "$dir" --no-optional-locks status --porcelain 2>&1) ||
            die "$dir: git status failed: $dirty"
        [ -z "$dirty" ] || die "$dir has uncommitted changes (git status):
$(printf '%s\n' "$dirty" | head -n 10)"
    fi
    local bad
    [ -s "$PATCHES/base.sha256" ] || return 0
    bad=$(cd "$dir" && sha256sum --quiet -c "$PATCHES/base.sha256" 2>&1) ||
        die "$dir differs from pristine $PY_VERSION in files the series touches:
$bad"
}

# unpack_tarball TGZ DEST
unpack_tarball() {
    local tmp=$BUILD/pristine.new
    rm -rf "$tmp"; mkdir -p "$tmp"
    tar -xzf "$1" -C "$tmp" --strip-components=1
    check_tree "$tmp"
    rm -rf "$2"; mv "$tmp" "$2"
}

fetch_tarball() {
    local cache=$BUILD/cache/Python-$PY_VERSION.tgz
    [ -f "$cache" ] && { check_tarball "$cache"; printf '%s\n' "$cache"; return; }
    mkdir -p "$BUILD/cache/debsrc"
    if command -v apt-get >/dev/null 2>&1 && (debian_mirror) >/dev/null 2>&1; then
        if (cd "$BUILD/cache/debsrc" &&
                apt_private "$DEBIAN_OLD" source --download-only python2.7 \
                    >"$BUILD/cache/debsrc/apt.log" 2>&1); then
            local orig
            orig=$(ls "$BUILD/cache/debsrc"/python2.7_"$PY_VERSION".orig.tar.gz 2>/dev/null) || true
            if [ -n "$orig" ]; then
                check_tarball "$orig"
                mv "$orig" "$cache"; rm -rf "$BUILD/cache/debsrc"
                printf '%s\n' "$cache"; return
            fi
        fi
    fi
    if command -v curl >/dev/null 2>&1 &&
            curl -fsSL -o "$cache.part" "$PY_TARBALL_URL" 2>/dev/null; then
        check_tarball "$cache.part"
        mv "$cache.part" "$cache"; printf '%s\n' "$cache"; return
    fi
    rm -f "$cache.part"
    die "could not get Python-$PY_VERSION.tgz (Debian $DEBIAN_OLD source package or python.org); pass --source PATH"
}

# Fills $BUILD/pristine with the chosen pristine tree.
do_source() {
    local pristine=$BUILD/pristine origin
    if [ -n "$OPT_SOURCE" ]; then
        local src
        src=$(cd "$(dirname "$OPT_SOURCE")" && pwd)/$(basename "$OPT_SOURCE")
        [ -e "$src" ] || die "--source $OPT_SOURCE: no such file or folder"
        origin="$src"
        if [ -f "$pristine/.origin" ] && [ "$(cat "$pristine/.origin")" = "$origin" ] &&
                [ ! -d "$src" ]; then
            step "source: $origin (unpacked already)"; return
        fi
        if [ -d "$src" ]; then
            check_tree "$src"
            rm -rf "$BUILD/pristine.new"; mkdir -p "$BUILD/pristine.new"
            if [ -e "$src/.git" ]; then
                git -C "$src" archive --format=tar HEAD | tar -xf - -C "$BUILD/pristine.new"
            else
                (cd "$src" && tar -cf - --exclude=./.git .) | tar -xf - -C "$BUILD/pristine.new"
            fi
            rm -rf "$pristine"; mv "$BUILD/pristine.new" "$pristine"
        else
            check_tarball "$src"
            unpack_tarball "$src" "$pristine"
        fi
    else
        [ -f "$pristine/.origin" ] && [ "$(cat "$pristine/.origin")" = cache ] &&
            { step "source: pristine $PY_VERSION (cached)"; return; }
        origin=cache
        unpack_tarball "$(fetch_tarball)" "$pristine"
    fi
    printf '%s\n' "$origin" >"$pristine/.origin"
    step "source: pristine $PY_VERSION from $origin"
}

# --- step 2: OpenSSL --------------------------------------------------------------
# Sets OPENSSL_LEG (a short name for folders), OPENSSL_CPPFLAGS, OPENSSL_LDFLAGS.

openssl_111() {
    local root=$BUILD/openssl/$OPENSSL111_VERSION
    if [ ! -f "$root/.done" ]; then
        need_tools dpkg-deb apt-get
        rm -rf "$root" "$root.debs"; mkdir -p "$root.debs"
        local ver
        ver=$(apt_private "$DEBIAN_OLD" apt-cache policy libssl1.1 | awk '/Candidate:/ {print $2}')
        case "$ver" in
            "$OPENSSL111_VERSION"-*) ;;
            *) die "Debian $DEBIAN_OLD offers libssl1.1 '$ver', not $OPENSSL111_VERSION" ;;
        esac
        (cd "$root.debs" && apt_private "$DEBIAN_OLD" download \
            "libssl1.1=$ver" "libssl-dev=$ver") >"$BUILD/logs/openssl-$OPENSSL111_VERSION.log" 2>&1 ||
            die "apt-get download libssl1.1 libssl-dev=$ver failed; see $BUILD/logs/openssl-$OPENSSL111_VERSION.log"
        local deb
        for deb in "$root.debs"/*.deb; do dpkg-deb -x "$deb" "$root"; done
        rm -rf "$root.debs"
        touch "$root/.done"
    fi
    local arch; arch=$(gcc -print-multiarch)
    OPENSSL_LEG=$OPENSSL111_VERSION
    OPENSSL_CPPFLAGS="-I$root/usr/include -I$root/usr/include/$arch"
    OPENSSL_LDFLAGS="-L$root/usr/lib/$arch -Wl,-rpath,$root/usr/lib/$arch"
}

openssl_35() {
    local root=$BUILD/openssl/$OPENSSL35_VERSION
    if [ ! -f "$root/.done" ]; then
        need_tools apt-get perl xz
        local srcdir=$BUILD/openssl/src-$OPENSSL35_VERSION ver dsc
        rm -rf "$srcdir" "$root"; mkdir -p "$srcdir"
        # The mirror may list a version whose files are gone: take the newest
        # 3.5 one that downloads.
        for ver in $(apt_private "$DEBIAN_NEW" apt-cache showsrc openssl |
                     awk '/^Version: 3\.5\./ {print $2}' | sort -rV | uniq); do
            if (cd "$srcdir" && apt_private "$DEBIAN_NEW" source --download-only \
                    "openssl=$ver") >"$srcdir/apt.log" 2>&1; then
                break
            fi
            rm -f "$srcdir"/*; ver=""
        done
        [ -n "$ver" ] || die "no OpenSSL $OPENSSL35_VERSION source package of Debian $DEBIAN_NEW downloads; see $srcdir/apt.log"
        dsc=$(ls "$srcdir"/openssl_*.dsc)
        # Check every file against the .dsc's SHA-256 list.
        awk '/^Checksums-Sha256:/ {on=1; next} /^[^ ]/ {on=0} on && NF==3 {print $1 "  " $3}' \
            "$dsc" >"$srcdir/SHA256SUMS"
        (cd "$srcdir" && sha256sum --quiet -c SHA256SUMS) ||
            die "OpenSSL source files do not match $dsc"
        step "openssl: building Debian's openssl $ver (about 2 minutes)"
        mkdir -p "$srcdir/tree"
        tar -xzf "$srcdir"/openssl_*.orig.tar.gz -C "$srcdir/tree" --strip-components=1
        tar -xJf "$srcdir"/openssl_*.debian.tar.xz -C "$srcdir/tree"
        local p
        for p in $(sed -e 's/#.*//' "$srcdir/tree/debian/patches/series"); do
            patch -d "$srcdir/tree" -p1 --quiet --fuzz=0 <"$srcdir/tree/debian/patches/$p" ||
                die "Debian's patch $p does not apply to OpenSSL $ver"
        done
        run "$BUILD/logs/openssl-$OPENSSL35_VERSION.log" sh -c "
            cd '$srcdir/tree' &&
            ./Configure shared no-tests no-docs --prefix='$root' --libdir=lib \
                --openssldir='$root/ssl' &&
            make -j$JOBS && make install_sw install_ssldirs"
        rm -rf "$srcdir"
        touch "$root/.done"
    fi
    OPENSSL_LEG=$OPENSSL35_VERSION
    OPENSSL_CPPFLAGS="-I$root/include"
    OPENSSL_LDFLAGS="-L$root/lib -Wl,-rpath,$root/lib"
}

openssl_prefix() {
    local root=$1 lib
    [ -f "$root/include/openssl/ssl.h" ] || die "--openssl $root: no include/openssl/ssl.h there"
    for lib in lib lib64 "lib/$(gcc -print-multiarch)"; do
        [ -e "$root/$lib/libssl.so" ] && break
    done
    [ -e "$root/$lib/libssl.so" ] || die "--openssl $root: no lib/libssl.so there"
    OPENSSL_LEG=prefix-$(printf '%s' "$root" | sha256sum | cut -c1-8)
    OPENSSL_CPPFLAGS="-I$root/include"
    OPENSSL_LDFLAGS="-L$root/$lib -Wl,-rpath,$root/$lib"
}

do_openssl() {
    mkdir -p "$BUILD/logs"
    case "$OPT_OPENSSL" in
        system)
            [ -f /usr/include/openssl/ssl.h ] ||
                die "--openssl system: /usr/include/openssl/ssl.h missing (apt-get install libssl-dev)"
            OPENSSL_LEG=system OPENSSL_CPPFLAGS="" OPENSSL_LDFLAGS="" ;;
        1.1.1|"$OPENSSL111_VERSION") openssl_111 ;;
        3.5) openssl_35 ;;
        /*|./*|../*) openssl_prefix "$(cd "$OPT_OPENSSL" && pwd)" ;;
        *) die "--openssl $OPT_OPENSSL: say system, 1.1.1, 3.5 or a folder" ;;
    esac
    step "openssl: $OPT_OPENSSL ${OPENSSL_CPPFLAGS:+($OPENSSL_CPPFLAGS)}"
}

# --- step 3: apply ---------------------------------------------------------------------

series() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series" | awk '{print $1}'; }

# apply_series DIR [N]: apply the first N patches (all by default) with
# patch -p1, stopping at (and naming) one that does not apply cleanly.
apply_series() {
    local dir=$1 n=${2:-999999} i=0 p
    for p in $(series); do
        [ "$i" -lt "$n" ] || break
        i=$((i + 1))
        patch -d "$dir" -p1 --batch --fuzz=0 --no-backup-if-mismatch --quiet \
            <"$PATCHES/$p" >"$BUILD/logs/apply-$p.log" 2>&1 ||
            die "patch $i, $p, does not apply: $(head -n 5 "$BUILD/logs/apply-$p.log")"
    done
}

# sync_tree FROM TO: make TO equal to FROM, rewriting only the files that
# differ (with a new mtime, so that make rebuilds just what they feed).
sync_tree() {
    python3 - "$1" "$2" <<'EOF'
import filecmp, os, shutil, sys
src, dst = sys.argv[1:]
fresh = not os.path.isdir(dst)
seen = set()
for root, dirs, files in os.walk(src):
    rel = os.path.relpath(root, src)
    os.makedirs(os.path.join(dst, rel), exist_ok=True)
    for name in files:
        s, d = os.path.join(root, name), os.path.join(dst, rel, name)
        seen.add(os.path.normpath(os.path.join(rel, name)))
        if fresh or not os.path.exists(d):
            shutil.copy2(s, d)
        elif not filecmp.cmp(s, d, shallow=False):
            shutil.copyfile(s, d)
            shutil.copymode(s, d)
for root, dirs, files in os.walk(dst):
    for name in files:
        rel = os.path.normpath(os.path.relpath(os.path.join(root, name), dst))
        if rel not in seen:
            os.unlink(os.path.join(root, name))
EOF
}

# do_apply LEG [N]: $BUILD/LEG/src becomes pristine + the first N patches.
do_apply() {
    local leg=$1 n=${2:-} stage=$BUILD/stage
    [ -d "$BUILD/pristine" ] || die "no pristine source yet: run ./build.sh source"
    rm -rf "$stage"; cp -a "$BUILD/pristine" "$stage"; rm -f "$stage/.origin"
    apply_series "$stage" "$n"
    sync_tree "$stage" "$BUILD/$leg/src"
    rm -rf "$stage"
    local total; total=$(series | wc -l)
    step "apply: ${n:-$total} of $total patches -> $BUILD/$leg/src"
}

# --- step 4: build -----------------------------------------------------------------------

# The build variants: the plain one, a --with-pydebug one (for refleak)
# and an AddressSanitizer one (asan, fuzz).  Each has its own object folder
# beside the plain one, over the same source copy.
VARIANT=""
# regrtest options, split on spaces.
REGRTEST_OPTS="-v"
obj_dir() { printf '%s\n' "$BUILD/$1/obj${VARIANT:+-$VARIANT}"; }

# ASan: no leak report (the interpreter never frees some of what it holds
# at exit), and stop at the first error.
ASAN_RUN_OPTIONS="detect_leaks=0:abort_on_error=1:print_summary=1"

# do_build LEG: configure (again only when the flags change) and make, out
# of tree, in obj_dir LEG.
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
    ASAN_OPTIONS=$ASAN_RUN_OPTIONS run "$log-make.log" make -C "$obj" -j"$JOBS"
    [ -x "$obj/python" ] || die "no interpreter was built; see $log-make.log"
    step "build: $obj/python ($(grep -c 'warning:' "$log-make.log" || true) compiler warnings in the log)"
}

# check_modules LEG: the interpreter has _ssl and _hashlib, on the OpenSSL
# asked for.
check_modules() {
    local obj; obj=$(obj_dir "$1")
    local info
    info=$("$obj/python" -E -c 'import ssl, _hashlib; print(ssl.OPENSSL_VERSION)' 2>&1) ||
        die "the interpreter lacks _ssl or _hashlib: $info (see $BUILD/logs/$1-make.log)"
    # Both link libcrypto (_hashlib needs no libssl): it must come from the
    # OpenSSL asked for, a private one or the system's.
    local so libdir=""
    if [ -n "$OPENSSL_LDFLAGS" ]; then libdir=${OPENSSL_LDFLAGS#-L}; libdir=${libdir%% *}; fi
    for so in "$obj"/build/lib.*/_ssl.so "$obj"/build/lib.*/_hashlib.so; do
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
    step "check: ssl and _hashlib import; $info"
}

# no_new_warnings LEG: the C files the series changes compile, against the
# OpenSSL of LEG and with the build's warning flags, without a warning
# that pristine 2.7.18 does not have (compared by message, not by line).
no_new_warnings() {
    local obj; obj=$(obj_dir "$1")
    local f tree new=0
    for f in _ssl _hashopenssl; do
        for tree in pristine "$1/src"; do
            # shellcheck disable=SC2086  # OPENSSL_CPPFLAGS is a word list
            gcc -c -o /dev/null -fno-strict-aliasing -fwrapv -O2 -Wall \
                -Wstrict-prototypes $OPENSSL_CPPFLAGS -I"$BUILD/$tree/Include" \
                -I"$obj" "$BUILD/$tree/Modules/$f.c" 2>&1 |
                sed -n 's/^[^ ]*: warning: //p' | LC_ALL=C sort -u \
                >"$BUILD/logs/warnings-$1-$f-${tree%%/*}.txt"
        done
        if LC_ALL=C comm -13 "$BUILD/logs/warnings-$1-$f-pristine.txt" \
                "$BUILD/logs/warnings-$1-$f-$1.txt" | grep .; then
            new=1
        fi
        echo "$f.c: $(wc -l <"$BUILD/logs/warnings-$1-$f-$1.txt") warnings" \
             "(pristine: $(wc -l <"$BUILD/logs/warnings-$1-$f-pristine.txt"))"
    done
    return "$new"
}

# --- step 5: regrtest --------------------------------------------------------------------

# do_regrtest LEG [TESTS...]: prints the summary, keeps the log.
do_regrtest() {
    local leg=$1; shift
    local obj log=$BUILD/logs/$leg${VARIANT:+-$VARIANT}-regrtest.log
    obj=$(obj_dir "$leg")
    local args=("${@:-test_ssl}")
    local rc=0
    (cd "$obj" && ASAN_OPTIONS=$ASAN_RUN_OPTIONS ./python -E -B -m test.regrtest $REGRTEST_OPTS "${args[@]}") \
        >"$log" 2>&1 || rc=$?
    local summary
    summary=$(grep -E '^(Ran [0-9]+ tests|OK|FAILED|.*leaked)' "$log" | tr '\n' ' ' || true)
    if [ "$rc" -ne 0 ]; then
        grep -E '^(FAIL|ERROR):' "$log" | head -n 25 >&2 || true
        step "regrtest: ${args[*]} FAILED: $summary(log: $log)"
        return 1
    fi
    step "regrtest: ${args[*]}: $summary(log: $log)"
}

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
  install it:        ./build.sh --openssl $OPT_OPENSSL --prefix DIR install
                     (then DIR/bin/python2.7; the default DIR is $BUILD/$OPENSSL_LEG/install)
EOF
}

do_install() {
    do_source; do_openssl; do_apply "$OPENSSL_LEG"; do_build "$OPENSSL_LEG"
    check_modules "$OPENSSL_LEG"
    run "$BUILD/logs/$OPENSSL_LEG-install.log" make -C "$BUILD/$OPENSSL_LEG/obj" install
    step "install: $(cd "$BUILD/$OPENSSL_LEG/obj" && ./python -E -c 'import sysconfig; print(sysconfig.get_config_var("prefix"))')/bin/python2.7"
}

# --- hardening and the benchmark ------------------------------------------------------------
# They use the OpenSSL chosen with --openssl (the system's by default) and the
# whole series.

prepare_leg() { do_source; do_openssl; do_apply "$OPENSSL_LEG"; }

# no_asan_report LOG: the log has no AddressSanitizer report.
no_asan_report() {
    ! grep -m 3 -A 12 'ERROR: AddressSanitizer' "$1" >&2
}

# A --with-pydebug build runs 'regrtest -R 3:3 test_ssl': 3 warm-up runs,
# then 3 whose reference counts must not grow.
do_refleak() {
    VARIANT=pydebug do_build "$OPENSSL_LEG"
    VARIANT=pydebug REGRTEST_OPTS="-R 3:3" do_regrtest "$OPENSSL_LEG"
    ! grep -q 'leaked' "$BUILD/logs/$OPENSSL_LEG-pydebug-regrtest.log"
}

do_asan() {
    VARIANT=asan do_build "$OPENSSL_LEG"
    VARIANT=asan do_regrtest "$OPENSSL_LEG"
    no_asan_report "$BUILD/logs/$OPENSSL_LEG-asan-regrtest.log"
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

do_fuzz() {
    VARIANT=asan do_build "$OPENSSL_LEG"
    # A small quarantine: memory ASan keeps back after free() must not read
    # as growth to the fuzzer's check that memory stays bounded.
    ASAN_SCRIPT_OPTIONS=$ASAN_RUN_OPTIONS:quarantine_size_mb=16 \
        run_script fuzz asan fuzz_sslobject.py --cases "${OPT_CASES:-100000}" --seed 546
}

do_threads() {
    do_build "$OPENSSL_LEG"
    run_script threads "" threads_sslobject.py --seconds "${1:-60}"
}

do_misuse() {
    do_build "$OPENSSL_LEG"
    run_script misuse "" misuse_sslobject.py
}

# The two peers the benchmark compares with, below $BUILD/peers:
# Debian bullseye's python3.9 and openssl tool (both on OpenSSL 1.1.1w),
# and pyOpenSSL 21.0.0 with cryptography 3.3.2 for the patched 2.7.
BULLSEYE_PY39_PACKAGES="python3.9-minimal libpython3.9-minimal libpython3.9-stdlib
 libssl1.1 openssl zlib1g libexpat1 libffi7 libbz2-1.0 liblzma5 libmpdec3
 libuuid1 libcrypt1 libnsl2 libtirpc3 libgssapi-krb5-2 libkrb5-3 libk5crypto3
 libkrb5support0 libcom-err2 libkeyutils1"

peers_py39() {
    local d=$BUILD/peers/py39
    [ -x "$d/python3.9" ] && return 0
    need_tools apt-get dpkg-deb
    rm -rf "$d"; mkdir -p "$d/debs" "$d/root"
    local p arch; arch=$(gcc -print-multiarch)
    for p in $BULLSEYE_PY39_PACKAGES; do
        (cd "$d/debs" && apt_private "$DEBIAN_OLD" download "$p") >>"$BUILD/logs/peers.log" 2>&1 ||
            die "apt-get download $p (Debian $DEBIAN_OLD) failed; see $BUILD/logs/peers.log"
    done
    for p in "$d"/debs/*.deb; do dpkg-deb -x "$p" "$d/root"; done
    rm -rf "$d/debs"
    local libs="$d/root/usr/lib/$arch:$d/root/lib/$arch"
    printf '#!/bin/sh\nexec env LD_LIBRARY_PATH="%s" PYTHONHOME="%s" "%s" "$@"\n' \
        "$libs" "$d/root/usr" "$d/root/usr/bin/python3.9" >"$d/python3.9"
    printf '#!/bin/sh\nexec env LD_LIBRARY_PATH="%s" OPENSSL_CONF=/dev/null "%s" "$@"\n' \
        "$libs" "$d/root/usr/bin/openssl" >"$d/openssl"
    chmod +x "$d/python3.9" "$d/openssl"
    "$d/python3.9" -c 'import ssl' || die "bullseye's python3.9 cannot import ssl"
}

peers_pyopenssl() {
    local d=$BUILD/peers/pyopenssl27
    [ -d "$d/OpenSSL" ] && return 0
    rm -rf "$d" "$d.wheels"; mkdir -p "$d" "$d.wheels"
    python3 -m pip download -q --disable-pip-version-check --no-cache-dir \
        --only-binary=:all: --python-version 27 --implementation cp --abi cp27mu \
        --platform manylinux2010_x86_64 --platform manylinux1_x86_64 -d "$d.wheels" \
        "pyOpenSSL==21.0.0" "cryptography==3.3.2" "cffi<1.16" six enum34 ipaddress \
        "pycparser<2.22" >>"$BUILD/logs/peers.log" 2>&1 ||
        die "pip download of pyOpenSSL 21.0.0 and its dependencies failed; see $BUILD/logs/peers.log"
    local w
    for w in "$d.wheels"/*.whl; do python3 -m zipfile -e "$w" "$d"; done
    rm -rf "$d.wheels"
}

do_bench() {
    do_build "$OPENSSL_LEG"
    peers_pyopenssl
    local py3 openssl_tool
    case "$OPENSSL_LEG" in
        system) py3=python3 openssl_tool=openssl ;;
        "$OPENSSL111_VERSION") peers_py39; py3=$BUILD/peers/py39/python3.9
            openssl_tool=$BUILD/peers/py39/openssl ;;
        *) die "bench compares with a Python 3 on the same OpenSSL: use --openssl system or 1.1.1" ;;
    esac
    need_tools "$openssl_tool"
    step "bench: patched 2.7 vs $("$py3" -c 'import ssl, sys; print("Python %d.%d (%s)" % (sys.version_info[:2] + (ssl.OPENSSL_VERSION,)))') vs pyOpenSSL 21.0.0"
    python3 "$TOP/bench/run.py" --patched "$(obj_dir "$OPENSSL_LEG")/python" --py3 "$py3" \
        --pyopenssl-path "$BUILD/peers/pyopenssl27" --openssl "$openssl_tool" \
        --certdir "$BUILD/$OPENSSL_LEG/src/Lib/test" --json-out "$BUILD/bench-$OPENSSL_LEG.json" \
        2>&1 | tee "$BUILD/logs/bench-$OPENSSL_LEG.log"
    return "${PIPESTATUS[0]}"
}

# --- the patch-queue workflow --------------------------------------------------------------

# git with no user or system configuration, so results do not depend on it.
qgit() {
    GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
    GIT_AUTHOR_NAME=$TOOL_IDENT_NAME GIT_AUTHOR_EMAIL=$TOOL_IDENT_EMAIL \
    GIT_COMMITTER_NAME=$TOOL_IDENT_NAME GIT_COMMITTER_EMAIL=$TOOL_IDENT_EMAIL \
        git "$@"
}

# make_work_tree DIR: pristine commit (tagged v2.7.18), then git am of the series.
make_work_tree() {
    local work=$1
    [ -d "$BUILD/pristine" ] || die "no pristine source yet: run ./build.sh source"
    rm -rf "$work.new"; mkdir -p "$(dirname "$work")"
    cp -a "$BUILD/pristine" "$work.new"; rm -f "$work.new/.origin"
    qgit -C "$work.new" init -q -b main
    # A build or test run from the work tree leaves .pyc files in Lib/
    printf '*.pyc\n' >>"$work.new/.git/info/exclude"
    qgit -C "$work.new" add -A
    GIT_AUTHOR_DATE=$PRISTINE_DATE GIT_COMMITTER_DATE=$PRISTINE_DATE \
        qgit -C "$work.new" commit -q -m "Python $PY_VERSION (pristine)"
    qgit -C "$work.new" tag "v$PY_VERSION"
    local p
    for p in $(series); do
        qgit -C "$work.new" am -q --committer-date-is-author-date "$PATCHES/$p" \
            >"$BUILD/logs/am-$p.log" 2>&1 ||
            { rm -rf "$work.new"; die "git am of $p failed: $(head -n 5 "$BUILD/logs/am-$p.log")"; }
    done
    rm -rf "$work"; mv "$work.new" "$work"
}

do_edit() {
    local work=$BUILD/work
    [ -e "$work" ] && die "$work exists already: export it (./build.sh export) or remove it first"
    do_source
    mkdir -p "$BUILD/logs"
    make_work_tree "$work"
    step "edit: $work: v$PY_VERSION plus $(series | wc -l) commits; edit with git, then ./build.sh export"
}

# export_series WORK OUT: OUT gets patches/ and the whole added files, as
# exported from WORK's commits since v2.7.18.
export_series() {
    local work=$1 out=$2
    local dirty; dirty=$(qgit -C "$work" status --porcelain)
    [ -z "$dirty" ] || die "$work has uncommitted changes; commit them first:
$dirty"
    rm -rf "$out"; mkdir -p "$out/patches"
    qgit -C "$work" -c core.abbrev=12 -c diff.renames=false -c diff.algorithm=myers \
        format-patch -q --no-signature --zero-commit --no-numbered --no-renames \
        -o "$out/patches" "v$PY_VERSION..HEAD"
    (cd "$out/patches" && ls *.patch 2>/dev/null) >"$out/patches/series" || true
    # SHA-256 of the pristine files the series changes: how a --source tree
    # is told to be pristine where it matters.
    qgit -C "$work" diff --no-renames --name-only --diff-filter=MD "v$PY_VERSION" HEAD |
        LC_ALL=C sort | while read -r f; do
            printf '%s  %s\n' "$(qgit -C "$work" show "v$PY_VERSION:$f" | sha256sum | cut -d' ' -f1)" "$f"
        done >"$out/patches/base.sha256"
    # The files the series adds whole, at their CPython paths.
    qgit -C "$work" diff --no-renames --name-only --diff-filter=A "v$PY_VERSION" HEAD |
        while read -r f; do
            mkdir -p "$out/added/$(dirname "$f")"
            qgit -C "$work" show "HEAD:$f" >"$out/added/$f"
        done
}

# The files of this repository that the series adds whole.
added_files_in_repo() {
    git -C "$TOP" ls-files --cached --others --exclude-standard -- \
        Lib Modules Doc Misc Include Tools 2>/dev/null
}

do_export() {
    local work=$BUILD/work out=$BUILD/export
    [ -d "$work/.git" ] || die "no work tree at $work: run ./build.sh edit first"
    export_series "$work" "$out"
    # Replace what export writes; keep anything else (the cover letter).
    mkdir -p "$PATCHES"
    rm -f "$PATCHES"/*.patch "$PATCHES/series" "$PATCHES/base.sha256"
    mv "$out/patches"/* "$PATCHES"/
    local f
    for f in $(added_files_in_repo); do rm -f "$TOP/$f"; done
    if [ -d "$out/added" ]; then (cd "$out/added" && tar -cf - .) | (cd "$TOP" && tar -xf -); fi
    rm -rf "$out"
    step "export: $(series | wc -l) patches in $PATCHES"
}

# --- test: every check -------------------------------------------------------------------------

PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()

# check NAME CMD...: one counted result; output in a log.
check() {
    local name=$1; shift
    local log=$BUILD/logs/test/$name.log t0=$SECONDS
    mkdir -p "$BUILD/logs/test"
    # errexit is off inside anything whose status is tested ('if', '||'), so
    # run the check in a subshell of its own with errexit on.
    local rc
    set +e
    (set -e; "$@") >"$log" 2>&1
    rc=$?
    set -e
    if [ "$rc" -eq 0 ]; then
        PASSED=$((PASSED + 1))
        step "PASS $name ($((SECONDS - t0))s)"
    else
        FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name")
        step "FAIL $name ($((SECONDS - t0))s; log: $log)"
        tail -n 15 "$log" | sed 's/^/    /'
    fi
}

# count_unittest NAME LOG: add a unittest run's results to the totals.
count_unittest() {
    local name=$1 log=$2 ran bad skipped
    ran=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\} .*/\1/p' "$log" | tail -n 1)
    bad=$(grep -cE '^(FAIL|ERROR): ' "$log" || true)
    if [ -z "$ran" ]; then
        FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name")
        step "FAIL $name: did not run (log: $log)"
        tail -n 15 "$log" | sed 's/^/    /'
        return
    fi
    skipped=$(grep -cE ' \.\.\. skipped' "$log" || true)
    PASSED=$((PASSED + ran - bad - skipped)); FAILED=$((FAILED + bad))
    SKIPPED=$((SKIPPED + skipped))
    [ "$bad" -eq 0 ] || FAILED_NAMES+=("$name")
    step "$name: $((ran - bad - skipped)) passed, $bad failed, $skipped skipped (log: $log)"
    [ "$bad" -eq 0 ] || grep -E '^(FAIL|ERROR): ' "$log" | sed 's/^/    /'
}

# run_unittests NAME FILE [VAR=VALUE...]: a Python 3 unittest file of tests/,
# each test counted.
run_unittests() {
    local name=$1 file=$2; shift 2
    local log=$BUILD/logs/test/$name.log
    env "$@" python3 -m unittest discover -s "$TOP/tests" -p "$file" -v >"$log" 2>&1 || true
    count_unittest "$name" "$log"
}

hygiene_series_matches_files() {
    local listed present
    listed=$(series | LC_ALL=C sort)
    present=$(cd "$PATCHES" && ls *.patch | LC_ALL=C sort)
    [ "$listed" = "$present" ] || { diff <(echo "$listed") <(echo "$present"); return 1; }
    [ "$(series | LC_ALL=C sort -u)" = "$listed" ]
}

hygiene_subjects_and_bodies() {
    local p ok=0
    for p in $(series); do
        python3 - "$PATCHES/$p" <<'EOF' || ok=1
import email, sys
path = sys.argv[1]
msg = email.message_from_binary_file(open(path, "rb"))
subject = " ".join((msg["Subject"] or "").split())
body = msg.get_payload(decode=True).decode("utf-8").split("\n---\n", 1)[0].strip()
problems = []
if not subject.startswith("[PATCH] ") or len(subject) < 20:
    problems.append("no subject")
elif len(subject) > 8 + 72:
    problems.append("subject longer than 72 characters")
if len(body.split()) < 30:
    problems.append("body too short to say why and how it differs from Python 3")
if any(len(l) > 76 for l in body.splitlines()):
    problems.append("body lines over 76 characters")
for p in problems:
    print("%s: %s" % (path, p))
sys.exit(1 if problems else 0)
EOF
    done
    return $ok
}

# quilt, from Debian's package, unpacked below the build folder.
quilt_cmd() {
    local root=$BUILD/tools/quilt
    if [ ! -x "$root/usr/bin/quilt" ]; then
        need_tools apt-get dpkg-deb
        rm -rf "$root"; mkdir -p "$root"
        (cd "$root" && apt_private "$DEBIAN_OLD" download quilt) >"$BUILD/logs/quilt.log" 2>&1 ||
            die "apt-get download quilt failed; see $BUILD/logs/quilt.log"
        dpkg-deb -x "$root"/quilt_*.deb "$root"
    fi
    QUILT_DIR=$root/usr/share/quilt "$root/usr/bin/quilt" --quiltrc /dev/null "$@"
}

# The series gives the same tree through patch -p1 --fuzz=0, git am, quilt,
# and a single 'cat *.patch | patch -p1' (what pyenv install --patch does).
hygiene_apply_methods() {
    local d=$BUILD/hygiene
    rm -rf "$d"; mkdir -p "$d"
    cp -a "$BUILD/pristine" "$d/patch"; rm -f "$d/patch/.origin"
    apply_series "$d/patch"
    cp -a "$BUILD/pristine" "$d/cat"; rm -f "$d/cat/.origin"
    (cd "$PATCHES" && cat $(series)) | patch -d "$d/cat" -p1 --batch --fuzz=0 \
        --no-backup-if-mismatch --quiet
    cp -a "$BUILD/pristine" "$d/quilt"; rm -f "$d/quilt/.origin"
    if [ -n "$(series)" ]; then
        (cd "$d/quilt" && QUILT_PATCHES=$PATCHES QUILT_PC=$d/quilt.pc \
            quilt_cmd push -a --fuzz=0 -q)
    fi
    make_work_tree "$d/am"
    rm -rf "$d/am/.git"
    diff -r "$d/patch" "$d/am" && diff -r "$d/patch" "$d/cat" && diff -r "$d/patch" "$d/quilt"
    rm -rf "$d"
}

hygiene_added_files() {
    local d=$BUILD/hygiene-added
    rm -rf "$d"
    make_work_tree "$d/work"
    export_series "$d/work" "$d/out"
    local in_repo in_series
    in_repo=$(added_files_in_repo | LC_ALL=C sort)
    in_series=$( (cd "$d/out/added" 2>/dev/null && find . -type f | sed 's|^\./||') | LC_ALL=C sort)
    [ "$in_repo" = "$in_series" ] ||
        { echo "repo vs series:"; diff <(echo "$in_repo") <(echo "$in_series"); return 1; }
    local f
    for f in $in_series; do cmp "$TOP/$f" "$d/out/added/$f" || return 1; done
    rm -rf "$d"
}

hygiene_export_is_stable() {
    local d=$BUILD/hygiene-export
    rm -rf "$d"
    make_work_tree "$d/work"
    export_series "$d/work" "$d/out"
    local f
    for f in $(cd "$d/out/patches" && ls); do cmp "$d/out/patches/$f" "$PATCHES/$f"; done
    [ "$(cd "$d/out/patches" && ls *.patch 2>/dev/null)" = "$(cd "$PATCHES" && ls *.patch 2>/dev/null)" ]
    rm -rf "$d"
}

# bisect LEG N: prefix N of the series builds and passes test_ssl.
bisect_prefix() {
    local leg=$1 n=$2
    do_apply "$leg" "$n"
    do_build "$leg"
    do_regrtest "$leg"
}

pristine_builds() {
    do_apply "$1" 0
    do_build "$1"
}

test_leg_111() {
    OPT_OPENSSL=1.1.1; do_openssl
    local n total; total=$(series | wc -l)
    for n in $(seq 0 "$total"); do
        check "bisect-openssl-$OPENSSL_LEG-prefix-$n" bisect_prefix "$OPENSSL_LEG" "$n"
    done
    check "modules-openssl-$OPENSSL_LEG" check_modules "$OPENSSL_LEG"
    check "no-new-warnings-openssl-$OPENSSL_LEG" no_new_warnings "$OPENSSL_LEG"
}

test_leg_system() {
    OPT_OPENSSL=system; do_openssl
    local n total; total=$(series | wc -l)
    # Pristine 2.7.18 fails 21 of test_ssl's tests on OpenSSL 3: the first
    # patches fix that, so only its build is checked.
    check "bisect-openssl-system-prefix-0-builds" pristine_builds system
    for n in $(seq 1 "$total"); do
        check "bisect-openssl-system-prefix-$n" bisect_prefix system "$n"
    done
    check "modules-openssl-system" check_modules system
    check "no-new-warnings-openssl-system" no_new_warnings system
}

test_leg_35() {
    OPT_OPENSSL=3.5
    check "openssl-$OPENSSL35_VERSION-series" bisect_prefix_full_35
    check "no-new-warnings-openssl-$OPENSSL35_VERSION" no_new_warnings_35
}
no_new_warnings_35() {
    do_openssl
    no_new_warnings "$OPENSSL_LEG"
}
bisect_prefix_full_35() {
    do_openssl
    do_apply "$OPENSSL_LEG"
    do_build "$OPENSSL_LEG"
    check_modules "$OPENSSL_LEG"
    do_regrtest "$OPENSSL_LEG"
}

# The hardening checks, on the system's OpenSSL and the whole series (which
# the system leg left in build/system/src).  --full runs them at length.
test_hardening() {
    OPT_OPENSSL=system; do_openssl
    check hardening-refleak-test_ssl do_refleak
    check hardening-asan-test_ssl do_asan
    if [ "$OPT_FULL" = 1 ]; then OPT_CASES=${OPT_CASES:-100000}; else OPT_CASES=${OPT_CASES:-5000}; fi
    check hardening-fuzz-under-asan do_fuzz
    check hardening-threads do_threads "$([ "$OPT_FULL" = 1 ] && echo 60 || echo 10)"
    check hardening-misuse do_misuse
}

do_test() {
    local t0=$SECONDS
    do_source
    mkdir -p "$BUILD/logs/test"
    check hygiene-series-lists-every-patch hygiene_series_matches_files
    check hygiene-subjects-and-bodies hygiene_subjects_and_bodies
    check hygiene-patch-gitam-pyenv-agree hygiene_apply_methods
    check hygiene-added-files-match-series hygiene_added_files
    check hygiene-export-is-byte-stable hygiene_export_is_stable

    run_unittests tool-tests test_build_sh.py \
        BUILD_SH_TARBALL="$BUILD/cache/Python-$PY_VERSION.tgz"

    test_leg_111
    test_leg_system
    run_unittests interop-python3 test_interop.py \
        PYTHON27="$BUILD/system/obj/python" PYTHON27_LIBTEST="$BUILD/system/src/Lib/test"
    test_leg_35
    test_hardening

    step "test: done in $((SECONDS - t0))s"
    [ "$FAILED" -eq 0 ] || printf 'failed: %s\n' "${FAILED_NAMES[*]}"
    if [ "$SKIPPED" -gt 0 ]; then
        printf '%d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
    else
        printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
    fi
    [ "$FAILED" -eq 0 ]
}

do_clean() {
    rm -rf "$BUILD"
    step "clean: removed $BUILD"
}

# --- command line ------------------------------------------------------------------------------

main() {
    local cmd=""
    while [ $# -gt 0 ]; do
        case "$1" in
            -h|--help) usage; exit 0 ;;
            --source) [ $# -ge 2 ] || die "--source needs a path"; OPT_SOURCE=$2; shift ;;
            --source=*) OPT_SOURCE=${1#*=} ;;
            --openssl) [ $# -ge 2 ] || die "--openssl needs a value"; OPT_OPENSSL=$2; shift ;;
            --openssl=*) OPT_OPENSSL=${1#*=} ;;
            --prefix) [ $# -ge 2 ] || die "--prefix needs a folder"; OPT_PREFIX=$2; shift ;;
            --prefix=*) OPT_PREFIX=${1#*=} ;;
            --full) OPT_FULL=1 ;;
            --cases) [ $# -ge 2 ] || die "--cases needs a number"; OPT_CASES=$2; shift ;;
            --seconds) [ $# -ge 2 ] || die "--seconds needs a number"; OPT_SECONDS=$2; shift ;;
            -j) [ $# -ge 2 ] || die "-j needs a number"; JOBS=$2; shift ;;
            -j*) JOBS=${1#-j} ;;
            -*) die "unknown option $1 (see ./build.sh --help)" ;;
            *) [ -z "$cmd" ] || die "one command at a time (got '$cmd' and '$1')"; cmd=$1 ;;
        esac
        shift
    done
    if [ -n "$OPT_PREFIX" ]; then
        mkdir -p "$OPT_PREFIX" && OPT_PREFIX=$(cd "$OPT_PREFIX" && pwd)
    fi
    need_tools gcc make git patch python3 tar sha256sum
    mkdir -p "$BUILD/logs"
    case "$cmd" in
        "") main_job ;;
        source) do_source ;;
        openssl) do_openssl ;;
        apply) do_source; do_openssl; do_apply "$OPENSSL_LEG" ;;
        build) do_openssl; do_apply "$OPENSSL_LEG"; do_build "$OPENSSL_LEG"; check_modules "$OPENSSL_LEG" ;;
        regrtest) do_openssl; do_regrtest "$OPENSSL_LEG" ;;
        install) do_install ;;
        test) do_test ;;
        edit) do_edit ;;
        export) do_export ;;
        clean) do_clean ;;
        bench) prepare_leg; do_bench ;;
        refleak) prepare_leg; do_refleak ;;
        asan) prepare_leg; do_asan ;;
        fuzz) prepare_leg; do_fuzz ;;
        threads) prepare_leg; do_threads "${OPT_SECONDS:-60}" ;;
        misuse) prepare_leg; do_misuse ;;
        *) die "unknown command '$cmd' (see ./build.sh --help)" ;;
    esac
}

main "$@"
