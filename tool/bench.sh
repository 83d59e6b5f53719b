# bench.sh: the benchmark (bench/run.py) and the peers it compares with,
# below $BUILD/peers: Debian bullseye's python3.9 and openssl tool (both on
# OpenSSL 1.1.1w), and pyOpenSSL 21.0.0 with cryptography 3.3.2 for the
# patched 2.7.

BULLSEYE_PY39_PACKAGES="python3.9-minimal libpython3.9-minimal libpython3.9-stdlib
 libssl1.1 openssl zlib1g libexpat1 libffi7 libbz2-1.0 liblzma5 libmpdec3
 libuuid1 libcrypt1 libnsl2 libtirpc3 libgssapi-krb5-2 libkrb5-3 libk5crypto3
 libkrb5support0 libcom-err2 libkeyutils1"

peers_py39() {
    local d=$BUILD/peers/py39
    [ -x "$d/python3.9" ] && return 0
    local arch; arch=$(gcc -print-multiarch)
    # shellcheck disable=SC2086  # a word list
    deb_unpack "$DEBIAN_OLD" "$d/root" "$BUILD/logs/peers.log" $BULLSEYE_PY39_PACKAGES
    local libs="$d/root/usr/lib/$arch:$d/root/lib/$arch"
    exec_wrapper "$d/python3.9" env LD_LIBRARY_PATH="$libs" PYTHONHOME="$d/root/usr" \
        "$d/root/usr/bin/python3.9"
    exec_wrapper "$d/openssl" env LD_LIBRARY_PATH="$libs" OPENSSL_CONF=/dev/null "$d/root/usr/bin/openssl"
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
