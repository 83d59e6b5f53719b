# backport.sh: backports.ssl_memorybio (backport/, the tarball of
# tool/sdist.sh) on unpatched 2.7 interpreters that people run, each in
# $BUILD/backport/NAME with the backport installed into NAME/site:
#
#   debian-bullseye      Debian bullseye's python2.7 (its .debs unpacked, not
#                        installed, run with PYTHONHOME) on its OpenSSL 1.1.1w
#   python.org-1.1.1w    pristine 2.7.18 (prefix 0 of the series) built on
#   python.org-system    OpenSSL 1.1.1w / the system's 3.0, make-installed
#                        out of the leg into NAME/prefix
#   pyenv                pyenv's 2.7.18, where the machine has one (skipped
#                        otherwise); never written to
#
# NAME/python runs the interpreter with the backport on its path;
# NAME/python-installed also calls install() at start (a sitecustomize),
# for the scripts of tests/ that use the ssl module as patched.

BACKPORT_DEBIAN_VERSION=2.7.18-8+deb11u1
BACKPORT_DEBIAN_PACKAGES="python2.7-minimal libpython2.7-minimal libpython2.7-stdlib
 libpython2.7 python2.7-dev libpython2.7-dev"
# setuptools (the backport's setup.py needs it) and pip 20.3.4 (as a wheel,
# python-pip-whl; bullseye has no python-pip for 2.7), as bullseye packages
# them: the only versions bullseye has (libffi7: ctypes, which setuptools
# imports)
BACKPORT_DEBIAN_TOOLS="python-setuptools python-pkg-resources python-pip-whl libffi7"
BACKPORT_PYENV=${PYENV_ROOT:-$HOME/.pyenv}/versions/$PY_VERSION

bp_dir() { printf '%s\n' "$BUILD/backport/$1"; }

# The series' tree (pristine + patches/series) that tool/sdist.sh makes the
# tarball from: its Lib/test has the series' test_ssl and certificates.
bp_libtest() { printf '%s\n' "$BUILD/backport/series/Lib/test"; }

# bp_wrappers NAME REAL [VAR=VALUE...]: NAME/python and NAME/python-installed.
# NAME/site (or $BACKPORT_SITE) is added as a site folder (site.addsitedir,
# by a sitecustomize in NAME/boot), as pip's --target folder must be: its
# .pth files run, and the backport's -nspkg.pth makes the backports
# namespace (the package installs no backports/__init__.py).
bp_wrappers() {
    local name=$1 real=$2 d w boot; shift 2
    d=$(bp_dir "$name")
    mkdir -p "$d/boot" "$d/startup"
    printf '%s\n' "# NAME/site as a site folder: tool/backport.sh's python" \
        "import os, site" "site.addsitedir(os.environ['BACKPORT_SITE'])" \
        >"$d/boot/sitecustomize.py"
    { cat "$d/boot/sitecustomize.py"
      printf '%s\n' "# install() at start: tool/backport.sh's python-installed" \
        "from backports import ssl_memorybio" "ssl_memorybio.install()"
    } >"$d/startup/sitecustomize.py"
    for w in python python-installed; do
        boot=$d/boot; [ "$w" = python ] || boot=$d/startup
        { printf '#!/bin/sh\n# %s with backports.ssl_memorybio (tool/backport.sh)\n' "$name"
          printf "BACKPORT_SITE=\${BACKPORT_SITE:-'%s'}\nPYTHONPATH='%s'\${PYTHONPATH:+:\$PYTHONPATH}\nexport BACKPORT_SITE PYTHONPATH\n" "$d/site" "$boot"
          printf 'exec env'; printf " '%s'" "$@" "$real"; printf ' "$@"\n'
        } >"$d/$w"
        chmod +x "$d/$w"
    done
}

