#!/usr/bin/env python3
"""checks.py: './build.sh test': the legs, the checks, and their runner.

A leg is an OpenSSL (and an arch) that the series is built against.  A
check names the legs it runs on; crossing the two tables gives the rows
that './build.sh test --list' prints.  Each row runs as a build.sh of its
own ('build.sh _row LEG NEEDS STEP ARG...'), its output in
build/logs/test/NAME.log, so that no row sees what another one set.

build.sh calls it, having checked its own options: 'list', 'rows', 'run';
the steps call 'count LOG' (a unittest or regrtest -v log: 'PASSED FAILED
SKIPPED', then its FAIL:/ERROR: lines; exit 3 when no test ran), and
tool/openssl.sh 'openssl-suites VERSION' and 'openssl-versions'.
"""
import argparse
import collections
import os
import re
import signal
import subprocess
import sys
import time

TOOL = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(TOOL)
sys.path.insert(0, TOOL)
import series  # noqa: E402

# Names that rows carry (tool/common.sh has the same values for the steps).
PY = "2.7.18"
BULLSEYE = "debian-bullseye"

# --- the legs -------------------------------------------------------------------
#   key      what a row's leg is called in the table and given to build.sh
#            _row: OPENSSL (as --openssl takes it) or ARCH/OPENSSL.
#   version  the OpenSSL's name in row names and folders.
#   suites   for an OpenSSL built from Debian's openssl source package: the
#            suites searched for its newest VERSION.x (tool/openssl.sh),
#            built once into ~/.cache/pep546-openssl.
# To test another OpenSSL, add one leg here (and its line in the README).
Leg = collections.namedtuple("Leg", "key version suites")
LEGS = [
    Leg("1.1.1", "1.1.1w", ()),            # Debian bullseye's libssl1.1, unpacked
    Leg("system", "system", ()),           # the machine's (Debian bookworm: 3.0)
    Leg("3.5", "3.5", ("trixie",)),
    Leg("4.0", "4.0", ("sid", "experimental")),   # experimental while sid has 3.6
    Leg("i386/1.1.1", "1.1.1w", ()),       # gcc -m32, Debian's i386 packages
    Leg("i386/system", "system", ()),
]
NO_LEG = Leg("-", "-", ())


def leg_name(leg):
    """The leg in row names: openssl-1.1.1w, i386-openssl-system."""
    arch = leg.key.split("/")[0] + "-" if "/" in leg.key else ""
    return "%sopenssl-%s" % (arch, leg.version)


def legs(*keys):
    return tuple(leg for leg in LEGS if leg.key in keys)


SOURCE_BUILT = tuple(leg for leg in LEGS if leg.suites)
I386 = tuple(leg for leg in LEGS if leg.key.startswith("i386/"))
NATIVE = legs("1.1.1", "system")

# --- the checks -------------------------------------------------------------------
#   name     '{leg}' becomes the leg's name, '{version}' its OpenSSL's; with
#            prefixes, '{n}' each number they give.
#   legs     the legs it runs on (() for none: it needs no interpreter).
#   runs     a step (a shell function of tool/) and its arguments; '{n}',
#            '{version}' as in name.  It runs with errexit; exit 77 means
#            it cannot run here, its log's last line saying why.
#   when     ci: every './build.sh test'; full: only with --full (or by name).
#   needs    what the leg must hold before the step (got silently when it
#            does already): '-', 'series' (applied) or 'build' (and built).
#   counts   1: one result, its exit status; tests: a unittest -v log (the
#            step runs Python unittests), each test counted.
#   prefixes (N, O) -> the numbers of '{n}': N patches in the series, O of
#            them up to the end of the openssl3 part.
# The rows run leg by leg, in this order within a leg.  To add a check, add
# an entry here, and its step where its work lives (a module of tool/).  A
# unittest file of tests/ needs no step of its own: 'unittests test_x.py'.
Check = collections.namedtuple("Check", "name legs runs when needs counts prefixes")


def check(name, legs, runs, when="ci", needs="-", counts="1", prefixes=None):
    return Check(name, legs, runs, when, needs, counts, prefixes)


def backport(name, runs, legs, **kw):
    return check("backport-" + name, legs, runs, **kw)


