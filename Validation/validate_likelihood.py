#!/usr/bin/env python3
"""Cross-check of the ZPrimeToys likelihood and fitter against pyhf (issue 3).

For a set of workspaces (Validation/likelihood/cases.py: every modifier type, one and several
channels, 1 to 100 bins, empty bins, a bin without background, signal absent and present in the
observations, parameters fixed and re-bounded by the measurement), the reference search
window (100 bins, 202 parameters; rounded background and a seeded toy) and the real search windows
of the default configuration written by `zptoys workspace` (low, middle and high mass: 100, 100
and 20 bins with up to 304 parameters — signal with lumi, normsys and a staterror, µµ(γ) with two
staterrors on one sample, the other backgrounds sharing one of them; Asimov and toy observations),
this script

1. compares `zptoys fit W.json --eval NAME=V,...` with pyhf's `model.logpdf` and
   `model.expected_data` at the initial parameters and at random points (code-4/4p
   interpolation beyond ±1 included): −2 ln L and every expected datum within 1e-9 relative;
   it also checks the parameter names and their order (pyhf `par_names`);
2. fits free and with the POI fixed (at two values, three for the search windows) with
   `zptoys fit --json` and with pyhf
   (`pyhf.infer.mle.fit` / `fixed_poi_fit`, scipy SLSQP with tolerance 1e-10), and requires
   - ZPrimeToys' minimum of −2 ln L to be lower than or equal to pyhf's within 1e-6 relative;
   - pyhf, restarted from ZPrimeToys' best fit, not to find a lower minimum (same tolerance);
   - every best-fit parameter to agree within max(1e-4, 1.5·√Δ)·σ, σ = ZPrimeToys'
     uncertainty and Δ = pyhf's −2 ln L minus ours (≥ 0): a point whose −2 ln L is Δ above the
     minimum can be at most √Δ standard deviations away in any parameter;
3. compares the uncertainties of the free fit with √diag(2H⁻¹) from a finite-difference
   Hessian of pyhf's twice_nll at the same point (models with at most 40 free parameters),
   within 1e-3 relative.

It prints a table and exits with status 1 on any disagreement. Run it with the Python of a
virtual environment holding pyhf 0.7.6 (Validation/requirements.txt); the zptoys binary is
$ZPTOYS, else `zptoys` on PATH, else .build/release/zptoys.
"""

import json
import math
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pyhf  # noqa: E402

from likelihood.cases import all_cases  # noqa: E402
from likelihood.runner import (  # noqa: E402
    ZPToys, find_zptoys, numerical_uncertainties, pyhf_fit, pyhf_setup, pyhf_twice_nll)

EVAL_RTOL = 1e-9
NLL_RTOL = 1e-6
PULL_TOL = 1e-4
UNC_RTOL = 1e-3
# Real search windows (`zptoys workspace --mass M`): low, middle and high mass; the POI (a cross
# section in fb) fixed at 0, near the expected limit and well above it.
WINDOW_MASSES = (0.3, 2.352, 8.0)
WINDOW_POI_VALUES = (0.0, 1.0, 4.0)


def close(a, b, rtol, atol=1e-12):
    if a is None or b is None:
        return (a is None or not math.isfinite(a)) and (b is None or not math.isfinite(b))
    if not (math.isfinite(a) and math.isfinite(b)):
        return a == b or (math.isnan(a) and math.isnan(b))
    return abs(a - b) <= rtol * max(abs(a), abs(b)) + atol


class Report:
    def __init__(self):
        self.rows = []
        self.failures = []

    def row(self, case, what, ours, theirs, delta, detail, ok, message=""):
        self.rows.append((case, what, ours, theirs, delta, detail, "ok" if ok else "FAIL"))
        if not ok:
            self.failures.append(f"{case} {what}: {message}")
        line = f"{case:40s} {what:14s} {fmt(ours):>20s} {fmt(theirs):>20s} {fmt(delta, '.2e'):>10s} {detail:>24s}  {'ok' if ok else 'FAIL'}"
        print(line, flush=True)


def fmt(v, spec=".12g"):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    return format(v, spec)


def random_points(model, rng, count):
    init = np.asarray(model.config.suggested_init(), dtype=float)
    bounds = model.config.suggested_bounds()
    fixed = model.config.suggested_fixed()
    points = [init]
    for _ in range(count):
        p = init.copy()
        for i, (lo, hi) in enumerate(bounds):
            if fixed[i]:
                continue
            width = 1.5 if init[i] == 0 else 0.25
            p[i] = float(np.clip(init[i] + width * rng.standard_normal(), lo, hi))
        points.append(p)
    return points


