#!/usr/bin/env python3
"""zptoys' toy-based q̃µ hypothesis tests against pyhf's own toys (issue 12 item 5).

Reference: Validation/toys/reference.json, made by Validation/toys/make_reference.py with
pyhf.infer.hypotest(µ, data, model, test_stat="qtilde", calctype="toybased", ntoys=N_pyhf) on
three real search windows stored beside it (`zptoys workspace --mass M --data toy --seed 3` at
0.5, 2.352 and 8 GeV; 304, 304 and 64 parameters), three µ each, a fixed numpy seed per point.
pyhf is slow there (see the file), so N_pyhf is a few hundred toys.

Here `zptoys hypotest WINDOW --poi-value µ --test-stat qtilde --calculator toys --toys 5000
--seed S --json` (toys at the nuisances' conditional MLE on the data, as pyhf's ToyCalculator;
a different seed per point so that the 9 points are independent) runs on the same windows.

Checks (a table row each, ok/FAIL; exit status 1 on any FAIL, 2 if the setup is missing):
1. Each stored window has the SHA-256 the reference was made on (the file pyhf ran on).
2. The observed q̃µ equals pyhf's within 1e-5 absolute (pyhf's fits: L-BFGS-B, gradient
   tolerance 1e-6; the reference's L-BFGS-B and SLSQP q̃µ agree within 4e-9 on 36 toys, ours
   and pyhf's observed ones within 6e-9).
3. CLs+b and CLb (p = P(q̃µ ≥ q̃µ,obs) under s+b and b-only, pyhf's EmpiricalDistribution.pvalue)
   agree within 3 combined binomial standard errors σ = √(p(1−p)/N_pyhf + p(1−p)/N_zptoys),
   p the pooled estimate of both (the common value if they agree). 18 comparisons: if all agree,
   each |Δ|/σ is about standard normal, so one of the 18 exceeds 3σ by chance with probability
   ~5% (1 − 0.9973¹⁸) and 4σ with ~0.1%. The seeds are fixed, so the outcome is deterministic:
   a pass stays a pass unless the code changes; a real convention difference (toy nuisances,
   q̃µ definition, the tail p = P(q ≥ q_obs) against 1 − P) moves CLb or CLs+b by many σ.
4. Globally: χ² = Σ (Δ/σ)² over the 18 comparisons against χ²(18): its p-value must exceed 0.001
   (catches a small common bias that no single point shows).
For context each row also shows zptoys' asymptotic value (checked against pyhf's asymptotic
calculator to 1e-4 by validate_inference.py).
Run it with the Python of Validation/.venv (needs scipy only); the zptoys binary is $ZPTOYS,
else .build/release/zptoys. An argument names another reference file (default the one above).
"""

import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time

from scipy.stats import chi2

HERE = os.path.dirname(os.path.abspath(__file__))
TOYS_DIR = os.path.join(HERE, "toys")
REFERENCE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOYS_DIR, "reference.json")
ZP_TOYS = 5000
ZP_SEED = 12
SIGMAS = 3.0
CHI2_MIN_PVALUE = 1e-3
Q_ABS_TOL = 1e-5


def find_zptoys():
    if os.environ.get("ZPTOYS"):
        return os.environ["ZPTOYS"]
    return os.path.join(os.path.dirname(HERE), ".build", "release", "zptoys")


ZPTOYS = find_zptoys()


