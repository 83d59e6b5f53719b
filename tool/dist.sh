# dist.sh: the distribution drop-ins in dist/ and their checks.  Each check
# applies a drop-in the way that distribution's own tooling does: Debian's
# debian/rules (cpp over series.in, then quilt) or dpkg-source (quilt's
# series), rpm's %prep (%patch -P N -pN, fuzz 0), bitbake's do_patch (the
# SRC_URI patches in order, patch -p1, its patch-fuzz QA check) and pyenv's
# python-build --patch.  The file lists in dist/ are generated from
# patches/series (tool/dropins.py; './build.sh dist').

DIST=$TOP/dist

# do_dist: rewrite the drop-ins' file lists from patches/series.
do_dist() {
    python3 "$TOOL/dropins.py" write
    step "dist: the drop-ins in $DIST list patches/series as it stands"
}

hygiene_dropins_match_series() { python3 "$TOOL/dropins.py" check; }

# shared_base NAME: ../shared/bases/NAME, or exit 77 (skipped) saying why
# (on stderr: it runs in $(...), whose status errexit turns into the row's).
shared_base() {
    local d=$SHARED_BASES/$1
    [ -d "$d/patches" ] && [ -d "$SHARED_BASES" ] ||
        { echo "skipped: no $d (../shared/bases, the distributions' stacks, is not beside this tree)" >&2
          exit 77; }
    printf '%s\n' "$(cd "$d" && pwd)"
}

# need_header H PACKAGE: refuse, naming PACKAGE, where the C header H is
# missing (asked of the compiler, so multiarch folders count).
need_header() {
    echo "#include <$1>" | gcc -E -x c - >/dev/null 2>&1 ||
        die "$1 is needed (apt-get install $2)"
}

# dropin_list FILE: the patches a drop-in file applies, in order.
dropin_list() { python3 "$TOOL/dropins.py" list "$1"; }

# --- Debian: debian/patches, series.in (1.0) or series (3.0 (quilt)) -----------

# debian_quilt_push TREE PATCHDIR OURS...: quilt push as debian/rules and
# dpkg-source do, the distribution's own patches with quilt's default fuzz,
# then ours (the last ones in the series) at fuzz 0.
debian_quilt_push() {
    local tree=$1 pdir=$2 n_ours last_theirs total; shift 2
    n_ours=$#
    total=$(grep -cEv '^(#.*|[[:space:]]*)$' "$pdir/series")
    last_theirs=$(grep -Ev '^(#.*|[[:space:]]*)$' "$pdir/series" | head -n $((total - n_ours)) | tail -n 1)
    [ "$(grep -Ev '^(#.*|[[:space:]]*)$' "$pdir/series" | tail -n "$n_ours" | awk '{print $1}')" = \
      "$(printf '%s\n' "$@")" ] || die "our patches are not the last $n_ours of $pdir/series"
    rm -rf "$tree.pc"
    (cd "$tree" && export QUILT_PATCHES="$pdir" QUILT_PC="$tree.pc" &&
        quilt_cmd push -q "$last_theirs" >/dev/null &&
        quilt_cmd push -a --fuzz=0) ||
        die "quilt push failed in $tree"
    rm -rf "$tree.pc"
}

# debian_cpp_series PATCHDIR: PATCHDIR/series from PATCHDIR/series.in, the
# way debian/rules makes it (its derivative: Ubuntu or Debian, by
# dpkg-vendor; this machine's architecture).
debian_cpp_series() {
    local pdir=$1 derivative=Debian arch
    need_tools cpp dpkg
    if command -v dpkg-vendor >/dev/null 2>&1 && dpkg-vendor --derives-from Ubuntu; then
        derivative=Ubuntu
    fi
    arch=$(dpkg --print-architecture)
    # debian/rules' pipeline: its status is egrep's, so cpp's complaints
    # about comment lines such as '# git-updates.diff' do not stop it.
    { cpp -E -D"$derivative" -Darch_os_linux -Darch_"$arch" -o - "$pdir/series.in" 2>/dev/null ||
        true; } | grep -Ev '^(#.*|$)' >"$pdir/series" || die "cpp over $pdir/series.in gave nothing"
}

