# openssl.sh: the OpenSSL to build against (--openssl).
# do_openssl sets OPENSSL_LEG (a short name for folders: system, 1.1.1w, 3.5,
# prefix-HASH), OPENSSL_CPPFLAGS, OPENSSL_LDFLAGS, and OPENSSL_FOR (the
# --openssl value they are for).

# openssl_option: refuse an --openssl value that names no OpenSSL, before
# any work; a folder becomes an absolute path.
openssl_option() {
    case "$OPT_OPENSSL" in
        system|1.1.1|"$OPENSSL111_VERSION"|3.5) ;;
        /*|./*|../*)
            [ -d "$OPT_OPENSSL" ] || die "--openssl $OPT_OPENSSL: no such folder"
            OPT_OPENSSL=$(cd "$OPT_OPENSSL" && pwd)
            openssl_prefix "$OPT_OPENSSL" ;;
        *) die "--openssl $OPT_OPENSSL: say system, 1.1.1, 3.5 or a folder" ;;
    esac
}

# openssl_builds WHICH: getting WHICH means building it (minutes, and it can
# fail), or it is another --arch's (ARCH/OPENSSL, whose compiler may be
# missing); the checks then get it inside their rows, so that a failure
# counts as theirs instead of stopping the run.
openssl_builds() { [ "$1" = 3.5 ] || [[ $1 == */* ]]; }

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
    OPENSSL_LEG=$OPENSSL111_VERSION
    OPENSSL_CPPFLAGS="-I$root/usr/include -I$root/usr/include/$arch"
    OPENSSL_LDFLAGS="-L$root/usr/lib/$arch -Wl,-rpath,$root/usr/lib/$arch"
}

# Debian trixie's openssl source package, checked against its .dsc, with
# Debian's patches, built into a private prefix.
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
    OPENSSL_LEG=$(arch_leg "$([ "$which" = 111 ] && echo "$OPENSSL111_VERSION" || echo system)")
    OPENSSL_I386_VERSION=$ver
    OPENSSL_CPPFLAGS="-I$root/usr/include -I$root/usr/include/$ARCH_MULTIARCH"
    OPENSSL_LDFLAGS="-L$root/usr/lib/$ARCH_MULTIARCH -Wl,-rpath,$root/usr/lib/$ARCH_MULTIARCH"
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
    OPENSSL_LEG=prefix-$(printf '%s' "$root" | sha256sum | cut -c1-8)
    OPENSSL_CPPFLAGS="-I$root/include"
    OPENSSL_LDFLAGS="-L$root/$lib -Wl,-rpath,$root/$lib"
}

do_openssl() {
    mkdir -p "$BUILD/logs"
    arch_option
    OPENSSL_FOR=${OPT_ARCH:+$OPT_ARCH/}$OPT_OPENSSL
    if [ -n "$OPT_ARCH" ]; then
        case "$OPT_OPENSSL" in
            system) openssl_i386 system ;;
            *) openssl_i386 111 ;;
        esac
        step "openssl: $OPT_ARCH $OPT_OPENSSL (Debian's $OPENSSL_I386_VERSION; $OPENSSL_CPPFLAGS)"
        return
    fi
    case "$OPT_OPENSSL" in
        system)
            [ -f /usr/include/openssl/ssl.h ] ||
                die "--openssl system: /usr/include/openssl/ssl.h missing (apt-get install libssl-dev)"
            OPENSSL_LEG=system OPENSSL_CPPFLAGS="" OPENSSL_LDFLAGS="" ;;
        1.1.1|"$OPENSSL111_VERSION") openssl_111 ;;
        3.5) openssl_35 ;;
        *) openssl_option ;;   # a folder; refuses anything else
    esac
    step "openssl: $OPT_OPENSSL ${OPENSSL_CPPFLAGS:+($OPENSSL_CPPFLAGS)}"
}
