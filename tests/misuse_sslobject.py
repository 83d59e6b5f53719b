#!/usr/bin/env python
"""Misuse checks for ssl.SSLObject / ssl.MemoryBIO / SSLContext.wrap_bio
(Python 2.7 with PEP 546, or Python 3).

    python tests/misuse_sslobject.py [--certdir DIR] [--reference PYTHON3]
                                     [--json]

Every case runs on fresh objects and records its outcome: the exception
class, or the type of the value returned.  A case FAILS when
  * it must raise (a misuse) and returns normally instead;
  * it raises something outside its allowed classes (SystemError, an
    unexpected TypeError, ...) or an exception with an empty message (not
    "clear");
  * the process crashes (the last "case ..." line printed names the case).
Outcomes that differ from Python 3's are reported as DIFF (not a failure):
by default against the table below, recorded with Python 3.11.7 on OpenSSL
3.0.19 and checked against bullseye's 3.9.2 on 1.1.1w; with --reference
PYTHON3 the same cases are run live under that interpreter and compared.

What is expected, and why (Python 3 decides, see the table):
  after unwrap()   read() raises SSLZeroReturnError and write() SSLError
                   (PROTOCOL_IS_SHUTDOWN); in Python 3 do_handshake() and
                   unwrap() return None and the getters still answer, so for
                   them the check is "same as Python 3, no crash".
  before handshake read() and write() start the handshake and raise
                   SSLWantReadError (the record for the peer is in the
                   outgoing BIO); getpeercert() raises ValueError.
  wrap_bio         non-MemoryBIO arguments raise TypeError; missing ones
                   TypeError; bad server_hostname TypeError / ValueError
                   (Python 3 raises AttributeError for an int: accepted);
                   ssl.SSLObject() has no public constructor (TypeError).
  shared BIO       Python 3 accepts one MemoryBIO shared by two objects (or
                   used as both ends of one): no error at wrap time; the
                   handshake then fails with SSLError or waits
                   (SSLWantReadError).  Check: only SSLError subclasses, no
                   crash, and dropping one owner leaves the other usable.
  huge reads       read(n) with n > INT_MAX or > PY_SSIZE_T_MAX raises
                   OverflowError (3.9) or SSLWantReadError after clamping
                   (3.11); read(-1) raises ValueError; both accepted, a
                   crash or MemoryError-free giant allocation is not.
Exit status 0 when nothing FAILS.
"""
from __future__ import print_function

import argparse
import gc
import json
import os
import ssl
import subprocess
import sys
import warnings

import sslpair

warnings.simplefilter("ignore", DeprecationWarning)

PY3 = sys.version_info[0] >= 3
text_type = str if PY3 else unicode  # noqa: F821

