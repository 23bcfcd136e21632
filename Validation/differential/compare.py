"""One differential case: zptoys (the release binary) against pyhf 0.7.6, each difference classified.

For a case (a random workspace from generate.py and its POI values) it compares
- the free fit: `zptoys fit --json` against pyhf's fit;
- the conditional fits: `zptoys fit --fix mu=V --json` against pyhf's fixed_poi_fit at each V;
- asymptotic hypothesis tests: `zptoys hypotest --poi-value V --test-stat S --json` against
  pyhf.infer.hypotest (CLs, CLs+b, CLb, the expected CLs and CLs+b sets).

pyhf's minimiser (scipy SLSQP) sometimes stops early, so "pyhf" below means pyhf with restarts:
every fit pyhf makes — its own and those inside hypotest — is repeated from `RESTARTS` more
starting points (random, seeded by the case) and the lowest −2 ln L kept. Each zptoys minimum is
also evaluated with pyhf's own `logpdf` at zptoys' parameters, which tells a difference in the
likelihood (the models disagree) from a difference in the minimum found. The classes:

  agree                     −2 ln L within NLL_TOL of pyhf-with-restarts (p-values within P_TOL)
  agree, pyhf single-start  as above, but pyhf from its default start alone stopped higher
  zptoys lower              zptoys' minimum is below pyhf-with-restarts, confirmed by pyhf's
                            logpdf at zptoys' parameters (pyhf's minimiser stopped early)
  zptoys above: stalled     pyhf started at zptoys' parameters goes lower: zptoys stopped where
                            the likelihood still falls (a fitter bug)
  zptoys above: local min   pyhf from zptoys' parameters stays: zptoys found a local minimum and
                            pyhf (from another start) a lower one (a fitter bug)
  likelihood mismatch       pyhf's logpdf at zptoys' parameters is not zptoys' −2 ln L
  zptoys error              zptoys exits non-zero where pyhf fits (ours)
  both refuse               zptoys exits non-zero and pyhf fails from every start
  pyhf fails                pyhf fails from every start, zptoys fits (confirmed by logpdf)
  flat minimum              same −2 ln L, parameters apart (a flat direction: a genuinely
                            ambiguous minimum, not counted as a disagreement)
  hypotest: internal fit    the p-values differ while every fit that hypotest makes agrees when
                            made with `zptoys fit`: hypotest's own fits missed the minimum (ours)
  hypotest: fit differs     the p-values differ and one of hypotest's fits differs as above
                            (the class of that fit, e.g. zptoys above on the Asimov data)
  hypotest: pyhf fit above  the p-values differ because one of pyhf's fits (with restarts) stopped
                            above zptoys' (pyhf's)
  hypotest: pyhf NaN        pyhf's CLs is NaN (both tails underflow, or √q_A = 0 and pyhf's q̃
                            formula divides by it); zptoys' CLs is finite
  hypotest: fit precision   the p-values differ, every fit agrees within NLL_TOL, and zptoys'
                            p-values follow from its own fits: near q → 0 a −2 ln L difference
                            below NLL_TOL moves √q, and the p-values, by more than P_TOL

Tolerances (why): NLL_TOL = 1e-3 + 1e-9 |−2 ln L| — SLSQP at tolerance 1e-10 reaches 1e-6
on ordinary cases, but 200 bins of 1e6 events make −2 ln L ~1e8 and its rounding ~1e-8 relative;
1e-3 in −2 ln L is far below anything a limit or a significance can see. P_TOL = 2e-3 on
p-values: a −2 ln L error ε moves √q by ε/(2√q), which near q → 0 is the largest p-value error a
fit precise to NLL_TOL can make.
"""

import json
import logging
import math
import os
import subprocess
import warnings

import numpy as np
import pyhf

NLL_ABS, NLL_REL = 1e-3, 1e-9
P_TOL = 2e-3
RESTARTS = 2
POI = "mu"

ZPTOYS = os.environ.get("ZPTOYS") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), ".build", "release", "zptoys")


def nll_tol(v):
    return NLL_ABS + NLL_REL * abs(v)


def setup():
    pyhf.set_backend("numpy", pyhf.optimize.scipy_optimizer(tolerance=1e-10))
    logging.getLogger("pyhf").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore")
    np.seterr(all="ignore")


# ---------------------------------------------------------------------------- zptoys