def zp(*args):
    p = subprocess.run([ZPTOYS, *args], capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"zptoys {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
    return p


def hypotest(path, mu, *extra):
    return json.loads(zp("hypotest", path, f"--poi-value={mu!r}", "--test-stat", "qtilde", *extra, "--json").stdout)


def sha256(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def binomial_sigma(a, na, b, nb):
    """Standard error of a − b for two binomial fractions with a common p (pooled)."""
    p = (a * na + b * nb) / (na + nb)
    return math.sqrt(p * (1 - p) * (1 / na + 1 / nb))


def check_windows(ref, rows):
    """Stored windows against the reference's SHA-256; whether zptoys still writes them (info)."""
    with tempfile.TemporaryDirectory() as tmp:
        for mass, w in ref["windows"].items():
            path = os.path.join(TOYS_DIR, w["file"])
            digest = sha256(path) if os.path.exists(path) else "missing"
            ok = digest == w["sha256"]
            rows.append((f"window {mass} GeV", "SHA-256", digest[:12], w["sha256"][:12], "", "", ok))
            args = w["command"].split()[1:]
            out = os.path.join(tmp, w["file"])
            zp(*args[: args.index("--out")], "--out", out)
            same = sha256(out) == w["sha256"]
            print(f"info: `{w['command']}` now writes {'the same' if same else 'a DIFFERENT'} window "
                  f"({'' if same else 'the check uses the stored one, which pyhf ran on; '}{w['note']})")


def main():
    if not os.path.exists(ZPTOYS):
        print(f"zptoys binary not found ({ZPTOYS}); build it (make release) or set ZPTOYS", file=sys.stderr)
        return 2
    if not os.path.exists(REFERENCE):
        print(f"reference not found ({REFERENCE}); make it with Validation/toys/make_reference.py", file=sys.stderr)
        return 2
    with open(REFERENCE) as fh:
        ref = json.load(fh)
    ref["points"] = [p for p in ref["points"] if p]
    t0 = time.perf_counter()
    print(f"zptoys: {ZPTOYS}; reference: pyhf {ref['pyhf']} ({ref['backend']}), {REFERENCE}")
    rows, pulls = [], []
    check_windows(ref, rows)
    for index, point in enumerate(ref["points"]):
        mass, mu, n_pyhf = point["mass"], point["mu"], point["ntoys"]
        path = os.path.join(TOYS_DIR, ref["windows"][f"{mass:g}"]["file"])
        ours = hypotest(path, mu, "--calculator", "toys", "--toys", str(ZP_TOYS), "--seed", str(ZP_SEED + index))
        asym = hypotest(path, mu)
        label = f"{mass:g} GeV µ={mu:g} fb"
        dq = abs(ours["observed_test_statistic"] - point["q_obs"])
        rows.append((label, "q̃µ observed", ours["observed_test_statistic"], point["q_obs"], dq, Q_ABS_TOL,
                     dq <= Q_ABS_TOL))
        n_ours = ours["toys"]["signal_plus_background"], ours["toys"]["background_only"]
        for key, n in (("clsb", n_ours[0]), ("clb", n_ours[1])):
            sigma = binomial_sigma(ours[key], n, point[key], n_pyhf)
            delta = ours[key] - point[key]
            pull = delta / sigma if sigma > 0 else (0.0 if delta == 0 else math.inf)
            pulls.append(pull)
            rows.append((label, f"{'CLs+b' if key == 'clsb' else 'CLb'} (asym {asym[key]:.3f})", ours[key],
                         point[key], abs(delta), SIGMAS * sigma, abs(pull) <= SIGMAS, sigma, pull))
    chi = sum(p * p for p in pulls)
    chi_p = float(chi2.sf(chi, len(pulls)))
    print(f"{'point':22s} {'check':22s} {'zptoys':>10s} {'pyhf':>10s} {'|Δ|':>9s} {'tol':>9s} {'σ':>8s} {'Δ/σ':>6s}  status")
    failures = 0
    for r in rows:
        label, check, ours, theirs, delta, tol, ok = r[:7]
        extra = f"{r[7]:8.4f} {r[8]:+6.2f}" if len(r) > 7 else f"{'':8s} {'':6s}"
        show = (lambda v, s: format(v, s) if isinstance(v, float) else str(v))
        print(f"{label:22s} {check:22s} {show(ours, '.4f'):>10s} {show(theirs, '.4f'):>10s} {show(delta, '.2e'):>9s} "
              f"{show(tol, '.2e'):>9s} {extra}  {'ok' if ok else 'FAIL'}")
        failures += not ok
    ok = chi_p > CHI2_MIN_PVALUE
    failures += not ok
    print(f"χ² of the {len(pulls)} CLs+b/CLb pulls: {chi:.2f} (p-value {chi_p:.3f}; must exceed {CHI2_MIN_PVALUE:g})  "
          f"{'ok' if ok else 'FAIL'}")
    print(f"zptoys {ZP_TOYS} toys per hypothesis against pyhf's {sorted({p['ntoys'] for p in ref['points']})}; "
          f"tolerance {SIGMAS:g}σ binomial; {time.perf_counter() - t0:.1f} s")
    if failures:
        print(f"{failures} disagreement(s)")
        return 1
    print(f"all {len(rows) + 1} checks agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
