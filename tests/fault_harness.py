#!/usr/bin/env python
"""Many TLS connections at once against a misbehaving server (issue 22).

    python tests/fault_harness.py run --seed 1 [--json OUT]      # 2.7 (patched) or 3
    python3 tests/fault_harness.py compare --python P27 --reference P3 [--seeds 1-4]

Why: one connection's fault must not leak into another's.  On OpenSSL 3 an
EOF without close_notify left SSL_R_UNEXPECTED_EOF_WHILE_READING in the
thread's error queue, and SSL_get_error() reads that queue first, so the
next would-block read of ANY connection in that thread looked like an
error: healthy connections ended early ('' or SSLEOFError).  Checks that
drive one connection at a time cannot see that; this drives many.

'run' (the side under test: plain stdlib, Python 2.7 with PEP 546 or 3):
--main non-blocking connections in the main thread's one select() loop,
and --threads more threads with --per-thread each, all on ONE client
SSLContext; each connection is at random an SSLSocket (suppress_ragged_eofs
true or false) or an SSLObject over two MemoryBIOs moved to and from a
real socket, driven like an event loop (read until SSLWantReadError).  The
server is tests/fault_server.py under python3 (--server-python): it plans
the run from the seed and misbehaves on about a third of the connections:
EOF without close_notify in the handshake or between records, a TCP reset
(SO_LINGER 0), a bit flipped in an application-data record, a record cut
short then EOF, close_notify early; and legal but unusual: TLS 1.2
renegotiation (HelloRequest), the stream one byte per send(), one byte per
record.  Each connection gets a distinct payload; its outcome class:

  intact              every byte, then close_notify (or '' for it)
  short               close_notify, or '' for an EOF, before the last byte
  eof                 SSLEOFError (EOF without close_notify)
  ssl-error           another SSLError (a bad record MAC, ...)
  reset               ECONNRESET or EPIPE
  hang                no end within --timeout (always a failure)
  corrupted           bytes that are not the payload (always a failure)

prefixed 'handshake:' when the handshake did not finish ('reset' has no
prefix: where a reset is seen depends on timing, not on the peer).  Every
connection without a fault, or with a benign one, must be intact.

'compare' runs 'run' for each seed under the 2.7 interpreter and under each
Python 3 reference, and fails when a connection's class differs, or a run
fails.  Documented differences are mapped, and each mapping is printed
with how often it was applied:
  * 2.7's SSLSocket raises socket.error(0, 'Error') for an EOF during the
    handshake where Python 3 raises SSLEOFError (patches/0003): counted as
    handshake:eof (in 'run', so the 2.7 run's own figures use it too);
  * Python 3.9's SSLObject raises SSLSyscallError for an EOF during the
    handshake (bpo-31122, fixed in 3.10; the backport's SSLObject follows
    3.10+): counted as handshake:eof;
  * Python 3.10+'s SSLSocket reports a TCP reset after its handshake as
    SSLEOFError ('' with suppress_ragged_eofs), because SSL_read_ex()
    returns 0 where SSL_read() returned -1; 2.7 and 3.9 raise ECONNRESET:
    counted as reset.
A Python 3 compared with itself (compare --python python3 --reference
python3) gives no mismatch: the plan, not timing, decides every class.
"""
from __future__ import print_function

import argparse
import errno
import hashlib
import json
import os
import select
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "fault_server.py")
PY2 = sys.version_info[0] == 2
WOULD_BLOCK = (errno.EAGAIN, errno.EWOULDBLOCK)
RESET = (errno.ECONNRESET, errno.EPIPE)
# no fault, or a legal one (fault_server.BENIGN): every byte must arrive
MUST_BE_INTACT = ("none", "renegotiate", "one-byte-writes", "one-byte-records")


