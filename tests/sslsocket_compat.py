# -*- coding: utf-8 -*-
"""What a 2.7 SSLSocket user observes at the edges of a connection.

Python 2 code, run by the interpreter under test:

    build/1.1.1w/obj/python -E tests/sslsocket_compat.py [--json FILE]
    python3 tests/sslsocket_compat.py compare BASELINE.json RESULT.json

Each case sets up a TLS connection over 127.0.0.1 with a server thread
that does one thing (closes with close_notify, closes without it, resets,
closes during the handshake, answers HTTP without Content-Length), then
the client makes one call.  One line per case on stdout:

    tls1.3 unwrap-after-peer-close_notify: returns socket
    tls1.3 read-after-ragged-eof-strict: raises ssl.SSLEOFError errno=8 ...

the call's return value (its type for objects) or the exception: its type,
errno, args, and reason/library for ssl.SSLError.  File line numbers in
messages ("(_ssl.c:1946)") are replaced by N, so that only behaviour
differs between builds.  Every case runs with TLS 1.3 and TLS 1.2.

This is the evidence for "the series changes nothing an SSLSocket user
can observe on OpenSSL 1.1.1, and on OpenSSL 3 it behaves as 2.7.18 does
on 1.1.1": 'compare' (Python 3 or 2) takes pristine 2.7.18 on OpenSSL
1.1.1w as the baseline and fails on any line that differs, except the
cases tests/sslsocket_compat_allowed.txt lists, with their reason, for
the OpenSSL of the result (tool/clients.sh's sslsocket-compat rows).
"""

import errno
import fnmatch
import json
import os
import re
import signal
import socket
import ssl
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(ssl.__file__))
CERTFILE = os.path.join(HERE, 'test', 'keycert.pem')
CASE_TIMEOUT = 20           # seconds, for one case (SIGALRM)
SERVER_TIMEOUT = 10         # every server socket
SETTLE = 0.2                # seconds for a close or reset to reach us

RESPONSE = (b'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n' +
            b'x' * 3000)

LINENO = re.compile(r'\((_ssl|_hashopenssl)\.c:\d+\)')


# --- describing an outcome ----------------------------------------------

def clean(text):
    return LINENO.sub(r'(\1.c:N)', text)


def type_name(obj):
    t = type(obj)
    mod = t.__module__
    if mod in ('_socket', 'exceptions', '__builtin__'):
        mod = {'_socket': 'socket'}.get(mod, '')
    if t.__name__ == '_socketobject' or t.__name__ == 'SSLSocket':
        return t.__name__ == 'SSLSocket' and 'ssl.SSLSocket' or 'socket'
    return (mod + '.' if mod else '') + t.__name__


def describe_exception(e):
    parts = ['raises', type_name(e)]
    if isinstance(e, EnvironmentError):
        parts.append('errno=%r' % (e.errno,))
    parts.append('args=%s' % clean(repr(e.args)))
    if isinstance(e, ssl.SSLError):
        parts.append('reason=%s library=%s' % (getattr(e, 'reason', None),
                                               getattr(e, 'library', None)))
    return ' '.join(parts)


def describe_value(v):
    if v is None or isinstance(v, (bool, int, long)):
        return 'returns %r' % (v,)
    if isinstance(v, bytes):
        if len(v) > 40:
            return 'returns %d bytes %r...' % (len(v), v[:12])
        return 'returns %r' % (v,)
    return 'returns %s' % type_name(v)


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout('no answer within %d s' % CASE_TIMEOUT)


# --- the peer ------------------------------------------------------------

def server_context(tls12):
    ctx = ssl.SSLContext(ssl.PROTOCOL_SSLv23)
    ctx.load_cert_chain(CERTFILE)
    if tls12:
        ctx.options |= ssl.OP_NO_TLSv1_3
    return ctx


