#!/usr/bin/env python3
"""Run 2.7's regrtest modules and compare the outcome with a baseline.

The series must not make any test of the standard library fail that
passes with pristine 2.7.18 on OpenSSL 1.1.1w (the baseline).  This tool
runs each test module with a 2.7 interpreter, records the outcome of every
module and every test in a JSON file, and compares such a file with the
baseline's.

    stdlib_compare.py run --python build/1.1.1w/obj/python --out base.json
    stdlib_compare.py run --python build/system/obj/python --out sys.json
    stdlib_compare.py compare base.json sys.json    # exit status 1 on new failures
    stdlib_compare.py run --python PY --unittest --path DIR --out r.json \
        gevent.tests.test__ssl ...              # any unittest modules (clients)
    stdlib_compare.py list                          # the module list (MODULES)
    stdlib_compare.py derive SRC                    # derive it from a 2.7.18 tree

A test that fails for reasons of the machine is listed, with the reason, in
tests/stdlib_known.txt; compare reports it as known, and never drops it
silently.
"""

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
KNOWN_FILE = os.path.join(HERE, 'stdlib_known.txt')

# The test modules of 2.7.18 that import (directly, or through
# test_support.import_module()) ssl, hashlib, hmac, httplib, urllib,
# urllib2, ftplib, poplib, imaplib, smtplib, xmlrpclib, SocketServer,
# asyncore, logging.handlers, or the modules built on them (asynchat,
# smtpd, the HTTP and XML-RPC servers, md5, sha).  'derive' recomputes it
# from a source tree with PATTERN; the unit tests check that both agree on
# 2.7.18 when it is unpacked.  Network tests (test_*net, test_normalization)
# are listed: regrtest skips them without '-u network', and the skip is
# recorded.
MODULES = (
    'test_SimpleHTTPServer', 'test_asynchat', 'test_asyncore',
    'test_cookielib', 'test_docxmlrpc', 'test_ftplib', 'test_hashlib',
    'test_hmac', 'test_httplib', 'test_httpservers', 'test_imaplib',
    'test_logging', 'test_md5', 'test_normalization', 'test_pep247',
    'test_poplib', 'test_robotparser', 'test_sha', 'test_smtplib',
    'test_smtpnet', 'test_socketserver', 'test_ssl', 'test_sundry',
    'test_tarfile', 'test_test_support', 'test_unicodedata', 'test_urllib',
    'test_urllib2', 'test_urllib2_localnet', 'test_urllib2net',
    'test_urllibnet', 'test_wsgiref', 'test_xmlrpc',
)

# regrtest resources a module is run with.  test_socketserver asks for
# 'network' as a whole, but only talks to 127.0.0.1 and Unix sockets.  The
# modules and tests that use 'network' to reach the internet stay off:
# their skips are recorded with that reason.
MODULE_RESOURCES = {
    'test_socketserver': 'network',
}

TOUCHED = ('ssl', '_ssl', 'hashlib', '_hashlib', 'hmac', 'httplib', 'urllib',
           'urllib2', 'ftplib', 'poplib', 'imaplib', 'smtplib', 'xmlrpclib',
           'SimpleXMLRPCServer', 'DocXMLRPCServer', 'SocketServer',
           'asyncore', 'asynchat', 'smtpd', 'BaseHTTPServer',
           'SimpleHTTPServer', 'CGIHTTPServer', r'logging\.handlers',
           'md5', 'sha')
# An import statement naming one of them, or test_support.import_module().
PATTERN = re.compile(
    r'^\s*(?:import|from)\s+[^#\n]*\b(?:%s)\b'
    r'|import_module\(\s*[\'"](?:%s)[\'"]'
    % ('|'.join(TOUCHED), '|'.join(TOUCHED)), re.M)


def derive_modules(testdir):
    """The test modules in testdir (Lib/test) whose source matches PATTERN."""
    found = []
    for name in sorted(os.listdir(testdir)):
        if not (name.startswith('test_') and name.endswith('.py')):
            continue
        with open(os.path.join(testdir, name), encoding='latin-1') as f:
            if PATTERN.search(f.read()):
                found.append(name[:-3])
    return sorted(found, key=str.lower)


# --- running -------------------------------------------------------------

