# openssl.sh: the OpenSSL to build against (--openssl).
# do_openssl [WHICH [ARCH]] sets, in one place (openssl_leg), OPENSSL_LEG (a
# short name for folders: system, 1.1.1w, 3.5, 4.0, prefix-HASH,
# i386-1.1.1w), OPENSSL_LIBDIR ('' for the system's), OPENSSL_CPPFLAGS,
# OPENSSL_LDFLAGS, and OPENSSL_FOR (ARCH/WHICH, what they are for).  The
# OpenSSL versions built from Debian's source, and their suites, are
# tool/checks.py's LEGS.

# openssl_option: refuse an --openssl value that names no OpenSSL, before
# any work; a folder becomes an absolute path.
openssl_option() {
    case "$OPT_OPENSSL" in
        system|1.1.1|"$OPENSSL111_VERSION") ;;
        /*|./*|../*)
            [ -d "$OPT_OPENSSL" ] || die "--openssl $OPT_OPENSSL: no such folder"
            OPT_OPENSSL=$(cd "$OPT_OPENSSL" && pwd)
            openssl_prefix "$OPT_OPENSSL" ;;
        *) openssl_suites "$OPT_OPENSSL" >/dev/null ||
               die "--openssl $OPT_OPENSSL: say system, 1.1.1, $(openssl_series_list), or a folder" ;;
    esac
}

# openssl_leg LEG LIBDIR INCLUDEDIR...: the leg's name and flags (an
# OpenSSL of our own is linked with an rpath to its LIBDIR).
openssl_leg() {
    OPENSSL_LEG=$1 OPENSSL_LIBDIR=$2; shift 2
    OPENSSL_CPPFLAGS=""
    [ $# -eq 0 ] || OPENSSL_CPPFLAGS=$(printf -- '-I%s\n' "$@" | paste -sd' ')
    OPENSSL_LDFLAGS=${OPENSSL_LIBDIR:+-L$OPENSSL_LIBDIR -Wl,-rpath,$OPENSSL_LIBDIR}
}

# Debian bullseye's libssl1.1 and libssl-dev, unpacked (not installed).
openssl_111() {
    local root=$BUILD/openssl/$OPENSSL111_VERSION
    if [ ! -f "$root/.done" ]; then
        need_tools dpkg-deb apt-get
        local ver
        ver=$(apt_private "$DEBIAN_OLD" apt-cache policy libssl1.1 | awk '/Candidate:/ {print $2}')
        case "$ver" in
            "$OPENSSL111_VERSION"-*) ;;
            *) die "Debian $DEBIAN_OLD offers libssl1.1 '$ver', not $OPENSSL111_VERSION" ;;
        esac
        deb_unpack "$DEBIAN_OLD" "$root" "$BUILD/logs/openssl-$OPENSSL111_VERSION.log" \
            "libssl1.1=$ver" "libssl-dev=$ver"
        touch "$root/.done"
    fi
    local arch; arch=$(gcc -print-multiarch)
    openssl_leg "$OPENSSL111_VERSION" "$root/usr/lib/$arch" "$root/usr/include" "$root/usr/include/$arch"
}

# openssl_suites SERIES: the Debian suites tool/checks.py's LEGS name for an
# OpenSSL series built from source (3.5, 4.0), one a line; fails for any
# other --openssl value.
openssl_suites() { python3 "$TOOL/checks.py" openssl-suites "$1"; }
openssl_series_list() { python3 "$TOOL/checks.py" openssl-versions | sed 's/ /, /g'; }

# openssl_source SERIES: the newest SERIES.x openssl source package of the
# suites tool/checks.py's LEGS name, checked against its .dsc, with Debian's
# patches, built into OPENSSL_CACHE/SHA256-OF-DSC (outside the clone, so
# that another clone, or a 'clean' build folder, reuses it; the prefix is
# compiled into the library, so it is built there, not moved there).
openssl_source() {
    local series=$1 suite ver sha root="" list
    list=$BUILD/openssl/src-$series.candidates
    mkdir -p "$BUILD/openssl"
    : >"$list"
    # VERSION SHA256-OF-DSC SUITE, for every SERIES.x version listed.
    for suite in $(openssl_suites "$series"); do
        apt_private "$suite" apt-cache showsrc openssl | awk -v s="$suite" -v re="^${series//./\\.}\\." '
            /^Version:/ { ver = $2 }
            /^Checksums-Sha256:/ { on = 1; next }
            /^[^ ]/ { on = 0 }
            on && ver ~ re && $3 ~ /\.dsc$/ { print ver, $1, s }' >>"$list"
    done
    # The mirror may list a version whose files are gone: take the newest
    # one already built, or else the newest one that downloads.
    local candidates
    candidates=$(sort -k1,1rV "$list" | awk '!seen[$1]++')
    [ -n "$candidates" ] || die "Debian $(openssl_suites "$series" | paste -sd/) lists no OpenSSL $series.x source package"
    while read -r ver sha suite; do
        if [ -f "$OPENSSL_CACHE/$sha/.done" ]; then root=$OPENSSL_CACHE/$sha; break; fi
    done <<<"$candidates"
    if [ -z "$root" ]; then
        need_tools apt-get perl xz flock
        local srcdir=$BUILD/openssl/src-$series dsc
        rm -rf "$srcdir"; mkdir -p "$srcdir" "$OPENSSL_CACHE"
        while read -r ver sha suite; do
            if (cd "$srcdir" && apt_private "$suite" source --download-only \
                    "openssl=$ver") >"$srcdir/apt.log" 2>&1; then
                break
            fi
            rm -f "$srcdir"/*.dsc "$srcdir"/*.tar.* ; ver=""
        done <<<"$candidates"
        [ -n "$ver" ] || die "no OpenSSL $series.x source package of Debian $(openssl_suites "$series" | paste -sd/) downloads; see $srcdir/apt.log"
        dsc=$(ls "$srcdir"/openssl_*.dsc)
        [ "$(sha256_of "$dsc")" = "$sha" ] || die "$dsc does not match the SHA-256 its suite's Sources lists"
        # Check every file against the .dsc's SHA-256 list.
        awk '/^Checksums-Sha256:/ {on=1; next} /^[^ ]/ {on=0} on && NF==3 {print $1 "  " $3}' \
            "$dsc" >"$srcdir/SHA256SUMS"
        (cd "$srcdir" && sha256sum --quiet -c SHA256SUMS) ||
            die "OpenSSL source files do not match $dsc"
        root=$OPENSSL_CACHE/$sha
        # One builder at a time per source package (another clone may be at it).
        exec 9>"$root.lock"
        flock 9
        if [ ! -f "$root/.done" ]; then
            step "openssl: building Debian's openssl $ver (Debian $suite) into $root (minutes)"
            rm -rf "$root"
            mkdir -p "$srcdir/tree"
            tar -xzf "$srcdir"/openssl_*.orig.tar.gz -C "$srcdir/tree" --strip-components=1
            tar -xJf "$srcdir"/openssl_*.debian.tar.xz -C "$srcdir/tree"
            # shellcheck disable=SC2046  # patch names have no blanks
            apply_patch_list "$srcdir/tree" 1 0 $(sed -e 's/#.*//' -e "s|^\([^ ]\)|$srcdir/tree/debian/patches/\1|" \
                "$srcdir/tree/debian/patches/series")
            run "$BUILD/logs/openssl-$series.log" sh -c "
                cd '$srcdir/tree' &&
                ./Configure shared no-tests no-docs --prefix='$root' --libdir=lib \
                    --openssldir='$root/ssl' &&
                make -j$JOBS && make install_sw install_ssldirs"
            printf 'openssl %s (Debian %s), %s\n' "$ver" "$suite" "$(basename "$dsc")" >"$root/SOURCE"
            touch "$root/.done"
        fi
        exec 9>&-
        rm -rf "$srcdir"
    fi
    OPENSSL_SOURCE_VERSION=$ver
    openssl_leg "$series" "$root/lib" "$root/include"
}

