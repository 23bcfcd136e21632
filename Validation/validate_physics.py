#!/usr/bin/env python3
"""Cross-checks of `zptoys xsec` against independent calculations and the paper.

Usage:  python3 Validation/validate_physics.py [--zptoys .build/release/zptoys] [--quick]

Checks (each printed as a table row, PASS/FAIL; the exit status is non-zero on any FAIL):

1. Massless-muon limit.  The analytic double-differential cross section (the Lµ−Lτ radiation
   function, Sources/Physics/MasslessMuonLimit.swift)
       (1/s0) d2s/dx1dx2 = (a'/2pi)[((x1+mu)^2+(x2+mu)^2)/((1-x1)(1-x2)) - mu/(1-x1)^2 - mu/(1-x2)^2]
   integrated here with scipy over the Dalitz region y1*y2 >= mu, y1 + y2 <= 1 + mu (yi = 1 - xi),
   in logarithmic variables, must equal
     a) zptoys' own integral of the same formula (`sigma_massless_muon_limit_fb`, rel. 1e-6), and
     b) zptoys' VEGAS integral of the full matrix element run with a tiny muon mass
        (`--muon-mass 1e-5`), within 5 VEGAS standard deviations.
   With the physical muon mass, sigma is below the massless limit; the ratio is reported.
2. Widths and B(Z' -> invisible) (vanilla) against the formulas and the limits 1, 1/2, 1/3.
3. g-2: Delta a_mu(g'=1, M) by scipy.quad, and the +-2 sigma band in g' (Delta a_mu = 251(59)e-11).
4. The paper's relations: sigma_UL of 5-10 fb at low mass gives g' ~ 3e-3, 20-50 fb at 8 GeV gives
   g' ~ 1 (the paper's abstract); and excluding the g-2 band at 0.8 and 5.0 GeV (the paper's
   fully-invisible exclusion edges) needs sigma_UL within the 0.2-10 fb range of the paper's limits.
"""

import argparse
import json
import math
import subprocess
import sys

import numpy as np
from scipy import integrate

ALPHA = 1 / 137.036
SQRT_S = 10.58
M_MU = 0.1056583755
M_TAU = 1.77686
HBARC2_FB = 0.3893793721e12

failures = []


def row(name, value, reference, ok, note=""):
    status = "PASS" if ok else "FAIL"
    if not ok:
        failures.append(name)
    print(f"{status}  {name:<46} {value:>14.6g} {reference:>14.6g}  {note}")