# bp_install NAME HOW [VAR=VALUE...]: the tarball built and installed into
# NAME/site with NAME/python, by pip (HOW=pip: the README's way) or by
# setup.py (HOW=setup.py, where the interpreter has no pip), with VAR=VALUE
# (CPPFLAGS, LDFLAGS) for the build; then it must import, and install().
bp_install() {
    local name=$1 how=$2 d src; shift 2
    d=$(bp_dir "$name")
    do_sdist
    rm -rf "$d/site" "$d/src"; mkdir -p "$d/site" "$d/src"
    tar -xzf "$(sdist_path)" -C "$d/src"
    src=$d/src/backports.ssl_memorybio-$(backport_version)
    if [ "$how" = pip ]; then
        (cd "$src" && env "$@" "$d/python" -m pip install -v --isolated --no-index \
            --no-deps --no-cache-dir --disable-pip-version-check --target "$d/site" .) \
            >"$d/build.log" 2>&1 || { tail -n 30 "$d/build.log"; return 1; }
    else
        (cd "$src" && env "$@" "$d/python" setup.py build --build-base "$d/src/build" \
            install --install-lib "$d/site" --single-version-externally-managed \
            --record "$d/src/installed-files.txt") >"$d/build.log" 2>&1 ||
            { tail -n 30 "$d/build.log"; return 1; }
    fi
    [ "$name" = pypy ] || grep -E '^ *[^ ]*gcc .* -c src/_ssl\.c' "$d/build.log" | head -n 1
    # the interpreter's own warning flags (-Wall ...): no warning at all
    ! grep -E ': warning: ' "$d/build.log"
    "$d/python" -c '
import ssl, sys
from backports import ssl_memorybio as m
assert not m.NATIVE and not hasattr(ssl, "MemoryBIO")
# the plain function first: an SSLObject, the ssl module left as it is
ctx = ssl.SSLContext(ssl.PROTOCOL_SSLv23)
o = m.wrap_bio(ctx, m.MemoryBIO(), m.MemoryBIO(), server_hostname="localhost")
try:
    o.do_handshake()
except ssl.SSLWantReadError:
    pass
assert type(o) is m.SSLObject and o.context is ctx
assert not hasattr(ssl, "MemoryBIO") and not hasattr(ssl.SSLContext, "wrap_bio")
m.install(); m.install()
assert ssl.MemoryBIO is m.MemoryBIO and ssl.SSLContext.wrap_bio
print("%s: Python %s, %s; backport %s" % (sys.argv[1], sys.version.split()[0],
      ssl.OPENSSL_VERSION, m.__file__))' "$name"
    if [ "$name" = pypy ]; then
        ! ls "$d"/site/backports/ssl_memorybio/*.so 2>/dev/null ||
            die "a C module was built for PyPy"
        echo "pypy: no C module, the pure-Python path (_pypy.py)"
    else
        ldd "$d"/site/backports/ssl_memorybio/_ssl_memorybio*.so | grep -E 'lib(ssl|crypto)'
    fi
    date +%s >"$d/installed"
}

# bp_ready NAME: NAME's interpreter set up (once) and the current tarball
# installed with it (again whenever the tarball changed).  pyenv's is the
# machine's: without it, the row is skipped (exit 77, the reason last).
bp_ready() {
    local d; d=$(bp_dir "$1")
    [ "$1" != pyenv ] || [ -x "$BACKPORT_PYENV/bin/python2.7" ] ||
        { echo "skipped: no pyenv $PY_VERSION at $BACKPORT_PYENV"; exit 77; }
    do_sdist >/dev/null
    [ -x "$d/python" ] || bp_setup interpreter "$1"
    if [ ! -f "$d/installed" ] || [ "$d/installed" -ot "$(sdist_path)" ]; then
        bp_setup install "$1"
    fi
}

# bp_setup interpreter|install NAME: set up NAME's interpreter, or build and
# install the tarball with it: every NAME's way, named here.
bp_setup() {
    case "$1 $2" in
        "interpreter debian-bullseye") bp_debian_interpreter debian-bullseye python2.7 ;;
        "install debian-bullseye") bp_debian_install debian-bullseye python2.7 ;;
        # python2.7-dbg: the server side is refused there (backport_debug_interpreter)
        "interpreter debian-bullseye-dbg")
            bp_debian_interpreter debian-bullseye-dbg python2.7-dbg python2.7-dbg libpython2.7-dbg ;;
        "install debian-bullseye-dbg") bp_debian_install debian-bullseye-dbg python2.7_d ;;
        "interpreter python.org-1.1.1w") do_openssl 1.1.1 ""; bp_interpreter_python_org ;;
        "interpreter python.org-system") do_openssl system ""; bp_interpreter_python_org ;;
        "install python.org-1.1.1w") do_openssl 1.1.1 ""; bp_install_python_org ;;
        "install python.org-system") do_openssl system ""; bp_install_python_org ;;
        "interpreter pyenv") bp_wrappers pyenv "$BACKPORT_PYENV/bin/python2.7" ;;
        "install pyenv") bp_install pyenv pip ;;
        "interpreter pypy") bp_interpreter_pypy ;;
        # 'pypy setup.py install' (bullseye has no pip for pypy), which builds
        # nothing: the package is Python only there
        "install pypy") bp_install pypy setup.py ;;
        *) die "bp_setup: no $1 for '$2'" ;;
    esac
}

# --- the interpreters ------------------------------------------------------------

# bp_debian_interpreter NAME BINARY [PACKAGE...]: Debian bullseye's own
# python2.7 (with those packages too), unpacked below build/backport/NAME
# and run with PYTHONHOME on the 1.1.1w it was built for.
bp_debian_interpreter() {
    local name=$1 binary=$2 root p pkgs=() arch; shift 2
    root=$(bp_dir "$name")/root
    arch=$(gcc -print-multiarch)
    # its distutils compiles with the triplet-named gcc (Debian's gcc has it)
    command -v "$arch-gcc" >/dev/null ||
        die "no $arch-gcc, which Debian's python2.7 builds extensions with (apt-get install gcc)"
    if [ ! -f "$root/.done" ]; then
        for p in $BACKPORT_DEBIAN_PACKAGES "$@"; do pkgs+=("$p=$BACKPORT_DEBIAN_VERSION"); done
        pkgs+=($BACKPORT_DEBIAN_TOOLS)
        deb_unpack "$DEBIAN_OLD" "$root" "$BUILD/logs/backport-$name.log" "${pkgs[@]}"
        touch "$root/.done"
    fi
    do_openssl 1.1.1 ""
    bp_wrappers "$name" "$root/usr/bin/$binary" "PYTHONHOME=$root/usr" \
        "LD_LIBRARY_PATH=$BUILD/openssl/$OPENSSL111_VERSION/usr/lib/$arch:$root/usr/lib/$arch"
}
# bp_debian_install NAME INCLUDE: the backport built for it.  Its distutils
# names /usr/include/INCLUDE (python2.7-dev) whatever PYTHONHOME says; its
# pyconfig.h includes <ARCH/INCLUDE/pyconfig.h>.
bp_debian_install() {
    local root; root=$(bp_dir "$1")/root
    do_openssl 1.1.1 ""
    bp_install "$1" setup.py \
        "CPPFLAGS=-I$root/usr/include/$2 -I$root/usr/include $OPENSSL_CPPFLAGS" \
        "LDFLAGS=$OPENSSL_LDFLAGS"
}

# backport_debug_interpreter: on bullseye's python2.7-dbg the server side is
# refused (RuntimeError), and without that refusal the interpreter aborts.
backport_debug_interpreter() {
    bp_ready debian-bullseye-dbg
    "$(bp_dir debian-bullseye-dbg)/python" "$TOP/tests/backport_debug_interpreter.py" \
        "$(bp_libtest)"
}

# bp_interpreter_python_org [LEG]: the leg's pristine 2.7.18 (prefix 0, built
# incrementally where the leg has another prefix), make-installed into
# NAME/prefix; the leg stays the bisect rows'.
bp_interpreter_python_org() {
    local name=python.org-$OPENSSL_LEG leg=${1:-$OPENSSL_LEG} d
    d=$(bp_dir "$name")
    do_apply "$leg" 0
    do_build "$leg"
    # (pristine 2.7.18 builds no _hashlib here: the series' openssl3 part
    # fixes that; the backport needs only _ssl)
    rm -rf "$d/prefix"
    run "$BUILD/logs/backport-$name-install.log" make -C "$(obj_dir "$leg")" \
        install prefix="$d/prefix" exec_prefix="$d/prefix"
    # pip from ensurepip's own wheels (no network), for the README's command
    run "$BUILD/logs/backport-$name-ensurepip.log" "$d/prefix/bin/python2.7" -m ensurepip
    bp_wrappers "$name" "$d/prefix/bin/python2.7"
}
bp_install_python_org() {
    bp_install "python.org-$OPENSSL_LEG" pip "CPPFLAGS=$OPENSSL_CPPFLAGS" \
        "LDFLAGS=$OPENSSL_LDFLAGS"
}

# --- the rows --------------------------------------------------------------------

# backport_install NAME: NAME's interpreter set up afresh (python.org's:
# built and installed), and the tarball builds and installs with it.
backport_install() {
    rm -f "$(bp_dir "$1")/installed" "$(bp_dir "$1")/python"
    bp_ready "$1"
}

# backport_test_ssl NAME: the series' SSLObject and MemoryBIO tests
# (tests/backport_test_ssl.py), verbose.
backport_test_ssl() {
    bp_ready "$1"
    "$(bp_dir "$1")/python" "$TOP/tests/backport_test_ssl.py" "$(bp_libtest)"
}

# backport_script NAME SCRIPT ARGS...: a hardening script of tests/ (the
# same entry points as tool/hardening.sh's) with install() done first.
backport_script() {
    local name=$1 script=$2; shift 2
    bp_ready "$name"
    "$(bp_dir "$name")/python-installed" "$TOP/tests/$script" --certdir "$(bp_libtest)" "$@"
}
backport_misuse() { backport_script "$1" misuse_sslobject.py; }
backport_fuzz() {
    backport_script "$1" fuzz_sslobject.py --cases "${OPT_CASES:-5000}" --seed 546
}
backport_threads() {
    backport_script "$1" threads_sslobject.py --seconds "$([ "$OPT_FULL" = 1 ] && echo 60 || echo 5)"
}

# backport_tls_in_tls NAME: tests/test_tls_in_tls.py with NAME's
# python-installed as the 2.7 (urllib3, requests and pip through an HTTPS
# proxy, with and without clients/urllib3-1.26).  On OpenSSL 3, three of
# them read an HTTP/1.0 body that ends without close_notify through the
# interpreter's own SSLSocket (directly, or to the proxy), which the stock
# 2.7.18 turns into an SSLError there (the openssl3 part fixes that, in
# the interpreter): those are reported as skipped, with the reason.
BP_STOCK_SSLSOCKET_FAILS="test_urllib3_direct_http10_read_in_chunks
 test_urllib3_proxy_http10_read_in_chunks test_requests_proxy"
backport_tls_in_tls() {
    bp_ready "$1"
    local skip=""
    if "$(bp_dir "$1")/python" -c 'import ssl, sys; sys.exit(ssl.OPENSSL_VERSION_INFO[0] < 3)'; then
        skip=$BP_STOCK_SSLSOCKET_FAILS
    fi
    env PYTHON27="$(bp_dir "$1")/python-installed" PYTHON27_LIBTEST="$(bp_libtest)" \
        TLS_IN_TLS_DIR="$BUILD/tls-in-tls" BP_SKIP="$skip" python3 -c '
import os, sys, unittest
sys.path.insert(0, sys.argv[1])
import test_tls_in_tls as t
why = ("the stock 2.7.18 SSLSocket on OpenSSL 3 raises SSLError for an "
       "EOF without close_notify (fixed by the openssl3 part, which needs "
       "the interpreter patched)")
for name in os.environ["BP_SKIP"].split():
    setattr(t.TLSInTLSTests, name,
            unittest.skip(why)(getattr(t.TLSInTLSTests, name)))
unittest.main(module=t, argv=["test_tls_in_tls", "-v"])' "$TOP/tests"
}

# backport_refusals: built against another OpenSSL than the interpreter's
# _ssl loads, the module refuses to import (ImportError naming both
# libraries), in both directions; and an interpreter older than the
# minimum is refused (check_interpreter, with the versions it is given).
backport_refusals() {
    local d=$BUILD/backport/refusals out src arch
    bp_ready debian-bullseye
    arch=$(gcc -print-multiarch)
    rm -rf "$d"; mkdir -p "$d"
    tar -xzf "$(sdist_path)" -C "$d"
    src=$d/backports.ssl_memorybio-$(backport_version)
    # the system's OpenSSL 3 headers and libssl.so.3, into bullseye's 2.7
    # whose _ssl loads 1.1.1w
    (cd "$src" && env CPPFLAGS="-I$(bp_dir debian-bullseye)/root/usr/include/python2.7 -I$(bp_dir debian-bullseye)/root/usr/include" \
        "$(bp_dir debian-bullseye)/python" setup.py build --build-base "$d/b3" \
        install --install-lib "$d/site3" --single-version-externally-managed \
        --record "$d/r3") >"$d/build3.log" 2>&1 ||
        { tail "$d/build3.log"; return 1; }
    bp_refused debian-bullseye "$d/site3" 'libssl.so.1.1' 'libssl.so.3'
    # and 1.1.1w into an interpreter on the system's 3.0 (pyenv's, or
    # python.org's)
    local other=pyenv
    [ -x "$BACKPORT_PYENV/bin/python2.7" ] || other=python.org-system
    [ "$other" = pyenv ] || do_openssl system ""
    bp_ready "$other"
    do_openssl 1.1.1 ""
    (cd "$src" && env "CPPFLAGS=$OPENSSL_CPPFLAGS" "LDFLAGS=$OPENSSL_LDFLAGS" \
        "$(bp_dir "$other")/python" setup.py build --build-base "$d/b1" \
        install --install-lib "$d/site1" --single-version-externally-managed \
        --record "$d/r1") >"$d/build1.log" 2>&1 ||
        { tail "$d/build1.log"; return 1; }
    bp_refused "$other" "$d/site1" 'libssl.so.3' 'libssl.so.1.1'
    # the minimum interpreter, per OpenSSL
    "$(bp_dir debian-bullseye)/python" -c '
from backports.ssl_memorybio import check_interpreter as c
def refused(*a):
    try:
        c(*a)
    except ImportError as e:
        print("refused %s: %s" % (a, e)); return True
    return False
assert refused((2, 7, 8), 0x1000214f) and not c((2, 7, 9), 0x1000214f)
assert refused((2, 7, 12), 0x1010007f) and not c((2, 7, 13), 0x1010007f)
assert refused((2, 7, 15), 0x1010117f) and not c((2, 7, 16), 0x1010117f)
assert refused((3, 6, 0), 0x1010117f)
print("minimum: 2.7.9; 2.7.13 with OpenSSL 1.1.0; 2.7.16 with 1.1.1")'
}

# bp_refused NAME SITE THEIRS OURS: importing the module from SITE with
# NAME's interpreter raises ImportError naming both libraries; no crash.
bp_refused() {
    local out rc=0
    out=$(env BACKPORT_SITE="$2" "$(bp_dir "$1")/python" -c '
try:
    from backports import ssl_memorybio
except ImportError as e:
    print("ImportError: %s" % e)
else:
    print("imported")' 2>&1) || rc=$?
    echo "$1, module built against the other OpenSSL: $out (exit $rc)"
    [ "$rc" -eq 0 ] && [[ $out == ImportError:*different\ OpenSSL*$3*$4* ]]
}

# --- the benchmark -------------------------------------------------------------

# do_bench_backport: bench/backport.py on the system's OpenSSL: the
# backport on python.org 2.7.18 beside the patched build (the whole
# series, build/system), in callgrind instructions per operation.
do_bench_backport() {
    need_tools valgrind
    bp_ready python.org-system
    do_apply system
    do_build system
    python3 "$TOP/bench/backport.py" --patched "$(obj_dir system)/python" \
        --backport "$(bp_dir python.org-system)/python-installed" \
        --certdir "$(bp_libtest)" 2>&1 | tee "$BUILD/logs/bench-backport.log"
    return "${PIPESTATUS[0]}"
}

# The --full row: skipped (77) where valgrind is missing.
backport_bench() {
    command -v valgrind >/dev/null ||
        { echo "skipped: valgrind is not installed (apt-get install valgrind)"; exit 77; }
    do_bench_backport
}

# --- install routes, as backport/README says them --------------------------------

# bp_readme LINE: LINE (with VERSION for the version) is one of
# backport/README's command lines, word for word; prints it with the version.
bp_readme() {
    grep -qxF "    $1" "$BACKPORT/README" ||
        die "backport/README has no command line '$1' (the check runs the README's own)"
    printf '%s\n' "${1//VERSION/$(backport_version)}"
}

# bp_route_env NAME: a folder NAME/route with bin/python2.7 (and
# bin/python2.7-dbg for Debian's -dbg) running NAME's interpreter with no
# backport site (BACKPORT_SITE empty) and a private PYTHONUSERBASE
# NAME/route/user; prints the folder.
bp_route_env() {
    local d r; d=$(bp_dir "$1"); r=$d/route
    rm -rf "$r"; mkdir -p "$r/bin" "$r/user" "$r/empty"
    exec_wrapper "$r/bin/python2.7" env BACKPORT_SITE="$r/empty" PYTHONUSERBASE="$r/user" "$d/python"
    cp "$r/bin/python2.7" "$r/bin/python2.7-dbg"
    cp "$r/bin/python2.7" "$r/bin/pypy"
    printf '%s\n' "$r"
}

# bp_route_check R PY: the installed package imports from the user site (not
# from the tarball), install() works and a handshake starts.
bp_route_check() {
    (cd / && "$1/bin/$2" -c '
import site, ssl, sys
from backports import ssl_memorybio as m
assert m.__file__.startswith(site.USER_SITE), (m.__file__, site.USER_SITE)
m.install()
ctx = ssl.SSLContext(ssl.PROTOCOL_SSLv23)
o = ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="localhost")
try:
    o.do_handshake()
except ssl.SSLWantReadError:
    pass
print("%s %s: imports from %s, install() and a handshake" % (
    sys.executable, sys.version.split()[0], m.__file__))')
}

# backport_route_setup_py NAME PY: Debian bullseye with Debian's packages
# only: the tarball unpacked and 'PY setup.py install --user' (python2.7,
# or python2.7-dbg; or bullseye's pypy), as backport/README says.  The unpacked interpreter's
# distutils names /usr/include (not its root): CPPFLAGS say where its
# headers and bullseye's libssl-dev are, which apt-get install puts there.
backport_route_setup_py() {
    local name=$1 py=$2 r inc; r=$(bp_route_env "$name")
    bp_ready "$name"
    inc=python2.7; [ "$py" = python2.7 ] || inc=python2.7_d
    local untar cdir setup
    untar=$(bp_readme 'tar -xzf backports.ssl_memorybio-VERSION.tar.gz')
    cdir=$(bp_readme 'cd backports.ssl_memorybio-VERSION')
    setup="$(bp_readme "mkdir -p \"\$($py -m site --user-site)\"")"
    setup+="; $(bp_readme "$py setup.py install --user")"
    echo "$untar; $cdir; $setup"
    cp "$(sdist_path)" "$r/"
    (cd "$r" && PATH=$r/bin:$PATH \
        CPPFLAGS="-I$(bp_dir "$name")/root/usr/include/$inc -I$(bp_dir "$name")/root/usr/include $OPENSSL_CPPFLAGS" \
        LDFLAGS="$OPENSSL_LDFLAGS" bash -ec "$untar; $cdir; $setup") >"$r/log" 2>&1 ||
        { tail -n 30 "$r/log"; return 1; }
    ls "$r"/user/lib/*/site-packages
    bp_route_check "$r" "$py"
}

