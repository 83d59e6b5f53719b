"""The series' SSLObject and MemoryBIO tests, from its Lib/test/test_ssl.py,
on an unpatched 2.7 with backports.ssl_memorybio installed (Python 2).

    python2.7 backport_test_ssl.py LIBTEST

LIBTEST is the Lib/test folder of pristine 2.7.18 plus the series (its
test_ssl.py and certificates); it is imported as the package 'test' (not
all interpreters have theirs: Debian's is in libpython2.7-testsuite), and
the rest of the series' Lib stays off the path.  install() runs first; then every test of
a class named for MemoryBIO or SSLObject, and every other test whose code
uses wrap_bio, MemoryBIO or SSLObject, runs verbosely; those that test the
patched interpreter itself (NEEDS_PATCHED) are reported as skipped, with
the reason.  Exit status 0 when none failed.
"""
import atexit
import inspect
import os
import shutil
import sys
import tempfile
import unittest

# On PyPy (the backport's pure-Python path over PyPy's own _ssl): test id
# -> where PyPy's _ssl differs from CPython's, reported as skipped.  None
# of them is a weaker check: each case still fails or refuses, only the
# class or text of the error differs, or an obsolete or informational
# value is missing.
PYPY = "__pypy__" in sys.builtin_module_names
PYPY_DIFFERS = {
    "SSLObjectPairTests.test_calls_after_fatal_error":
        "after a bad record, PyPy's _ssl raises that SSLError again on the "
        "next read(), where CPython's raises SSLEOFError",
    "SSLObjectPairTests.test_hostname_mismatch":
        "the handshake fails with CERTIFICATE_VERIFY_FAILED, as it should, "
        "but without OpenSSL's verify message in the text (PyPy's binding "
        "has no SSL_get_verify_result)",
    "SSLObjectPairTests.test_hostname_mismatch_implicit_handshake":
        "as test_hostname_mismatch: CERTIFICATE_VERIFY_FAILED without the "
        "verify message",
    "SSLObjectPairTests.test_npn":
        "PyPy 7.3.3's _ssl selects no NPN protocol (selected_npn_protocol() "
        "is None); NPN is obsolete, ALPN works (test_alpn)",
    "SSLObjectPairTests.test_shared_ciphers":
        "PyPy's _ssl lists the server's ciphers, not only those the client "
        "offered too (its binding has no SSL_get_client_ciphers)",
    "SSLWantErrorTests.test_sslobject":
        "checks the '(_ssl.c:N)' that CPython's _ssl appends to the message",
    "SSLWantErrorTests.test_sslobject_nothing_to_read":
        "checks the '(_ssl.c:N)' that CPython's _ssl appends to the message",
}

# test id (Class.method) -> why it needs the patched interpreter
NEEDS_PATCHED = {
    "MemoryBIOTests.test_constructor":
        "checks that ssl.MemoryBIO is _ssl.MemoryBIO, the stock C module's",
    "SSLObjectPairTests.test_hostname_checked_in_python_without_openssl_support":
        "patches ssl._checks_hostname_first, a private name of the patched "
        "ssl.py",
    "SSLObjectTests.test_context_setter":
        "checks _sslobj.context, which here is the backport's own context "
        "over ctx2's SSL_CTX (sslobj.context is ctx2, as it checks first)",
    "SSLObjectTests.test_owner":
        "ends with the owner of an SSLSocket's _sslobj, the patched _ssl's",
    "SSLObjectTests.test_wrap_bio_arguments":
        "ends with SSLSocket's _sslobj.server_hostname, the patched _ssl's",
    "SSLObjectPairTests.test_sni_callback_without_owner":
        "calls the patched _SSLContext._wrap_bio() without an owner",
    "SSLObjectPairTests.test_refused_sni_leaves_no_error":
        "the stock SSLSocket leaves OpenSSL's error queued for the thread "
        "when it refuses a server name (the series fixes SSLSocket)",
    "SSLObjectTests.test_sslobject_class":
        "sets SSLContext.sslobject_class on the class, then per instance: "
        "the stock SSLContext has __slots__ and no __dict__ for the latter",
}
WORDS = ("wrap_bio", "MemoryBIO", "SSLObject", "sslobject")


def selected(cls, name):
    if "MemoryBIO" in cls.__name__ or "SSLObject" in cls.__name__:
        return True
    try:
        source = inspect.getsource(getattr(cls, name))
    except (IOError, TypeError):
        return False
    return any(w in source for w in WORDS)


def skipped(reason, why="needs a patched interpreter: "):
    def test(self):
        raise unittest.SkipTest(why + reason)
    return test


def main():
    libtest = os.path.abspath(sys.argv[1])
    from backports import ssl_memorybio
    import ssl
    assert not ssl_memorybio.NATIVE, "a patched interpreter: nothing to test"
    ssl_memorybio.install()
    top = tempfile.mkdtemp(prefix="backport-test-")
    atexit.register(shutil.rmtree, top)
    os.symlink(libtest, os.path.join(top, "test"))
    sys.path.insert(0, top)
    from test import test_ssl
    print("ssl: %s; %s; test_ssl from %s"
          % (ssl.OPENSSL_VERSION, sys.version.split()[0], test_ssl.__file__))
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for name in sorted(dir(test_ssl)):
        cls = getattr(test_ssl, name)
        if not (isinstance(cls, type) and issubclass(cls, unittest.TestCase)):
            continue
        for test in loader.getTestCaseNames(cls):
            if not selected(cls, test):
                continue
            tid = "%s.%s" % (cls.__name__, test)
            if tid in NEEDS_PATCHED:
                setattr(cls, test, skipped(NEEDS_PATCHED[tid]))
            elif PYPY and tid in PYPY_DIFFERS:
                setattr(cls, test, skipped(PYPY_DIFFERS[tid],
                                           "PyPy's _ssl differs: "))
            suite.addTest(cls(test))
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
