# clients.sh: real clients' own test suites (gevent's SSL modules,
# trollius' SSL protocol and event loop tests) and tests/sslsocket_compat.py,
# on pristine 2.7.18 and on the series: what an SSLSocket or MemoryBIO user
# meets.  tests/stdlib_compare.py runs the suites and compares; this module
# fetches the clients, lays out their sites and says what baseline they
# are compared with.

# Pinned releases, fetched once with 'python3 -m pip download' (hashes
# required) into build/clients/cache.  gevent 22.10.2 is the last gevent for
# 2.7: its cp27mu wheel (our builds are --enable-unicode=ucs4), with the
# last py27 wheels of what it needs; trollius 2.1.post2 from its sdist (its
# tests are not in a wheel), with six and futures, and mock and unittest2
# (with traceback2, linecache2), which its tests use on Python 2.
CLIENT_WHEELS="
gevent==22.10.2 4e2f008c82dc54ec94f4de12ca6feea60e419babb48ec145456907ae61625aa4
greenlet==2.0.2 d27ec7509b9c18b6d73f2f5ede2622441de812e7b1a80bbd446cb0633bd3d5ae
zope.interface==5.4.0 9a9845c4c6bb56e508651f005c4aeb0404e518c6f000d5a1123ab077ab769f5c
zope.event==4.6 73d9e3ef750cca14816a9c322c7250b0d7c9dbc337df5d1b807ff8d3d0b9e97c
setuptools==44.1.1 27a714c09253134e60a6fa68130f78c7037e5562c4f21f8f318f2ae900d152d5
six==1.16.0 8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254
futures==3.4.0 5ec20fa8bdccf96ac9bf9fb2473f51b14c117db638aa8a4a6c27b43532a0efe9
mock==3.0.5 d157e52d4e5b938c550f39eb2fd15610db062441a9c2747d3dbfa9298211d0f8
funcsigs==1.0.2 330cc27ccbf7f1e992e69fef78261dc7c6569012cf397db8d3de0234e6c937ca
unittest2==1.1.0 13f77d0875db6d9b435e1d4f41e74ad4cc2eb6e1d5c824996092b3430f088bb8
traceback2==1.4.0 8253cebec4b19094d67cc5ed5af99bf1dba1285292226e98a31929f87a5d6b23
linecache2==1.0.0 e78be9c0a0dfcbac712fe04fbf92b96cddae80b1b842f24248214c8496f006ef
"
CLIENT_SDISTS="
trollius==2.1.post2 15b1345132bf6b0b44741dd9b12fadad0d4c1d60a31f22ff33e9fd17dbb2e3a5
"
# What each suite runs (dotted unittest module names) and the wheels its
# site holds.  test__socket_ssl reaches a host on the internet: it fails
# on pristine 2.7.18 too, so it never counts as new.
GEVENT_MODULES="gevent.tests.test__ssl gevent.tests.test__socket_ssl
 gevent.tests.test__monkey_ssl_warning gevent.tests.test__monkey_ssl_warning2
 gevent.tests.test__monkey_ssl_warning3 gevent.tests.test__example_wsgiserver_ssl"
GEVENT_SITE="gevent greenlet zope.interface zope.event setuptools"
# test__example_wsgiserver_ssl runs gevent's examples/wsgiserver_ssl.py,
# which the wheel lacks: it comes from Debian bookworm's python-gevent-doc
# of the same release, and the suite runs in a folder holding examples/
# and the setup.py that gevent.testing looks for above it (empty).
GEVENT_EXAMPLES_DEB="python-gevent-doc=22.10.2-3"
GEVENT_EXAMPLES_SUITE=bookworm
TROLLIUS_MODULES="test_sslproto test_events"
TROLLIUS_SITE="six futures mock funcsigs unittest2 traceback2 linecache2"

CLIENTS=$BUILD/clients

# clients_fetch: the pinned files in $CLIENTS/cache (a no-op when they are
# there with their hashes).
clients_fetch() {
    local cache=$CLIENTS/cache
    mkdir -p "$cache"
    clients_have && return 0
    pip_fetch "$BUILD/logs/clients-fetch-wheels.log" "$cache" "$CLIENT_WHEELS" \
        --only-binary=:all: --python-version 27 --implementation cp \
        --abi cp27mu --abi none --platform manylinux2010_x86_64 --platform any
    pip_fetch "$BUILD/logs/clients-fetch-sdists.log" "$cache" "$CLIENT_SDISTS" --no-binary=:all:
    clients_have || die "the client downloads do not match their pinned hashes"
    step "clients: fetched into $cache"
}

