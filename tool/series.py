#!/usr/bin/env python3
"""patches/series: which patches, in which order, in which parts.

The file is quilt's: one patch name a line (anything after the name, such
as quilt's -p1, is ignored) and '#' starts a comment.  A comment line
'# part: NAME' heads a part: the patches after it, up to the next part
line, belong to part NAME.  quilt, a patch loop and git am see only the
patch names, so parts label the series for packagers and for the checks;
they do not change how it applies.  A series without part lines is one
unnamed part; once there are part lines, every patch must be in one.

Usage: series.py [--series FILE] COMMAND   (FILE: patches/series)
  list [--part NAME]...   the patches in series order (of those parts only)
  parts                   the part names in order (none for an unnamed series)
  count                   how many patches
  check                   the series names every *.patch file of its
                          folder, each once, and nothing else
  starts                  'PATCH PART' for the first patch of each part
  notes --part NAME       the comment lines right below that part's line
  write DIR               DIR/series for the *.patch files in DIR (export)

The parts travel through the git work tree of './build.sh edit' as a line
'Series-part: NAME' at the end of the message of each part's first commit
(tool/series.sh adds it); export's 'write' takes the lines out of the
patch files again and heads each part with its '# part:' line.
"""
import argparse
import os
import re
import sys

DEFAULT_SERIES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              "patches", "series")
PART_LINE = re.compile(r"#\s*part:")
PART_NAME = re.compile(r"#\s*part:\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*$")


class SeriesError(Exception):
    pass


def parse(text):
    """[(part name or None, [patch, ...]), ...] in series order."""
    parts = [(None, [])]
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if PART_LINE.match(stripped):
            m = PART_NAME.match(stripped)
            if not m:
                raise SeriesError("line %d: a part line is '# part: NAME' (letters, digits,"
                                  " '.', '_', '-'), not %r" % (number, line))
            name = m.group(1)
            if any(name == n for n, _ in parts):
                raise SeriesError("line %d: part %r is there twice" % (number, name))
            parts.append((name, []))
            continue
        fields = line.split("#", 1)[0].split()
        if fields:
            parts[-1][1].append(fields[0])
    unnamed = parts.pop(0)
    if not parts:
        return [unnamed]
    if unnamed[1]:
        raise SeriesError("%s comes before the first '# part:' line; with parts, every"
                          " patch belongs to one" % unnamed[1][0])
    return parts


def part_notes(text):
    """{part name: [note, ...]}: the comment lines right below a part line,
    before its first patch ('# needs: ...'), which export keeps."""
    notes, current = {}, None
    for line in text.splitlines():
        stripped = line.strip()
        if PART_LINE.match(stripped):
            m = PART_NAME.match(stripped)
            current = m.group(1) if m else None
            notes[current] = []
        elif current is not None and stripped.startswith("#"):
            notes[current].append(stripped[1:].strip())
        elif stripped:
            current = None
    return {k: v for k, v in notes.items() if k is not None and v}


def part_names(parts):
    return [name for name, _ in parts if name is not None]


def patches(parts, only=None):
    """The patches in series order, of the parts named in only (all if None)."""
    if only:
        known = part_names(parts)
        if not known:
            raise SeriesError("the series has no parts (no '# part: NAME' lines)")
        for name in only:
            if name not in known:
                raise SeriesError("no part %r; the parts are: %s" % (name, " ".join(known)))
    return [p for name, ps in parts if not only or name in only for p in ps]


def problems(listed, present):
    """What is wrong between the names in the series and the *.patch files."""
    out = []
    seen = set()
    for p in listed:
        if p in seen:
            out.append("listed twice: %s" % p)
        seen.add(p)
    out += ["listed, but there is no such file: %s" % p for p in sorted(seen - set(present))]
    out += ["not listed in the series: %s" % p for p in sorted(set(present) - seen)]
    return out


def patch_files(folder):
    return sorted(n for n in os.listdir(folder) if n.endswith(".patch"))


MARKER = re.compile(rb"^Series-part: (\S+)\n", re.M)
NOTE = re.compile(rb"^Series-note: (.*)\n", re.M)


def take_marker(data, notes=None):
    """(part name or None, the mail without its 'Series-part:' line).

    Only the message counts: the line must stand before the '---' line
    that ends it.  Its 'Series-note:' lines are taken out too, and
    appended to notes (a list) if given."""
    end = data.find(b"\n---\n")
    head = data[:end + 1] if end >= 0 else data
    m = MARKER.search(head)
    if not m:
        return None, data
    rest = data[:m.start()] + data[m.end():]
    end = rest.find(b"\n---\n")
    head, tail = (rest[:end + 1], rest[end + 1:]) if end >= 0 else (rest, b"")
    if notes is not None:
        notes.extend(n.decode() for n in NOTE.findall(head))
    return m.group(1).decode(), NOTE.sub(b"", head) + tail


def write(folder):
    """The series of an export: its patches in file-name order, with a
    '# part:' line where a patch's message names the part it starts (the
    line is taken out of the patch)."""
    lines = []
    for name in patch_files(folder):
        path = os.path.join(folder, name)
        with open(path, "rb") as f:
            data = f.read()
        notes = []
        part, data = take_marker(data, notes)
        if part is not None:
            with open(path, "wb") as f:
                f.write(data)
            lines.append("# part: %s\n" % part)
            lines.extend("# %s\n" % note for note in notes)
        lines.append(name + "\n")
    parse("".join(lines))  # a patch before the first part line is an error
    with open(os.path.join(folder, "series"), "w") as f:
        f.write("".join(lines))


def part_starts(parts):
    """{first patch of a part: its name}, for the work tree's markers."""
    return {ps[0]: name for name, ps in parts if name is not None and ps}


def part_end(parts, part):
    """How many patches there are up to the end of that part (None: no such part)."""
    before = 0
    for name, ps in parts:
        before += len(ps)
        if name == part:
            return before
    return None


def read(path):
    with open(path) as f:
        return parse(f.read())


def main(argv=None):
    ap = argparse.ArgumentParser(prog="series.py", description=__doc__.split("\n")[0])
    ap.add_argument("--series", default=DEFAULT_SERIES)
    sub = ap.add_subparsers(dest="command", required=True)
    lst = sub.add_parser("list")
    lst.add_argument("--part", action="append", default=[])
    sub.add_parser("parts")
    sub.add_parser("count")
    sub.add_parser("check")
    sub.add_parser("starts")
    nt = sub.add_parser("notes")
    nt.add_argument("--part", required=True)
    wr = sub.add_parser("write")
    wr.add_argument("folder")
    args = ap.parse_args(argv)
    try:
        if args.command == "write":
            write(args.folder)
            return 0
        if args.command == "notes":
            with open(args.series) as f:
                for note in part_notes(f.read()).get(args.part, []):
                    print(note)
            return 0
        parts = read(args.series)
        if args.command == "list":
            out = patches(parts, args.part)
        elif args.command == "parts":
            out = part_names(parts)
        elif args.command == "count":
            out = [str(len(patches(parts)))]
        elif args.command == "starts":
            out = ["%s %s" % item for item in sorted(part_starts(parts).items())]
        else:
            out = problems(patches(parts), patch_files(os.path.dirname(args.series) or "."))
            for line in out:
                print("%s: %s" % (args.series, line))
            return 1 if out else 0
    except (SeriesError, OSError) as e:
        print("%s: %s" % (args.series, e), file=sys.stderr)
        return 2
    for line in out:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
