#!/usr/bin/env python3
"""Published likelihoods: zptoys over a pyhf patchset against pyhf 0.7.6 (issue 15, item 4).

The patchset is a HEPData-style one made from zptoys' own search windows
(Validation/patchset/make_patchset.py: the background-only window of hypothesis 506, M = 8.2 GeV,
and 9 patches adding the signals of hypotheses 502-510, 64 parameters each).

1. Digests: pyhf.utils.digest of the background-only workspace equals the patchset's (written by
   make_patchset.py with the standard library), pyhf's PatchSet.verify accepts it, and a workspace
   with one number changed is refused by both zptoys (naming the digests) and pyhf.
2. Patch application: the workspace pyhf's PatchSet.apply makes, read by `zptoys limit`, gives the
   limits `zptoys brazil --patchset` gives for that patch to 1e-9 relative (the same model); the
   centre patch gives the limits of zptoys' own window of hypothesis 506 to 1e-9.
3. Limits equal pyhf's: on the first, centre and last patches pyhf's CLs at our observed and
   median expected limits (and on the centre patch at every expected-band limit) equals α = 0.1
   to 0.1% of the limit (validate_inference.py's root check: one pyhf hypotest per limit, the
   slope from zptoys; a toms748 scan takes ~10 minutes per patch here).
4. Local significance: `zptoys scan --patchset` p0 against pyhf.infer.hypotest(0, test_stat='q0')
   on the same three patches, 1e-4 absolute.
5. `zptoys lee --patchset` runs (20 toys) and assesses the published data's largest excess.

Run by `make validate` with the Python of Validation/.venv; the zptoys binary is $ZPTOYS, else
.build/release/zptoys. Prints a table and exits 1 on any disagreement.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "patchset"))

import pyhf  # noqa: E402

import make_patchset  # noqa: E402
import validate_inference as vi  # noqa: E402

CENTRE, HALF = 506, 4
BAND = ["minus2", "minus1", "median", "plus1", "plus2"]
SAME_RTOL = 1e-9


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def check_digests(rows, tmp, bkg, ps, bkg_path, ps_path):
    ok = pyhf.utils.digest(bkg) == ps["metadata"]["digests"]["sha256"]
    rows.add("digest sha256", ps["metadata"]["digests"]["sha256"][:12], pyhf.utils.digest(bkg)[:12], None, None, ok,
             "make_patchset's digest differs from pyhf.utils.digest")
    pyhf.PatchSet(ps).verify(bkg)
    bad = json.loads(json.dumps(bkg))
    bad["observations"][0]["data"][0] += 1
    bad_path = os.path.join(tmp, "BkgOnly_changed.json")
    with open(bad_path, "w") as f:
        json.dump(bad, f)
    p = subprocess.run([vi.ZPTOYS, "brazil", "--workspace", bad_path, "--patchset", ps_path, "--toys", "0", "--no-progress"],
                       capture_output=True, text=True)
    try:
        pyhf.PatchSet(ps).verify(bad)
        pyhf_refuses = False
    except pyhf.exceptions.PatchSetVerificationError:
        pyhf_refuses = True
    ok = p.returncode != 0 and "is not the background-only workspace" in p.stderr and pyhf_refuses
    rows.add("changed workspace refused", f"exit {p.returncode}", "refused" if pyhf_refuses else "accepted", None, None, ok, f"zptoys: {p.stderr.strip()}")


def check_patch(rows, tmp, bkg, ps, brazil, scan, name, curves):
    """Items 2-4 on one patch."""
    ws = pyhf.Workspace(pyhf.PatchSet(ps).apply(bkg, name))
    path = os.path.join(tmp, f"{name}.json")
    with open(path, "w") as f:
        json.dump(ws, f)
    point = next(p for p in brazil["masses"] if p["patch"]["name"] == name)
    lim = vi.zp_limit(path)
    worst = max([rel(lim["observed"], point["observed"])] + [rel(lim["expected"][k], point["expected_asymptotic"][k]) for k in BAND])
    rows.add("pyhf-patched = ours", point["observed"], lim["observed"], worst, SAME_RTOL, worst <= SAME_RTOL,
             f"zptoys limit on pyhf's patched workspace {lim} vs brazil --patchset {point}")
    model = ws.model()
    data = ws.data(model)
    fit0 = vi.zp("fit", path, "--fix", f"{model.config.poi_name}=0")
    init = [fit0["bestfit"][n] for n in model.config.par_names]
    vi.check_limit_root(rows, path, model, data, curves, init=init, limit=lim, hypotest_rows=False)
    ours = next(p for p in scan["masses"] if p["patch"]["name"] == name)
    theirs = vi.pyhf_hypotest(model, data, 0.0, stat="q0", init=init)
    d = abs(ours["local_p0"] - theirs["clsb"])
    rows.add("local p0 (q0)", ours["local_p0"], theirs["clsb"], d, vi.ABS_TOL, d <= vi.ABS_TOL,
             f"zptoys scan p0 {ours['local_p0']!r} vs pyhf {theirs['clsb']!r}")


def check_window(rows, tmp, brazil):
    """The centre patch is zptoys' own window of hypothesis CENTRE."""
    path = os.path.join(tmp, "window.json")
    vi.zp("workspace", "--index", str(CENTRE), "--data", "toy", "--seed", "3", *make_patchset.MC, "--out", path)
    lim = vi.zp_limit(path)
    point = next(p for p in brazil["masses"] if p["index"] == HALF)
    worst = max([rel(lim["observed"], point["observed"])] + [rel(lim["expected"][k], point["expected_asymptotic"][k]) for k in BAND])
    rows.add("centre patch = window", point["observed"], lim["observed"], worst, SAME_RTOL, worst <= SAME_RTOL,
             f"zptoys limit of window {CENTRE} {lim} vs its patch {point}")


