"""Random, valid pyhf workspaces for differential testing (zptoys against pyhf 0.7.6).

`random_case(seed)` returns one case: a pyhf 1.0.0 workspace (a dict that pyhf's schema
accepts) and the POI values to test it at. The seed fixes everything, so a case is rebuilt from
its seed alone (`python -m differential.generate SEED > case.json`).

What the cases cover (every modifier type and measurement option zptoys reads):
- one to four channels, 1 to 200 bins in all (mostly few, sometimes many);
- yields tiny (1e-3), ordinary, huge (1e6), and zero in single bins of single samples — now and
  then a bin with nothing expected and nothing observed;
- modifiers: normfactor (the POI and free background normalisations), normsys (symmetric,
  asymmetric, one-sided: hi and lo on the same side of 1), histosys (also one-sided, and sharing
  its name with a normsys), lumi, staterror (shared by several samples), shapesys (with
  zero-uncertainty bins), shapefactor (a control channel);
- modifiers shared between samples and channels;
- measurement configuration: POI bounds (also a negative lower bound), custom inits and bounds,
  fixed parameters, lumi's auxdata/sigmas;
- observations: Poisson around the model at a random truth, or far from it (scaled by 0.05–20,
  or zeros), which pushes parameters to their bounds.
"""

import json
import sys

import numpy as np

POI = "mu"


def _lst(a):
    return [float(x) for x in a]


