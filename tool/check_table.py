#!/usr/bin/env python3
"""check_table.py: the table of counted checks (tool/checks.sh), expanded.

Reads the table on stdin: one row a line, '#' lines and blank lines
ignored, fields separated by blanks:

    NAME  WHEN  OPENSSL  NEEDS  COUNTS  FUNCTION [ARGUMENT...]

WHEN is 'ci' or 'full', NEEDS '-', 'series' or 'build', COUNTS '1' or
'tests'.  A NAME holding '{A..B}' stands for one row per number from A to
B, and '{n}' in its arguments for that number.  A and B are numbers, N (the
number of patches, --patches) or a name given with --var NAME=NUMBER, and
either may end in '-1'.

Usage: check_table.py --patches N [--var NAME=NUMBER]... list
                                                     the rows, aligned for people
       check_table.py --patches N [--var NAME=NUMBER]... rows [--full] [NAME...]
                                                     the rows to run, one a line
"""
import argparse
import re
import sys

RANGE = re.compile(r"\{(\w+(?:-1)?)\.\.(\w+(?:-1)?)\}")
WHEN = ("ci", "full")
NEEDS = ("-", "series", "build")
COUNTS = ("1", "tests")


class TableError(Exception):
    pass


def bound(text, variables):
    """The number a range bound stands for."""
    less = 1 if text.endswith("-1") else 0
    name = text[:-2] if less else text
    if name.isdigit():
        return int(name) - less
    if name not in variables:
        raise TableError("range bound %r: no such variable" % text)
    return variables[name] - less


def expand(text, npatches, variables=None):
    """The rows as lists of fields, dynamic ones expanded, in table order."""
    variables = dict(variables or {}, N=npatches)
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) < 6:
            raise TableError("row %d has %d fields, not 6 or more: %r" % (number, len(fields), line))
        name, when, openssl, needs, counts = fields[:5]
        for value, allowed in ((when, WHEN), (needs, NEEDS), (counts, COUNTS)):
            if value not in allowed:
                raise TableError("row %d (%s): %r is not one of %s"
                                 % (number, name, value, "/".join(allowed)))
        m = RANGE.search(name)
        if not m:
            rows.append(fields)
            continue
        for n in range(bound(m.group(1), variables), bound(m.group(2), variables) + 1):
            rows.append([name.replace(m.group(0), str(n))] + fields[1:5]
                        + [f.replace("{n}", str(n)) for f in fields[5:]])
    seen = set()
    for row in rows:
        if row[0] in seen:
            raise TableError("two rows are named %s" % row[0])
        seen.add(row[0])
    return rows


def select(rows, names=(), full=False):
    """The rows named (in table order), or every 'ci' row (and 'full' ones with full)."""
    if names:
        known = set(row[0] for row in rows)
        unknown = [n for n in names if n not in known]
        if unknown:
            raise TableError("no check named %s ('./build.sh test --list' prints them)"
                             % ", ".join(unknown))
        return [row for row in rows if row[0] in names]
    return [row for row in rows if row[1] == "ci" or full]


def format_list(rows):
    header = ["name", "when", "openssl", "needs", "counts", "runs"]
    table = [header] + [row[:5] + [" ".join(row[5:])] for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    return ["  ".join(r[i].ljust(widths[i]) for i in range(5)) + "  " + r[5] for r in table]


def main(argv=None, stdin=sys.stdin):
    ap = argparse.ArgumentParser(prog="check_table.py")
    ap.add_argument("--patches", type=int, required=True)
    ap.add_argument("--var", action="append", default=[], metavar="NAME=NUMBER")
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("list")
    rws = sub.add_parser("rows")
    rws.add_argument("--full", action="store_true")
    rws.add_argument("names", nargs="*")
    args = ap.parse_args(argv)
    try:
        variables = {}
        for item in args.var:
            name, sep, value = item.partition("=")
            if not sep or not value.isdigit():
                raise TableError("--var %s: say NAME=NUMBER" % item)
            variables[name] = int(value)
        rows = expand(stdin.read(), args.patches, variables)
        if args.command == "list":
            out = format_list(rows)
        else:
            out = [" ".join(row) for row in select(rows, args.names, args.full)]
    except TableError as e:
        print(e, file=sys.stderr)
        return 2
    for line in out:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
