#!/usr/bin/env python3
"""Drive bench/bench.py for three implementations and print a table.

    python3 bench/run.py --patched BUILD/python --py3 PEERS/py39/python3.9 \
        --pyopenssl-path PEERS/pyopenssl27 --openssl PEERS/py39/openssl \
        --certdir SRC/Lib/test [--rounds 3] [--seconds 2]

Implementations:
  A  patched   the patched 2.7's ssl.MemoryBIO/SSLObject
  B  py3       a Python 3 `ssl` on the same OpenSSL (bullseye python3.9 for
               1.1.1w, the system python3 for OpenSSL 3.0)
  C  pyopenssl pyOpenSSL 21.0.0 on the patched 2.7 (PYTHONPATH given by
               --pyopenssl-path; cryptography's wheel brings its own OpenSSL)

Each figure runs A B C A B C ... (--rounds rounds, default 3) in fresh
processes, so that machine drift hits all three alike; the median of the
rounds is reported.  The AES-GCM bound is half of
`openssl speed -evp aes-256-gcm -bytes 16384` (one thread encrypts and
decrypts every byte).  Exit status: 0 when every figure was measured (even if
some targets are SHORT; --strict makes SHORT an error), 2 on errors.
"""
import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, "bench.py")
FIGURES = ("handshake", "small", "bulk", "rss")
UNITS = {"handshake": "hs/s", "small": "msg/s", "bulk": "MB/s",
         "rss": "KiB"}
# (figure, kind, threshold): kind "py3"/"pyopenssl" = min ratio
# patched/other; "bound" = min fraction of the AES-GCM bound
TARGETS = [
    ("handshake", "py3", 1.0),
    ("small", "py3", 1.0),
    ("bulk", "py3", 1.0),
    ("bulk", "pyopenssl", 2.0),
    ("small", "pyopenssl", 3.5),
    ("bulk", "bound", 0.70),
]


def parse_env(items):
    env = {}
    for item in items or ():
        k, _, v = item.partition("=")
        env[k] = v
    return env


def run_one(cmd, env, timeout):
    full_env = dict(os.environ)
    full_env.pop("PYTHONPATH", None)
    full_env.pop("PYTHONHOME", None)
    full_env.update(env)
    try:
        p = subprocess.run(cmd, env=full_env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "timeout after %ss" % timeout}
    lines = [l for l in p.stdout.decode("utf-8", "replace").splitlines()
             if l.startswith("{")]
    if not lines:
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        return {"error": "rc=%d %s" % (p.returncode,
                                       err[-1] if err else "no output")}
    return json.loads(lines[-1])


def openssl_speed(openssl, seconds):
    cmd = shlex.split(openssl) + ["speed", "-evp", "aes-256-gcm", "-bytes",
                                  "16384", "-seconds", str(seconds)]
    env = dict(os.environ)
    env["OPENSSL_CONF"] = "/dev/null"
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env)
    out = p.stdout.decode("utf-8", "replace")
    m = re.search(r"^aes-256-gcm\s+([0-9.]+)k\s*$", out, re.M | re.I)
    if not m:
        return None, None
    ver = subprocess.run(shlex.split(openssl) + ["version"],
                         stdout=subprocess.PIPE, env=env
                         ).stdout.decode().strip()
    return float(m.group(1)) * 1000 / 1e6, ver  # MB/s (10**6)


