"""Unit tests of tests/stdlib_compare.py's logic (Python 3).

No 2.7 interpreter is needed, except for the one test that runs a real
module: set STDLIB_COMPARE_PYTHON to a built 2.7 interpreter for it.
STDLIB_COMPARE_SOURCE (default: build/pristine) is a pristine 2.7.18 tree
whose Lib/test the module list is derived from.
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import stdlib_compare as sc  # noqa: E402

PYTHON27 = os.environ.get('STDLIB_COMPARE_PYTHON', '')
SOURCE = os.environ.get('STDLIB_COMPARE_SOURCE',
                        os.path.join(TOP, 'build', 'pristine'))


def module(outcome='ok', reason=None, **tests):
    """A module record; tests given as name=outcome or name=(outcome, reason)."""
    rec = {'outcome': outcome, 'reason': reason, 'duration': 0.1,
           'returncode': 0, 'tests': {}, 'counts': {}}
    for name, t in tests.items():
        if isinstance(t, str):
            t = (t, None)
        rec['tests']['test.mod.C.' + name] = {'outcome': t[0], 'reason': t[1]}
    return rec


def result(**modules):
    return {'label': 'x', 'python': '/x/python', 'openssl': 'OpenSSL x',
            'python_version': '2.7.18', 'modules': modules}


class DeriveTests(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)

    def write(self, name, text):
        with open(os.path.join(self.tmp, name), 'w') as f:
            f.write(text)

    def test_pattern(self):
        self.write('test_a.py', 'import os, ssl\n')
        self.write('test_b.py', 'import os\n# import ssl\nx = "hashlib"\n')
        self.write('test_c.py', "x = support.import_module('hashlib')\n")
        self.write('test_d.py', 'from logging.handlers import X\n')
        self.write('test_e.py', '    import SocketServer as ss\n')
        self.write('test_f.py', 'import sslx\nimport mysmtplib\n')
        self.write('test_G.py', 'from urllib2 import urlopen\n')
        self.write('helper.py', 'import ssl\n')
        self.assertEqual(sc.derive_modules(self.tmp),
                         ['test_a', 'test_c', 'test_d', 'test_e', 'test_G'])

    @unittest.skipUnless(os.path.isdir(os.path.join(SOURCE, 'Lib', 'test')),
                         'no pristine 2.7.18 tree')
    def test_modules_is_derived_list(self):
        derived = sc.derive_modules(os.path.join(SOURCE, 'Lib', 'test'))
        self.assertEqual(sorted(derived), sorted(sc.MODULES))

    def test_readme_shows_modules(self):
        # README shows MODULES: the indented lines made only of test names.
        readme = os.path.join(TOP, 'README')
        if not os.path.exists(readme):
            self.skipTest('no README')
        shown = []
        with open(readme) as f:
            for line in f:
                words = line.split()
                if (line.startswith('    ') and words and
                        all(w.startswith('test_') for w in words)):
                    shown.extend(words)
        self.assertEqual(sorted(shown), sorted(sc.MODULES))

    def test_resources(self):
        self.assertEqual(sc.regrtest_args_for('test_ssl'), [])
        self.assertEqual(sc.regrtest_args_for('test_socketserver'),
                         ['-u', 'network'])
        self.assertEqual(sc.regrtest_args_for('test_ssl', 'cpu'), ['-u', 'cpu'])
        self.assertEqual(sc.regrtest_args_for('test_socketserver', 'cpu'),
                         ['-u', 'cpu,network'])
        self.assertEqual(sc.regrtest_args_for('test_socketserver', 'all'),
                         ['-u', 'all'])


class ModuleRecordTests(unittest.TestCase):

    def test_crash_without_driver_data(self):
        rec = sc.module_record('test_x', None, 'a\nb\nSegmentation fault\n',
                               -11, 1.0)
        self.assertEqual(rec['outcome'], 'crashed')
        self.assertIn('-11', rec['reason'])
        self.assertIn('Segmentation fault', rec['reason'])

    def test_tests_and_counts(self):
        data = {'regrtest': ['FAILED'], 'exit': 2, 'tests': [
            ['test.test_x.C.test_a', 'ok', None],
            ['test.test_x.C.test_b', 'failed', 'AssertionError: 1 != 2'],
            ['test.test_x.C.test_c', 'skipped', 'needs IPv6'],
            # failure, then an error in tearDown: keeps the failure
            ['test.test_x.C.test_b', 'error', 'OSError'],
            # ok then error in tearDown: error wins
            ['test.test_x.C.test_d', 'ok', None],
            ['test.test_x.C.test_d', 'error', 'OSError: x'],
        ]}
        rec = sc.module_record('test_x', data, '', 1, 2.0)
        self.assertEqual(rec['outcome'], 'failed')
        self.assertEqual(rec['tests']['test.test_x.C.test_b'],
                         {'outcome': 'failed', 'reason': 'AssertionError: 1 != 2'})
        self.assertEqual(rec['tests']['test.test_x.C.test_d']['outcome'], 'error')
        self.assertEqual(rec['counts'], {'ok': 1, 'failed': 1, 'skipped': 1,
                                         'error': 1})

    def test_module_skipped(self):
        data = {'regrtest': ['RESOURCE_DENIED'], 'exit': 0, 'tests': []}
        out = ("Run tests sequentially\n0:00:00 [1/1] test_net\n"
               "test_net skipped -- Use of the `network' resource not enabled\n")
        rec = sc.module_record('test_net', data, out, 0, 0.5)
        self.assertEqual(rec['outcome'], 'skipped')
        self.assertEqual(rec['reason'],
                         "Use of the `network' resource not enabled")

    def test_failed_outside_tests(self):
        data = {'regrtest': ['FAILED'], 'exit': 2, 'tests': []}
        out = "test test_y crashed -- <type 'exceptions.ImportError'>: No module named _ssl\n"
        rec = sc.module_record('test_y', data, out, 2, 0.5)
        self.assertEqual(rec['outcome'], 'failed')
        self.assertIn('No module named _ssl', rec['reason'])

    def test_env_changed(self):
        data = {'regrtest': ['ENV_CHANGED'], 'exit': 0,
                'tests': [['test.test_z.C.test_a', 'ok', None]]}
        self.assertEqual(sc.module_record('test_z', data, '', 0, 0)['outcome'],
                         'env_changed')


class KnownTests(unittest.TestCase):

    def write(self, text):
        fd, path = tempfile.mkstemp()
        self.addCleanup(os.unlink, path)
        with os.fdopen(fd, 'w') as f:
            f.write(text)
        return path

    def test_load(self):
        path = self.write('# comment\n\n'
                          'test.test_import.I.test_t  no .pyc here  # why\n'
                          'test_net*   no internet\n')
        known = sc.load_known(path)
        self.assertEqual([(p, r) for p, r, n in known],
                         [('test.test_import.I.test_t', 'no .pyc here'),
                          ('test_net*', 'no internet')])
        self.assertEqual(sc.match_known(known, 'test_netx')[1], 'no internet')
        self.assertIsNone(sc.match_known(known, 'test.test_import.I.test_u'))

    def test_reason_required(self):
        path = self.write('test.test_x.C.test_a\n')
        with self.assertRaises(ValueError):
            sc.load_known(path)

    def test_repository_file(self):
        known = sc.load_known(sc.KNOWN_FILE)
        self.assertTrue(known)
        for pattern, reason, n in known:
            self.assertTrue(reason)


class CompareTests(unittest.TestCase):

    def test_no_difference(self):
        base = result(test_a=module(t1='ok', t2='skipped'))
        cmp = sc.compare(base, base, [])
        self.assertEqual(cmp['new'], [])
        self.assertIn('OK: 0 new failures', sc.format_report(base, base, cmp))

    def test_new_failure(self):
        base = result(test_a=module(t1='ok', t2='ok'))
        res = result(test_a=module('failed', t1='ok', t2=('error', 'socket.error: [Errno 0] Error')))
        cmp = sc.compare(base, res, [])
        self.assertEqual([(e['test'], e['baseline']) for e in cmp['new']],
                         [('test.mod.C.t2', 'ok')])
        report = sc.format_report(base, res, cmp)
        self.assertIn('FAIL: 1 new failures', report)
        self.assertIn('[Errno 0]', report)

    def test_failure_of_test_absent_from_baseline(self):
        base = result(test_a=module(t1='ok'))
        res = result(test_a=module('failed', t1='ok', t_new='failed'))
        cmp = sc.compare(base, res, [])
        self.assertEqual([(e['test'], e['baseline']) for e in cmp['new']],
                         [('test.mod.C.t_new', 'absent')])

    def test_failure_of_test_skipped_in_baseline(self):
        base = result(test_a=module(t1='skipped'))
        res = result(test_a=module('failed', t1='failed'))
        self.assertEqual(len(sc.compare(base, res, [])['new']), 1)

    def test_known_failure_reported_not_counted(self):
        base = result(test_a=module(t1='ok'))
        res = result(test_a=module('failed', t1='error'))
        known = [('test.mod.C.t1', 'the machine has no .pyc', 1)]
        cmp = sc.compare(base, res, known)
        self.assertEqual(cmp['new'], [])
        self.assertEqual([(e['test'], e['known']) for e in cmp['known']],
                         [('test.mod.C.t1', 'the machine has no .pyc')])
        report = sc.format_report(base, res, cmp)
        self.assertIn('KNOWN failures', report)
        self.assertIn('the machine has no .pyc', report)
        self.assertIn('OK: 0 new failures', report)

    def test_failure_in_baseline_too(self):
        base = result(test_a=module('failed', t1='failed'))
        res = result(test_a=module('failed', t1='failed'))
        cmp = sc.compare(base, res, [])
        self.assertEqual(cmp['new'], [])
        self.assertEqual([e['test'] for e in cmp['old']], ['test.mod.C.t1'])
        self.assertIn('not listed as known): 1',
                      sc.format_report(base, res, cmp))

    def test_module_crash(self):
        base = result(test_a=module(t1='ok'))
        res = result(test_a=module('crashed', 'no result (exit status -11)'))
        cmp = sc.compare(base, res, [])
        self.assertEqual([(e['test'], e['outcome']) for e in cmp['new']],
                         [('test_a', 'crashed')])

    def test_module_crash_known(self):
        base = result(test_a=module(t1='ok'))
        res = result(test_a=module('timeout', 'killed after 1200 s'))
        cmp = sc.compare(base, res, [('test_a', 'slow machine', 1)])
        self.assertEqual(cmp['new'], [])
        self.assertEqual(cmp['known'][0]['known'], 'slow machine')

    def test_module_skipped_now(self):
        base = result(test_a=module(t1='ok'))
        res = result(test_a=module('skipped', 'No module named _ssl'))
        cmp = sc.compare(base, res, [])
        self.assertEqual([(e['test'], e['outcome'], e['reason']) for e in cmp['new']],
                         [('test_a', 'skipped', 'No module named _ssl')])

    def test_module_skipped_in_both(self):
        base = result(test_net=module('skipped', 'network'))
        res = result(test_net=module('skipped', 'network'))
        self.assertEqual(sc.compare(base, res, [])['new'], [])

    def test_env_changed_is_new(self):
        base = result(test_a=module(t1='ok'))
        res = result(test_a=module('env_changed', t1='ok'))
        cmp = sc.compare(base, res, [])
        self.assertEqual([(e['test'], e['outcome']) for e in cmp['new']],
                         [('test_a', 'env_changed')])

    def test_newly_skipped_and_missing_reported(self):
        base = result(test_a=module(t1='ok', t2='ok', t3='failed'),
                      test_b=module(t1='ok'))
        res = result(test_a=module(t1=('skipped', 'needs SSLv3'), t3='ok'))
        cmp = sc.compare(base, res, [])
        self.assertEqual(cmp['new'], [])
        self.assertEqual([(e['test'], e['reason']) for e in cmp['newly_skipped']],
                         [('test.mod.C.t1', 'needs SSLv3')])
        self.assertEqual([e['test'] for e in cmp['missing']],
                         ['test.mod.C.t2', 'test_b'])
        self.assertEqual([e['test'] for e in cmp['fixed']], ['test.mod.C.t3'])

    def test_summarize(self):
        res = result(test_a=module('failed', t1='ok', t2='failed',
                                   t3=('skipped', 'IPv6 not enabled')),
                     test_b=module('skipped', 'network'))
        s = sc.summarize(res)
        self.assertEqual((s['modules'], s['modules_ok'], s['modules_failed'],
                          s['modules_skipped']), (2, 0, 1, 1))
        self.assertEqual((s['tests'], s['tests_ok'], s['tests_failed'],
                          s['tests_skipped']), (3, 1, 1, 1))
        self.assertEqual(s['skip_reasons'], {'IPv6 not enabled': 1,
                                             'network (whole module)': 1})


class CrashTests(unittest.TestCase):

    def test_crash_is_new_even_where_tests_failed_before(self):
        base = result(test_a=module('failed', t1='failed', t2='ok'))
        now = result(test_a=module('timeout', 'killed after 300 s'))
        cmp = sc.compare(base, now, [])
        self.assertEqual([e['test'] for e in cmp['new']], ['test_a'])

    def test_crash_in_both_is_old(self):
        base = result(test_a=module('crashed', 'no result'))
        now = result(test_a=module('crashed', 'no result'))
        self.assertEqual(sc.compare(base, now, [])['new'], [])


class CommandLineTests(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)

    def dump(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, 'w') as f:
            json.dump(data, f)
        return path

    def test_compare_exit_status(self):
        base = self.dump('b.json', result(test_a=module(t1='ok')))
        good = self.dump('g.json', result(test_a=module(t1='ok')))
        bad = self.dump('x.json', result(test_a=module('failed', t1='failed')))
        known = os.path.join(self.tmp, 'known.txt')
        open(known, 'w').close()
        with open(os.devnull, 'w') as null:
            stdout, sys.stdout = sys.stdout, null
            try:
                self.assertEqual(sc.main(['compare', base, good, '--known', known]), 0)
                self.assertEqual(sc.main(['compare', base, bad, '--known', known,
                                          '--json', os.path.join(self.tmp, 'c.json')]), 1)
            finally:
                sys.stdout = stdout
        with open(os.path.join(self.tmp, 'c.json')) as f:
            self.assertEqual(len(json.load(f)['new']), 1)


class UnittestModeTests(unittest.TestCase):
    """The mode for clients' own suites (tool/clients.sh)."""

    def test_env_has_only_the_paths_and_no_ci(self):
        saved = dict(os.environ)
        self.addCleanup(os.environ.update, saved)
        os.environ.update(CI='true', GITHUB_ACTIONS='1', PYTHONHOME='/x',
                          PYTHONPATH='/elsewhere', HOME_X='kept')
        env = sc.unittest_env(['/a', 'b'])
        self.assertEqual(env['PYTHONPATH'], '/a' + os.pathsep + os.path.abspath('b'))
        for k in ('CI', 'GITHUB_ACTIONS', 'PYTHONHOME'):
            self.assertNotIn(k, env)
        self.assertEqual(env['HOME_X'], 'kept')

    def test_driver_shares_the_recording(self):
        self.assertIn('class RecordingRunner', sc.UNITTEST_DRIVER)
        self.assertIn('loadTestsFromName(module)', sc.UNITTEST_DRIVER)
        self.assertNotIn('import regrtest', sc.UNITTEST_DRIVER)

    def test_unittest_needs_modules(self):
        with open(os.devnull, 'w') as null:
            stderr, sys.stderr = sys.stderr, null
            try:
                with self.assertRaises(SystemExit):
                    sc.main(['run', '--python', 'x', '--out', 'y', '--unittest'])
            finally:
                sys.stderr = stderr