def client_context(tls12):
    ctx = ssl.SSLContext(ssl.PROTOCOL_SSLv23)
    ctx.verify_mode = ssl.CERT_NONE
    if tls12:
        ctx.options |= ssl.OP_NO_TLSv1_3
    return ctx


def send_close_notify(s):
    """Send close_notify and close the transport, without waiting for
    the client's close_notify (2.7's unwrap() would block for it)."""
    s.settimeout(0.3)
    try:
        s.unwrap()
    except (socket.error, ssl.SSLError):
        pass


def reset(raw):
    import struct
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    raw.close()


class Peer(threading.Thread):
    """Accepts one connection and acts as 'behaviour' says."""

    def __init__(self, behaviour, tls12):
        threading.Thread.__init__(self)
        self.daemon = True
        self.behaviour = behaviour
        self.tls12 = tls12
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(1)
        self.listener.settimeout(SERVER_TIMEOUT)
        self.port = self.listener.getsockname()[1]
        self.done = threading.Event()
        self.go = threading.Event()
        self.result = None

    def run(self):
        raw = None
        try:
            raw, _ = self.listener.accept()
            raw.settimeout(SERVER_TIMEOUT)
            self.result = self.behaviour(self, raw)
        except Exception as e:
            self.result = describe_exception(e)
        finally:
            self.done.set()
            self.listener.close()

    def wrap(self, raw):
        return server_context(self.tls12).wrap_socket(raw, server_side=True)


# Server behaviours: each takes the raw accepted socket.

def srv_close_notify(peer, raw):
    s = peer.wrap(raw)
    send_close_notify(s)
    raw.close()


def srv_data_close_notify(peer, raw):
    s = peer.wrap(raw)
    s.sendall(b'hello')
    send_close_notify(s)
    raw.close()


def srv_ragged(peer, raw):
    s = peer.wrap(raw)
    s.sendall(b'hello')
    s.close()
    raw.close()


def srv_ragged_nodata(peer, raw):
    s = peer.wrap(raw)
    s.close()
    raw.close()


def srv_reset(peer, raw):
    peer.wrap(raw)
    reset(raw)


def srv_http_ragged(peer, raw):
    s = peer.wrap(raw)
    s.recv(4096)
    s.sendall(RESPONSE)
    s.close()
    raw.close()


def srv_http_close_notify(peer, raw):
    s = peer.wrap(raw)
    s.recv(4096)
    s.sendall(RESPONSE)
    send_close_notify(s)
    raw.close()


def srv_close_at_once(peer, raw):
    raw.close()


def srv_close_after_hello(peer, raw):
    raw.recv(4096)
    raw.close()


def srv_reset_after_hello(peer, raw):
    raw.recv(4096)
    reset(raw)


def srv_garbage(peer, raw):
    raw.recv(4096)
    raw.sendall(b'HTTP/1.0 400 Bad Request\r\n\r\n')
    raw.close()


def srv_idle(peer, raw):
    """Handshake, then wait for the client to go away."""
    s = peer.wrap(raw)
    try:
        s.recv(1)
    except Exception:
        pass
    raw.close()


def srv_silent(peer, raw):
    """Accept, say nothing, wait for the client to go away."""
    try:
        raw.recv(4096)
        raw.recv(4096)
    except Exception:
        pass
    raw.close()


# --- the cases -----------------------------------------------------------

def connect(peer, handshake=True, **kw):
    raw = socket.create_connection(('127.0.0.1', peer.port))
    return client_context(peer.tls12).wrap_socket(
        raw, do_handshake_on_connect=handshake, **kw)


def settle(peer):
    peer.done.wait(SERVER_TIMEOUT)
    time.sleep(SETTLE)


def after(behaviour, call, suppress=True, timeout=False):
    """call(s) on a connected client, once the peer has done behaviour;
    timeout: the socket's timeout first (0.0: non-blocking, as gevent's
    SSLSocket drives _sslobj; 5.0: select() before each call)."""
    def case(peer):
        s = connect(peer, suppress_ragged_eofs=suppress)
        settle(peer)
        if timeout is not False:
            s.settimeout(timeout)
        return call(s)
    return behaviour, case


