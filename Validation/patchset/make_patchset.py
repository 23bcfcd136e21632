#!/usr/bin/env python3
"""A published likelihood of the Z′ search in HEPData's form: a background-only pyhf workspace
and a pyhf patchset of signal hypotheses, made from zptoys' own search windows.

The background-only workspace is the search window of hypothesis `--index` (`zptoys workspace
--data toy`) without its signal sample; patch j (for the hypotheses index−K … index+K) adds the
signal sample of hypothesis j, shifted into that window's bins. Windows are runs of the global M²
bins (window i spans global bins i … i+19), so hypothesis j's template in window j's bin b is
window i's bin b + (j − i); bins of window i that window j does not cover get zptoys' signal
floor (1e-9 per fb). At high mass (M ≳ 8 GeV, one θ bin per window) every window has the same
θ binning, so the shift is exact. The patch of hypothesis `--index` itself rebuilds zptoys' window
workspace exactly. The digest is pyhf's (`pyhf.utils.digest`: SHA-256 of
`json.dumps(ws, sort_keys=True, ensure_ascii=False)`), computed here with the standard library.

Usage: make_patchset.py --out DIR [--index 506] [--half-width 4] [--zptoys PATH]
Writes DIR/BkgOnly.json and DIR/patchset.json. Needs only Python 3 and zptoys.
"""
import argparse
import hashlib
import json
import os
import subprocess
import tempfile

MC = ["--mc-background-events", "100000", "--mc-signal-events", "20000"]
SIGNAL_FLOOR = 1e-9


def zptoys_path(given):
    if given:
        return given
    if os.environ.get("ZPTOYS"):
        return os.environ["ZPTOYS"]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(root, ".build", "release", "zptoys")


def window(zptoys, index, tmp):
    path = os.path.join(tmp, f"w{index}.json")
    subprocess.run([zptoys, "workspace", "--index", str(index), "--data", "toy", "--seed", "3", *MC, "--out", path],
                   check=True, capture_output=True, text=True)
    with open(path) as f:
        return json.load(f)


def digest(ws):
    return hashlib.sha256(json.dumps(ws, sort_keys=True, ensure_ascii=False).encode("utf8")).hexdigest()


def shifted_signal(sample, shift):
    """Window j's signal sample in window i's bins (shift = j − i)."""
    n = len(sample["data"])
    data = [sample["data"][b + shift] if 0 <= b + shift < n else SIGNAL_FLOOR for b in range(n)]
    out = json.loads(json.dumps(sample))
    out["data"] = data
    for m in out["modifiers"]:
        if m["type"] == "staterror":  # signal_shape: 10% of the signal per bin
            old = sample["data"]
            rel = [m["data"][b] / old[b] if old[b] > 0 else 0.1 for b in range(n)]
            m["data"] = [data[b] * rel[min(max(b + shift, 0), n - 1)] for b in range(n)]
    return out


def build(zptoys, index, half_width, tmp):
    centre = window(zptoys, index, tmp)
    bkg = json.loads(json.dumps(centre))
    channel = bkg["channels"][0]
    assert channel["samples"][0]["name"] == "signal"
    del channel["samples"][0]
    bkg["measurements"][0]["name"] = "zprime_search"
    grid = json.loads(subprocess.run([zptoys, "grid", "--json"], check=True, capture_output=True, text=True).stdout)["hypotheses"]
    patches = []
    for j in range(index - half_width, index + half_width + 1):
        sample = window(zptoys, j, tmp)["channels"][0]["samples"][0] if j != index else centre["channels"][0]["samples"][0]
        mass = grid[j]["mass_gev"]
        patches.append({
            "metadata": {"name": f"zprime_m{mass:.4f}".replace(".", "p"), "values": [round(mass, 6)]},
            "patch": [{"op": "add", "path": "/channels/0/samples/0", "value": shifted_signal(sample, j - index)}],
        })
    patchset = {
        "metadata": {
            "description": f"Invisible Z' signal hypotheses {index - half_width}-{index + half_width} in the search window of hypothesis {index} (ZPrimeToys, 79.7 fb^-1 model)",
            "digests": {"sha256": digest(bkg)},
            "labels": ["mass_gev"],
            "references": {"hepdata": "ins0000000"},
        },
        "patches": patches,
        "version": "1.0.0",
    }
    return bkg, patchset


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--index", type=int, default=506)
    ap.add_argument("--half-width", type=int, default=4)
    ap.add_argument("--zptoys")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        bkg, ps = build(zptoys_path(a.zptoys), a.index, a.half_width, tmp)
    for name, obj in (("BkgOnly.json", bkg), ("patchset.json", ps)):
        with open(os.path.join(a.out, name), "w") as f:
            json.dump(obj, f, indent=1)
            f.write("\n")
    print(f"wrote {a.out}/BkgOnly.json and {a.out}/patchset.json ({len(ps['patches'])} patches)")


if __name__ == "__main__":
    main()
