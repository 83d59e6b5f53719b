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

# release_files: the tree's files the tarball holds as they are, relative
# to $TOP, one a line: the series in order with its cover letter and base
# checksums, LICENSE, CHANGES, VERSION, the drop-ins (dist/) and clients/.
# The tarball adds what is made for it (release_made): its README (from
# tool/release-README.in), the backport's sdist and SHA256SUMS.
release_files() {
    local p
    printf '%s\n' LICENSE CHANGES VERSION patches/series patches/README \
        patches/base.sha256
    for p in $(series); do printf 'patches/%s\n' "$p"; done
    (cd "$TOP" && find dist clients -type f ! -name '*.pyc' ! -name '*~' | LC_ALL=C sort)
}
release_made() {
    printf '%s\n' README SHA256SUMS "backports.ssl_memorybio-$(backport_version).tar.gz"
}
# release_sources: what the release is made from, for the git status check:
# its files, and what the made ones come from.
release_sources() {
    release_files
    printf '%s\n' tool/release-README.in tool/sdist.py tool/sdist.sh tool/release.sh backport
}

# release_clean: refuse (unless --allow-dirty) a tree where git status shows
# any change to what the release is made from, or that is no git checkout.
release_clean() {
    local dirty
    [ "${OPT_ALLOW_DIRTY:-0}" = 0 ] || return 0
    git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 ||
        die "$TOP is not a git checkout, so its files cannot be checked for uncommitted changes; --allow-dirty packs them as they are"
    dirty=$(cd "$TOP" && git status --porcelain --untracked-files=all -- $(release_sources)) ||
        die "git status failed in $TOP"
    [ -z "$dirty" ] ||
        die "uncommitted changes to what the release packs (commit them, or --allow-dirty):
$dirty"
}

# make_release OUT: OUT/NAME-VERSION.tar.xz and OUT/SHA256SUMS (the
# tarball's SHA-256, to check before unpacking; the tarball's own
# SHA256SUMS covers every file in it).
make_release() {
    local out=$1 stage f top tarball
    need_tools tar xz sha256sum gzip
    release_id
    release_clean
    python3 "$TOOL/dropins.py" check >&2 ||
        die "dist/ does not list the series' patches as it stands: run ./build.sh dist"
    do_sdist >&2
    top=$RELEASE_NAME-$RELEASE_VERSION
    tarball=$top.tar.xz
    stage=$BUILD/release-stage
    rm -rf "$stage" "$out"; mkdir -p "$stage/$top" "$out"
    for f in $(release_files); do
        [ -f "$TOP/$f" ] || die "$f is missing: the release needs it"
        mkdir -p "$stage/$top/$(dirname "$f")"
        cp "$TOP/$f" "$stage/$top/$f"
    done
    cp "$(sdist_path)" "$stage/$top/"
    sed -e "s/@TOP@/$top/g" -e "s/@VERSION@/$(backport_version)/g" \
        "$TOOL/release-README.in" >"$stage/$top/README"
    (cd "$stage/$top" && find . -type f ! -name 'SHA256SUMS*' | sed 's|^\./||' |
        LC_ALL=C sort | xargs sha256sum) >"$stage/$top/SHA256SUMS.new"
    mv "$stage/$top/SHA256SUMS.new" "$stage/$top/SHA256SUMS"
    (cd "$stage" && LC_ALL=C tar --sort=name --format=gnu --mtime="$RELEASE_DATE 00:00:00Z" \
        --owner=0 --group=0 --numeric-owner --mode='u+rwX,go+rX,go-w' -cf - "$top") |
        xz -9 -T1 -c >"$out/$tarball"
    (cd "$out" && sha256sum "$tarball") >"$out/SHA256SUMS"
    rm -rf "$stage"
    printf '%s\n' "$out/$tarball"
}

do_release() {
    local t
    t=$(make_release "$BUILD/release")
    step "release: $t ($(wc -c <"$t") bytes) and $BUILD/release/SHA256SUMS"
}

