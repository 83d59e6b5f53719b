"""Unit tests of the tool's Python modules (tool/*.py) and of build.sh's
argument checks and check table.

Run by './build.sh test' as 'tool-units' (Python 3); they need no build.
"""
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unittest
from io import StringIO

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tool"))

import checks  # noqa: E402
import hygiene  # noqa: E402
import series  # noqa: E402
import sync_tree  # noqa: E402

BUILD_SH = os.path.join(TOP, "build.sh")


class TempDir(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="test-tool-")
        self.addCleanup(shutil.rmtree, self.tmp)

    def write(self, rel, text, mode=None):
        path = os.path.join(self.tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        if mode is not None:
            os.chmod(path, mode)
        return path


class SeriesTests(TempDir):

    def test_plain_series_is_one_unnamed_part(self):
        parts = series.parse("0001-a.patch\n# a comment\n\n0002-b.patch -p1\n"
                             "0003-c.patch # why\n")
        self.assertEqual(parts, [(None, ["0001-a.patch", "0002-b.patch", "0003-c.patch"])])
        self.assertEqual(series.part_names(parts), [])
        self.assertEqual(series.patches(parts), ["0001-a.patch", "0002-b.patch", "0003-c.patch"])

    def test_parts(self):
        text = ("# The series, in three parts\n# part: fixes\n0001-a.patch\n"
                "#part:openssl3\n0002-b.patch\n# a comment inside a part\n"
                "0003-c.patch\n#  part:  pep546  \n0004-d.patch\n")
        parts = series.parse(text)
        self.assertEqual(series.part_names(parts), ["fixes", "openssl3", "pep546"])
        self.assertEqual(series.patches(parts), ["0001-a.patch", "0002-b.patch",
                                                 "0003-c.patch", "0004-d.patch"])
        self.assertEqual(series.patches(parts, ["pep546", "fixes"]),
                         ["0001-a.patch", "0004-d.patch"])

    def test_empty_part_is_allowed(self):
        parts = series.parse("# part: fixes\n# part: pep546\n0001-a.patch\n")
        self.assertEqual(series.patches(parts, ["fixes"]), [])

    def test_patch_before_first_part_refused(self):
        with self.assertRaisesRegex(series.SeriesError, "0001-a.patch comes before"):
            series.parse("0001-a.patch\n# part: fixes\n0002-b.patch\n")

    def test_bad_or_repeated_part_line_refused(self):
        with self.assertRaisesRegex(series.SeriesError, "line 1: a part line"):
            series.parse("# part: two words\n0001-a.patch\n")
        with self.assertRaisesRegex(series.SeriesError, "line 1: a part line"):
            series.parse("# part:\n0001-a.patch\n")
        with self.assertRaisesRegex(series.SeriesError, "line 3: part 'a' is there twice"):
            series.parse("# part: a\n0001-a.patch\n# part: a\n")

    def test_unknown_part_refused(self):
        parts = series.parse("# part: fixes\n0001-a.patch\n")
        with self.assertRaisesRegex(series.SeriesError, "no part 'pep'; the parts are: fixes"):
            series.patches(parts, ["pep"])
        with self.assertRaisesRegex(series.SeriesError, "has no parts"):
            series.patches(series.parse("0001-a.patch\n"), ["fixes"])

    def test_problems(self):
        self.assertEqual(series.problems(["a.patch", "b.patch"], ["a.patch", "b.patch"]), [])
        self.assertEqual(series.problems(["a.patch", "a.patch", "c.patch"], ["a.patch", "b.patch"]),
                         ["listed twice: a.patch",
                          "listed, but there is no such file: c.patch",
                          "not listed in the series: b.patch"])

    def test_write_lists_patch_files_in_name_order(self):
        for name in ("0002-b.patch", "0001-a.patch", "README", "0010-c.patch"):
            self.write(name, "x")
        series.write(self.tmp)
        with open(os.path.join(self.tmp, "series")) as f:
            self.assertEqual(f.read(), "0001-a.patch\n0002-b.patch\n0010-c.patch\n")

    def test_write_takes_part_markers_out(self):
        mail = ("Subject: [PATCH] x\n\nWhy.\n\nForwarded: no\n{marker}---\n"
                " a | 1 +\n\nSeries-part: not-a-marker-in-the-diff\n")
        self.write("0001-a.patch", mail.format(marker="Series-part: fixes\n"))
        self.write("0002-b.patch", mail.format(marker=""))
        self.write("0003-c.patch", mail.format(marker="Series-part: pep546\n"))
        series.write(self.tmp)
        with open(os.path.join(self.tmp, "series")) as f:
            self.assertEqual(f.read(), "# part: fixes\n0001-a.patch\n0002-b.patch\n"
                                       "# part: pep546\n0003-c.patch\n")
        for name in ("0001-a.patch", "0002-b.patch", "0003-c.patch"):
            with open(os.path.join(self.tmp, name)) as f:
                self.assertEqual(f.read(), mail.format(marker=""))

    def test_part_notes_round_trip(self):
        # comment lines right below a part line travel as Series-note:
        # lines and come back below it; other comments do not count
        text = ("# part: fixes\n0001-a.patch\n# a comment in the part\n"
                "# part: openssl4\n# needs: fixes\n# and more\n0002-b.patch\n")
        self.assertEqual(series.part_notes(text), {"openssl4": ["needs: fixes", "and more"]})
        mail = "Subject: [PATCH] x\n\nWhy.\n\nForwarded: no\n{marker}---\n a | 1 +\n"
        self.write("0001-a.patch", mail.format(marker="Series-part: fixes\n"))
        self.write("0002-b.patch", mail.format(
            marker="Series-part: openssl4\nSeries-note: needs: fixes\nSeries-note: and more\n"))
        series.write(self.tmp)
        with open(os.path.join(self.tmp, "series")) as f:
            self.assertEqual(f.read(), "# part: fixes\n0001-a.patch\n# part: openssl4\n"
                                       "# needs: fixes\n# and more\n0002-b.patch\n")
        with open(os.path.join(self.tmp, "0002-b.patch")) as f:
            self.assertEqual(f.read(), mail.format(marker=""))
        path = os.path.join(self.tmp, "series")
        self.assertEqual(self.run_cli("--series", path, "notes", "--part", "openssl4").stdout,
                         "needs: fixes\nand more\n")

    def test_write_refuses_a_patch_before_the_first_part(self):
        self.write("0001-a.patch", "Subject: x\n\n---\n")
        self.write("0002-b.patch", "Subject: y\n\nSeries-part: pep546\n---\n")
        with self.assertRaisesRegex(series.SeriesError, "0001-a.patch comes before"):
            series.write(self.tmp)

    def test_starts_and_part_end(self):
        parts = series.parse("# part: fixes\n0001-a.patch\n# part: openssl3\n"
                             "0002-b.patch\n0003-c.patch\n# part: pep546\n0004-d.patch\n")
        self.assertEqual(series.part_starts(parts),
                         {"0001-a.patch": "fixes", "0002-b.patch": "openssl3",
                          "0004-d.patch": "pep546"})
        path = self.write("p/series", "# part: fixes\n0001-a.patch\n# part: openssl3\n"
                                      "0002-b.patch\n0003-c.patch\n")
        self.assertEqual(series.part_end(series.read(path), "openssl3"), 3)
        self.assertIsNone(series.part_end(series.read(path), "pep546"))
        self.assertEqual(self.run_cli("--series", path, "starts").stdout,
                         "0001-a.patch fixes\n0002-b.patch openssl3\n")

    def test_write_with_no_patches(self):
        series.write(self.tmp)
        with open(os.path.join(self.tmp, "series")) as f:
            self.assertEqual(f.read(), "")

    def run_cli(self, *args):
        return subprocess.run([sys.executable, os.path.join(TOP, "tool", "series.py")] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)

    def test_cli(self):
        path = self.write("p/series", "# part: fixes\n0001-a.patch\n# part: pep546\n0002-b.patch\n")
        self.write("p/0001-a.patch", "x")
        out = self.run_cli("--series", path, "list", "--part", "pep546")
        self.assertEqual((out.returncode, out.stdout), (0, "0002-b.patch\n"))
        self.assertEqual(self.run_cli("--series", path, "parts").stdout, "fixes\npep546\n")
        self.assertEqual(self.run_cli("--series", path, "count").stdout, "2\n")
        out = self.run_cli("--series", path, "check")
        self.assertEqual(out.returncode, 1)
        self.assertIn("no such file: 0002-b.patch", out.stdout)
        out = self.run_cli("--series", path, "list", "--part", "nope")
        self.assertEqual(out.returncode, 2)
        self.assertIn("no part 'nope'", out.stderr)

    def test_the_real_series(self):
        parts = series.read(os.path.join(TOP, "patches", "series"))
        patches = series.patches(parts)
        self.assertTrue(patches)
        self.assertEqual(series.problems(patches, series.patch_files(os.path.join(TOP, "patches"))),
                         [])


class SyncTreeTests(TempDir):

    def test_fresh_copy(self):
        self.write("a/x.c", "x", 0o644)
        self.write("a/sub/run.sh", "#!/bin/sh\n", 0o755)
        sync_tree.sync_tree(os.path.join(self.tmp, "a"), os.path.join(self.tmp, "b"))
        with open(os.path.join(self.tmp, "b/sub/run.sh")) as f:
            self.assertEqual(f.read(), "#!/bin/sh\n")
        self.assertTrue(os.stat(os.path.join(self.tmp, "b/sub/run.sh")).st_mode & stat.S_IXUSR)

    def test_only_changed_files_rewritten(self):
        self.write("a/same.c", "same")
        self.write("a/changed.c", "new")
        self.write("a/added.c", "added")
        self.write("b/same.c", "same")
        self.write("b/changed.c", "old")
        self.write("b/stale.c", "stale")
        self.write("b/dir/stale.h", "stale")
        old = time.time() - 3600
        for name in ("same.c", "changed.c"):
            os.utime(os.path.join(self.tmp, "b", name), (old, old))
        sync_tree.sync_tree(os.path.join(self.tmp, "a"), os.path.join(self.tmp, "b"))
        b = os.path.join(self.tmp, "b")
        self.assertEqual(os.stat(os.path.join(b, "same.c")).st_mtime, old)
        self.assertGreater(os.stat(os.path.join(b, "changed.c")).st_mtime, old)
        with open(os.path.join(b, "changed.c")) as f:
            self.assertEqual(f.read(), "new")
        self.assertTrue(os.path.isfile(os.path.join(b, "added.c")))
        self.assertFalse(os.path.exists(os.path.join(b, "stale.c")))
        self.assertFalse(os.path.exists(os.path.join(b, "dir", "stale.h")))

    def test_mode_change_follows(self):
        self.write("a/tool", "same", 0o755)
        self.write("b/tool", "diff", 0o644)
        sync_tree.sync_tree(os.path.join(self.tmp, "a"), os.path.join(self.tmp, "b"))
        self.assertTrue(os.stat(os.path.join(self.tmp, "b/tool")).st_mode & stat.S_IXUSR)


MAIL = """From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: A <a@example.invalid>
Date: Mon, 20 Apr 2020 00:00:00 +0000
Subject: [PATCH] {subject}

{body}
---
 Modules/_ssl.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/Modules/_ssl.c b/Modules/_ssl.c
"""
TRAILERS = "\n\nForwarded: not-needed\nUpstream-Status: Inactive-Upstream"
GOOD_BODY = "\n".join([" ".join(["word"] * 8)] * 5) + TRAILERS


class HygieneTests(unittest.TestCase):

    def problems(self, subject="[2.7] bpo-22559: Add ssl.MemoryBIO", body=GOOD_BODY):
        return hygiene.mail_problems(MAIL.format(subject=subject, body=body).encode())

    def test_good_mail(self):
        self.assertEqual(self.problems(), [])

    def test_subject(self):
        self.assertEqual(self.problems(subject="short"), ["no subject"])
        self.assertEqual(self.problems(subject="x" * 73), ["subject longer than 72 characters"])
        self.assertEqual(self.problems(subject="[2.7] " + "x" * 66), [])
        self.assertEqual(self.problems(subject="bpo-22559: Add ssl.MemoryBIO"),
                         ["subject does not start with [2.7]"])

    def test_packager_fields(self):
        body = GOOD_BODY.replace("Forwarded: not-needed\n", "")
        self.assertEqual(self.problems(body=body), ["no Forwarded: line"])
        self.assertEqual(self.problems(body=GOOD_BODY + "\nSeries-part: fixes"),
                         ["a Series-part: line (only for the work tree)"])

    def test_body(self):
        self.assertEqual(self.problems(body="Too short." + TRAILERS),
                         ["body too short to say why and how it differs from Python 3"])
        self.assertEqual(self.problems(body=GOOD_BODY + "\n" + "y" * 77),
                         ["body lines over 76 characters"])

    def test_diffstat_is_not_body(self):
        # Lines after the '---' are the diffstat and the diff, not the body.
        self.assertEqual(self.problems(body=GOOD_BODY + "\n---\n" + "z" * 100), [])


LOG = """test_a (test_x.T.test_a) ... ok
test_b (test_x.T.test_b) ... skipped 'no network'
test_c (test_x.T.test_c) ... FAIL
test_d (test_x.T.test_d) ... ERROR

======================================================================
FAIL: test_c (test_x.T.test_c)
----------------------------------------------------------------------
ERROR: test_d (test_x.T.test_d)
----------------------------------------------------------------------
Ran 5 tests in 0.012s

FAILED (failures=1, errors=1, skipped=1)
"""


class CountTests(TempDir):
    """checks.py's counting of a unittest -v (or regrtest -v) log."""

    def test_counts(self):
        ran, bad, skipped = checks.count(LOG)
        self.assertEqual((ran, skipped), (5, 1))
        self.assertEqual(bad, ["FAIL: test_c (test_x.T.test_c)", "ERROR: test_d (test_x.T.test_d)"])

    def test_one_test_and_last_ran_line(self):
        self.assertEqual(checks.count("Ran 3 tests in 1s\nRan 1 test in 0.1s\n"), (1, [], 0))

    def test_did_not_run(self):
        self.assertEqual(checks.count("ImportError: no module\n"), (None, [], 0))

    def test_cli(self):
        tool = os.path.join(TOP, "tool", "checks.py")
        out = subprocess.run([sys.executable, tool, "count", self.write("log", LOG)],
                             stdout=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(out.returncode, 0)
        self.assertEqual(out.stdout.splitlines()[0], "2 2 1")
        out = subprocess.run([sys.executable, tool, "count", self.write("log2", "Traceback\n")],
                             stdout=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(out.returncode, 3)


LEGS = [checks.Leg("1.1.1", "1.1.1w", ()), checks.Leg("3.9", "3.9", ("forky",)),
        checks.Leg("i386/1.1.1", "1.1.1w", ())]
CHECKS = [
    checks.check("lint", (), "lint_it"),
    checks.check("prefix-{leg}-{n}", LEGS[:1], "bisect_prefix {n} x", prefixes=lambda n, o: range(n + 1)),
    checks.check("slow-{leg}", LEGS[1:], "slow_one", when="full", needs="build"),
    checks.check("units", (), "unittests test_x.py", counts="tests"),
    checks.check("{leg}-test_ssl", LEGS, "run {version}"),
]


class CheckTableTests(unittest.TestCase):
    """checks.py's tables: legs crossed with checks."""

    def test_expand(self):
        rows = checks.expand(CHECKS, LEGS, 2)
        self.assertEqual([r.name for r in rows],
                         ["lint", "units",
                          "prefix-openssl-1.1.1w-0", "prefix-openssl-1.1.1w-1", "prefix-openssl-1.1.1w-2",
                          "openssl-1.1.1w-test_ssl",
                          "slow-openssl-3.9", "openssl-3.9-test_ssl",
                          "slow-i386-openssl-1.1.1w", "i386-openssl-1.1.1w-test_ssl"])
        self.assertEqual(tuple(rows[3]), ("prefix-openssl-1.1.1w-1", "ci", "1.1.1", "-", "1",
                                          "bisect_prefix 1 x"))
        self.assertEqual(rows[-1].runs, "run 1.1.1w")
        self.assertEqual(rows[-1].leg, "i386/1.1.1")

    def test_ranges_from_the_series(self):
        c = [checks.check("b-{n}", LEGS[:1], "f {n}", prefixes=lambda n, o: range(0, o)),
             checks.check("t-{n}", LEGS[:1], "g {n}", prefixes=lambda n, o: range(o, n + 1))]
        rows = checks.expand(c, LEGS, 4, 2)
        self.assertEqual([r.name for r in rows], ["b-0", "b-1", "t-2", "t-3", "t-4"])
        self.assertEqual(rows[1].runs, "f 1")
        self.assertEqual(checks.expand(c[1:], LEGS, 0, 1), [])

    def test_select(self):
        rows = checks.expand(CHECKS, LEGS[:2], 1)
        self.assertEqual([r.name for r in checks.select(rows)],
                         ["lint", "units", "prefix-openssl-1.1.1w-0", "prefix-openssl-1.1.1w-1",
                          "openssl-1.1.1w-test_ssl", "openssl-3.9-test_ssl"])
        self.assertIn("slow-openssl-3.9", [r.name for r in checks.select(rows, full=True)])
        # Named: in table order, full rows included.
        self.assertEqual([r.name for r in checks.select(rows, ["units", "slow-openssl-3.9", "lint"])],
                         ["lint", "units", "slow-openssl-3.9"])
        with self.assertRaisesRegex(checks.TableError, "no check named nope, prefix-7"):
            checks.select(rows, ["lint", "nope", "prefix-7"])

    def test_bad_checks_refused(self):
        for c, message in ((checks.check("a", (), "f", when="sometimes"), "not one of"),
                           (checks.check("a", (), "f", needs="all"), "not one of"),
                           (checks.check("a", (), "f", counts="2"), "not one of")):
            with self.assertRaisesRegex(checks.TableError, message):
                checks.expand([c], LEGS, 1)
        with self.assertRaisesRegex(checks.TableError, "two rows are named a"):
            checks.expand([checks.check("a", (), "f"), checks.check("a", (), "g")], LEGS, 1)
        with self.assertRaisesRegex(checks.TableError, "two rows are named x"):
            checks.expand([checks.check("x", LEGS, "f")], LEGS, 1)

    def test_list_is_aligned(self):
        lines = checks.format_list(checks.expand(CHECKS, LEGS, 0))
        self.assertEqual(lines[0].split(), ["name", "when", "openssl", "needs", "counts", "runs"])
        self.assertEqual(len(set(line.index(line.split()[1]) for line in lines[1:3])), 1)

    def test_the_real_table(self):
        """Every row has a unique name, every step is a function of tool/*.sh,
        and each OpenSSL built from source has its rows."""
        rows = checks.series_rows()
        self.assertEqual(len(rows), len(set(r.name for r in rows)))
        defined = set()
        for name in os.listdir(os.path.join(TOP, "tool")):
            if name.endswith(".sh"):
                with open(os.path.join(TOP, "tool", name)) as f:
                    defined.update(re.findall(r"^([a-z_0-9]+)\(\) *\{", f.read(), re.M))
        self.assertEqual(sorted(set(r.runs.split()[0] for r in rows) - defined), [])
        for leg in checks.SOURCE_BUILT:
            self.assertIn("openssl-%s-series" % leg.version, [r.name for r in rows])

    def test_list_survives_a_closed_pipe(self):
        proc = subprocess.run("%s test --list | head -n 1" % BUILD_SH, shell=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)
        self.assertEqual(proc.stdout.split()[0], "name")
        self.assertEqual(proc.stderr, "")

    def test_openssl_suites(self):
        tool = os.path.join(TOP, "tool", "checks.py")
        out = subprocess.run([sys.executable, tool, "openssl-suites", "4.0"],
                             stdout=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(out.stdout.split(), ["sid", "experimental"])
        self.assertEqual(subprocess.call([sys.executable, tool, "openssl-suites", "1.1.1"]), 1)


class RunnerTests(TempDir):
    """checks.py's runner, with a build.sh that plays each kind of row."""

    def test_pass_fail_skip_and_counts(self):
        fake = self.write("build.sh", """#!/bin/sh
# _row LEG NEEDS STEP ARG...
shift 3
case "$1" in
    ok) echo fine ;;
    bad) echo broken; exit 1 ;;
    skip) echo "skipped: no pyenv here"; exit 77 ;;
    tests) printf '%s' "$LOG_TEXT" ;;
    crash) printf '%s' "$LOG_TEXT"; exit 2 ;;
esac
""")
        os.chmod(fake, 0o755)
        rows = [checks.Row(n, "ci", "-", "-", c, r) for n, c, r in (
            ("a", "1", "ok"), ("b", "1", "bad"), ("c", "1", "skip"), ("d", "tests", "tests"),
            ("e", "tests", "skip"), ("f", "tests", "crash"), ("g", "tests", "bad"))]
        os.environ["LOG_TEXT"] = "test_a (t.T) ... ok\nRan 1 test in 0s\n\nOK\n"
        try:
            out = StringIO()
            rc = checks.Runner(fake, [], os.path.join(self.tmp, "logs"), out=out).run(rows)
        finally:
            del os.environ["LOG_TEXT"]
        text = out.getvalue()
        self.assertEqual(rc, 1)
        self.assertIn("SKIP c: skipped: no pyenv here", text)
        self.assertIn("SKIP e: skipped: no pyenv here", text)
        self.assertIn("FAIL f (its tests passed, but it exited 2", text)
        self.assertIn("FAIL g (did not run", text)
        self.assertEqual(text.splitlines()[-2], "failed: b f g")
        # a, d's and f's one test; b, f (its exit), g failed; c, e skipped
        self.assertEqual(text.splitlines()[-1], "3 passed, 3 failed, 2 skipped")


    def test_cli_as_build_sh_calls_it(self):
        """build.sh's do_test: options, then '--' and the names; each row's
        build.sh gets the options, then '_row LEG NEEDS STEP ARG...'."""
        fake = self.write("build.sh", "#!/bin/sh\necho \"$@\"\n")
        os.chmod(fake, 0o755)
        logs = os.path.join(self.tmp, "logs")
        out = subprocess.run([sys.executable, os.path.join(TOP, "tool", "checks.py"), "run",
                              "--build-sh", fake, "--logdir", logs, "--elapsed", "5",
                              "--option=-j", "--option=2", "--", "parts-fixes-applies"],
                             stdout=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(out.returncode, 0, out.stdout)
        self.assertEqual(out.stdout.splitlines()[-1], "1 passed, 0 failed")
        with open(os.path.join(logs, "parts-fixes-applies.log")) as f:
            self.assertEqual(f.read(), "-j 2 _row - - parts_apply fixes\n")


class FaultHarnessTests(unittest.TestCase):
    """tests/fault_harness.py and fault_server.py, under Python 3."""

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, os.path.join(TOP, "tests"))
        import fault_harness
        import fault_server
        cls.h, cls.s = fault_harness, fault_server

    def test_plan(self):
        plan = self.s.make_plan(7, 48, 3, 16, 1 / 3.)
        self.assertEqual(plan, self.s.make_plan(7, 48, 3, 16, 1 / 3.))
        self.assertEqual(sum(c["thread"] == 0 for c in plan), 48)
        kinds = set(c["kind"] for c in plan)
        self.assertTrue(set(self.s.FAULTS + self.s.BENIGN + ["none"]) <= kinds)
        self.assertGreaterEqual(sum(c["kind"] in self.s.FAULTS for c in plan), len(plan) // 3)
        self.assertEqual(set(c["client"] for c in plan), {"sslsocket", "sslobject"})
        self.assertTrue(all(c["tls"] == "1.2" for c in plan if c["kind"] == "renegotiate"))
        self.assertTrue(all(max(c["chunks"]) <= 16384 and sum(c["chunks"]) == c["size"]
                            for c in plan))
        self.assertEqual(len(set(c["digest"] for c in plan)), len(plan))

    def test_payload_is_the_same_on_both_sides(self):
        for size in (0, 1, 31, 32, 33, 100000):
            self.assertEqual(self.h.payload(3, 5, size), self.s.payload(3, 5, size))

    def test_mappings(self):
        r27 = {"kind": "reset", "client": "sslsocket/raise", "class": "reset", "error": ""}
        r3 = {"class": "eof", "error": "SSLEOFError: EOF"}
        self.assertTrue(self.h.mapping(r27, r3, {"python": "3.11.7"}))
        self.assertIsNone(self.h.mapping(r27, r3, {"python": "3.9.2"}))
        self.assertIsNone(self.h.mapping(dict(r27, kind="none"), r3, {"python": "3.11.7"}))
        r27 = {"kind": "eof-handshake", "client": "sslobject", "class": "handshake:eof"}
        r3 = {"class": "handshake:ssl-error", "error": "SSLSyscallError: Some I/O error"}
        self.assertTrue(self.h.mapping(r27, r3, {"python": "3.9.2"}))
        self.assertIsNone(self.h.mapping(r27, r3, {"python": "3.11.7"}))
        self.assertIsNone(self.h.mapping(
            r27, dict(r3, error="SSLError: bad record mac"), {"python": "3.9.2"}))
        self.assertEqual(self.h.parse_seeds("1-3,9"), [1, 2, 3, 9])

    @unittest.skipUnless(shutil.which("openssl"), "no openssl command")
    def test_a_small_run_under_python3(self):
        proc = subprocess.run(
            [sys.executable, os.path.join(TOP, "tests", "fault_harness.py"), "run",
             "--seed", "1", "--main", "12", "--threads", "1", "--per-thread", "8",
             "--timeout", "30"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            universal_newlines=True, timeout=90)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("20 connections in 2 threads", proc.stdout)


class BuildShArgumentTests(TempDir):
    """Every argument is checked before any work: nothing is created."""

    def run_tool(self, *args):
        build = os.path.join(self.tmp, "build")
        proc = subprocess.run([BUILD_SH] + list(args), env=dict(os.environ, BUILD_DIR=build),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, timeout=60)
        return proc.returncode, proc.stdout, os.path.exists(build)

    def assert_refused(self, message, *args):
        rc, out, created = self.run_tool(*args)
        self.assertNotEqual(rc, 0, out)
        self.assertIn(message, out)
        self.assertFalse(created, "the build folder was created: " + out)

    def test_refused_at_once(self):
        self.assert_refused("--openssl bogus: say system, 1.1.1, 3.5, 4.0, or a folder",
                            "--openssl", "bogus")
        self.assert_refused("no check named no-such-check", "test", "no-such-check")
        self.assert_refused("-j x: say a whole number", "-j", "x")
        self.assert_refused("--cases 0: say a whole number", "--cases", "0", "fuzz")
        self.assert_refused("--seconds 1s: say a whole number", "--seconds", "1s", "threads")
        self.assert_refused("unknown command 'frob'", "frob")
        self.assert_refused("--list goes with 'test'", "--list")
        self.assert_refused("--allow-dirty goes with 'release'", "--allow-dirty", "sdist")
        self.assert_refused("one command at a time", "apply", "build")
        self.assert_refused("no such file or folder", "--source", os.path.join(self.tmp, "none"))
        self.assert_refused("no include/openssl/ssl.h", "--openssl", self.tmp)
        self.assert_refused("--base %s: no series (quilt's) nor series.in" % self.tmp, "--base", self.tmp)
        self.assert_refused("--arch arm: only i386 is supported", "--arch", "arm")
        self.assert_refused("--arch i386 goes with --openssl 1.1.1 or system",
                            "--arch", "i386", "--openssl", "3.5")
        self.assert_refused("--arch does not go with 'test'", "--arch", "i386", "test")
        self.write("stack/series", "a.diff\n")
        self.assert_refused("--base goes with the main job", "--base",
                            os.path.join(self.tmp, "stack"), "build")

    def test_list(self):
        rc, out, created = self.run_tool("test", "--list")
        self.assertEqual(rc, 0, out)
        self.assertFalse(created)
        names = [line.split()[0] for line in out.splitlines()[1:]]
        n = len(series.patches(series.read(os.path.join(TOP, "patches", "series"))))
        for name in ("hygiene-series-lists-every-patch", "tool-tests", "tool-units",
                     "bisect-openssl-1.1.1w-prefix-0", "bisect-openssl-1.1.1w-prefix-%d" % n,
                     "bisect-openssl-system-prefix-0-builds",
                     "bisect-openssl-system-prefix-%d" % n,
                     "parts-pep546-applies", "parts-fixes+openssl3-openssl-system",
                     "parts-pep546-openssl-system", "parts-fixes+pep546-openssl-system",
                     "dist-debian-bullseye-openssl-1.1.1w", "release-reproducible-and-verified",
                     "hygiene-dropins-match-series",
                     "interop-python3", "hardening-misuse",
                     "fault-harness-openssl-system", "fault-harness-openssl-1.1.1w",
                     "i386-openssl-1.1.1w-test_ssl", "i386-openssl-system-is-32-bit",
                     "no-new-warnings-i386-openssl-system"):
            self.assertIn(name, names)
        self.assertNotIn("bisect-openssl-system-prefix-0", names)
        self.assertNotIn("bisect-openssl-1.1.1w-prefix-%d" % (n + 1), names)

    def test_every_function_in_the_table_exists(self):
        rc, out, _ = self.run_tool("test", "--list")
        functions = sorted(set(line.split()[5] for line in out.splitlines()[1:]))
        script = ('TOP=%s TOOL=%s/tool BUILD=/nonexistent PATCHES=%s/patches; '
                  'for m in %s/tool/*.sh; do . "$m"; done; declare -F "$@" >/dev/null'
                  % ((TOP,) * 4))
        proc = subprocess.run(["bash", "-c", script, "bash"] + functions,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True)
        self.assertEqual(proc.returncode, 0, (functions, proc.stdout))


class RegrtestSkipTests(TempDir):
    """do_regrtest: a test module that regrtest skips whole (exit status
    0) fails the run and is named, e.g. test_ssl without _ssl."""

    def regrtest(self, output):
        obj = os.path.join(self.tmp, "leg", "obj")
        os.makedirs(obj)
        with open(os.path.join(obj, "python"), "w") as f:
            f.write("#!/bin/sh\ncat <<'EOF'\n%sEOF\nexit 0\n" % output)
        os.chmod(os.path.join(obj, "python"), 0o755)
        script = ('set -euo pipefail; TOP=%s TOOL=%s/tool BUILD=%s PATCHES=%s/patches; '
                  'for m in common compile; do . "$TOOL/$m.sh"; done; '
                  'VARIANT="" REGRTEST_OPTS="" ASAN_RUN_OPTIONS=""; mkdir -p "$BUILD/logs"; '
                  'do_regrtest leg' % (TOP, TOP, self.tmp, TOP))
        return subprocess.run(["bash", "-c", script], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True)

    def test_skipped_module_fails(self):
        proc = self.regrtest("test_ssl skipped -- No module named _ssl\n"
                             "1 test skipped:\n    test_ssl\n")
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("FAILED: test_ssl skipped -- No module named _ssl", proc.stdout)

    def test_skipped_tests_inside_pass(self):
        proc = self.regrtest("test_x (test.test_ssl.T) ... skipped 'Windows specific'\n"
                             "Ran 1 test in 0.001s\nOK (skipped=1)\n")
        self.assertEqual(proc.returncode, 0, proc.stdout)


if __name__ == "__main__":
    unittest.main()