def on_each(interpreter, leg_list, what, **kw):
    """The backport's usual checks on one stock interpreter."""
    steps = [("install", "backport_install", {}), ("test_ssl", "backport_test_ssl", {"counts": "tests"}),
             ("misuse", "backport_misuse", {}), ("fuzz", "backport_fuzz", {}),
             ("threads", "backport_threads", {})]
    return [backport("%s-%s" % (interpreter, s), "%s %s" % (fn, what), leg_list, **dict(kw, **extra))
            for s, fn, extra in steps]


CHECKS = [
    # The series itself, and the tool.
    check("hygiene-series-lists-every-patch", (), "hygiene_series_matches_files"),
    check("hygiene-subjects-and-bodies", (), "hygiene_subjects_and_bodies"),
    check("hygiene-patch-gitam-pyenv-agree", (), "hygiene_apply_methods"),
    check("hygiene-added-files-match-series", (), "hygiene_added_files"),
    check("hygiene-export-is-byte-stable", (), "hygiene_export_is_stable"),
    check("hygiene-dropins-match-series", (), "hygiene_dropins_match_series"),
    check("release-reproducible-and-verified", (), "test_release"),
    check("dist-yocto-target-applies", (), "test_dist_yocto_target_applies"),
    check("dist-pyenv-patch-openssl-system", (), "test_dist_pyenv_patch"),
    check("dist-pyenv-definition-openssl-system", (), "test_dist_pyenv_definition", when="full"),
    check("tool-tests", (), "unittests test_build_sh.py", counts="tests"),
    check("tool-units", (), "unittests test_tool.py", counts="tests"),
    check("tool-stdlib-compare", (), "unittests test_stdlib_compare.py", counts="tests"),
    check("tool-dropins", (), "unittests test_dropins.py", counts="tests"),
    check("parts-fixes-applies", (), "parts_apply fixes"),
    check("parts-pep546-applies", (), "parts_apply pep546"),
    check("parts-fixes+pep546-applies", (), "parts_apply fixes pep546"),
    check("parts-fixes+openssl3-applies", (), "parts_apply fixes openssl3"),

    # The backport on stock interpreters (tool/backport.sh).
    *on_each(BULLSEYE, legs("1.1.1"), BULLSEYE),
    backport(BULLSEYE + "-tls-in-tls", "backport_tls_in_tls " + BULLSEYE, legs("1.1.1"), counts="tests"),
    backport(BULLSEYE + "-dbg-refuses-server-side", "backport_debug_interpreter", legs("1.1.1")),
    backport(BULLSEYE + "-route-setup.py", "backport_route_setup_py %s python2.7" % BULLSEYE, legs("1.1.1")),
    backport(BULLSEYE + "-dbg-route-setup.py", "backport_route_setup_py %s-dbg python2.7-dbg" % BULLSEYE,
             legs("1.1.1")),
    backport(BULLSEYE + "-route-pip", "backport_route_pip " + BULLSEYE, legs("1.1.1")),
    backport(BULLSEYE + "-namespace-beside-ssl_match_hostname", "backport_namespace", legs("1.1.1")),
    backport(BULLSEYE + "-openssl-multiarch-prefix", "backport_openssl_prefix", legs("1.1.1")),
    backport(BULLSEYE + "-other-build-says-which", "backport_other_build", legs("1.1.1")),
    *on_each("pypy-7.3.3", legs("1.1.1"), "pypy"),
    backport("pypy-7.3.3-refused-without-its-private-pieces", "backport_pypy_refusal", legs("1.1.1")),
    backport("pypy-7.3.3-route-setup.py", "backport_route_setup_py pypy pypy", legs("1.1.1")),
    *on_each("python.org-{leg}", NATIVE, "python.org-{version}"),
    backport("python.org-{leg}-route-pip", "backport_route_pip python.org-{version}", NATIVE),
    backport("python.org-{leg}-tls-in-tls", "backport_tls_in_tls python.org-{version}", NATIVE,
             when="full", counts="tests"),
    *on_each("pyenv-" + PY, legs("system"), "pyenv"),
    backport("pyenv-%s-route-pip" % PY, "backport_route_pip pyenv", legs("system")),
    backport("pyenv-%s-tls-in-tls" % PY, "backport_tls_in_tls pyenv", legs("system"), counts="tests"),
    backport("refuses-other-openssl", "backport_refusals", legs("system")),
    backport("bench-instructions", "backport_bench", legs("system"), when="full"),

    # Every prefix of the series builds; on 1.1.1w, and on OpenSSL 3 after
    # the openssl3 part (pristine 2.7.18 fails 21 of test_ssl's tests
    # there), it passes test_ssl (tool/checks.sh).
    check("bisect-{leg}-prefix-{n}", legs("1.1.1"), "bisect_prefix {n}",
          prefixes=lambda n, o: range(0, n + 1)),
    check("bisect-{leg}-prefix-{n}-builds", legs("system"), "prefix_builds {n}",
          prefixes=lambda n, o: range(0, o)),
    check("bisect-{leg}-prefix-{n}", legs("system"), "bisect_prefix {n}",
          prefixes=lambda n, o: range(o, n + 1)),
    check("stdlib-baseline-pristine-{leg}", legs("1.1.1"), "stdlib_baseline"),
    check("clients-baseline-pristine-{leg}", legs("1.1.1"), "clients_baseline"),

    # Each part a packager takes alone.
    check("parts-fixes-{leg}", legs("1.1.1"), "parts_pass fixes"),
    check("parts-fixes+openssl3-{leg}", legs("system"), "parts_pass fixes openssl3"),
    check("parts-pep546-{leg}", legs("1.1.1"), "parts_pass pep546"),
    check("parts-pep546-{leg}", legs("system"), "parts_pep546_tests pep546"),
    check("parts-fixes+pep546-{leg}", legs("1.1.1"), "parts_pass fixes pep546"),
    check("parts-fixes+pep546-{leg}", legs("system"), "parts_pep546_tests fixes pep546"),

    # Distributions' own stacks (tool/dist.sh, ../shared/bases).
    check("dist-debian-2.7.18-13-{leg}", legs("system"), "test_dist_debian_13"),
    check("dist-debian-2.7.18-13-hashlib-{leg}", legs("system"), "test_dist_debian_13_hashlib"),
    check("dist-fedora-2.7.18-43-{leg}", legs("system"), "test_dist_fedora", when="full"),
    check("dist-yocto-native-{leg}", legs("system"), "test_dist_yocto_native"),

    # The whole series on each leg.
    check("{leg}-series", SOURCE_BUILT, "series_passes", needs="build"),
    check("{leg}-test_ssl", I386, "series_passes", needs="build"),
    check("{leg}-is-32-bit", I386, "is_32_bit", needs="build"),
    check("modules-{leg}", NATIVE, "check_modules", needs="build"),
    check("sni-renegotiation-{leg}", NATIVE,
          "one_test_passes test_ssl test_sni_renegotiation_after_initial_context_is_gone", needs="build"),
    check("hashlib-fips-policy-{leg}", legs("system") + SOURCE_BUILT,
          "one_test_passes test_hashlib test_openssl_policy_refusal_stands", needs="build"),
    check("no-new-warnings-{leg}", tuple(LEGS), "no_new_warnings", needs="build"),
    check("stdlib-{leg}-no-new-failures", NATIVE + SOURCE_BUILT, "stdlib_no_new_failures", needs="build"),
    check("client-gevent-{leg}", NATIVE, "client_compare gevent", needs="build"),
    check("client-trollius-{leg}", NATIVE, "client_compare trollius", needs="build"),
    check("sslsocket-compat-{leg}", NATIVE, "client_compare sslsocket", needs="build"),
    check("interop-python3", legs("system"), "unittests test_interop.py", needs="build", counts="tests"),
    check("tls-in-tls-{leg}", legs("system"), "unittests test_tls_in_tls.py", needs="build", counts="tests"),
    check("fault-harness-{leg}", NATIVE + SOURCE_BUILT, "fault_harness 1-8", needs="build"),
    check("fault-harness-full-{leg}", NATIVE + SOURCE_BUILT, "fault_harness 9-58", needs="build",
          when="full"),
    check("dist-debian-bullseye-{leg}", legs("1.1.1"), "test_dist_debian_bullseye"),

    # Hardening (tool/hardening.sh).
    check("hardening-refleak-test_ssl", legs("system"), "do_refleak", needs="series"),
    check("hardening-asan-test_ssl", legs("system"), "do_asan", needs="series"),
    check("hardening-fuzz-under-asan", legs("system"), "test_fuzz", needs="series"),
    check("hardening-threads", legs("system"), "test_threads", needs="series"),
    check("hardening-misuse", legs("system"), "do_misuse", needs="series"),
    check("{leg}-misuse", I386, "do_misuse", needs="build"),
    check("{leg}-fuzz", I386, "test_fuzz_plain", needs="build"),
    check("{leg}-threads", I386, "test_threads", needs="build"),
    check("{leg}-fuzz-under-asan", I386, "test_fuzz", needs="series", when="full"),
]