# Python 3.11.7 / OpenSSL 3.0.19 outcomes ("raise:Class" or "return:type").
# bullseye's 3.9.2 / 1.1.1w differs only where noted in PY39.
PY311 = {
    "after_unwrap.client.read": "raise:SSLZeroReturnError",
    "after_unwrap.client.write": "raise:SSLError",
    "after_unwrap.client.do_handshake": "return:NoneType",
    "after_unwrap.client.unwrap": "return:NoneType",
    "after_unwrap.client.pending": "return:int",
    "after_unwrap.client.getpeercert": "return:dict",
    "after_unwrap.client.cipher": "return:tuple",
    "after_unwrap.client.version": "return:str",
    "after_unwrap.client.shared_ciphers": "return:NoneType",
    "after_unwrap.client.compression": "return:NoneType",
    "after_unwrap.client.selected_alpn_protocol": "return:NoneType",
    "after_unwrap.client.get_channel_binding": "return:bytes",
    "after_unwrap.server.read": "raise:SSLZeroReturnError",
    "after_unwrap.server.write": "raise:SSLError",
    "after_unwrap.server.do_handshake": "return:NoneType",
    "after_unwrap.server.unwrap": "return:NoneType",
    "after_unwrap.server.pending": "return:int",
    "after_unwrap.server.getpeercert": "return:NoneType",
    "after_unwrap.server.cipher": "return:tuple",
    "after_unwrap.server.version": "return:str",
    "after_unwrap.server.shared_ciphers": "return:list",
    "after_unwrap.server.compression": "return:NoneType",
    "after_unwrap.server.selected_alpn_protocol": "return:NoneType",
    "after_unwrap.server.get_channel_binding": "return:bytes",
    "before_handshake.client.read": "raise:SSLWantReadError",
    "before_handshake.client.write": "raise:SSLWantReadError",
    "before_handshake.server.read": "raise:SSLWantReadError",
    "before_handshake.server.write": "raise:SSLWantReadError",
    "before_handshake.client.getpeercert": "raise:ValueError",
    "before_handshake.client.version": "return:NoneType",
    "before_handshake.client.cipher": "return:NoneType",
    "before_handshake.client.get_channel_binding": "return:NoneType",
    "wrap_bio.none_none": "raise:TypeError",
    "wrap_bio.bytes_bytes": "raise:TypeError",
    "wrap_bio.outgoing_str": "raise:TypeError",
    "wrap_bio.incoming_int": "raise:TypeError",
    "wrap_bio.socket_objects": "raise:TypeError",
    "wrap_bio.file_object": "raise:TypeError",
    "wrap_bio.missing_outgoing": "raise:TypeError",
    "wrap_bio.no_args": "raise:TypeError",
    "wrap_bio.hostname_int": "raise:AttributeError",
    "wrap_bio.hostname_empty": "raise:ValueError",
    "wrap_bio.hostname_nul": "raise:TypeError",
    "wrap_bio.hostname_label_too_long": "raise:UnicodeError",
    "wrap_bio.server_with_hostname": "return:SSLObject",
    "sslobject.constructor": "raise:TypeError",
    "sslobject.context_none": "raise:TypeError",
    "shared.incoming_two_objects": "raise:SSLError",
    "shared.outgoing_client_server": "return:NoneType",
    "shared.loopback_one_object": "raise:SSLError",
    "shared.same_pair_handshake": "raise:SSLError",
    "shared.drop_other_owner": "raise:SSLWantReadError",
    "lifetime.bios_dropped": "raise:SSLWantReadError",
    "lifetime.context_dropped": "return:NoneType",
    "read.zero": "return:bytes",
    "read.minus_one": "raise:ValueError",
    "read.int_max": "raise:SSLWantReadError",
    "read.2_31": "raise:SSLWantReadError",
    "read.2_32": "raise:SSLWantReadError",
    "read.2_63_minus_1": "raise:OverflowError",
    "read.2_63": "raise:OverflowError",
    "read.10_30": "raise:OverflowError",
    "read.buffer_2_31": "raise:SSLWantReadError",
    "read.buffer_minus_one": "raise:SSLWantReadError",
    "read.buffer_smaller_than_len": "return:int",
    "read.not_int": "raise:TypeError",
    "read.immutable_buffer": "raise:TypeError",
    "write.text": "raise:TypeError",
    "write.none": "raise:TypeError",
    "write.empty": "return:int",
    "channel_binding.bogus": "raise:ValueError",
    "bio.write_text": "raise:TypeError",
    "bio.read_minus_one": "return:bytes",
    "bio.read_2_63": "raise:OverflowError",
    "bio.write_after_eof": "raise:SSLError",
}
PY39 = {
    "after_unwrap.client.shared_ciphers": "return:list",
    "read.2_31": "raise:OverflowError",
    "read.2_32": "raise:OverflowError",
    "read.buffer_2_31": "raise:OverflowError",
    "write.empty": "raise:SSLEOFError",
}

ANY_SSL = ("SSLError",)
GETTER = None   # not a misuse: any outcome Python 3 also has, no crash


def cls(name):
    return getattr(ssl, name, None) or getattr(
        __import__("builtins" if PY3 else "exceptions"), name)


class Env(object):
    def __init__(self, certdir):
        certfile = os.path.join(certdir, "keycert.pem")
        self.ctx = lambda server: sslpair.make_context(server, certfile)
        self.sctx, self.cctx = sslpair.make_contexts(certfile)

    def pair(self, sctx=None, cctx=None):
        return sslpair.Pair(sctx or self.sctx, cctx or self.cctx).astuple()

    def handshaken(self):
        p = sslpair.Pair(self.sctx, self.cctx)
        assert p.handshake(6), "handshake failed"
        sslpair.try_read(p.c, 1)
        return p.astuple()

    def unwrapped(self):
        c, s, cin, cout, sin, sout = p = self.handshaken()
        try:
            c.unwrap()
        except ssl.SSLWantReadError:
            pass
        sin.write(cout.read())
        s.unwrap()
        cin.write(sout.read())
        c.unwrap()
        return p