def payload(seed, cid, size):
    """The same bytes as fault_server.payload()."""
    out, n, i = [], 0, 0
    while n < size:
        out.append(hashlib.sha256(("%d:%d:%d" % (seed, cid, i)).encode()).digest())
        n += 32
        i += 1
    return b"".join(out)[:size]


class Conn(object):
    """One client connection, stepped by its thread's select() loop."""

    def __init__(self, spec, seed, ctx, port):
        self.spec = spec
        self.expected = payload(seed, spec["id"], spec["size"])
        self.got = []
        self.nbytes = 0
        self.handshaken = False
        self.result = None
        self.mapped = None
        self.error = None
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"FH01" + struct.pack("!I", spec["id"]))
        self.sock.setblocking(False)
        self.wait = "r"
        if spec["client"] == "sslsocket":
            self.tls = ctx.wrap_socket(self.sock, server_hostname="localhost",
                                       do_handshake_on_connect=False,
                                       suppress_ragged_eofs=spec["suppress_ragged_eofs"])
            self.sock = self.tls    # Python 3 detached the plain socket
            self.inc = None
        else:
            self.inc, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
            self.tls = ctx.wrap_bio(self.inc, self.outgoing, server_hostname="localhost")
            self.pending = b""

    def fileno(self):
        return self.sock.fileno()

    def step(self):
        """Move as far as the sockets allow; sets self.result at the end."""
        try:
            if self.inc is not None and not self.pull():
                return
            while True:
                if not self.handshaken:
                    self.tls.do_handshake()
                    self.handshaken = True
                data = self.tls.read(65536)
                self.push()
                if not data:
                    return self.finish("end")
                self.got.append(data)
                self.nbytes += len(data)
        except ssl.SSLWantReadError:
            self.wait = "r"
        except ssl.SSLWantWriteError:
            self.wait = "w"
        except Exception as e:
            return self.finish(self.classify(e), e)
        try:
            self.push()
        except Exception as e:
            return self.finish(self.classify(e), e)

    # The SSLObject's transport: socket -> incoming BIO, outgoing BIO -> socket.
    def pull(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except socket.error as e:
                if e.args[0] in WOULD_BLOCK:
                    return True
                self.finish(self.classify(e), e)
                return False
            if not data:
                self.inc.write_eof()
                return True
            self.inc.write(data)

    def push(self):
        if self.inc is None:
            return
        self.pending += self.outgoing.read()
        while self.pending:
            try:
                n = self.sock.send(self.pending)
            except socket.error as e:
                if e.args[0] in WOULD_BLOCK:
                    self.wait = "w"
                    return
                raise
            self.pending = self.pending[n:]

    def classify(self, e):
        where = "" if self.handshaken else "handshake:"
        if isinstance(e, ssl.SSLZeroReturnError):
            return "end"
        if isinstance(e, ssl.SSLEOFError):
            return where + "eof"
        if isinstance(e, ssl.SSLError):
            return where + "ssl-error"
        if isinstance(e, (socket.error, OSError)):
            if e.args and e.args[0] in RESET:
                return "reset"
            if not self.handshaken and e.args and e.args[0] == 0 \
                    and self.inc is None and PY2:
                # patches/0003: 2.7's SSLSocket keeps socket.error(0) for
                # an EOF in the handshake; Python 3 raises SSLEOFError
                self.mapped = "2.7 SSLSocket socket.error(0, 'Error') in the handshake -> handshake:eof"
                return "handshake:eof"
            return where + "oserror-%s" % (e.args[0] if e.args else "?")
        return where + type(e).__name__

    def finish(self, outcome, exc=None):
        got = b"".join(self.got)
        if not self.expected.startswith(got):
            outcome = "corrupted"
        elif outcome == "end":
            outcome = "intact" if got == self.expected else "short"
        self.result = outcome
        if exc is not None:
            self.error = "%s: %s" % (type(exc).__name__, exc)
        try:
            self.sock.close()
        except socket.error:
            pass


def loop(conns, deadline):
    """One thread's select() loop over its connections."""
    for c in conns:
        c.step()
    live = [c for c in conns if c.result is None]
    while live and time.time() < deadline:
        r = [c for c in live if c.wait == "r"]
        w = [c for c in live if c.wait == "w"]
        try:
            rr, ww, _ = select.select(r, w, [], 0.5)
        except (select.error, OSError) as e:
            if e.args[0] == errno.EINTR:
                continue
            raise
        for c in set(rr) | set(ww):
            c.step()
        live = [c for c in live if c.result is None]
    for c in live:
        c.finish("hang")


def clean_env():
    """The environment for the server and openssl: without what a wrapped
    interpreter (bullseye's python3.9 below build/peers) sets for itself."""
    env = dict(os.environ)
    for name in ("PYTHONHOME", "PYTHONPATH", "LD_LIBRARY_PATH", "OPENSSL_CONF"):
        env.pop(name, None)
    return env


def make_certs(tmp):
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    with open(os.devnull, "w") as null:
        subprocess.check_call(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
             "-subj", "/CN=localhost", "-days", "2", "-addext",
             "subjectAltName=DNS:localhost"], stdout=null, stderr=null, env=clean_env())
    return cert, key, cert