def fmt(v, fig):
    if v is None:
        return "n/a"
    if fig == "bulk":
        return "%.0f" % v
    if fig == "rss":
        return "%d" % v
    return "%.0f" % v


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patched", required=True,
                    help="patched 2.7 interpreter")
    ap.add_argument("--patched-env", action="append", default=[],
                    metavar="K=V")
    ap.add_argument("--py3", required=True,
                    help="reference Python 3 on the same OpenSSL")
    ap.add_argument("--py3-env", action="append", default=[], metavar="K=V")
    ap.add_argument("--pyopenssl-path", required=True,
                    help="PYTHONPATH holding pyOpenSSL for the 2.7")
    ap.add_argument("--pyopenssl-python", default=None,
                    help="2.7 interpreter for pyOpenSSL (default: --patched)")
    ap.add_argument("--openssl", default="openssl",
                    help="openssl command of the same OpenSSL")
    ap.add_argument("--openssl-note", default="",
                    help="text printed beside the bound (e.g. 'system "
                         "openssl, not the benchmarked one')")
    ap.add_argument("--certdir", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--figures", default=",".join(FIGURES))
    ap.add_argument("--tls", choices=("1.3", "1.2"), default="1.3")
    ap.add_argument("--json-out", default=None)
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 when a target is SHORT")
    args = ap.parse_args()

    figures = [f for f in args.figures.split(",") if f]
    impls = [
        ("patched", shlex.split(args.patched), "ssl",
         parse_env(args.patched_env)),
        ("py3", shlex.split(args.py3), "ssl", parse_env(args.py3_env)),
        ("pyopenssl", shlex.split(args.pyopenssl_python or args.patched),
         "pyopenssl", dict(parse_env(args.patched_env),
                           PYTHONPATH=args.pyopenssl_path)),
    ]
    names = [i[0] for i in impls]
    t_start = time.time()
    speeds = []
    ossl_ver = None
    for _ in range(args.rounds):
        sp, ossl_ver = openssl_speed(args.openssl, 2)
        if sp:
            speeds.append(sp)
    bound = statistics.median(speeds) / 2 if speeds else None
    print("[bench] AES-256-GCM @16 KiB (median of %d): %s MB/s -> bound %s MB/s (%s)%s"
          % (len(speeds), "%.0f" % (bound * 2) if bound else "n/a",
             "%.0f" % bound if bound else "n/a", ossl_ver or "?",
             (" " + args.openssl_note) if args.openssl_note else ""),
          flush=True)

    results = {f: {n: [] for n in names} for f in figures}
    raw = []
    errors = []
    for fig in figures:
        for rnd in range(args.rounds):
            for name, py, impl, env in impls:
                cmd = py + [BENCH, "--impl", impl, "--figure", fig,
                            "--seconds", str(args.seconds), "--certdir",
                            args.certdir, "--tls", args.tls]
                r = run_one(cmd, env, timeout=60 + 10 * args.seconds)
                r["round"] = rnd
                r["name"] = name
                raw.append(r)
                if "error" in r:
                    errors.append("%s %s: %s" % (name, fig, r["error"]))
                    print("[bench] %-9s %-9s round %d: ERROR %s"
                          % (fig, name, rnd, r["error"]), flush=True)
                    continue
                results[fig][name].append(r["value"])
                print("[bench] %-9s %-9s round %d: %s %s  (%s, %s)"
                      % (fig, name, rnd, fmt(r["value"], fig), UNITS[fig],
                         r.get("library", "?"), r.get("python", "?")),
                      flush=True)

    med = {f: {n: (statistics.median(v) if v else None)
               for n, v in results[f].items()} for f in figures}

    def ratio(f, other):
        a, b = med[f]["patched"], med[f][other]
        if a is None or not b:
            return None
        return a / b

    print()
    print("TLS %s, %s; median of %d rounds, %.1f s each; MB = 10**6 bytes"
          % (args.tls, "TLS_AES_256_GCM_SHA384" if args.tls == "1.3"
             else "ECDHE-RSA-AES256-GCM-SHA384", args.rounds, args.seconds))
    hdr = "%-10s %-6s %10s %10s %10s %9s %9s %8s %8s" % (
        "figure", "unit", "patched", "py3", "pyOpenSSL", "p/py3",
        "p/pyOSSL", "%bound", "spread")
    print(hdr)
    print("-" * len(hdr))
    for f in figures:
        r1, r2 = ratio(f, "py3"), ratio(f, "pyopenssl")
        pb = ""
        if f == "bulk" and bound and med[f]["patched"]:
            pb = "%.0f%%" % (100 * med[f]["patched"] / bound)
        # spread: largest (max-min)/median over the three implementations,
        # a rough noise level for reading the ratios
        spread = [(max(v) - min(v)) / statistics.median(v)
                  for v in results[f].values() if len(v) > 1]
        print("%-10s %-6s %10s %10s %10s %9s %9s %8s %8s" % (
            f, UNITS[f], fmt(med[f]["patched"], f), fmt(med[f]["py3"], f),
            fmt(med[f]["pyopenssl"], f),
            "%.2fx" % r1 if r1 else "n/a", "%.2fx" % r2 if r2 else "n/a",
            pb, "%.0f%%" % (100 * max(spread)) if spread else ""))
    if "rss" in figures:
        pp = {}
        for r in raw:
            if r.get("figure") == "rss" and "per_pair_kib" in r:
                pp.setdefault(r["name"], []).append(r["per_pair_kib"])
        print("rss growth per live pair (KiB): " + ", ".join(
            "%s %.1f" % (n, statistics.median(pp[n])) for n in names
            if n in pp) + "   (lower is better; no target)")
    libs = {}
    for r in raw:
        if "library" in r:
            libs.setdefault(r["name"], "%s (Python %s)" % (r["library"],
                                                          r.get("python")))
    for n in names:
        if n in libs:
            print("%-9s %s" % (n + ":", libs[n]))
    if bound:
        print("AES-GCM bound: %.0f MB/s (half of openssl speed, %s)%s"
              % (bound, ossl_ver, (" " + args.openssl_note)
                 if args.openssl_note else ""))

    print()
    short = 0
    for f, kind, thr in TARGETS:
        if f not in figures:
            continue
        if kind == "bound":
            v = (med[f]["patched"] / bound
                 if bound and med[f]["patched"] else None)
            what = "%s >= %d%% of AES-GCM bound" % (f, thr * 100)
            got = "%.0f%%" % (100 * v) if v is not None else "n/a"
        else:
            v = ratio(f, kind)
            what = "%s >= %.1fx %s" % (f, thr, kind)
            got = "%.2fx" % v if v is not None else "n/a"
        verdict = "PASS" if v is not None and v >= thr else (
            "SHORT" if v is not None else "N/A")
        if verdict != "PASS":
            short += 1
        print("%-5s %-36s got %s" % (verdict, what, got))
    print("[bench] done in %.0f s" % (time.time() - t_start))
    for e in errors:
        print("[bench] error: " + e)

    if args.json_out:
        with open(args.json_out, "w") as fh:
            json.dump({"bound_mbs": bound, "openssl": ossl_ver,
                       "median": med, "raw": raw}, fh, indent=1)
    if errors:
        return 2
    if args.strict and short:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
