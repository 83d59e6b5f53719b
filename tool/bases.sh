# bases.sh: distribution bases.  A distributor's own patch stack (a folder
# with quilt's 'series' and the patches it names) is applied to pristine
# 2.7.18 the way such stacks apply their own (patch -p1, quilt's default
# fuzz), configure is regenerated when the stack changed configure.ac, then
# the parts of our series that apply go on top, at fuzz 0.
# './build.sh --base DIR' and the Debian legs of './build.sh test' use it.

# Where the shared copies of stacks that no registry here serves live
# (Debian 2.7.18-13, the base of Ubuntu 22.04's python2.7).
SHARED_BASES=$TOP/../shared/bases
# The autoconf a generic base is regenerated with: Debian bookworm's 2.71,
# which Debian used for 2.7.18-13 (February 2022).  The bullseye leg uses
# bullseye's 2.69, as that release's package did.
BASE_AUTOCONF_SUITE=bookworm

# autoconf_private SUITE: Debian SUITE's m4 and autoconf, unpacked (never
# installed) into $BUILD/tools/autoconf-SUITE; prints that folder.
autoconf_private() {
    local suite=$1 t=$BUILD/tools/autoconf-$1 deps multiarch
    if [ ! -x "$t/bin/m4" ]; then
        need_tools perl cpp
        # bullseye's m4 needs libsigsegv2 (bookworm's nothing but libc)
        deps=$(apt_private "$suite" apt-cache show --no-all-versions m4 |
            sed -n 's/^Depends: //p' | tr ',' '\n' | awk '$1 != "libc6" { print $1 }')
        # shellcheck disable=SC2086  # package names
        deb_unpack "$suite" "$t" "$BUILD/logs/autoconf-$suite.log" m4 autoconf $deps
        # No variable moves autom4te.cfg's --prepend-include: point it here.
        sed -i "s|'/usr/share/autoconf'|'$t/usr/share/autoconf'|g" \
            "$t/usr/share/autoconf/autom4te.cfg"
        multiarch=$(gcc -print-multiarch)
        exec_wrapper "$t/bin/m4" env LD_LIBRARY_PATH="$t/usr/lib/$multiarch" "$t/usr/bin/m4"
    fi
    printf '%s\n' "$t"
}

# run_autoconf SUITE DIR: regenerate DIR/configure as debian/rules does.
run_autoconf() {
    local t; t=$(autoconf_private "$1")
    rm -rf "$2/autom4te.cache" "$2/configure"
    (cd "$2" && env M4="$t/bin/m4" AUTOM4TE="$t/usr/bin/autom4te" \
        autom4te_perllibdir="$t/usr/share/autoconf" AC_MACRODIR="$t/usr/share/autoconf" \
        AUTOM4TE_CFG="$t/usr/share/autoconf/autom4te.cfg" \
        trailer_m4="$t/usr/share/autoconf/autoconf/trailer.m4" HOME=/nonexistent \
        "$t/usr/bin/autoconf") >"$BUILD/logs/autoconf.log" 2>&1 ||
        die "autoconf failed; see $BUILD/logs/autoconf.log"
    rm -rf "$2/autom4te.cache"
}

# debian_bullseye_source: prints $BUILD/bases/debian-bullseye-src, made
# first: Debian bullseye's python2.7 source package (deb_source, the one
# fetch_tarball reads) unpacked as dpkg-source would (a 1.0 package:
# debian/ comes in the .diff.gz).
debian_bullseye_source() {
    local d=$BUILD/bases/debian-$DEBIAN_OLD-src src
    if [ ! -f "$d/debian/patches/series.in" ]; then
        src=$(deb_source "$DEBIAN_OLD" python2.7)
        rm -rf "$d"; mkdir -p "$d"
        zcat "$src"/python2.7_*.diff.gz | patch -d "$d" -p1 --batch --quiet ||
            die "cannot unpack debian/ from $(ls "$src"/*.diff.gz)"
    fi
    printf '%s\n' "$d"
}

# debian_bullseye_base: prints a folder holding Debian bullseye's stack as
# its debian/rules selects it for this machine (cpp over series.in): its
# series and patches.
debian_bullseye_base() { series_in_base "$(debian_bullseye_source)/debian/patches"; }

