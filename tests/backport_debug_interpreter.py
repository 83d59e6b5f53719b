"""backports.ssl_memorybio on a debug interpreter (Python 2): the client
side works, the server side is refused with RuntimeError, and that refusal
is needed: without it (a child process, --bypass) the stock servername
callback's assert(PySSLSocket_Check(...)) aborts the interpreter.

    python2.7-dbg backport_debug_interpreter.py CERTDIR

Exit status 0 when all three hold.
"""
import os
import signal
import subprocess
import sys

import ssl
from backports import ssl_memorybio


def pair(certdir):
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
    server_ctx.load_cert_chain(os.path.join(certdir, "keycert.pem"))
    server_ctx.set_servername_callback(lambda *args: None)
    bios = [ssl.MemoryBIO() for _ in range(4)]
    client = ssl.SSLContext(ssl.PROTOCOL_TLS).wrap_bio(
        bios[0], bios[1], server_hostname="localhost")
    return server_ctx, client, bios


def main():
    certdir = sys.argv[1]
    assert hasattr(sys, "gettotalrefcount"), "not a debug interpreter"
    ssl_memorybio.install()
    server_ctx, client, bios = pair(certdir)
    try:
        client.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = bios[1].read()
    if "--bypass" in sys.argv:
        ssl_memorybio.DEBUG_INTERPRETER = False
        server = server_ctx.wrap_bio(bios[2], bios[3], server_side=True)
        bios[2].write(hello)
        server.do_handshake()
        return 0                        # not reached: the assert aborts
    print("client side: a ClientHello of %d bytes" % len(hello))
    try:
        server_ctx.wrap_bio(bios[2], bios[3], server_side=True)
    except RuntimeError as e:
        print("server side refused: %s" % e)
    else:
        print("FAIL: the server side was not refused")
        return 1
    rc = subprocess.call([sys.executable, __file__, certdir, "--bypass"],
                         stderr=open(os.devnull, "w"))
    print("without the refusal the child exits with %d (SIGABRT is -%d)"
          % (rc, signal.SIGABRT))
    return 0 if rc == -signal.SIGABRT else 1


if __name__ == "__main__":
    sys.exit(main())