def _bins(rng):
    """Bins per channel: mostly few, sometimes many, at most 200 in all."""
    nch = int(rng.choice([1, 1, 1, 2, 2, 3, 4]))
    size = rng.choice(["few", "some", "many"], p=[0.7, 0.26, 0.04])
    top = {"few": 6, "some": 30, "many": 200}[size]
    per = [int(np.exp(rng.uniform(0, np.log(top + 1)))) for _ in range(nch)]
    per = [max(1, n) for n in per]
    while sum(per) > 200:
        i = int(np.argmax(per))
        per[i] = max(1, per[i] // 2)
    return per


def _scale(rng):
    """The typical yield of a case: tiny, ordinary or huge."""
    kind = rng.choice(["tiny", "ordinary", "huge"], p=[0.1, 0.8, 0.1])
    if kind == "tiny":
        return float(10 ** rng.uniform(-3, 0))
    if kind == "huge":
        return float(10 ** rng.uniform(4, 6))
    return float(10 ** rng.uniform(0, 3))


def _shape(rng, n, scale):
    """A nominal histogram: a smooth shape times the scale, with random zeros."""
    x = np.linspace(0, 1, n)
    shape = np.exp(-rng.uniform(0, 3) * x) * (1 + rng.uniform(-0.3, 0.3, n))
    h = scale * shape * 10 ** rng.uniform(-0.5, 0.5)
    if n > 1 and rng.random() < 0.15:
        h[rng.integers(n)] = 0.0
    return np.maximum(h, 0.0)


def _normsys(rng):
    kind = rng.choice(["symmetric", "asymmetric", "one-sided", "large"], p=[0.35, 0.35, 0.2, 0.1])
    if kind == "symmetric":
        d = rng.uniform(0.01, 0.3)
        return {"hi": 1 + d, "lo": 1 - d}
    if kind == "asymmetric":
        return {"hi": 1 + rng.uniform(0.01, 0.4), "lo": 1 - rng.uniform(0.01, 0.4)}
    if kind == "one-sided":  # hi and lo on the same side of 1: a double-welled likelihood
        a, b = sorted(rng.uniform(0.01, 0.3, 2))
        side = 1 if rng.random() < 0.5 else -1
        return {"hi": 1 + side * b, "lo": 1 + side * a}
    return {"hi": 1 + rng.uniform(0.5, 2.0), "lo": 1 / (1 + rng.uniform(0.5, 2.0))}


def _histosys(rng, nom):
    n = len(nom)
    kind = rng.choice(["symmetric", "asymmetric", "one-sided"], p=[0.4, 0.4, 0.2])
    slope = np.linspace(-1, 1, n) * rng.uniform(0, 1)
    d_hi = rng.uniform(0.01, 0.15) * (1 + slope)
    d_lo = d_hi if kind == "symmetric" else rng.uniform(0.01, 0.15) * (1 - slope)
    hi = nom * (1 + d_hi)
    lo = nom * (1 - d_lo) if kind != "one-sided" else nom * (1 + 0.5 * d_lo)
    return {"hi_data": _lst(np.maximum(hi, 0)), "lo_data": _lst(np.maximum(lo, 0))}


def _background_modifiers(rng, ch, si, nom, shared):
    mods = []
    per_bin = shared["per_bin"]
    if rng.random() < 0.6:
        name = shared["normsys"] if rng.random() < 0.5 else f"ns_{ch}_{si}"
        mods.append({"name": name, "type": "normsys", "data": _normsys(rng)})
    if rng.random() < 0.35:
        name = shared["histosys"] if rng.random() < 0.5 else f"hs_{ch}_{si}"
        if rng.random() < 0.15:
            name = shared["normsys"]  # a normsys and a histosys sharing one parameter
        if not any(m["name"] == name and m["type"] == "histosys" for m in mods):
            mods.append({"name": name, "type": "histosys", "data": _histosys(rng, nom)})
    if per_bin and rng.random() < 0.35:
        rel = 10 ** rng.uniform(-2.5, -0.5)
        mods.append({"name": f"staterror_{ch}", "type": "staterror", "data": _lst(rel * nom + rel * rng.random() * np.sqrt(nom))})
    elif per_bin and rng.random() < 0.25:
        rel = 10 ** rng.uniform(-2, -0.3)
        unc = rel * nom
        if len(nom) > 1 and rng.random() < 0.3:
            unc[rng.integers(len(nom))] = 0.0  # a bin without uncertainty: its gamma is fixed
        mods.append({"name": f"shapesys_{ch}_{si}", "type": "shapesys", "data": _lst(unc)})
    if rng.random() < 0.15:
        mods.append({"name": shared["bkg_norm"] if rng.random() < 0.5 else f"norm_{ch}_{si}", "type": "normfactor", "data": None})
    if shared["lumi"] and rng.random() < 0.7:
        mods.append({"name": "lumi", "type": "lumi", "data": None})
    return mods


def _signal_modifiers(rng, ch, nom, shared):
    mods = [{"name": POI, "type": "normfactor", "data": None}]
    if rng.random() < 0.3:
        mods.append({"name": "sig_eff", "type": "normsys", "data": _normsys(rng)})
    if rng.random() < 0.15:
        mods.append({"name": f"sig_shape_{ch}", "type": "histosys", "data": _histosys(rng, nom)})
    if shared["per_bin"] and rng.random() < 0.2:
        rel = 10 ** rng.uniform(-2, -0.5)
        mods.append({"name": f"staterror_{ch}", "type": "staterror", "data": _lst(rel * nom)})
    if shared["lumi"]:
        mods.append({"name": "lumi", "type": "lumi", "data": None})
    return mods


def _channels(rng, per, scale, shared):
    channels, truth_parts = [], []
    signal_channels = set(range(len(per))) if rng.random() < 0.5 else {0}
    for ch, n in enumerate(per):
        samples = []
        if ch in signal_channels:
            sig = _shape(rng, n, scale * 10 ** rng.uniform(-1.5, 0.3))
            if n > 2:  # a peak
                sig *= np.exp(-0.5 * ((np.arange(n) - rng.uniform(0, n)) / max(1.0, n / 6)) ** 2) * 2
            samples.append({"name": "signal", "data": _lst(sig), "modifiers": _signal_modifiers(rng, ch, sig, shared)})
        for si in range(int(rng.integers(1, 4))):
            nom = _shape(rng, n, scale)
            samples.append({"name": f"bkg{si}", "data": _lst(nom), "modifiers": _background_modifiers(rng, ch, si, nom, shared)})
        if ch == len(per) - 1 and len(per) > 1 and shared["per_bin"] and rng.random() < 0.3:
            # A control channel whose background shape is free per bin (shapefactor).
            samples[-1]["modifiers"].append({"name": f"sf_{ch}", "type": "shapefactor", "data": None})
        if rng.random() < 0.05:
            for s in samples:  # a bin with nothing expected (and, below, nothing observed)
                s["data"][0] = 0.0
                for m in s["modifiers"]:
                    if m["type"] == "histosys":
                        m["data"]["hi_data"][0] = m["data"]["lo_data"][0] = 0.0
        channels.append({"name": f"ch{ch}", "samples": samples})
    return channels


def _observations(rng, channels, scale):
    obs = []
    mu_true = float(rng.choice([0.0, 1.0, rng.uniform(0, 5)]))
    far = rng.random() < 0.2
    for c in channels:
        n = len(c["samples"][0]["data"])
        expected = np.zeros(n)
        for s in c["samples"]:
            expected += np.asarray(s["data"]) * (mu_true if s["name"] == "signal" else 1.0)
        if far:
            expected *= float(rng.choice([0.0, 0.05, 0.2, 5.0, 20.0]))
        data = rng.poisson(np.maximum(expected, 0)).astype(float)
        nominal = sum(np.asarray(s["data"]) for s in c["samples"])
        data[nominal == 0] = 0.0  # observed events where nothing is expected is not a valid model
        obs.append({"name": c["name"], "data": _lst(data)})
    return obs, mu_true


def _parameter_config(rng, channels, shared):
    names = {}
    for c in channels:
        for s in c["samples"]:
            for m in s["modifiers"]:
                names.setdefault(m["name"], m["type"])
    params = []
    bound_kind = rng.choice(["default", "wide", "narrow", "negative"], p=[0.55, 0.2, 0.15, 0.1])
    poi = {"name": POI}
    if bound_kind == "wide":
        poi["bounds"] = [[0.0, float(rng.choice([20.0, 50.0, 100.0]))]]
    elif bound_kind == "narrow":
        poi["bounds"] = [[0.0, float(rng.uniform(1.5, 5))]]
    elif bound_kind == "negative":
        poi["bounds"] = [[-float(rng.uniform(1, 10)), 10.0]]
    if rng.random() < 0.2:
        lo, hi = poi.get("bounds", [[0.0, 10.0]])[0]
        lo = max(lo, 0.0)  # a negative start would make the signal yields negative
        poi["inits"] = [float(rng.uniform(lo, min(hi, lo + 3)))]
    if len(poi) > 1:
        params.append(poi)
    if shared["lumi"]:
        sigma = float(rng.choice([0.01, 0.02, 0.05, 0.1]))
        params.append({"name": "lumi", "auxdata": [1.0], "sigmas": [sigma], "bounds": [[0.5, 1.5]], "inits": [1.0]})
    for name, kind in names.items():
        if name in (POI, "lumi") or rng.random() > 0.25:
            continue
        cfg = {"name": name}
        if kind in ("normsys", "histosys"):
            choice = rng.choice(["fixed", "bounds", "inits", "fixed-init"])
            if choice == "fixed":
                cfg["fixed"] = True
            elif choice == "bounds":
                cfg["bounds"] = [[-float(rng.uniform(1, 5)), float(rng.uniform(1, 5))]]
            elif choice == "inits":
                cfg["inits"] = [float(rng.uniform(-2, 2))]
            else:
                cfg["fixed"] = True
                cfg["inits"] = [float(rng.uniform(-1, 1))]
        elif kind == "normfactor":
            choice = rng.choice(["fixed", "bounds", "inits"])
            if choice == "fixed":
                cfg["fixed"] = True
                cfg["inits"] = [float(rng.uniform(0.5, 1.5))]
            elif choice == "bounds":
                cfg["bounds"] = [[float(rng.uniform(0, 0.9)), float(rng.uniform(1.1, 5))]]
            else:
                cfg["inits"] = [float(rng.uniform(0.5, 2))]
        else:
            continue  # per-bin sets keep their defaults (their sizes depend on the channels)
        params.append(cfg)
    return params


def random_case(seed):
    """One random case: {"seed", "workspace", "poi_values", "mu_true"}."""
    rng = np.random.default_rng([20240611, seed])
    per = _bins(rng)
    scale = _scale(rng)
    shared = {"normsys": "ns_shared", "histosys": "hs_shared", "bkg_norm": "norm_shared", "lumi": rng.random() < 0.3,
              # Per-bin parameters (staterror, shapesys, shapefactor) in every case up to 20 bins,
              # in a tenth of the larger ones: pyhf's numerical gradient makes those slow.
              "per_bin": sum(per) <= 20 or rng.random() < 0.1}
    channels = _channels(rng, per, scale, shared)
    observations, mu_true = _observations(rng, channels, scale)
    params = _parameter_config(rng, channels, shared)
    ws = {
        "channels": channels,
        "observations": observations,
        "measurements": [{"name": "meas", "config": {"poi": POI, "parameters": params}}],
        "version": "1.0.0",
    }
    bounds = next((p["bounds"][0] for p in params if p["name"] == POI and "bounds" in p), [0.0, 10.0])
    lo, hi = bounds
    candidates = [max(lo, 0.0), 1.0, float(rng.uniform(max(lo, 0.0), min(hi, 5.0)))]
    poi_values = sorted({round(v, 6) for v in candidates if lo <= v <= hi})
    return {"seed": seed, "workspace": ws, "poi_values": poi_values, "mu_true": mu_true}


if __name__ == "__main__":
    json.dump(random_case(int(sys.argv[1]))["workspace"], sys.stdout, indent=1)
    print()
