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


def rel(a, b):
    return abs(a - b) / max(1.0, abs(a), abs(b))


def toy_workspace(ws, model, n, a_s, a_b):
    """The workspace of one toy: observations = main data, staterror auxdata = the toy's."""
    toy = json.loads(json.dumps(ws))
    toy["observations"][0]["data"] = [float(x) for x in n]
    params = toy["measurements"][0]["config"].setdefault("parameters", [])
    params[:] = [p for p in params if p["name"] not in (model.signal_shape, model.background_shape)]
    params.append({"name": model.signal_shape, "auxdata": [float(x) for x in a_s]})
    params.append({"name": model.background_shape, "auxdata": [float(x) for x in a_b]})
    return toy


def pyhf_data_and_pars(pmodel, model, n, a_s, a_b, mu, beta, gs, gb):
    """pyhf's full data vector (main + auxdata in its order) and parameter vector."""
    aux = {model.signal_shape: a_s, model.background_shape: a_b}
    data = list(n)
    for name in pmodel.config.par_order:
        if name in aux:
            data += list(aux[name])
        elif pmodel.config.param_set(name).constrained:
            raise ValueError(f"unexpected constrained parameter {name}")
    pars = np.array(pmodel.config.suggested_init(), dtype=float)
    values = {model.poi_name: [mu], model.bnorm_name: [beta], model.signal_shape: gs, model.background_shape: gb}
    for name, v in values.items():
        pars[pmodel.config.par_slice(name)] = v
    return np.array(data, dtype=float), pars


def main():
    zp = ZPToys(find_zptoys())
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        ref_path = os.path.join(tmp, "reference.json")
        zp.write_reference(ref_path)
        with open(ref_path) as f:
            ws = json.load(f)
        model = peer.ReferenceModel(ws)
        p = peer.Peer(model)
        pmodel = pyhf.Workspace(ws).model()
        pyhf.set_backend("numpy")
        toys = [p.toys(mu, 12, seed) for mu, seed in ((0.0, 11), (1.0, 12))]
        n = np.hstack([t[0] for t in toys])
        a_s = np.hstack([t[1] for t in toys])
        a_b = np.hstack([t[2] for t in toys])
        print(f"{'toy':>4s} {'fit':>8s} {'peer twice_nll':>22s} {'zptoys':>22s} {'rel':>9s} {'par rel':>9s} {'par/sig':>9s} "
              f"{'pyhf rel':>9s} {'vs zp':>9s} {'iter':>4s}")
        for fixed in (math.nan, 1.0, 0.5):
            fits = p.fit(n, a_s, a_b, fixed_mu=fixed)
            for t in range(n.shape[1]):
                label = "free" if math.isnan(fixed) else f"mu={fixed:g}"
                path = os.path.join(tmp, f"toy{t}.json")
                with open(path, "w") as f:
                    json.dump(toy_workspace(ws, model, n[:, t], a_s[:, t], a_b[:, t]), f)
                z = zp.fit(path, fix=None if math.isnan(fixed) else {model.poi_name: fixed})
                zb, zu = z["bestfit"], z.get("uncertainties", {})
                ours = fits["twice_nll"][t]
                d_nll = rel(ours, z["twice_nll"])
                peer_values = {model.poi_name: fits["mu"][t], model.bnorm_name: fits["beta"][t]}
                for j in range(model.bins):
                    peer_values[f"{model.signal_shape}[{j}]"] = fits["gs"][j, t]
                    peer_values[f"{model.background_shape}[{j}]"] = fits["gb"][j, t]
                # worst parameter: relative difference; in zptoys' sigmas where the relative one exceeds 1e-8
                worst_rel, worst_sigma = 0.0, 0.0
                par_ok = True
                for name, v in peer_values.items():
                    r = rel(v, zb[name])
                    in_sigma = abs(v - zb[name]) / zu[name] if zu.get(name) else math.inf
                    worst_rel = max(worst_rel, r)
                    if r > PAR_TOL:  # the sigma rule decides
                        worst_sigma = max(worst_sigma, in_sigma)
                    par_ok = par_ok and (r <= PAR_TOL or in_sigma <= SIGMA_TOL)
                data, pars = pyhf_data_and_pars(pmodel, model, n[:, t], a_s[:, t], a_b[:, t], fits["mu"][t], fits["beta"][t],
                                                fits["gs"][:, t], fits["gb"][:, t])
                theirs = float(-2 * pmodel.logpdf(pars, data)[0])
                d_pyhf = abs(ours - theirs) / abs(theirs)
                zpars = np.array([zb[name] for name in pmodel.config.par_names], dtype=float)
                at_zptoys = float(-2 * pmodel.logpdf(zpars, data)[0])
                worse = (theirs - at_zptoys) / abs(at_zptoys)
                ok = (d_nll <= NLL_RTOL and par_ok and d_pyhf <= PYHF_RTOL and worse <= MIN_RTOL and fits["converged"][t])
                print(f"{t:4d} {label:>8s} {ours:22.14g} {z['twice_nll']:22.14g} {d_nll:9.1e} {worst_rel:9.1e} {worst_sigma:9.1e} "
                      f"{d_pyhf:9.1e} {worse:9.1e} {int(fits['iterations'][t]):4d}  {'ok' if ok else 'FAIL'}")
                if not ok:
                    failures.append(f"toy {t} {label}")
    print(f"peer: {3 * n.shape[1] - len(failures)} of {3 * n.shape[1]} fits agree (twice_nll {NLL_RTOL:g} relative; "
          f"parameters {PAR_TOL:g} relative or {SIGMA_TOL:g} sigma; pyhf -2 ln L {PYHF_RTOL:g})")
    if failures:
        print("FAILED: " + ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
