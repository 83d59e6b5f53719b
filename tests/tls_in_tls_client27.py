"""The Python 2.7 side of test_tls_in_tls.py: one client request per run.

    python2.7 tls_in_tls_client27.py SITE CASE JSON

SITE is the folder holding urllib3 and requests (with or without the
change), CASE 'urllib3' or 'requests', JSON the arguments:

    urls          the URLs to GET, in order, over one PoolManager/Session
    proxy         an https:// proxy URL, or null for a direct connection
    ca            the CA file for origin and proxy
    chunked       read each body with stream(), in 64 KiB pieces
    unicode       send the URLs and one header value as unicode (else str)
    check_hostname_ctx
                  give urllib3 an origin SSLContext with check_hostname=True
    hide_wrap_bio delete ssl.SSLContext.wrap_bio first: a 2.7 without PEP 546

The last line printed is JSON: for each URL its status and the SHA-256 of
its body, or the exception that ended the run (type, module, message and
the chain of reasons urllib3 and requests wrap around it).
"""
import hashlib
import json
import ssl
import sys
import traceback

CHUNK = 64 * 1024
TIMEOUT = 30


def native(value, as_unicode):
    """JSON gives unicode; httplib sends text only when asked to."""
    return value if as_unicode else value.encode("ascii")


def error_chain(exc):
    chain = []
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append({"type": type(exc).__name__,
                      "module": type(exc).__module__,
                      "message": str(exc)})
        # urllib3's MaxRetryError.reason, requests' args[0]
        nxt = getattr(exc, "reason", None)
        if nxt is None and exc.args and isinstance(exc.args[0], BaseException):
            nxt = exc.args[0]
        exc = nxt if isinstance(nxt, BaseException) else None
    return chain


def digest_response(read_chunks):
    h = hashlib.sha256()
    n = 0
    for chunk in read_chunks:
        h.update(chunk)
        n += len(chunk)
    return h.hexdigest(), n


def run_urllib3(args):
    import urllib3
    as_unicode = args.get("unicode", False)
    kw = dict(ca_certs=args["ca"], cert_reqs="CERT_REQUIRED",
              timeout=urllib3.Timeout(connect=TIMEOUT, read=TIMEOUT),
              retries=False)
    if args.get("check_hostname_ctx"):
        ctx = ssl.create_default_context(cafile=args["ca"])
        assert ctx.check_hostname and ctx.verify_mode == ssl.CERT_REQUIRED
        kw["ssl_context"] = ctx
    if args.get("proxy"):
        http = urllib3.ProxyManager(native(args["proxy"], as_unicode), **kw)
    else:
        http = urllib3.PoolManager(**kw)
    headers = {native(u"X-Client", as_unicode): native(u"urllib3", as_unicode)}
    results = []
    for url in args["urls"]:
        url = native(url, as_unicode)
        if args.get("chunked"):
            r = http.request("GET", url, headers=headers, preload_content=False)
            sha, n = digest_response(r.stream(CHUNK))
            r.release_conn()
        else:
            r = http.request("GET", url, headers=headers)
            sha, n = digest_response([r.data])
        results.append({"status": r.status, "sha256": sha, "length": n,
                        "version": r.version})
    http.clear()
    return {"urllib3": urllib3.__version__, "results": results}


def run_requests(args):
    import requests
    import urllib3
    as_unicode = args.get("unicode", False)
    s = requests.Session()
    s.trust_env = False          # no proxy or netrc from the environment
    proxies = {}
    if args.get("proxy"):
        proxies = {"https": native(args["proxy"], as_unicode)}
    results = []
    for url in args["urls"]:
        r = s.get(native(url, as_unicode), proxies=proxies, verify=args["ca"],
                  timeout=TIMEOUT, stream=True)
        sha, n = digest_response(r.iter_content(CHUNK))
        r.close()
        results.append({"status": r.status_code, "sha256": sha, "length": n})
    s.close()
    return {"requests": requests.__version__, "urllib3": urllib3.__version__,
            "results": results}


def main():
    site, case, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    has_wrap_bio = hasattr(ssl.SSLContext, "wrap_bio")
    if args.get("hide_wrap_bio"):
        del ssl.SSLContext.wrap_bio
    sys.path.insert(0, site)
    try:
        out = {"urllib3": run_urllib3, "requests": run_requests}[case](args)
        out["ok"] = True
    except Exception as e:
        out = {"ok": False, "error": error_chain(e),
               "traceback": traceback.format_exc()}
    out["has_wrap_bio"] = has_wrap_bio
    print(json.dumps(out))


if __name__ == "__main__":
    main()
