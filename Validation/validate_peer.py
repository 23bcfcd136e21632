#!/usr/bin/env python3
"""The numba peer (Validation/peer/peer.py) is exact: its fits agree with zptoys and pyhf.

On the reference window (`zptoys fit --write-reference`) the peer generates 24 toys with its own
generator (Poisson main data, two Gaussian auxiliary data per bin; 12 b-only, 12 at mu = 1) and
fits them, free and with mu fixed at 1 and at 0.5. For each toy and fit:

1. zptoys fits the same toy — a workspace with the toy's main data as observations and its
   auxiliary data as the staterror parameters' `auxdata` in the measurement — and the peer's
   twice_nll must agree with zptoys' within 1e-8 relative; every best-fit parameter (mu,
   background_norm and the 200 gammas) within 1e-8 relative (absolute below 1) or within
   2e-6 of zptoys' uncertainty on it, the precision to which zptoys' stopping rule fixes its
   best fit (Newton decrement g^T H^-1 g < 1e-12 puts it within ~1.5e-6 sigma of the minimum in
   every parameter; the peer's Newton stops on steps below 1e-11, quadratically converged);
2. pyhf evaluates -2 ln L at the peer's best-fit point on the same data (main + auxiliary, pyhf's
   auxdata order) and it must equal the peer's twice_nll within 1e-10 relative: the peer's
   likelihood is pyhf's, constants included;
3. the peer's best fit is at least as good a minimum as zptoys': pyhf's -2 ln L at the peer's
   point is not above its value at zptoys' point by more than 1e-12 relative.

The same for two real search windows (`zptoys workspace --mass 0.3` and `2.352`: three gammas per
bin, four globals; 16 toys each, free and with the POI fixed at 1). Finally the toy-based q~mu
hypothesis test at mu = 1 on the reference window, 5,000 toys per hypothesis by each (different
random numbers): the observed q~mu must agree within 1e-8, CLs+b and CLb within 5 standard deviations of the difference of two
independent binomial proportions, sqrt(2 p (1 - p) / 5000) (about 0.05 at p = 0.5): a check of
the generation points, the test statistic and the p-value conventions, not of the fits.

It exits with status 1 on any disagreement; with numba missing it says how to install it and
exits 1 (`make validate` installs it from Validation/requirements.txt).
"""

import json
import math
import os
import sys
import tempfile

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "peer"))

try:
    import peer  # noqa: E402
except ImportError as error:  # numba missing
    print(f"validate_peer: cannot import the peer ({error}); install Validation/requirements.txt (make validate does)")
    sys.exit(1)
import pyhf  # noqa: E402

from likelihood.runner import ZPToys, find_zptoys  # noqa: E402

NLL_RTOL = 1e-8
PAR_TOL = 1e-8
SIGMA_TOL = 2e-6
PYHF_RTOL = 1e-10
MIN_RTOL = 1e-12
# Real search windows (`zptoys workspace --mass M`): low mass (photon veto 34%) and the paper's
# largest excess.
SEARCH_MASSES = (0.3, 2.352)


def rel(a, b):
    return abs(a - b) / max(1.0, abs(a), abs(b))


class Toys:
    """Toys of one window in the form every check needs: main data [bins, toys], auxiliary data
    {parameter name: [entries, toys]}, and the peer's fits as {parameter name: [entries, toys]}."""

    def __init__(self, main, aux):
        self.main, self.aux = main, aux
        self.count = main.shape[1]


class ReferenceCase:
    """The reference window (two gammas per bin, two globals)."""

    def __init__(self, ws):
        self.model = peer.ReferenceModel(ws)
        self.peer = peer.Peer(self.model)
        self.fixed_values = (1.0, 0.5)

    def toys(self):
        m = self.model
        parts = [self.peer.toys(mu, 12, seed) for mu, seed in ((0.0, 11), (1.0, 12))]
        n, a_s, a_b = (np.hstack([t[i] for t in parts]) for i in range(3))
        return Toys(n, {m.signal_shape: a_s, m.background_shape: a_b})

    def fit(self, toys, fixed):
        m = self.model
        f = self.peer.fit(toys.main, toys.aux[m.signal_shape], toys.aux[m.background_shape], fixed_mu=fixed)
        values = {m.poi_name: f["mu"][None, :], m.bnorm_name: f["beta"][None, :], m.signal_shape: f["gs"], m.background_shape: f["gb"]}
        return f, values


