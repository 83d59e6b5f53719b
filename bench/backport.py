#!/usr/bin/env python3
"""The backport's cost: backports.ssl_memorybio on an unpatched 2.7 beside
the patched 2.7, on the same OpenSSL, in instructions counted by callgrind.

    python3 bench/backport.py --patched BUILD/system/obj/python \
        --backport BUILD/backport/python.org-system/python-installed \
        --certdir DIR [--figures handshake,small,bulk,evsmall,evbulk]

Both run bench/bench.py --impl ssl (the backport's interpreter calls
install() at start).  For each figure (handshakes, 64-byte messages,
16 KiB writes; evsmall and evbulk read until SSLWantReadError as event
loops do) each interpreter runs N1 and N2 operations under callgrind, and
(I(N2) - I(N1)) / (N2 - N1) is the instructions per operation, as
bench/run.py counts them (start-up and warm-up cancel out).  Target: the
backport within 5% of the patched build (backport/patched <= 1.05).

Exit status: 0 when every figure is within the target, 1 when one is
over, 2 when one could not be counted (or valgrind is missing).
"""
import argparse
import os
import shlex
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (bench/run.py: COUNTS, count_instructions)

TARGET = 1.05
PER = {"handshake": "handshake", "small": "64-byte message",
       "bulk": "16 KiB write", "evsmall": "64 B ev. message",
       "evbulk": "16 KiB ev. write"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patched", required=True)
    ap.add_argument("--backport", required=True)
    ap.add_argument("--certdir", required=True)
    ap.add_argument("--figures", default="handshake,small,bulk,evsmall,evbulk")
    ap.add_argument("--tls", choices=("1.3", "1.2"), default="1.3")
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        print("valgrind is not installed (apt-get install valgrind)")
        return 2
    impls = (("patched", args.patched), ("backport", args.backport))
    rc = 0
    print("%-10s %-17s %11s %11s %9s" % ("figure", "instructions per",
                                         "patched", "backport", "b/p"))
    for fig in [f for f in args.figures.split(",") if f]:
        n1, n2 = run.COUNTS[fig]
        got = {}
        for name, py in impls:
            cmd = shlex.split(py) + [os.path.join(HERE, "bench.py"),
                                     "--impl", "ssl", "--figure", fig,
                                     "--certdir", args.certdir,
                                     "--tls", args.tls]
            i1 = run.count_instructions(cmd, {}, n1)
            i2 = run.count_instructions(cmd, {}, n2)
            if i1 is None or i2 is None:
                print("%s %s: the callgrind run failed" % (name, fig))
                rc = 2
                continue
            got[name] = (i2 - i1) / float(n2 - n1)
        if len(got) < 2:
            continue
        r = got["backport"] / got["patched"]
        ok = r <= TARGET
        if not ok and rc == 0:
            rc = 1
        print("%-10s %-17s %11.0f %11.0f %8.3fx %s" % (
            fig, PER[fig], got["patched"], got["backport"], r,
            "PASS" if ok else "OVER (target %.2fx)" % TARGET), flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
