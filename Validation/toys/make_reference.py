#!/usr/bin/env python3
"""Regenerates Validation/toys/reference.json: pyhf's own toy-based q̃µ hypothesis tests on three
real search windows (issue 12 item 5; checked by Validation/validate_toys.py).

For each window (`zptoys workspace --mass M --data toy --seed 3`, stored beside this script as
window_M.json with its SHA-256 and generating command) and three µ values (σ in fb, chosen around
the expected limit so that CLs+b spans about 0.02-0.5), it runs

    numpy.random.seed(SEED)
    pyhf.infer.hypotest(mu, data, model, test_stat="qtilde", calctype="toybased", ntoys=N,
                        return_tail_probs=True, init_pars=P0)

and stores CLs+b, CLb, CLs, N, the observed q̃µ and the versions used.

How pyhf is run, and why:
- pyhf's ToyCalculator generates the s+b toys at the nuisances' conditional MLE on the data at µ
  and the b-only toys at their conditional MLE at µ = 0 (`fixed_poi_fit`, auxiliary data
  fluctuated by `pdf.sample`), then fits every toy twice (q̃µ). With the numpy backend and SLSQP
  (numerical gradients, an O(n³) step on 304 parameters) one toy of a 100-bin window takes ~12 s
  on this machine: 9 points × 2N toys is days. So the fits use pyhf's jax backend (exact
  gradients) and scipy's L-BFGS-B (bounds; fixed parameters as equal bounds) instead of SLSQP.
  The toys themselves do not depend on this: pyhf samples them with scipy.stats (numpy's global
  random state, seeded here) before any toy is fitted. To show that the minimiser does not change
  the test statistic, q̃µ of the first CHECK toys of each point (half s+b, half b-only) is
  recomputed with pyhf's default method, SLSQP (jax gradients, tolerance 1e-12; ~15 s a toy),
  and the largest difference is stored (`slsqp_check`). A first version without the finite wall
  below failed that check by up to 10 in q̃µ: L-BFGS-B stopped at its start point in many fits.
- init_pars P0 is the conditional fit at µ = 0 on the data (`zptoys fit --fix sigma_fb=0`), a
  starting point only (pyhf's `init_pars`); every fit of the calculator starts there.

Needs pyhf 0.7.6 with jax: `pip install "pyhf[jax]==0.7.6" "numpy<2" "scipy<1.13" jax==0.4.23
jaxlib==0.4.23` (the project's Validation/.venv has no jax; validate_toys.py does not need it).
Usage: make_reference.py [--ntoys N] [--check K] [--processes P] [--only INDEX …]
Time: the stored file (300 toys, 4 SLSQP refits per point) took 766 s with 2 processes on the
2-core machine shared at load average ~10: 26-94 s per point for its 2×300 toys plus ~15 s per
SLSQP refit. With the numpy backend and SLSQP it would be ~12 s per toy, about 12 hours.
The zptoys binary is $ZPTOYS, else .build/release/zptoys.
"""

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import platform
import subprocess
import sys
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=1")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REFERENCE = os.path.join(HERE, "reference.json")
WORKSPACE_SEED = 3
TOY_SEED = 20261203
# (mass GeV, µ values in fb): CLs+b from about 0.3 down to about 0.03 (asymptotic values on
# these data; the toys differ most at 2.352 GeV, a window with ~20 events in 100 bins).
POINTS = [(0.5, (0.05, 0.2, 0.5)), (2.352, (0.3, 0.8, 1.4)), (8.0, (10.0, 20.0, 30.0))]


def zptoys():
    return os.environ.get("ZPTOYS") or os.path.join(ROOT, ".build", "release", "zptoys")


def workspace_command(mass):
    return ["zptoys", "workspace", "--mass", repr(mass), "--data", "toy", "--seed", str(WORKSPACE_SEED),
            "--out", window_file(mass)]


def window_file(mass):
    return f"window_{mass:g}.json"


