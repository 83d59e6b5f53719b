# arch.sh: --arch, the machine the interpreter is built for.
#
# '' (the default) is the build machine's own; i386 is a 32-bit x86
# interpreter built on x86_64 with gcc -m32, against Debian's i386 OpenSSL
# packages unpacked privately (tool/openssl.sh).  Its legs are named
# i386-OPENSSL (build/i386-1.1.1w, build/i386-system).  32-bit is where
# lengths passed between Py_ssize_t, C int and OpenSSL's int and size_t
# APIs go wrong; this is what catches it.
#
# Sets ARCH_CC (the compiler and its flags for configure's CC, '' for the
# default), ARCH_CFLAGS (flags for a bare gcc), ARCH_DEB (Debian's name for
# the architecture) and ARCH_MULTIARCH (its lib/include subfolder).
ARCH_CC=""
ARCH_CFLAGS=""
ARCH_DEB=""
ARCH_MULTIARCH=""

# arch_option ARCH OPENSSL: refuse an --arch this tool cannot build, or one
# whose compiler is missing, before any work.
arch_option() {
    local arch=$1 which=$2
    case "$arch" in
        "") ARCH_CC="" ARCH_CFLAGS="" ARCH_DEB="" ARCH_MULTIARCH=""; return 0 ;;
        i386) ;;
        *) die "--arch $arch: only i386 is supported (default: this machine's)" ;;
    esac
    case "$which" in
        system|1.1.1|"$OPENSSL111_VERSION") ;;
        *) die "--arch i386 goes with --openssl 1.1.1 or system (Debian's i386 packages), not $which" ;;
    esac
    [ "$(uname -m)" = x86_64 ] || die "--arch i386 is built with gcc -m32 on x86_64, not on $(uname -m)"
    need_tools gcc apt-get dpkg-deb
    # gcc -m32 needs gcc-multilib (and the libc6-dev-i386 it brings): try
    # to link a program, as configure will.
    local t; t=$(mktemp -d)
    printf 'int main(void) { return sizeof(void *) != 4; }\n' >"$t/m32.c"
    if ! gcc -m32 -o "$t/m32" "$t/m32.c" >"$t/log" 2>&1; then
        local why; why=$(head -n 3 "$t/log")
        rm -rf "$t"
        die "--arch i386: gcc -m32 cannot link a program (apt-get install gcc-multilib, which brings libc6-dev-i386): $why"
    fi
    if ! "$t/m32"; then
        rm -rf "$t"
        die "--arch i386: a gcc -m32 program does not run here (a kernel without 32-bit support?)"
    fi
    rm -rf "$t"
    ARCH_CC="gcc -m32" ARCH_CFLAGS="-m32" ARCH_DEB=i386 ARCH_MULTIARCH=i386-linux-gnu
}
