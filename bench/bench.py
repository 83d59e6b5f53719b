#!/usr/bin/env python
"""In-memory TLS benchmark for ssl.SSLObject/MemoryBIO and pyOpenSSL.

Runs under Python 2.7 (patched with PEP 546) and Python 3, and prints ONE
JSON line with the requested figure:

    python bench/bench.py --impl ssl|pyopenssl \
        --figure handshake|small|bulk|rss|evsmall|evbulk|evsock \
        [--seconds S] [--certdir DIR]

Figures
  handshake  full handshakes per second; a new client+server pair each
             time, records moved through memory BIOs, until both sides are
             done and the client has consumed everything the server sent
             (TLS 1.3 session tickets included).
  small      64-byte messages per second, one direction: the client writes
             64 bytes, the record is moved to the server, the server reads.
  bulk       MB/s (10**6 bytes/s, as `openssl speed` counts) of application
             data for 256 MiB written by the client in 16 KiB writes,
             moved, and read by the server.
  rss        peak RSS (ru_maxrss, KiB) with 1000 live handshaken pairs, and
             the growth over the RSS measured just before making them.

The event-loop pattern: asyncio's sslproto, trollius and loops over
non-blocking sockets (gevent, tornado) read until SSLWantReadError (for
pyOpenSSL: WantReadError) every time data arrives, so that exception is
raised once per message.  Each read asks for EV_READ (65536) bytes, as
such a loop does (pyOpenSSL: EV_READ_PYOPENSSL, 16384, one full record,
since its recv() allocates and zeroes the whole buffer on every call).
  evsmall    64-byte messages per second: the client writes 64 bytes, the
             record is moved to the server, which reads until
             SSLWantReadError.
  evbulk     MB/s of 16 KiB writes, each moved and read by the server
             until SSLWantReadError.
  evsock     64-byte messages per second over a non-blocking SSLSocket
             pair on socket.socketpair() (setblocking(False)): the client
             send()s 64 bytes, the server recv()s until SSLWantReadError.
             pyOpenSSL: Connection(ctx, sock) on the same socketpair.

TLS settings are the same for every implementation: TLS 1.3 with
TLS_AES_256_GCM_SHA384 and the default (X25519) key exchange, server
certificate Lib/test/keycert.pem (RSA 3072), client without certificate
verification.  `--tls 1.2` switches to TLS 1.2 ECDHE-RSA-AES256-GCM-SHA384.
The negotiated version and cipher are checked and printed in the JSON line.
"""
from __future__ import print_function

import argparse
import gc
import json
import os
import sys
import time

# The client/server pair on MemoryBIOs that the tests drive too.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "tests"))
import sslpair  # noqa: E402

try:
    import resource
except ImportError:  # pragma: no cover
    resource = None

try:
    clock = time.perf_counter
except AttributeError:  # Python 2
    clock = time.time

MSG = b"x" * 64
EV_READ = 65536
EV_READ_PYOPENSSL = 16384
BULK_CHUNK = 16384
BULK_TOTAL = 256 * 1024 * 1024
RSS_PAIRS = 1000
CIPHER13 = "TLS_AES_256_GCM_SHA384"
CIPHER12 = "ECDHE-RSA-AES256-GCM-SHA384"


def maxrss_kib():
    if resource is None:
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cur_rss_kib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (IOError, OSError):
        pass
    return 0


class Fail(Exception):
    pass


def socketpair():
    """A pair of connected non-blocking socket.socket objects (2.7's
    socket.socketpair() returns _socket.socket ones: wrap them)."""
    import socket
    pair = socket.socketpair()
    if not isinstance(pair[0], socket.socket):
        pair = tuple(socket.socket(_sock=x) for x in pair)
    for x in pair:
        x.setblocking(False)
    return pair


# ---------------------------------------------------------------------------
# Python's own ssl module: SSLContext.wrap_bio + MemoryBIO
# ---------------------------------------------------------------------------

