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

Each figure runs A B C A B C ... (--rounds rounds, default 5) in fresh
processes, so that machine drift hits all three alike; the median of the
rounds is reported, and each ratio is the median of the per-round ratios
(A over B of the same round).  The AES-GCM bound is half of
`openssl speed -evp aes-256-gcm -bytes 16384` (one thread encrypts and
decrypts every byte), measured right before each bulk round.

On a shared machine wall-clock figures drift by tens of percent.  Where
valgrind is installed, the speed figures are therefore also given as
instructions per operation, counted by callgrind (repeatable to the
instruction): each implementation runs the figure's operation N1 and N2
times, and (I(N2) - I(N1)) / (N2 - N1) cancels start-up and warm-up.

The event-loop figures (evsmall, evbulk, evsock; see bench.py) read
until SSLWantReadError, as asyncio-style loops do.  Besides the speed
targets, INSTR_TARGETS sets the minimum ratio of Python 3's
instructions per operation to the patched 2.7's (issue 12); evsock is
reported without a target.

Exit status: 0 when every figure was measured (even if some targets are
SHORT; --strict makes SHORT an error), 2 on errors.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, "bench.py")
FIGURES = ("handshake", "small", "bulk", "evsmall", "evbulk", "evsock",
           "rss")
# operations per callgrind run (N1, N2), see the docstring
COUNTS = {"handshake": (10, 30), "small": (5000, 15000), "bulk": (100, 300),
          "evsmall": (5000, 15000), "evbulk": (200, 2000),
          "evsock": (5000, 15000)}
UNITS = {"handshake": "hs/s", "small": "msg/s", "bulk": "MB/s",
         "evsmall": "msg/s", "evbulk": "MB/s", "evsock": "msg/s",
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
    ("evsmall", "py3", 1.0),
    ("evbulk", "py3", 1.0),
    ("evsock", "py3", 1.0),
]
# (figure, min ratio py3/patched of the instructions per operation): the
# event-loop targets of issue 12, counted with callgrind
INSTR_TARGETS = [
    ("handshake", 0.98),
    ("evsmall", 1.10),
    ("evbulk", 1.0),
]


def parse_env(items):
    env = {}
    for item in items or ():
        k, _, v = item.partition("=")
        env[k] = v
    return env


def child_env(env):
    """This environment without the Python search paths, plus env."""
    full_env = dict(os.environ)
    full_env.pop("PYTHONPATH", None)
    full_env.pop("PYTHONHOME", None)
    full_env.update(env)
    return full_env


def run_one(cmd, env, timeout):
    full_env = child_env(env)
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


