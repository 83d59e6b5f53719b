#!/usr/bin/env python
"""Fuzz driver for ssl.SSLObject / ssl.MemoryBIO (Python 2.7 with PEP 546,
or Python 3).

    python tests/fuzz_sslobject.py --cases N --seed S [--certdir DIR]

An SSLObject server and an SSLObject client, wired through MemoryBIOs, are
fed, case after case, round robin over five kinds:

  random     random bytes (some behind a plausible record header) to a fresh
             server, to a client waiting for the ServerHello, to either side
             of a finished handshake, or after a valid flight
  bitflip    a live handshake and data exchange in which one flight (record
             bytes as written by the peer) has 1-8 bits flipped
  truncate   a live handshake whose flight F is cut at byte offset O, for
             every flight of the recorded handshake of every protocol
             variant and every offset (enumerated in order, so enough cases
             cover them all); then either the rest is delivered (the
             handshake MUST then complete and carry data: a valid prefix
             must never be an error) or EOF is signalled
  eof        write_eof() on one side's incoming BIO before step K of a full
             session script (handshake, data both ways, unwrap), for every
             step K and both sides
  oversized  records whose length field exceeds the TLS maximum (and
             handshake messages claiming 16 MiB), to fresh and finished
             peers, whole or in pieces

After every case the objects are poked (pending, version, cipher, read,
write, unwrap, getpeercert, ...) to check that a broken object still fails
cleanly.

The only outcomes allowed are: success, ssl.SSLError (any subclass, want-read
included) and ValueError (documented, e.g. for getpeercert() before the
handshake).  Anything else -- another exception, TypeError included since
every call passes valid types, a crash, or a case running longer than
--case-timeout -- is a failure; so is a valid split delivery that does not
complete, and RSS growing more than --max-growth-mb between 20 % of the run
and its end.  Prints a summary line and exits 1 on failure.

Deterministic for a given --seed on a given interpreter (each case draws
from its own random.Random(seed, case number)); --only N reruns one case.
Under AddressSanitizer set ASAN_OPTIONS=quarantine_size_mb=16 (or similar) so
that the quarantine does not count as growth.
"""
from __future__ import print_function

import argparse
import binascii
import gc
import os
import random
import signal
import ssl
import sys
import threading
import time
import traceback
import warnings

import sslpair
from sslpair import do_handshake, try_read

warnings.simplefilter("ignore", DeprecationWarning)

KINDS = ("random", "bitflip", "truncate", "eof", "oversized")

try:
    clock = time.perf_counter
except AttributeError:
    clock = time.time


class Hang(Exception):
    pass


class Bug(Exception):
    """A property the fuzzer checks (not an exception from ssl)."""


def rss_kib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (IOError, OSError):
        pass
    try:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except Exception:
        return 0


_heap_fn = None


def heap_bytes():
    """Bytes currently allocated on the C heap (live, not cached by the
    allocator): ASan's own counter under AddressSanitizer (quarantine
    excluded), else glibc's mallinfo2() (uordblks + hblkhd).  None when
    neither is available (then RSS is used)."""
    global _heap_fn
    if _heap_fn is None:
        _heap_fn = False
        try:
            import ctypes
            lib = ctypes.CDLL(None)
            f = getattr(lib, "__sanitizer_get_current_allocated_bytes", None)
            if f is not None:
                f.restype = ctypes.c_size_t
                f.argtypes = []
                _heap_fn = ("asan", f)
            else:
                class MI2(ctypes.Structure):
                    _fields_ = [(n, ctypes.c_size_t) for n in (
                        "arena", "ordblks", "smblks", "hblks", "hblkhd",
                        "usmblks", "fsmblks", "uordblks", "fordblks",
                        "keepcost")]
                m = getattr(lib, "mallinfo2", None)
                if m is not None:
                    m.restype = MI2
                    m.argtypes = []
                    _heap_fn = ("mallinfo2",
                                lambda: (lambda r: r.uordblks + r.hblkhd)(m()))
        except Exception:
            _heap_fn = False
    if not _heap_fn:
        return None
    return int(_heap_fn[1]())


def heap_kind():
    heap_bytes()
    return _heap_fn[0] if _heap_fn else "rss"