def zptoys(binary, *args):
    out = subprocess.run([binary, "xsec", "--json", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def massless_sigma_fb(mass, sqrt_s=SQRT_S, alpha=ALPHA, g=1.0):
    """The analytic formula integrated over the Dalitz region, in u_i = ln y_i."""
    s = sqrt_s ** 2
    mu = mass ** 2 / s

    def f(y1, y2):
        x1, x2 = 1 - y1, 1 - y2
        return ((x1 + mu) ** 2 + (x2 + mu) ** 2) / (y1 * y2) - mu / y1 ** 2 - mu / y2 ** 2

    def inner(u1):
        y1 = math.exp(u1)
        lo, hi = mu / y1, 1 + mu - y1
        if hi <= lo:
            return 0.0
        val, _ = integrate.quad(lambda u2: f(y1, math.exp(u2)) * y1 * math.exp(u2),
                                math.log(lo), math.log(hi), epsabs=0, epsrel=1e-11, limit=200)
        return val

    total, _ = integrate.quad(inner, math.log(mu), 0.0, epsabs=0, epsrel=1e-10, limit=400)
    sigma0 = 4 * math.pi * alpha ** 2 / (3 * s)
    alpha_prime = g ** 2 / (4 * math.pi)
    return sigma0 * alpha_prime / (2 * math.pi) * total * HBARC2_FB


def lepton_width(mass, m):
    if mass <= 2 * m:
        return 0.0
    r = m * m / mass ** 2
    return mass / (12 * math.pi) * (1 + 2 * r) * math.sqrt(1 - 4 * r)


def delta_a_mu(mass, g=1.0):
    m2 = M_MU ** 2
    f = lambda z: 2 * m2 * z * (1 - z) ** 2 / (m2 * (1 - z) ** 2 + mass ** 2 * z)
    knee = min(0.5, max(1e-12, 10 * m2 / max(mass ** 2, 1e-300)))
    a, _ = integrate.quad(f, 0, knee, epsabs=0, epsrel=1e-11, limit=200)
    b, _ = integrate.quad(f, knee, 1, epsabs=0, epsrel=1e-11, limit=200)
    return g ** 2 / (8 * math.pi ** 2) * (a + b)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zptoys", default=".build/release/zptoys")
    parser.add_argument("--quick", action="store_true", help="fewer masses")
    args = parser.parse_args()

    masses = [0.01, 0.1, 0.5, 1.0, 2.0, 4.0, 6.0, 8.0, 9.0]
    if args.quick:
        masses = [0.01, 1.0, 8.0]

    print(f"{'':6}{'check':<46} {'zptoys':>14} {'reference':>14}")
    results = {}
    print("\n-- 1. massless-muon limit (scipy over the Dalitz region) and muon-mass effects")
    for m in masses:
        full = zptoys(args.zptoys, "--mass", str(m))
        tiny = zptoys(args.zptoys, "--mass", str(m), "--muon-mass", "1e-5")
        results[m] = full
        ref = massless_sigma_fb(m)
        row(f"M={m:g}: analytic formula, zptoys vs scipy", full["sigma_massless_muon_limit_fb"], ref,
            abs(full["sigma_massless_muon_limit_fb"] / ref - 1) < 1e-6)
        pull = (tiny["sigma_fb"] - ref) / tiny["sigma_uncertainty_fb"]
        row(f"M={m:g}: VEGAS |M|^2 (m_mu=1e-5) vs scipy", tiny["sigma_fb"], ref, abs(pull) < 5,
            f"pull {pull:+.2f}, rel. error {tiny['sigma_uncertainty_fb'] / tiny['sigma_fb']:.1e}")
        ratio = full["sigma_fb"] / ref
        # Muon mass lowers sigma: strongly where m_mu ~ M, near threshold, by < 3% for 0.5-8 GeV.
        row(f"M={m:g}: sigma(m_mu)/sigma(massless)", ratio, 1.0, 0.5 < ratio <= 1.0 + 5e-4,
            f"sigma = {full['sigma_fb']:.5g} +- {full['sigma_uncertainty_fb']:.2g} fb")

    print("\n-- 2. widths and B(Z' -> invisible), vanilla, g' = 1")
    for m in masses:
        r = results[m]
        w = r["widths_gev"]
        mumu, tautau, nunu = lepton_width(m, M_MU), lepton_width(m, M_TAU), m / (12 * math.pi)
        ok = all(abs(a - b) <= 1e-12 * max(b, 1e-300) + 1e-300 for a, b in
                 [(w["mumu"], mumu), (w["tautau"], tautau), (w["nunu"], nunu), (w["total"], mumu + tautau + nunu)])
        row(f"M={m:g}: widths (mumu, tautau, nunu, total)", w["total"], mumu + tautau + nunu, ok)
        b = r["branching_invisible_vanilla"]
        row(f"M={m:g}: B(invisible) = Gamma_nunu/Gamma_tot", b, nunu / (mumu + tautau + nunu),
            abs(b - nunu / (mumu + tautau + nunu)) < 1e-12)
    # The three regimes, away from the thresholds 2m_mu = 0.211 GeV and 2m_tau = 3.554 GeV.
    for m, expected, tol in [(0.1, 1.0, 1e-15), (2.0, 0.5, 1e-3), (9.0, 1 / 3, 2e-3)]:
        b = results[m]["branching_invisible_vanilla"] if m in results else zptoys(args.zptoys, "--mass", str(m))["branching_invisible_vanilla"]
        row(f"M={m:g}: B(invisible) regime (1, 1/2, 1/3)", b, expected, abs(b - expected) <= tol)

    print("\n-- 3. g-2: Delta a_mu(g'=1) and the +-2 sigma band in g'")
    for m in masses:
        r = results[m]
        ref = delta_a_mu(m)
        row(f"M={m:g}: Delta a_mu(g'=1)", r["delta_a_mu"], ref, abs(r["delta_a_mu"] / ref - 1) < 1e-7)
        lo, hi = math.sqrt(133e-11 / ref), math.sqrt(369e-11 / ref)
        band = r["g_prime_g_minus_2_band"]
        row(f"M={m:g}: g-2 band lower edge in g'", band["lower"], lo,
            abs(band["lower"] / lo - 1) < 1e-6 and abs(band["upper"] / hi - 1) < 1e-6, f"upper {band['upper']:.4g}")
    # The approach is linear in M/m_mu (about -3 M/m_mu), hence the tiny mass.
    row("M->0: Delta a_mu -> g'^2/(8 pi^2)", delta_a_mu(1e-9) * 8 * math.pi ** 2, 1.0,
        abs(delta_a_mu(1e-9) * 8 * math.pi ** 2 - 1) < 1e-6)

    print("\n-- 4. the paper's sigma_UL <-> g' relations")
    low = results[0.01]["sigma_fb"]
    for s_ul in (5.0, 10.0):
        g = math.sqrt(s_ul / low)
        row(f"M=0.01: g' from sigma_UL={s_ul:g} fb (paper ~3e-3)", g, 3e-3, 1.5e-3 < g < 6e-3)
    if 8.0 in results:
        high = results[8.0]["sigma_fb"]
        for s_ul in (20.0, 50.0):
            g = math.sqrt(s_ul / high)
            row(f"M=8: g' from sigma_UL={s_ul:g} fb (paper ~1)", g, 1.0, 0.5 < g < 2.0)
    # Excluding g-2 at the paper's edges 0.8 and 5.0 GeV needs sigma_UL < sigma(M) * g_lower^2.
    for m in (0.8, 5.0):
        r = zptoys(args.zptoys, "--mass", str(m))
        needed = r["sigma_fb"] * r["g_prime_g_minus_2_band"]["lower"] ** 2
        row(f"M={m:g}: sigma_UL that just excludes g-2 [fb]", needed, 1.0, 0.2 <= needed <= 10,
            "must lie in the paper's 0.2-10 fb limit range")

    print()
    if failures:
        print(f"{len(failures)} check(s) FAILED: " + "; ".join(failures))
        return 1
    print("all physics checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