def run(a):
    tmp = tempfile.mkdtemp(prefix="fault-harness-")
    server = None
    try:
        if a.certdir:
            cert = os.path.join(a.certdir, "keycert3.pem")
            key, ca = None, os.path.join(a.certdir, "pycacert.pem")
        else:
            cert, key, ca = make_certs(tmp)
        cmd = [a.server_python, SERVER, "--seed", str(a.seed), "--cert", cert,
               "--main", str(a.main), "--threads", str(a.threads),
               "--per-thread", str(a.per_thread), "--deadline", str(a.timeout + 20)]
        if key:
            cmd += ["--key", key]
        server = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=clean_env())
        plan = json.loads(server.stdout.readline().decode())
        ctx = ssl.create_default_context(cafile=ca)    # ONE context for all threads
        conns = [Conn(s, a.seed, ctx, plan["port"]) for s in plan["conns"]]
        t0 = time.time()
        deadline = t0 + a.timeout
        by_thread = {}
        for c in conns:
            by_thread.setdefault(c.spec["thread"], []).append(c)
        threads = [threading.Thread(target=loop, args=(cs, deadline))
                   for t, cs in sorted(by_thread.items()) if t != 0]
        for t in threads:
            t.start()
        loop(by_thread.get(0, []), deadline)
        for t in threads:
            t.join()
        elapsed = time.time() - t0
    finally:
        if server is not None:
            try:
                server.wait(timeout=30) if not PY2 else server.wait()
            except Exception:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    results = [{"id": c.spec["id"], "thread": c.spec["thread"], "kind": c.spec["kind"],
                "client": c.spec["client"] + ("" if c.inc is not None else
                                              "/suppress" if c.spec["suppress_ragged_eofs"]
                                              else "/raise"),
                "tls": c.spec["tls"], "size": c.spec["size"], "got": c.nbytes,
                "class": c.result, "mapped": c.mapped, "error": c.error}
               for c in conns]
    doc = {"python": sys.version.split()[0], "openssl": ssl.OPENSSL_VERSION,
           "seed": a.seed, "seconds": round(elapsed, 2), "results": results}
    bad = report_run(doc)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(doc, f, indent=0, sort_keys=True)
    return 1 if bad else 0