class StdlibImpl(object):
    name = "ssl"

    def __init__(self, certfile, tls):
        import ssl
        self.ssl = ssl
        if not hasattr(ssl, "MemoryBIO"):
            raise Fail("this ssl module has no MemoryBIO")
        self.WantRead = ssl.SSLWantReadError
        self.sctx = self._ctx(True, certfile, tls)
        self.cctx = self._ctx(False, certfile, tls)
        self.library = ssl.OPENSSL_VERSION

    def _ctx(self, server, certfile, tls):
        ssl = self.ssl
        ctx = sslpair.make_context(server, certfile)
        if tls == "1.2":
            ctx.set_ciphers(CIPHER12)
            if hasattr(ctx, "maximum_version"):
                ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            else:
                ctx.options |= ssl.OP_NO_TLSv1_3
        else:
            if hasattr(ctx, "minimum_version"):
                ctx.minimum_version = ssl.TLSVersion.TLSv1_3
            else:
                ctx.options |= (ssl.OP_NO_TLSv1 | ssl.OP_NO_TLSv1_1 |
                                ssl.OP_NO_TLSv1_2)
        return ctx

    def pair(self):
        """Return a handshaken (client, server, bios) triple."""
        p = sslpair.Pair(self.sctx, self.cctx)
        if not p.handshake(20):
            raise Fail("handshake did not finish")
        c, s, cin, cout, sin, sout = p.astuple()
        # let the client consume what is left (TLS 1.3 session tickets)
        try:
            c.read(1)
            raise Fail("unexpected application data")
        except self.WantRead:
            pass
        return c, s, (cin, cout, sin, sout)

    def describe(self, pair):
        c = pair[0]
        return c.version(), c.cipher()[0]

    def small(self, pair, n):
        c, s, (cin, cout, sin, sout) = pair
        cw, mv_r, mv_w, sr = c.write, cout.read, sin.write, s.read
        msg = MSG
        got = 0
        for _ in range(n):
            cw(msg)
            mv_w(mv_r())
            got += len(sr(1024))
        if got != n * len(msg):
            raise Fail("small: got %d bytes" % got)

    def bulk(self, pair, total):
        c, s, (cin, cout, sin, sout) = pair
        cw, mv_r, mv_w, sr = c.write, cout.read, sin.write, s.read
        chunk = b"\xa5" * BULK_CHUNK
        got = 0
        for _ in range(total // BULK_CHUNK):
            cw(chunk)
            mv_w(mv_r())
            got += len(sr(BULK_CHUNK))
        if got != total:
            raise Fail("bulk: got %d of %d bytes" % (got, total))
        return got

    def ev(self, pair, n, msg):
        """n times: write msg, move it, read until SSLWantReadError."""
        c, s, (cin, cout, sin, sout) = pair
        cw, mv_r, mv_w, sr = c.write, cout.read, sin.write, s.read
        WantRead = self.WantRead
        size = EV_READ
        got = 0
        for _ in range(n):
            cw(msg)
            mv_w(mv_r())
            try:
                while True:
                    got += len(sr(size))
            except WantRead:
                pass
        if got != n * len(msg):
            raise Fail("ev: got %d of %d bytes" % (got, n * len(msg)))

    def sock_pair(self):
        """A handshaken non-blocking SSLSocket pair on a socketpair."""
        a, b = socketpair()
        c = self.cctx.wrap_socket(a, server_side=False,
                                  do_handshake_on_connect=False)
        s = self.sctx.wrap_socket(b, server_side=True,
                                  do_handshake_on_connect=False)
        wants = (self.WantRead, self.ssl.SSLWantWriteError)
        done = [False, False]
        for _ in range(50):
            for i, x in enumerate((c, s)):
                if not done[i]:
                    try:
                        x.do_handshake()
                        done[i] = True
                    except wants:
                        pass
            if all(done):
                break
        else:
            raise Fail("socket handshake did not finish")
        try:
            c.recv(1)  # consume the TLS 1.3 session tickets
            raise Fail("unexpected application data")
        except self.WantRead:
            pass
        return c, s, (a, b)

    def evsock(self, pair, n):
        c, s, _ = pair
        cw, sr = c.send, s.recv
        WantRead = self.WantRead
        msg = MSG
        size = EV_READ
        got = 0
        for _ in range(n):
            cw(msg)
            try:
                while True:
                    got += len(sr(size))
            except WantRead:
                pass
        if got != n * len(msg):
            raise Fail("evsock: got %d of %d bytes" % (got, n * len(msg)))


# ---------------------------------------------------------------------------
# pyOpenSSL: OpenSSL.SSL.Connection without a socket (memory BIOs)
# ---------------------------------------------------------------------------

class PyOpenSSLImpl(object):
    name = "pyopenssl"

    def __init__(self, certfile, tls):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from OpenSSL import SSL
            import OpenSSL
        self.SSL = SSL
        self.WantRead = SSL.WantReadError
        self.sctx = self._ctx(True, certfile, tls)
        self.cctx = self._ctx(False, certfile, tls)
        self.library = "pyOpenSSL %s on %s" % (
            OpenSSL.__version__,
            SSL.SSLeay_version(SSL.SSLEAY_VERSION).decode("ascii"))

    def _ctx(self, server, certfile, tls):
        SSL = self.SSL
        ctx = SSL.Context(getattr(SSL, "TLS_METHOD", SSL.SSLv23_METHOD))
        # the same options Python's SSLContext sets by default
        opts = (SSL.OP_ALL | SSL.OP_NO_SSLv2 | SSL.OP_NO_SSLv3 |
                SSL.OP_NO_COMPRESSION | SSL.OP_CIPHER_SERVER_PREFERENCE |
                SSL.OP_SINGLE_DH_USE | SSL.OP_SINGLE_ECDH_USE)
        if tls == "1.2":
            opts |= getattr(SSL, "OP_NO_TLSv1_3", 0x20000000)
            ctx.set_cipher_list(CIPHER12.encode("ascii"))
        else:
            opts |= SSL.OP_NO_TLSv1 | SSL.OP_NO_TLSv1_1 | SSL.OP_NO_TLSv1_2
        ctx.set_options(opts)
        if server:
            ctx.use_certificate_chain_file(certfile)
            ctx.use_privatekey_file(certfile)
        else:
            ctx.set_verify(SSL.VERIFY_NONE, lambda *a: True)
        return ctx

    def _drain(self, conn, size=65536):
        WantRead = self.WantRead
        out = []
        while True:
            try:
                out.append(conn.bio_read(size))
            except WantRead:
                break
        return b"".join(out)

    def pair(self):
        SSL = self.SSL
        WantRead = self.WantRead
        c = SSL.Connection(self.cctx, None)
        c.set_connect_state()
        s = SSL.Connection(self.sctx, None)
        s.set_accept_state()
        cdone = sdone = False
        for _ in range(20):
            if not cdone:
                try:
                    c.do_handshake()
                    cdone = True
                except WantRead:
                    pass
            d = self._drain(c)
            if d:
                s.bio_write(d)
            if not sdone:
                try:
                    s.do_handshake()
                    sdone = True
                except WantRead:
                    pass
            d = self._drain(s)
            if d:
                c.bio_write(d)
            if cdone and sdone:
                break
        else:
            raise Fail("handshake did not finish")
        try:
            c.recv(1)
            raise Fail("unexpected application data")
        except WantRead:
            pass
        return c, s, ()

    def describe(self, pair):
        c = pair[0]
        return c.get_protocol_version_name(), c.get_cipher_name()

    def small(self, pair, n):
        # One 64-byte write is one record of 64 + 22 bytes: a single
        # bio_read of a modest buffer moves it (pyOpenSSL allocates and
        # zeroes the whole buffer on every bio_read, so keep it small).
        c, s, _ = pair
        cw, mv_r, mv_w, sr = c.send, c.bio_read, s.bio_write, s.recv
        msg = MSG
        got = 0
        for _ in range(n):
            cw(msg)
            mv_w(mv_r(1024))
            got += len(sr(1024))
        if got != n * len(msg):
            raise Fail("small: got %d bytes" % got)

    def bulk(self, pair, total):
        # One 16 KiB write is one record of 16384 + 22 bytes.
        c, s, _ = pair
        cw, mv_r, mv_w, sr = c.send, c.bio_read, s.bio_write, s.recv
        chunk = b"\xa5" * BULK_CHUNK
        rsize = BULK_CHUNK + 1024
        got = 0
        for _ in range(total // BULK_CHUNK):
            cw(chunk)
            mv_w(mv_r(rsize))
            got += len(sr(BULK_CHUNK))
        if got != total:
            raise Fail("bulk: got %d of %d bytes" % (got, total))
        return got

    def ev(self, pair, n, msg):
        c, s, _ = pair
        cw, mv_r, mv_w, sr = c.send, c.bio_read, s.bio_write, s.recv
        WantRead = self.WantRead
        rsize = len(msg) + 1024  # one record
        size = EV_READ_PYOPENSSL
        got = 0
        for _ in range(n):
            cw(msg)
            mv_w(mv_r(rsize))
            try:
                while True:
                    got += len(sr(size))
            except WantRead:
                pass
        if got != n * len(msg):
            raise Fail("ev: got %d of %d bytes" % (got, n * len(msg)))

    def sock_pair(self):
        SSL = self.SSL
        a, b = socketpair()
        c = SSL.Connection(self.cctx, a)
        c.set_connect_state()
        s = SSL.Connection(self.sctx, b)
        s.set_accept_state()
        wants = (SSL.WantReadError, SSL.WantWriteError)
        done = [False, False]
        for _ in range(50):
            for i, x in enumerate((c, s)):
                if not done[i]:
                    try:
                        x.do_handshake()
                        done[i] = True
                    except wants:
                        pass
            if all(done):
                break
        else:
            raise Fail("socket handshake did not finish")
        try:
            c.recv(1)
            raise Fail("unexpected application data")
        except self.WantRead:
            pass
        return c, s, (a, b)

    def evsock(self, pair, n):
        c, s, _ = pair
        cw, sr = c.send, s.recv
        WantRead = self.WantRead
        msg = MSG
        size = EV_READ_PYOPENSSL
        got = 0
        for _ in range(n):
            cw(msg)
            try:
                while True:
                    got += len(sr(size))
            except WantRead:
                pass
        if got != n * len(msg):
            raise Fail("evsock: got %d of %d bytes" % (got, n * len(msg)))


# ---------------------------------------------------------------------------

def timed_loop(step, seconds, batch, count=None):
    """Call step(batch) until `seconds` have passed; return (count, dt).
    With count, call step(count) once instead: for counting instructions,
    where only the number of operations matters."""
    n = 0
    t0 = clock()
    while True:
        step(count or batch)
        n += count or batch
        dt = clock() - t0
        if count or dt >= seconds:
            return n, dt


def fig_handshake(impl, seconds, count=None):
    pair = impl.pair

    def step(k):
        for _ in range(k):
            pair()
    step(3)  # warm up
    n, dt = timed_loop(step, seconds, 10, count)
    return {"value": n / dt, "unit": "handshakes/s", "count": n,
            "elapsed": dt}


def fig_small(impl, seconds, count=None):
    p = impl.pair()
    impl.small(p, 1000)  # warm up

    def step(k):
        impl.small(p, k)
    n, dt = timed_loop(step, seconds, 5000, count)
    return {"value": n / dt, "unit": "msgs/s", "count": n, "elapsed": dt}


def fig_bulk(impl, seconds, count=None):
    # 256 MiB per transfer; repeat transfers until `seconds` have passed
    # (at least one) and report the aggregate rate.  With count: that many
    # 16 KiB writes.
    p = impl.pair()
    impl.bulk(p, 16 * BULK_CHUNK)  # warm up

    def step(k):
        impl.bulk(p, k * BULK_CHUNK)
    n, dt = timed_loop(step, seconds, BULK_TOTAL // BULK_CHUNK, count)
    got = n * BULK_CHUNK
    return {"value": got / dt / 1e6, "unit": "MB/s", "bytes": got,
            "count": n, "elapsed": dt}


def fig_rss(impl, seconds, count=None):
    gc.collect()
    keep = [impl.pair() for _ in range(10)]  # warm up caches, then drop
    del keep
    gc.collect()
    base_peak = maxrss_kib()
    base_cur = cur_rss_kib()
    pairs = [impl.pair() for _ in range(RSS_PAIRS)]
    gc.collect()
    peak = maxrss_kib()
    cur = cur_rss_kib()
    alive = len(pairs)
    del pairs
    return {"value": peak, "unit": "KiB peak RSS", "pairs": alive,
            "base_kib": base_cur, "base_peak_kib": base_peak,
            "cur_kib": cur,
            "per_pair_kib": (cur - base_cur) / float(alive)}


def fig_evsmall(impl, seconds, count=None):
    p = impl.pair()
    impl.ev(p, 1000, MSG)  # warm up

    def step(k):
        impl.ev(p, k, MSG)
    n, dt = timed_loop(step, seconds, 5000, count)
    return {"value": n / dt, "unit": "msgs/s", "count": n, "elapsed": dt}


def fig_evbulk(impl, seconds, count=None):
    p = impl.pair()
    chunk = b"\xa5" * BULK_CHUNK
    impl.ev(p, 16, chunk)  # warm up

    def step(k):
        impl.ev(p, k, chunk)
    n, dt = timed_loop(step, seconds, 2048, count)
    got = n * BULK_CHUNK
    return {"value": got / dt / 1e6, "unit": "MB/s", "bytes": got,
            "count": n, "elapsed": dt}


def fig_evsock(impl, seconds, count=None):
    p = impl.sock_pair()
    impl.evsock(p, 1000)  # warm up

    def step(k):
        impl.evsock(p, k)
    n, dt = timed_loop(step, seconds, 5000, count)
    return {"value": n / dt, "unit": "msgs/s", "count": n, "elapsed": dt}


FIGURES = {"handshake": fig_handshake, "small": fig_small,
           "bulk": fig_bulk, "rss": fig_rss, "evsmall": fig_evsmall,
           "evbulk": fig_evbulk, "evsock": fig_evsock}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--impl", choices=("ssl", "pyopenssl"), required=True)
    ap.add_argument("--figure", choices=sorted(FIGURES), required=True)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--certdir", default=None,
                    help="directory holding keycert.pem (default: the "
                         "running interpreter's Lib/test)")
    ap.add_argument("--tls", choices=("1.3", "1.2"), default="1.3")
    ap.add_argument("--count", type=int, default=None,
                    help="do exactly this many operations (handshakes, "
                         "messages, 16 KiB writes), not --seconds' worth: "
                         "for counting instructions")
    args = ap.parse_args(argv)

    certdir = args.certdir
    if certdir is None:
        import test
        certdir = os.path.dirname(test.__file__)
    certfile = os.path.join(certdir, "keycert.pem")

    out = {"impl": args.impl, "figure": args.figure,
           "python": sys.version.split()[0], "tls": args.tls}
    try:
        impl = (StdlibImpl if args.impl == "ssl" else PyOpenSSLImpl)(
            certfile, args.tls)
        out["library"] = impl.library
        version, cipher = impl.describe(impl.pair())
        want = CIPHER13 if args.tls == "1.3" else CIPHER12
        want_v = "TLSv1.3" if args.tls == "1.3" else "TLSv1.2"
        out["version"], out["cipher"] = version, cipher
        if cipher != want or version != want_v:
            raise Fail("negotiated %s %s, wanted %s %s"
                       % (version, cipher, want_v, want))
        out.update(FIGURES[args.figure](impl, args.seconds, args.count))
    except Exception as e:
        out["error"] = "%s: %s" % (type(e).__name__, e)
        print(json.dumps(out, sort_keys=True))
        sys.stdout.flush()
        return 1
    print(json.dumps(out, sort_keys=True))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
