# source.sh: the pristine CPython 2.7.18 source, checked, in $BUILD/pristine.
# (Distribution bases, applied before the series, belong here too.)

check_tarball() {
    local sum
    sum=$(sha256_of "$1")
    [ "$sum" = "$PY_TARBALL_SHA256" ] ||
        die "$1: SHA-256 is $sum, not $PY_TARBALL_SHA256 (Python-$PY_VERSION.tgz); refusing it"
}

# check_tree DIR: refuse a tree that is not a clean 2.7.18, saying why.
check_tree() {
    local dir=$1
    [ -f "$dir/Include/patchlevel.h" ] ||
        die "$dir is not a CPython source tree (no Include/patchlevel.h)"
    grep -q "^#define PY_VERSION[[:space:]]*\"$PY_VERSION\"" "$dir/Include/patchlevel.h" ||
        die "$dir is not CPython $PY_VERSION: $(grep '^#define PY_VERSION' "$dir/Include/patchlevel.h")"
    if [ -e "$dir/.git" ]; then
        local dirty
        # --no-optional-locks: not even git's index refresh writes to it.
        dirty=$(git -C "$dir" --no-optional-locks status --porcelain 2>&1) ||
            die "$dir: git status failed: $dirty"
        [ -z "$dirty" ] || die "$dir has uncommitted changes (git status):
$(printf '%s\n' "$dirty" | head -n 10)"
    fi
    local bad
    [ -s "$PATCHES/base.sha256" ] || return 0
    bad=$(cd "$dir" && sha256sum --quiet -c "$PATCHES/base.sha256" 2>&1) ||
        die "$dir differs from pristine $PY_VERSION in files the series touches:
$bad"
}

# unpack_tarball TGZ DEST
unpack_tarball() {
    local tmp=$BUILD/pristine.new
    rm -rf "$tmp"; mkdir -p "$tmp"
    tar -xzf "$1" -C "$tmp" --strip-components=1
    check_tree "$tmp"
    rm -rf "$2"; mv "$tmp" "$2"
}

# fetch_tarball: prints the path of the checked Python-2.7.18.tgz in the
# cache, getting it first from Debian's python2.7 source package (whose
# orig tarball is python.org's, byte for byte), else from python.org.
fetch_tarball() {
    local cache=$BUILD/cache/Python-$PY_VERSION.tgz src
    [ -f "$cache" ] && { check_tarball "$cache"; printf '%s\n' "$cache"; return; }
    mkdir -p "$BUILD/cache"
    if command -v apt-get >/dev/null 2>&1 && (debian_mirror) >/dev/null 2>&1 &&
            src=$(deb_source "$DEBIAN_OLD" python2.7 2>/dev/null) &&
            [ -f "$src/python2.7_$PY_VERSION.orig.tar.gz" ]; then
        check_tarball "$src/python2.7_$PY_VERSION.orig.tar.gz"
        ln -f "$src/python2.7_$PY_VERSION.orig.tar.gz" "$cache"; printf '%s\n' "$cache"; return
    fi
    if command -v curl >/dev/null 2>&1 &&
            curl -fsSL -o "$cache.part" "$PY_TARBALL_URL" 2>/dev/null; then
        check_tarball "$cache.part"
        mv "$cache.part" "$cache"; printf '%s\n' "$cache"; return
    fi
    rm -f "$cache.part"
    die "could not get Python-$PY_VERSION.tgz (Debian $DEBIAN_OLD source package or python.org); pass --source PATH"
}

# do_source: fills $BUILD/pristine with the chosen pristine tree
# (OPT_SOURCE, an absolute path checked to exist, or the cache).
do_source() {
    local pristine=$BUILD/pristine origin
    if [ -n "$OPT_SOURCE" ]; then
        local src=$OPT_SOURCE
        origin="$src"
        if [ -f "$pristine/.origin" ] && [ "$(cat "$pristine/.origin")" = "$origin" ] &&
                [ ! -d "$src" ]; then
            step "source: $origin (unpacked already)"; return
        fi
        if [ -d "$src" ]; then
            check_tree "$src"
            rm -rf "$BUILD/pristine.new"; mkdir -p "$BUILD/pristine.new"
            if [ -e "$src/.git" ]; then
                git -C "$src" archive --format=tar HEAD | tar -xf - -C "$BUILD/pristine.new"
            else
                (cd "$src" && tar -cf - --exclude=./.git .) | tar -xf - -C "$BUILD/pristine.new"
            fi
            rm -rf "$pristine"; mv "$BUILD/pristine.new" "$pristine"
        else
            check_tarball "$src"
            unpack_tarball "$src" "$pristine"
        fi
    else
        [ -f "$pristine/.origin" ] && [ "$(cat "$pristine/.origin")" = cache ] &&
            { step "source: pristine $PY_VERSION (cached)"; return; }
        origin=cache
        unpack_tarball "$(fetch_tarball)" "$pristine"
    fi
    printf '%s\n' "$origin" >"$pristine/.origin"
    step "source: pristine $PY_VERSION from $origin"
}

# source_option: make OPT_SOURCE absolute; refuse one that does not exist
# (before any work: build.sh checks every argument first).
source_option() {
    [ -n "$OPT_SOURCE" ] || return 0
    [ -e "$OPT_SOURCE" ] || die "--source $OPT_SOURCE: no such file or folder"
    OPT_SOURCE=$(cd "$(dirname "$OPT_SOURCE")" && pwd)/$(basename "$OPT_SOURCE")
}
