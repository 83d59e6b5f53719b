#!/usr/bin/env python
"""Thread hardening for ssl.SSLObject / ssl.MemoryBIO (2.7 with PEP 546, or 3).

    python tests/threads_sslobject.py [--seconds 60] [--threads 8]

Phase 1 (baseline): a CPU-bound pure-Python thread counts alone for a few
seconds; its rate R0 is the baseline.

Race (before phase 2): two threads call read(65536) on ONE SSLObject while
a third feeds its incoming MemoryBIO; every byte must be read exactly once,
and a call that finds the BIOs in use raises RuntimeError.

Phase 2 (--seconds): --threads TLS threads each drive pair after pair
(handshake, messages of 1 byte to 64 KiB checked both ways, unwrap) on ONE
shared server SSLContext and ONE shared client SSLContext, while the same
counting thread goes on; its rate is R1.  A watchdog thread ends the process
(exit 3, with every thread's stack) if no TLS thread makes progress for
--stall seconds, so a deadlock cannot hang CI.

Passes when
  * no exception other than the expected ones, no crash, no deadlock, and
    every TLS thread completed pairs;
  * GIL probe (before phase 2, see gil_probe()): while this thread is inside
    one long OpenSSL call -- the server's first do_handshake() (RSA-3072
    signature, ~2 ms) or a 4 MiB write() -- the counter thread must run.
    The counter only moves by executing bytecode, so if the call kept the
    GIL it cannot move at all, in any call (checked with a GIL-holding
    builtin, sorted() of 300k items: 0 % every time).  Passing requires that
    it moved during at least one call of each kind (the probe makes 20
    calls, and up to 400 while the counter has moved in fewer than 3, so
    that a loaded machine, where the counter may find no free core during
    a 2 ms call, does not fail it); its median pace is reported (~100 % on an idle
    2-core machine; --min-probe can require a minimum);
  * the counter keeps making progress during phase 2: it never stands still
    for --max-gap seconds (5) and its rate stays >= --min-progress (3 %) of
    the baseline.  Nine runnable Python threads share one GIL, so the
    counter's fair share is at most 1/9 (11 %); 2.7's GIL (a plain lock
    handed over every 100 bytecodes) favours the TLS threads, which drop and
    retake it around every OpenSSL call, and gives the counter ~8 % here,
    while Python 3's switch-interval GIL gives it 60-95 %.  A starved or
    deadlocked counter reads ~0; 3 % leaves room for a loaded CI machine.

Prints a summary line and exits 0 on success, 1 on failure.
"""
from __future__ import print_function

import argparse
import os
import random
import ssl
import sys
import threading
import time
import traceback
import warnings

import sslpair
from sslpair import move

warnings.simplefilter("ignore", DeprecationWarning)

try:
    clock = time.perf_counter
except AttributeError:
    clock = time.time

try:
    xrange
except NameError:
    xrange = range


def cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        import multiprocessing
        return multiprocessing.cpu_count()
    except Exception:
        return 1


class Counter(threading.Thread):
    """Pure-Python CPU-bound loop; self.n grows by 1000 per batch
    (a batch takes ~20-50 us)."""

    def __init__(self):
        threading.Thread.__init__(self, name="counter")
        self.daemon = True
        self.n = 0
        self.stop = False

    def run(self):
        n = 0
        while not self.stop:
            x = 0
            for i in xrange(1000):
                x += i
            n += 1000
            self.n = n