# Runs inside the 2.7 interpreter (as 'python -c DRIVER', so that its code
# is '<string>', which test_trace's coverage output leaves out): 'regrtest
# -v MODULE' as 'python -m test.regrtest' does it, recording regrtest's
# result for the module and every test's outcome into a JSON file.  Only
# the result of the runner that test.support.run_unittest() makes records
# (test_unittest's own runners and results are left alone).  SIGINT gets
# Python's handler back in case this runs in a background job, which
# inherits SIGINT ignored (test_subprocess and test_regrtest send it).
DRIVER = r'''
import json, os, signal, sys, traceback, types, unittest

signal.signal(signal.SIGINT, signal.default_int_handler)
if sys.path and sys.path[0] == '':
    sys.path[0] = os.getcwd()
out_path = sys.argv[1]
module = sys.argv[2]
tests = []

def _reason(err):
    try:
        lines = traceback.format_exception_only(err[0], err[1])
        return lines[-1].strip()[:300]
    except Exception:
        return repr(err[1])[:300]

def _recording(result):
    def wrap(method, outcome):
        orig = getattr(result, method)
        def record(test, *args):
            reason = None
            if outcome in ('failed', 'error') and args:
                reason = _reason(args[0])
            elif outcome == 'skipped' and args:
                reason = str(args[0])[:300]
            try:
                tid = test.id()
            except Exception:
                tid = str(test)
            tests.append([tid, outcome, reason])
            return orig(test, *args)
        setattr(result, method, record)
    for m, o in (('addSuccess', 'ok'), ('addFailure', 'failed'),
                 ('addError', 'error'), ('addSkip', 'skipped'),
                 ('addExpectedFailure', 'expected_failure'),
                 ('addUnexpectedSuccess', 'unexpected_success')):
        wrap(m, o)
    return result

class RecordingRunner(unittest.TextTestRunner):
    def _makeResult(self):
        return _recording(unittest.TextTestRunner._makeResult(self))

import test.support
_unittest = types.ModuleType('unittest')
_unittest.__dict__.update(unittest.__dict__)
_unittest.TextTestRunner = RecordingRunner
test.support.unittest = _unittest

from test import regrtest
results = []
_runtest = regrtest.runtest
def runtest(*args, **kwargs):
    r = _runtest(*args, **kwargs)
    results.append(r[0] if isinstance(r, tuple) else r)
    return r
regrtest.runtest = runtest

code = None
sys.argv = ['regrtest', '-v'] + sys.argv[3:] + [module]
try:
    regrtest.main_in_temp_cwd()
except SystemExit as e:
    code = e.code
finally:
    names = {}
    for name in ('PASSED', 'FAILED', 'ENV_CHANGED', 'SKIPPED',
                 'RESOURCE_DENIED', 'INTERRUPTED', 'CHILD_ERROR',
                 'TEST_DID_NOT_RUN'):
        if hasattr(regrtest, name):
            names[getattr(regrtest, name)] = name
    with open(out_path, 'w') as f:
        json.dump({'regrtest': [names.get(r, str(r)) for r in results],
                   'exit': code, 'tests': tests}, f)
'''

# The same recording for a plain unittest module (a client's own tests,
# tests/client_suites.py): imported by its dotted name, as its own
# 'python -m' would load it, and run with unittest's loader.  The module's
# result is what regrtest would say: PASSED, FAILED, or FAILED outside
# any test when it does not import.
UNITTEST_DRIVER = DRIVER[:DRIVER.index('import test.support')] + r'''
code = None
results = []
try:
    suite = unittest.TestLoader().loadTestsFromName(module)
except Exception:
    traceback.print_exc()
    sys.stdout.write('test %s crashed -- %s\n' % (module, _reason(sys.exc_info())))
    results.append('FAILED')
else:
    result = RecordingRunner(verbosity=2).run(suite)
    results.append('PASSED' if result.wasSuccessful() else 'FAILED')
finally:
    with open(out_path, 'w') as f:
        json.dump({'regrtest': results, 'exit': code, 'tests': tests}, f)
sys.stdout.flush()
os._exit(0)
'''

SKIP_LINE = re.compile(r'^(test_\w+) skipped -- (.*)$', re.M)

# regrtest's result for a module -> our module outcome.
REGRTEST_OUTCOME = {
    'PASSED': 'ok', 'FAILED': 'failed', 'ENV_CHANGED': 'env_changed',
    'SKIPPED': 'skipped', 'RESOURCE_DENIED': 'skipped',
    'TEST_DID_NOT_RUN': 'skipped', 'INTERRUPTED': 'crashed',
    'CHILD_ERROR': 'crashed',
}
BAD_TEST = ('failed', 'error', 'unexpected_success')


