"""TLS in TLS on the patched 2.7: urllib3, requests and pip through an HTTPS proxy.

PYTHON27 names the patched interpreter (skipped when it is unset),
PYTHON27_LIBTEST its Lib/test folder (default: ../src/Lib/test beside the
interpreter's obj folder) for the certificates, TLS_IN_TLS_DIR the work and
cache folder (default: tls-in-tls in the build folder).

The clients are the last releases for 2.7: urllib3 1.26.20, requests 2.27.1
(with certifi 2021.10.8, idna 2.10, chardet 4.0.0) and pip 20.3.4 (which
vendors urllib3 1.26.2), fetched once with 'python3 -m pip download' (pinned
by SHA-256) and unpacked twice: as released, and with
clients/urllib3-1.26/0001-*.patch applied to urllib3 and to pip's vendored
urllib3 (patch -p1 --fuzz=0).

The servers run in this Python 3 process, in threads, on 127.0.0.1: they
are the reference side (Python 3's ssl), so a failure points at the 2.7
client, and they are stopped whatever happens.  Certificates: Lib/test's
keycert3.pem (localhost) and keycert4.pem (fakehostname), both signed by
pycacert.pem.

  origin      HTTPS, keycert3.pem: /blob/... (HTTP/1.1, Content-Length,
              keep-alive), /http10/... (HTTP/1.0, no length, closed without
              close_notify), /simple/ and /files/ (an index for pip)
  origin-bad  the same with keycert4.pem (a wrong name for 'localhost')
  proxy       HTTPS CONNECT proxy, keycert3.pem; tunnels only to the origins
  proxy-bad   the same with keycert4.pem

Each body is checked by SHA-256.  Every client run is a 2.7 subprocess with
a timeout and an environment without proxy variables or pip configuration.
"""
import base64
import hashlib
import http.server
import io
import json
import os
import random
import select
import shutil
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
PYTHON27 = os.environ.get("PYTHON27", "")
CLIENT27 = os.path.join(HERE, "tls_in_tls_client27.py")
PATCH = os.path.join(
    TOP, "clients", "urllib3-1.26",
    "0001-Allow-TLS-in-TLS-where-the-ssl-module-has-wrap_bio.patch")

# The last releases that support Python 2.7, pinned by SHA-256.
WHEELS = [
    ("urllib3", "1.26.20",
     "0ed14ccfbf1c30a9072c7ca157e4319b70d65f623e91e7b32fadb2853431016e"),
    ("requests", "2.27.1",
     "f22fa1e554c9ddfd16e6e41ac79759e17be9e492b3587efa038054674760e72d"),
    ("certifi", "2021.10.8",
     "d62a0163eb4c2344ac042ab2bdf75399a71a2d8c7d47eac2e2ee91b9d6339569"),
    ("idna", "2.10",
     "b97d804b1e9b523befed77c48dacec60e6dcb0b5391d57af6a65a312a90648c0"),
    ("chardet", "4.0.0",
     "f864054d66fd9118f2e67044ac8981a54775ec5b67aed0441892edb553d21da5"),
    ("pip", "20.3.4",
     "217ae5161a0e08c0fb873858806e3478c9775caffce5168b50ec885e358c199d"),
]

BODY = random.Random(546).randbytes(5 * 1024 * 1024)
BODY_SHA = hashlib.sha256(BODY).hexdigest()
CLIENT_TIMEOUT = 120        # one 2.7 client run, seconds
SOCKET_TIMEOUT = 30         # every server socket

NOT_PY2 = ("Contacting HTTPS destinations through HTTPS proxies "
           "'via CONNECT tunnels' is not supported in Python 2")


def default_dirs():
    """Lib/test and the work folder, from PYTHON27 when not given."""
    obj = os.path.dirname(os.path.abspath(PYTHON27))      # build/LEG/obj
    libtest = os.environ.get("PYTHON27_LIBTEST") or os.path.join(
        os.path.dirname(obj), "src", "Lib", "test")
    work = os.environ.get("TLS_IN_TLS_DIR") or os.path.join(
        os.path.dirname(os.path.dirname(obj)), "tls-in-tls")
    return libtest, work


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def clean_env(**extra):
    """This environment, without proxies, pip settings or Python paths."""
    env = {k: v for k, v in os.environ.items()
           if not (k.lower().endswith("_proxy") or k.startswith("PIP_")
                   or k.startswith("PYTHON") or k.startswith("REQUESTS_")
                   or k.startswith("CURL_") or k == "SSL_CERT_FILE")}
    env.update(extra)
    return env


