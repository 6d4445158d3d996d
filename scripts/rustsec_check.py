#!/usr/bin/env python3
"""Check a Cargo.lock against a local copy of the RustSec advisory database.

Usage: rustsec_check.py Cargo.lock ADVISORY_DB_DIR

Offline on purpose: CI has no access to the advisory repository, so a
maintainer runs this by hand with a checkout of rustsec/advisory-db. It
reports every locked package version that an advisory (not withdrawn)
marks affected, and exits 1 if there is any vulnerability (informational
advisories such as `unmaintained` are listed but do not fail).
"""
import pathlib, re, sys, tomllib


def parse_ver(v):
    v = v.strip().split("+")[0]
    core, _, pre = v.partition("-")
    parts = [int(x) for x in core.split(".")]
    while len(parts) < 3:
        parts.append(0)
    # a pre-release sorts before its release
    return tuple(parts) + ((0, pre) if pre else (1, ""))


def caret_upper(v):
    p = parse_ver(v)[:3]
    if p[0] > 0:
        return (p[0] + 1, 0, 0, 0, "")
    if p[1] > 0:
        return (0, p[1] + 1, 0, 0, "")
    return (0, 0, p[2] + 1, 0, "")


def matches(ver, req):
    """semver requirement as used in advisories: '>= 1.2', '^0.3.1', '< 2, >= 1', '=1.0.0'."""
    v = parse_ver(ver)
    for clause in req.split(","):
        c = clause.strip()
        m = re.match(r"^(>=|<=|>|<|=|\^|~)?\s*(.+)$", c)
        op, rv = m.group(1) or "^", m.group(2)
        r = parse_ver(rv)
        if op == ">=" and not v >= r: return False
        if op == ">" and not v > r: return False
        if op == "<=" and not v <= r: return False
        if op == "<" and not v < r: return False
        if op == "=" and not v[:3] == r[:3]: return False
        if op == "^" and not (r <= v < caret_upper(rv)): return False
        if op == "~" and not (r <= v < (r[0], r[1] + 1, 0, 0, "")): return False
    return True


def advisories(db):
    for md in pathlib.Path(db, "crates").glob("*/*.md"):
        text = md.read_text()
        m = re.search(r"```toml\n(.*?)\n```", text, re.S)
        if not m:
            continue
        doc = tomllib.loads(m.group(1))
        adv = doc.get("advisory", {})
        if adv.get("withdrawn"):
            continue
        yield adv, doc.get("versions", {})


def main():
    lock = tomllib.loads(pathlib.Path(sys.argv[1]).read_text())
    locked = {}
    for p in lock.get("package", []):
        if p.get("source", "").startswith("registry+"):
            locked.setdefault(p["name"], []).append(p["version"])
    vulns = infos = 0
    for adv, vers in advisories(sys.argv[2]):
        name = adv.get("package")
        for ver in locked.get(name, []):
            safe = any(matches(ver, r) for r in vers.get("patched", []) + vers.get("unaffected", []))
            if safe:
                continue
            kind = adv.get("informational")
            tag = f"informational:{kind}" if kind else "VULNERABLE"
            if kind:
                infos += 1
            else:
                vulns += 1
            print(f"{tag} {name} {ver} {adv.get('id')} {adv.get('title')}")
    print(f"{len(locked)} locked crates checked: {vulns} vulnerable, {infos} informational")
    sys.exit(1 if vulns else 0)


main()
