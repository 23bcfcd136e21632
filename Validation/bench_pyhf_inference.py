#!/usr/bin/env python3
"""Time pyhf's inference on the reference search window (100 bins, 202 parameters).

The work `zptoys bench --only inference` times, done by pyhf as a user calls it (numpy backend,
scipy SLSQP with pyhf's default tolerance):

- one asymptotic q̃µ hypothesis test at µ = 1 with the expected set (`pyhf.infer.hypotest`:
  five fits, as zptoys' calculator plus one test);
- with --limit, the asymptotic 90% CL CLs upper limit with its expected band: toms748_scan
  (level=0.1) with upper_limit's bracket (the POI bounds) and tolerance — upper_limit itself, in
  pyhf 0.7.6, does not pass `level` on and would compute the 95% CL limits. On the reference
  window it needs 51 hypothesis tests: several minutes, hence off by default;
- a toy-based q̃µ test at µ = 1 with --toys toys per hypothesis (pyhf's ToyCalculator:
  `distributions`, i.e. the two fits that set the generation point and two fits per toy): at
  about a second per toy pyhf cannot run 2 × 1,000 toys in a benchmark, so the time per toy is
  reported and zptoys scales it to its own toy count.

The workspace is written by `zptoys fit --write-reference W.json`; without an argument the
script writes it with $ZPTOYS, `zptoys` on PATH or .build/release/zptoys.

Prints JSON: {"hypotest_seconds": [...], "limit_seconds": [...], "limit_hypotests": n,
"toy_distributions_seconds": t, "toys_per_hypothesis": N, "seconds_per_toy": t / (2N), ...}.
"""

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import pyhf  # noqa: E402
from pyhf.infer.intervals.upper_limits import toms748_scan  # noqa: E402

from likelihood.runner import find_zptoys  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("workspace", nargs="?", help="reference window JSON (default: written by zptoys)")
    parser.add_argument("--repeats", type=int, default=1, help="asymptotic hypotests and limits (default 1)")
    parser.add_argument("--toys", type=int, default=3, help="toys per hypothesis for the toy test (default 3; 0: skip)")
    parser.add_argument("--limit", action="store_true", help="also time the upper limit (minutes)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.workspace
        if path is None:
            path = os.path.join(tmp, "reference.json")
            subprocess.run([find_zptoys(), "fit", "--write-reference", path], check=True, capture_output=True)
        with open(path) as f:
            spec = json.load(f)

    warnings.filterwarnings("ignore")
    logging.getLogger("pyhf").setLevel(logging.CRITICAL)
    pyhf.set_backend("numpy")
    ws = pyhf.Workspace(spec)
    model = ws.model()
    data = ws.data(model)
    out = {"pyhf_version": pyhf.__version__, "optimizer": "scipy SLSQP, pyhf's default tolerance",
           "parameters": len(model.config.par_names), "bins": model.config.nmaindata}

    hypotest = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        cls, expected = pyhf.infer.hypotest(1.0, data, model, test_stat="qtilde", return_expected_set=True)
        hypotest.append(time.perf_counter() - t0)
    out.update(hypotest_seconds=hypotest, hypotest_cls=float(cls))

    if args.limit:
        lo, hi = model.config.suggested_bounds()[model.config.poi_index]
        limits = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            obs, exp, (scan, _) = toms748_scan(data, model, lo, hi, level=0.1, from_upper_limit_fn=True)
            limits.append(time.perf_counter() - t0)
        out.update(limit_seconds=limits, limit_hypotests=len(scan), observed_limit=float(obs),
                   expected_limits=[float(v) for v in exp])

    if args.toys > 0:
        np.random.seed(1)
        calc = pyhf.infer.calculators.ToyCalculator(data, model, test_stat="qtilde", ntoys=args.toys, track_progress=False)
        t0 = time.perf_counter()
        calc.distributions(1.0)
        t = time.perf_counter() - t0
        out.update(toy_distributions_seconds=t, toys_per_hypothesis=args.toys, seconds_per_toy=t / (2 * args.toys))

    out["hypotest_seconds_median"] = statistics.median(hypotest)
    print(json.dumps(out, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
