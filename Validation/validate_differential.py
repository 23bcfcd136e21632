#!/usr/bin/env python3
"""Differential test against pyhf 0.7.6 on a fixed seeded sample of random workspaces.

The cases are seeds 0 … SAMPLE−1 of Validation/differential/generate.py (the first cases of the
10,000-case campaign in Validation/DIFFERENTIAL.md); each is compared by
Validation/differential/compare.py: free and conditional fits (`zptoys fit --json [--fix]`) and
asymptotic hypothesis tests (`zptoys hypotest --json`) against pyhf with restarts, every
difference classified.

It fails on a zptoys disagreement (a crash, an error where pyhf fits, a minimum above pyhf's,
a likelihood that differs, a hypothesis test whose fits miss the minimum) unless the case is
listed in differential/known.txt — the open findings, each with its class, left for the fitter.
A listed case that now agrees fails too, so the list stays true: remove its line. Classes that
are pyhf's (zptoys lower, pyhf fails, pyhf NaN) are counted, not failed.
"""

import multiprocessing as mp
import os
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)

from differential.campaign import summary, work  # noqa: E402
from differential.compare import ZPTOYS, is_disagreement  # noqa: E402

SAMPLE = 300


def known():
    """{(seed, check): class} from differential/known.txt (`seed<TAB>check<TAB>class<TAB>note`)."""
    out = {}
    with open(os.path.join(here, "differential", "known.txt")) as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                seed, check, cls = line.rstrip("\n").split("\t")[:3]
                out[(int(seed), check)] = cls
    return out


def write_known(records):
    """Writes differential/known.txt: every zptoys disagreement of this run, with its class."""
    lines = ["# Open zptoys disagreements in the validate sample (validate_differential.py --write-known).",
             "# seed<TAB>check<TAB>class<TAB>note; a fixed one makes validate fail until its line is removed."]
    for r in sorted(records, key=lambda r: r["seed"]):
        for c in r["checks"]:
            if is_disagreement(c["class"]):
                note = c.get("fit_classes") or (c.get("zptoys_error") or "").replace("\n", " ")[:100] or f"delta {c.get('delta')}"
                lines.append(f"{r['seed']}\t{c['check']}\t{c['class']}\t{note}")
    with open(os.path.join(here, "differential", "known.txt"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines) - 2} known disagreements to differential/known.txt")


def main():
    if not os.path.exists(ZPTOYS):
        print(f"zptoys binary not found ({ZPTOYS}); build it (make release) or set ZPTOYS", file=sys.stderr)
        return 2
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp, mp.get_context("fork").Pool(2) as pool:
        records = pool.map(work, [(s, tmp) for s in range(SAMPLE)], chunksize=1)
    print(summary(records))
    if "--write-known" in sys.argv:
        write_known(records)
    expected = known()
    failures, still = [], 0
    for r in records:
        for c in r["checks"]:
            key = (r["seed"], c["check"])
            bad = is_disagreement(c["class"]) or c["class"] in ("runner error", "invalid case")
            if bad and key in expected:
                still += 1
                if expected[key] != c["class"]:
                    failures.append(f"seed {key[0]} {key[1]}: known as {expected[key]}, now {c['class']}")
            elif bad:
                failures.append(f"seed {key[0]} {key[1]}: {c['class']} (Δ {c.get('delta')}) "
                                f"{c.get('fit_classes') or c.get('zptoys_error') or ''}"[:300])
            elif key in expected:
                failures.append(f"seed {key[0]} {key[1]}: listed in known.txt as {expected[key]} but now {c['class']}: "
                                "remove the line")
    print(f"{still} known disagreements (differential/known.txt), {len(failures)} new or changed "
          f"({time.time() - t0:.0f} s)")
    for f in failures:
        print("  " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