def rbytes(rng, n):
    if n <= 0:
        return b""
    return binascii.unhexlify(("%0" + str(2 * n) + "x") % rng.getrandbits(8 * n))


def rlen(rng, small=600, big=20000):
    r = rng.random()
    if r < 0.1:
        return rng.randint(0, 5)
    if r < 0.85:
        return rng.randint(1, small)
    return rng.randint(small, big)


def flip_bits(rng, data, nflips):
    b = bytearray(data)
    if not b:
        return bytes(b)
    for _ in range(nflips):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


# ---------------------------------------------------------------------------
# contexts and protocol variants

def make_contexts(certfile):
    server = sslpair.make_context(True, certfile)
    server.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20:ECDHE-RSA-AES128-SHA:"
                       "AES128-SHA")
    variants = []
    c13 = sslpair.make_context(False)
    variants.append(("tls13", c13))
    have12 = getattr(ssl, "HAS_TLSv1_3", False)
    for name, ciphers in (("tls12-gcm", "ECDHE-RSA-AES256-GCM-SHA384"),
                          ("tls12-chacha", "ECDHE-RSA-CHACHA20-POLY1305"),
                          ("tls12-cbc", "ECDHE-RSA-AES128-SHA")):
        c = sslpair.make_context(False)
        try:
            c.set_ciphers(ciphers)
        except ssl.SSLError:
            continue
        if have12:
            c.options |= getattr(ssl, "OP_NO_TLSv1_3", 0)
        variants.append((name, c))
    return server, variants


class Script(object):
    """A full session as a list of steps, each delivering flights through a
    hook: hook(index, direction, data) -> bytes to deliver (or None to
    deliver nothing).  Steps: handshake to completion, the client reads
    what is left (TLS 1.3 tickets), 100 bytes each way, unwrap both."""

    def __init__(self, pair, hook=None, before_step=None):
        self.p = pair
        self.closed = ()    # incoming BIOs that got write_eof()
        self.hook = hook
        self.before_step = before_step
        self.flight = 0
        self.step = 0

    def move(self, direction):
        p = self.p
        src, dst = (p.cout, p.sin) if direction == "c2s" else (p.sout, p.cin)
        data = src.read()
        if not data:
            return
        idx = self.flight
        self.flight += 1
        if self.hook is not None:
            data = self.hook(idx, direction, data)
        if data and dst not in self.closed:
            dst.write(data)

    def _step(self, fn, *args):
        if self.before_step is not None:
            self.before_step(self.step)
        self.step += 1
        return fn(*args)

    def run(self, rounds=8):
        p = self.p
        cdone = sdone = False
        for _ in range(rounds):
            if not cdone:
                cdone = self._step(do_handshake, p.c)
            self._step(self.move, "c2s")
            if not sdone:
                sdone = self._step(do_handshake, p.s)
            self._step(self.move, "s2c")
            if cdone and sdone:
                break
        if not (cdone and sdone):
            return "stalled"
        if self._step(try_read, p.c) not in (None, b""):
            raise Bug("client read unexpected data after the handshake")
        msg = b"m" * 100
        self._step(p.c.write, msg)
        self._step(self.move, "c2s")
        got = self._step(try_read, p.s)
        self._step(p.s.write, msg)
        self._step(self.move, "s2c")
        got2 = self._step(try_read, p.c)
        # unwrap: client sends close_notify, server answers, client done
        try:
            self._step(p.c.unwrap)
        except ssl.SSLWantReadError:
            pass
        self._step(self.move, "c2s")
        try:
            self._step(p.s.unwrap)
        except ssl.SSLWantReadError:
            pass
        self._step(self.move, "s2c")
        try:
            self._step(p.c.unwrap)
        except ssl.SSLWantReadError:
            pass
        return got, got2

    @staticmethod
    def count_steps(sctx, cctx):
        """Number of steps of an undisturbed run (for the eof kind)."""
        s = Script(sslpair.Pair(sctx, cctx, "localhost"))
        res = s.run()
        if res == "stalled" or res[0] != b"m" * 100 or res[1] != b"m" * 100:
            raise Bug("undisturbed session failed: %r" % (res,))
        return s.step