def sha256(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def write_windows():
    out = {}
    for mass, _ in POINTS:
        cmd = workspace_command(mass)
        p = subprocess.run([zptoys(), *cmd[1:]], cwd=HERE, capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            sys.exit(f"make_reference: {' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
        out[mass] = {"file": window_file(mass), "sha256": sha256(os.path.join(HERE, window_file(mass))),
                     "command": " ".join(cmd), "note": p.stderr.strip().splitlines()[-1]}
    return out


def init_pars(path, names, poi):
    p = subprocess.run([zptoys(), "fit", path, "--fix", f"{poi}=0", "--json"], capture_output=True, text=True,
                       timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"zptoys fit {path} failed: {p.stderr.strip()}")
    best = json.loads(p.stdout)["bestfit"]
    return [float(best[n]) for n in names]


def lbfgsb_optimizer():
    import numpy as np
    import scipy.optimize
    from pyhf.optimize.opt_scipy import scipy_optimizer

    class LBFGSB(scipy_optimizer):
        """pyhf's scipy optimiser with L-BFGS-B: fixed parameters become equal bounds."""

        def _minimize(self, minimizer, func, x0, do_grad=False, bounds=None, fixed_vals=None, options={}):
            bounds = [list(b) for b in bounds]
            x0 = np.array(x0, dtype=float)
            for i, v in fixed_vals or []:
                x0[i], bounds[i] = v, [v, v]
            origin = x0.copy()

            def guarded(x):
                # −2 ln L is +inf where a bound zeroes a rate with observed events (e.g. the
                # background normalisation at 0): L-BFGS-B's first Cauchy step, of unit metric,
                # often lands there and its line search then gives up at the start point. A finite
                # wall rising towards the point makes it backtrack instead; it never changes a
                # finite value, so the minimum is untouched.
                f, g = func(x)
                f = float(f)
                if np.isfinite(f):
                    return f, np.asarray(g, dtype=float)
                d = np.asarray(x, dtype=float) - origin
                return 1e10 * (1 + d @ d), 2e10 * d

            r = scipy.optimize.minimize(guarded, x0, method="L-BFGS-B", jac=do_grad, bounds=bounds,
                                        options=dict(maxiter=100000, ftol=1e-13, gtol=1e-6, maxls=50))
            # At the minimum the line search can fail on rounding (−2 ln L ~ 1e3, its change below
            # 1e-13 relative) with the gradient already ~1e-5: that is converged, as pyhf's SLSQP
            # would say (its default tolerance stops much earlier).
            if not r.success and r.status == 2 and np.max(np.abs(projected_gradient(r, bounds))) < 1e-3:
                r.success = True
            return r

    def projected_gradient(r, bounds):
        g = np.array(r.jac, dtype=float)
        for i, (lo, hi) in enumerate(bounds):
            if (r.x[i] <= lo and g[i] > 0) or (r.x[i] >= hi and g[i] < 0):
                g[i] = 0.0
        return g

    return LBFGSB()


def run_point(args):
    """One (mass, µ): pyhf's toy hypotest (jax, L-BFGS-B) and the SLSQP check of CHECK toys."""
    mass, mu, index, ntoys, check = args
    warnings.filterwarnings("ignore")
    import numpy as np
    import pyhf
    from pyhf.infer import calculators, test_statistics

    path = os.path.join(HERE, window_file(mass))
    with open(path) as fh:
        ws = pyhf.Workspace(json.load(fh))
    model = ws.model()
    data = ws.data(model)
    p0 = init_pars(path, model.config.par_names, model.config.poi_name)
    pyhf.set_backend("jax", lbfgsb_optimizer())
    recorded = []
    original = calculators.utils.get_test_stat

    def recording(name):
        fn = original(name)

        def wrapped(mu_, sample, *rest, **kw):
            q = fn(mu_, sample, *rest, **kw)
            recorded.append((np.asarray(sample, dtype=float), float(np.asarray(q).ravel()[0])))
            return q
        return wrapped

    calculators.utils.get_test_stat = recording
    np.random.seed(TOY_SEED + index)
    t0 = time.perf_counter()
    try:
        cls, (clsb, clb) = pyhf.infer.hypotest(mu, data, model, test_stat="qtilde", calctype="toybased",
                                               ntoys=ntoys, return_tail_probs=True, init_pars=p0,
                                               track_progress=False)
    finally:
        calculators.utils.get_test_stat = original
    seconds = time.perf_counter() - t0
    # recorded: the observed data (ToyCalculator.teststatistic), then ntoys s+b toys, then ntoys
    # b-only toys (ToyCalculator.distributions' order).
    assert len(recorded) == 2 * ntoys + 1, len(recorded)
    q_obs = recorded.pop(0)[1]
    picks = list(range(check // 2)) + list(range(ntoys, ntoys + check - check // 2))
    pyhf.set_backend("jax", pyhf.optimize.scipy_optimizer(tolerance=1e-12))
    worst = 0.0
    for k in picks:
        sample, q = recorded[k]
        q_slsqp = float(np.asarray(test_statistics.qmu_tilde(mu, sample, model, p0, model.config.suggested_bounds(),
                                                             model.config.suggested_fixed())))
        worst = max(worst, abs(q_slsqp - q))
    return {"mass": mass, "mu": mu, "ntoys": ntoys, "seed": TOY_SEED + index,
            "clsb": float(clsb), "clb": float(clb), "cls": float(cls), "q_obs": q_obs,
            "seconds": round(seconds, 1), "slsqp_check": {"toys": len(picks), "max_abs_dq": worst}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ntoys", type=int, default=300, help="toys per hypothesis (each of s+b and b-only)")
    ap.add_argument("--check", type=int, default=4, help="toys per point refitted with SLSQP (jax gradients, tolerance 1e-12)")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--only", type=int, nargs="*", help="point indices 0-8 (the others are kept from the file)")
    ap.add_argument("--out", default=REFERENCE)
    a = ap.parse_args()
    import pyhf
    import jax
    import scipy
    import numpy

    t0 = time.perf_counter()
    windows = write_windows()
    points = [(m, mu) for m, mus in POINTS for mu in mus]
    todo = [i for i in range(len(points)) if a.only is None or i in a.only]
    tasks = [(points[i][0], points[i][1], i, a.ntoys, a.check) for i in todo]
    results = {}
    with mp.get_context("spawn").Pool(a.processes) as pool:
        for i, r in zip(todo, pool.imap(run_point, tasks, chunksize=1)):
            results[i] = r
            print(f"point {i}: {r}", flush=True)
    old = {}
    if a.only is not None and os.path.exists(a.out):
        with open(a.out) as fh:
            old = {i: p for i, p in enumerate(json.load(fh)["points"])}
    out = {
        "description": "pyhf toy-based q̃µ hypothesis tests (calctype='toybased') on three search windows; "
                       "regenerate with Validation/toys/make_reference.py, checked by Validation/validate_toys.py",
        "pyhf": pyhf.__version__, "backend": f"jax {jax.__version__}, scipy {scipy.__version__} L-BFGS-B",
        "numpy": numpy.__version__, "python": platform.python_version(),
        "test_stat": "qtilde", "toy_seed_base": TOY_SEED,
        "windows": {f"{m:g}": w for m, w in windows.items()},
        "points": [results.get(i, old.get(i)) for i in range(len(points))],
        "wall_seconds": round(time.perf_counter() - t0, 1),
        "processes": a.processes,
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        "timing_note": f"{time.perf_counter() - t0:.0f} s wall for the points run, {a.processes} processes on "
                       f"{os.cpu_count()} cores; the pyhf default (numpy backend, SLSQP with numerical "
                       "gradients) takes ~12 s per toy on a 304-parameter window here",
    }
    with open(a.out + ".tmp", "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    os.replace(a.out + ".tmp", a.out)
    print(f"wrote {a.out} in {out['wall_seconds']} s")
    for p in out["points"]:
        if p:
            print(p)


if __name__ == "__main__":
    main()
