#!/usr/bin/env python3
"""Cross-check of the ZPrimeToys inference stage against pyhf 0.7.6 and the formulae (issue 4).

Workspaces: the likelihood cases of validate_likelihood.py (Validation/likelihood/cases.py), the
reference window (rounded background and a seeded toy) and six real search windows from
`zptoys workspace` at 0.3, 2.352 and 8 GeV with Asimov and toy observations.

1. Asymptotic q̃µ hypothesis tests: `zptoys hypotest --json` against
   pyhf.infer.hypotest(test_stat='qtilde', return_expected_set=True, return_tail_probs=True)
   (expected CLs+b from the same calculator's expected_pvalues): CLs, CLs+b, CLb and both
   expected sets within 1e-4 absolute. On the likelihood cases also q (pyhf test_stat='q') and the
   discovery p-value of q0 (test_stat='q0').
2. Two-sided statistics (pyhf has no asymptotic calculator for them): tµ and t̃µ against
   pyhf.infer.test_statistics.tmu / tmu_tilde (1e-6 relative), and their p-values against
   Eq. (35)/(44) of arXiv:1007.1727 evaluated here with pyhf's own t_µ,A on pyhf's Asimov data.
3. Upper limits (90% CL, CLs): on the likelihood cases whose pyhf limit takes seconds, against
   pyhf.infer.intervals.upper_limits.toms748_scan(level=0.1), the search behind upper_limit,
   within 0.1% relative (pyhf's toms748 stops at rtol 1e-4, well inside it; one case also at
   rtol 1e-9, within 1e-5). pyhf 0.7.6's upper_limit itself does not pass `level` on to
   toms748_scan and always returns 95% CL limits: on one case upper_limit(level=0.1) is checked
   to equal our --cl 0.95 limits, which records that behaviour. On the 100-300-parameter windows, where one pyhf hypotest takes 5-30 s on this
   machine, pyhf's CLs at our limit must equal α: |CLs_pyhf(µ_up) − α| / (µ_up |dCLs/dµ|) — the
   relative distance to pyhf's root — within 0.1% (the slope from zptoys at µ_up(1 ± 1e-3)).
   There pyhf's minimiser starts from ZPrimeToys' µ = 0 conditional fit (pyhf's `init_pars`):
   from pyhf's default start SLSQP needs 60-95 s per hypotest; the minimum does not depend on the
   start (validate_likelihood.py checks that pyhf restarted from our best fit finds none lower).
4. Toys: `zptoys hypotest --calculator toys --toy-nuisances profiled` (2×100,000 toys, so its
   own error is negligible) against pyhf's ToyCalculator (calctype='toybased', 2×1,500 toys) on a
   one-bin workspace with a normsys nuisance; both generate toys at the conditional MLE of the
   nuisances on the data with the auxiliary data fluctuated. Tolerance: 4 standard deviations
   of the difference, σ² = p(1−p)/N summed over both (CLs: propagated from CLs+b and CLb); for
   the expected CLs set 4× the spread of that percentile over 40 seeded 1,500-toy runs of zptoys.

It prints a table and exits with status 1 on any disagreement. The pyhf work runs in two
processes. Run it with the Python of a virtual environment holding pyhf 0.7.6
(Validation/requirements.txt); the zptoys binary is $ZPTOYS, else .build/release/zptoys.
"""

import json
import logging
import math
import os
import subprocess
import sys
import tempfile
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import multiprocessing as mp  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import norm  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pyhf  # noqa: E402
from pyhf.infer.intervals.upper_limits import toms748_scan, upper_limit  # noqa: E402

from likelihood.cases import all_cases  # noqa: E402

ABS_TOL = 1e-4          # p-values
LIMIT_RTOL = 1e-3       # limits
TIGHT_LIMIT_RTOL = 1e-5
STAT_RTOL = 1e-6        # test-statistic values
TOY_SIGMAS = 4.0
ALPHA = 0.1