# --- the clients: downloaded once, unpacked as released and patched ---------

class Clients(object):
    """TLS_IN_TLS_DIR/wheels (the download cache), site-released and
    site-patched (the unpacked PYTHONPATH folders)."""

    def __init__(self, work):
        self.work = work
        self.wheels = os.path.join(work, "wheels")
        self.released = os.path.join(work, "site-released")
        self.patched = os.path.join(work, "site-patched")
        self.downloaded = False
        self.unpacked = []
        self.patch_output = {}

    def wheel_path(self, name, version):
        return os.path.join(self.wheels,
                            "%s-%s-py2.py3-none-any.whl" % (name, version))

    def have_wheels(self):
        return all(os.path.isfile(self.wheel_path(n, v))
                   and sha256_file(self.wheel_path(n, v)) == sha
                   for n, v, sha in WHEELS)

    def download(self):
        if self.have_wheels():
            return
        os.makedirs(self.wheels, exist_ok=True)
        req = os.path.join(self.work, "requirements.txt")
        with open(req, "w") as f:
            for n, v, sha in WHEELS:
                f.write("%s==%s --hash=sha256:%s\n" % (n, v, sha))
        cmd = [sys.executable, "-m", "pip", "download", "-q",
               "--disable-pip-version-check", "--no-cache-dir", "--no-deps",
               "--require-hashes", "--only-binary=:all:",
               "--python-version", "27", "--implementation", "cp",
               "--abi", "none", "--platform", "any",
               "-d", self.wheels, "-r", req]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              universal_newlines=True, timeout=600)
        if proc.returncode != 0 or not self.have_wheels():
            raise RuntimeError("pip download failed (%d):\n%s"
                               % (proc.returncode, proc.stdout[-3000:]))
        self.downloaded = True

    def stamp(self, patched):
        h = hashlib.sha256()
        for n, v, sha in WHEELS:
            h.update(("%s %s %s\n" % (n, v, sha)).encode())
        if patched:
            with open(PATCH, "rb") as f:
                h.update(f.read())
        return h.hexdigest()

    def unpack(self, dest, patched):
        stamp_file = os.path.join(dest, ".stamp")
        stamp = self.stamp(patched)
        outputs_file = os.path.join(dest, ".patch-output.json")
        try:
            with open(stamp_file) as f:
                if f.read() == stamp:
                    if patched:
                        with open(outputs_file) as g:
                            self.patch_output = json.load(g)
                    return
        except OSError:
            pass
        new = dest + ".new"
        shutil.rmtree(new, ignore_errors=True)
        os.makedirs(new)
        for n, v, _ in WHEELS:
            with zipfile.ZipFile(self.wheel_path(n, v)) as z:
                z.extractall(new)
        if patched:
            outputs = {}
            for pkg in ("urllib3", os.path.join("pip", "_vendor", "urllib3")):
                with open(PATCH, "rb") as f:
                    proc = subprocess.run(
                        ["patch", "-p1", "--fuzz=0", "--no-backup-if-mismatch",
                         "-d", os.path.join(new, pkg)],
                        stdin=f, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, universal_newlines=True,
                        timeout=60)
                if proc.returncode != 0:
                    raise RuntimeError("the patch does not apply to %s:\n%s"
                                       % (pkg, proc.stdout))
                outputs[pkg] = proc.stdout
            self.patch_output = outputs
            with open(os.path.join(new, ".patch-output.json"), "w") as f:
                json.dump(outputs, f)
        with open(os.path.join(new, ".stamp"), "w") as f:
            f.write(stamp)
        shutil.rmtree(dest, ignore_errors=True)
        os.rename(new, dest)
        self.unpacked.append(os.path.basename(dest))

    def prepare(self):
        self.download()
        self.unpack(self.released, patched=False)
        self.unpack(self.patched, patched=True)


# --- the servers --------------------------------------------------------------

class TLSServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """A threaded TCP server on 127.0.0.1 whose handlers do the TLS
    handshake themselves; it records its connections and their errors,
    and close_all() ends every connection still open."""
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = False

    def __init__(self, handler, context, name):
        self.context = context
        self.name = name
        self.lock = threading.Lock()
        self.connections = []       # (connection number, peer) per TCP accept
        self.requests = []          # (connection number, request line)
        self.errors = []
        self.open_sockets = set()
        super().__init__(("127.0.0.1", 0), handler)
        self.port = self.server_address[1]

    def handle_error(self, request, client_address):
        self.errors.append(repr(sys.exc_info()[1]))

    def start(self):
        self.thread = threading.Thread(target=self.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       name=self.name, daemon=True)
        self.thread.start()

    def stop(self):
        self.shutdown()
        self.server_close()
        with self.lock:
            socks = list(self.open_sockets)
        for s in socks:
            try:
                s.close()
            except OSError:
                pass
        self.thread.join(SOCKET_TIMEOUT)


class TLSHandlerMixin(object):
    def setup(self):
        self.request.settimeout(SOCKET_TIMEOUT)
        with self.server.lock:
            self.number = len(self.server.connections)
            self.server.connections.append(self.client_address)
            self.server.open_sockets.add(self.request)
        self.request = self.server.context.wrap_socket(self.request,
                                                       server_side=True)
        with self.server.lock:
            self.server.open_sockets.add(self.request)
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            # The server closes the socket it accepted, which wrap_socket()
            # detached: close the TLS socket here, without close_notify.
            with self.server.lock:
                self.server.open_sockets.discard(self.request)
            try:
                self.request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.request.close()


