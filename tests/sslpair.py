"""A client and a server ssl.SSLObject wired through ssl.MemoryBIOs.

Shared by the scripts of tests/ (fuzz_sslobject.py, threads_sslobject.py,
misuse_sslobject.py: `import sslpair` finds this file because a script's
own folder is sys.path[0]) and by bench/bench.py.  Runs under Python 2.7
with PEP 546 and under Python 3.

    sctx, cctx = make_contexts(certfile)
    p = Pair(sctx, cctx)
    if not p.handshake():
        ...
    p.c.write(b"hello"); move(p.cout, p.sin); p.s.read()

The client (p.c) reads the records it gets from p.cin and writes the ones
it sends to p.cout; the server (p.s) likewise with p.sin and p.sout.
Bytes move between the two only when the caller moves them.
"""
import ssl


def make_context(server, certfile=None):
    """A server context with the certificate and key of `certfile`, or a
    client context that does not check the server (no hostname check,
    CERT_NONE).  PROTOCOL_TLS_SERVER / PROTOCOL_TLS_CLIENT where the ssl
    module has them, else PROTOCOL_TLS (PROTOCOL_SSLv23 before 2.7.13)."""
    proto = getattr(ssl, "PROTOCOL_TLS_SERVER" if server
                    else "PROTOCOL_TLS_CLIENT", None)
    if proto is None:
        proto = getattr(ssl, "PROTOCOL_TLS", ssl.PROTOCOL_SSLv23)
    ctx = ssl.SSLContext(proto)
    if server:
        ctx.load_cert_chain(certfile)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def make_contexts(certfile):
    """(server context, client context), see make_context()."""
    return make_context(True, certfile), make_context(False)


def do_handshake(obj):
    """obj.do_handshake(); True when done, False when it wants records
    from the peer first."""
    try:
        obj.do_handshake()
        return True
    except ssl.SSLWantReadError:
        return False


def try_read(obj, n=16384):
    """obj.read(n), or None when no application data is there yet."""
    try:
        return obj.read(n)
    except ssl.SSLWantReadError:
        return None


def move(src, dst):
    """Move what is waiting in MemoryBIO src to MemoryBIO dst."""
    data = src.read()
    if data:
        dst.write(data)


class Pair(object):
    """A client (c) and a server (s) on four new MemoryBIOs.
    server_hostname goes to the client (SNI); with None the ClientHello
    carries no server name."""

    def __init__(self, sctx, cctx, server_hostname=None):
        self.cin, self.cout = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.sin, self.sout = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.c = cctx.wrap_bio(self.cin, self.cout, server_side=False,
                               server_hostname=server_hostname)
        self.s = sctx.wrap_bio(self.sin, self.sout, server_side=True)

    def astuple(self):
        """(c, s, cin, cout, sin, sout)"""
        return self.c, self.s, self.cin, self.cout, self.sin, self.sout

    def handshake(self, rounds=8):
        """Step the client, move its records, step the server, move its
        records, until both are done (True) or `rounds` rounds have passed
        (False).  What the server sends last (TLS 1.3 session tickets) is
        moved to cin but not read."""
        cdone = sdone = False
        for _ in range(rounds):
            if not cdone:
                cdone = do_handshake(self.c)
            move(self.cout, self.sin)
            if not sdone:
                sdone = do_handshake(self.s)
            move(self.sout, self.cin)
            if cdone and sdone:
                return True
        return False