def count_instructions(cmd, env, n):
    """Instructions that callgrind counts for cmd (all processes: a
    wrapper script's exec is followed), or None."""
    full_env = child_env(env)
    p = subprocess.run(["valgrind", "--tool=callgrind",
                        "--callgrind-out-file=/dev/null",
                        "--trace-children=yes"] + cmd + ["--count", str(n)],
                       env=full_env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=900)
    found = re.findall(r"Collected : (\d+)", p.stderr.decode("utf-8",
                                                              "replace"))
    ok = any(l.startswith("{") and '"error"' not in l
             for l in p.stdout.decode("utf-8", "replace").splitlines())
    if p.returncode != 0 or not found or not ok:
        return None
    return sum(int(x) for x in found)


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
    if fig in ("bulk", "evbulk"):
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
    ap.add_argument("--no-instructions", action="store_true",
                    help="skip the callgrind instruction counts")
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

    # values[fig][name][round]; bound_of[round]: the AES-GCM bound measured
    # right before that round's bulk runs
    values = {f: {n: {} for n in names} for f in figures}
    bound_of = {}
    ossl_ver = None
    raw = []
    errors = []
    for fig in figures:
        for rnd in range(args.rounds):
            if fig == "bulk":
                sp, ossl_ver = openssl_speed(args.openssl, 1)
                if sp:
                    bound_of[rnd] = sp / 2
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
                values[fig][name][rnd] = r["value"]
                print("[bench] %-9s %-9s round %d: %s %s  (%s, %s)"
                      % (fig, name, rnd, fmt(r["value"], fig), UNITS[fig],
                         r.get("library", "?"), r.get("python", "?")),
                      flush=True)

    def median(xs):
        xs = list(xs)
        return statistics.median(xs) if xs else None

    med = {f: {n: median(v.values()) for n, v in values[f].items()}
           for f in figures}
    bound = median(bound_of.values())

    def ratio(f, other):
        """median over the rounds of patched / other in the same round"""
        a, b = values[f]["patched"], values[f][other]
        return median(a[r] / b[r] for r in a if b.get(r))

    def share_of_bound():
        a = values.get("bulk", {}).get("patched", {})
        return median(a[r] / bound_of[r] for r in a if bound_of.get(r))

    print()
    print("TLS %s, %s; median of %d rounds, %.1f s each; MB = 10**6 bytes;"
          % (args.tls, "TLS_AES_256_GCM_SHA384" if args.tls == "1.3"
             else "ECDHE-RSA-AES256-GCM-SHA384", args.rounds, args.seconds))
    print("ratios and %bound: medians of the per-round ratios")
    hdr = "%-10s %-6s %10s %10s %10s %9s %9s %8s %8s" % (
        "figure", "unit", "patched", "py3", "pyOpenSSL", "p/py3",
        "p/pyOSSL", "%bound", "spread")
    print(hdr)
    print("-" * len(hdr))
    for f in figures:
        r1, r2 = ratio(f, "py3"), ratio(f, "pyopenssl")
        sb = share_of_bound() if f == "bulk" else None
        # spread: largest (max-min)/median over the three implementations,
        # a rough noise level for reading the ratios
        spread = [(max(v.values()) - min(v.values())) / median(v.values())
                  for v in values[f].values() if len(v) > 1]
        print("%-10s %-6s %10s %10s %10s %9s %9s %8s %8s" % (
            f, UNITS[f], fmt(med[f]["patched"], f), fmt(med[f]["py3"], f),
            fmt(med[f]["pyopenssl"], f),
            "%.2fx" % r1 if r1 else "n/a", "%.2fx" % r2 if r2 else "n/a",
            "%.0f%%" % (100 * sb) if sb else "",
            "%.0f%%" % (100 * max(spread)) if spread else ""))
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
        print("AES-GCM bound: %.0f MB/s median (half of openssl speed, %s)%s"
              % (bound, ossl_ver, (" " + args.openssl_note)
                 if args.openssl_note else ""))

    # Instructions per operation: the same comparison without the noise.
    instr = {}
    counted = [f for f in figures if f in COUNTS]
    if counted and not args.no_instructions and shutil.which("valgrind"):
        print()
        print("[bench] counting instructions with callgrind ...", flush=True)
        for fig in counted:
            n1, n2 = COUNTS[fig]
            instr[fig] = {}
            for name, py, impl, env in impls:
                cmd = py + [BENCH, "--impl", impl, "--figure", fig,
                            "--certdir", args.certdir, "--tls", args.tls]
                i1 = count_instructions(cmd, env, n1)
                i2 = count_instructions(cmd, env, n2)
                if i1 is None or i2 is None:
                    errors.append("%s %s: callgrind run failed" % (name, fig))
                    continue
                instr[fig][name] = (i2 - i1) / float(n2 - n1)
        per = {"handshake": "handshake", "small": "64-byte message",
               "bulk": "16 KiB write", "evsmall": "64 B ev. message",
               "evbulk": "16 KiB ev. write", "evsock": "64 B sock msg"}
        hdr = "%-10s %-16s %11s %11s %11s %9s %9s" % (
            "figure", "instructions per", "patched", "py3", "pyOpenSSL",
            "py3/p", "pyOSSL/p")
        print("callgrind, instructions per operation (fewer is faster; the "
              "ratios read like the speed ratios above)")
        print(hdr)
        print("-" * len(hdr))
        for f in counted:
            c = instr[f]
            p = c.get("patched")
            print("%-10s %-16s %11s %11s %11s %9s %9s" % (
                f, per[f], *["%.0f" % c[n] if n in c else "n/a"
                             for n in names],
                *["%.2fx" % (c[n] / p) if p and n in c else "n/a"
                  for n in ("py3", "pyopenssl")]))

    print()
    short = 0
    for f, kind, thr in TARGETS:
        if f not in figures:
            continue
        if kind == "bound":
            v = share_of_bound()
            what = "%s >= %d%% of AES-GCM bound" % (f, thr * 100)
            got = "%.0f%%" % (100 * v) if v is not None else "n/a"
        else:
            v = ratio(f, kind)
            what = "%s >= %.1fx %s" % (f, thr, kind)
            got = "%.2fx" % v if v is not None else "n/a"
            c = instr.get(f, {})
            if c.get("patched") and c.get(kind):
                got += " (by instructions: %.2fx)" % (c[kind] / c["patched"])
        verdict = "PASS" if v is not None and v >= thr else (
            "SHORT" if v is not None else "N/A")
        if verdict != "PASS":
            short += 1
        print("%-5s %-36s got %s" % (verdict, what, got))
    for f, thr in INSTR_TARGETS:
        c = instr.get(f, {})
        if f not in figures or not c:
            continue
        v = (c["py3"] / c["patched"]) if c.get("patched") and c.get(
            "py3") else None
        verdict = "PASS" if v is not None and v >= thr else (
            "SHORT" if v is not None else "N/A")
        if verdict != "PASS":
            short += 1
        print("%-5s %-36s got %s" % (
            verdict, "%s instructions py3/p >= %.2fx" % (f, thr),
            "%.3fx" % v if v is not None else "n/a"))
    print("[bench] done in %.0f s" % (time.time() - t_start))
    for e in errors:
        print("[bench] error: " + e)

    if args.json_out:
        with open(args.json_out, "w") as fh:
            json.dump({"bound_mbs": bound, "openssl": ossl_ver,
                       "median": med, "instructions": instr, "raw": raw},
                      fh, indent=1)
    if errors:
        return 2
    if args.strict and short:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
