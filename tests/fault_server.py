#!/usr/bin/env python3
"""The misbehaving TLS server of tests/fault_harness.py (Python 3 only).

    python3 tests/fault_server.py --seed S --cert C --key K --main N --threads T --per-thread M

It makes the plan of one run from the seed (which connection gets which
fault, payload size, TLS version, client kind), prints it as one JSON line
with the port it listens on (127.0.0.1), serves every planned connection
once, and exits (at the latest after --deadline seconds).

Each connection starts with 8 plain bytes from the client, b'FH01' and its
id (big-endian), so that the server knows the plan of a connection before
TLS starts, whatever order the connections arrive in.  TLS is then a
well-behaved Python 3 SSLObject; every byte it produces goes through Wire,
a fault layer that knows TLS record framing (5-byte headers) and cuts,
resets, flips or dribbles those bytes as the plan says.  Keeping server
and fault layer in one process (rather than a proxy in front of a server)
makes each fault land on an exact record or handshake byte, so that two
runs of the same seed meet the same fault.
"""
import argparse
import ctypes
import hashlib
import json
import random
import socket
import ssl
import struct
import sys
import threading
import time

MAGIC = b"FH01"
RECORD_MAX = 16384
DRAIN_SECONDS = 10

# Faults that end a connection early, and faults that are legal TLS, after
# which the client must still get every byte (benign).
FAULTS = ["eof-handshake", "reset-handshake", "eof", "truncated", "reset",
          "corrupt", "close-notify"]
BENIGN = ["renegotiate", "one-byte-writes", "one-byte-records"]


def payload(seed, cid, size):
    """The bytes connection cid of run seed carries: distinct per
    connection, the same in every interpreter (sha256 in counter mode)."""
    out, i = [], 0
    while sum(map(len, out)) < size:
        out.append(hashlib.sha256(("%d:%d:%d" % (seed, cid, i)).encode()).digest())
        i += 1
    return b"".join(out)[:size]