def record_flights(sctx, cctx):
    """Flights (direction, bytes) of an undisturbed handshake."""
    flights = []

    def hook(i, d, data):
        flights.append((d, data))
        return data
    s = Script(sslpair.Pair(sctx, cctx, "localhost"), hook)
    p = s.p
    cdone = sdone = False
    for _ in range(8):
        if not cdone:
            cdone = do_handshake(p.c)
        s.move("c2s")
        if not sdone:
            sdone = do_handshake(p.s)
        s.move("s2c")
        if cdone and sdone:
            break
    try_read(p.c)
    return flights


POKES = ("pending", "version", "cipher", "compression", "shared_ciphers",
         "selected_alpn_protocol", "selected_npn_protocol", "getpeercert",
         "get_channel_binding", "read", "read_into", "write", "do_handshake",
         "unwrap")


def poke(obj, rng):
    """Call every method of a (possibly broken) object; return outcomes."""
    outcomes = []
    names = list(POKES)
    rng.shuffle(names)
    for name in names:
        try:
            if name == "read":
                obj.read(rng.choice((0, 1, 1024, 65536)))
            elif name == "read_into":
                buf = bytearray(64)
                obj.read(64, buf)
            elif name == "write":
                obj.write(b"poke")
            elif name == "get_channel_binding":
                obj.get_channel_binding("tls-unique")
            else:
                f = getattr(obj, name, None)
                if f is None:
                    continue
                f()
            outcomes.append(None)
        except (ssl.SSLError, ValueError) as e:
            outcomes.append(e)
    return outcomes


# ---------------------------------------------------------------------------
# the five kinds