# debian_dropin_leg LEG STACK SUITE CPP DROPIN...: pristine + the stack in
# STACK (a debian/patches folder) with the drop-ins added by
# dist/debian/add-patches.sh, applied as Debian does (CPP=cpp: series from
# series.in, as debian/rules; else the series as dpkg-source), configure
# regenerated with SUITE's autoconf, built into LEG.
debian_dropin_leg() {
    local leg=$1 stack=$2 suite=$3 how=$4 d=$BUILD/dist-debian ours=() f p; shift 4
    rm -rf "$d"; mkdir -p "$d/debian"
    cp -a "$stack" "$d/debian/patches"
    if [ "$how" = cpp ]; then rm -f "$d/debian/patches/series"; fi
    for f in "$@"; do
        sh "$DIST/debian/add-patches.sh" "$f" "$PATCHES" "$d/debian"
        for p in $(dropin_list "$f"); do ours+=("$p"); done
    done
    [ "$how" != cpp ] || debian_cpp_series "$d/debian/patches"
    pristine_copy "$BUILD/stage"
    debian_quilt_push "$BUILD/stage" "$d/debian/patches" "${ours[@]}"
    cmp -s "$BUILD/pristine/configure.ac" "$BUILD/stage/configure.ac" ||
        run_autoconf "$suite" "$BUILD/stage"
    use_stage "$leg" "dist-debian:$(cat "$@" | sha256sum | cut -c1-16):$(patches_stamp "${ours[@]}")"
    rm -rf "$d"
    step "dist: $stack, then ${#ours[@]} of ours at fuzz 0"
    do_build "$leg"
}

# Debian bullseye (2.7.18-8+deb11u1, source format 1.0): our lines appended
# to debian/patches/series.in, cpp over it as debian/rules does, quilt push,
# autoconf (bullseye's); OpenSSL 1.1.1w; test_ssl.
test_dist_debian_bullseye() {
    local leg=base-debian-$DEBIAN_OLD src
    src=$(debian_bullseye_source)
    [ -f "$src/debian/patches/series.in" ] || die "no series.in in $src/debian/patches"
    debian_dropin_leg "$leg" "$src/debian/patches" "$DEBIAN_OLD" cpp \
        "$DIST/debian/bullseye/series.in.add"
    check_modules "$leg"
    "$(obj_dir "$leg")/python" -E -c 'import ssl; ssl.MemoryBIO; ssl.SSLObject'
    do_regrtest "$leg"
}

# Debian 2.7.18-13 (format 3.0 (quilt), the base of Ubuntu 22.04): fixes and
# pep546 appended to debian/patches/series, applied as dpkg-source does;
# the system's OpenSSL 3.0; ssl.MemoryBIO, test_ssl.  That stack builds no
# _hashlib on OpenSSL 3; the optional drop-in's row adds it.
test_dist_debian_13() {
    local base leg=base-debian-2.7.18-13
    base=$(shared_base debian-2.7.18-13)
    # A _hashlib left from the optional drop-in's row must not count here.
    rm -f "$(obj_dir "$leg")"/build/lib.*/_hashlib.so
    debian_dropin_leg "$leg" "$base/patches" "$BASE_AUTOCONF_SUITE" series \
        "$DIST/debian/2.7.18-13/series.add"
    "$(obj_dir "$leg")/python" -E -c 'import ssl; ssl.MemoryBIO; print(ssl.OPENSSL_VERSION)'
    if "$(obj_dir "$leg")/python" -E -c 'import _hashlib' 2>/dev/null; then
        echo "note: _hashlib is built without the optional drop-in"
    else
        echo "as expected: no _hashlib without the optional drop-in"
    fi
    do_regrtest "$leg"
}

