#!/usr/bin/env python3
"""sync_tree.py FROM TO: make the tree TO equal to FROM.

Only the files that differ are rewritten (and get a new mtime), so that make
rebuilds just what they feed; files TO has and FROM has not are removed.
"""
import filecmp
import os
import shutil
import sys


def sync_tree(src, dst):
    fresh = not os.path.isdir(dst)
    seen = set()
    for root, dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for name in files:
            s, d = os.path.join(root, name), os.path.join(dst, rel, name)
            seen.add(os.path.normpath(os.path.join(rel, name)))
            if fresh or not os.path.exists(d):
                shutil.copy2(s, d)
            elif not filecmp.cmp(s, d, shallow=False):
                shutil.copyfile(s, d)
                shutil.copymode(s, d)
    for root, dirs, files in os.walk(dst):
        for name in files:
            rel = os.path.normpath(os.path.relpath(os.path.join(root, name), dst))
            if rel not in seen:
                os.unlink(os.path.join(root, name))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n")[0])
    sync_tree(*sys.argv[1:])