class SearchCase:
    """A real search window (three gammas per bin with the gb*gv product, four globals)."""

    def __init__(self, ws):
        self.model = peer.SearchModel(ws)
        self.peer = peer.SearchPeer(self.model)
        self.fixed_values = (1.0,)

    def toys(self):
        m = self.model
        parts = [self.peer.toys(mu, 8, seed) for mu, seed in ((0.0, 21), (1.0, 22))]
        n, a_s, a_b, a_v, a_l, a_k = (np.hstack([t[i] for t in parts]) for i in range(6))
        return Toys(n, {m.signal_shape: a_s, m.background_shape: a_b, m.veto: a_v, m.lumi_name: a_l[None, :],
                        m.efficiency: a_k[None, :]})

    def fit(self, toys, fixed):
        m, a = self.model, toys.aux
        f = self.peer.fit(toys.main, a[m.signal_shape], a[m.background_shape], a[m.veto], a[m.lumi_name][0], a[m.efficiency][0],
                          fixed_mu=fixed)
        values = {m.poi_name: f["mu"][None, :], m.bnorm_name: f["beta"][None, :], m.lumi_name: f["lumi"][None, :],
                  m.efficiency: f["alpha"][None, :], m.signal_shape: f["gs"], m.background_shape: f["gb"], m.veto: f["gv"]}
        return f, values


def toy_workspace(ws, toys, t):
    """The workspace of toy t: observations = its main data; the measurement's auxdata = its
    auxiliary data (other settings of those parameters kept)."""
    toy = json.loads(json.dumps(ws))
    toy["observations"][0]["data"] = [float(x) for x in toys.main[:, t]]
    params = toy["measurements"][0]["config"].setdefault("parameters", [])
    by_name = {p["name"]: p for p in params}
    for name, values in toys.aux.items():
        entry = by_name.get(name)
        if entry is None:
            entry = {"name": name}
            params.append(entry)
        entry["auxdata"] = [float(x) for x in values[:, t]]
    return toy


def pyhf_vectors(pmodel, toys, t, values):
    """pyhf's full data vector (main + auxdata in its order) and the parameter vector of `values`."""
    data = list(toys.main[:, t])
    for name in pmodel.config.par_order:
        if name in toys.aux:
            data += list(toys.aux[name][:, t])
        elif pmodel.config.param_set(name).constrained:
            raise ValueError(f"unexpected constrained parameter {name}")
    pars = np.array(pmodel.config.suggested_init(), dtype=float)
    for name, v in values.items():
        pars[pmodel.config.par_slice(name)] = v[:, t]
    return np.array(data, dtype=float), pars


