"""PyPy 2.7's path of backports.ssl_memorybio: no C, the pure-Python
MemoryBIO and SSL object over PyPy's own _ssl (lib_pypy/_cffi_ssl, cffi
over the OpenSSL PyPy was built with).

PyPy's _ssl carries a private MemoryBIO and _SSLContext._wrap_bio, but its
ssl.py exposes neither, and in PyPy 7.3.3's 2.7 _wrap_bio() cannot run (it
passes _SSLSocket one argument too many, and would give both directions
one BIO).  So this module makes the SSL object itself, as Python 3's
_ssl does (SSL_new on the context's SSL_CTX, SSL_set_bio with the two
BIOs), and runs it with PyPy's own _SSLSocket methods, which handle a
missing socket as non-blocking.  It offers what _sslobject.py (the
series' SSLObject) takes from the C module: the constants, and
_context_of(ctx)._wrap_bio().  A PyPy without those private pieces is
refused (ImportError saying what is missing).

Licensed under the PSF License Version 2 (LICENSE).
"""
import sys
import ssl
import thread as _thread

_WHAT = ("backports.ssl_memorybio on PyPy runs over PyPy's own _ssl "
         "(_cffi_ssl._stdssl: MemoryBIO, _SSLSocket, and _pypy_openssl's "
         "SSL_new, SSL_set_bio, BIO_up_ref)")


def _refuse(why):
    raise ImportError("%s, which this PyPy (%s) lacks: %s"
                      % (_WHAT, " ".join(sys.version.split()), why))


try:
    from _cffi_ssl import _stdssl
    from _cffi_ssl._stdssl import _SSLSocket, _SSLContext
    from _pypy_openssl import ffi, lib
except ImportError as e:
    _refuse(str(e))

for _name in ("SSL_new", "SSL_free", "SSL_set_bio", "BIO_up_ref",
              "SSL_set_app_data", "SSL_set_mode", "SSL_set_connect_state",
              "SSL_set_accept_state", "ERR_clear_error",
              "SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER"):
    if not hasattr(lib, _name):
        _refuse("no %s" % _name)
for _name in ("MemoryBIO", "SSL_CLIENT", "SSL_SERVER", "HAS_SNI", "HAS_NPN",
              "HAS_ALPN"):
    if not hasattr(_stdssl, _name):
        _refuse("no _stdssl.%s" % _name)
for _name in ("do_handshake", "read", "write", "peer_certificate", "cipher",
              "shared_ciphers", "compression", "version", "pending",
              "shutdown", "tls_unique_cb", "owner", "context", "server_side"):
    if not hasattr(_SSLSocket, _name):
        _refuse("no _SSLSocket.%s" % _name)
try:
    _probe = _stdssl.MemoryBIO()
    _probe.bio, _probe.eof_written
    del _probe
except Exception as e:
    _refuse("its MemoryBIO is not as expected (%s)" % e)

HAS_SNI = bool(_stdssl.HAS_SNI)
HAS_NPN = bool(_stdssl.HAS_NPN)
HAS_ALPN = bool(_stdssl.HAS_ALPN)
# PyPy's own _ssl does not check the host name during the handshake; this
# module makes OpenSSL do it (X509_VERIFY_PARAM_set1_host or _set1_ip).
_HOSTNAME_CHECK_IN_HANDSHAKE = True
_INT_TYPES = (int, long)
_INT_MAX = 2 ** 31 - 1


def _check_int(n):
    """As C's 'i' format: an int that fits in a C int."""
    if not isinstance(n, _INT_TYPES):
        raise TypeError("an integer is required, not %s" % type(n).__name__)
    if n > _INT_MAX:
        raise OverflowError("signed integer is greater than maximum")
    if n < -_INT_MAX - 1:
        raise OverflowError("signed integer is less than minimum")