# The optional _hashlib drop-in on the same stack: _hashlib builds, linked
# to the system OpenSSL, and test_hashlib passes (test_ssl too).
test_dist_debian_13_hashlib() {
    local base leg=base-debian-2.7.18-13
    base=$(shared_base debian-2.7.18-13)
    [ -n "$(dropin_list "$DIST/debian/2.7.18-13-hashlib/series.add")" ] ||
        die "the _hashlib drop-in is empty: the series has no _hashlib-only openssl3 patch"
    debian_dropin_leg "$leg" "$base/patches" "$BASE_AUTOCONF_SUITE" series \
        "$DIST/debian/2.7.18-13/series.add" "$DIST/debian/2.7.18-13-hashlib/series.add"
    check_modules "$leg"
    do_regrtest "$leg" test_hashlib test_ssl
}

# --- Fedora / RHEL: the spec snippet --------------------------------------------------

# fedora_apply STACK SPEC: pristine + Fedora's stack in %prep order (each
# line's -pN, rpm's fuzz 0), then the spec snippet's %patch lines, in order
# (fuzz 0), into $BUILD/stage.
fedora_apply() {
    local stack=$1 spec=$2 name strip n=0
    pristine_copy "$BUILD/stage"
    while read -r name strip; do
        case "$name" in ''|'#'*) continue ;; esac
        strip=${strip:--p1}
        apply_patch_list "$BUILD/stage" "${strip#-p}" 0 "$stack/$name"
        n=$((n + 1))
    done <"$stack/series"
    step "dist: Fedora's $n patches applied (fuzz 0)"
    n=0
    while read -r name strip; do
        apply_patch_list "$BUILD/stage" "${strip#-p}" 0 "$name"
        n=$((n + 1))
    done < <(dropin_list "$spec")
    [ "$n" -gt 0 ] || die "$spec applies no patch"
    step "dist: $n patches of the spec snippet applied (fuzz 0)"
}

# Fedora 2.7.18-43 (the lineage of RHEL 8's python2): its stack, then the
# spec snippet (fixes and pep546), built --enable-shared as the spec does,
# against the system's OpenSSL 3.0; ssl.MemoryBIO, _hashlib, test_ssl.
# Whether our _hashlib patches still apply on 00361 is said in the log.
test_dist_fedora() {
    local base leg=base-fedora-2.7.18-43 obj p
    base=$(shared_base fedora-2.7.18-43)
    # What the spec's BuildRequires bring, in Debian's packages.
    command -v dtrace >/dev/null ||
        die "dtrace is needed by Fedora's 00055 (apt-get install systemtap-sdt-dev)"
    need_header gdbm.h libgdbm-dev; need_header db.h libdb-dev
    need_header expat.h libexpat1-dev; need_header ffi.h libffi-dev
    [ "$(gcc -print-file-name=libnsl.so)" != libnsl.so ] || die "libnsl is needed (apt-get install libnsl-dev)"
    fedora_apply "$base/patches" "$DIST/fedora/python2.7-pep546.spec.inc"
    for p in $(python3 "$TOOL/dropins.py" hashlib); do
        if patch -d "$BUILD/stage" -p1 --dry-run --batch --fuzz=0 <"$PATCHES/$p" >/dev/null 2>&1; then
            echo "note: our $p would also apply on Fedora's stack"
        else
            echo "note: our $p does not apply on Fedora's stack (00361 changed the same code)"
        fi
    done
    use_stage "$leg" "dist-fedora:$(sha256sum <"$DIST/fedora/python2.7-pep546.spec.inc" | cut -c1-16)"
    obj=$(obj_dir "$leg")
    # 00111 removes the static libpython: the spec builds --enable-shared;
    # the rpath lets the interpreter run from its object folder.
    # The spec's configure options that matter here: it removes the bundled
    # expat and libffi and links the system's.
    LEG_CONFIGURE_ARGS=(--enable-shared --with-dtrace --with-dbmliborder=gdbm:ndbm:bdb
                        --with-system-expat --with-system-ffi "LDFLAGS=-Wl,-rpath,$obj")
    do_build "$leg"
    LEG_CONFIGURE_ARGS=()
    check_modules "$leg"
    "$obj/python" -E -c 'import ssl; ssl.MemoryBIO; ssl.SSLObject; print(ssl.OPENSSL_VERSION)'
    do_regrtest "$leg"
}