# backport_route_pip NAME: pip, as backport/README says: Debian's pip
# 20.3.4 wheel (python-pip-whl) on bullseye, 'python2.7 -m pip' on
# python.org's and pyenv's.
backport_route_pip() {
    local name=$1 r cmd
    bp_ready "$name"
    r=$(bp_route_env "$name")
    case $name in
    debian-*)
        cmd=$(bp_readme 'python2.7 /usr/share/python-wheels/pip-20.3.4-py2.py3-none-any.whl/pip install --user backports.ssl_memorybio-VERSION.tar.gz')
        echo "$cmd"
        # /usr of the unpacked bullseye
        cmd=${cmd//\/usr\//$(bp_dir "$name")\/root\/usr\/}
        set -- "CPPFLAGS=-I$(bp_dir "$name")/root/usr/include/python2.7 -I$(bp_dir "$name")/root/usr/include $OPENSSL_CPPFLAGS" \
            "LDFLAGS=$OPENSSL_LDFLAGS" ;;
    *)  cmd=$(bp_readme 'python2.7 -m pip install --user backports.ssl_memorybio-VERSION.tar.gz')
        echo "$cmd"
        set -- "CPPFLAGS=${OPENSSL_CPPFLAGS:-}" "LDFLAGS=${OPENSSL_LDFLAGS:-}" ;;
    esac
    cp "$(sdist_path)" "$r/"
    (cd "$r" && env PATH="$r/bin:$PATH" PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
        PIP_NO_CACHE_DIR=1 "$@" bash -ec "$cmd") >"$r/log" 2>&1 ||
        { tail -n 30 "$r/log"; return 1; }
    grep -E '^Successfully installed' "$r/log"
    ls "$r/user/lib/python2.7/site-packages"
    bp_route_check "$r" python2.7
}