def report_run(doc):
    """Prints one run's figures; returns the number of failures."""
    res = doc["results"]
    kinds = {}
    for r in res:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    must = [r for r in res if r["kind"] in MUST_BE_INTACT]
    healthy = [r for r in res if r["kind"] == "none"]
    bad = [r for r in must if r["class"] != "intact"] + \
          [r for r in res if r["class"] in ("hang", "corrupted")]
    print("Python %s, %s, seed %d: %d connections in %d threads, %d bytes expected, %d received, %.1fs"
          % (doc["python"], doc["openssl"], doc["seed"], len(res),
             len(set(r["thread"] for r in res)), sum(r["size"] for r in res),
             sum(r["got"] for r in res), doc["seconds"]))
    print("  by kind: " + ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
    print("  healthy intact %d/%d; benign faults intact %d/%d"
          % (sum(r["class"] == "intact" for r in healthy), len(healthy),
             sum(r["class"] == "intact" for r in must) - sum(r["class"] == "intact" for r in healthy),
             len(must) - len(healthy)))
    truncated = [r for r in healthy if r["class"] != "intact"]
    if truncated:
        print("  healthy connections NOT intact: %d (%s)" % (
            len(truncated), ", ".join("#%d %s %s %d/%d" % (r["id"], r["client"], r["class"],
                                                           r["got"], r["size"])
                                      for r in truncated[:8])))
    for r in bad:
        if r not in truncated:
            print("  FAIL #%d %s %s: %s, %d/%d bytes (%s)" % (r["id"], r["kind"], r["client"],
                                                            r["class"], r["got"], r["size"],
                                                            r["error"]))
    return len(set(id(r) for r in bad))


# --- compare: the same seeds under 2.7 and under Python 3 -------------------------

def parse_seeds(text):
    seeds = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        seeds.extend(range(int(lo), int(hi or lo) + 1))
    return seeds


def run_under(python, seed, a, out):
    cmd = [python, os.path.abspath(__file__), "run", "--seed", str(seed), "--json", out,
           "--server-python", a.server_python, "--timeout", str(a.timeout),
           "--main", str(a.main), "--threads", str(a.threads), "--per-thread", str(a.per_thread)]
    if a.certdir:
        cmd += ["--certdir", a.certdir]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True)
    try:
        text, _ = proc.communicate(timeout=a.timeout + 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        text, _ = proc.communicate()
        text += "\n(killed: the run itself hung)"
    sys.stdout.write("".join("  " + line + "\n" for line in text.splitlines()))
    if not os.path.exists(out):
        return None, 1
    with open(out) as f:
        return json.load(f), proc.returncode


def mapping(r27, r3, doc3):
    """Why r3's class counts as r27's, when they differ by a documented
    difference of Python 3 itself, not of the backport; else None."""
    py3 = tuple(int(x) for x in doc3["python"].split(".")[:2])
    if (r27["kind"] in ("reset", "reset-handshake") and r27["client"].startswith("sslsocket")
            and r27["class"] == "reset" and r3["class"] in ("eof", "short")
            and py3 >= (3, 10)):
        return ("Python >= 3.10's SSLSocket reports a TCP reset after the handshake as"
                " SSLEOFError ('' with suppress_ragged_eofs): it calls SSL_read_ex(), whose"
                " 0 takes PySSL_SetError()'s EOF branch; 2.7 and 3.9 (SSL_read(), -1)"
                " raise ECONNRESET: counted as reset")
    if (r27["client"] == "sslobject" and r27["class"] == "handshake:eof"
            and r3["class"] == "handshake:ssl-error" and py3 < (3, 10)
            and (r3["error"] or "").startswith("SSLSyscallError")):
        return ("Python < 3.10's SSLObject raises SSLSyscallError for an EOF in the"
                " handshake (bpo-31122, fixed in 3.10); the backport's SSLObject raises"
                " SSLEOFError as 3.10 and later do: counted as handshake:eof")
    return None


def compare(a):
    tmp = tempfile.mkdtemp(prefix="fault-compare-")
    seeds = parse_seeds(a.seeds)
    failures = 0
    table = {}       # kind -> {(class27, class3): n}
    mapped = {}
    truncated_healthy = 0
    healthy = 0
    kinds = {}
    nbytes = [0, 0]         # the 2.7 runs': expected, received
    t0 = time.time()
    try:
        for seed in seeds:
            print("seed %d" % seed)
            doc27, rc = run_under(a.python, seed, a, os.path.join(tmp, "27-%d.json" % seed))
            if doc27 is None or rc:
                failures += 1
            if doc27 is None:
                continue
            for r in doc27["results"]:
                kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
                nbytes[0] += r["size"]
                nbytes[1] += r["got"]
                if r["mapped"]:
                    mapped[r["mapped"]] = mapped.get(r["mapped"], 0) + 1
                if r["kind"] == "none":
                    healthy += 1
                    truncated_healthy += r["class"] != "intact"
            for i, ref in enumerate(a.reference):
                doc3, rc3 = run_under(ref, seed, a, os.path.join(tmp, "3-%d-%d.json" % (i, seed)))
                if doc3 is None or rc3:
                    print("  the reference itself failed (rc %s)" % rc3)
                    failures += 1
                    if doc3 is None:
                        continue
                for r27, r3 in zip(doc27["results"], doc3["results"]):
                    c3 = r3["class"]
                    why = mapping(r27, r3, doc3)
                    if why:
                        mapped[why] = mapped.get(why, 0) + 1
                        c3 = r27["class"]
                    key = (r27["class"], c3 if not why else c3 + " (" + r3["class"] + ")")
                    cell = table.setdefault((r27["kind"], r27["client"]), {})
                    cell[key] = cell.get(key, 0) + 1
                    if r27["class"] != c3:
                        failures += 1
                        print("  MISMATCH seed %d #%d %s %s tls%s: 2.7 %s (%d/%d bytes; %s)"
                              " vs Python 3 %s (%d bytes; %s)"
                              % (seed, r27["id"], r27["kind"], r27["client"], r27["tls"],
                                 r27["class"], r27["got"], r27["size"], r27["error"],
                                 r3["class"], r3["got"], r3["error"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("under test: %d connections, %d bytes planned, %d received; by kind: %s"
          % (sum(kinds.values()), nbytes[0], nbytes[1],
             ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))
    print("outcome class per fault kind and client, 2.7 vs Python 3 (connections):")
    for (kind, client), cell in sorted(table.items()):
        print("  %-16s %-20s %s" % (kind, client, ", ".join(
            "%s%s%s %d" % (c27, " == " if c3.startswith(c27 + " ") or c27 == c3 else " != ", c3, n)
            for (c27, c3), n in sorted(cell.items()))))
    for text, n in sorted(mapped.items()):
        print("mapping applied %d times: %s" % (n, text))
    if not mapped:
        print("mapping applied: none")
    print("healthy intact %d/%d over %d seeds (%d not intact)"
          % (healthy - truncated_healthy, healthy, len(seeds), truncated_healthy))
    print("fault-harness: %d seeds, %d failures, %.0fs" % (len(seeds), failures, time.time() - t0))
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd")
    for name in ("run", "compare"):
        p = sub.add_parser(name)
        p.add_argument("--server-python", default="python3")
        p.add_argument("--certdir", help="keycert3.pem and pycacert.pem (default: made with openssl)")
        p.add_argument("--main", type=int, default=48, help="connections in the main thread")
        p.add_argument("--threads", type=int, default=3)
        p.add_argument("--per-thread", type=int, default=16)
        p.add_argument("--timeout", type=float, default=60, help="seconds for a run's connections")
        if name == "run":
            p.add_argument("--seed", type=int, required=True)
            p.add_argument("--json")
        else:
            p.add_argument("--python", required=True, help="the interpreter under test")
            p.add_argument("--reference", action="append", required=True,
                           help="a Python 3 on the same OpenSSL (repeatable)")
            p.add_argument("--seeds", default="1-4", help="e.g. 1-4 or 1,5,9")
    a = ap.parse_args()
    if a.cmd == "run":
        return run(a)
    if a.cmd == "compare":
        return compare(a)
    ap.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