class SSLSocketCompatTests(unittest.TestCase):
    """tests/sslsocket_compat.py's comparison (its cases need a 2.7)."""

    def setUp(self):
        import sslsocket_compat
        self.sc = sslsocket_compat

    def res(self, openssl, **cases):
        return {'python': '2.7.18', 'openssl': openssl,
                'cases': sorted((k.replace('_', '-'), v) for k, v in cases.items())}

    def test_openssl_series(self):
        self.assertEqual(self.sc.openssl_series('OpenSSL 1.1.1w  11 Sep 2023'), '1.1.1')
        self.assertEqual(self.sc.openssl_series('OpenSSL 3.0.19 27 Jan 2026'), '3')

    def test_compare(self):
        base = self.res('OpenSSL 1.1.1w', a='returns 1', b='raises x')
        same = self.res('OpenSSL 1.1.1w', a='returns 1', b='raises x')
        self.assertEqual(self.sc.compare(base, same, [])[1], 0)
        other = self.res('OpenSSL 3.0.2', a='returns 1', b='raises y')
        lines, bad = self.sc.compare(base, other, [])
        self.assertEqual(bad, 1)
        self.assertIn('DIFFERS b', '\n'.join(lines))
        self.assertEqual(self.sc.compare(base, other, [('3', 'b', 'why')])[1], 0)
        self.assertEqual(self.sc.compare(base, other, [('1.1.1', 'b', 'why')])[1], 1)
        self.assertEqual(self.sc.compare(base, other, [('*', '?', 'why')])[1], 0)
        missing = self.res('OpenSSL 1.1.1w', a='returns 1')
        self.assertEqual(self.sc.compare(base, missing, [])[1], 1)

    def test_allowed_file_reads(self):
        self.sc.load_allowed(self.sc.ALLOWED_FILE)


