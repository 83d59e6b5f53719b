"""The Python 2.7 side of test_interop.py: an ssl.SSLObject peer that moves
bytes between a real socket and its MemoryBIOs by hand.

    python2.7 interop_peer27.py client PORT CAFILE NBYTES
    python2.7 interop_peer27.py server CERTFILE NBYTES   (prints its port)

Either side sends NBYTES in 64 KiB chunks and expects each chunk echoed
back (client), or echoes what it gets (server); then both unwrap().  The
last line printed is a JSON summary for the Python 3 side to check.
"""
import hashlib
import json
import socket
import ssl
import sys

CHUNK = 64 * 1024


class Peer(object):
    def __init__(self, sock, tls, incoming, outgoing):
        self.sock, self.tls = sock, tls
        self.incoming, self.outgoing = incoming, outgoing

    def flush(self):
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def call(self, method, *args):
        """Run an SSLObject method, feeding it from the socket as it asks."""
        while True:
            try:
                result = method(*args)
            except ssl.SSLWantReadError:
                self.flush()
                data = self.sock.recv(CHUNK)
                if data:
                    self.incoming.write(data)
                else:
                    self.incoming.write_eof()
                continue
            self.flush()
            return result

    def recv_exactly(self, n):
        parts = []
        while n:
            data = self.call(self.tls.read, min(n, CHUNK))
            if not data:
                raise EOFError("peer closed with %d bytes to go" % n)
            parts.append(data)
            n -= len(data)
        return b"".join(parts)

    def summary(self, digest):
        return {"version": self.tls.version(), "cipher": self.tls.cipher()[0],
                "tls_unique": self.tls.get_channel_binding("tls-unique").encode("hex")
                if self.tls.version() != "TLSv1.3" else None,
                "sha256": digest, "openssl": ssl.OPENSSL_VERSION}


def client(port, cafile, nbytes):
    ctx = ssl.create_default_context(cafile=cafile)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    sock = socket.create_connection(("127.0.0.1", port))
    peer = Peer(sock, tls, incoming, outgoing)
    peer.call(tls.do_handshake)
    assert tls.getpeercert()["subject"], tls.getpeercert()
    sent, echoed = hashlib.sha256(), hashlib.sha256()
    block = bytearray(range(256)) * (CHUNK // 256)
    left = nbytes
    while left:
        n = min(left, CHUNK)
        data = bytes(block[:n])
        sent.update(data)
        assert peer.call(tls.write, data) == n
        echoed.update(peer.recv_exactly(n))
        left -= n
    assert sent.hexdigest() == echoed.hexdigest(), "echo differs"
    result = peer.summary(sent.hexdigest())
    peer.call(tls.unwrap)
    sock.close()
    return result


def server(certfile, nbytes):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if hasattr(ssl, "PROTOCOL_TLS_SERVER")
                         else ssl.PROTOCOL_SSLv23)
    ctx.load_cert_chain(certfile)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    print(listener.getsockname()[1])
    sys.stdout.flush()
    sock, _ = listener.accept()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_side=True)
    peer = Peer(sock, tls, incoming, outgoing)
    peer.call(tls.do_handshake)
    got = hashlib.sha256()
    left = nbytes
    while left:
        data = peer.call(tls.read, min(left, CHUNK))
        if not data:
            raise EOFError("client closed with %d bytes to go" % left)
        got.update(data)
        peer.call(tls.write, data)
        left -= len(data)
    result = peer.summary(got.hexdigest())
    # The client unwraps first: read its close_notify, then answer it.
    assert peer.call(tls.read, 1) == b""
    peer.call(tls.unwrap)
    sock.close()
    return result


if __name__ == "__main__":
    if sys.argv[1] == "client":
        out = client(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    else:
        out = server(sys.argv[2], int(sys.argv[3]))
    print(json.dumps(out))