# While an SSL object works on its BIOs (PyPy releases the GIL in cffi
# calls), nothing else may use them, nor may a callback run inside that
# call (the servername callback): a BIO or SSL call finding one busy
# raises RuntimeError, as the series' _ssl does, instead of corrupting
# memory.  A MemoryBIO's own calls mark it busy too, so that an SSL call
# cannot start on it meanwhile.  The flags change under _flags.
_flags = _thread.allocate_lock()
_BIO_BUSY = "this MemoryBIO is in use by an SSL call in progress"
_SSL_BUSY = "a MemoryBIO of this SSL object is in use by an SSL call in progress"


def _enter(bios, message):
    with _flags:
        for b in bios:
            if b._busy:
                raise RuntimeError(message)
        for b in bios:
            b._busy = True


def _leave(bios):
    with _flags:
        for b in bios:
            b._busy = False


def _bio_call(method):
    def call(self, *args):
        _enter((self,), _BIO_BUSY)
        try:
            return method(self, *args)
        finally:
            _leave((self,))
    call.__name__, call.__doc__ = method.__name__, method.__doc__
    return call


class MemoryBIO(object):
    """A buffer of bytes that TLS reads from or writes to (Python 3's
    ssl.MemoryBIO)."""
    __slots__ = ("_bio", "_busy", "__weakref__")

    def __init__(self):
        self._bio = _stdssl.MemoryBIO()
        self._busy = False

    @property
    @_bio_call
    def pending(self):
        """The number of bytes pending in the memory BIO."""
        return self._bio.pending

    @property
    @_bio_call
    def eof(self):
        """Whether the memory BIO is at EOF."""
        return self._bio.eof

    @_bio_call
    def read(self, size=-1):
        """Read up to size bytes from the memory BIO (all with -1)."""
        _check_int(size)
        return self._bio.read(size)

    def __reduce_ex__(self, protocol):
        raise TypeError("cannot pickle %s objects" % type(self).__name__)

    @_bio_call
    def write(self, b):
        """Write the bytes in b to the memory BIO; returns their number."""
        if isinstance(b, unicode):
            raise TypeError("a bytes-like object is required, not 'unicode'")
        try:
            data = memoryview(b).tobytes()
        except TypeError:
            try:
                data = bytes(buffer(b))
            except TypeError:
                raise TypeError("a bytes-like object is required, not '%s'"
                                % type(b).__name__)
        if self._bio.eof_written:
            raise ssl.SSLError("cannot write() after write_eof()")
        return self._bio.write(data)

    @_bio_call
    def write_eof(self):
        """Write an EOF marker to the memory BIO: once what is pending is
        read, the BIO reports EOF."""
        self._bio.write_eof()


def _ssl_call(method):
    def call(self, *args):
        _enter(self._bios, _SSL_BUSY)
        try:
            return method(self, *args)
        except ssl.SSLError as e:
            # the ssl module's own errors carry unicode text, as the
            # series' _ssl gives them
            if isinstance(getattr(e, "strerror", None), str):
                e.strerror = e.strerror.decode("ascii", "replace")
            raise
        finally:
            _leave(self._bios)
    call.__name__, call.__doc__ = method.__name__, method.__doc__
    return call