class OriginHandler(TLSHandlerMixin, http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        with self.server.lock:
            self.server.requests.append((self.number, self.requestline,
                                         dict(self.headers)))
        path = self.path.split("?")[0]
        if path.startswith("/blob/"):
            self.send_body(BODY, "application/octet-stream")
        elif path.startswith("/http10/"):
            # HTTP/1.0: no Content-Length, the end of the body is the end of
            # the connection, closed without close_notify (as most servers).
            self.wfile.write(b"HTTP/1.0 200 OK\r\n"
                             b"Content-Type: application/octet-stream\r\n"
                             b"Connection: close\r\n\r\n")
            self.wfile.write(BODY)
            self.wfile.flush()
            self.close_connection = True
        elif path.rstrip("/") == "/simple/tlsdemo":
            html = ('<!DOCTYPE html><html><body><a href="/files/%s#sha256=%s">'
                    '%s</a></body></html>' % (WHEEL_NAME, WHEEL_SHA, WHEEL_NAME))
            self.send_body(html.encode(), "text/html")
        elif path == "/files/" + WHEEL_NAME:
            self.send_body(WHEEL, "application/octet-stream")
        else:
            self.send_error(404)

    def send_body(self, body, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class ProxyHandler(TLSHandlerMixin, socketserver.StreamRequestHandler):
    """CONNECT to one of the origins (127.0.0.1 only), then relay."""
    rbufsize = 0        # read the request head only: the rest is the tunnel

    def handle(self):
        line = self.rfile.readline(8192).decode("latin-1")
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass
        with self.server.lock:
            self.server.requests.append((self.number, line.strip()))
        parts = line.split()
        target = parts[1] if len(parts) == 3 and parts[0] == "CONNECT" else ""
        host, _, port = target.rpartition(":")
        if (host not in ("localhost", "127.0.0.1")
                or not port.isdigit() or int(port) not in self.server.allowed):
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
                             b"Connection: close\r\n\r\n")
            return
        upstream = socket.create_connection(("127.0.0.1", int(port)),
                                            timeout=SOCKET_TIMEOUT)
        with self.server.lock:
            self.server.open_sockets.add(upstream)
        try:
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            self.relay(self.request, upstream)
        finally:
            upstream.close()

    def relay(self, client, upstream):
        deadline = time.monotonic() + 4 * SOCKET_TIMEOUT
        while time.monotonic() < deadline:
            if client.pending():
                ready = [client]
            else:
                ready, _, _ = select.select([client, upstream], [], [],
                                            SOCKET_TIMEOUT)
                if not ready:
                    return
            for s in ready:
                other = upstream if s is client else client
                try:
                    data = s.recv(65536)
                except (OSError, ssl.SSLError):
                    return
                if not data:
                    return
                other.sendall(data)


def make_wheel():
    """A small pure wheel, tlsdemo 1.0, for pip to fetch from the index."""
    name = "tlsdemo-1.0-py2.py3-none-any.whl"
    files = {
        "tlsdemo/__init__.py": b"VERSION = '1.0'\n",
        "tlsdemo/data.bin": BODY[:1024 * 1024],
        "tlsdemo-1.0.dist-info/METADATA":
            b"Metadata-Version: 2.1\nName: tlsdemo\nVersion: 1.0\n"
            b"Summary: a wheel for test_tls_in_tls.py\n",
        "tlsdemo-1.0.dist-info/WHEEL":
            b"Wheel-Version: 1.0\nGenerator: test_tls_in_tls\n"
            b"Root-Is-Purelib: true\nTag: py2-none-any\nTag: py3-none-any\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(
            hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
    record.append("tlsdemo-1.0.dist-info/RECORD,,")
    files["tlsdemo-1.0.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=(2020, 4, 20, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return name, buf.getvalue()


WHEEL_NAME, WHEEL = make_wheel()
WHEEL_SHA = hashlib.sha256(WHEEL).hexdigest()


# --- the tests ----------------------------------------------------------------

@unittest.skipUnless(PYTHON27, "PYTHON27 not set (the patched 2.7 interpreter)")
class TLSInTLSTests(unittest.TestCase):
    """Each test runs one 2.7 client; the servers are shared by the class."""

    @classmethod
    def setUpClass(cls):
        libtest, work = default_dirs()
        cls.ca = os.path.join(libtest, "pycacert.pem")
        good = os.path.join(libtest, "keycert3.pem")      # localhost
        bad = os.path.join(libtest, "keycert4.pem")       # fakehostname
        for f in (cls.ca, good, bad):
            if not os.path.isfile(f):
                raise RuntimeError("no %s: set PYTHON27_LIBTEST" % f)
        os.makedirs(work, exist_ok=True)
        cls.clients = Clients(work)
        t0 = time.monotonic()
        cls.clients.prepare()
        cls.prepare_seconds = time.monotonic() - t0
        sys.stderr.write("\n[tls-in-tls] clients in %s: wheels %s, %s, "
                         "%.1f s\n" % (
                             work, "downloaded" if cls.clients.downloaded
                             else "cached", "unpacked " + " and ".join(
                                 cls.clients.unpacked)
                             if cls.clients.unpacked else "nothing unpacked",
                             cls.prepare_seconds))
        cls.tmp = tempfile.mkdtemp(prefix="tls-in-tls-", dir=work)
        cls.servers = []
        try:
            def context(certfile):
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(certfile)
                return ctx
            cls.origin = cls.start(OriginHandler, context(good), "origin")
            cls.origin_bad = cls.start(OriginHandler, context(bad), "origin-bad")
            allowed = {cls.origin.port, cls.origin_bad.port}
            cls.proxy = cls.start(ProxyHandler, context(good), "proxy", allowed)
            cls.proxy_bad = cls.start(ProxyHandler, context(bad), "proxy-bad",
                                      allowed)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start(cls, handler, ctx, name, allowed=()):
        server = TLSServer(handler, ctx, name)
        server.allowed = set(allowed)
        cls.servers.append(server)
        server.start()
        return server

    @classmethod
    def tearDownClass(cls):
        for server in getattr(cls, "servers", []):
            server.stop()
        shutil.rmtree(getattr(cls, "tmp", ""), ignore_errors=True)

    # -- helpers --

    def url(self, path, server=None):
        return "https://localhost:%d%s" % ((server or self.origin).port, path)

    def proxy_url(self, server=None):
        return "https://localhost:%d" % (server or self.proxy).port

    def run27(self, site, case, **args):
        args.setdefault("ca", self.ca)
        proc = subprocess.run(
            [PYTHON27, CLIENT27, site, case, json.dumps(args)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True, timeout=CLIENT_TIMEOUT,
            env=clean_env(HOME=self.tmp))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        self.assertTrue(out["has_wrap_bio"])
        return out

    def assertBodies(self, out, n, sha=BODY_SHA):
        self.assertTrue(out["ok"], out.get("traceback"))
        self.assertEqual(len(out["results"]), n)
        for r in out["results"]:
            self.assertEqual(r["status"], 200)
            self.assertEqual(r["sha256"], sha)

    def requests_since(self, server, mark):
        with server.lock:
            return server.requests[mark:]

    def mark(self, *servers):
        return [len(s.requests) for s in servers]

    def urllib3_case(self, via_proxy, site=None, **args):
        proxy = self.proxy_url() if via_proxy else None
        marks = self.mark(self.origin, self.proxy)
        out = self.run27(site or self.clients.patched, "urllib3",
                         proxy=proxy, **args)
        origin_reqs = self.requests_since(self.origin, marks[0])
        proxy_reqs = self.requests_since(self.proxy, marks[1])
        if via_proxy and out["ok"]:
            self.assertTrue(proxy_reqs)
            for _, line in proxy_reqs:
                self.assertEqual(line, "CONNECT localhost:%d HTTP/1.0"
                                 % self.origin.port)
        if not via_proxy:
            self.assertEqual(proxy_reqs, [])
        return out, origin_reqs, proxy_reqs

    def pip_download(self, site, proxy):
        dest = tempfile.mkdtemp(prefix="pip-", dir=self.tmp)
        cmd = [PYTHON27, "-m", "pip", "download", "--isolated",
               "--disable-pip-version-check", "--no-cache-dir", "--no-deps",
               "--retries", "0", "--timeout", str(SOCKET_TIMEOUT),
               "--index-url", self.url("/simple/"), "--proxy", proxy,
               "--cert", self.ca, "-d", dest, "tlsdemo==1.0"]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              universal_newlines=True, timeout=CLIENT_TIMEOUT,
                              env=clean_env(HOME=self.tmp, PYTHONPATH=site,
                                            PIP_CONFIG_FILE=os.devnull))
        path = os.path.join(dest, WHEEL_NAME)
        got = sha256_file(path) if os.path.exists(path) else None
        return proc, got

    # -- the patch --

    def test_patch_applies_at_fuzz_0(self):
        """One patch for urllib3 1.26.20 and pip 20.3.4's urllib3 1.26.2."""
        outputs = self.clients.patch_output
        self.assertEqual(sorted(outputs), [os.path.join("pip", "_vendor", "urllib3"),
                                           "urllib3"])
        for pkg, text in outputs.items():
            self.assertNotIn("fuzz", text, pkg)
            self.assertIn("patching file poolmanager.py", text, pkg)
            self.assertIn("patching file util/ssltransport.py", text, pkg)

    # -- urllib3 1.26.20 with the change: directly and through the proxy --

    def check_http11(self, via_proxy):
        out, origin, _ = self.urllib3_case(
            via_proxy, urls=[self.url("/blob/http11")])
        self.assertBodies(out, 1)
        self.assertEqual(out["results"][0]["version"], 11)
        self.assertEqual(len(origin), 1)

    def check_http10_chunks(self, via_proxy):
        out, _, _ = self.urllib3_case(
            via_proxy, urls=[self.url("/http10/a")], chunked=True)
        self.assertBodies(out, 1)
        self.assertEqual(out["results"][0]["version"], 10)

    def check_two_requests_one_connection(self, via_proxy):
        out, origin, proxy = self.urllib3_case(
            via_proxy, urls=[self.url("/blob/first"), self.url("/blob/second")])
        self.assertBodies(out, 2)
        # One TLS connection at the origin carried both: one tunnel.
        self.assertEqual([line.split()[1] for _, line, _ in origin],
                         ["/blob/first", "/blob/second"])
        self.assertEqual(origin[0][0], origin[1][0])
        if via_proxy:
            self.assertEqual(len(proxy), 1)

    def check_hostname_context(self, via_proxy):
        out, _, _ = self.urllib3_case(
            via_proxy, urls=[self.url("/blob/check-hostname")],
            check_hostname_ctx=True)
        self.assertBodies(out, 1)

    def check_unicode_url(self, via_proxy):
        out, origin, _ = self.urllib3_case(
            via_proxy, urls=[self.url(u"/blob/caf\u00e9")], unicode=True)
        self.assertBodies(out, 1)
        self.assertEqual(origin[0][1], "GET /blob/caf%C3%A9 HTTP/1.1")
        self.assertEqual(origin[0][2].get("X-Client"), "urllib3")

    def test_urllib3_direct_http11(self):
        self.check_http11(False)

    def test_urllib3_direct_http10_read_in_chunks(self):
        self.check_http10_chunks(False)

    def test_urllib3_direct_two_requests_one_connection(self):
        self.check_two_requests_one_connection(False)

    def test_urllib3_direct_check_hostname_context(self):
        self.check_hostname_context(False)

    def test_urllib3_direct_unicode_url(self):
        self.check_unicode_url(False)

    def test_urllib3_proxy_http11(self):
        self.check_http11(True)

    def test_urllib3_proxy_http10_read_in_chunks(self):
        self.check_http10_chunks(True)

    def test_urllib3_proxy_two_requests_one_tunnel(self):
        self.check_two_requests_one_connection(True)

    def test_urllib3_proxy_check_hostname_context(self):
        self.check_hostname_context(True)

    def test_urllib3_proxy_unicode_url(self):
        self.check_unicode_url(True)

    # -- names are checked: proxy and origin --

    def assertRefusedName(self, out):
        self.assertFalse(out["ok"])
        messages = " | ".join(e["message"] for e in out["error"])
        types = [e["type"] for e in out["error"]]
        self.assertIn("SSLError", types, out["error"])
        self.assertTrue("fakehostname" in messages
                        or "Hostname mismatch" in messages, messages)
        return types, messages

    def test_urllib3_proxy_wrong_proxy_name_refused(self):
        marks = self.mark(self.proxy_bad, self.origin)
        out = self.run27(self.clients.patched, "urllib3",
                         proxy=self.proxy_url(self.proxy_bad),
                         urls=[self.url("/blob/wrong-proxy")])
        types, messages = self.assertRefusedName(out)
        self.assertIn("CertificateError", types)
        self.assertIn("hostname 'localhost' doesn't match 'fakehostname'", messages)
        # Refused before a CONNECT (the name is checked after the handshake).
        self.assertEqual([line for _, line in
                          self.requests_since(self.proxy_bad, marks[0]) if line],
                         [])
        self.assertEqual(self.requests_since(self.origin, marks[1]), [])

    def test_urllib3_proxy_wrong_origin_name_refused(self):
        marks = self.mark(self.origin_bad)
        out = self.run27(self.clients.patched, "urllib3",
                         proxy=self.proxy_url(),
                         urls=[self.url("/blob/wrong-origin", self.origin_bad)])
        types, messages = self.assertRefusedName(out)
        self.assertIn("CertificateError", types)
        self.assertIn("hostname 'localhost' doesn't match 'fakehostname'", messages)
        self.assertEqual(self.requests_since(self.origin_bad, marks[0]), [])

    def test_urllib3_proxy_wrong_origin_name_refused_check_hostname(self):
        """With check_hostname=True, the 2.7 SSLObject itself refuses."""
        marks = self.mark(self.origin_bad)
        out = self.run27(self.clients.patched, "urllib3",
                         proxy=self.proxy_url(), check_hostname_ctx=True,
                         urls=[self.url("/blob/wrong-origin", self.origin_bad)])
        types, messages = self.assertRefusedName(out)
        self.assertIn("certificate verify failed", messages)
        self.assertEqual(self.requests_since(self.origin_bad, marks[0]), [])

    # -- requests 2.27.1 and pip 20.3.4 with the change --

    def test_requests_proxy(self):
        marks = self.mark(self.proxy)
        out = self.run27(self.clients.patched, "requests",
                         proxy=self.proxy_url(),
                         urls=[self.url("/blob/requests"),
                               self.url("/http10/requests")])
        self.assertBodies(out, 2)
        self.assertEqual(out["requests"], "2.27.1")
        self.assertTrue(self.requests_since(self.proxy, marks[0]))

    def test_requests_proxy_wrong_origin_name_refused(self):
        out = self.run27(self.clients.patched, "requests",
                         proxy=self.proxy_url(),
                         urls=[self.url("/blob/wrong-origin", self.origin_bad)])
        self.assertRefusedName(out)

    def test_pip_download_proxy(self):
        marks = self.mark(self.proxy, self.origin)
        proc, got = self.pip_download(self.clients.patched, self.proxy_url())
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertEqual(got, WHEEL_SHA)
        paths = [line.split()[1] for _, line, _ in
                 self.requests_since(self.origin, marks[1])]
        self.assertEqual(paths, ["/simple/tlsdemo/", "/files/" + WHEEL_NAME])
        self.assertTrue(self.requests_since(self.proxy, marks[0]))

    def test_pip_vendored_urllib3_does_not_check_proxy_name(self):
        """CVE-2021-28363, today's behaviour, shown on purpose.

        pip 20.3.4 vendors urllib3 1.26.2, which verifies the HTTPS proxy's
        certificate chain but not its name (fixed in urllib3 1.26.4): a
        proxy whose certificate says 'fakehostname', signed by a trusted CA,
        is accepted as 'localhost'.  The change does not fix that (it is
        not about TLS in TLS); urllib3 1.26.20 refuses the same proxy (see
        test_urllib3_proxy_wrong_proxy_name_refused).  The origin's name is
        still checked.  If this test fails, pip's urllib3 checks the name.
        """
        marks = self.mark(self.proxy_bad)
        proc, got = self.pip_download(self.clients.patched,
                                      self.proxy_url(self.proxy_bad))
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertEqual(got, WHEEL_SHA)
        self.assertTrue(self.requests_since(self.proxy_bad, marks[0]))

    # -- without the change: today's behaviour --

    def test_released_urllib3_proxy_refused(self):
        """urllib3 1.26.20 as released: its version gate, although the
        interpreter has wrap_bio()."""
        out, _, proxy = self.urllib3_case(True, site=self.clients.released,
                                          urls=[self.url("/blob/released")])
        self.assertFalse(out["ok"])
        self.assertEqual(out["error"][0], {
            "type": "ProxySchemeUnsupported",
            "module": "urllib3.exceptions", "message": NOT_PY2})
        self.assertEqual(proxy, [])

    def test_released_urllib3_direct_works(self):
        """urllib3 1.26.20 as released, without a proxy: unchanged."""
        out, _, _ = self.urllib3_case(False, site=self.clients.released,
                                      urls=[self.url("/blob/released")])
        self.assertBodies(out, 1)

    def test_released_requests_proxy_crashes(self):
        """requests 2.27.1 with urllib3 1.26.20 as released: SSLTransport
        finds wrap_bio() and crashes on 2.7's memoryview."""
        out = self.run27(self.clients.released, "requests",
                         proxy=self.proxy_url(),
                         urls=[self.url("/blob/released")])
        self.assertFalse(out["ok"])
        self.assertEqual(out["error"], [{"type": "AttributeError",
                                         "module": "exceptions",
                                         "message": "__exit__"}])
        self.assertIn("ssltransport.py", out["traceback"])
        self.assertIn("in sendall", out["traceback"])

    def test_released_pip_download_proxy_crashes(self):
        """pip 20.3.4 as released: the same crash in its vendored urllib3."""
        proc, got = self.pip_download(self.clients.released, self.proxy_url())
        self.assertEqual(proc.returncode, 2, proc.stdout)
        self.assertIsNone(got)
        self.assertIn("pip/_vendor/urllib3/util/ssltransport.py", proc.stdout)
        self.assertEqual(proc.stdout.strip().splitlines()[-1],
                         "AttributeError: __exit__")

    # -- the change on a 2.7 without PEP 546 (wrap_bio deleted in the
    #    client): the same errors as urllib3 and requests as released --

    def run_both_without_wrap_bio(self, case, **args):
        outs = []
        for site in (self.clients.released, self.clients.patched):
            out = self.run27(site, case, proxy=self.proxy_url(),
                             hide_wrap_bio=True,
                             urls=[self.url("/blob/no-wrap-bio")], **args)
            self.assertFalse(out["ok"])
            outs.append(out["error"])
        self.assertEqual(outs[0], outs[1])
        return outs[1]

    def test_no_wrap_bio_urllib3_proxy_refused_as_before(self):
        self.assertEqual(self.run_both_without_wrap_bio("urllib3")[0], {
            "type": "ProxySchemeUnsupported",
            "module": "urllib3.exceptions", "message": NOT_PY2})

    def test_no_wrap_bio_requests_proxy_refused_as_before(self):
        self.assertEqual(self.run_both_without_wrap_bio("requests")[-1], {
            "type": "ProxySchemeUnsupported",
            "module": "urllib3.exceptions",
            "message": "TLS in TLS requires SSLContext.wrap_bio() which "
                       "isn't supported on Python 2"})


if __name__ == "__main__":
    unittest.main()