# backport_namespace: beside backports.ssl_match_hostname 3.7.0.1 (its
# sdist, pinned by hash; it ships the shared pkgutil-style
# backports/__init__.py), both installed with Debian bullseye's pip 20.3.4
# into one user site: uninstalling ours leaves theirs importable, and
# uninstalling theirs leaves ours importable.
BP_NEIGHBOUR="backports.ssl_match_hostname==3.7.0.1 bb82e60f9fbf4c080eabd957c39f0641f0fc247d9a16e31e26d594d8f42b9fd2"
backport_namespace() {
    local name=debian-bullseye r cache=$BUILD/backport/cache f pip both
    bp_ready "$name"
    f=$cache/backports.ssl_match_hostname-3.7.0.1.tar.gz
    if [ ! -f "$f" ] || [ "$(sha256_of "$f")" != "${BP_NEIGHBOUR#* }" ]; then
        pip_fetch "$BUILD/logs/backport-neighbour-fetch.log" "$cache" "$BP_NEIGHBOUR" --no-binary=:all:
        [ "$(sha256_of "$f")" = "${BP_NEIGHBOUR#* }" ] || die "$f does not match its pinned hash"
    fi
    r=$(bp_route_env "$name")
    pip="$r/bin/python2.7 $(bp_dir "$name")/root/usr/share/python-wheels/pip-20.3.4-py2.py3-none-any.whl/pip"
    export PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
    export CPPFLAGS="-I$(bp_dir "$name")/root/usr/include/python2.7 -I$(bp_dir "$name")/root/usr/include $OPENSSL_CPPFLAGS"
    export LDFLAGS=$OPENSSL_LDFLAGS
    both="from backports import ssl_match_hostname, ssl_memorybio"
    bp_ns_step() {   # DESCRIPTION PIP-ARGS... -- PYTHON-IMPORT
        local what=$1; shift
        local args=(); while [ "$1" != -- ]; do args+=("$1"); shift; done; shift
        (cd "$r" && $pip "${args[@]}") >>"$r/log" 2>&1 || { tail -n 20 "$r/log"; return 1; }
        (cd / && "$r/bin/python2.7" -c "$1; print('$what: ok')") ||
            { echo "$what: fails"; ls -R "$r/user/lib/python2.7/site-packages" | head -20; return 1; }
    }
    cp "$(sdist_path)" "$f" "$r/"
    bp_ns_step "theirs installed" install --user "$(basename "$f")" -- "from backports import ssl_match_hostname"
    bp_ns_step "both installed" install --user "$(basename "$(sdist_path)")" -- "$both"
    ls "$r/user/lib/python2.7/site-packages"
    bp_ns_step "ours uninstalled, theirs imports" uninstall -y backports.ssl_memorybio -- \
        "from backports import ssl_match_hostname; ssl_match_hostname.match_hostname"
    (cd / && ! "$r/bin/python2.7" -c "from backports import ssl_memorybio" 2>/dev/null) ||
        die "ours still imports after its uninstall"
    bp_ns_step "ours again" install --user "$(basename "$(sdist_path)")" -- "$both"
    bp_ns_step "theirs uninstalled, ours imports" uninstall -y backports.ssl_match_hostname -- \
        "from backports import ssl_memorybio; ssl_memorybio.install(); import ssl; ssl.MemoryBIO"
    (cd / && ! "$r/bin/python2.7" -c "from backports import ssl_match_hostname" 2>/dev/null) ||
        die "theirs still imports after its uninstall"
}

