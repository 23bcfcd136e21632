#!/usr/bin/env python3
"""Time pyhf fitting the reference search window (100 bins, 202 parameters).

The workspace is the one ZPrimeToys benchmarks (`Likelihood.FitBenchmark`); write it with

    zptoys fit --write-reference W.json

and pass it here (without an argument the script writes it with $ZPTOYS, `zptoys` on PATH or
.build/release/zptoys). pyhf runs with its defaults as a user would call it: numpy backend,
scipy SLSQP, `pyhf.infer.mle.fit` (all parameters free) and `fixed_poi_fit` at µ = 1.

Prints JSON: {"pyhf_fit_seconds_median": ..., "pyhf_fixed_poi_fit_seconds_median": ..., ...}.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pyhf  # noqa: E402

from likelihood.runner import find_zptoys  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("workspace", nargs="?", help="reference window JSON (default: written by zptoys)")
    parser.add_argument("--repeats", type=int, default=5, help="fits of each kind (default 5)")
    parser.add_argument("--tolerance", type=float, default=None, help="scipy tolerance (default: pyhf's default)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.workspace
        if path is None:
            path = os.path.join(tmp, "reference.json")
            subprocess.run([find_zptoys(), "fit", "--write-reference", path], check=True, capture_output=True)
        with open(path) as f:
            spec = json.load(f)

    pyhf.set_backend("numpy", pyhf.optimize.scipy_optimizer(tolerance=args.tolerance))
    ws = pyhf.Workspace(spec)
    model = ws.model()
    data = ws.data(model)
    free, fixed = [], []
    nll_free = nll_fixed = None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        _, nll_free = pyhf.infer.mle.fit(data, model, return_fitted_val=True)
        free.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        _, nll_fixed = pyhf.infer.mle.fixed_poi_fit(1.0, data, model, return_fitted_val=True)
        fixed.append(time.perf_counter() - t0)
    print(json.dumps({
        "pyhf_fit_seconds_median": statistics.median(free),
        "pyhf_fixed_poi_fit_seconds_median": statistics.median(fixed),
        "pyhf_fit_seconds": free,
        "pyhf_fixed_poi_fit_seconds": fixed,
        "twice_nll_free": float(nll_free),
        "twice_nll_fixed_poi_1": float(nll_fixed),
        "parameters": len(model.config.par_names),
        "bins": model.config.nmaindata,
        "pyhf_version": pyhf.__version__,
        "optimizer": f"scipy SLSQP, tolerance {args.tolerance}",
    }, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