def module_record(module, driver_data, output, returncode, duration):
    """One module's record, from the driver's JSON (None if it wrote
    none: the interpreter crashed or was killed) and regrtest's output."""
    rec = {'outcome': 'crashed', 'reason': None, 'duration': round(duration, 2),
           'returncode': returncode, 'tests': {}, 'counts': {}}
    if driver_data is None:
        tail = output.strip().splitlines()[-5:]
        rec['reason'] = ('no result (exit status %s): %s'
                         % (returncode, ' | '.join(tail)))[:500]
        return rec
    for tid, outcome, reason in driver_data['tests']:
        # A test reported twice (an error in tearDown after a failure)
        # keeps its worst outcome.
        old = rec['tests'].get(tid)
        if old is None or (old['outcome'] not in BAD_TEST and outcome in BAD_TEST):
            rec['tests'][tid] = {'outcome': outcome, 'reason': reason}
    for t in rec['tests'].values():
        rec['counts'][t['outcome']] = rec['counts'].get(t['outcome'], 0) + 1
    results = driver_data['regrtest']
    if results:
        rec['outcome'] = REGRTEST_OUTCOME.get(results[0], 'crashed')
    if rec['outcome'] == 'skipped':
        for m in SKIP_LINE.finditer(output):
            if m.group(1) == module:
                rec['reason'] = m.group(2).strip()
    elif rec['outcome'] == 'failed' and not any(
            t['outcome'] in BAD_TEST for t in rec['tests'].values()):
        # Failed outside any test: an import error, a crash in test_main().
        m = re.search(r'^test %s (?:crashed|failed) -- (.*)$' % re.escape(module),
                      output, re.M)
        rec['reason'] = m.group(1).strip()[:500] if m else 'failed outside any test'
    return rec


def python_info(python):
    code = ('import sys, platform\n'
            'try:\n import ssl; o = ssl.OPENSSL_VERSION\n'
            'except ImportError as e: o = "no ssl: %s" % e\n'
            'print(platform.python_version()); print(o)')
    out = subprocess.run([python, '-c', code], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, universal_newlines=True,
                         check=True).stdout.splitlines()
    return {'python_version': out[0], 'openssl': out[1]}


def all_modules(python):
    """Every test module regrtest would run (for --all)."""
    code = ('from test import regrtest\n'
            'for t in regrtest.findtests(): print(t)')
    out = subprocess.run([python, '-c', code], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def regrtest_args_for(module, resources=None):
    """regrtest's options for module: -u with the resources asked for
    (comma-separated) plus the module's own from MODULE_RESOURCES."""
    res = [r for r in (resources or '').split(',') if r]
    for r in MODULE_RESOURCES.get(module, '').split(','):
        if r and r not in res and 'all' not in res:
            res.append(r)
    return ['-u', ','.join(res)] if res else []


def run_module(python, module, regrtest_args=(), timeout=1200, logdir=None,
               driver=DRIVER, env=None, cwd=None):
    tmp = tempfile.mkdtemp(prefix='stdlib_compare_')
    try:
        data_path = os.path.join(tmp, 'result.json')
        start = time.time()
        try:
            proc = subprocess.run(
                [python, '-c', driver, data_path, module] + list(regrtest_args),
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, cwd=cwd or tmp, timeout=timeout, env=env)
            output = proc.stdout.decode('utf-8', 'replace')
            returncode = proc.returncode
        except subprocess.TimeoutExpired as e:
            output = (e.stdout or b'').decode('utf-8', 'replace')
            returncode = None
        duration = time.time() - start
        data = None
        if os.path.exists(data_path):
            with open(data_path) as f:
                data = json.load(f)
        rec = module_record(module, data, output, returncode, duration)
        if returncode is None:
            rec['outcome'] = 'timeout'
            rec['reason'] = 'killed after %d s' % timeout
        if logdir:
            os.makedirs(logdir, exist_ok=True)
            with open(os.path.join(logdir, module + '.log'), 'w') as f:
                f.write(output)
        return rec
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def unittest_env(paths):
    """The environment for a client's unittest modules: PYTHONPATH is
    paths alone, and no variable that makes a suite think it runs on a
    CI service (gevent skips some tests there) or changes Python."""
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith('PYTHON') or k in CI_VARIABLES)}
    env['PYTHONPATH'] = os.pathsep.join(os.path.abspath(p) for p in paths)
    return env


