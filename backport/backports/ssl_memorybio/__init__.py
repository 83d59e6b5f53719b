"""ssl.MemoryBIO, ssl.SSLObject and SSLContext.wrap_bio() (PEP 546) for a
CPython 2.7 that was not built with them.

    from backports import ssl_memorybio
    ssl_memorybio.install()     # then: ctx.wrap_bio(incoming, outgoing, ...)

or, leaving the ssl module as it is:

    sslobj = ssl_memorybio.wrap_bio(ctx, incoming, outgoing,
                                    server_hostname="example.org")

The C is the PEP 546 series' own _ssl.c, built as a module of its own that
runs over the SSL_CTX of the interpreter's stock ssl.SSLContext, so every
setting of that context applies, and raises the stock ssl.SSLError classes.
On an interpreter that has the API already (patched), this module gives
that API and install() does nothing.

Licensed under the PSF License Version 2 (see LICENSE).
"""
import os
import ssl
import sys
import weakref

__all__ = ["MemoryBIO", "SSLObject", "install", "wrap_bio"]

# 2.7.9 brought SSLContext, whose SSL_CTX pointer this module uses;
# OpenSSL 1.1.0 needs 2.7.13 and 1.1.1 (TLS 1.3) 2.7.16, the first releases
# whose _ssl supports them (bpo-26470, bpo-32947).
MINIMUM = ((0x00000000, (2, 7, 9)), (0x10100000, (2, 7, 13)),
           (0x10101000, (2, 7, 16)))


def check_interpreter(version_info, openssl_version_number):
    """Raise ImportError where this backport cannot run: an interpreter
    older than the first 2.7 that supports its OpenSSL."""
    version = tuple(version_info[:3])
    if version[:2] != (2, 7):
        raise ImportError("backports.ssl_memorybio is for CPython 2.7, "
                          "not %s" % ".".join(map(str, version)))
    for openssl, python in MINIMUM:
        if openssl_version_number >= openssl and version < python:
            raise ImportError(
                "backports.ssl_memorybio needs CPython %s or later with "
                "OpenSSL 0x%x (this is %s): older 2.7s lack SSLContext or "
                "do not support this OpenSSL"
                % (".".join(map(str, python)), openssl_version_number,
                   ".".join(map(str, version))))


PYPY = "__pypy__" in sys.builtin_module_names


def _other_build_message(error, here, debug, suffixes, executable):
    """What to say when the C module does not load because it was built
    for the other build of this 2.7 (plain or debug: Debian's python2.7
    and python2.7-dbg, python.org's --with-pydebug); None otherwise."""
    text = str(error)
    kind = "debug" if debug else "plain (non-debug)"
    other = "plain (non-debug)" if debug else "debug"
    try:
        names = os.listdir(here)
    except OSError:
        names = []
    built = sorted(n for n in names if n.startswith("_ssl_memorybio")
                   and n.endswith(".so"))
    ours = ["_ssl_memorybio" + s for s in suffixes]
    if "Py_InitModule4" in text:
        # undefined symbol: Py_InitModule4_64 (a plain build in a debug
        # interpreter) or Py_InitModule4TraceRefs_64 (the other way round)
        why = "was built for a %s interpreter" % other
    elif built and not [n for n in built if n in ours]:
        why = ("is there only as %s, which this interpreter does not load "
               "(it loads %s): built for a %s interpreter"
               % (", ".join(built), " or ".join(ours), other))
    else:
        return None
    return ("backports.ssl_memorybio's C module in %s %s, and %s is a %s "
            "build of Python 2.7: build and install the package with this "
            "interpreter too ('%s setup.py install' in the unpacked tarball, "
            "or '%s -m pip install backports.ssl_memorybio-VERSION.tar.gz'); "
            "each build needs its own (%s)"
            % (here, why, executable, kind, executable, executable, text))


def _load_c():
    try:
        from backports.ssl_memorybio import _ssl_memorybio
    except ImportError as e:
        import imp
        suffixes = [s for s, _, kind in imp.get_suffixes()
                    if kind == imp.C_EXTENSION]
        message = _other_build_message(
            e, os.path.dirname(os.path.abspath(__file__)),
            hasattr(sys, "gettotalrefcount"), suffixes,
            os.path.basename(sys.executable or "python2.7"))
        if message is None:
            raise
        raise ImportError(message)
    return _ssl_memorybio


