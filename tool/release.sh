# release.sh: './build.sh release': the versioned, byte-reproducible tarball
# of the series (build/release/NAME-VERSION.tar.xz) and its SHA256SUMS.
#
# VERSION is the one place the name and version are read from ('NAME
# VERSION' on one line); CHANGES must have an entry 'VERSION (YYYY-MM-DD)',
# whose date becomes every file's time in the tarball.  Byte-reproducible:
# files in name order, fixed time, owner 0/0 by number, normalized modes,
# and xz, which writes no time, single-threaded (its block layout then does
# not depend on the machine).

# release_id: sets RELEASE_NAME, RELEASE_VERSION and RELEASE_DATE from
# VERSION and CHANGES, refusing what does not fit.
release_id() {
    local line
    [ -f "$TOP/VERSION" ] || die "no VERSION file in $TOP"
    line=$(head -n 1 "$TOP/VERSION")
    read -r RELEASE_NAME RELEASE_VERSION <<<"$line"
    [[ ${RELEASE_NAME:-} =~ ^[a-z0-9][a-z0-9.+-]*$ ]] &&
        [[ ${RELEASE_VERSION:-} =~ ^[0-9]+(\.[0-9]+)*$ ]] ||
        die "VERSION must hold 'NAME VERSION' (e.g. 'python2.7-pep546 1.0'), not '$line'"
    RELEASE_DATE=$(sed -n "s/^${RELEASE_VERSION//./\\.} (\([0-9]\{4\}-[0-9][0-9]-[0-9][0-9]\))\$/\1/p" \
        "$TOP/CHANGES" 2>/dev/null | head -n 1)
    [ -n "$RELEASE_DATE" ] ||
        die "CHANGES has no entry '$RELEASE_VERSION (YYYY-MM-DD)' for the version in VERSION"
}

# release_files: what the tarball holds, relative to $TOP, one a line: the
# series in order with its cover letter and base checksums, the README,
# LICENSE, CHANGES, VERSION and the drop-ins (dist/).
release_files() {
    local p
    printf '%s\n' README LICENSE CHANGES VERSION patches/series patches/README \
        patches/base.sha256
    for p in $(series); do printf 'patches/%s\n' "$p"; done
    (cd "$TOP" && find dist -type f ! -name '*.pyc' ! -name '*~' | LC_ALL=C sort)
}

# make_release OUT: OUT/NAME-VERSION.tar.xz and OUT/SHA256SUMS.
make_release() {
    local out=$1 stage f top tarball
    need_tools tar xz sha256sum
    release_id
    python3 "$TOOL/dropins.py" check >&2 ||
        die "dist/ does not list the series' patches as it stands: run ./build.sh dist"
    top=$RELEASE_NAME-$RELEASE_VERSION
    tarball=$top.tar.xz
    stage=$BUILD/release-stage
    rm -rf "$stage" "$out"; mkdir -p "$stage/$top" "$out"
    for f in $(release_files); do
        [ -f "$TOP/$f" ] || die "$f is missing: the release needs it"
        mkdir -p "$stage/$top/$(dirname "$f")"
        cp "$TOP/$f" "$stage/$top/$f"
    done
    (cd "$stage" && LC_ALL=C tar --sort=name --format=gnu --mtime="$RELEASE_DATE 00:00:00Z" \
        --owner=0 --group=0 --numeric-owner --mode='u+rwX,go+rX,go-w' -cf - "$top") |
        xz -9 -T1 -c >"$out/$tarball"
    # SHA256SUMS: the tarball, then every patch (as unpacked beside it), in
    # series order, so 'sha256sum -c SHA256SUMS' there checks them all.
    { (cd "$out" && sha256sum "$tarball")
      for f in $(series); do (cd "$stage" && sha256sum "$top/patches/$f"); done
    } >"$out/SHA256SUMS"
    rm -rf "$stage"
    printf '%s\n' "$out/$tarball"
}

do_release() {
    local t
    t=$(make_release "$BUILD/release")
    step "release: $t ($(wc -c <"$t") bytes) and $BUILD/release/SHA256SUMS"
}

# test_release: made twice (from fresh copies, so with other file times),
# the two are identical byte for byte; SHA256SUMS verifies with
# 'sha256sum -c' once unpacked; the tarball holds exactly the release's
# files, equal to this tree's, owned by 0/0, all at the CHANGES date.
test_release() {
    local a=$BUILD/release-check/a b=$BUILD/release-check/b t top
    rm -rf "$BUILD/release-check"
    make_release "$a" >/dev/null
    sleep 1   # other times for the staged copies
    make_release "$b" >/dev/null
    release_id
    top=$RELEASE_NAME-$RELEASE_VERSION
    cmp "$a/$top.tar.xz" "$b/$top.tar.xz" || die "two releases differ: not reproducible"
    cmp "$a/SHA256SUMS" "$b/SHA256SUMS" || die "two SHA256SUMS differ"
    echo "reproducible: $(sha256sum "$a/$top.tar.xz")"
    (cd "$a" && tar -xJf "$top.tar.xz" && sha256sum --strict -c SHA256SUMS)
    [ "$(grep -c '/patches/' "$a/SHA256SUMS")" = "$(series_count)" ] ||
        die "SHA256SUMS does not cover every patch"
    # Exactly the release's files, equal to the tree's.
    diff <(release_files | LC_ALL=C sort) \
        <(cd "$a/$top" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) ||
        die "the tarball does not hold exactly the release's files"
    for t in $(release_files); do cmp "$TOP/$t" "$a/$top/$t"; done
    # Owners and times fixed.
    t=$(tar --numeric-owner --full-time -tvJf "$a/$top.tar.xz" |
        awk -v d="$RELEASE_DATE" '$2 != "0/0" || $4 != d { print }')
    [ -z "$t" ] || die "entries with another owner or date: $t"
    echo "verified: $(grep -c . "$a/SHA256SUMS") checksums, $(release_files | wc -l) files"
    rm -rf "$BUILD/release-check"
}
