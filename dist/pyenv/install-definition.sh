#!/bin/sh
# install-definition.sh PATCHES DEST: set up the pyenv definition
# 2.7.18-pep546 in the folder DEST:
#
#   DEST/2.7.18-pep546                                the definition
#   DEST/patches/2.7.18-pep546/Python-2.7.18/         pyenv's own 2.7.18
#       patches (as 0NNN-*.patch), then the series in patches/series order
#       (as pep546-NNN-*.patch), so python-build's name order is the order
#
# PATCHES is the series' patches/ folder.  pyenv's own patches are read from
# the python-build beside it (PYTHON_BUILD, else 'python-build' on PATH,
# else $(pyenv root)/plugins/python-build).  Then, by path:
#     python-build DEST/2.7.18-pep546 PREFIX
# or by name, with DEST one of python-build's definition folders:
#     PYTHON_BUILD_DEFINITIONS=DEST pyenv install 2.7.18-pep546
#
# Part of PEP 546 for CPython 2.7.18; MIT License (see LICENSE).  POSIX sh.
set -eu

die() { printf 'install-definition.sh: %s\n' "$*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: install-definition.sh PATCHES-DIR DEST"
src=$1 dest=$2 here=$(cd "$(dirname "$0")" && pwd)
[ -f "$src/series" ] || die "no $src/series: give the series' patches/ folder"

pb=${PYTHON_BUILD:-$(command -v python-build || true)}
if [ -z "$pb" ] && command -v pyenv >/dev/null 2>&1; then
    pb=$(pyenv root)/plugins/python-build/bin/python-build
fi
[ -n "$pb" ] && [ -f "$pb" ] || die "python-build not found: set PYTHON_BUILD"
own=$(cd "$(dirname "$pb")/.." && pwd)/share/python-build/patches/2.7.18/Python-2.7.18
[ -d "$own" ] || die "no pyenv patches for 2.7.18 at $own"

out=$dest/patches/2.7.18-pep546/Python-2.7.18
[ ! -e "$dest/2.7.18-pep546" ] || die "$dest/2.7.18-pep546 exists already"
mkdir -p "$out"
cp "$here/2.7.18-pep546" "$dest/2.7.18-pep546"
for f in "$own"/*.patch; do cp "$f" "$out/"; done
n=0
for p in $(grep -v '^[[:space:]]*\(#.*\)\{0,1\}$' "$src/series" | awk '{ print $1 }'); do
    n=$((n + 1))
    cp "$src/$p" "$out/$(printf 'pep546-%03d' "$n")-$p"
done
echo "install-definition.sh: $dest/2.7.18-pep546 with $(ls "$own" | wc -l) pyenv patches and $n of the series"
