"""Interop over loopback: the patched 2.7's SSLObject against Python 3's ssl.

PYTHON27 names the patched interpreter (./build.sh test sets it) and
PYTHON27_LIBTEST its Lib/test folder, whose certificates both sides use:
keycert3.pem (CN=localhost, signed by pycacert.pem).  Each direction moves
1 MiB each way, with the certificate verified.
"""
import hashlib
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON27 = os.environ.get("PYTHON27", "")
LIBTEST = os.environ.get("PYTHON27_LIBTEST", "")
PEER27 = os.path.join(HERE, "interop_peer27.py")
NBYTES = 1024 * 1024
CHUNK = 64 * 1024


def expected_digest():
    block = bytes(bytearray(range(256)) * (CHUNK // 256))
    h = hashlib.sha256()
    left = NBYTES
    while left:
        n = min(left, CHUNK)
        h.update(block[:n])
        left -= n
    return h.hexdigest()


def recv_exactly(sock, n):
    parts = []
    while n:
        data = sock.recv(min(n, CHUNK))
        if not data:
            raise EOFError("peer closed with %d bytes to go" % n)
        parts.append(data)
        n -= len(data)
    return b"".join(parts)


@unittest.skipUnless(PYTHON27 and os.path.isdir(LIBTEST), "PYTHON27 not set")
class InteropTests(unittest.TestCase):

    def setUp(self):
        self.cert = os.path.join(LIBTEST, "keycert3.pem")
        self.ca = os.path.join(LIBTEST, "pycacert.pem")

    def run_peer(self, *args):
        return subprocess.Popen([PYTHON27, "-E", PEER27] + [str(a) for a in args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True)

    def finish_peer(self, proc):
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 0, err)
        return json.loads(out.strip().splitlines()[-1])

    def test_py27_sslobject_client_to_py3_server(self):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert)
        listener = socket.create_server(("127.0.0.1", 0))
        self.addCleanup(listener.close)
        listener.settimeout(60)
        server_info = {}

        def serve():
            conn, _ = listener.accept()
            conn.settimeout(60)
            with ctx.wrap_socket(conn, server_side=True) as tls:
                got = hashlib.sha256()
                while True:
                    data = tls.recv(CHUNK)
                    if not data:
                        break
                    got.update(data)
                    tls.sendall(data)
                server_info.update(version=tls.version(), cipher=tls.cipher()[0],
                                   sha256=got.hexdigest())
                tls.unwrap().close()

        thread = threading.Thread(target=serve)
        thread.start()
        proc = self.run_peer("client", listener.getsockname()[1], self.ca, NBYTES)
        result = self.finish_peer(proc)
        thread.join(60)
        self.assertFalse(thread.is_alive())
        self.assertEqual(result["sha256"], expected_digest())
        self.assertEqual(server_info["sha256"], expected_digest())
        self.assertEqual(result["version"], server_info["version"])
        self.assertEqual(result["cipher"], server_info["cipher"])

    def test_py3_client_to_py27_sslobject_server(self):
        proc = self.run_peer("server", self.cert, NBYTES)
        port = int(proc.stdout.readline())
        ctx = ssl.create_default_context(cafile=self.ca)
        sent = hashlib.sha256()
        block = bytes(bytearray(range(256)) * (CHUNK // 256))
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            with ctx.wrap_socket(sock, server_hostname="localhost") as tls:
                self.assertEqual(tls.getpeercert()["subject"][-1],
                                 (("commonName", "localhost"),))
                left = NBYTES
                while left:
                    n = min(left, CHUNK)
                    sent.update(block[:n])
                    tls.sendall(block[:n])
                    self.assertEqual(recv_exactly(tls, n), block[:n])
                    left -= n
                version, cipher = tls.version(), tls.cipher()[0]
                binding = tls.get_channel_binding("tls-unique")
                tls.unwrap()
        result = self.finish_peer(proc)
        self.assertEqual(result["sha256"], sent.hexdigest())
        self.assertEqual(result["version"], version)
        self.assertEqual(result["cipher"], cipher)
        if result["tls_unique"] is not None:
            self.assertEqual(result["tls_unique"], binding.hex())

    def test_py3_client_rejects_py27_server_with_wrong_name(self):
        proc = self.run_peer("server", self.cert, NBYTES)
        port = int(proc.stdout.readline())
        ctx = ssl.create_default_context(cafile=self.ca)
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            with self.assertRaises(ssl.SSLCertVerificationError):
                ctx.wrap_socket(sock, server_hostname="not-localhost.example")
        proc.communicate(timeout=60)
        self.assertNotEqual(proc.returncode, 0)


if __name__ == "__main__":
    unittest.main()