if hasattr(ssl, "MemoryBIO") and hasattr(ssl.SSLContext, "wrap_bio") and \
        not getattr(ssl.SSLContext.__dict__.get("wrap_bio"), "_backport", 0):
    # A patched interpreter: its own API, nothing to add.
    NATIVE = True
    MemoryBIO, SSLObject = ssl.MemoryBIO, ssl.SSLObject

    def wrap_bio(ctx, incoming, outgoing, server_side=False,
                 server_hostname=None, session=None):
        return ctx.wrap_bio(incoming, outgoing, server_side=server_side,
                            server_hostname=server_hostname, session=session)

    def install():
        """Nothing to do: this interpreter has ssl.MemoryBIO already."""
else:
    NATIVE = False
    check_interpreter(sys.version_info, ssl.OPENSSL_VERSION_NUMBER)
    if PYPY:
        # no C: the pure-Python path over PyPy's own _ssl (ImportError for
        # a PyPy without its private memory-BIO pieces)
        from backports.ssl_memorybio import _pypy as _c
        _sslobj_context = _c._sslobj_context
    else:
        # ImportError for an OpenSSL other than the one _ssl loaded, and
        # for a module built for the other build of 2.7 (plain or debug)
        _c = _load_c()
        _sslobj_context = _c._context_of
    from backports.ssl_memorybio import _sslobject

    # A debug interpreter's servername callback asserts that the SSL
    # object is its own type, which an SSLObject of this module is not.
    DEBUG_INTERPRETER = hasattr(sys, "gettotalrefcount")

    MemoryBIO = _c.MemoryBIO

    class SSLObject(_sslobject.SSLObject):
        # The series' SSLObject (Lib/ssl.py, copied by tool/sdist.sh) over
        # a context of _ssl_memorybio that shares the stock context's
        # SSL_CTX; 'context' stays the stock ssl.SSLContext.
        __slots__ = ("_context",)

        @classmethod
        def _create(cls, incoming, outgoing, server_side=False,
                    server_hostname=None, session=None, context=None):
            if server_side and DEBUG_INTERPRETER:
                raise RuntimeError(
                    "backports.ssl_memorybio: no server side on a debug "
                    "interpreter: its servername callback would abort")
            self = super(SSLObject, cls)._create(
                incoming, outgoing, server_side, server_hostname, session,
                _c._context_of(context))
            self._context = context
            return self

        @property
        def context(self):
            """The SSLContext object this SSL object is tied to."""
            return self._context

        @context.setter
        def context(self, ctx):
            self._sslobj.context = _sslobj_context(ctx)
            self._context = ctx

    class _SSLObjectClass(object):
        """SSLContext.sslobject_class: the class wrap_bio() instantiates,
        settable per context as in Python 3 (kept beside the context: the
        stock class has __slots__)."""

        def __init__(self, default):
            self.default = default
            self.per_context = weakref.WeakKeyDictionary()

        def __get__(self, ctx, owner):
            if ctx is None:
                return self.default
            return self.per_context.get(ctx, self.default)

        def __set__(self, ctx, value):
            self.per_context[ctx] = value

        def __delete__(self, ctx):
            try:
                del self.per_context[ctx]
            except KeyError:
                raise AttributeError("sslobject_class")

    # SSLContext.wrap_bio() as the series has it (Lib/ssl.py)
    _wrap_bio_method = _sslobject.wrap_bio
    _wrap_bio_method._backport = True

    class _Unpatched(object):
        """What the series' wrap_bio() gets as self before install(): the
        stock context, with SSLObject as its sslobject_class."""
        __slots__ = ("ctx",)

        def __init__(self, ctx):
            self.ctx = ctx

        @property
        def sslobject_class(self):
            return self

        def _create(self, *args, **kwargs):
            kwargs["context"] = self.ctx
            return SSLObject._create(*args, **kwargs)

    def wrap_bio(ctx, incoming, outgoing, server_side=False,
                 server_hostname=None, session=None):
        """ctx.wrap_bio(...) without changing the ssl module: an SSLObject
        over ctx (after install(), ctx.wrap_bio() itself)."""
        if "wrap_bio" in ssl.SSLContext.__dict__:
            return ctx.wrap_bio(incoming, outgoing, server_side,
                                server_hostname, session)
        if not isinstance(ctx, ssl.SSLContext):
            raise TypeError("expected an ssl.SSLContext, got %s"
                            % type(ctx).__name__)
        return _wrap_bio_method(_Unpatched(ctx), incoming, outgoing,
                                server_side, server_hostname, session)

    def install():
        """Add MemoryBIO, SSLObject, SSLContext.wrap_bio() and
        SSLContext.sslobject_class to the stock ssl module (once)."""
        if "wrap_bio" in ssl.SSLContext.__dict__:
            return
        ssl.MemoryBIO = MemoryBIO
        ssl.SSLObject = SSLObject
        ssl.SSLContext.sslobject_class = _SSLObjectClass(SSLObject)
        ssl.SSLContext.wrap_bio = _wrap_bio_method