def cases(env):
    """Yield (name, allowed, must_raise, fn).  allowed: tuple of exception
    class names accepted (GETTER: whatever Python 3 does)."""
    B = ssl.MemoryBIO
    calls = [("read", (10,)), ("write", (b"x",)), ("do_handshake", ()),
             ("unwrap", ()), ("pending", ()), ("getpeercert", ()),
             ("cipher", ()), ("version", ()), ("shared_ciphers", ()),
             ("compression", ()), ("selected_alpn_protocol", ()),
             ("get_channel_binding", ("tls-unique",))]
    for side in ("client", "server"):
        for meth, args in calls:
            def f(side=side, meth=meth, args=args):
                p = env.unwrapped()
                obj = p[0] if side == "client" else p[1]
                return getattr(obj, meth)(*args)
            must = meth in ("read", "write")
            yield ("after_unwrap.%s.%s" % (side, meth),
                   ANY_SSL if must else GETTER, must, f)
    for side in ("client", "server"):
        for meth, args in (("read", (10,)), ("write", (b"x",))):
            def f(side=side, meth=meth, args=args):
                p = env.pair()
                obj = p[0] if side == "client" else p[1]
                return getattr(obj, meth)(*args)
            yield ("before_handshake.%s.%s" % (side, meth), ANY_SSL, True, f)
    yield ("before_handshake.client.getpeercert", ("ValueError",), True,
           lambda: env.pair()[0].getpeercert())
    for meth, args in (("version", ()), ("cipher", ()),
                       ("get_channel_binding", ("tls-unique",))):
        yield ("before_handshake.client." + meth, GETTER, False,
               lambda meth=meth, args=args: getattr(env.pair()[0], meth)(*args))

    import socket
    TE = ("TypeError",)
    yield ("wrap_bio.none_none", TE, True,
           lambda: env.cctx.wrap_bio(None, None))
    yield ("wrap_bio.bytes_bytes", TE, True,
           lambda: env.cctx.wrap_bio(b"", b""))
    yield ("wrap_bio.outgoing_str", TE, True,
           lambda: env.cctx.wrap_bio(B(), "x"))
    yield ("wrap_bio.incoming_int", TE, True,
           lambda: env.cctx.wrap_bio(1, B()))

    def socks():
        a, b = socket.socketpair()
        try:
            return env.cctx.wrap_bio(a, b)
        finally:
            a.close()
            b.close()
    yield ("wrap_bio.socket_objects", TE, True, socks)

    def fileobj():
        with open(os.devnull, "rb") as f:
            return env.cctx.wrap_bio(f, f)
    yield ("wrap_bio.file_object", TE, True, fileobj)
    yield ("wrap_bio.missing_outgoing", TE, True,
           lambda: env.cctx.wrap_bio(B()))
    yield ("wrap_bio.no_args", TE, True, lambda: env.cctx.wrap_bio())
    yield ("wrap_bio.hostname_int", ("TypeError", "AttributeError"), True,
           lambda: env.cctx.wrap_bio(B(), B(), server_hostname=123))
    yield ("wrap_bio.hostname_empty", ("ValueError",), True,
           lambda: env.cctx.wrap_bio(B(), B(), server_hostname=""))
    yield ("wrap_bio.hostname_nul", ("TypeError", "ValueError"), True,
           lambda: env.cctx.wrap_bio(B(), B(), server_hostname="a\0b"))
    yield ("wrap_bio.hostname_label_too_long",
           ("UnicodeError", "ValueError", "SSLError"), True,
           lambda: env.cctx.wrap_bio(B(), B(), server_hostname="x" * 300))
    yield ("wrap_bio.server_with_hostname", GETTER, False,
           lambda: env.sctx.wrap_bio(B(), B(), server_side=True,
                                     server_hostname="localhost"))
    yield ("sslobject.constructor", TE, True, lambda: ssl.SSLObject())

    def ctx_none():
        obj = env.pair()[0]
        obj.context = None
    yield ("sslobject.context_none", TE, True, ctx_none)

    # one BIO shared by two objects
    def shared_in():
        b1 = B()
        x = env.cctx.wrap_bio(b1, B())
        y = env.cctx.wrap_bio(b1, B())
        for o in (x, y):
            try:
                o.do_handshake()
            except ssl.SSLWantReadError:
                pass
        b1.write(b"\x16\x03\x01\x00\x05hello")
        x.do_handshake()
    yield ("shared.incoming_two_objects", ANY_SSL, False, shared_in)

    def shared_out():
        out = B()
        cin, sin = B(), B()
        c = env.cctx.wrap_bio(cin, out)
        s = env.sctx.wrap_bio(sin, out, server_side=True)
        try:
            c.do_handshake()
        except ssl.SSLWantReadError:
            pass
        sin.write(out.read())
        try:
            s.do_handshake()
        except ssl.SSLWantReadError:
            pass
        cin.write(out.read())
        c.do_handshake()
    yield ("shared.outgoing_client_server", ANY_SSL, False, shared_out)

    def loopback():
        b = B()
        o = env.cctx.wrap_bio(b, b)
        for _ in range(3):
            try:
                o.do_handshake()
            except ssl.SSLWantReadError:
                pass
        o.do_handshake()
    yield ("shared.loopback_one_object", ANY_SSL, False, loopback)

    def same_pair():
        # client and server on the same two BIOs (in/out crossed wrongly:
        # both read from `a` and write to `b`)
        a, b = B(), B()
        c = env.cctx.wrap_bio(a, b)
        s = env.sctx.wrap_bio(a, b, server_side=True)
        for _ in range(4):
            for o in (c, s):
                try:
                    o.do_handshake()
                except ssl.SSLWantReadError:
                    pass
            a.write(b.read())
        c.do_handshake()
        s.do_handshake()
    yield ("shared.same_pair_handshake", ANY_SSL, False, same_pair)

    def drop_other():
        b1 = B()
        x = env.cctx.wrap_bio(b1, B())
        y = env.cctx.wrap_bio(b1, B())
        del y
        gc.collect()
        x.do_handshake()
    yield ("shared.drop_other_owner", ANY_SSL, False, drop_other)

    def bios_dropped():
        c = env.cctx.wrap_bio(B(), B())   # no Python reference kept
        gc.collect()
        c.do_handshake()
    yield ("lifetime.bios_dropped", ANY_SSL, False, bios_dropped)

    def ctx_dropped():
        c, s, cin, cout, sin, sout = env.pair(env.ctx(True), env.ctx(False))
        gc.collect()
        for _ in range(4):
            for o in (c, s):
                try:
                    o.do_handshake()
                except ssl.SSLWantReadError:
                    pass
            sin.write(cout.read())
            cin.write(sout.read())
        return c.getpeercert(True) and None
    yield ("lifetime.context_dropped", GETTER, False, ctx_dropped)

    # read sizes
    def rd(n, buf=None):
        def f():
            c = env.handshaken()[0]
            if buf is None:
                return c.read(n)
            return c.read(n, buf)
        return f
    yield ("read.zero", GETTER, False, rd(0))
    yield ("read.minus_one", ("ValueError",), True, rd(-1))
    big_ok = ("SSLWantReadError", "OverflowError", "ValueError",
              "MemoryError")
    yield ("read.int_max", big_ok, False, rd(2 ** 31 - 1))
    yield ("read.2_31", big_ok, False, rd(2 ** 31))
    yield ("read.2_32", big_ok, False, rd(2 ** 32))
    yield ("read.2_63_minus_1", big_ok, True, rd(2 ** 63 - 1))
    yield ("read.2_63", big_ok, True, rd(2 ** 63))
    yield ("read.10_30", big_ok, True, rd(10 ** 30))
    yield ("read.buffer_2_31", big_ok, False, rd(2 ** 31, bytearray(10)))
    yield ("read.buffer_minus_one", big_ok, False, rd(-1, bytearray(10)))

    def buf_small():
        c, s, cin, cout, sin, sout = env.handshaken()
        s.write(b"0123456789")
        cin.write(sout.read())
        buf = bytearray(5)
        n = c.read(10, buf)
        assert n == 5 and bytes(buf) == b"01234", (n, buf)
        return n
    yield ("read.buffer_smaller_than_len", GETTER, False, buf_small)
    yield ("read.not_int", TE, True, rd("x"))
    yield ("read.immutable_buffer", TE, True, rd(10, b"immutable"))

    def wr(data):
        return lambda: env.handshaken()[0].write(data)
    yield ("write.text", TE if PY3 else TE + ("return",), PY3,
           wr(u"str" if PY3 else u"\xe9"))
    yield ("write.none", TE, True, wr(None))
    yield ("write.empty", GETTER, False, wr(b""))
    yield ("channel_binding.bogus", ("ValueError",), True,
           lambda: env.handshaken()[0].get_channel_binding("bogus"))
    yield ("bio.write_text", TE, PY3,
           lambda: B().write(u"x" if PY3 else u"\xe9"))
    yield ("bio.read_minus_one", GETTER, False, lambda: B().read(-1))
    yield ("bio.read_2_63", big_ok, True, lambda: B().read(2 ** 63))

    def after_eof():
        b = B()
        b.write_eof()
        b.write(b"x")
    yield ("bio.write_after_eof", ANY_SSL, True, after_eof)