# --- Yocto / meta-python2 --------------------------------------------------------------

# yocto_apply STACKDIR BBAPPEND: pristine + the recipe's own SRC_URI patches
# (patch -p1, in order), then the .bbappend's, at fuzz 0 (bitbake's
# patch-fuzz QA check), into $BUILD/stage; configure regenerated (autotools
# class) when configure.ac changed.  Prints how many of ours applied.
yocto_apply() {
    local stack=$1 bb=$2 ours
    pristine_copy "$BUILD/stage"
    # shellcheck disable=SC2046  # patch names have no blanks
    apply_patch_list "$BUILD/stage" 1 2 \
        $(python3 "$TOOL/series.py" --series "$stack/series" list | sed "s|^|$stack/|")
    ours=$(dropin_list "$bb")
    [ -n "$ours" ] || die "$bb lists no patch"
    # shellcheck disable=SC2086
    apply_patch_list "$BUILD/stage" 1 0 $ours
    step "dist: $(python3 "$TOOL/series.py" --series "$stack/series" count) patches of $stack, then $(wc -w <<<"$ours") of $(basename "$bb") at fuzz 0" >&2
}

# The target recipe (a cross build, so applied only): its stack, then the
# whole series from python_2.7.18.bbappend at fuzz 0.
test_dist_yocto_target_applies() {
    local base
    base=$(shared_base yocto-meta-python2-2.7.18)
    yocto_apply "$base/patches" "$DIST/yocto/python_2.7.18.bbappend"
    [ "$(dropin_list "$DIST/yocto/python_2.7.18.bbappend")" = "$(series)" ] ||
        die "python_2.7.18.bbappend does not list the whole series in order"
    rm -rf "$BUILD/stage"
}

# The native recipe: its stack, then the whole series from
# python-native_2.7.18.bbappend, built against the system's OpenSSL 3.0
# with bitbake's STAGING_INCDIR/STAGING_LIBDIR (read by its setup.py and
# distutils patches) pointed at the build's own prefix; _hashlib,
# ssl.MemoryBIO, test_ssl.
test_dist_yocto_native() {
    local base leg=base-yocto-native prefix
    base=$(shared_base yocto-meta-python2-2.7.18)
    [ -f "$base/patches-native/series" ] || die "no $base/patches-native/series"
    yocto_apply "$base/patches-native" "$DIST/yocto/python-native_2.7.18.bbappend"
    cmp -s "$BUILD/pristine/configure.ac" "$BUILD/stage/configure.ac" ||
        run_autoconf "$BASE_AUTOCONF_SUITE" "$BUILD/stage"
    use_stage "$leg" "dist-yocto-native:$(sha256sum <"$DIST/yocto/python-native_2.7.18.bbappend" | cut -c1-16)"
    prefix=$BUILD/$leg/install
    mkdir -p "$prefix/include" "$prefix/lib"
    export STAGING_INCDIR=$prefix/include STAGING_LIBDIR=$prefix/lib
    do_build "$leg"
    check_modules "$leg"
    "$(obj_dir "$leg")/python" -E -c 'import ssl; ssl.MemoryBIO; ssl.SSLObject'
    # Yocto's add-md5module-support.patch builds _md5 in; with our _hashlib
    # patch, hashlib still takes MD5 from OpenSSL, the builtin as fallback.
    "$(obj_dir "$leg")/python" -E -c 'import sys, hashlib
assert "_md5" in sys.builtin_module_names, "no builtin _md5"
assert hashlib.md5.__name__ == "openssl_md5", hashlib.md5
print("_md5 built in; hashlib.md5 is %s" % hashlib.md5.__name__)'
    do_regrtest "$leg"
}

# --- pyenv ------------------------------------------------------------------------------

