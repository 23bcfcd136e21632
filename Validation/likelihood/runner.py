"""Running `zptoys fit` and pyhf side by side on one workspace."""

import json
import os
import shutil
import subprocess

import numpy as np
import pyhf


def find_zptoys():
    """The zptoys binary: $ZPTOYS, else `zptoys` on PATH, else .build/release/zptoys."""
    if os.environ.get("ZPTOYS"):
        return os.environ["ZPTOYS"]
    found = shutil.which("zptoys")
    if found:
        return found
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(root, ".build", "release", "zptoys")


class ZPToys:
    def __init__(self, binary):
        self.binary = binary

    def _run(self, args):
        p = subprocess.run([self.binary, *args, "--json"], capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise RuntimeError(f"zptoys {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
        return json.loads(p.stdout)

    def fit(self, path, fix=None):
        args = ["fit", path]
        for name, value in (fix or {}).items():
            args += ["--fix", f"{name}={value!r}"]
        return self._run(args)

    def evaluate(self, path, pars):
        """−2 ln L and expected data at `pars` ({name: value})."""
        assignments = ",".join(f"{k}={v!r}" for k, v in pars.items())
        return self._run(["fit", path, "--eval", assignments or "init"])

    def write_window(self, path, mass, data="asimov", seed=1):
        """The search window of the hypothesis nearest `mass` (GeV) with `data` asimov or toy."""
        p = subprocess.run([self.binary, "workspace", "--mass", repr(mass), "--data", data, "--seed", str(seed),
                            "--out", path], capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise RuntimeError(f"zptoys workspace --mass {mass} --data {data} failed ({p.returncode}): {p.stderr.strip()}")

    def write_reference(self, path, toy_seed=None):
        args = ["fit", "--write-reference", path]
        if toy_seed is not None:
            args += ["--reference-toy-seed", str(toy_seed)]
        return self._run(args)


def pyhf_setup():
    pyhf.set_backend("numpy", pyhf.optimize.scipy_optimizer(tolerance=1e-10))


def pyhf_fit(model, data, poi_value=None, init_pars=None):
    """(twice_nll, best-fit list) from pyhf's own fit (SLSQP, tolerance 1e-10)."""
    kwargs = {"return_fitted_val": True}
    if init_pars is not None:
        kwargs["init_pars"] = list(init_pars)
    if poi_value is None:
        pars, nll = pyhf.infer.mle.fit(data, model, **kwargs)
    else:
        pars, nll = pyhf.infer.mle.fixed_poi_fit(poi_value, data, model, **kwargs)
    return float(np.asarray(nll).ravel()[0]), [float(v) for v in pars]


def pyhf_twice_nll(model, data, pars):
    return float(-2 * model.logpdf(np.asarray(pars, dtype=float), np.asarray(data, dtype=float))[0])


def numerical_uncertainties(model, data, pars, free, scale):
    """√diag(2 H⁻¹) of pyhf's twice_nll by central differences (free parameters only)."""
    idx = [i for i, f in enumerate(free) if f]
    x0 = np.asarray(pars, dtype=float)
    h = np.array([1e-4 * scale[i] for i in idx])
    n = len(idx)

    def f(x):
        return pyhf_twice_nll(model, data, x)

    H = np.zeros((n, n))
    f0 = f(x0)
    for a in range(n):
        for b in range(a, n):
            if a == b:
                xp, xm = x0.copy(), x0.copy()
                xp[idx[a]] += h[a]
                xm[idx[a]] -= h[a]
                H[a, a] = (f(xp) - 2 * f0 + f(xm)) / h[a] ** 2
            else:
                vals = []
                for sa, sb in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                    x = x0.copy()
                    x[idx[a]] += sa * h[a]
                    x[idx[b]] += sb * h[b]
                    vals.append(f(x))
                H[a, b] = H[b, a] = (vals[0] - vals[1] - vals[2] + vals[3]) / (4 * h[a] * h[b])
    cov = 2 * np.linalg.inv(H)
    out = [0.0] * len(pars)
    for k, i in enumerate(idx):
        out[i] = float(np.sqrt(cov[k, k])) if cov[k, k] > 0 else float("nan")
    return out