Row = collections.namedtuple("Row", "name when leg needs counts runs")


class TableError(Exception):
    pass


def expand(checks=None, legs_=None, npatches=0, openssl3_end=1):
    """The rows, leg by leg (no leg first), in table order within a leg."""
    checks = CHECKS if checks is None else checks
    legs_ = LEGS if legs_ is None else legs_
    rows, seen = [], set()
    for leg in [NO_LEG] + list(legs_):
        for c in checks:
            if c.when not in ("ci", "full") or c.needs not in ("-", "series", "build") \
                    or c.counts not in ("1", "tests"):
                raise TableError("check %s: when, needs or counts is not one of its values" % c.name)
            if (c.legs or (NO_LEG,)).count(leg) == 0:
                continue
            numbers = c.prefixes(npatches, openssl3_end) if c.prefixes else [None]
            for n in numbers:
                subst = {"leg": leg_name(leg), "version": leg.version, "n": n}
                row = Row(c.name.format(**subst), c.when, leg.key, c.needs, c.counts,
                          c.runs.format(**subst))
                if row.name in seen:
                    raise TableError("two rows are named %s" % row.name)
                seen.add(row.name)
                rows.append(row)
    return rows


def series_rows():
    """The rows for the series in patches/ now."""
    parts = series.read(os.path.join(TOP, "patches", "series"))
    # (1 without an openssl3 part: only pristine 2.7.18 is then just built)
    return expand(npatches=len(series.patches(parts)),
                  openssl3_end=series.part_end(parts, "openssl3") or 1)