# pyenv_build_cmd: python-build of the pyenv here, or exit 77 saying why.
pyenv_build_cmd() {
    local root=${PYENV_ROOT:-$HOME/.pyenv} pb
    pb=$(command -v python-build 2>/dev/null || true)
    [ -n "$pb" ] || [ ! -x "$root/plugins/python-build/bin/python-build" ] ||
        pb=$root/plugins/python-build/bin/python-build
    [ -n "$pb" ] ||
        { echo "skipped: pyenv is not installed here (no python-build; PYENV_ROOT=$root)" >&2; exit 77; }
    printf '%s\n' "$pb"
}

# pyenv_check PREFIX: no patch needed fuzz (python-build's patch -p1 takes
# it silently); the installed interpreter has ssl.MemoryBIO and _hashlib
# and passes test_ssl.
pyenv_check() {
    ! grep -E 'with fuzz|FAILED' "$BUILD/logs/dist-pyenv-build.log" ||
        die "a patch needed fuzz or failed in python-build; see $BUILD/logs/dist-pyenv-build.log"
    "$1/bin/python2.7" -E -c 'import ssl, _hashlib; ssl.MemoryBIO; ssl.SSLObject; print(ssl.OPENSSL_VERSION)'
    do_regrtest "$1/bin/python2.7"
}

# python_build DEFINITION PREFIX [PATCHFILE]: python-build from the cached
# tarball (PYTHON_BUILD_CACHE_PATH; the .tgz, not the .tar.xz), into
# PREFIX, with PATCHFILE on stdin for --patch.
python_build() {
    local pb def=$1 prefix=$2 input=${3:-/dev/null} extra=()
    pb=$(pyenv_build_cmd)
    [ "$#" -lt 3 ] || extra=(--patch)
    rm -rf "$prefix"
    # python-build looks for the tarball as PACKAGE.tar.gz in its cache
    # (and checks its SHA-256), so it never downloads it.
    mkdir -p "$BUILD/pyenv/cache"
    ln -sf "$BUILD/cache/Python-$PY_VERSION.tgz" "$BUILD/pyenv/cache/Python-$PY_VERSION.tar.gz"
    env PYTHON_BUILD_CACHE_PATH="$BUILD/pyenv/cache" _PYTHON_BUILD_FORCE_SKIP_XZ=1 \
        TMPDIR="$BUILD/tmp" MAKE_OPTS="-j$JOBS" \
        "$pb" "${extra[@]}" "$def" "$prefix" <"$input" >"$BUILD/logs/dist-pyenv-build.log" 2>&1 ||
        { tail -n 20 "$BUILD/logs/dist-pyenv-build.log"
          die "python-build failed; see $BUILD/logs/dist-pyenv-build.log"; }
}

# The README's line, for real: pyenv's own 2.7.18 patches, then the whole
# series, piped to python-build --patch (what 'pyenv install --patch' runs).
test_dist_pyenv_patch() {
    local pb own prefix=$BUILD/pyenv/2.7.18-patch p
    pb=$(pyenv_build_cmd)
    own=$(dirname "$(dirname "$pb")")/share/python-build/patches/2.7.18/Python-2.7.18
    [ -d "$own" ] || die "no pyenv patches for 2.7.18 at $own"
    mkdir -p "$BUILD/tmp" "$BUILD/pyenv"
    { cat "$own"/*.patch; for p in $(series); do cat "$PATCHES/$p"; done; } >"$BUILD/pyenv/patches.in"
    python_build 2.7.18 "$prefix" "$BUILD/pyenv/patches.in"
    pyenv_check "$prefix"
}

# The definition dist/pyenv/2.7.18-pep546, set up by its install script
# into a definitions folder, installed by path.
test_dist_pyenv_definition() {
    local pb defs=$BUILD/pyenv/definitions prefix=$BUILD/pyenv/2.7.18-pep546
    pb=$(pyenv_build_cmd)
    mkdir -p "$BUILD/tmp"
    rm -rf "$defs"
    PYTHON_BUILD=$pb sh "$DIST/pyenv/install-definition.sh" "$PATCHES" "$defs"
    python_build "$defs/2.7.18-pep546" "$prefix"
    pyenv_check "$prefix"
}