# clients_have: every pinned file is in the cache with its hash.
clients_have() {
    local name version sha f
    while read -r name sha; do
        [ -n "$name" ] || continue
        version=${name#*==}; name=${name%%==*}
        f=$(ls "$CLIENTS/cache/${name//./_}-$version"[.-]* "$CLIENTS/cache/$name-$version"[.-]* \
            2>/dev/null | head -n 1 || true)
        [ -n "$f" ] && [ "$(sha256_of "$f")" = "$sha" ] || return 1
    done <<<"$CLIENT_WHEELS$CLIENT_SDISTS"
}

# clients_site SUITE: $CLIENTS/SUITE/site, the suite's wheels unpacked, and
# $CLIENTS/SUITE/boot/sitecustomize.py adding it with site.addsitedir()
# (zope is a namespace package made by .pth files, which only a site
# folder reads).  With boot on PYTHONPATH, the processes the suites start
# see the site too.  Prints the suite's PYTHONPATH folders, one a line.
clients_site() {
    local suite=$1 dir=$CLIENTS/$1 names name f
    case "$suite" in
        gevent) names=$GEVENT_SITE ;;
        trollius) names=$TROLLIUS_SITE ;;
        *) die "clients_site: no suite '$suite'" ;;
    esac
    clients_fetch >&2
    if [ ! -f "$dir/.done" ]; then
        rm -rf "$dir"; mkdir -p "$dir/site" "$dir/boot"
        for name in $names; do
            f=$(clients_file "$name")
            python3 -m zipfile -e "$f" "$dir/site"
        done
        if [ "$suite" = trollius ]; then
            tar -xzf "$(clients_file trollius)" -C "$dir"
        else
            need_tools dpkg-deb apt-get
            deb_unpack "$GEVENT_EXAMPLES_SUITE" "$dir/doc" "$BUILD/logs/clients-gevent-doc.log" \
                "$GEVENT_EXAMPLES_DEB"
            mkdir -p "$dir/src"
            cp -a "$dir/doc/usr/share/doc/python-gevent-doc/examples" "$dir/src/examples"
            echo "# gevent.testing finds examples/ beside a setup.py (build.sh)" >"$dir/src/setup.py"
        fi
        cat >"$dir/boot/sitecustomize.py" <<EOF
# Written by build.sh (tool/clients.sh): $suite's dependencies for its tests.
import site
site.addsitedir('$dir/site')
EOF
        touch "$dir/.done"
    fi
    echo "$dir/boot"
    if [ "$suite" = trollius ]; then
        echo "$dir/trollius-2.1.post2"
        echo "$dir/trollius-2.1.post2/tests"
    fi
}

# clients_file NAME: the cached file of that pinned client.
clients_file() {
    local name=$1 version
    version=$(awk -v n="$1" '{split($1, a, "=="); if (a[1] == n) print a[2]}' \
        <<<"$CLIENT_WHEELS$CLIENT_SDISTS")
    [ -n "$version" ] || die "clients_file: '$name' is not pinned"
    ls "$CLIENTS/cache/${name//./_}-$version"[.-]* "$CLIENTS/cache/$name-$version"[.-]* \
        2>/dev/null | head -n 1 || true
}

