#!/usr/bin/env python3
"""count_unittest.py LOG: the counts of a 'python -m unittest -v' log.

Prints 'PASSED FAILED SKIPPED', then the FAIL:/ERROR: lines; exits 3 when
the log has no 'Ran N tests' line (the tests did not run).
"""
import re
import sys

RAN = re.compile(r"^Ran (\d+) tests? ")
BAD = re.compile(r"^(FAIL|ERROR): ")
SKIPPED = re.compile(r" \.\.\. skipped")


def count(text):
    """(ran or None, [FAIL/ERROR lines], skipped) of a unittest -v log."""
    ran = None
    bad = []
    skipped = 0
    for line in text.splitlines():
        m = RAN.match(line)
        if m:
            ran = int(m.group(1))       # the last one counts
        if BAD.match(line):
            bad.append(line)
        if SKIPPED.search(line):
            skipped += 1
    return ran, bad, skipped


def main(path):
    with open(path, errors="replace") as f:
        ran, bad, skipped = count(f.read())
    if ran is None:
        return 3
    print(ran - len(bad) - skipped, len(bad), skipped)
    for line in bad:
        print(line)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n")[0])
    sys.exit(main(sys.argv[1]))
