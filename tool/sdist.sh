# sdist.sh: './build.sh sdist': backports.ssl_memorybio's source tarball,
# build/dist/backports.ssl_memorybio-VERSION.tar.gz, made from the series
# (pristine 2.7.18 plus every patch of patches/series, in order) and
# backport/ (tool/sdist.py puts it together).  No copy of _ssl.c is kept
# in the repository: the series stays its one source.

BACKPORT=$TOP/backport

# One version scheme: the backport's version is the release's (VERSION's
# second field), so python2.7-pep546-1.0.tar.xz carries
# backports.ssl_memorybio-1.0.tar.gz, made from the same series.
backport_version() { awk 'NR == 1 { print $2 }' "$TOP/VERSION"; }
sdist_path() { printf '%s\n' "$BUILD/dist/backports.ssl_memorybio-$(backport_version).tar.gz"; }

# do_sdist: the tarball (made again only when the series or backport/
# changed: build/dist/.stamp says what it was made from).  The tree it is
# made from stays in build/backport/series for the checks (its Lib/test).
do_sdist() {
    local tree=$BUILD/backport/series stamp made
    do_source
    stamp=$( { series_stamp "$(series_count)"
               (cd "$BACKPORT" && find . -type f | LC_ALL=C sort | xargs sha256sum)
               sha256_of "$TOOL/sdist.py"; backport_version; } | sha256sum | cut -c1-16)
    if [ -f "$(sdist_path)" ] && [ -d "$tree" ] &&
            [ "$(cat "$BUILD/dist/.stamp" 2>/dev/null)" = "$stamp" ]; then
        step "sdist: $(sdist_path) (up to date)"
        return 0
    fi
    mkdir -p "$BUILD/dist"
    pristine_copy "$tree"
    apply_series "$tree"
    made="Made by the PEP 546 series' tool/sdist.sh from Python $PY_VERSION"
    # where the pristine source came from, without this machine's paths (the
    # release carries this tarball and must be the same bytes everywhere)
    if [ -d "$(cat "$BUILD/pristine/.origin" 2>/dev/null)" ]; then
        made+=" (a v$PY_VERSION tree, checked against patches/base.sha256)"
    else
        made+=" (Python-$PY_VERSION.tgz, SHA-256 $PY_TARBALL_SHA256)"
    fi
    made+=$'\nplus these patches, in order (SHA-256):'
    local p
    for p in $(series); do made+=$'\n'"  $(sha256_of "$PATCHES/$p")  $p"; done
    made+=$'\nand backport/adapt-_ssl.c.patch '"$(sha256_of "$BACKPORT/adapt-_ssl.c.patch")"
    run "$BUILD/logs/sdist.log" python3 "$TOOL/sdist.py" --tree "$tree" \
        --backport "$BACKPORT" --version "$(backport_version)" \
        --made-from "$made" --out "$BUILD/dist"
    printf '%s\n' "$stamp" >"$BUILD/dist/.stamp"
    step "sdist: $(sdist_path)"
}