# openssl_i386 111|system: Debian's i386 libssl and libssl-dev, unpacked (not
# installed) into build/openssl/i386-VERSION through a private i386 apt
# state (APT_ARCH): bullseye's 1.1.1w, or for 'system' the version of the
# machine's own libssl3 from its own Debian release (bookworm: 3.0.x), so
# that the i386 leg runs the OpenSSL the x86_64 one does.
openssl_i386() {
    local which=$1 suite pkg ver want
    if [ "$which" = 111 ]; then
        suite=$DEBIAN_OLD pkg=libssl1.1 want=""
    else
        suite=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
        [ -n "$suite" ] || die "--arch i386 --openssl system: no VERSION_CODENAME in /etc/os-release"
        want=$(dpkg-query -W -f '${Version}' libssl3 2>/dev/null) ||
            die "--arch i386 --openssl system: the system has no libssl3 (OpenSSL 3) to match"
        pkg=libssl3
    fi
    local candidates
    candidates=$(APT_ARCH=$ARCH_DEB apt_private "$suite" apt-cache madison "$pkg" |
                 awk -F'|' '{gsub(/ /, "", $2); print $2}')
    ver=""
    if [ "$which" = 111 ]; then
        ver=$(printf '%s\n' "$candidates" | grep -E "^${OPENSSL111_VERSION//./\\.}-" | head -n 1) || true
        [ -n "$ver" ] || die "Debian $suite offers no $ARCH_DEB $pkg $OPENSSL111_VERSION (has: $candidates)"
    elif printf '%s\n' "$candidates" | grep -qxF "$want"; then
        ver=$want
    else
        # The mirror's suite and the machine's packages can be a point
        # release apart: take the newest of the same OpenSSL series (3.0).
        local series=${want%%-*}; series=${series%.*}
        ver=$(printf '%s\n' "$candidates" | grep -F "$series." | sort -rV | head -n 1) || true
        [ -n "$ver" ] || die "Debian $suite offers no $ARCH_DEB $pkg $series.x like the system's $want (has: $candidates)"
    fi
    local root=$BUILD/openssl/$ARCH_DEB-$ver
    if [ ! -f "$root/.done" ]; then
        deb_unpack_arch "$suite" "$root" "$BUILD/logs/openssl-$ARCH_DEB-$ver.log" \
            "$pkg:$ARCH_DEB=$ver" "libssl-dev:$ARCH_DEB=$ver"
        touch "$root/.done"
    fi
    OPENSSL_I386_VERSION=$ver
    openssl_leg "$ARCH_DEB-$([ "$which" = 111 ] && echo "$OPENSSL111_VERSION" || echo system)" \
        "$root/usr/lib/$ARCH_MULTIARCH" "$root/usr/include" "$root/usr/include/$ARCH_MULTIARCH"
}
deb_unpack_arch() { APT_ARCH=$ARCH_DEB deb_unpack "$@"; }