@unittest.skipUnless(PYTHON27 and os.path.exists(PYTHON27),
                     'set STDLIB_COMPARE_PYTHON to a 2.7 interpreter')
class RunTests(unittest.TestCase):

    def test_run_unittest_module(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        with open(os.path.join(tmp, 'mod_x.py'), 'w') as f:
            f.write('import unittest\n'
                    'class T(unittest.TestCase):\n'
                    '    def test_ok(self): pass\n'
                    '    def test_bad(self): self.fail("no")\n'
                    '    @unittest.skip("why")\n'
                    '    def test_skip(self): pass\n')
        out = os.path.join(tmp, 'r.json')
        res = sc.run(PYTHON27, ['mod_x', 'mod_missing'], out, 'unit', paths=[tmp])
        x = res['modules']['mod_x']
        self.assertEqual(x['outcome'], 'failed')
        self.assertEqual(x['counts'], {'ok': 1, 'failed': 1, 'skipped': 1})
        self.assertEqual(x['tests']['mod_x.T.test_skip']['reason'], 'why')
        missing = res['modules']['mod_missing']
        self.assertEqual(missing['outcome'], 'failed')
        self.assertIn('mod_missing', missing['reason'])

    def test_run_one_module(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        out = os.path.join(tmp, 'r.json')
        res = sc.run(PYTHON27, ['test_hmac', 'test_smtpnet'], out, 'unit')
        with open(out) as f:
            self.assertEqual(json.load(f)['modules'].keys(), res['modules'].keys())
        hmac = res['modules']['test_hmac']
        self.assertEqual(hmac['outcome'], 'ok')
        self.assertGreater(hmac['counts']['ok'], 10)
        self.assertTrue(all(t['outcome'] == 'ok' for t in hmac['tests'].values()))
        net = res['modules']['test_smtpnet']
        self.assertEqual(net['outcome'], 'skipped')
        self.assertIn('network', net['reason'])
        self.assertEqual(res['python_version'], '2.7.18')


if __name__ == '__main__':
    unittest.main()
