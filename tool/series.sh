# series.sh: the patch series: apply it, edit and export it, and its
# hygiene checks.  What the series file says (order, parts) is tool/series.py's.

# series [--part NAME...]: the patches, in series order.
series() {
    python3 "$TOOL/series.py" --series "$PATCHES/series" list "$@" ||
        die "$PATCHES/series cannot be read (see above)"
}
series_count() { series | wc -l; }
series_parts() { python3 "$TOOL/series.py" --series "$PATCHES/series" parts; }

# patches_stamp PATCH...: names pristine + these patches (their contents),
# so that a check can tell whether a leg's source already holds them.
patches_stamp() {
    local p
    { cat "$BUILD/pristine/.origin"
      for p in "$@"; do sha256_of "$PATCHES/$p"; done
    } | sha256sum | cut -c1-16
}
# series_first N: the first N patches.  awk reads the whole list: 'head -n 0'
# would close the pipe before series.py writes, and fail it (pipefail).
series_first() { series | awk -v n="$1" 'NR <= n'; }
# shellcheck disable=SC2046  # patch names have no blanks
series_stamp() { patches_stamp $(series_first "$1"); }

# apply_patch_list DIR STRIP FUZZ PATCH...: apply these patches (paths, or
# names in patches/) to DIR in order, by patch -pSTRIP --fuzz=FUZZ (2, quilt's,
# for a distributor's own stack; 0 for ours), stopping at (and naming, with
# its log, which also says a missing file) one that does not apply.
apply_patch_list() {
    local dir=$1 strip=$2 fuzz=$3 p log; shift 3
    for p in "$@"; do
        [[ $p = /* ]] || p=$PATCHES/$p
        log=$BUILD/logs/apply-$(basename "$p").log
        patch -d "$dir" -p"$strip" --fuzz="$fuzz" --batch --no-backup-if-mismatch --quiet \
            >"$log" 2>&1 <"$p" ||
            die "$p does not apply to $dir (-p$strip, fuzz $fuzz): $(tail -n 3 "$log") (log: $log)"
    done
}

# apply_series DIR [N]: apply the first N patches (all by default).
apply_series() {
    # shellcheck disable=SC2046  # patch names have no blanks
    apply_patch_list "$1" 1 0 $(series_first "${2:-$(series_count)}")
}

# pristine_copy DEST: DEST becomes a fresh copy of the pristine source
# (without its .origin marker), the tree every application starts from.
pristine_copy() {
    [ -d "$BUILD/pristine" ] || die "no pristine source yet: run ./build.sh source"
    rm -rf "$1"; mkdir -p "$(dirname "$1")"
    cp -a "$BUILD/pristine" "$1"; rm -f "$1/.origin"
}

# use_stage LEG STAMP: $BUILD/LEG/src becomes $BUILD/stage, rewriting only
# the files that change (tool/sync_tree.py), so that make rebuilds only
# what they feed.  $BUILD/LEG/src.stamp says what it holds.
use_stage() {
    rm -f "$BUILD/$1/src.stamp"
    python3 "$TOOL/sync_tree.py" "$BUILD/stage" "$BUILD/$1/src"
    rm -rf "$BUILD/stage"
    printf '%s\n' "$2" >"$BUILD/$1/src.stamp"
}

# do_apply LEG [N]: $BUILD/LEG/src becomes pristine + the first N patches.
do_apply() {
    local leg=$1 n=${2:-} total
    total=$(series_count)
    pristine_copy "$BUILD/stage"
    apply_series "$BUILD/stage" "$n"
    use_stage "$leg" "$(series_stamp "${n:-$total}")"
    step "apply: ${n:-$total} of $total patches -> $BUILD/$leg/src"
}

# do_apply_parts LEG PART...: $BUILD/LEG/src becomes pristine + those parts
# of the series (in series order), as a packager would take them.
do_apply_parts() {
    local leg=$1 patches; shift
    patches=$(series "${@/#/--part=}")
    pristine_copy "$BUILD/stage"
    # shellcheck disable=SC2086
    apply_patch_list "$BUILD/stage" 1 0 $patches
    # shellcheck disable=SC2086
    use_stage "$leg" "$(patches_stamp $patches)"
    step "apply: parts $* ($(wc -w <<<"$patches") patches) -> $BUILD/$leg/src"
}

# --- the patch-queue workflow ---------------------------------------------------

# git with no user or system configuration, so results do not depend on it.
qgit() {
    GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
    GIT_AUTHOR_NAME=$TOOL_IDENT_NAME GIT_AUTHOR_EMAIL=$TOOL_IDENT_EMAIL \
    GIT_COMMITTER_NAME=$TOOL_IDENT_NAME GIT_COMMITTER_EMAIL=$TOOL_IDENT_EMAIL \
        git "$@"
}

# make_work_tree DIR [PATCH...]: pristine commit (tagged v2.7.18), then git
# am of the series (or of those patches).  Subjects keep their '[2.7]' (--keep-non-patch); the first commit of
# each part ends with a line 'Series-part: NAME', which export turns back
# into the series' '# part:' line (tool/series.py).
make_work_tree() {
    local work=$1 p patches starts part date
    shift
    if [ $# -gt 0 ]; then patches=$*; else patches=$(series); fi
    starts=$(python3 "$TOOL/series.py" --series "$PATCHES/series" starts)
    pristine_copy "$work.new"
    qgit -C "$work.new" init -q -b main
    # A build or test run from the work tree leaves .pyc files in Lib/
    printf '*.pyc\n' >>"$work.new/.git/info/exclude"
    qgit -C "$work.new" add -A
    GIT_AUTHOR_DATE=$PRISTINE_DATE GIT_COMMITTER_DATE=$PRISTINE_DATE \
        qgit -C "$work.new" commit -q -m "Python $PY_VERSION (pristine)"
    qgit -C "$work.new" tag "v$PY_VERSION"
    for p in $patches; do
        qgit -C "$work.new" am -q --keep-non-patch --committer-date-is-author-date \
            "$PATCHES/$p" >"$BUILD/logs/am-$p.log" 2>&1 ||
            { rm -rf "$work.new"; die "git am of $p failed: $(head -n 5 "$BUILD/logs/am-$p.log")"; }
        part=$(awk -v p="$p" '$1 == p { print $2 }' <<<"$starts")
        [ -n "$part" ] || continue
        date=$(qgit -C "$work.new" log -1 --format=%aI)
        { qgit -C "$work.new" log -1 --format=%B | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
          printf 'Series-part: %s\n' "$part"
          python3 "$TOOL/series.py" --series "$PATCHES/series" notes --part "$part" |
              sed 's/^/Series-note: /'; } |
            GIT_COMMITTER_DATE=$date qgit -C "$work.new" commit -q --amend -F -
    done
    rm -rf "$work"; mv "$work.new" "$work"
}

do_edit() {
    local work=$BUILD/work
    [ -e "$work" ] && die "$work exists already: export it (./build.sh export) or remove it first"
    do_source
    mkdir -p "$BUILD/logs"
    make_work_tree "$work"
    step "edit: $work: v$PY_VERSION plus $(series_count) commits; edit with git, then ./build.sh export"
}

# export_series WORK OUT: OUT gets patches/ and the whole added files, as
# exported from WORK's commits since v2.7.18.  Byte-stable: no tool version
# signature, zero commit ids, fixed git settings.
export_series() {
    local work=$1 out=$2
    local dirty; dirty=$(qgit -C "$work" status --porcelain)
    [ -z "$dirty" ] || die "$work has uncommitted changes; commit them first:
$dirty"
    rm -rf "$out"; mkdir -p "$out/patches"
    qgit -C "$work" -c core.abbrev=12 -c diff.renames=false -c diff.algorithm=myers \
        format-patch -q --no-signature --zero-commit --no-numbered --no-renames \
        -o "$out/patches" "v$PY_VERSION..HEAD"
    python3 "$TOOL/series.py" write "$out/patches"
    # SHA-256 of the pristine files the series changes: how a --source tree
    # is told to be pristine where it matters.
    qgit -C "$work" diff --no-renames --name-only --diff-filter=MD "v$PY_VERSION" HEAD |
        LC_ALL=C sort | while read -r f; do
            printf '%s  %s\n' "$(qgit -C "$work" show "v$PY_VERSION:$f" | sha256sum | cut -d' ' -f1)" "$f"
        done >"$out/patches/base.sha256"
    # The files the series adds whole, at their CPython paths.
    qgit -C "$work" diff --no-renames --name-only --diff-filter=A "v$PY_VERSION" HEAD |
        while read -r f; do
            mkdir -p "$out/added/$(dirname "$f")"
            qgit -C "$work" show "HEAD:$f" >"$out/added/$f"
        done
}

# The files of this repository that the series adds whole.
added_files_in_repo() {
    git -C "$TOP" ls-files --cached --others --exclude-standard -- \
        Lib Modules Doc Misc Include Tools 2>/dev/null
}

do_export() {
    local work=$BUILD/work out=$BUILD/export
    [ -d "$work/.git" ] || die "no work tree at $work: run ./build.sh edit first"
    export_series "$work" "$out"
    # Replace what export writes; keep anything else (the cover letter).
    mkdir -p "$PATCHES"
    rm -f "$PATCHES"/*.patch "$PATCHES/series" "$PATCHES/base.sha256"
    mv "$out/patches"/* "$PATCHES"/
    local f
    for f in $(added_files_in_repo); do rm -f "$TOP/$f"; done
    if [ -d "$out/added" ]; then (cd "$out/added" && tar -cf - .) | (cd "$TOP" && tar -xf -); fi
    rm -rf "$out"
    step "export: $(series_count) patches in $PATCHES"
}

# quilt, from Debian's package, unpacked below the build folder.
quilt_cmd() {
    local root=$BUILD/tools/quilt
    if [ ! -x "$root/usr/bin/quilt" ]; then
        deb_unpack "$DEBIAN_OLD" "$root" "$BUILD/logs/quilt.log" quilt
    fi
    QUILT_DIR=$root/usr/share/quilt "$root/usr/bin/quilt" --quiltrc /dev/null "$@"
}

# --- hygiene: the checks of the series itself (rows of tool/checks.sh) -----------

hygiene_series_matches_files() {
    python3 "$TOOL/series.py" --series "$PATCHES/series" check
}

hygiene_subjects_and_bodies() {
    local p paths=()
    for p in $(series); do paths+=("$PATCHES/$p"); done
    python3 "$TOOL/hygiene.py" "${paths[@]}"
}

# The series gives the same tree through patch -p1 --fuzz=0, git am, quilt,
# and a single 'cat *.patch | patch -p1' (what pyenv install --patch does).
hygiene_apply_methods() {
    local d=$BUILD/hygiene patches
    patches=$(series)
    rm -rf "$d"
    pristine_copy "$d/patch"
    apply_series "$d/patch"
    pristine_copy "$d/cat"
    (cd "$PATCHES" && cat $patches) | patch -d "$d/cat" -p1 --batch --fuzz=0 \
        --no-backup-if-mismatch --quiet
    pristine_copy "$d/quilt"
    if [ -n "$patches" ]; then
        (cd "$d/quilt" && QUILT_PATCHES=$PATCHES QUILT_PC=$d/quilt.pc \
            quilt_cmd push -a --fuzz=0 -q)
    fi
    make_work_tree "$d/am"
    rm -rf "$d/am/.git"
    diff -r "$d/patch" "$d/am" && diff -r "$d/patch" "$d/cat" && diff -r "$d/patch" "$d/quilt"
    rm -rf "$d"
}

hygiene_added_files() {
    local d=$BUILD/hygiene-added
    rm -rf "$d"
    make_work_tree "$d/work"
    export_series "$d/work" "$d/out"
    local in_repo in_series
    in_repo=$(added_files_in_repo | LC_ALL=C sort)
    in_series=$( (cd "$d/out/added" 2>/dev/null && find . -type f | sed 's|^\./||') | LC_ALL=C sort)
    [ "$in_repo" = "$in_series" ] ||
        { echo "repo vs series:"; diff <(echo "$in_repo") <(echo "$in_series"); return 1; }
    local f
    for f in $in_series; do cmp "$TOP/$f" "$d/out/added/$f" || return 1; done
    rm -rf "$d"
}

hygiene_export_is_stable() {
    local d=$BUILD/hygiene-export
    rm -rf "$d"
    make_work_tree "$d/work"
    export_series "$d/work" "$d/out"
    local f
    for f in $(cd "$d/out/patches" && ls); do cmp "$d/out/patches/$f" "$PATCHES/$f"; done
    [ "$(cd "$d/out/patches" && ls *.patch 2>/dev/null)" = "$(cd "$PATCHES" && ls *.patch 2>/dev/null)" ]
    rm -rf "$d"
}
