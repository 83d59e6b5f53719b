#!/usr/bin/env python3
"""hygiene.py PATCH...: every patch mail has a subject and a body that says why.

A subject of git format-patch's '[PATCH] ', then '[2.7] ' as the 2.7
branch marked backports, of at least 12 characters and at most 72 after
'[PATCH] '; a body (above the '---' that starts the diffstat) of at least 30
words, in lines of at most 76 characters, that ends with the DEP-3 and
OpenEmbedded fields packagers look for (Forwarded:, Upstream-Status:) and
holds no work-tree 'Series-part:' line.  Prints one line per problem; exits
1 if there was any.
"""
import email
import sys


def mail_problems(data):
    """The problems of one patch mail (bytes), as short phrases."""
    msg = email.message_from_bytes(data)
    subject = " ".join((msg["Subject"] or "").split())
    payload = msg.get_payload(decode=True) or b""
    body = payload.decode("utf-8").split("\n---\n", 1)[0].strip()
    problems = []
    if not subject.startswith("[PATCH] ") or len(subject) < 20:
        problems.append("no subject")
    elif len(subject) > 8 + 72:
        problems.append("subject longer than 72 characters")
    elif not subject.startswith("[PATCH] [2.7] "):
        problems.append("subject does not start with [2.7]")
    fields = [line.split(":", 1)[0] for line in body.splitlines() if ": " in line]
    for field in ("Forwarded", "Upstream-Status"):
        if field not in fields:
            problems.append("no %s: line" % field)
    if "Series-part" in fields:
        problems.append("a Series-part: line (only for the work tree)")
    if len(body.split()) < 30:
        problems.append("body too short to say why and how it differs from Python 3")
    if any(len(line) > 76 for line in body.splitlines()):
        problems.append("body lines over 76 characters")
    return problems


def main(paths):
    bad = 0
    for path in paths:
        with open(path, "rb") as f:
            for problem in mail_problems(f.read()):
                print("%s: %s" % (path, problem))
                bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