def select(rows, names=(), full=False):
    """The rows named (in table order), or every 'ci' row (and 'full' ones with full)."""
    if names:
        known = set(row.name for row in rows)
        unknown = [n for n in names if n not in known]
        if unknown:
            raise TableError("no check named %s ('./build.sh test --list' prints them)"
                             % ", ".join(unknown))
        return [row for row in rows if row.name in names]
    return [row for row in rows if row.when == "ci" or full]


def format_list(rows):
    header = ["name", "when", "openssl", "needs", "counts", "runs"]
    table = [header] + [list(row) for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    return ["  ".join(r[i].ljust(widths[i]) for i in range(5)) + "  " + r[5] for r in table]


# --- counting -------------------------------------------------------------------

RAN = re.compile(r"^Ran (\d+) tests? ")
BAD = re.compile(r"^(FAIL|ERROR): ")
SKIPPED = re.compile(r" \.\.\. skipped")


def count(text):
    """(ran or None, [FAIL/ERROR lines], skipped) of a unittest -v log."""
    ran, bad, skipped = None, [], 0
    for line in text.splitlines():
        m = RAN.match(line)
        if m:
            ran = int(m.group(1))       # the last one counts
        if BAD.match(line):
            bad.append(line)
        if SKIPPED.search(line):
            skipped += 1
    return ran, bad, skipped


def read_log(path):
    with open(path, errors="replace") as f:
        return f.read()


# --- the runner -------------------------------------------------------------------

class Runner:
    def __init__(self, build_sh, options, logdir, elapsed=0, out=sys.stdout):
        self.build_sh, self.options, self.logdir, self.out = build_sh, options, logdir, out
        self.passed = self.failed = self.skipped = 0
        self.failed_names = []
        self.start = time.monotonic() - elapsed     # build.sh's clock

    def say(self, text):
        print("[%4ds] %s" % (time.monotonic() - self.start, text), file=self.out, flush=True)

    def fail(self, row, why, log):
        self.failed += 1
        self.failed_names.append(row.name)
        self.say("FAIL %s (%s; log: %s)" % (row.name, why, log))
        for line in read_log(log).splitlines()[-15:]:
            print("    " + line, file=self.out)

    def run_row(self, row):
        log = os.path.join(self.logdir, row.name + ".log")
        t0 = time.monotonic()
        with open(log, "w") as f:
            rc = subprocess.call([self.build_sh] + self.options
                                 + ["_row", row.leg, row.needs] + row.runs.split(),
                                 stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
        took = "%ds" % (time.monotonic() - t0)
        text = read_log(log)
        if rc == 77:
            self.skipped += 1
            last = (text.strip().splitlines() or ["(no reason given)"])[-1]
            self.say("SKIP %s: %s" % (row.name, last))
        elif row.counts == "1":
            if rc == 0:
                self.passed += 1
                self.say("PASS %s (%s)" % (row.name, took))
            else:
                self.fail(row, took, log)
        else:
            ran, bad, skipped = count(text)
            if ran is None:
                self.fail(row, "did not run", log)
                return
            passed = ran - len(bad) - skipped
            self.passed += passed
            self.failed += len(bad)
            self.skipped += skipped
            self.say("%s: %d passed, %d failed, %d skipped (log: %s)"
                     % (row.name, passed, len(bad), skipped, log))
            if bad:
                self.failed_names.append(row.name)
                for line in bad:
                    print("    " + line, file=self.out)
            elif rc != 0:
                self.fail(row, "its tests passed, but it exited %d" % rc, log)

    def run(self, rows):
        os.makedirs(self.logdir, exist_ok=True)
        leg = None
        for row in rows:
            if row.leg != leg and row.leg != "-":
                self.say("leg: %s" % row.leg)
            leg = row.leg
            self.run_row(row)
        self.say("test: done in %ds" % (time.monotonic() - self.start))
        if self.failed_names:
            print("failed: %s" % " ".join(self.failed_names), file=self.out)
        tail = ", %d skipped" % self.skipped if self.skipped else ""
        print("%d passed, %d failed%s" % (self.passed, self.failed, tail), file=self.out, flush=True)
        return 0 if self.failed == 0 else 1


def main(argv=None):
    # '--list | head' closes the pipe: stop quietly, as a shell tool would.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ap = argparse.ArgumentParser(prog="checks.py", description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=("list", "rows", "run", "count", "openssl-suites",
                                        "openssl-versions"))
    ap.add_argument("--full", action="store_true", help="rows, run: the 'full' rows too")
    ap.add_argument("--build-sh", help="run: the build.sh each row runs")
    ap.add_argument("--logdir", help="run: where the rows' logs go")
    ap.add_argument("--elapsed", type=int, default=0, help="run: seconds build.sh has run")
    ap.add_argument("--option", action="append", default=[], help="run: an option for each row")
    ap.add_argument("names", nargs="*", help="rows, run: NAME...; count: LOG; openssl-suites: VERSION")
    args = ap.parse_intermixed_args(argv)
    try:
        if args.command == "count":
            ran, bad, skipped = count(read_log(args.names[0]))
            if ran is None:
                return 3
            print("%d %d %d" % (ran - len(bad) - skipped, len(bad), skipped), *bad, sep="\n")
        elif args.command == "openssl-suites":
            suites = [leg.suites for leg in SOURCE_BUILT if leg.key == args.names[0]]
            if not suites:
                return 1
            print(*suites[0], sep="\n")
        elif args.command == "openssl-versions":
            print(*(leg.key for leg in SOURCE_BUILT))
        elif args.command == "list":
            print(*format_list(series_rows()), sep="\n")
        else:
            rows = select(series_rows(), args.names, args.full)
            if args.command == "rows":
                print(*(" ".join(row) for row in rows), sep="\n")
            else:
                options = args.option + (["--full"] if args.full else [])
                return Runner(args.build_sh, options, args.logdir, args.elapsed).run(rows)
        return 0
    except (TableError, series.SeriesError) as e:
        print("build.sh: error: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