class _SSLObj(_SSLSocket):
    """The SSL object of an SSLObject (what the C module's _wrap_bio()
    returns on CPython): PyPy's _SSLSocket without a socket, over two
    MemoryBIOs, holding both so that they outlive it."""

    def write(self, data):
        if isinstance(data, unicode):
            raise TypeError("a bytes-like object is required, not 'unicode'")
        try:
            data = memoryview(data).tobytes()
        except TypeError:
            raise TypeError("a bytes-like object is required, not '%s'"
                            % type(data).__name__)
        if len(data) > _INT_MAX:
            raise OverflowError("string longer than 2147483647 bytes")
        if not data and self.handshake_done:
            return 0
        return self._write(data)

    @_ssl_call
    def _write(self, data):
        n = _SSLSocket.write(self, data)
        self._handshake_done_implicitly()
        return n

    def _handshake_done_implicitly(self):
        # read() and write() do the handshake when it is not done: once one
        # succeeded, it is (PyPy's _SSLSocket notes only do_handshake()'s)
        if not self.handshake_done:
            cert = lib.SSL_get_peer_certificate(self.ssl)
            if cert != ffi.NULL:
                cert = ffi.gc(cert, lib.X509_free)
            self.peer_cert = cert
            self.handshake_done = 1

    def read(self, length, buffer=None):
        _check_int(length)
        if buffer is None:
            return self._read(length)
        try:
            readonly = memoryview(buffer).readonly
        except TypeError:
            raise TypeError("read() argument 2 must be a writable buffer, "
                            "not %s" % type(buffer).__name__)
        if readonly:
            raise TypeError("read() argument 2 must be a writable buffer, "
                            "not %s" % type(buffer).__name__)
        return self._read(length, buffer)

    @_ssl_call
    def _read(self, *args):
        try:
            data = _SSLSocket.read(self, *args)
            self._handshake_done_implicitly()
            return data
        except ssl.SSLError as e:
            if lib.SSL_get_shutdown(self.ssl) & lib.SSL_RECEIVED_SHUTDOWN and \
                    not isinstance(e, ssl.SSLZeroReturnError):
                # the peer's close_notify came: the connection is closed,
                # as Python 3 reports it
                raise ssl.SSLZeroReturnError(
                    ssl.SSL_ERROR_ZERO_RETURN,
                    u"TLS/SSL connection has been closed (EOF)")
            raise

    @_ssl_call
    def do_handshake(self):
        try:
            return _SSLSocket.do_handshake(self)
        except ssl.SSLError as e:
            if getattr(e, "reason", None) == "CERTIFICATE_VERIFY_FAILED":
                raise _verify_error(self, e)
            raise

    def shared_ciphers(self):
        # Python 3: None on the client side and before the handshake
        if not self.server_side or not self.handshake_done:
            return None
        return _SSLSocket.shared_ciphers(self)

    def version(self):
        if not self.handshake_done:
            return None
        return _SSLSocket.version(self)

    @_ssl_call
    def shutdown(self):
        return _SSLSocket.shutdown(self)

    @_ssl_call
    def pending(self):
        return _SSLSocket.pending(self)


def _wrap_bio(ctx, incoming, outgoing, server_side, server_hostname,
              ssl_obj=None):
    if not isinstance(incoming, MemoryBIO) or \
            not isinstance(outgoing, MemoryBIO):
        raise TypeError("incoming and outgoing must be "
                        "backports.ssl_memorybio.MemoryBIO objects, not "
                        "%s and %s" % (type(incoming).__name__,
                                       type(outgoing).__name__))
    hostname = None
    if server_hostname is not None:
        if isinstance(server_hostname, unicode):
            hostname = server_hostname.encode("idna")
        elif isinstance(server_hostname, str):
            hostname = server_hostname
        else:
            raise TypeError("server_hostname must be a str or unicode, "
                            "not %s" % type(server_hostname).__name__)
        if "\0" in hostname:
            raise TypeError("server_hostname must not contain null "
                            "characters")
        if not hostname or hostname.startswith("."):
            raise ValueError("server_hostname cannot be an empty string "
                             "or start with a leading dot.")
    if not server_side and ctx.check_hostname and not hostname:
        raise ValueError("check_hostname requires server_hostname")
    self = _SSLObj(ctx)
    self.owner = ssl_obj
    self.server_hostname = hostname
    self.socket_type = _stdssl.SSL_SERVER if server_side else _stdssl.SSL_CLIENT
    lib.ERR_clear_error()
    s = lib.SSL_new(ctx.ctx)
    if s == ffi.NULL:
        raise ssl.SSLError("SSL_new failed")
    self.ssl = s = ffi.gc(s, lib.SSL_free)
    self._app_data_handle = ffi.new_handle(self)
    lib.SSL_set_app_data(s, ffi.cast("char*", self._app_data_handle))
    # SSL_set_bio takes one reference of each BIO, which SSL_free drops;
    # the MemoryBIO objects keep their own
    lib.BIO_up_ref(incoming._bio.bio)
    lib.BIO_up_ref(outgoing._bio.bio)
    lib.SSL_set_bio(s, incoming._bio.bio, outgoing._bio.bio)
    self._bios = (incoming, outgoing)
    mode = lib.SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
    if getattr(lib, "SSL_MODE_AUTO_RETRY", 0):
        mode |= lib.SSL_MODE_AUTO_RETRY
    lib.SSL_set_mode(s, mode)
    if HAS_SNI and hostname:
        # PyPy's binding declares it void: refuse here what OpenSSL refuses
        # (a name longer than TLSEXT_MAXLEN_host_name)
        if len(hostname) > 255:
            raise ssl.SSLError("cannot set the server name: longer than "
                               "255 bytes")
        lib.SSL_set_tlsext_host_name(s, ffi.new("char[]", hostname))
    if not server_side and hostname and ctx.check_hostname:
        # the host name checked by OpenSSL during the handshake (a
        # mismatch fails it with CERTIFICATE_VERIFY_FAILED), as the
        # series' _ssl does on OpenSSL >= 1.0.2
        _set_host(s, hostname)
        self._checked_host = hostname
    if server_side:
        lib.SSL_set_accept_state(s)
    else:
        lib.SSL_set_connect_state(s)
    return self