def check_case(label, case, ws, zp, tmp):
    """Every toy of the case, free and at each fixed POI value; returns the failures."""
    pmodel = pyhf.Workspace(ws).model()
    toys = case.toys()
    names = pmodel.config.par_names
    failures = []
    print(f"--- {label}: {toys.count} toys")
    print(f"{'toy':>4s} {'fit':>8s} {'peer twice_nll':>22s} {'zptoys':>22s} {'rel':>9s} {'par rel':>9s} {'par/sig':>9s} "
          f"{'pyhf rel':>9s} {'vs zp':>9s} {'iter':>4s}")
    poi = case.model.poi_name
    for fixed in (math.nan, *case.fixed_values):
        fits, values = case.fit(toys, fixed)
        fit_label = "free" if math.isnan(fixed) else f"poi={fixed:g}"
        for t in range(toys.count):
            path = os.path.join(tmp, f"toy{t}.json")
            with open(path, "w") as f:
                json.dump(toy_workspace(ws, toys, t), f)
            z = zp.fit(path, fix=None if math.isnan(fixed) else {poi: fixed})
            zb, zu = z["bestfit"], z.get("uncertainties", {})
            ours = fits["twice_nll"][t]
            d_nll = rel(ours, z["twice_nll"])
            data, pars = pyhf_vectors(pmodel, toys, t, values)
            # worst parameter: relative difference; in zptoys' sigmas where the relative one exceeds 1e-8
            worst_rel, worst_sigma, par_ok = 0.0, 0.0, True
            for name, v in zip(names, pars):
                r = rel(v, zb[name])
                in_sigma = abs(v - zb[name]) / zu[name] if zu.get(name) else math.inf
                worst_rel = max(worst_rel, r)
                if r > PAR_TOL:  # the sigma rule decides
                    worst_sigma = max(worst_sigma, in_sigma)
                par_ok = par_ok and (r <= PAR_TOL or in_sigma <= SIGMA_TOL)
            theirs = float(-2 * pmodel.logpdf(pars, data)[0])
            d_pyhf = abs(ours - theirs) / abs(theirs)
            at_zptoys = float(-2 * pmodel.logpdf(np.array([zb[name] for name in names], dtype=float), data)[0])
            worse = (theirs - at_zptoys) / abs(at_zptoys)
            ok = d_nll <= NLL_RTOL and par_ok and d_pyhf <= PYHF_RTOL and worse <= MIN_RTOL and bool(fits["converged"][t])
            print(f"{t:4d} {fit_label:>8s} {ours:22.14g} {z['twice_nll']:22.14g} {d_nll:9.1e} {worst_rel:9.1e} {worst_sigma:9.1e} "
                  f"{d_pyhf:9.1e} {worse:9.1e} {int(fits['iterations'][t]):4d}  {'ok' if ok else 'FAIL'}")
            if not ok:
                failures.append(f"{label} toy {t} {fit_label}")
    return failures, toys.count * (1 + len(case.fixed_values))


def check_hypotest(zp, path, toys=5000):
    """CLs+b and CLb of the toy hypothesis test at mu = 1 by zptoys and by the peer."""
    with open(path) as f:
        case = ReferenceCase(json.load(f))
    ours = case.peer.hypotest(1.0, toys)
    theirs = zp._run(["hypotest", path, "--poi-value", "1", "--calculator", "toys", "--toys", str(toys)])
    failures = []
    print(f"--- toy hypothesis test q~mu at mu = 1, {toys} toys per hypothesis (peer / zptoys)")
    d_q = rel(ours["q_obs"], theirs["observed_test_statistic"])
    print(f"q_obs {ours['q_obs']:.12g} {theirs['observed_test_statistic']:.12g} (relative {d_q:.1e})  {'ok' if d_q <= NLL_RTOL else 'FAIL'}")
    if d_q > NLL_RTOL:
        failures.append("hypotest q_obs")
    for key in ("clsb", "clb"):
        p = 0.5 * (ours[key] + theirs[key])
        sigma = math.sqrt(2 * p * (1 - p) / toys)
        ok = abs(ours[key] - theirs[key]) <= 5 * sigma
        print(f"{key:>5s} {ours[key]:.4f} {theirs[key]:.4f} (difference {abs(ours[key] - theirs[key]) / sigma:.1f} sigma)  "
              f"{'ok' if ok else 'FAIL'}")
        if not ok:
            failures.append(f"hypotest {key}")
    print(f"  cls {ours['cls']:.4f} {theirs['cls']:.4f}; failed fits {ours['failed']} / {theirs.get('toys', {}).get('failed_fits', '?')}")
    return failures


def main():
    zp = ZPToys(find_zptoys())
    pyhf.set_backend("numpy")
    failures, total = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        cases = []
        path = os.path.join(tmp, "reference.json")
        zp.write_reference(path)
        cases.append(("reference window", ReferenceCase, path))
        for mass in SEARCH_MASSES:
            path = os.path.join(tmp, f"window_{mass}.json")
            zp.write_window(path, mass)
            cases.append((f"search window M = {mass} GeV", SearchCase, path))
        for label, kind, path in cases:
            with open(path) as f:
                ws = json.load(f)
            bad, count = check_case(label, kind(ws), ws, zp, tmp)
            failures += bad
            total += count
        failures += check_hypotest(zp, cases[0][2])
    print(f"peer: {total - len(failures)} of {total} fits agree (twice_nll {NLL_RTOL:g} relative; "
          f"parameters {PAR_TOL:g} relative or {SIGMA_TOL:g} sigma; pyhf -2 ln L {PYHF_RTOL:g})")
    if failures:
        print("FAILED: " + ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