# backport_openssl_prefix: SSL_MEMORYBIO_OPENSSL pointed at a Debian
# multiarch prefix (bullseye's libssl-dev and libssl1.1 unpacked:
# include/x86_64-linux-gnu, lib/x86_64-linux-gnu) builds, links there with
# an rpath and imports on bullseye's python2.7; a prefix without the
# headers, or with the runtime library alone, is refused saying what it
# needs; so is setup.py without setuptools.
backport_openssl_prefix() {
    local name=debian-bullseye d=$BUILD/backport/openssl-prefix src root out arch
    bp_ready "$name"
    arch=$(gcc -print-multiarch)
    root=$(bp_dir "$name")/root
    rm -rf "$d"; mkdir -p "$d"
    tar -xzf "$(sdist_path)" -C "$d"
    src=$d/backports.ssl_memorybio-$(backport_version)
    local prefix=$BUILD/openssl/$OPENSSL111_VERSION/usr
    [ -d "$prefix/include/$arch/openssl" ] && [ -e "$prefix/lib/$arch/libssl.so" ] ||
        die "$prefix is no multiarch prefix"
    (cd "$src" && env SSL_MEMORYBIO_OPENSSL="$prefix" \
        CPPFLAGS="-I$root/usr/include/python2.7 -I$root/usr/include" \
        "$(bp_dir "$name")/python" setup.py build --build-base "$d/b" \
        install --install-lib "$d/site" --single-version-externally-managed \
        --record "$d/r") >"$d/build.log" 2>&1 || { tail -n 20 "$d/build.log"; return 1; }
    grep -E -- "-I$prefix/include/$arch" "$d/build.log" | head -n 1 | grep -o -- "-I$prefix/include[^ ]*" | tr '\n' ' '; echo
    readelf -d "$d"/site/backports/ssl_memorybio/_ssl_memorybio*.so | grep -E 'RPATH|RUNPATH'
    readelf -d "$d"/site/backports/ssl_memorybio/_ssl_memorybio*.so | grep -q "$prefix/lib/$arch" ||
        die "no rpath to $prefix/lib/$arch"
    env BACKPORT_SITE="$d/site" "$(bp_dir "$name")/python" -c '
from backports import ssl_memorybio; ssl_memorybio.install(); import ssl; ssl.MemoryBIO
print("SSL_MEMORYBIO_OPENSSL=multiarch prefix: builds and imports")'
    # refused: no headers; the runtime library alone (no libssl.so)
    mkdir -p "$d/runtime-only/include/openssl" "$d/runtime-only/lib/$arch"
    cp "$prefix/include/openssl/ssl.h" "$d/runtime-only/include/openssl/"
    cp "$prefix/lib/$arch/libssl.so.1.1" "$d/runtime-only/lib/$arch/"
    for bad in "$d/nothing" "$d/runtime-only"; do
        mkdir -p "$bad"
        out=$(cd "$src" && env SSL_MEMORYBIO_OPENSSL="$bad" "$(bp_dir "$name")/python" \
            setup.py build --build-base "$d/b-bad" 2>&1) &&
            die "SSL_MEMORYBIO_OPENSSL=$bad was not refused: $out"
        echo "refused: $(tail -n 1 <<<"$out")"
        [[ $out == *"SSL_MEMORYBIO_OPENSSL=PREFIX needs"*"$bad has "* ]] ||
            die "no clear refusal for $bad: $out"
    done
    # and setup.py without setuptools (-S: no dist-packages, where
    # bullseye's python-setuptools is) says which package brings it
    out=$(cd "$src" && "$(bp_dir "$name")/python" -S setup.py build 2>&1) &&
        die "setup.py ran without setuptools: $out"
    echo "refused: $out"
    [[ $out == *"needs setuptools"*"python-setuptools"* ]] || die "no clear refusal"
}

