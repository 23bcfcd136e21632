#!/usr/bin/env python3
"""A differential campaign: many random cases, zptoys against pyhf 0.7.6 (compare.py).

    Validation/.venv/bin/python Validation/differential/campaign.py --cases 10000 --out OUT [--first 0]
        [--processes 2]

Appends one JSON line per case to OUT/results.jsonl (a rerun skips the seeds already there, so
an interrupted campaign continues), copies the workspace of every case with a disagreement to
OUT/cases/seed_N.json, and prints the summary (summary() below) at the end, also to
OUT/summary.txt. `--summary-only` prints the summary of what OUT holds.
"""

import argparse
import collections
import json
import multiprocessing as mp
import os
import signal
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from differential.compare import is_disagreement, run_case  # noqa: E402
from differential.generate import random_case  # noqa: E402

CASE_SECONDS = 900  # a case still running after this is recorded as a timeout


class _Timeout(Exception):
    pass


def _alarm(*_):
    raise _Timeout()


def work(args):
    seed, tmp = args
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_SECONDS)
    t0 = time.time()
    try:
        rec = run_case(random_case(seed), tmp)
    except _Timeout:
        rec = {"seed": seed, "checks": [{"check": "case", "class": "timeout (pyhf)"}]}
    except Exception as e:  # noqa: BLE001 (recorded, never lost)
        rec = {"seed": seed, "checks": [{"check": "case", "class": "runner error", "error": f"{type(e).__name__}: {e}"[:400]}]}
    finally:
        signal.alarm(0)
    rec["seconds"] = round(time.time() - t0, 3)
    return rec


def load(path):
    out = []
    if os.path.exists(path):
        with open(path) as fh:
            for line in fh:
                line = line.strip()
                if line:
                    out.append(json.loads(line))
    return out


def reclassify(c):
    """Records made before a class existed, mapped to it (the classification is a function of
    what the record holds): a hypothesis test where pyhf's CLs is NaN."""
    if c["check"].startswith("hypotest") and isinstance(c.get("pyhf"), dict) and c["pyhf"].get("cls") is None \
            and c["class"].startswith("hypotest:"):
        c = dict(c, **{"class": "hypotest: pyhf NaN"})
    return c


def summary(records):
    """Counts per check kind and class, disagreements with an example seed each."""
    lines = []
    checks = [(r["seed"], reclassify(c)) for r in records for c in r["checks"]]
    by_kind = collections.defaultdict(collections.Counter)
    examples = {}
    for seed, c in checks:
        kind = c["check"].split(" ")[0]
        if kind == "hypotest":
            kind = "hypotest " + c["check"].split(" ")[1]
        elif kind == "fit" and " " in c["check"]:
            kind = "fit at fixed POI"
        by_kind[kind][c["class"]] += 1
        key = (kind, c["class"])
        if key not in examples or (c.get("delta") or 0) > (examples[key][1].get("delta") or 0):
            examples[key] = (seed, c)
    cases_bad = sum(1 for r in records if any(is_disagreement(reclassify(c)["class"]) for c in r["checks"]))
    lines.append(f"{len(records)} cases, {len(checks)} comparisons; {cases_bad} cases with a zptoys disagreement")
    total = collections.Counter()
    for kind in sorted(by_kind):
        lines.append(f"  {kind}: " + ", ".join(f"{cls} {n}" for cls, n in by_kind[kind].most_common()))
        total.update(by_kind[kind])
    lines.append("  all: " + ", ".join(f"{cls} {n}" for cls, n in total.most_common()))
    flat = sum(1 for _, c in checks if c.get("flat"))
    lines.append(f"  flat minima (same −2 ln L, parameters > 5% apart): {flat}")
    lines.append("examples (largest |Δ| per kind and class):")
    for (kind, cls), (seed, c) in sorted(examples.items()):
        if cls.startswith("agree"):
            continue
        d = c.get("delta")
        extra = c.get("fit_classes") or (c.get("zptoys_error") or "").replace("\n", " ")[:120] or ""
        lines.append(f"  {kind:18s} {cls:28s} seed {seed}  Δ {d if d is None else f'{d:.4g}'}  {str(extra)[:160]}")
    secs = [r.get("seconds", 0) for r in records]
    if secs:
        lines.append(f"time: {sum(secs):.0f} s of work, {sum(secs) / len(secs):.2f} s per case")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--out", required=True)
    ap.add_argument("--summary-only", action="store_true")
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, "cases"), exist_ok=True)
    results = os.path.join(a.out, "results.jsonl")
    if not a.summary_only:
        done = {r["seed"] for r in load(results)}
        todo = [s for s in range(a.first, a.first + a.cases) if s not in done]
        print(f"{len(todo)} cases to run ({len(done)} already in {results})", flush=True)
        with tempfile.TemporaryDirectory() as tmp, open(results, "a") as out, \
                mp.get_context("fork").Pool(a.processes, maxtasksperchild=200) as pool:
            for n, rec in enumerate(pool.imap_unordered(work, [(s, tmp) for s in todo], chunksize=1), 1):
                out.write(json.dumps(rec) + "\n")
                out.flush()
                if any(is_disagreement(c["class"]) for c in rec["checks"]):
                    with open(os.path.join(a.out, "cases", f"seed_{rec['seed']}.json"), "w") as fh:
                        json.dump(random_case(rec["seed"])["workspace"], fh, indent=1)
                if n % 100 == 0:
                    print(f"{n}/{len(todo)} done", flush=True)
    text = summary([r for r in load(results) if a.first <= r["seed"] < a.first + a.cases])
    with open(os.path.join(a.out, "summary.txt"), "w") as fh:
        fh.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