class TLSWorker(threading.Thread):
    def __init__(self, idx, sctx, cctx, deadline, seed):
        threading.Thread.__init__(self, name="tls-%d" % idx)
        self.daemon = True
        self.sctx, self.cctx = sctx, cctx
        self.deadline = deadline
        self.rng = random.Random(seed)
        self.pairs = 0
        self.bytes = 0
        self.last_progress = clock()
        self.error = None

    def one_pair(self):
        rng = self.rng
        p = sslpair.Pair(self.sctx, self.cctx, "localhost")
        if not p.handshake(10):
            raise AssertionError("handshake did not complete")
        c, s, cin, cout, sin, sout = p.astuple()
        for _ in range(rng.randint(5, 30)):
            size = rng.choice((1, 64, 1000, 16384, 65536))
            msg = (b"%08d" % self.pairs) * (size // 8 + 1)
            msg = msg[:size]
            a, b, ain_out, bout_in = ((c, s, cout, sin) if rng.random() < 0.5
                                      else (s, c, sout, cin))
            a.write(msg)
            move(ain_out, bout_in)
            got = []
            need = size
            while need:
                try:
                    chunk = b.read(need)
                except ssl.SSLWantReadError:
                    raise AssertionError("data missing")
                got.append(chunk)
                need -= len(chunk)
            if b"".join(got) != msg:
                raise AssertionError("data corrupted")
            self.bytes += size
        # close both ways
        try:
            c.unwrap()
        except ssl.SSLWantReadError:
            pass
        move(cout, sin)
        try:
            s.unwrap()
        except ssl.SSLWantReadError:
            pass
        move(sout, cin)
        c.unwrap()
        # read-only calls on the shared contexts, concurrently
        if rng.random() < 0.1:
            self.sctx.session_stats()
            self.cctx.cert_store_stats()
            self.sctx.get_ciphers() if hasattr(self.sctx, "get_ciphers") else None

    def run(self):
        try:
            while clock() < self.deadline:
                self.one_pair()
                self.pairs += 1
                self.last_progress = clock()
        except Exception:
            self.error = traceback.format_exc()


def gil_probe(sctx, cctx, counter, rate, rounds=20, max_rounds=400,
              need=3):
    """Fraction of its free-running pace that the counter keeps DURING a
    long OpenSSL call made by this thread, for two calls: the server's
    first do_handshake() (RSA-3072 signature, ~2 ms) and a 4 MiB write()
    (256 records, ~3 ms).  The counter value is read just before and just
    after the call by this thread while it holds the GIL: if the call kept
    the GIL, the counter cannot move at all (fraction 0); if it released
    the GIL, the counter runs meanwhile (fraction near 1 on a free core).
    Returns {call: (median fraction, calls during which the counter
    advanced at all, calls made)}."""
    out = {"do_handshake": [], "write": []}
    big = b"w" * (4 * 1024 * 1024)
    moved = {"do_handshake": 0, "write": 0}
    for i in range(max_rounds):
        # on a loaded machine the counter may find no free core during a
        # 2 ms call: go on (up to max_rounds) until it ran `need` times
        if i >= rounds and min(moved.values()) >= need:
            break
        c, s, cin, cout, sin, sout = sslpair.Pair(sctx, cctx).astuple()
        sslpair.do_handshake(c)
        sin.write(cout.read())
        time.sleep(0.002)           # let the counter take the GIL
        n0, t0 = counter.n, clock()
        sslpair.do_handshake(s)
        n1, t1 = counter.n, clock()
        out["do_handshake"].append((n1 - n0) / (rate * (t1 - t0)))
        moved["do_handshake"] += n1 > n0
        cin.write(sout.read())
        c.do_handshake()
        sin.write(cout.read())
        s.do_handshake()
        cin.write(sout.read())
        time.sleep(0.002)
        n0, t0 = counter.n, clock()
        c.write(big)
        n1, t1 = counter.n, clock()
        out["write"].append((n1 - n0) / (rate * (t1 - t0)))
        moved["write"] += n1 > n0
        cout.read()
    res = {}
    for k, v in out.items():
        v.sort()
        res[k] = (v[len(v) // 2], sum(1 for x in v if x > 0), len(v))
    return res


def shared_object_race(sctx, cctx, seconds, readers=2):
    """Several threads call read(65536) on ONE SSLObject while another
    feeds its incoming MemoryBIO.  A read's buffer is sized from the
    SSLObject and the MemoryBIO (_ssl_read_bound()), which must happen
    with the BIOs marked busy: a thread that finds them busy gets
    RuntimeError, never a race with the thread inside OpenSSL.  Every
    byte sent must be read exactly once.  Returns (bytes sent, bytes read,
    RuntimeErrors seen)."""
    p = sslpair.Pair(sctx, cctx, "localhost")
    if not p.handshake(10):
        raise AssertionError("handshake did not complete")
    c, s, cin, cout, sin, sout = p.astuple()
    lock = threading.Lock()
    state = {"read": 0, "busy": 0, "sent": 0, "done": False, "error": None}

    def reader():
        try:
            while True:
                try:
                    data = c.read(65536)
                except ssl.SSLWantReadError:
                    if state["done"]:
                        return
                    continue
                except RuntimeError:
                    with lock:
                        state["busy"] += 1
                    continue
                if data.strip(b"z"):
                    raise AssertionError("data corrupted")
                with lock:
                    state["read"] += len(data)
        except Exception:
            state["error"] = traceback.format_exc()

    threads = [threading.Thread(target=reader) for i in range(readers)]
    for t in threads:
        t.daemon = True
        t.start()
    end = clock() + seconds
    rng = random.Random(seconds)
    while clock() < end and state["error"] is None:
        msg = b"z" * rng.choice((1, 100, 4000, 16384, 50000))
        s.write(msg)
        data = sout.read()
        while True:
            try:
                cin.write(data)
                break
            except RuntimeError:        # a reader is inside OpenSSL
                with lock:
                    state["busy"] += 1
        state["sent"] += len(msg)
    # let the readers drain what is left
    drain = clock() + 10
    while state["read"] < state["sent"] and clock() < drain and \
            state["error"] is None:
        time.sleep(0.01)
    state["done"] = True
    for t in threads:
        t.join(10)
    if state["error"]:
        raise AssertionError("a reader failed:\n" + state["error"])
    if state["read"] != state["sent"]:
        raise AssertionError("sent %d bytes, read %d"
                             % (state["sent"], state["read"]))
    return state["sent"], state["read"], state["busy"]


def dump_stacks():
    frames = sys._current_frames()
    for t in threading.enumerate():
        f = frames.get(t.ident)
        print("--- thread %s" % t.name)
        if f is not None:
            print("".join(traceback.format_stack(f)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--baseline", type=float, default=None,
                    help="baseline seconds (default: min(5, S/4), >= 1)")
    ap.add_argument("--min-progress", type=float, default=0.03)
    ap.add_argument("--max-gap", type=float, default=5.0)
    ap.add_argument("--min-probe", type=float, default=0.0,
                    help="minimum median pace of the counter during one "
                         "long call (default 0: only require that it ran "
                         "during at least one call)")
    ap.add_argument("--stall", type=float, default=30.0)
    ap.add_argument("--certdir", default=None)
    ap.add_argument("--seed", type=int, default=546)
    args = ap.parse_args(argv)

    if not hasattr(ssl, "MemoryBIO"):
        print("threads: FAIL: this ssl module has no MemoryBIO")
        return 2
    certdir = args.certdir
    if certdir is None:
        import test
        certdir = os.path.dirname(test.__file__)
    sctx, cctx = sslpair.make_contexts(os.path.join(certdir, "keycert.pem"))
    base_s = args.baseline or max(1.0, min(5.0, args.seconds / 4))

    counter = Counter()
    counter.start()
    time.sleep(0.3)
    n0, t0 = counter.n, clock()
    time.sleep(base_s)
    n1, t1 = counter.n, clock()
    r0 = (n1 - n0) / (t1 - t0)
    probe = gil_probe(sctx, cctx, counter, r0)
    race = shared_object_race(sctx, cctx, min(5.0, max(1.0, args.seconds / 10)))

    deadline = clock() + args.seconds
    workers = [TLSWorker(i, sctx, cctx, deadline, args.seed + i)
               for i in range(args.threads)]
    c0, w0 = os.times()[0], clock()
    for w in workers:
        w.start()
    time.sleep(min(0.5, args.seconds / 10))
    m0, u0, tm0 = counter.n, os.times()[0], clock()
    # watchdog: the main thread itself
    stalled = False
    last_n, last_move, max_gap = counter.n, clock(), 0.0
    while any(w.is_alive() for w in workers):
        time.sleep(0.5)
        now = clock()
        if counter.n != last_n:
            last_n, last_move = counter.n, now
        max_gap = max(max_gap, now - last_move)
        if now > deadline + args.stall or any(
                w.is_alive() and now - w.last_progress > args.stall
                for w in workers):
            stalled = True
            break
    m1, u1, tm1 = counter.n, os.times()[0], clock()
    counter.stop = True
    if stalled:
        print("threads: FAIL: no progress for %.0f s (deadlock?)" % args.stall)
        dump_stacks()
        sys.stdout.flush()
        os._exit(3)
    for w in workers:
        w.join(5)
    counter.join(5)

    r1 = (m1 - m0) / (tm1 - tm0)
    ratio = r1 / r0 if r0 else 0.0
    cpu = (u1 - u0) / (tm1 - tm0)
    ncpu = cpu_count()
    errors = [w for w in workers if w.error]
    idle = [w for w in workers if w.pairs == 0]
    problems = []
    for w in errors:
        print("thread %s failed:\n%s" % (w.name, w.error))
        problems.append("%s raised" % w.name)
    if idle:
        problems.append("%d threads completed no pair" % len(idle))
    if max_gap >= args.max_gap:
        problems.append("counter stood still for %.1f s" % max_gap)
    if ratio < args.min_progress:
        problems.append("counter at %.0f%% of baseline (< %.0f%%)"
                        % (100 * ratio, 100 * args.min_progress))
    for k in sorted(probe):
        med, moved, total = probe[k]
        if ncpu >= 2 and moved == 0:
            problems.append("counter never ran during %s (0/%d calls): "
                            "GIL held?" % (k, total))
        elif ncpu >= 2 and med < args.min_probe:
            problems.append("counter kept only %.0f%% of its pace during %s "
                            "(< %.0f%%)" % (100 * med, k, 100 * args.min_probe))
    pairs = sum(w.pairs for w in workers)
    mb = sum(w.bytes for w in workers) / 1e6
    print("per thread pairs: " + " ".join(str(w.pairs) for w in workers))
    print("threads: one SSLObject read by 2 threads while a third feeds it: "
          "%d bytes sent, %d read, %d RuntimeErrors (a MemoryBIO in use)"
          % race)
    print("threads: %s: %d TLS threads x %.0f s on one SSLContext: %d pairs, "
          "%.0f MB checked; counter %.2fM/s alone, %.2fM/s with TLS "
          "(%.0f%% of baseline, min %.0f%%; longest stand-still %.1f s); counter pace during one "
          "long call: %s (min pace %.0f%%); user CPU %.2f cores on %d CPUs%s"
          % ("PASS" if not problems else "FAIL", args.threads, args.seconds,
             pairs, mb, r0 / 1e6, r1 / 1e6, 100 * ratio,
             100 * args.min_progress, max_gap,
             ", ".join("%s %.0f%% (ran during %d/%d calls)"
                       % (k, 100 * probe[k][0], probe[k][1], probe[k][2])
                       for k in sorted(probe)),
             100 * args.min_probe, cpu, ncpu,
             "" if not problems else "; " + "; ".join(problems)))
    sys.stdout.flush()
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