def check_eval(report, zp, case, path, model, data, rng):
    names = model.config.par_names
    first = zp.evaluate(path, {})
    ok = first["parameter_order"] == names
    report.row(case, "par_order", f"{len(first['parameter_order'])} pars", f"{len(names)} pars", None,
               "same names+order" if ok else "DIFFERENT", ok,
               f"parameter order differs: {first['parameter_order'][:8]} vs {names[:8]}")
    worst_nll, worst_exp, all_ok = 0.0, 0.0, True
    for pars in random_points(model, rng, 3):
        ours = zp.evaluate(path, dict(zip(names, (float(v) for v in pars))))
        theirs_nll = float(-2 * model.logpdf(pars, data)[0])
        theirs_exp = [float(v) for v in model.expected_data(pars)]
        nll_ok = close(ours["twice_nll"], theirs_nll, EVAL_RTOL)
        exp_ok = len(ours["expected_data"]) == len(theirs_exp) and all(
            close(a, b, EVAL_RTOL) for a, b in zip(ours["expected_data"], theirs_exp))
        if ours["twice_nll"] is not None and math.isfinite(theirs_nll):
            worst_nll = max(worst_nll, abs(ours["twice_nll"] - theirs_nll) / max(1.0, abs(theirs_nll)))
        for a, b in zip(ours["expected_data"], theirs_exp):
            if a is not None and math.isfinite(b):
                worst_exp = max(worst_exp, abs(a - b) / max(abs(b), 1e-300))
        if not (nll_ok and exp_ok):
            all_ok = False
            report.row(case, "logpdf", ours["twice_nll"], theirs_nll, None, "", False,
                       f"at {list(pars)[:6]}...: twice_nll {ours['twice_nll']} vs {theirs_nll}, expected data equal: {exp_ok}")
    report.row(case, "logpdf x4", None, None, worst_nll, f"exp.data rel {worst_exp:.1e}", all_ok, "")


def check_fits(report, zp, case, path, model, data, poi_values, uncertainty_check):
    names = model.config.par_names
    poi = model.config.poi_name
    fixed_default = model.config.suggested_fixed()
    results = {}
    for poi_value in [None, *poi_values]:
        label = "free" if poi_value is None else f"{poi}={poi_value:g}"
        try:
            ours = zp.fit(path, None if poi_value is None else {poi: poi_value})
        except RuntimeError as e:
            # zptoys refuses a likelihood that cannot be evaluated (naming the bin); pyhf must
            # find it infinite too.
            if "cannot be evaluated" not in str(e):
                raise
            try:
                theirs_nll = pyhf_fit(model, data, poi_value)[0]
            except pyhf.exceptions.FailedMinimization:
                theirs_nll = math.inf
            report.row(case, label, None, theirs_nll, None, "L = 0 everywhere", not math.isfinite(theirs_nll),
                       f"zptoys: {str(e)[-160:]}; pyhf {theirs_nll}")
            continue
        ours_nll = ours["twice_nll"]
        ours_pars = [ours["bestfit"][n] for n in names]
        ours_unc = [ours["uncertainties"][n] for n in names]
        t0 = time.perf_counter()
        try:
            theirs_nll, theirs_pars = pyhf_fit(model, data, poi_value)
        except pyhf.exceptions.FailedMinimization:
            theirs_nll, theirs_pars = math.inf, None
        t_pyhf = time.perf_counter() - t0
        if ours_nll is None or not math.isfinite(theirs_nll):
            # An empty expectation with observed events (e.g. a signal-only bin at mu = 0):
            # the likelihood is zero everywhere; both must say so.
            direct = pyhf_twice_nll(model, data, ours_pars)
            ok = ours_nll is None and not ours["converged"] and not math.isfinite(theirs_nll) and not math.isfinite(direct)
            report.row(case, label, ours_nll, theirs_nll, None, "L = 0 everywhere", ok,
                       f"ours {ours_nll} (converged {ours['converged']}), pyhf {theirs_nll}, pyhf at ours {direct}")
            continue
        polish_nll, _ = pyhf_fit(model, data, poi_value, init_pars=ours_pars)
        tol = NLL_RTOL * max(1.0, abs(theirs_nll))
        delta = ours_nll - theirs_nll
        nll_ok = ours["converged"] and delta <= tol
        polish_ok = polish_nll >= ours_nll - tol
        excess = max(0.0, theirs_nll - ours_nll)
        allowed = max(PULL_TOL, 1.5 * math.sqrt(excess))
        worst, worst_name = 0.0, ""
        pars_ok = True
        for i, n in enumerate(names):
            d = abs(ours_pars[i] - theirs_pars[i])
            is_fixed = fixed_default[i] or (poi_value is not None and n == poi)
            if is_fixed:
                if d > 1e-12:
                    pars_ok = False
                    worst, worst_name = math.inf, n
                continue
            sigma = ours_unc[i]
            if sigma is None or not (sigma > 0):
                continue
            pull = d / sigma
            if pull > worst:
                worst, worst_name = pull, n
            if pull > allowed:
                pars_ok = False
        ok = nll_ok and polish_ok and pars_ok
        msg = (f"ours {ours_nll!r} (converged {ours['converged']}) vs pyhf {theirs_nll!r}; pyhf from ours {polish_nll!r}; "
               f"worst |Δθ|/σ {worst:.3g} ({worst_name}, allowed {allowed:.3g})")
        report.row(case, label, ours_nll, theirs_nll, delta,
                   f"|Δθ|/σ≤{worst:.1e} pyhf {t_pyhf:.2f}s", ok, msg)
        results[label] = (ours_nll, theirs_nll)
        if poi_value is None and uncertainty_check:
            free = [not f for f in fixed_default]
            if sum(free) <= 40:
                scale = [u if (u is not None and u > 0) else 1.0 for u in ours_unc]
                numeric = numerical_uncertainties(model, data, ours_pars, free, scale)
                worst_u, unc_ok = 0.0, True
                for i in range(len(names)):
                    if not free[i]:
                        continue
                    a, b = ours_unc[i], numeric[i]
                    if a is None or not math.isfinite(b):
                        unc_ok = unc_ok and (a is None) == (not math.isfinite(b))
                        continue
                    rel = abs(a - b) / b
                    worst_u = max(worst_u, rel)
                    unc_ok = unc_ok and rel <= UNC_RTOL
                report.row(case, "uncertainty", None, None, worst_u, "vs numerical Hessian", unc_ok,
                           f"uncertainties differ by up to {worst_u:.2e} relative")
    # test statistics from the fits, for the record (pyhf's own minima may be slightly worse)
    if "free" in results:
        for label, (o, t) in results.items():
            if label == "free":
                continue
            q_ours = o - results["free"][0]
            q_pyhf = t - results["free"][1]
            report.row(case, f"q({label})", q_ours, q_pyhf, q_ours - q_pyhf, "test statistic", True)