# Your own OpenSSL: PREFIX/include and PREFIX/lib (or lib64, or lib/ARCH).
openssl_prefix() {
    local root=$1 lib
    [ -f "$root/include/openssl/ssl.h" ] || die "--openssl $root: no include/openssl/ssl.h there"
    for lib in lib lib64 "lib/$(gcc -print-multiarch)"; do
        [ -e "$root/$lib/libssl.so" ] && break
    done
    [ -e "$root/$lib/libssl.so" ] || die "--openssl $root: no lib/libssl.so there"
    openssl_leg "prefix-$(printf '%s' "$root" | sha256sum | cut -c1-8)" "$root/$lib" "$root/include"
}

# do_openssl [WHICH [ARCH]]: get (or build) the OpenSSL WHICH for ARCH
# (default: --openssl and --arch) and set the leg's variables; nothing to
# do when they are set for it already.
do_openssl() {
    local which=${1:-$OPT_OPENSSL} arch=${2-$OPT_ARCH}
    [ "${OPENSSL_FOR:-}" != "${arch:+$arch/}$which" ] || return 0
    mkdir -p "$BUILD/logs"
    arch_option "$arch" "$which"
    OPENSSL_SOURCE_VERSION=""
    if [ -n "$arch" ]; then
        case "$which" in
            system) openssl_i386 system ;;
            *) openssl_i386 111 ;;
        esac
        step "openssl: $arch $which (Debian's $OPENSSL_I386_VERSION; $OPENSSL_CPPFLAGS)"
    else
        case "$which" in
            system)
                [ -f /usr/include/openssl/ssl.h ] ||
                    die "--openssl system: /usr/include/openssl/ssl.h missing (apt-get install libssl-dev)"
                openssl_leg system "" ;;
            1.1.1|"$OPENSSL111_VERSION") openssl_111 ;;
            /*) openssl_prefix "$which" ;;   # a folder, made absolute by openssl_option
            *) openssl_suites "$which" >/dev/null ||
                   die "--openssl $which: say system, 1.1.1, $(openssl_series_list), or a folder"
               openssl_source "$which" ;;
        esac
        step "openssl: $which ${OPENSSL_SOURCE_VERSION:+(Debian openssl $OPENSSL_SOURCE_VERSION) }${OPENSSL_CPPFLAGS:+($OPENSSL_CPPFLAGS)}"
    fi
    OPENSSL_FOR=${arch:+$arch/}$which
}
