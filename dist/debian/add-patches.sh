#!/bin/sh
# add-patches.sh LIST PATCHES DEBIAN: add PEP 546 patches to a Debian
# python2.7 source package.
#
#   LIST     a drop-in list of this folder (one patch name a line), e.g.
#            bullseye/series.in.add or 2.7.18-13/series.add
#   PATCHES  the series' patches/ folder (from the release tarball)
#   DEBIAN   the package's debian/ folder
#
# Copies each patch LIST names into DEBIAN/patches and appends its name, in
# order, to DEBIAN/patches/series.in (source format 1.0, as bullseye's:
# debian/rules runs cpp over it to make the series) and to
# DEBIAN/patches/series where that exists (format 3.0 (quilt), as 2.7.18-13:
# dpkg-source applies it).  Refuses, changing nothing, a patch that is
# missing or already listed.  POSIX sh, as debian/rules runs it.
#
# Part of PEP 546 for CPython 2.7.18; MIT License (see LICENSE).
set -eu

die() { printf 'add-patches.sh: %s\n' "$*" >&2; exit 1; }

[ $# -eq 3 ] || die "usage: add-patches.sh LIST PATCHES-DIR DEBIAN-DIR"
list=$1 src=$2 deb=$3
[ -f "$list" ] || die "no list $list"
[ -d "$src" ] || die "no patches folder $src"
[ -d "$deb/patches" ] || die "no $deb/patches: give the package's debian/ folder"

targets=""
for t in series.in series; do
    [ -f "$deb/patches/$t" ] && targets="$targets $t"
done
[ -n "$targets" ] || die "$deb/patches has neither series.in nor series"

# Check everything before changing anything.
names=$(grep -v '^[[:space:]]*\(#.*\)\{0,1\}$' "$list" | awk '{ print $1 }')
[ -n "$names" ] || die "$list names no patch"
for p in $names; do
    [ -f "$src/$p" ] || die "$src/$p is missing"
    for t in $targets; do
        if grep -q "^$p\$" "$deb/patches/$t"; then
            die "$p is listed in $deb/patches/$t already"
        fi
    done
done

for t in $targets; do
    # A last line without its newline would join our first name.
    if [ -s "$deb/patches/$t" ] && [ -n "$(tail -c 1 "$deb/patches/$t")" ]; then
        printf '\n' >>"$deb/patches/$t"
    fi
done
for p in $names; do
    cp "$src/$p" "$deb/patches/$p"
    for t in $targets; do printf '%s\n' "$p" >>"$deb/patches/$t"; done
done
echo "add-patches.sh: $(echo "$names" | wc -l) patches added to$targets in $deb/patches"