def make_plan(seed, n_main, n_threads, per_thread, fault_share):
    rng = random.Random(seed)
    specs = []
    threads = [0] * n_main + [t for t in range(1, n_threads + 1) for _ in range(per_thread)]
    n = len(threads)
    n_fault = max(len(FAULTS), int(round(n * fault_share)))
    n_benign = max(len(BENIGN), n // 8)
    # every fault kind at least once per run, then at random
    kinds = FAULTS + [rng.choice(FAULTS) for _ in range(n_fault - len(FAULTS))]
    kinds += BENIGN + [rng.choice(BENIGN) for _ in range(n_benign - len(BENIGN))]
    kinds += ["none"] * (n - len(kinds))
    rng.shuffle(kinds)
    for cid, (thread, kind) in enumerate(zip(threads, kinds)):
        small = kind in ("one-byte-writes", "one-byte-records")
        size = rng.randint(1, 3000) if small else int(2 ** rng.uniform(0, 18))
        if kind == "one-byte-records":
            chunks = [1] * size
        else:
            chunks, left = [], size
            while left:
                c = min(left, int(2 ** rng.uniform(0, 14)))
                chunks.append(c)
                left -= c
        spec = {
            "id": cid, "thread": thread, "kind": kind, "size": size,
            "digest": hashlib.sha256(payload(seed, cid, size)).hexdigest(),
            # TLS 1.2 renegotiates; 1.3 has none
            "tls": "1.2" if kind == "renegotiate" else rng.choice(["1.2", "1.3"]),
            "client": rng.choice(["sslsocket", "sslobject"]),
            "suppress_ragged_eofs": rng.choice([True, False]),
            "chunks": chunks,
            # where the fault lands: before data record `record` (with
            # `cut` of its bytes sent), or at `frac` of the first flight
            "record": rng.randrange(len(chunks)),
            "frac": rng.random(),
            "flight": rng.choice([0, 1]),   # the server's first or second
            "bit": rng.randrange(8 * RECORD_MAX),
        }
        specs.append(spec)
    return specs


class Cut(Exception):
    """The fault ended the connection."""


class Wire(object):
    """Sends what the server's TLS produces, applying the connection's fault."""

    def __init__(self, sock, spec):
        self.sock, self.spec, self.kind = sock, spec, spec["kind"]
        self.flights = 0
        if self.kind == "one-byte-writes":
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self, data):
        if self.kind == "one-byte-writes":
            for i in range(len(data)):
                self.sock.sendall(data[i:i + 1])
        else:
            self.sock.sendall(data)

    def handshake(self, data):
        """Bytes of the server's handshake; its first flight (ServerHello
        on) or its second (TLS 1.2: ticket, ChangeCipherSpec, Finished;
        TLS 1.3: the tickets, after the client is done) may be cut at any
        byte, 0 included."""
        if not data:
            return
        if self.flights == self.spec["flight"] and \
                self.kind in ("eof-handshake", "reset-handshake"):
            self.send(data[:int(self.spec["frac"] * len(data))])
            self.end(self.kind == "eof-handshake")
        self.flights += 1
        self.send(data)

    def record(self, index, data):
        """The records of one write of application data (one record: the
        plan's chunks are at most 16 KiB)."""
        if index == self.spec["record"]:
            if self.kind == "eof":          # at a record boundary
                self.end(True)
            elif self.kind == "truncated":  # inside the record, header included
                self.send(data[:1 + int(self.spec["frac"] * (len(data) - 1))])
                self.end(True)
            elif self.kind == "reset":      # anywhere in the record
                self.send(data[:int(self.spec["frac"] * len(data))])
                self.end(False)
            elif self.kind == "corrupt":    # one bit of the body, not the header
                body = bytearray(data[5:])
                pos = self.spec["bit"] % (8 * len(body))
                body[pos // 8] ^= 1 << (pos % 8)
                self.send(data[:5] + bytes(body))
                self.end(True)
        self.send(data)

    def end(self, fin):
        """EOF without close_notify (a FIN, after which whatever the client
        still sends is read and dropped, so that closing does not turn into
        a reset), or a TCP reset (SO_LINGER 0)."""
        if fin:
            drain(self.sock)
        else:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.sock.close()
        raise Cut()


def drain(sock):
    try:
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(DRAIN_SECONDS)
        while sock.recv(65536):
            pass
    except OSError:
        pass
    sock.close()


# --- TLS 1.2 renegotiation -------------------------------------------------
# Python 3's ssl has no call for it, so SSL_renegotiate() is called through
# ctypes on the SSL* of the SSLObject: PySSLSocket is PyObject_HEAD, the
# socket weakref, then SSL *ssl (Modules/_ssl.c, 3.6 to 3.13).  The pointer
# is checked (SSL_get_version equals version(), SSL_is_server) before use.

_LIB = None


def libssl():
    global _LIB
    if _LIB is None:
        import _ssl
        lib = ctypes.CDLL(_ssl.__file__)   # its libssl is among its dependencies
        for name, res in (("SSL_get_version", ctypes.c_char_p), ("SSL_is_server", ctypes.c_int),
                          ("SSL_renegotiate", ctypes.c_int),
                          ("SSL_renegotiate_pending", ctypes.c_int)):
            getattr(lib, name).restype = res
            getattr(lib, name).argtypes = [ctypes.c_void_p]
        _LIB = lib
    return _LIB


def ssl_pointer(obj):
    lib = libssl()
    p = ctypes.c_void_p.from_address(id(obj._sslobj) + 3 * ctypes.sizeof(ctypes.c_void_p)).value
    if not p or lib.SSL_is_server(p) != 1 or \
            lib.SSL_get_version(p) != obj.version().encode():
        raise RuntimeError("cannot find the SSL* of an SSLObject in this Python")
    return p


def renegotiate(sock, obj, inc, out, wire):
    lib = libssl()
    p = ssl_pointer(obj)
    if lib.SSL_renegotiate(p) != 1:
        raise RuntimeError("SSL_renegotiate failed")
    try:
        obj.do_handshake()          # writes the HelloRequest
    except ssl.SSLWantReadError:
        pass
    wire.send(out.read())
    deadline = time.time() + DRAIN_SECONDS
    while lib.SSL_renegotiate_pending(p) and time.time() < deadline:
        data = sock.recv(65536)
        if not data:
            raise Cut()
        inc.write(data)
        try:
            obj.read(1)             # processes the client's new handshake
        except ssl.SSLWantReadError:
            pass
        wire.send(out.read())
    if lib.SSL_renegotiate_pending(p):
        raise RuntimeError("the client did not renegotiate")


def serve(sock, specs, seed, contexts, done):
    try:
        sock.settimeout(DRAIN_SECONDS)
        head = b""
        while len(head) < 8:
            more = sock.recv(8 - len(head))
            if not more:
                return
            head += more
        magic, cid = struct.unpack("!4sI", head)
        if magic != MAGIC or cid >= len(specs):
            return
        spec = specs[cid]
        inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = contexts[spec["tls"]].wrap_bio(inc, out, server_side=True)
        wire = Wire(sock, spec)
        while True:
            try:
                obj.do_handshake()
                break
            except ssl.SSLWantReadError:
                wire.handshake(out.read())
                data = sock.recv(65536)
                if not data:
                    return
                inc.write(data)
        wire.handshake(out.read())      # the end of the flight, TLS 1.3's tickets
        data = payload(seed, cid, spec["size"])
        pos = 0
        for index, n in enumerate(spec["chunks"]):
            if index == spec["record"]:
                if spec["kind"] == "close-notify":
                    break
                if spec["kind"] == "renegotiate":
                    renegotiate(sock, obj, inc, out, wire)
            obj.write(data[pos:pos + n])
            pos += n
            wire.record(index, out.read())
        try:
            obj.unwrap()                # close_notify; the client's is not awaited
        except ssl.SSLWantReadError:
            pass
        wire.send(out.read())
        drain(sock)
    except (Cut, OSError):  # OSError: the client gave up first (EPIPE, ...)
        pass
    except Exception as e:              # a bug here, or renegotiation refused
        sys.stderr.write("server: connection %s: %r\n" % (locals().get("cid"), e))
    finally:
        sock.close()
        done.release()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key")
    ap.add_argument("--main", type=int, default=48)
    ap.add_argument("--threads", type=int, default=3)
    ap.add_argument("--per-thread", type=int, default=16)
    ap.add_argument("--fault-share", type=float, default=1 / 3.)
    ap.add_argument("--deadline", type=float, default=120)
    a = ap.parse_args()
    specs = make_plan(a.seed, a.main, a.threads, a.per_thread, a.fault_share)
    contexts = {}
    for v in ("1.2", "1.3"):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        ctx.minimum_version = ctx.maximum_version = getattr(
            ssl.TLSVersion, "TLSv1_" + v[-1])
        contexts[v] = ctx
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(256)
    ls.settimeout(1)
    print(json.dumps({"port": ls.getsockname()[1], "conns": specs}))
    sys.stdout.flush()
    done = threading.Semaphore(0)
    deadline = time.time() + a.deadline
    accepted = 0
    while accepted < len(specs) and time.time() < deadline:
        try:
            s, _ = ls.accept()
        except socket.timeout:
            continue
        accepted += 1
        threading.Thread(target=serve, args=(s, specs, a.seed, contexts, done),
                         daemon=True).start()
    for _ in range(accepted):
        if not done.acquire(timeout=max(0.1, deadline - time.time())):
            break


if __name__ == "__main__":
    main()
