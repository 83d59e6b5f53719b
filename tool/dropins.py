#!/usr/bin/env python3
"""dropins.py: the file lists of the distribution drop-ins in dist/.

Every list of patch names in dist/ is generated from patches/series here,
so that the drop-ins cannot drift from the series: './build.sh dist'
rewrites them, and the check 'hygiene-dropins-match-series' fails while
any of them differs from what this script would write.  The checks that
apply a drop-in read the drop-in file itself ('list'), the way that
distribution's tooling reads it.

Which parts each drop-in takes:
  Debian bullseye, Yocto (meta-python2)   all of them
  Debian 2.7.18-13 / Ubuntu 22.04, Fedora every part but openssl3 and
                                          openssl4 (their stacks carry their
                                          own OpenSSL 3 patches; openssl4
                                          needs openssl3)
  Debian 2.7.18-13's optional _hashlib    the openssl3 patches that touch
                                          only _hashlib (its C file, its
                                          test, hashlib.py, setup.py, NEWS)

Usage: dropins.py [--top DIR] write        rewrite the generated files
       dropins.py [--top DIR] check        exit 1, naming them, if any is stale
       dropins.py [--top DIR] files        the generated files, one a line
       dropins.py list FILE                the patches FILE applies, in order
                                           ('NAME -pN' a line for a spec)
       dropins.py hashlib                  the _hashlib patches, in order
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import series as series_mod  # noqa: E402

OPENSSL3 = "openssl3"
# Parts left out where a stack brings its own OpenSSL 3 patches: openssl3,
# and openssl4, which is written on top of it.
OPENSSL_PARTS = (OPENSSL3, "openssl4")
# Fedora's own patches are numbered 00001-00417, 04000 and 05000: ours take
# 5461 on (PEP 546), free in every Fedora and RHEL python2 spec.
FEDORA_FIRST = 5461
HASHLIB_FILES = {"Modules/_hashopenssl.c", "Lib/hashlib.py", "Lib/test/test_hashlib.py",
                 "Doc/library/hashlib.rst", "setup.py"}
GENERATED_NOTE = "generated from patches/series by './build.sh dist'; do not edit"
# Every generated file carries it (a comment line, which each list's reader
# skips: add-patches.sh, quilt, rpm, bitbake).
LICENSE_LINE = "# Part of PEP 546 for CPython 2.7.18; MIT License (see LICENSE)."


def read_parts(top):
    with open(os.path.join(top, "patches", "series")) as f:
        return series_mod.parse(f.read())


def all_patches(parts):
    return [p for _, ps in parts for p in ps]


def without_openssl3(parts):
    return [p for name, ps in parts if name not in OPENSSL_PARTS for p in ps]


def touched(top, patch):
    files = []
    with open(os.path.join(top, "patches", patch), errors="replace") as f:
        for line in f:
            m = re.match(r"diff --git a/(\S+) b/", line)
            if m:
                files.append(m.group(1))
    return files


def hashlib_patches(top, parts):
    out = []
    for name, ps in parts:
        if name != OPENSSL3:
            continue
        for p in ps:
            files = set(touched(top, p))
            rest = {f for f in files if not f.startswith("Misc/NEWS.d/")} - HASHLIB_FILES
            if files & HASHLIB_FILES and not rest:
                out.append(p)
    return out


def lines(names):
    return "\n".join([LICENSE_LINE, "# " + GENERATED_NOTE + "."] + names) + "\n"


def fedora_spec(names):
    out = ["# PEP 546 for CPython 2.7.18: fixes and pep546 for Fedora's python2.7",
           "# (and RHEL's python2), whose 00361 carries its own OpenSSL 3 support.",
           "# " + GENERATED_NOTE + ".",
           LICENSE_LINE,
           "#",
           "# 1. Copy the patch files beside the spec, and these lines beside its",
           "#    other PatchNNNN lines:", ""]
    for i, n in enumerate(names):
        out.append("Patch%d: %s" % (FEDORA_FIRST + i, n))
    out += ["", "# 2. In %prep, after the last %patch line of the stack (05000 included):", ""]
    for i, _ in enumerate(names):
        out.append("%%patch -P %d -p1" % (FEDORA_FIRST + i))
    return "\n".join(out) + "\n"


def bbappend(recipe, names):
    out = ["# PEP 546 for CPython 2.7.18 for meta-python2's %s recipe: all four" % recipe,
           "# parts (fixes, openssl3, pep546, openssl4; kirkstone's OpenSSL is 3.0), in series order.",
           "# " + GENERATED_NOTE + ".",
           LICENSE_LINE,
           "# Copy the patch files into files/ beside this .bbappend.",
           "",
           'FILESEXTRAPATHS:prepend := "${THISDIR}/files:"',
           "",
           'SRC_URI += " \\']
    out += ["    file://%s \\" % n for n in names]
    out += ['"']
    return "\n".join(out) + "\n"


def generate(top):
    parts = read_parts(top)
    everything = all_patches(parts)
    taken = without_openssl3(parts)
    return {
        "dist/debian/bullseye/series.in.add": lines(everything),
        "dist/debian/2.7.18-13/series.add": lines(taken),
        "dist/debian/2.7.18-13-hashlib/series.add": lines(hashlib_patches(top, parts)),
        "dist/fedora/python2.7-pep546.spec.inc": fedora_spec(taken),
        "dist/yocto/python_2.7.18.bbappend": bbappend("python (target)", everything),
        "dist/yocto/python-native_2.7.18.bbappend": bbappend("python-native", everything),
    }


def list_file(path):
    """The patches a drop-in file applies, in the order its tooling would."""
    with open(path) as f:
        text = f.read()
    if path.endswith(".spec.inc"):
        numbers = dict(re.findall(r"^Patch(\d+):\s*(\S+)\s*$", text, re.M))
        order = []
        for num, strip in re.findall(r"^%patch\s+-P\s*(\d+)\s+(-p\d+)\s*$", text, re.M):
            if num not in numbers:
                raise SystemExit("%s: %%patch -P %s has no Patch%s line" % (path, num, num))
            order.append("%s %s" % (numbers[num], strip))
        return order
    if path.endswith(".bbappend"):
        return re.findall(r"file://([^\s\\\"]+\.(?:patch|diff))", text)
    return [ln.split()[0] for ln in text.splitlines()
            if ln.strip() and not ln.lstrip().startswith("#")]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("command", choices=["write", "check", "files", "list", "hashlib"])
    ap.add_argument("file", nargs="?")
    a = ap.parse_args(argv)
    if a.command == "list":
        if not a.file:
            ap.error("list needs a drop-in file")
        print("\n".join(list_file(a.file)))
        return 0
    try:
        if a.command == "hashlib":
            print("\n".join(hashlib_patches(a.top, read_parts(a.top))))
            return 0
        files = generate(a.top)
    except series_mod.SeriesError as e:
        print("patches/series: %s" % e, file=sys.stderr)
        return 1
    if a.command == "files":
        print("\n".join(sorted(files)))
        return 0
    stale = []
    for rel, content in sorted(files.items()):
        path = os.path.join(a.top, rel)
        try:
            with open(path) as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current == content:
            continue
        if a.command == "check":
            stale.append(rel)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path + ".new", "w") as f:
                f.write(content)
            os.replace(path + ".new", path)
            print("wrote %s" % rel)
    if stale:
        print("stale drop-ins (run ./build.sh dist): %s" % " ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