# test_release: made twice (from fresh copies, so with other file times),
# the two are identical byte for byte; SHA256SUMS verifies the tarball
# where it was made, before unpacking, and the tarball's own SHA256SUMS
# every file once unpacked; the tarball holds exactly the release's files,
# equal to this tree's (the sdist equal to ./build.sh sdist's, of the
# release's version), owned by 0/0, all at the CHANGES date; its README
# names only files it holds; every drop-in carries its license line; a
# clone of this tree with an uncommitted change is refused.
test_release() {
    local a=$BUILD/release-check/a b=$BUILD/release-check/b t top n names
    rm -rf "$BUILD/release-check"
    OPT_ALLOW_DIRTY=1   # this tree, as it is; the refusal is checked below
    make_release "$a" >/dev/null
    sleep 1   # other times for the staged copies
    make_release "$b" >/dev/null
    release_id
    top=$RELEASE_NAME-$RELEASE_VERSION
    cmp "$a/$top.tar.xz" "$b/$top.tar.xz" || die "two releases differ: not reproducible"
    cmp "$a/SHA256SUMS" "$b/SHA256SUMS" || die "two SHA256SUMS differ"
    echo "reproducible: $(sha256sum "$a/$top.tar.xz")"
    # where it was downloaded, before unpacking: exactly the tarball
    [ "$(ls "$a")" = "$(printf '%s\n' SHA256SUMS "$top.tar.xz" | LC_ALL=C sort)" ] ||
        die "build/release holds more than the tarball and SHA256SUMS"
    [ "$(wc -l <"$a/SHA256SUMS")" = 1 ] || die "SHA256SUMS should hold the tarball alone"
    (cd "$a" && sha256sum --strict -c SHA256SUMS)
    (cd "$a" && tar -xJf "$top.tar.xz" && cd "$top" && sha256sum --strict --quiet -c SHA256SUMS)
    n=$(find "$a/$top" -type f ! -name SHA256SUMS | wc -l)
    [ "$(wc -l <"$a/$top/SHA256SUMS")" = "$n" ] || die "the inner SHA256SUMS does not cover every file"
    for f in $(series); do grep -q " patches/$f\$" "$a/$top/SHA256SUMS" ||
        die "SHA256SUMS does not cover patches/$f"; done
    # Exactly the release's files, equal to the tree's (and the sdist's).
    diff <({ release_files; release_made; } | LC_ALL=C sort) \
        <(cd "$a/$top" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) ||
        die "the tarball does not hold exactly the release's files"
    for t in $(release_files); do cmp "$TOP/$t" "$a/$top/$t"; done
    cmp "$(sdist_path)" "$a/$top/backports.ssl_memorybio-$(backport_version).tar.gz"
    [ "$(backport_version)" = "$RELEASE_VERSION" ] ||
        die "the backport's version $(backport_version) is not the release's $RELEASE_VERSION"
    tar -xzOf "$a/$top/backports.ssl_memorybio-$RELEASE_VERSION.tar.gz" \
        "backports.ssl_memorybio-$RELEASE_VERSION/PKG-INFO" | grep -qx "Version: $RELEASE_VERSION" ||
        die "the sdist's PKG-INFO does not say Version: $RELEASE_VERSION"
    # The README is the tarball's own: each file or folder it names is there.
    names=$(grep -oE '(patches|dist|clients)/[A-Za-z0-9_.*/-]*|backports\.ssl_memorybio-[0-9.]+\.tar\.gz|\b(LICENSE|CHANGES|VERSION|SHA256SUMS)\b' \
        "$a/$top/README" | sort -u)
    for t in $names; do
        t=${t%/}
        compgen -G "$a/$top/$t" >/dev/null || die "the release's README names $t, which it does not hold"
    done
    ! grep -nE 'build\.sh|tool/|tests/|build/' "$a/$top/README" | grep -v 'build\.sh, its tool/ and tests/' ||
        die "the release's README points to what the tarball does not hold"
    echo "README names $(echo "$names" | wc -l) files and folders, all in the tarball"
    # Licenses: LICENSE covers backport/; every generated drop-in says its license.
    grep -q 'backport/' "$a/$top/LICENSE" || die "LICENSE does not cover backport/"
    for t in $(python3 "$TOOL/dropins.py" files); do
        grep -q 'License' "$a/$top/$t" || die "$t carries no license line"
    done
    # Owners and times fixed.
    t=$(tar --numeric-owner --full-time -tvJf "$a/$top.tar.xz" |
        awk -v d="$RELEASE_DATE" '$2 != "0/0" || $4 != d { print }')
    [ -z "$t" ] || die "entries with another owner or date: $t"
    echo "verified: the tarball's checksum, $n files by the inner SHA256SUMS, $(tar -tJf "$a/$top.tar.xz" | grep -vc '/$') files"
    release_refuses_dirty
    rm -rf "$BUILD/release-check"
}

# release_refuses_dirty: in a clone of this tree's HEAD (where git works),
# an uncommitted change to a packed file, and an untracked file in dist/,
# each make './build.sh release' refuse, naming the file, before any work.
release_refuses_dirty() {
    local c=$BUILD/release-check/clone out
    git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 ||
        { echo "not a git checkout: the refusal is not checked here"; return 0; }
    rm -rf "$c"; git clone -q --no-local "$TOP" "$c"
    echo "# a change" >>"$c/CHANGES"
    out=$(cd "$c" && BUILD_DIR="$c/build" ./build.sh release 2>&1) &&
        die "a release from a changed CHANGES was made: $out"
    grep -q 'uncommitted changes.*--allow-dirty' <<<"$out" && grep -q ' M CHANGES' <<<"$out" ||
        die "no clear refusal for a changed CHANGES: $out"
    git -C "$c" checkout -q CHANGES
    touch "$c/dist/stray"
    out=$(cd "$c" && BUILD_DIR="$c/build" ./build.sh release 2>&1) &&
        die "a release with an untracked dist/stray was made: $out"
    grep -q '?? dist/stray' <<<"$out" || die "no clear refusal for dist/stray: $out"
    [ ! -e "$c/build/release" ] || die "the refused release left build/release"
    echo "refused, as it should be: $(head -n 1 <<<"$out")"
}