def twice(call):
    """Both results of call(s), made twice (urllib2 reads again at the end)."""
    def both(s):
        out = []
        for _ in range(2):
            try:
                out.append(describe_value(call(s)))
            except Exception as e:
                out.append(describe_exception(e))
        return Both(out)
    return both


class Both(object):
    def __init__(self, lines):
        self.lines = lines


def read_all(s):
    out = b''
    while True:
        d = s.read(1024)
        if not d:
            return out
        out += d


def sslobj_shutdown(s):
    # What gevent's SSLSocket.unwrap() calls, in a loop.
    return s._sslobj.shutdown()


def write_twice(s):
    # The first write can still reach the closed peer's kernel (which
    # resets); the second one meets the reset.
    s.write(b'x')
    time.sleep(SETTLE)
    return s.write(b'y')


def case_handshake(behaviour, wait=False):
    """do_handshake() against behaviour; with wait, once the peer is done
    (it then acts before the ClientHello is sent)."""
    def case(peer):
        s = connect(peer, handshake=False)
        if wait:
            settle(peer)
        return s.do_handshake()
    return behaviour, case


def case_server_handshake(client_action):
    """The server side's handshake once the client has done client_action."""
    def behaviour(peer, raw):
        peer.go.wait(SERVER_TIMEOUT)
        try:
            peer.wrap(raw)
            return 'returns'
        except Exception as e:
            return describe_exception(e)

    def case(peer):
        raw = socket.create_connection(('127.0.0.1', peer.port))
        client_action(raw, peer)
        time.sleep(SETTLE)
        peer.go.set()
        peer.done.wait(SERVER_TIMEOUT)
        raw.close()
        return ServerResult(peer.result)
    return behaviour, case


class ServerResult(object):
    def __init__(self, line):
        self.line = line


def cl_close(raw, peer):
    raw.close()


def cl_reset(raw, peer):
    reset(raw)


def cl_hello_close(raw, peer):
    # A ClientHello (from a throwaway TLS client on a socket pair), then
    # a FIN: the server's answer stays unread (no reset) until it is done.
    a, b = socket.socketpair()
    c = client_context(peer.tls12).wrap_socket(socket.socket(_sock=a),
                                               do_handshake_on_connect=False)
    c.setblocking(False)
    try:
        c.do_handshake()
    except ssl.SSLWantReadError:
        pass
    raw.sendall(b.recv(65536))
    c.close()
    b.close()
    raw.shutdown(socket.SHUT_WR)


def srv_wait_idle(peer, raw):
    """Handshake once the client has made its first call, then idle."""
    peer.go.wait(SERVER_TIMEOUT)
    srv_idle(peer, raw)


def case_nonblocking(call):
    """The first non-blocking do_handshake() (the server has not answered
    yet), or a read() on a connection the server sends nothing on."""
    def case(peer):
        s = connect(peer, handshake=False)
        s.setblocking(False)
        try:
            if call == 'handshake':
                return s.do_handshake()
            try:
                s.do_handshake()
            except ssl.SSLWantReadError:
                pass
            peer.go.set()
            deadline = time.time() + SERVER_TIMEOUT
            while True:
                try:
                    s.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.05)
            # TLS 1.3 session tickets may still come: let them, then read
            # where no data ever comes.
            time.sleep(SETTLE)
            last = None
            for _ in range(3):
                try:
                    return s.read(10)
                except ssl.SSLWantReadError as e:
                    last = e
                    time.sleep(0.05)
            raise last
        finally:
            peer.go.set()
            s.close()
    return srv_wait_idle, case


