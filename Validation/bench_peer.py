#!/usr/bin/env python3
"""Times the numba peer (Validation/peer/peer.py) on a reference-structure workspace for `zptoys bench`.

Usage: bench_peer.py WORKSPACE.json [--repeats N] [--batch 2000] [--toys 5000]

Prints one JSON object (times in seconds unless the key says otherwise; lists are repetitions):
- fit_free_us / fit_conditional_us: {"1": [...], "2": [...]}: microseconds per fit of a batch of
  --batch b-only toys, all parameters free / mu fixed at 1, on 1 and 2 numba threads;
- generate_us_per_toy: {"tables": [...], "random": [...]}: one thread, Poisson + two Gaussians per
  bin, by the peer's tables / by numba's np.random;
- hypotest_seconds: the 2 x --toys q~mu hypothesis test at mu = 1 on one thread, generation
  included (observed fits, generation points, toys, two fits per toy, p-values);
- hypotest: its CLs, CLs+b, CLb and failed fits; iterations: mean Newton iterations per free fit.
With numba missing it prints {"unavailable": "..."} and exits 0, so the bench can say so.
"""

import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peer"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--toys", type=int, default=5000)
    args = parser.parse_args()
    try:
        import numba
        import numpy as np
        import peer
    except ImportError as error:
        print(json.dumps({"unavailable": f"cannot import the peer: {error}"}))
        return 0
    with open(args.workspace) as f:
        model = peer.ReferenceModel(f.read())
    p = peer.Peer(model)
    out = {"numba": numba.__version__, "fit_free_us": {}, "fit_conditional_us": {}}

    # Warm-up: compile everything once (numba caches to __pycache__ as well).
    peer.set_threads(1)
    p.hypotest(1.0, 64)
    p.toys(0.0, 64, 1, tables=False)
    n, a_s, a_b = p.toys(0.0, args.batch, 7)
    for threads in (1, 2):
        peer.set_threads(threads)
        for key, fixed in (("fit_free_us", math.nan), ("fit_conditional_us", 1.0)):
            p.fit(n, a_s, a_b, fixed_mu=fixed)
            samples = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                f = p.fit(n, a_s, a_b, fixed_mu=fixed)
                samples.append((time.perf_counter() - t0) / args.batch * 1e6)
            out[key][str(threads)] = samples
            if key == "fit_free_us":
                out["iterations"] = float(f["iterations"].mean())
    peer.set_threads(1)
    nu, gs, gb = p.generation_point(0.0)
    cdf, guide = peer.poisson_tables(nu)
    count = 20000
    out["generate_us_per_toy"] = {"tables": [], "random": []}
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        peer.generate_tables(cdf, guide, gs, gb, model.sig_s, model.sig_b, count, 3)
        out["generate_us_per_toy"]["tables"].append((time.perf_counter() - t0) / count * 1e6)
        t0 = time.perf_counter()
        peer.generate_random(nu, gs, gb, model.sig_s, model.sig_b, count, 3)
        out["generate_us_per_toy"]["random"].append((time.perf_counter() - t0) / count * 1e6)
    out["hypotest_seconds"] = []
    for r in range(args.repeats):
        t0 = time.perf_counter()
        result = p.hypotest(1.0, args.toys, seed_value=r + 1)
        out["hypotest_seconds"].append(time.perf_counter() - t0)
    out["hypotest"] = result
    out["toys_per_hypothesis"] = args.toys
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