def zptoys(*args, timeout=300):
    """(exit status, parsed JSON or None, stderr)."""
    try:
        p = subprocess.run([ZPTOYS, *args, "--json"], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, None, f"timeout after {timeout} s"
    out = None
    if p.returncode == 0:
        try:
            out = json.loads(p.stdout)
        except ValueError:
            return -2, None, "not JSON: " + p.stdout[:200]
    return p.returncode, out, p.stderr.strip()


# ---------------------------------------------------------------------------- pyhf with restarts

_original_fit = pyhf.infer.mle.fit
FD_STEP = 1.4901161193847656e-08  # scipy SLSQP's default `eps`, the absolute finite-difference step


class BatchedSLSQP:
    """pyhf's numpy fit, made faster without changing what it computes.

    pyhf 0.7.6 with the numpy backend minimises twice_nll = −2 logpdf with scipy's SLSQP
    (tolerance 1e-10, maxiter 100000), all parameters in the vector and the fixed ones held by
    equality constraints, and lets scipy take a forward-difference gradient (absolute step
    `FD_STEP`, flipped where it would leave the bounds). This does the same, but evaluates the
    n + 1 points of that gradient in one call of a batched copy of the model
    (`Workspace.model(batch_size=n + 1)`, the same pyhf code) — 3 to 10 times faster on small
    models. pyhf raises FailedMinimization when SLSQP does not report success; so does this.
    """

    def __init__(self, workspace, model):
        self.model = model
        self.n = model.config.npars
        self.batched = workspace.model(batch_size=self.n + 1)

    def twice_nll(self, x, data):
        v = float(-2 * self.model.logpdf(np.asarray(x, dtype=float), data)[0])
        return v if math.isfinite(v) else 1e300

    def gradient(self, x, data, lo, hi):
        h = np.full(self.n, FD_STEP)
        flip = (x + h > hi) & (x - h >= lo)
        h[flip] = -h[flip]
        points = np.tile(x, (self.n + 1, 1))
        points[np.arange(1, self.n + 1), np.arange(self.n)] += h
        dx = points[np.arange(1, self.n + 1), np.arange(self.n)] - x
        f = -2 * np.asarray(self.batched.logpdf(points, data), dtype=float)
        g = (f[1:] - f[0]) / dx
        return np.where(np.isfinite(g), g, 0.0)

    def fit(self, data, init, bounds, fixed):
        import scipy.optimize

        data = np.asarray(data, dtype=float)
        x0 = np.asarray(init, dtype=float).copy()
        lo = np.array([b[0] for b in bounds], dtype=float)
        hi = np.array([b[1] for b in bounds], dtype=float)
        idx = [i for i, f in enumerate(fixed) if f]
        vals = x0[idx].copy()
        cons = [{"type": "eq", "fun": lambda v: v[idx] - vals}] if idx else []
        r = scipy.optimize.minimize(
            lambda x: self.twice_nll(x, data), x0, method="SLSQP",
            jac=lambda x: self.gradient(x, data, lo, hi), bounds=list(zip(lo, hi)), constraints=cons,
            tol=1e-10, options={"maxiter": 100000})
        if not r.success or not math.isfinite(r.fun) or r.fun >= 1e300:
            raise pyhf.exceptions.FailedMinimization(r)
        return [float(v) for v in r.x], float(r.fun)


class Restarts:
    """Replaces pyhf's fit (and so fixed_poi_fit, the test statistics and the Asimov fit) by
    `fit` from the default start plus `n` random starts, keeping the lowest −2 ln L. Records, per
    call, how far the default start alone stayed above the best."""

    def __init__(self, workspace, model, seed, n=RESTARTS):
        self.model, self.n = model, n
        self.slsqp = BatchedSLSQP(workspace, model)
        self.cache = {}
        self.rng = np.random.default_rng([seed, 7])
        self.single_start_excess = []  # per fit: twice_nll(default start) − best (inf: it failed)
        cfg = model.config
        self.width = []
        for name in cfg.par_order:
            ps = cfg.param_set(name)
            w = None
            if ps.constrained:
                try:
                    w = list(ps.width())
                except RuntimeError:
                    w = None
            self.width += w if w is not None else [None] * ps.n_parameters

    def start(self, init, bounds, fixed):
        x = list(init)
        for i, (lo, hi) in enumerate(bounds):
            if fixed[i]:
                continue
            w = self.width[i]
            if w is not None:
                v = init[i] + self.rng.normal(0, 1.5) * w
            else:  # a free factor: log-normal around its start
                v = max(init[i], 1e-3) * math.exp(self.rng.normal(0, 1.0))
            x[i] = float(min(max(v, lo + 1e-6 * (hi - lo)), hi - 1e-6 * (hi - lo)))
        return x

    def fit(self, data, pdf, init_pars=None, par_bounds=None, fixed_params=None, **kwargs):
        init = list(pdf.config.suggested_init() if init_pars is None else init_pars)
        bounds = pdf.config.suggested_bounds() if par_bounds is None else par_bounds
        fixed = pdf.config.suggested_fixed() if fixed_params is None else fixed_params
        want_val = kwargs.pop("return_fitted_val", False)
        # The same fit (data, fixed values, bounds) is made by several checks — the free fit to
        # the data by `fit` and by every hypotest, the µ = 0 fit by `fit --fix` and by the Asimov
        # generation: made once, the answer is the same.
        key = (np.asarray(data, dtype=float).tobytes(), tuple(bool(f) for f in fixed),
               tuple(float(init[i]) for i, f in enumerate(fixed) if f), np.asarray(bounds, dtype=float).tobytes())
        if key in self.cache:
            pars, val, excess = self.cache[key]
            self.single_start_excess.append(excess)
            return (pyhf.tensorlib.astensor(pars), pyhf.tensorlib.astensor(val)) if want_val else pyhf.tensorlib.astensor(pars)
        best, first = None, math.inf
        for k in range(self.n + 1):
            x0 = init if k == 0 else self.start(init, bounds, fixed)
            try:
                pars, val = self.slsqp.fit(data, x0, bounds, fixed)
            except pyhf.exceptions.FailedMinimization:
                continue
            if not math.isfinite(val):
                continue
            if k == 0:
                first = val
            if best is None or val < best[1]:
                best = (pars, val)
        if best is None:
            raise pyhf.exceptions.FailedMinimization(_Failed())
        self.single_start_excess.append(first - best[1])
        self.cache[key] = (best[0], best[1], first - best[1])
        pars = pyhf.tensorlib.astensor(best[0])
        return (pars, pyhf.tensorlib.astensor(best[1])) if want_val else pars

    def __enter__(self):
        pyhf.infer.mle.fit = self.fit
        pyhf.infer.test_statistics.fit = self.fit
        return self

    def __exit__(self, *exc):
        pyhf.infer.mle.fit = _original_fit
        pyhf.infer.test_statistics.fit = _original_fit


class _Failed:
    success = False
    message = "every start failed"
    x = None
    fun = math.nan
    nit = 0


def twice_nll(model, data, pars):
    v = float(-2 * model.logpdf(np.asarray(pars, dtype=float), np.asarray(data, dtype=float))[0])
    return v if math.isfinite(v) else math.inf


def fixed_list(model, fix):
    """Suggested init and fixed flags with {name: value} fixed."""
    init, fixed = list(model.config.suggested_init()), list(model.config.suggested_fixed())
    for name, v in fix.items():
        i = model.config.par_slice(name).start
        init[i], fixed[i] = v, True
    return init, fixed


def pyhf_fit(model, data, restarts, fix):
    """(twice_nll, parameters) of pyhf-with-restarts, or (inf, None) when every start fails."""
    init, fixed = fixed_list(model, fix)
    try:
        pars, val = restarts.fit(data, model, init, model.config.suggested_bounds(), fixed, return_fitted_val=True)
        return float(np.asarray(val).ravel()[0]), [float(v) for v in pars]
    except pyhf.exceptions.FailedMinimization:
        return math.inf, None


def polish(restarts, model, data, pars, fix):
    """pyhf's fit started at `pars`: how far the likelihood still falls from there."""
    _, fixed = fixed_list(model, fix)
    start = list(pars)
    bounds = model.config.suggested_bounds()
    start = [min(max(v, lo), hi) for v, (lo, hi) in zip(start, bounds)]
    try:
        return restarts.slsqp.fit(data, start, bounds, fixed)[1]
    except pyhf.exceptions.FailedMinimization:
        return math.inf


# ---------------------------------------------------------------------------- one fit

def zp_pars(model, out):
    """zptoys' best fit in pyhf's parameter order (the names are pyhf's: X[i] for per-bin sets)."""
    return [out["bestfit"][n] for n in model.config.par_names]


def classify_fit(model, data, restarts, fix, zp_status, zp_out, zp_err):
    """One fit compared: a dict with class, the values and (for disagreements) the evidence."""
    theirs, their_pars = pyhf_fit(model, data, restarts, fix)
    single = restarts.single_start_excess[-1] if their_pars is not None else math.inf
    rec = {"pyhf": _num(theirs), "pyhf_single_start_excess": _num(single)}
    if zp_status != 0 or zp_out is None:
        rec.update(zptoys_error=zp_err[-400:] if zp_status >= 0 else zp_err[:400])
        rec["class"] = crash_or_error(zp_status, zp_err, their_pars is None)
        return rec
    ours = zp_out.get("twice_nll")
    rec.update(zptoys=ours, converged=zp_out.get("converged"))
    if ours is None:
        rec["class"] = "both refuse" if their_pars is None else "zptoys error"
        rec["zptoys_error"] = "twice_nll null (exit 0)"
        return rec
    pars = zp_pars(model, zp_out)
    rec["zptoys_poi"] = pars[model.config.poi_index]
    at_ours = twice_nll(model, data, pars)
    rec["pyhf_at_zptoys"] = _num(at_ours)
    if not abs(at_ours - ours) <= nll_tol(ours):
        rec["class"] = "likelihood mismatch"
        return rec
    if their_pars is None:
        rec["class"] = "pyhf fails"
        return rec
    d = ours - theirs
    rec["delta"] = d
    tol = nll_tol(theirs)
    if d < -tol:
        rec["class"] = "zptoys lower"
    elif d > tol:
        after = polish(restarts, model, data, pars, fix)
        rec["pyhf_from_zptoys"] = _num(after)
        rec["class"] = "zptoys above: stalled" if after < ours - tol else "zptoys above: local min"
    else:
        rec["class"] = "agree, pyhf single-start" if single > tol else "agree"
        spread = max((abs(a - b) / max(1.0, abs(b)) for a, b in zip(pars, their_pars)), default=0.0)
        rec["parameter_spread"] = spread
        if spread > 0.05:
            rec["flat"] = True  # same minimum value, parameters apart: a flat direction
    return rec


def crash_or_error(status, err, pyhf_failed):
    """A crash (a signal, or Swift's runtime trap) is its own class whatever pyhf does."""
    if status < -2 or "Swift runtime failure" in err or "Fatal error" in err:
        return "zptoys crash"
    if status == -1:
        return "zptoys timeout"
    return "both refuse" if pyhf_failed else "zptoys error"


def _num(v):
    return v if v is not None and math.isfinite(v) else None


# ---------------------------------------------------------------------------- hypotest

PVALUE_KEYS = ("cls", "clsb", "clb", "expected_cls", "expected_clsb")


def pyhf_hypotest(model, data, mu, stat):
    """pyhf.infer.hypotest's numbers in zptoys' keys (q0: pyhf returns CLs+b and its set)."""
    r = pyhf.infer.hypotest(mu, data, model, test_stat=stat, return_tail_probs=True, return_expected_set=True,
                            return_calculator=True)
    calc = r[-1]
    sb, b = calc.distributions(mu)
    exp_clsb, _, exp_cls = calc.expected_pvalues(sb, b)
    f = lambda x: float(np.asarray(x).ravel()[0])  # noqa: E731
    out = {"expected_cls": [f(v) for v in exp_cls], "expected_clsb": [f(v) for v in exp_clsb]}
    if stat == "q0":
        out.update(cls=f(r[0]), clsb=f(r[0]), clb=f(r[1][0]), expected_cls=[f(v) for v in r[2]])
    else:
        out.update(cls=f(r[0]), clsb=f(r[1][0]), clb=f(r[1][1]))
    fp = calc.fitted_pars
    fits = {"asimov_pars": fp.asimov_pars, "free_data": fp.free_fit_to_data, "free_asimov": fp.free_fit_to_asimov,
            "cond_data": fp.fixed_poi_fit_to_data, "cond_asimov": fp.fixed_poi_fit_to_asimov}
    asimov = model.expected_data(np.asarray(fp.asimov_pars))  # pyhf's generate_asimov_data
    return out, {k: [float(x) for x in v] for k, v in fits.items()}, asimov


def pvalue_delta(ours, theirs):
    """Largest |Δ| over the p-values both give; None entries (NaN in pyhf) compared separately."""
    worst, nan_only_pyhf = 0.0, False
    for k in PVALUE_KEYS:
        a, b = ours.get(k), theirs.get(k)
        pairs = list(zip(a, b)) if isinstance(a, list) else [(a, b)]
        for x, y in pairs:
            if y is None or not math.isfinite(y):
                nan_only_pyhf = nan_only_pyhf or (x is not None)
                continue
            if x is None:
                return math.inf, False
            worst = max(worst, abs(x - y))
    return worst, nan_only_pyhf


def asimov_workspace(ws, model, asimov):
    """The workspace whose observations and auxiliary data are pyhf's Asimov data set."""
    out = json.loads(json.dumps(ws))
    main = np.asarray(asimov[: model.config.nmaindata])
    for c in model.config.channels:
        sl = model.config.channel_slices[c]
        for o in out["observations"]:
            if o["name"] == c:
                o["data"] = [float(x) for x in main[sl]]
    aux = list(np.asarray(asimov[model.config.nmaindata:]))
    params = out["measurements"][0]["config"]["parameters"]
    pos = 0
    for name in model.config.auxdata_order:
        n = model.config.param_set(name).n_parameters
        values = [float(x) for x in aux[pos: pos + n]]
        pos += n
        cfg = next((p for p in params if p["name"] == name), None)
        if cfg is None:
            cfg = {"name": name}
            params.append(cfg)
        cfg["auxdata"] = values
    return out


def classify_hypotest(case, path, tmp, model, data, restarts, mu, stat):
    status, ours, err = zptoys("hypotest", path, f"--poi-value={mu!r}", "--test-stat", stat)
    rec = {"check": f"hypotest {stat} {POI}={mu:g}"}
    try:
        with restarts:
            theirs, fits, asimov = pyhf_hypotest(model, data, mu, stat)
        single = max(restarts.single_start_excess[-5:], default=0.0)
    except pyhf.exceptions.FailedMinimization:
        theirs = None
    if status != 0 or ours is None:
        rec.update(zptoys_error=err[-400:] if status >= 0 else err[:400])
        rec["class"] = crash_or_error(status, err, theirs is None)
        return rec
    if theirs is None:
        rec["class"] = "pyhf fails"
        return rec
    rec["zptoys"] = {k: ours.get(k) for k in PVALUE_KEYS}
    rec["pyhf"] = {k: (v if not isinstance(v, float) or math.isfinite(v) else None) for k, v in theirs.items()}
    d, nan_only_pyhf = pvalue_delta(ours, theirs)
    rec["delta"] = d if math.isfinite(d) else None
    if theirs.get("cls") is None or not math.isfinite(theirs["cls"]):
        # pyhf has no CLs: both tails underflow, or √q_A = 0 (the POI does not change the Asimov
        # likelihood) and pyhf's q̃ formula divides by it. zptoys' CLs stays finite.
        rec["class"] = "hypotest: pyhf NaN"
        return rec
    if d <= P_TOL:
        rec["class"] = "hypotest: pyhf NaN" if nan_only_pyhf else (
            "agree, pyhf single-start" if single > nll_tol(0) else "agree")
        return rec
    rec["fits"] = attribute(case, tmp, model, data, mu, stat, fits, asimov, restarts)
    ours_bad = [f"{k}: {v['class']}" for k, v in rec["fits"].items() if is_disagreement(v["class"])]
    theirs_bad = [f"{k}: {v['class']}" for k, v in rec["fits"].items() if v["class"] in ("zptoys lower", "pyhf fails")]
    if ours_bad:
        rec["class"] = "hypotest: fit differs"
    elif theirs_bad:
        rec["class"] = "hypotest: pyhf fit above"  # pyhf-with-restarts stopped higher: pyhf's
    elif consistent_with_fits(ours, rec["fits"], mu, stat):
        # zptoys' hypotest is what its own fits give; the fits agree with pyhf within NLL_TOL, but
        # where q → 0 that tolerance moves √q, and the p-values, by more than P_TOL.
        rec["class"] = "hypotest: fit precision"
    else:
        rec["class"] = "hypotest: internal fit"
    rec["fit_classes"] = ours_bad or theirs_bad
    return rec


def consistent_with_fits(ours, fits, mu, stat):
    """Whether zptoys' hypotest p-values follow (within P_TOL) from the −2 ln L of its `fit`
    command's fits by the asymptotic formulas (arXiv:1007.1727 Eq. 53–66, as pyhf)."""
    from scipy.stats import norm

    def q(free, cond):
        f, c = fits[free], fits[cond]
        if f.get("zptoys") is None or c.get("zptoys") is None:
            return None
        muhat = f.get("zptoys_poi")
        value = max(c["zptoys"] - f["zptoys"], 0.0)
        if stat == "q0":
            return 0.0 if muhat is not None and muhat < 0 else value
        return 0.0 if muhat is not None and muhat > mu else value

    labels = list(fits)
    q_obs, q_a = q(labels[0], labels[1]), q(labels[3], labels[4])
    if q_obs is None or q_a is None:
        return False
    sq, a = math.sqrt(q_obs), math.sqrt(q_a)
    x = (q_obs - q_a) / (2 * a) if stat == "qtilde" and sq > a and a > 0 else sq - a
    clsb, clb = norm.cdf(-(x + a)), norm.cdf(-x)
    return abs(clsb - ours["clsb"]) <= P_TOL and abs(clb - ours["clb"]) <= P_TOL


def attribute(case, tmp, model, data, mu, stat, fits, asimov, restarts):
    """The fits behind a hypothesis test, each made with `zptoys fit` and compared."""
    ws = case["workspace"]
    asimov_mu = 1.0 if stat == "q0" else 0.0
    apath = os.path.join(tmp, f"asimov_{case['seed']}.json")
    with open(apath, "w") as fh:
        json.dump(asimov_workspace(ws, model, asimov), fh)
    path = os.path.join(tmp, f"case_{case['seed']}.json")
    out = {}
    for label, p, d, fix in (("free fit to data", path, data, {}),
                             (f"fit to data at {POI}={mu:g}", path, data, {POI: mu}),
                             (f"Asimov fit ({POI}={asimov_mu:g})", path, data, {POI: asimov_mu}),
                             ("free fit to Asimov", apath, asimov, {}),
                             (f"fit to Asimov at {POI}={mu:g}", apath, asimov, {POI: mu})):
        args = ["fit", p] + [a for k, v in fix.items() for a in ("--fix", f"{k}={v!r}")]
        s, o, e = zptoys(*args)
        out[label] = classify_fit(model, d, restarts, fix, s, o, e)
    return out


# ---------------------------------------------------------------------------- one case

def run_case(case, tmp):
    """Every comparison of one case: {"seed", "size", "checks": [...]}; each check has a class."""
    setup()
    seed, ws = case["seed"], case["workspace"]
    path = os.path.join(tmp, f"case_{seed}.json")
    with open(path, "w") as fh:
        json.dump(ws, fh)
    try:
        workspace = pyhf.Workspace(ws)
        model = workspace.model()
        data = workspace.data(model)
    except Exception as e:  # noqa: BLE001 (the generator made something pyhf refuses: a generator bug)
        return {"seed": seed, "checks": [{"check": "pyhf model", "class": "invalid case", "error": str(e)[:300]}]}
    restarts = Restarts(workspace, model, seed, n=RESTARTS if model.config.npars <= 30 else 1)
    rng = np.random.default_rng([seed, 11])
    size = {"channels": len(model.config.channels), "bins": model.config.nmaindata, "parameters": model.config.npars}
    checks = []
    fits = [("fit", {})] + [(f"fit {POI}={v:g}", {POI: v}) for v in case["poi_values"]]
    for label, fix in fits:
        args = ["fit", path] + [a for k, v in fix.items() for a in ("--fix", f"{k}={v!r}")]
        rec = classify_fit(model, data, restarts, fix, *zptoys(*args))
        rec["check"] = label
        checks.append(rec)
    lo = model.config.suggested_bounds()[model.config.poi_index][0]
    tests = [("qtilde", float(rng.choice([v for v in case["poi_values"] if v > 0] or [1.0])))]
    if rng.random() < 0.3:
        tests.append(("q", float(rng.choice(case["poi_values"]))))
    if rng.random() < 0.2 and lo <= 0:
        tests.append(("q0", 0.0))
    for stat, mu in tests:
        checks.append(classify_hypotest(case, path, tmp, model, data, restarts, mu, stat))
    for f in (path, os.path.join(tmp, f"asimov_{seed}.json")):
        if os.path.exists(f):
            os.remove(f)
    return {"seed": seed, "size": size, "checks": checks}


DISAGREEMENTS = ("zptoys crash", "zptoys timeout", "zptoys above", "likelihood mismatch", "zptoys error", "hypotest: internal fit", "hypotest: fit differs")


def is_disagreement(cls):
    """Classes that are a wrong or missing answer from zptoys (the others are pyhf's or agree)."""
    return cls.startswith(DISAGREEMENTS)