def case_makefile(behaviour, use_httplib=False):
    def case(peer):
        s = connect(peer)
        if use_httplib:
            import httplib
            conn = httplib.HTTPConnection('127.0.0.1', peer.port)
            conn.sock = s
            conn.request('GET', '/')
            r = conn.getresponse()
            out = [describe_value(r.read())]
            try:
                out.append(describe_value(r.read()))
            except Exception as e:
                out.append(describe_exception(e))
            return Both(out)
        s.sendall(b'GET / HTTP/1.0\r\n\r\n')
        f = s.makefile('rb')
        return twice(lambda s: f.read())(s)
    return behaviour, case


CASES = [
    # shutdown/unwrap after the peer closed
    ('unwrap-after-peer-close_notify', after(srv_close_notify, lambda s: s.unwrap())),
    ('unwrap-after-peer-ragged-close', after(srv_ragged_nodata, lambda s: s.unwrap())),
    ('unwrap-after-peer-reset', after(srv_reset, lambda s: s.unwrap())),
    ('sslobj.shutdown-after-peer-close_notify',
     after(srv_close_notify, sslobj_shutdown)),
    ('sslobj.shutdown-after-peer-ragged-close',
     after(srv_ragged_nodata, sslobj_shutdown)),
    ('sslobj.shutdown-after-peer-reset', after(srv_reset, sslobj_shutdown)),
    ('nonblocking-sslobj.shutdown-after-peer-close_notify',
     after(srv_close_notify, sslobj_shutdown, timeout=0.0)),
    ('nonblocking-sslobj.shutdown-after-peer-ragged-close',
     after(srv_ragged_nodata, sslobj_shutdown, timeout=0.0)),
    ('timeout-unwrap-after-peer-ragged-close',
     after(srv_ragged_nodata, lambda s: s.unwrap(), timeout=5.0)),
    # reading at the end
    ('read-after-close_notify', after(srv_data_close_notify, twice(read_all))),
    ('read-after-ragged-eof-suppress', after(srv_ragged, twice(read_all))),
    ('read-after-ragged-eof-strict', after(srv_ragged, twice(read_all), False)),
    ('recv-after-ragged-eof-suppress', after(srv_ragged_nodata, twice(lambda s: s.recv(10)))),
    ('recv-after-ragged-eof-strict',
     after(srv_ragged_nodata, twice(lambda s: s.recv(10)), False)),
    ('recv_into-after-ragged-eof-suppress',
     after(srv_ragged_nodata, twice(lambda s: s.recv_into(bytearray(10))))),
    ('read-after-reset', after(srv_reset, twice(lambda s: s.read(10)))),
    ('nonblocking-sslobj.read-after-ragged-eof',
     after(srv_ragged_nodata, twice(lambda s: s._sslobj.read(10)), timeout=0.0)),
    ('timeout-read-after-ragged-eof-suppress',
     after(srv_ragged, twice(read_all), timeout=5.0)),
    ('pending-after-ragged-eof', after(srv_ragged_nodata, lambda s: s.pending())),
    # writing after the peer closed
    ('write-after-peer-close_notify', after(srv_close_notify, write_twice)),
    ('write-after-peer-ragged-close', after(srv_ragged_nodata, write_twice)),
    ('sendall-after-peer-reset', after(srv_reset, lambda s: s.sendall(b'x' * 100000))),
    # EOF during the handshake
    ('handshake-peer-closes-at-once', case_handshake(srv_close_at_once, True)),
    ('handshake-peer-closes-after-hello', case_handshake(srv_close_after_hello)),
    ('handshake-peer-resets-after-hello', case_handshake(srv_reset_after_hello)),
    ('handshake-peer-not-tls', case_handshake(srv_garbage)),
    ('server-handshake-client-closes', case_server_handshake(cl_close)),
    ('server-handshake-client-resets', case_server_handshake(cl_reset)),
    ('server-handshake-client-closes-after-hello',
     case_server_handshake(cl_hello_close)),
    # urllib2/httplib: a body without Content-Length, read to the end
    ('makefile-read-ragged-eof', case_makefile(srv_http_ragged)),
    ('makefile-read-close_notify', case_makefile(srv_http_close_notify)),
    ('httplib-read-ragged-eof', case_makefile(srv_http_ragged, True)),
    ('httplib-read-close_notify', case_makefile(srv_http_close_notify, True)),
    # non-blocking
    ('nonblocking-do_handshake', case_nonblocking('handshake')),
    ('nonblocking-read-no-data', case_nonblocking('read')),
]