# backport_other_build: a package built by python2.7 does not import into
# python2.7-dbg, and one built by python2.7-dbg not into python2.7 (Debian
# bullseye's): each an ImportError that says which build to make.
backport_other_build() {
    local out plain=debian-bullseye dbg=debian-bullseye-dbg
    bp_ready "$plain"; bp_ready "$dbg"
    out=$(env BACKPORT_SITE="$(bp_dir "$plain")/site" "$(bp_dir "$dbg")/python" \
        -c 'from backports import ssl_memorybio' 2>&1) && die "python2.7-dbg imported python2.7's build"
    echo "python2.7-dbg, python2.7's build: $(tail -n 1 <<<"$out")"
    [[ $out == *"built for a plain (non-debug) interpreter"*"python2.7-dbg is a debug build"*"python2.7-dbg setup.py install"* ]] ||
        die "no clear message"
    out=$(env BACKPORT_SITE="$(bp_dir "$dbg")/site" "$(bp_dir "$plain")/python" \
        -c 'from backports import ssl_memorybio' 2>&1) && die "python2.7 imported python2.7-dbg's build"
    echo "python2.7, python2.7-dbg's build: $(tail -n 1 <<<"$out")"
    [[ $out == *"built for a debug interpreter"*"python2.7 is a plain (non-debug) build"*"python2.7 setup.py install"* ]] ||
        die "no clear message"
}