# client_run SUITE OUT LABEL: run a suite (gevent, trollius or sslsocket)
# with the leg's interpreter, results in OUT (JSON).
client_run() {
    local suite=$1 out=$2 label=$3 python modules paths=() p pypath="" cwd
    python=$(obj_dir "$OPENSSL_LEG")/python
    mkdir -p "$CLIENTS"
    if [ "$suite" = sslsocket ]; then
        "$python" -E "$TOP/tests/sslsocket_compat.py" --json "$out"
        return
    fi
    case "$suite" in
        gevent) modules=$GEVENT_MODULES cwd=src ;;
        trollius) modules=$TROLLIUS_MODULES cwd=trollius-2.1.post2 ;;
        *) die "client_run: no suite '$suite'" ;;
    esac
    while read -r p; do paths+=(--path "$p"); pypath=$pypath${pypath:+:}$p; done \
        < <(clients_site "$suite")
    if [ "$suite" = trollius ]; then
        # Which transport trollius takes: SSLProtocol over ssl.MemoryBIO
        # where ssl has it (the series), its legacy SSLSocket one else.
        echo "trollius: SSLProtocol over ssl.MemoryBIO:" \
            "$(PYTHONPATH=$pypath "$python" -c 'import trollius.sslproto as s; print(s._is_sslproto_available())')"
    fi
    local conf=""
    if [ "$suite" = trollius ] &&
        "$python" -c 'import ssl, sys; sys.exit(ssl.OPENSSL_VERSION_INFO[0] < 3)'; then
        # The sdist's test keys are 1024-bit RSA under a SHA-1-signed CA,
        # below OpenSSL 3's default security level: loading them fails
        # (EE_KEY_TOO_SMALL, CA_MD_TOO_WEAK) and a test then waits forever.
        # For this suite only, OpenSSL runs at level 0; its TLS is then
        # what the series does, not what the test data can no longer load.
        conf=$CLIENTS/trollius/openssl-seclevel0.cnf
        printf '%s\n' 'openssl_conf = default_conf' '[default_conf]' 'ssl_conf = ssl_sect' \
            '[ssl_sect]' 'system_default = system_default_sect' '[system_default_sect]' \
            'CipherString = DEFAULT:@SECLEVEL=0' >"$conf"
        echo "trollius: OpenSSL 3: run with OPENSSL_CONF=$conf (SECLEVEL=0: its test keys)"
    fi
    # shellcheck disable=SC2086  # module names have no blanks
    ${conf:+env OPENSSL_CONF="$conf"} python3 "$TOP/tests/stdlib_compare.py" run --python "$python" --unittest \
        "${paths[@]}" --cwd "$CLIENTS/$suite/${cwd:-}" --label "$label" --out "$out" \
        --logdir "$BUILD/logs/clients-$(basename "$out" .json)" --timeout 300 --modules $modules
}

# clients_baseline: pristine 2.7.18 on this leg (OpenSSL 1.1.1w), every
# suite, into $CLIENTS/baseline-SUITE.json.
clients_baseline() {
    local suite
    do_apply "$OPENSSL_LEG" 0
    do_build "$OPENSSL_LEG"
    for suite in gevent trollius sslsocket; do
        client_run "$suite" "$CLIENTS/baseline-$suite.json" \
            "pristine $PY_VERSION, OpenSSL $OPENSSL_LEG"
    done
}

# client_compare SUITE: the suite on the series (this leg) against pristine
# 2.7.18 on OpenSSL 1.1.1w.  gevent and trollius: no test may fail that did
# not fail on pristine; sslsocket: the same lines as pristine, except those
# tests/sslsocket_compat_allowed.txt lists with their reason.  Without a
# baseline (the row runs alone) it is made first, on OpenSSL 1.1.1w's leg
# (in a subshell: this row's OpenSSL stays as it is), and this leg gets
# the series back.
client_compare() {
    local suite=$1 base=$CLIENTS/baseline-$1.json
    if [ ! -f "$base" ]; then
        step "clients: no baseline yet; pristine $PY_VERSION on OpenSSL $OPENSSL111_VERSION first"
        (do_openssl 1.1.1 ""; clients_baseline)
        do_apply "$OPENSSL_LEG"
        do_build "$OPENSSL_LEG"
    fi
    case "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["openssl"])' "$base")" in
        *"OpenSSL $OPENSSL111_VERSION "*) ;;
        *) die "$base is not pristine $PY_VERSION on OpenSSL $OPENSSL111_VERSION: remove it" ;;
    esac
    client_run "$suite" "$CLIENTS/$OPENSSL_LEG-$suite.json" "the series, OpenSSL $OPENSSL_LEG"
    if [ "$suite" = sslsocket ]; then
        python3 "$TOP/tests/sslsocket_compat.py" compare "$base" \
            "$CLIENTS/$OPENSSL_LEG-$suite.json"
    else
        python3 "$TOP/tests/stdlib_compare.py" compare --known "" "$base" \
            "$CLIENTS/$OPENSSL_LEG-$suite.json"
    fi
}