def run_case(case, tls12):
    behaviour, client = case
    peer = Peer(behaviour, tls12)
    peer.start()
    signal.alarm(CASE_TIMEOUT)
    try:
        try:
            v = client(peer)
        except Timeout as e:
            lines = ['hangs (%s)' % e]
        except Exception as e:
            lines = [describe_exception(e)]
        else:
            if isinstance(v, Both):
                lines = ['; then '.join(v.lines)]
            elif isinstance(v, ServerResult):
                lines = [v.line or 'no result']
            else:
                lines = [describe_value(v)]
    finally:
        signal.alarm(0)
    peer.join(SERVER_TIMEOUT)
    return lines[0]


ALLOWED_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            'sslsocket_compat_allowed.txt')


def load_allowed(path):
    """[(openssl, case pattern, reason)]: 'OPENSSL CASE REASON' lines,
    OPENSSL being 1.1.1 or 3 (the result's major version) or *, CASE an
    fnmatch pattern of case names; '#' starts a comment."""
    allowed = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                raise ValueError('%s:%d: needs OPENSSL CASE REASON' % (path, n))
            allowed.append(tuple(parts))
    return allowed


def openssl_series(version_text):
    """'1.1.1' or '3' from ssl.OPENSSL_VERSION's text."""
    m = re.search(r'OpenSSL (\d+)\.(\d+)\.(\d+)', version_text)
    if not m:
        return '?'
    return m.group(1) if m.group(1) != '1' else '.'.join(m.groups())


def compare(baseline, result, allowed):
    """Lines of a report, and the number of differences not allowed."""
    leg = openssl_series(result['openssl'])
    base = dict(baseline['cases'])
    out = ['sslsocket_compat: %s (%s) against %s (%s), %d cases' % (
        result['python'], result['openssl'], baseline['python'],
        baseline['openssl'], len(result['cases']))]
    bad = same = 0
    for name, line in result['cases']:
        was = base.get(name)
        if was == line:
            same += 1
            continue
        why = [r for o, pat, r in allowed
               if o in (leg, '*') and fnmatch.fnmatchcase(name, pat)]
        tag = 'allowed (%s)' % why[0] if why else 'DIFFERS'
        bad += not why
        out.append('  %s %s\n      baseline: %s\n      now:      %s' % (
            tag, name, was, line))
    missing = sorted(set(base) - set(n for n, _ in result['cases']))
    for name in missing:
        bad += 1
        out.append('  MISSING %s' % name)
    out.append('%s: %d same, %d differ (%d not allowed)' % (
        'OK' if not bad else 'FAIL', same, len(result['cases']) - same, bad))
    return out, bad


def main(argv):
    if argv[:1] == ['compare']:
        with open(argv[1]) as f:
            baseline = json.load(f)
        with open(argv[2]) as f:
            result = json.load(f)
        lines, bad = compare(baseline, result, load_allowed(
            argv[argv.index('--allowed') + 1] if '--allowed' in argv
            else ALLOWED_FILE))
        print('\n'.join(lines))
        return 1 if bad else 0
    signal.signal(signal.SIGALRM, _alarm)
    results = []
    for tls in ('tls1.3', 'tls1.2'):
        for name, case in CASES:
            line = run_case(case, tls == 'tls1.2')
            results.append(('%s/%s' % (tls, name), line))
            print('%s/%s: %s' % (tls, name, line))
            sys.stdout.flush()
    if '--json' in argv:
        with open(argv[argv.index('--json') + 1], 'w') as f:
            json.dump({'python': sys.version.split()[0],
                       'openssl': ssl.OPENSSL_VERSION,
                       'cases': results}, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