CI_VARIABLES = ('CI', 'TRAVIS', 'APPVEYOR', 'GITHUB_ACTIONS',
                'GEVENT_MANYLINUX')


def run(python, modules, out, label=None, resources=None, jobs=1,
        timeout=1200, logdir=None, progress=None, paths=None, cwd=None):
    """Run the modules, write the JSON result to out, return it.  With
    paths (a list, maybe empty), they are plain unittest modules run with
    those folders as PYTHONPATH (in cwd, default a temporary folder);
    else regrtest's."""
    if os.sep in python:
        # The modules run in a temporary working directory.
        python = os.path.abspath(python)
    info = python_info(python)
    result = {'label': label, 'python': python, 'resources': resources,
              'jobs': jobs, 'modules': {}}
    extra = {}
    if paths is not None:
        extra = {'driver': UNITTEST_DRIVER, 'env': unittest_env(paths),
                 'cwd': cwd and os.path.abspath(cwd)}
        result['paths'] = [os.path.abspath(p) for p in paths]

    def args_for(m):
        return [] if paths is not None else regrtest_args_for(m, resources)
    result.update(info)
    start = time.time()
    if jobs <= 1:
        for m in modules:
            rec = run_module(python, m, args_for(m), timeout, logdir, **extra)
            result['modules'][m] = rec
            if progress:
                progress(m, rec)
    else:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(jobs) as pool:
            futs = {m: pool.submit(run_module, python, m, args_for(m),
                                   timeout, logdir, **extra) for m in modules}
            for m in modules:
                result['modules'][m] = futs[m].result()
                if progress:
                    progress(m, result['modules'][m])
    result['duration'] = round(time.time() - start, 1)
    tmp = out + '.new'
    with open(tmp, 'w') as f:
        json.dump(result, f, indent=1, sort_keys=True)
    os.replace(tmp, out)
    return result


# --- comparing -----------------------------------------------------------

def load_known(path):
    """[(pattern, reason, line number)] from the known-failures file.

    Each line: a test id (test.test_x.Class.test_y) or a module name
    (test_x, for a failure outside any test), fnmatch wildcards allowed,
    then the reason, which is required.  '#' starts a comment."""
    known = []
    if not path or not os.path.exists(path):
        return known
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 1)
            if len(parts) < 2:
                raise ValueError('%s:%d: %r has no reason' % (path, n, parts[0]))
            known.append((parts[0], parts[1].strip(), n))
    return known


def match_known(known, tid):
    for pattern, reason, n in known:
        if fnmatch.fnmatchcase(tid, pattern):
            return pattern, reason
    return None


def summarize(result):
    """Totals over the modules of one result."""
    s = {'modules': 0, 'modules_ok': 0, 'modules_failed': 0,
         'modules_skipped': 0, 'tests': 0, 'tests_ok': 0, 'tests_failed': 0,
         'tests_skipped': 0, 'skip_reasons': {}}
    for name, rec in sorted(result['modules'].items()):
        s['modules'] += 1
        if rec['outcome'] == 'ok':
            s['modules_ok'] += 1
        elif rec['outcome'] == 'skipped':
            s['modules_skipped'] += 1
            key = '%s (whole module)' % rec.get('reason')
            s['skip_reasons'][key] = s['skip_reasons'].get(key, 0) + 1
        else:
            s['modules_failed'] += 1
        for tid, t in rec['tests'].items():
            s['tests'] += 1
            if t['outcome'] in BAD_TEST:
                s['tests_failed'] += 1
            elif t['outcome'] == 'skipped':
                s['tests_skipped'] += 1
                key = t['reason'] or '(no reason)'
                s['skip_reasons'][key] = s['skip_reasons'].get(key, 0) + 1
            else:
                s['tests_ok'] += 1
    return s