# --- PyPy 2.7 ----------------------------------------------------------------------

# bp_interpreter_pypy: Debian bullseye's pypy (7.3.3, Python 2.7.18),
# unpacked below build/backport/pypy and run on the 1.1.1w it was built for
# (its _ssl is cffi over libssl1.1).  No C is compiled for it: the backport
# takes its pure-Python path over PyPy's own _ssl.
BACKPORT_PYPY_PACKAGES="pypy pypy-lib pypy-setuptools pypy-pkg-resources libffi7"
bp_interpreter_pypy() {
    local root arch; root=$(bp_dir pypy)/root
    arch=$(gcc -print-multiarch)
    if [ ! -f "$root/.done" ]; then
        deb_unpack "$DEBIAN_OLD" "$root" "$BUILD/logs/backport-pypy.log" $BACKPORT_PYPY_PACKAGES
        touch "$root/.done"
    fi
    do_openssl 1.1.1 ""
    bp_wrappers pypy "$root/usr/lib/pypy/bin/pypy-c" \
        "LD_LIBRARY_PATH=$BUILD/openssl/$OPENSSL111_VERSION/usr/lib/$arch:$root/usr/lib/$arch"
}

# backport_pypy_refusal: a PyPy without the private pieces the pure-Python
# path runs on (here: _cffi_ssl._stdssl.MemoryBIO, then
# _SSLSocket.shutdown, hidden) refuses to import it, saying what is missing.
backport_pypy_refusal() {
    local out hide
    bp_ready pypy
    for hide in "import _cffi_ssl._stdssl as m; del m.MemoryBIO" \
                "import _cffi_ssl._stdssl as m; del m._SSLSocket.shutdown"; do
        out=$("$(bp_dir pypy)/python" -c "$hide
from backports import ssl_memorybio" 2>&1) && die "imported without them: $out"
        echo "$(tail -n 1 <<<"$out")"
        [[ $out == *"ImportError: backports.ssl_memorybio on PyPy runs over PyPy's own _ssl"*"which this PyPy"*"lacks: no "* ]] ||
            die "no clear refusal"
    done
    # and, fail closed as on CPython: check_hostname without a name
    "$(bp_dir pypy)/python-installed" -c '
import ssl
ctx = ssl.create_default_context()
try:
    ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO())
except ValueError as e:
    print("refused: %s" % e)
else:
    raise SystemExit("check_hostname without server_hostname was accepted")'
}