# series_in_base DIR: DIR itself if it has a series; else, for a
# debian/patches folder with only series.in (source format 1.0, as
# bullseye's), a folder below $BUILD/bases with the series that cpp makes
# of it as debian/rules does (tool/dist.sh) and the patches it names.
series_in_base() {
    local dir=$1 d p
    if [ -f "$dir/series" ]; then printf '%s\n' "$dir"; return; fi
    [ -f "$dir/series.in" ] || die "$dir has neither a series nor a series.in"
    d=$BUILD/bases/series-in-$(printf '%s' "$dir" | sha256sum | cut -c1-12)
    rm -rf "$d"; mkdir -p "$d"
    cp "$dir/series.in" "$d/"
    debian_cpp_series "$d" >&2
    for p in $(cat "$d/series"); do
        [ -f "$dir/$p" ] || die "$dir/series.in names $p, which is not there"
        cp "$dir/$p" "$d/"
    done
    printf '%s\n' "$d"
}

# apply_base DIR SUITE: the stack of DIR onto $BUILD/stage (pristine), then
# configure regenerated with SUITE's autoconf if configure.ac changed.
apply_base() {
    local dir=$1 suite=$2
    [ -f "$dir/series" ] || die "$dir has no series file"
    # shellcheck disable=SC2046  # patch names have no blanks
    apply_patch_list "$BUILD/stage" 1 2 \
        $(python3 "$TOOL/series.py" --series "$dir/series" list | sed "s|^|$dir/|")
    cmp -s "$BUILD/pristine/configure.ac" "$BUILD/stage/configure.ac" ||
        run_autoconf "$suite" "$BUILD/stage"
    step "base: $(python3 "$TOOL/series.py" --series "$dir/series" count) patches of $dir"
}

# apply_parts_on_base PART...: our parts onto the base in $BUILD/stage, at
# fuzz 0; each that does not apply whole is said and left out.  Prints the
# parts applied.
apply_parts_on_base() {
    local part applied=()
    for part in "$@"; do
        rm -rf "$BUILD/stage.try"; cp -a "$BUILD/stage" "$BUILD/stage.try"
        # shellcheck disable=SC2046
        if (apply_patch_list "$BUILD/stage.try" 1 0 $(series --part "$part")) >&2; then
            rm -rf "$BUILD/stage"; mv "$BUILD/stage.try" "$BUILD/stage"
            applied+=("$part")
            step "base: part $part applies" >&2
        else
            step "base: part $part does not apply on this base; left out" >&2
        fi
    done
    rm -rf "$BUILD/stage.try"
    printf '%s\n' "${applied[*]}"
}

# base_leg LEG DIR SUITE PART...: build LEG from pristine + the base DIR +
# those of our parts that apply; prints the parts applied.
base_leg() {
    local leg=$1 dir=$2 suite=$3 applied; shift 3
    pristine_copy "$BUILD/stage"
    apply_base "$dir" "$suite" >&2
    applied=$(apply_parts_on_base "$@")
    use_stage "$leg" "base:$dir:$applied"
    do_build "$leg" >&2
    printf '%s\n' "$applied"
}

# base_main_job: './build.sh --base DIR': every part that applies on DIR's
# stack, built against the chosen OpenSSL, then test_ssl.
base_main_job() {
    local leg applied
    local dir
    do_source; do_openssl
    leg=base-$(basename "$(dirname "$OPT_BASE")")-$(basename "$OPT_BASE")-$OPENSSL_LEG
    dir=$(series_in_base "$OPT_BASE")
    # shellcheck disable=SC2046
    applied=$(base_leg "$leg" "$dir" "$BASE_AUTOCONF_SUITE" $(series_parts))
    [ -n "$applied" ] || die "none of the series' parts applies on $OPT_BASE"
    "$(obj_dir "$leg")/python" -E -c 'import ssl; print(ssl.OPENSSL_VERSION)'
    do_regrtest "$leg"
    step "base: parts applied: $applied; the interpreter: $(obj_dir "$leg")/python"
}