def compare(baseline, result, known):
    """Compare result with baseline.

    Returns a dict of lists: 'new' (a failure with the series of a test or
    module that did not fail in the baseline: these fail the check),
    'known' (a failure listed in the known file, with its reason),
    'old' (a failure that the baseline has too, not listed as known),
    'newly_skipped' (passed in the baseline, skipped now) and
    'missing' (passed in the baseline, not run at all now)."""
    out = {'new': [], 'known': [], 'old': [], 'newly_skipped': [],
           'missing': [], 'fixed': []}
    bmods = baseline['modules']
    for name, rec in sorted(result['modules'].items()):
        brec = bmods.get(name)
        btests = brec['tests'] if brec else {}
        failures = [(tid, t) for tid, t in sorted(rec['tests'].items())
                    if t['outcome'] in BAD_TEST]
        if rec['outcome'] not in ('ok', 'skipped', 'env_changed') and not failures:
            # Failed outside any test (import error, crash, timeout).
            failures = [(name, {'outcome': rec['outcome'], 'reason': rec['reason']})]
        if rec['outcome'] == 'env_changed':
            failures.append((name, {'outcome': 'env_changed',
                                    'reason': 'the module altered the execution environment'}))
        for tid, t in failures:
            entry = {'test': tid, 'module': name, 'outcome': t['outcome'],
                     'reason': t['reason']}
            k = match_known(known, tid)
            if k:
                entry['known'] = k[1]
                out['known'].append(entry)
                continue
            if tid == name:
                before = brec['outcome'] if brec else 'absent'
                failed_before = before not in ('ok', 'skipped')
                if t['outcome'] in ('crashed', 'timeout'):
                    # A crash or hang hides every test of the module: new
                    # unless the baseline's module crashed or hung too.
                    failed_before = before in ('crashed', 'timeout')
            else:
                bt = btests.get(tid)
                before = bt['outcome'] if bt else 'absent'
                failed_before = before in BAD_TEST
            entry['baseline'] = before
            (out['old'] if failed_before else out['new']).append(entry)
        if brec is None:
            continue
        # Coverage lost: a module or test that passed in the baseline.
        if rec['outcome'] == 'skipped' and brec['outcome'] != 'skipped':
            out['new'].append({'test': name, 'module': name, 'outcome': 'skipped',
                               'reason': rec['reason'], 'baseline': brec['outcome']})
            continue
        for tid, bt in sorted(btests.items()):
            if bt['outcome'] != 'ok':
                continue
            t = rec['tests'].get(tid)
            if t is None:
                if rec['outcome'] not in ('skipped',) and rec['tests']:
                    out['missing'].append({'test': tid, 'module': name})
            elif t['outcome'] == 'skipped':
                out['newly_skipped'].append({'test': tid, 'module': name,
                                             'reason': t['reason']})
        for tid, bt in sorted(btests.items()):
            t = rec['tests'].get(tid)
            if bt['outcome'] in BAD_TEST and t and t['outcome'] == 'ok':
                out['fixed'].append({'test': tid, 'module': name})
    for name in sorted(bmods):
        if name not in result['modules'] and bmods[name]['outcome'] == 'ok':
            out['missing'].append({'test': name, 'module': name})
    return out