class Fuzzer(object):
    def __init__(self, certfile, seed):
        self.seed = seed
        self.sctx, self.variants = make_contexts(certfile)
        # recorded handshakes and the enumeration of truncation points
        self.recorded = {}
        self.trunc_points = []
        for vi, (name, cctx) in enumerate(self.variants):
            fl = record_flights(self.sctx, cctx)
            self.recorded[name] = fl
            for fi, (d, data) in enumerate(fl):
                for off in range(len(data)):
                    self.trunc_points.append((vi, fi, off))
        self.trunc_done = set()
        self.eof_steps = [Script.count_steps(self.sctx, c)
                          for _, c in self.variants]
        self.eof_points = []
        for vi, n in enumerate(self.eof_steps):
            for side in ("client", "server"):
                for k in range(n + 1):
                    self.eof_points.append((vi, side, k))
        self.eof_done = set()
        self._last_pair = None

    def variant(self, rng):
        return self.variants[rng.randrange(len(self.variants))]

    # (a) random bytes -----------------------------------------------------
    def k_random(self, rng, n):
        name, cctx = self.variant(rng)
        p = self.pair(cctx)
        where = rng.randrange(4)
        junk = rbytes(rng, rlen(rng))
        if rng.random() < 0.4:
            # plausible record header in front of the junk
            hdr = bytearray([rng.choice((20, 21, 22, 23, 24, rng.randrange(256))),
                             3, rng.choice((0, 1, 3, 4)),
                             (len(junk) >> 8) & 0xff, len(junk) & 0xff])
            junk = bytes(hdr) + junk
        pieces = self.split(rng, junk)
        if where == 0:          # fresh server
            for piece in pieces:
                p.sin.write(piece)
                do_handshake(p.s)
        elif where == 1:        # client waiting for the ServerHello
            do_handshake(p.c)
            p.cout.read()
            for piece in pieces:
                p.cin.write(piece)
                do_handshake(p.c)
        elif where == 2:        # finished pair, junk to one side
            self.handshake(p)
            obj, bio = (p.s, p.sin) if rng.random() < 0.5 else (p.c, p.cin)
            for piece in pieces:
                bio.write(piece)
                try_read(obj)
        else:                   # junk after a valid flight
            do_handshake(p.c)
            p.sin.write(p.cout.read() + junk)
            do_handshake(p.s)
            p.cin.write(p.sout.read())
            do_handshake(p.c)
        return p

    # (b) bit flips in valid records ---------------------------------------
    def k_bitflip(self, rng, n):
        name, cctx = self.variant(rng)
        p = self.pair(cctx)
        target = rng.randrange(8)   # flight index (handshake + data + close)
        nflips = rng.choice((1, 1, 1, 2, 3, 8))

        def hook(i, d, data):
            if i == target:
                return flip_bits(rng, data, nflips)
            return data
        Script(p, hook).run()
        return p

    # (c) truncation at every offset ----------------------------------------
    def k_truncate(self, rng, n):
        j = n // len(KINDS)
        vi, fi, off = self.trunc_points[j % len(self.trunc_points)]
        self.trunc_done.add((vi, fi, off))
        name, cctx = self.variants[vi]
        p = self.pair(cctx)
        complete = (j // len(self.trunc_points)) % 2 == 0
        if rng.random() < 0.5:
            complete = not complete
        state = {"rest": None, "dir": None}

        def hook(i, d, data):
            if i == fi:
                o = min(off, len(data) - 1)
                state["rest"], state["dir"] = data[o:], d
                return data[:o]
            return data
        sc = Script(p, hook)
        cdone = sdone = False
        for _ in range(8):
            if not cdone:
                cdone = do_handshake(p.c)
            sc.move("c2s")
            if not sdone:
                sdone = do_handshake(p.s)
            sc.move("s2c")
            if state["rest"] is not None or (cdone and sdone):
                break
        if state["rest"] is None:
            try_read(p.c)
            sc.move("s2c")
            if state["rest"] is None:
                raise Bug("flight %d of %s never came" % (fi, name))
        # the receiver has a valid prefix: it must want more, not fail
        rcv, bio = (p.s, p.sin) if state["dir"] == "c2s" else (p.c, p.cin)
        try:
            if do_handshake(rcv) and state["dir"] == "s2c":
                try_read(rcv)
        except ssl.SSLError as e:
            raise Bug("valid prefix of %d bytes of flight %d (%s) "
                      "rejected: %r" % (off, fi, name, e))
        if not complete:
            bio.write_eof()
            do_handshake(rcv)
            try_read(rcv)
            return p
        bio.write(state["rest"])
        # finish the session; it must now succeed
        sc.hook = None
        for _ in range(8):
            cdone = do_handshake(p.c)
            sc.move("c2s")
            sdone = do_handshake(p.s)
            sc.move("s2c")
            if cdone and sdone:
                break
        if not (cdone and sdone):
            raise Bug("split at %d of flight %d (%s): handshake did not "
                      "complete" % (off, fi, name))
        try_read(p.c)
        p.c.write(b"after split")
        sc.move("c2s")
        if try_read(p.s) != b"after split":
            raise Bug("split at %d of flight %d (%s): data lost"
                      % (off, fi, name))
        return p

    # (d) EOF before every step -------------------------------------------
    def k_eof(self, rng, n):
        j = n // len(KINDS)
        vi, side, k = self.eof_points[j % len(self.eof_points)]
        self.eof_done.add((vi, side, k))
        name, cctx = self.variants[vi]
        p = self.pair(cctx)
        bio = p.cin if side == "client" else p.sin

        sc = Script(p)

        def before(step):
            if step == k:
                bio.write_eof()
                sc.closed = (bio,)
        sc.before_step = before
        res = sc.run()
        if k >= self.eof_steps[vi] and res != "stalled":
            # EOF after the whole session: nothing may have been lost
            if res[0] != b"m" * 100 or res[1] != b"m" * 100:
                raise Bug("EOF after the session changed its data")
        return p

    # (e) oversized record lengths ------------------------------------------
    def k_oversized(self, rng, n):
        name, cctx = self.variant(rng)
        p = self.pair(cctx)
        length = rng.choice((16385, 16384 + 256, 16384 + 257, 16384 + 2048,
                             16384 + 2049, 0x7fff, 0x8000, 0xffff,
                             rng.randint(16385, 0xffff)))
        ctype = rng.choice((20, 21, 22, 23, 24))
        hdr = bytearray([ctype, 3, rng.choice((1, 3)),
                         length >> 8, length & 0xff])
        how = rng.randrange(5)
        if how == 3:
            # handshake message claiming a huge length in a normal record
            hlen = rng.choice((0xffffff, 0x100000, 0x20000, 16385))
            msg = bytearray([1, hlen >> 16, (hlen >> 8) & 0xff, hlen & 0xff])
            body = bytes(msg) + rbytes(rng, 1000)
            hdr = bytearray([22, 3, 1, len(body) >> 8, len(body) & 0xff])
            data = bytes(hdr) + body
            # then continuation records, up to ~100 KB
            for _ in range(rng.randint(0, 6)):
                chunk = rbytes(rng, 16384)
                data += bytes(bytearray([22, 3, 3, 0x40, 0])) + chunk
        else:
            body_len = rng.choice((0, 1, 100, length, length))
            data = bytes(hdr) + rbytes(rng, body_len)
        pieces = self.split(rng, data)
        if how in (0, 3):       # fresh server
            for piece in pieces:
                p.sin.write(piece)
                do_handshake(p.s)
        elif how == 1:          # client waiting for the ServerHello
            do_handshake(p.c)
            p.cout.read()
            for piece in pieces:
                p.cin.write(piece)
                do_handshake(p.c)
        else:                   # finished pair
            self.handshake(p)
            obj, bio = (p.s, p.sin) if rng.random() < 0.5 else (p.c, p.cin)
            for piece in pieces:
                bio.write(piece)
                try_read(obj)
        if rng.random() < 0.5:
            (p.sin if how in (0, 3) else p.cin).write_eof()
            do_handshake(p.s if how in (0, 3) else p.c)
        return p

    # helpers ---------------------------------------------------------------
    def pair(self, cctx):
        p = self._last_pair = sslpair.Pair(self.sctx, cctx, "localhost")
        return p

    def split(self, rng, data):
        if len(data) < 2 or rng.random() < 0.5:
            return [data]
        cuts = sorted(rng.randrange(1, len(data))
                      for _ in range(rng.randint(1, 4)))
        out, last = [], 0
        for c in cuts:
            out.append(data[last:c])
            last = c
        out.append(data[last:])
        return [x for x in out if x]

    def handshake(self, p):
        if not p.handshake():
            raise Bug("undisturbed handshake did not complete")
        try_read(p.c)


# ---------------------------------------------------------------------------

def describe(e):
    if e is None:
        return "ok"
    name = type(e).__name__
    if isinstance(e, ssl.SSLError):
        reason = getattr(e, "reason", None)
        if not reason:
            reason = str(e).split(" (_ssl.c:")[0][:50]
        return "%s:%s" % (name, reason)
    return "%s:%s" % (name, str(e)[:60])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=546)
    ap.add_argument("--certdir", default=None)
    ap.add_argument("--only", type=int, default=None,
                    help="run only this case number (with traceback)")
    ap.add_argument("--case-timeout", type=float, default=20.0)
    ap.add_argument("--max-growth-mb", type=float, default=8.0,
                    help="limit on live C-heap growth (RSS where the heap "
                         "cannot be measured) from 20%% of the run to its "
                         "end")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)

    if not hasattr(ssl, "MemoryBIO"):
        print("fuzz: FAIL: this ssl module has no MemoryBIO")
        return 2
    certdir = args.certdir
    if certdir is None:
        import test
        certdir = os.path.dirname(test.__file__)
    fz = Fuzzer(os.path.join(certdir, "keycert.pem"), args.seed)

    # per-case time limit: SIGALRM raises Hang in Python code; a watchdog
    # thread ends the process if a case is stuck where no Python runs.
    current = {"case": None, "start": clock()}

    def on_alarm(signum, frame):
        raise Hang("case %s ran longer than %ss"
                   % (current["case"], args.case_timeout))
    use_alarm = hasattr(signal, "setitimer")
    if use_alarm:
        signal.signal(signal.SIGALRM, on_alarm)

    def watchdog():
        while True:
            time.sleep(1.0)
            c = current["case"]
            if c is not None and clock() - current["start"] > 3 * args.case_timeout:
                sys.stdout.write("fuzz: FAIL: case %d hung (watchdog)\n" % c)
                sys.stdout.flush()
                os._exit(3)
    t = threading.Thread(target=watchdog)
    t.daemon = True
    t.start()

    cases = range(args.cases) if args.only is None else [args.only]
    kinds_count = dict((k, 0) for k in KINDS)
    outcomes = {}
    failures = []
    rss_start = rss_mark = heap_mark = heap_end = None
    refs_mark = None
    gettotalrefcount = getattr(sys, "gettotalrefcount", None)
    mark_at = max(1, args.cases // 5)
    rss_peak = 0
    t0 = clock()
    for n in cases:
        kind = KINDS[n % len(KINDS)]
        kinds_count[kind] += 1
        rng = random.Random(args.seed * 1000003 + n)
        current["case"], current["start"] = n, clock()
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, args.case_timeout)
        p = res = None
        fz._last_pair = None
        try:
            try:
                getattr(fz, "k_" + kind)(rng, n)
            except (ssl.SSLError, ValueError) as e:
                res = e
            # poke the objects, broken or not
            p = fz._last_pair
            key = "%s/%s" % (kind, describe(res))
            outcomes[key] = outcomes.get(key, 0) + 1
            if p is not None:
                for obj in (p.c, p.s):
                    for e in poke(obj, rng):
                        if e is not None and not isinstance(e, (ssl.SSLError, ValueError)):
                            raise e
        except Hang as e:
            failures.append((n, kind, "hang: %s" % e))
        except Exception as e:
            failures.append((n, kind, "%s: %s" % (type(e).__name__, e)))
            if args.only is not None or args.verbose:
                traceback.print_exc()
        finally:
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
            current["case"] = None
        p = fz._last_pair = None
        if args.only is not None:
            print("case %d (%s): %s" % (n, kind, describe(res) if not failures
                                         else failures[-1][2]))
        if n % 500 == 0 or n == mark_at:
            gc.collect()
            r = rss_kib()
            rss_peak = max(rss_peak, r)
            if rss_start is None:
                rss_start = r
            if n == mark_at:
                rss_mark = r
                heap_mark = heap_bytes()
                if gettotalrefcount:
                    refs_mark = gettotalrefcount()
        if args.verbose and n % 1000 == 0:
            print("  %d cases, %d failures, rss %d KiB, %.0f s"
                  % (n, len(failures), rss_kib(), clock() - t0))
            sys.stdout.flush()
    elapsed = clock() - t0
    gc.collect()
    rss_end = rss_kib()
    heap_end = heap_bytes()
    if heap_mark is not None and heap_end is not None:
        growth_mb = (heap_end - heap_mark) / 1048576.0
        what = "live heap (%s)" % heap_kind()
    else:
        growth_mb = ((rss_end - rss_mark) / 1024.0) if rss_mark else 0.0
        what = "rss"
    refs = ""
    if gettotalrefcount and refs_mark is not None:
        refs = ", total refcount %+d" % (gettotalrefcount() - refs_mark)

    # details
    print("outcomes (kind/result: count):")
    for key in sorted(outcomes):
        print("  %-60s %d" % (key, outcomes[key]))
    for n, kind, msg in failures[:30]:
        print("FAILED case %d (%s): %s" % (n, kind, msg))
    if len(failures) > 30:
        print("... %d more failures" % (len(failures) - 30))
    ok = not failures
    mem_ok = args.only is not None or growth_mb <= args.max_growth_mb
    trunc_cov = "%d/%d" % (len(fz.trunc_done), len(fz.trunc_points))
    eof_cov = "%d/%d" % (len(fz.eof_done), len(fz.eof_points))
    print("fuzz: %s: %d cases (%s) in %.0f s, seed %d, %d failures; "
          "truncation offsets %s, eof steps %s; variants %s; "
          "%s growth after 20%%: %.2f MiB (limit %.0f)%s; rss %d -> %d KiB%s"
          % ("PASS" if ok and mem_ok else "FAIL", len(cases),
             " ".join("%s=%d" % (k, kinds_count[k]) for k in KINDS),
             elapsed, args.seed, len(failures), trunc_cov, eof_cov,
             ",".join(v[0] for v in fz.variants),
             what, growth_mb, args.max_growth_mb, refs,
             rss_start or 0, rss_end, "" if mem_ok else "; MEMORY GREW"))
    sys.stdout.flush()
    return 0 if ok and mem_ok else 1


if __name__ == "__main__":
    sys.exit(main())