def outcome(fn):
    try:
        r = fn()
    except Exception as e:
        return "raise:" + type(e).__name__, e
    return "return:" + type(r).__name__, None


def run_all(env, as_json):
    results = {}
    fails = 0
    lines = []
    for name, allowed, must, fn in cases(env):
        if not as_json:
            sys.stdout.write("case %-48s " % name)
            sys.stdout.flush()
        got, exc = outcome(fn)
        gc.collect()
        results[name] = got
        verdict = "ok"
        why = ""
        if exc is not None:
            if allowed is not GETTER and allowed is not None:
                if not isinstance(exc, tuple(cls(a) for a in allowed
                                             if a != "return")):
                    verdict, why = "FAIL", "not one of %s" % (allowed,)
            if not str(exc) and not isinstance(exc, ssl.SSLWantReadError):
                verdict, why = "FAIL", "empty message"
            if isinstance(exc, (SystemError, AssertionError)):
                verdict, why = "FAIL", str(exc)
        elif must and not (allowed and "return" in allowed):
            verdict, why = "FAIL", "returned normally, must raise"
        if verdict == "FAIL":
            fails += 1
        msg = ""
        if exc is not None:
            msg = str(exc).replace("\n", " ")[:70]
        lines.append((name, got, verdict, why, msg))
        if not as_json:
            print("%-32s %s%s" % (got, verdict, (" (%s)" % why) if why else "")
                  + ("  # " + msg if msg else ""))
    return results, fails, lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--certdir", default=None)
    ap.add_argument("--reference", default=None,
                    help="a Python 3 to run the same cases under and "
                         "compare with (default: the table recorded with "
                         "3.11)")
    ap.add_argument("--json", action="store_true",
                    help="print only the outcomes as JSON")
    args = ap.parse_args(argv)
    if not hasattr(ssl, "MemoryBIO"):
        print("misuse: FAIL: this ssl module has no MemoryBIO")
        return 2
    certdir = args.certdir
    if certdir is None:
        import test
        certdir = os.path.dirname(test.__file__)
    env = Env(certdir)
    results, fails, lines = run_all(env, args.json)
    if args.json:
        print(json.dumps(results, sort_keys=True))
        return 0

    ref_name = "Python 3.11 table"
    ref = dict(PY311)
    alt = dict(PY311)
    alt.update(PY39)
    if args.reference:
        env_ref = dict(os.environ)
        for k in ("PYTHONHOME", "PYTHONPATH", "LD_LIBRARY_PATH"):
            env_ref.pop(k, None)
        out = subprocess.check_output(
            [args.reference, os.path.abspath(__file__), "--json",
             "--certdir", certdir], env=env_ref)
        ref = json.loads(out.decode("utf-8").strip().splitlines()[-1])
        alt = ref
        ref_name = args.reference
    diffs = []
    for name, got, verdict, why, msg in lines:
        want = ref.get(name)
        if want is None:
            diffs.append("%s: no reference (got %s)" % (name, got))
        elif got != want and got != alt.get(name):
            # bytes vs str in 2.7 is the same thing
            if not PY3 and (
                    {got, want} <= {"return:str", "return:bytes",
                                    "return:unicode"} or
                    {got, want} <= {"return:int", "return:long"}):
                continue
            diffs.append("%s: got %s, Python 3 %s" % (name, got, want))
    print()
    for d in diffs:
        print("DIFF " + d)
    print("misuse: %s: %d cases, %d failures, %d differences from %s "
          "(Python %s, %s)"
          % ("PASS" if not fails else "FAIL", len(lines), fails, len(diffs),
             ref_name, sys.version.split()[0], ssl.OPENSSL_VERSION))
    return 0 if not fails else 1


if __name__ == "__main__":
    sys.exit(main())