def format_report(baseline, result, cmp, known_path=None):
    lines = []
    s = summarize(result)
    b = summarize(baseline)
    lines.append('stdlib: %s (%s, %s) against baseline %s (%s)' % (
        result.get('label') or result['python'], result.get('python_version'),
        result.get('openssl'), baseline.get('label') or baseline['python'],
        baseline.get('openssl')))
    for tag, x in (('result', s), ('baseline', b)):
        lines.append('  %-8s modules %d: %d ok, %d failed, %d skipped; '
                     'tests %d: %d ok, %d failed, %d skipped' % (
                         tag, x['modules'], x['modules_ok'], x['modules_failed'],
                         x['modules_skipped'], x['tests'], x['tests_ok'],
                         x['tests_failed'], x['tests_skipped']))
    lines.append('  skipped (result), by reason:')
    for reason, n in sorted(s['skip_reasons'].items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append('    %4d  %s' % (n, reason))

    def entries(title, items, fmt):
        lines.append('  %s: %d' % (title, len(items)))
        for e in items:
            lines.append('    ' + fmt(e))

    entries('NEW failures (fail now, did not fail in the baseline)', cmp['new'],
            lambda e: '%s: %s (baseline: %s) %s' % (e['test'], e['outcome'],
                                                     e['baseline'], e['reason'] or ''))
    entries('KNOWN failures (%s)' % (os.path.basename(known_path) if known_path else 'known file'),
            cmp['known'], lambda e: '%s: %s -- known: %s' % (e['test'], e['outcome'], e['known']))
    entries('failures the baseline has too (not listed as known)', cmp['old'],
            lambda e: '%s: %s %s' % (e['test'], e['outcome'], e['reason'] or ''))
    entries('passed in the baseline, skipped now', cmp['newly_skipped'],
            lambda e: '%s: %s' % (e['test'], e['reason']))
    entries('passed in the baseline, not run now', cmp['missing'],
            lambda e: e['test'])
    entries('failed in the baseline, pass now', cmp['fixed'], lambda e: e['test'])
    lines.append('  %s: %d new failures' % ('FAIL' if cmp['new'] else 'OK', len(cmp['new'])))
    return '\n'.join(lines)


# --- command line --------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('run', help='run test modules, write a JSON result')
    r.add_argument('--python', required=True, help='the 2.7 interpreter')
    r.add_argument('--out', required=True, help='JSON result file')
    r.add_argument('--label', help='a name for the result (e.g. the OpenSSL leg)')
    r.add_argument('--all', action='store_true',
                   help="every module regrtest finds, not only MODULES")
    r.add_argument('--modules', nargs='+', help='these modules instead')
    r.add_argument('--exclude', nargs='+', default=[], help='modules not to run')
    r.add_argument('-u', dest='resources', help="regrtest's -u (resources)")
    r.add_argument('-j', dest='jobs', type=int, default=1,
                   help='modules run at once (default 1)')
    r.add_argument('--timeout', type=int, default=1200, help='per module, s')
    r.add_argument('--logdir', help="keep each module's regrtest output here")
    r.add_argument('--unittest', action='store_true',
                   help='the modules (--modules) are plain unittest modules, '
                   'run with --path as PYTHONPATH, not regrtest\'s')
    r.add_argument('--path', action='append', default=[],
                   help='with --unittest: a PYTHONPATH folder (repeat)')
    r.add_argument('--cwd', help='with --unittest: the working folder')
    c = sub.add_parser('compare', help='compare a result with the baseline')
    c.add_argument('baseline')
    c.add_argument('result')
    c.add_argument('--known', default=KNOWN_FILE)
    c.add_argument('--json', help='also write the comparison here')
    sub.add_parser('list', help='print MODULES, one a line')
    d = sub.add_parser('derive', help='derive the module list from a 2.7 tree')
    d.add_argument('source', help='a CPython 2.7 source tree')
    args = ap.parse_args(argv)

    if args.cmd == 'list':
        print('\n'.join(MODULES))
        return 0
    if args.cmd == 'derive':
        derived = derive_modules(os.path.join(args.source, 'Lib', 'test'))
        print('\n'.join(derived))
        if sorted(derived, key=str.lower) != sorted(MODULES, key=str.lower):
            print('differs from MODULES: +%s -%s' % (
                sorted(set(derived) - set(MODULES)),
                sorted(set(MODULES) - set(derived))), file=sys.stderr)
            return 1
        return 0
    if args.cmd == 'run':
        modules = (args.modules or
                   (all_modules(args.python) if args.all else list(MODULES)))
        modules = [m for m in modules if m not in args.exclude]

        def progress(m, rec):
            c = rec['counts']
            print('%-28s %-10s %6.1fs  %s' % (
                m, rec['outcome'], rec['duration'],
                rec['reason'] or ', '.join('%s %d' % kv for kv in sorted(c.items()))),
                flush=True)
        if args.unittest and not args.modules:
            ap.error('--unittest needs --modules')
        res = run(args.python, modules, args.out, args.label, args.resources,
                  args.jobs, args.timeout, args.logdir, progress,
                  args.path if args.unittest else None, args.cwd)
        s = summarize(res)
        print('%d modules in %.0f s: %d ok, %d failed, %d skipped; tests %d: '
              '%d ok, %d failed, %d skipped' % (
                  s['modules'], res['duration'], s['modules_ok'],
                  s['modules_failed'], s['modules_skipped'], s['tests'],
                  s['tests_ok'], s['tests_failed'], s['tests_skipped']))
        return 0
    if args.cmd == 'compare':
        with open(args.baseline) as f:
            baseline = json.load(f)
        with open(args.result) as f:
            result = json.load(f)
        known = load_known(args.known)
        cmp = compare(baseline, result, known)
        print(format_report(baseline, result, cmp, args.known))
        if args.json:
            with open(args.json, 'w') as f:
                json.dump(cmp, f, indent=1, sort_keys=True)
        return 1 if cmp['new'] else 0
    return 2


if __name__ == '__main__':
    sys.exit(main())