class _Context(object):
    """What _sslobject.py's SSLObject calls _wrap_bio() on."""
    __slots__ = ("ctx",)

    def __init__(self, ctx):
        self.ctx = ctx

    @property
    def check_hostname(self):
        return self.ctx.check_hostname

    def _wrap_bio(self, incoming, outgoing, server_side, server_hostname,
                  ssl_obj=None):
        return _wrap_bio(self.ctx, incoming, outgoing, server_side,
                         server_hostname, ssl_obj)


def _context_of(ctx):
    """The stock ssl.SSLContext, for the SSL object (the C module's
    _context_of() gives a context of its own sharing the SSL_CTX)."""
    if not isinstance(ctx, _SSLContext):
        raise TypeError("expected an ssl.SSLContext, got %s"
                        % type(ctx).__name__)
    return _Context(ctx)


def _sslobj_context(ctx):
    """What SSLObject.context = ctx gives the SSL object: the stock
    context itself (PyPy's _SSLSocket switches the SSL_CTX to its)."""
    if not isinstance(ctx, _SSLContext):
        raise TypeError("The value must be a SSLContext")
    return ctx


def _set_host(s, hostname):
    import socket
    param = lib.SSL_get0_param(s)
    ip = None
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            ip = socket.inet_pton(family, hostname)
            break
        except (socket.error, ValueError):
            pass
    if ip is not None:
        ok = lib.X509_VERIFY_PARAM_set1_ip(param, ffi.new("char[]", ip), len(ip))
    else:
        lib.X509_VERIFY_PARAM_set_hostflags(
            param, lib.X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS)
        ok = lib.X509_VERIFY_PARAM_set1_host(param, ffi.new("char[]", hostname),
                                             len(hostname))
    if ok != 1:
        raise ssl.SSLError("cannot check the server name %r" % hostname)


def _verify_error(sslobj, e):
    """CERTIFICATE_VERIFY_FAILED with OpenSSL's reason, as Python 3 says
    it: 'certificate verify failed: Hostname mismatch, certificate is not
    valid for 'NAME'.'"""
    # PyPy's binding has no SSL_get_verify_result(): the host name is what
    # failed when the peer's certificate does not match it
    host = getattr(sslobj, "_checked_host", None)
    text = None
    cert = lib.SSL_get_peer_certificate(sslobj.ssl)
    if host and cert != ffi.NULL:
        cert = ffi.gc(cert, lib.X509_free)
        try:
            ssl.match_hostname(_stdssl._decode_certificate(cert), host)
        except ssl.CertificateError:
            what = "IP address" if _is_ip(host) else "Hostname"
            text = "%s mismatch, certificate is not valid for '%s'." % (what, host)
        except Exception:
            pass
    if text is None:
        return e
    msg = u"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: %s" % text
    new = type(e)(e.args[0] if e.args else 1, msg)
    new.reason, new.library = e.reason, getattr(e, "library", "SSL")
    new.verify_message = text
    return new


def _is_ip(host):
    import socket
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
            return True
        except (socket.error, ValueError):
            pass
    return False