def main():
    if not os.path.exists(vi.ZPTOYS):
        print(f"zptoys binary not found ({vi.ZPTOYS}); build it (make release) or set ZPTOYS", file=sys.stderr)
        return 2
    vi.pyhf_setup()
    start = time.perf_counter()
    rows = vi.Rows("patchset")
    with tempfile.TemporaryDirectory() as tmp:
        bkg, ps = make_patchset.build(vi.ZPTOYS, CENTRE, HALF, tmp)
        bkg_path, ps_path = os.path.join(tmp, "BkgOnly.json"), os.path.join(tmp, "patchset.json")
        for p, obj in ((bkg_path, bkg), (ps_path, ps)):
            with open(p, "w") as f:
                json.dump(obj, f, indent=1)
        check_digests(rows, tmp, bkg, ps, bkg_path, ps_path)
        brazil = vi.zp("brazil", "--workspace", bkg_path, "--patchset", ps_path, "--toys", "0", "--calculator", "asymptotic", "--rule", "cls", "--no-progress")
        scan = vi.zp("scan", "--workspace", bkg_path, "--patchset", ps_path, "--calculator", "asymptotic", "--rule", "cls", "--no-progress")
        names = [p["metadata"]["name"] for p in ps["patches"]]
        check_window(rows, tmp, brazil)
        for k, name in enumerate(names):
            if k in (0, HALF, len(names) - 1):
                check_patch(rows, tmp, bkg, ps, brazil, scan, name, ["observed"] + (BAND if k == HALF else ["median"]))
        lee = vi.zp("lee", "--workspace", bkg_path, "--patchset", ps_path, "--toys", "20", "--block-size", "5", "--no-progress")
        ok = len(lee["toys"]) == 20 and lee["local_z"] is not None
        rows.add("lee over patches", lee["local_z"], None, None, None, ok, f"lee: {len(lee['toys'])} toys, local Z {lee['local_z']}")
    def show(v, spec=".8g"):
        return v if isinstance(v, str) else vi.fmt(v, spec)

    print(f"{'check':28s} {'ZPrimeToys':>16s} {'pyhf':>16s} {'|Δ|':>9s} {'tol':>9s}  status")
    failures = [r for r in rows.rows if not r[6]]
    for _, check, ours, theirs, delta, tol, ok, _ in rows.rows:
        print(f"{check:28s} {show(ours):>16s} {show(theirs):>16s} {show(delta, '.2e'):>9s} {show(tol, '.1e'):>9s}  {'ok' if ok else 'FAIL'}")
    elapsed = time.perf_counter() - start
    if failures:
        print(f"{len(failures)} disagreement(s) ({elapsed:.0f} s):")
        for r in failures:
            print(f"  {r[1]}: {r[7]}")
        return 1
    print(f"all {len(rows.rows)} checks agree ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