# Likelihood cases whose pyhf upper_limit takes seconds (the others take minutes with SLSQP and
# numerical gradients; they get the root check of item 3 instead).
FAST_LIMIT_CASES = {"normfactor_1bin", "shapesys_2bins", "histosys_3bins", "normsys_staterror_shared_5bins",
                    "lumi_jes_shared_4bins", "shapefactor_sr_cr", "signal_only_bin"}
SEARCH_WINDOWS = [(0.3, "asimov"), (0.3, "toy"), (2.352, "asimov"), (2.352, "toy"), (8.0, "asimov"), (8.0, "toy")]


def find_zptoys():
    if os.environ.get("ZPTOYS"):
        return os.environ["ZPTOYS"]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(root, ".build", "release", "zptoys")


ZPTOYS = find_zptoys()


def zp(*args):
    p = subprocess.run([ZPTOYS, *args, "--json"], capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"zptoys {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
    return json.loads(p.stdout)


def zp_hypotest(path, mu, stat="qtilde", *extra):
    return zp("hypotest", path, f"--poi-value={mu!r}", "--test-stat", stat, *extra)


def zp_limit(path, *extra):
    return zp("limit", path, *extra)


def pyhf_setup():
    pyhf.set_backend("numpy", pyhf.optimize.scipy_optimizer(tolerance=1e-10))
    logging.getLogger("pyhf").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore")
    np.seterr(all="ignore")


def load(path):
    with open(path) as f:
        ws = pyhf.Workspace(json.load(f))
    model = ws.model()
    return model, ws.data(model)


def f(x):
    return float(np.asarray(x).ravel()[0])


def pyhf_hypotest(model, data, mu, stat="qtilde", init=None):
    kw = dict(test_stat=stat, return_tail_probs=True, return_expected_set=True, return_calculator=True)
    if init is not None:
        kw["init_pars"] = list(init)
    r = pyhf.infer.hypotest(mu, data, model, **kw)
    calc = r[-1]
    sb, b = calc.distributions(mu)
    exp_clsb, _, exp_cls = calc.expected_pvalues(sb, b)
    out = {"expected_cls": [f(v) for v in exp_cls], "expected_clsb": [f(v) for v in exp_clsb]}
    if stat == "q0":
        out.update(clsb=f(r[0]), clb=f(r[1][0]))
    else:
        out.update(cls=f(r[0]), clsb=f(r[1][0]), clb=f(r[1][1]))
    return out


class Rows:
    """Rows of the table: (case, check, ours, pyhf, |Δ|, tolerance, ok, message)."""

    def __init__(self, case):
        self.case = case
        self.rows = []

    def add(self, check, ours, theirs, delta, tol, ok, message=""):
        self.rows.append((self.case, check, ours, theirs, delta, tol, bool(ok), message))

    def pvalues(self, check, ours, theirs, keys=("cls", "clsb", "clb", "expected_cls", "expected_clsb")):
        worst, worst_key, ok = 0.0, "", True
        for k in keys:
            if k not in theirs:
                continue
            a, b = ours[k], theirs[k]
            pairs = zip(a, b) if isinstance(a, list) else [(a, b)]
            for x, y in pairs:
                if x is None or not math.isfinite(y):
                    ok = ok and x is None and not math.isfinite(y)
                    continue
                d = abs(x - y)
                if d > worst:
                    worst, worst_key = d, k
        ok = ok and worst <= ABS_TOL
        main = "cls" if "cls" in theirs else "clsb"
        self.add(check, ours[main], theirs[main], worst, ABS_TOL, ok,
                 f"max |Δ| {worst:.2e} in {worst_key}: ours {ours} vs pyhf {theirs}")
        return worst


# ---------------------------------------------------------------------------- asymptotic formulas

def t_cdf(t, m, d, tilde):
    """F(t | µ′) of Eq. (35) (tµ) or Eq. (44) (t̃µ) with m = µ/σ, d = (µ − µ′)/σ."""
    if t <= 0:
        return 0.0
    s = math.sqrt(t)
    if not tilde or t <= m * m:
        return norm.cdf(s + d) + norm.cdf(s - d) - 1
    return norm.cdf(s + d) + norm.cdf((t - (2 * m * d - m * m)) / (2 * m)) - 1


def t_pvalues(t_obs, a, tilde):
    """CLs+b, CLb and the expected CLs+b for µ̂ = −Nσ (N = 2 … −2: Eq. 8 and 43)."""
    clsb = 1 - t_cdf(t_obs, a, 0.0, tilde)
    clb = 1 - t_cdf(t_obs, a, a, tilde)
    exp = []
    for n in (2, 1, 0, -1, -2):
        tn = a * a + 2 * n * a if (tilde and n > 0) else (a + n) ** 2
        exp.append(1 - t_cdf(tn, a, 0.0, tilde))
    return clsb, clb, exp


# ---------------------------------------------------------------------------- tasks

def task_case(name, spec, tmp):
    """Likelihood case: q̃µ/qµ/q0 hypotests, tµ/t̃µ values and p-values, upper limits."""
    pyhf_setup()
    rows = Rows(name)
    path = os.path.join(tmp, name.replace("/", "_") + ".json")
    with open(path, "w") as fh:
        json.dump(spec, fh)
    model, data = load(path)
    t0 = time.perf_counter()
    for mu in (0.5, 2.0):
        try:
            theirs = pyhf_hypotest(model, data, mu)
        except pyhf.exceptions.FailedMinimization:
            rows.add(f"q̃ µ={mu:g}", None, None, None, ABS_TOL, True, "pyhf's fit fails (SLSQP); not compared")
            continue
        rows.pvalues(f"q̃ µ={mu:g}", zp_hypotest(path, mu), theirs)
    base = name.split("/")[0]
    if base in ("normfactor_1bin", "histosys_3bins", "lumi_jes_shared_4bins", "window_12bins"):
        rows.pvalues("q µ=1", zp_hypotest(path, 1.0, "q"), pyhf_hypotest(model, data, 1.0, "q"))
        rows.pvalues("q0 p-value", zp_hypotest(path, 0.0, "q0"), pyhf_hypotest(model, data, 0.0, "q0"),
                     keys=("clsb", "clb", "expected_clsb"))
        check_two_sided(rows, path, model, data)
    if base in FAST_LIMIT_CASES:
        check_limit_pyhf(rows, path, model, data, tight=(name == "normfactor_1bin/bkg"))
    elif base != "shapesys_100bins":
        check_limit_root(rows, path, model, data, curves=("observed", "median"))
    return rows.rows, time.perf_counter() - t0


def check_two_sided(rows, path, model, data):
    init, bounds, fixed = model.config.suggested_init(), model.config.suggested_bounds(), model.config.suggested_fixed()
    asimov = pyhf.infer.calculators.generate_asimov_data(0.0, data, model, init, bounds, fixed)
    for stat, fn, tilde in (("t", pyhf.infer.test_statistics.tmu, False),
                            ("ttilde", pyhf.infer.test_statistics.tmu_tilde, True)):
        for mu in (0.3, 1.5):
            ours = zp_hypotest(path, mu, stat)
            t_obs = f(fn(mu, data, model, init, bounds, fixed))
            t_a = f(fn(mu, asimov, model, init, bounds, fixed))
            d = abs(ours["observed_test_statistic"] - t_obs)
            tol = STAT_RTOL * max(1.0, abs(t_obs))
            rows.add(f"{stat} value µ={mu:g}", ours["observed_test_statistic"], t_obs, d, tol, d <= tol,
                     f"ours {ours['observed_test_statistic']!r} vs pyhf {t_obs!r}")
            clsb, clb, exp = t_pvalues(t_obs, math.sqrt(t_a), tilde)
            rows.pvalues(f"{stat} Eq.35/44 µ={mu:g}", ours, {"clsb": clsb, "clb": clb, "expected_clsb": exp},
                         keys=("clsb", "clb", "expected_clsb"))


def check_limit_pyhf(rows, path, model, data, tight):
    """Our limits against pyhf's toms748_scan at level α (the search behind upper_limit)."""
    ours = zp_limit(path)
    o = [ours["observed"]] + [ours["expected"][k] for k in ("minus2", "minus1", "median", "plus1", "plus2")]
    lo, hi = model.config.suggested_bounds()[model.config.poi_index]
    for label, rtol, tol in (("limit obs+exp", 1e-4, LIMIT_RTOL), ("limit rtol 1e-9", 1e-9, TIGHT_LIMIT_RTOL))[: 2 if tight else 1]:
        try:
            obs, exp = toms748_scan(data, model, lo, hi, level=ALPHA, rtol=rtol, atol=1e-14 if rtol < 1e-4 else 2e-12)
        except Exception as e:  # noqa: BLE001 (pyhf's fits may fail; not our disagreement)
            rows.add(label, o[0], None, None, tol, True, f"pyhf toms748_scan fails ({type(e).__name__}); not compared")
            return
        t = [f(obs)] + [f(v) for v in exp]
        rel = [abs(a - b) / b for a, b in zip(o, t)]
        rows.add(label, o[0], t[0], max(rel), tol, max(rel) <= tol,
                 f"ours {o} vs pyhf toms748_scan(level={ALPHA}, rtol={rtol:g}) {t} (relative {rel})")
    if tight:
        # pyhf 0.7.6's upper_limit(scan=None) does not pass `level` on to toms748_scan: it always
        # returns the 95% CL limits, whatever level it is given.
        obs, exp = upper_limit(data, model, level=ALPHA)
        t = [f(obs)] + [f(v) for v in exp]
        ours95 = zp_limit(path, "--cl", "0.95")
        o95 = [ours95["observed"]] + [ours95["expected"][k] for k in ("minus2", "minus1", "median", "plus1", "plus2")]
        rel = [abs(a - b) / b for a, b in zip(o95, t)]
        rows.add("upper_limit(level=.1)", o95[0], t[0], max(rel), LIMIT_RTOL, max(rel) <= LIMIT_RTOL,
                 f"pyhf upper_limit(level=0.1) {t} should be (pyhf 0.7.6 ignores level) our 95% CL limits {o95}")


def check_limit_root(rows, path, model, data, curves, init=None, limit=None, hypotest_rows=True):
    """pyhf's CLs at our limits equals α to within 0.1% of µ (item 3)."""
    limit = limit or zp_limit(path)
    names = {"observed": None, "minus2": 0, "minus1": 1, "median": 2, "plus1": 3, "plus2": 4}
    done = {}
    for c in curves:
        mu = limit["observed"] if c == "observed" else limit["expected"][c]
        if mu not in done:
            done[mu] = pyhf_hypotest(model, data, mu, init=init)
            if hypotest_rows:
                rows.pvalues(f"q̃ at µ_up({c})", zp_hypotest(path, mu), done[mu])
        theirs = done[mu]
        value = theirs["cls"] if c == "observed" else theirs["expected_cls"][names[c]]
        lo, hi = zp_hypotest(path, mu * (1 - 1e-3)), zp_hypotest(path, mu * (1 + 1e-3))
        pick = (lambda r: r["cls"]) if c == "observed" else (lambda r: r["expected_cls"][names[c]])
        slope = (pick(hi) - pick(lo)) / (2e-3 * mu)
        rel = abs(value - ALPHA) / (mu * abs(slope))
        rows.add(f"limit {c} (root)", mu, value, rel, LIMIT_RTOL, rel <= LIMIT_RTOL,
                 f"pyhf CLs at our {c} limit {mu!r} is {value!r} (α = {ALPHA}); relative distance to pyhf's root {rel:.2e}")


def task_window(label, path, curves):
    """Search/reference window: one pyhf hypotest per limit (item 1 and 3)."""
    pyhf_setup()
    rows = Rows(label)
    t0 = time.perf_counter()
    model, data = load(path)
    fit0 = zp("fit", path, "--fix", f"{model.config.poi_name}=0")
    init = [fit0["bestfit"][n] for n in model.config.par_names]
    check_limit_root(rows, path, model, data, curves, init=init)
    return rows.rows, time.perf_counter() - t0


def task_toys(path, mu, ntoys_pyhf, ntoys_ours):
    """Toy-based CLs against pyhf's ToyCalculator (item 4)."""
    pyhf_setup()
    rows = Rows("toys " + os.path.basename(path).removesuffix(".json"))
    t0 = time.perf_counter()
    model, data = load(path)
    np.random.seed(20240611)
    r = pyhf.infer.hypotest(mu, data, model, test_stat="qtilde", calctype="toybased", ntoys=ntoys_pyhf,
                            return_tail_probs=True, return_expected_set=True, track_progress=False)
    t_pyhf = time.perf_counter() - t0
    theirs = {"cls": f(r[0]), "clsb": f(r[1][0]), "clb": f(r[1][1]), "expected_cls": [f(v) for v in r[2]]}
    ours = zp_hypotest(path, mu, "qtilde", "--calculator", "toys", "--toys", str(ntoys_ours),
                       "--toy-nuisances", "profiled", "--seed", "7")

    def sigma(p, n):
        return p * (1 - p) / n

    s2 = {k: sigma(ours[k], ntoys_ours) + sigma(theirs[k], ntoys_pyhf) for k in ("clsb", "clb")}
    for k in ("clsb", "clb"):
        d, tol = abs(ours[k] - theirs[k]), TOY_SIGMAS * math.sqrt(s2[k])
        rows.add(f"toys {k} µ={mu:g}", ours[k], theirs[k], d, tol, d <= tol,
                 f"ours {ours[k]} ({ntoys_ours} toys) vs pyhf {theirs[k]} ({ntoys_pyhf} toys), tolerance {TOY_SIGMAS}σ = {tol:.3g}")
    rel2 = s2["clsb"] / ours["clsb"] ** 2 + s2["clb"] / ours["clb"] ** 2
    d, tol = abs(ours["cls"] - theirs["cls"]), TOY_SIGMAS * ours["cls"] * math.sqrt(rel2)
    rows.add(f"toys cls µ={mu:g}", ours["cls"], theirs["cls"], d, tol, d <= tol,
             f"ours {ours['cls']} vs pyhf {theirs['cls']}, tolerance {tol:.3g}")
    # Spread of the expected-set percentiles at pyhf's toy count, from seeded zptoys runs.
    runs = np.array([zp_hypotest(path, mu, "qtilde", "--calculator", "toys", "--toys", str(ntoys_pyhf),
                                 "--seed", str(100 + s), "--threads", "1")["expected_cls"] for s in range(40)])
    spread = runs.std(axis=0, ddof=1)
    worst, ok = 0.0, True
    for a, b, s in zip(ours["expected_cls"], theirs["expected_cls"], spread):
        tol = TOY_SIGMAS * s + 1e-9
        worst = max(worst, abs(a - b) / tol)
        ok = ok and abs(a - b) <= tol
    rows.add("toys expected cls", ours["expected_cls"][2], theirs["expected_cls"][2], worst, 1.0, ok,
             f"ours {ours['expected_cls']} vs pyhf {theirs['expected_cls']}; per-entry spread at {ntoys_pyhf} toys "
             f"{[round(float(s), 4) for s in spread]} (Δ shown in units of 4× spread)")
    rows.add("toys pyhf time", None, t_pyhf, None, None, True, "")
    return rows.rows, time.perf_counter() - t0


def run_task(args):
    kind, rest = args[0], args[1:]
    try:
        return {"case": task_case, "window": task_window, "toys": task_toys}[kind](*rest)
    except Exception as e:  # noqa: BLE001 (a crash is a failed check, reported with the rest)
        return [(str(rest[0]), "crash", None, None, None, None, False, f"{type(e).__name__}: {e}")], 0.0


# ---------------------------------------------------------------------------- main

def fmt(v, spec=".8g"):
    if v is None:
        return "-"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(fmt(x, ".4g") for x in v) + "]"
    return format(v, spec)


def main():
    if not os.path.exists(ZPTOYS):
        print(f"zptoys binary not found ({ZPTOYS}); build it (make release) or set ZPTOYS", file=sys.stderr)
        return 2
    start = time.perf_counter()
    print(f"zptoys: {ZPTOYS}; pyhf {pyhf.__version__}, scipy SLSQP tolerance 1e-10, 2 processes")
    with tempfile.TemporaryDirectory() as tmp:
        tasks = []
        # Search windows: the limit and (Asimov data) the median expected one in one hypotest;
        # the 8 GeV Asimov window (64 parameters) also gets the ±1σ, ±2σ expected limits.
        for mass, kind in SEARCH_WINDOWS:
            path = os.path.join(tmp, f"window_{mass:g}_{kind}.json")
            zp("workspace", "--mass", str(mass), "--data", kind, "--seed", "3", "--out", path)
            curves = ["observed"] if kind == "toy" else ["observed", "median"]
            if mass == 8.0 and kind == "asimov":
                curves += ["minus2", "minus1", "plus1", "plus2"]
            tasks.append(("window", f"window {mass:g} GeV {kind}", path, curves))
        for label, seed in (("reference_window/bkg", None), ("reference_window/toy7", 7)):
            path = os.path.join(tmp, label.replace("/", "_") + ".json")
            args = ["fit", "--write-reference", path] + (["--reference-toy-seed", str(seed)] if seed else [])
            zp(*args)
            tasks.append(("window", label, path, ["observed", "median"]))
        toy_path = os.path.join(tmp, "toys_normfactor_1bin.json")
        tasks.append(("toys", toy_path, 2.0, 1500, 100_000))
        cases = all_cases()
        with open(toy_path, "w") as fh:
            json.dump(dict(cases)["normfactor_1bin/bkg"], fh)
        tasks += [("case", name, spec, tmp) for name, spec in cases]
        with mp.get_context("fork").Pool(2) as pool:
            results = pool.map(run_task, tasks, chunksize=1)
    rows = [r for rs, _ in results for r in rs]
    print(f"{'case':36s} {'check':24s} {'ZPrimeToys':>16s} {'pyhf/formula':>16s} {'|Δ|':>9s} {'tol':>9s}  status")
    failures = []
    for case, check, ours, theirs, delta, tol, ok, msg in rows:
        print(f"{case:36s} {check:24s} {fmt(ours):>16s} {fmt(theirs):>16s} {fmt(delta, '.2e'):>9s} {fmt(tol, '.1e'):>9s}  "
              f"{'ok' if ok else 'FAIL'}")
        if not ok:
            failures.append(f"{case} {check}: {msg}")
    kinds = {}
    for case, check, _, _, delta, tol, _, _ in rows:
        if delta is None or tol is None:
            continue
        key = ("toys" if check.startswith("toys") else "limit" if "limit" in check else
               "t value" if check.startswith(("t value", "ttilde value")) else "p-values")
        kinds[key] = max(kinds.get(key, 0.0), delta / tol if key == "toys" else delta)
    elapsed = time.perf_counter() - start
    print()
    print("largest deviations: " + ", ".join(
        f"{k} {v:.2e}" + (" (in units of the tolerance)" if k == "toys" else "") for k, v in sorted(kinds.items())))
    if failures:
        print(f"{len(failures)} disagreement(s) ({elapsed:.0f} s):")
        for msg in failures:
            print("  " + msg)
        return 1
    print(f"all {len(rows)} checks agree ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