def main():
    pyhf_setup()
    zp = ZPToys(find_zptoys())
    if not os.path.exists(zp.binary):
        print(f"zptoys binary not found ({zp.binary}); build it (make release) or set ZPTOYS", file=sys.stderr)
        return 2
    report = Report()
    rng = np.random.default_rng(12345)
    start = time.perf_counter()
    print(f"zptoys: {zp.binary}; pyhf {pyhf.__version__}, scipy SLSQP tolerance 1e-10")
    print(f"{'case':40s} {'check':14s} {'ZPrimeToys':>20s} {'pyhf':>20s} {'Δ':>10s} {'detail':>24s}  status")
    with tempfile.TemporaryDirectory() as tmp:
        cases = all_cases()
        for k, (name, spec) in enumerate(cases):
            path = os.path.join(tmp, f"case{k}.json")
            with open(path, "w") as f:
                json.dump(spec, f)
            ws = pyhf.Workspace(spec)
            model = ws.model()
            data = ws.data(model)
            check_eval(report, zp, name, path, model, data, rng)
            check_fits(report, zp, name, path, model, data, [0.0, 2.0], uncertainty_check=True)
        for label, seed in (("reference_window/bkg", None), ("reference_window/toy7", 7)):
            path = os.path.join(tmp, f"{label.replace('/', '_')}.json")
            zp.write_reference(path, toy_seed=seed)
            with open(path) as f:
                ws = pyhf.Workspace(json.load(f))
            model = ws.model()
            data = ws.data(model)
            check_eval(report, zp, label, path, model, data, rng)
            check_fits(report, zp, label, path, model, data, [1.0], uncertainty_check=False)
        for mass in WINDOW_MASSES:
            for kind in ("asimov", "toy"):
                label = f"search_window_m{mass:g}/{kind}"
                path = os.path.join(tmp, f"window_{mass:g}_{kind}.json")
                zp.write_window(path, mass, kind)
                with open(path) as f:
                    ws = pyhf.Workspace(json.load(f))
                model = ws.model()
                data = ws.data(model)
                check_eval(report, zp, label, path, model, data, rng)
                check_fits(report, zp, label, path, model, data, WINDOW_POI_VALUES, uncertainty_check=False)
    elapsed = time.perf_counter() - start
    print()
    if report.failures:
        print(f"{len(report.failures)} disagreement(s) ({elapsed:.0f} s):")
        for f in report.failures:
            print("  " + f)
        return 1
    print(f"all {len(report.rows)} checks agree with pyhf ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
