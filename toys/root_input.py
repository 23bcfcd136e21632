#!/usr/bin/env python3
"""ROOT inputs for zptoys: converts a TH2 or a TTree of a ROOT file to the CSV formats zptoys reads
(toys/CONFIGURATION.md, "Taking a process from your own simulation"), with uproot.

zptoys runs this script itself for `--input PROCESS=FILE.root:PATH` (its text is embedded in the
tool: `make embed-config` after editing, a test keeps them identical); it can also be run by hand
to see what zptoys will read:

    python3 root_input.py FILE.root PATH OUT.csv [--m2 BRANCH] [--theta BRANCH] [--weight BRANCH]

- A TH2 (TH2D, TH2F, …): x is M²_recoil in GeV², y is θ_cm,recoil in degrees. One row per cell
  with content or variance (`m2_low_gev2, m2_high_gev2, theta_low_deg, theta_high_deg, content,
  sumw2`); sumw2 is the histogram's Σw² (ROOT's fSumw2; a histogram filled without Sumw2 has
  ROOT's errors, variance = content). Under- and overflow cells are left out.
- A TTree (or an RNTuple): the branches --m2 (default m2_recoil_gev2) and --theta (default theta_cm_recoil_deg),
  and --weight if given: one row per entry (`m2_recoil_gev2, theta_cm_recoil_deg[, weight]`).

Exit status: 0 written; 2 a bad input (the message on stderr); 3 uproot or numpy missing.
Needs Python 3 with uproot and numpy (python3 -m pip install uproot numpy).
"""
import sys


def fail(message, status=2):
    print(message, file=sys.stderr)
    sys.exit(status)


def fmt(x):
    return repr(float(x))


def write_th2(h, out):
    values = h.values(flow=False)
    variances = h.variances(flow=False)
    x, y = h.axis(0).edges(), h.axis(1).edges()
    with open(out, "w") as f:
        f.write("m2_low_gev2,m2_high_gev2,theta_low_deg,theta_high_deg,content,sumw2\n")
        for i in range(len(x) - 1):
            for j in range(len(y) - 1):
                c, v = values[i, j], variances[i, j]
                if c == 0 and v == 0:
                    continue
                f.write(",".join(fmt(t) for t in (x[i], x[i + 1], y[j], y[j + 1], c, v)) + "\n")


def write_tree(t, out, m2, theta, weight):
    names = [m2, theta] + ([weight] if weight else [])
    missing = [n for n in names if n not in t.keys()]
    if missing:
        fail(f"the TTree has no branch {', '.join(missing)} (branches: {', '.join(t.keys())}); name them with --root-m2, --root-theta, --root-weight")
    arrays = t.arrays(names, library="np")
    columns = ["m2_recoil_gev2", "theta_cm_recoil_deg"] + (["weight"] if weight else [])
    with open(out, "w") as f:
        f.write(",".join(columns) + "\n")
        for row in zip(*(arrays[n] for n in names)):
            f.write(",".join(fmt(v) for v in row) + "\n")


def main(argv):
    import argparse
    p = argparse.ArgumentParser(description="ROOT TH2 or TTree to a zptoys CSV")
    p.add_argument("file")
    p.add_argument("path")
    p.add_argument("out")
    p.add_argument("--m2", default="m2_recoil_gev2")
    p.add_argument("--theta", default="theta_cm_recoil_deg")
    p.add_argument("--weight")
    a = p.parse_args(argv)
    try:
        import numpy  # noqa: F401
        import uproot
    except ImportError as e:
        fail(f"ROOT input needs uproot and numpy in {sys.executable} ({e})", 3)
    try:
        f = uproot.open(a.file)
    except Exception as e:  # noqa: BLE001 (any unreadable file is a bad input)
        fail(f"{a.file} cannot be read as a ROOT file ({type(e).__name__}: {e})")
    try:
        obj = f[a.path]
    except Exception:  # noqa: BLE001
        fail(f"{a.file} has no object \"{a.path}\" (it has: {', '.join(sorted(set(k.split(';')[0] for k in f.keys()))) or 'nothing'})")
    kind = getattr(obj, "classname", type(obj).__name__)
    if kind.startswith("TH2"):
        write_th2(obj, a.out)
    elif kind.startswith(("TTree", "TNtuple", "ROOT::RNTuple")):
        write_tree(obj, a.out, a.m2, a.theta, a.weight)
    else:
        fail(f"{a.file}:{a.path} is a {kind}, not a TH2 or a TTree")


if __name__ == "__main__":
    main(sys.argv[1:])
