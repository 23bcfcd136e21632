"""Workspaces for the likelihood cross-check against pyhf.

Each case is a pyhf 1.0.0 workspace (a dict) covering one feature: every modifier type, one and
several channels, 1 to 100 bins, empty bins, a bin without background, signal present or absent
in the observations, parameters fixed and re-bounded by the measurement configuration. The
observations are drawn with a seeded numpy generator, so the cases are the same on every run.
"""

import numpy as np


def _ws(channels, observations, poi="mu", parameters=None, name="meas"):
    return {
        "channels": channels,
        "observations": [{"name": k, "data": [float(x) for x in v]} for k, v in observations.items()],
        "measurements": [{"name": name, "config": {"poi": poi, "parameters": parameters or []}}],
        "version": "1.0.0",
    }


def _obs(rng, expected):
    return rng.poisson(np.asarray(expected, dtype=float)).astype(float)


def _lst(a):
    return [float(x) for x in a]


def normfactor_single_bin(rng, signal_in_data):
    s, b = np.array([4.0]), np.array([20.0])
    ch = [{"name": "sr", "samples": [
        {"name": "signal", "data": _lst(s), "modifiers": [{"name": "mu", "type": "normfactor", "data": None}]},
        {"name": "background", "data": _lst(b), "modifiers": [{"name": "bkg_norm", "type": "normsys", "data": {"hi": 1.1, "lo": 0.92}}]},
    ]}]
    return _ws(ch, {"sr": _obs(rng, b + (2 * s if signal_in_data else 0))})


def shapesys_uncorrelated(rng, signal_in_data, nbins=2):
    # pyhf.simplemodels.uncorrelated_background, plus a bin with zero uncertainty (fixed gamma).
    s = np.linspace(5, 12, nbins)
    b = np.linspace(50, 60, nbins)
    u = 0.1 * b
    if nbins > 2:
        u[1] = 0.0
    ch = [{"name": "singlechannel", "samples": [
        {"name": "signal", "data": _lst(s), "modifiers": [{"name": "mu", "type": "normfactor", "data": None}]},
        {"name": "background", "data": _lst(b), "modifiers": [{"name": "uncorr_bkguncrt", "type": "shapesys", "data": _lst(u)}]},
    ]}]
    return _ws(ch, {"singlechannel": _obs(rng, b + (s if signal_in_data else 0))})


def histosys_correlated(rng, signal_in_data):
    s = np.array([12.0, 11.0, 4.0])
    b = np.array([50.0, 52.0, 30.0])
    ch = [{"name": "singlechannel", "samples": [
        {"name": "signal", "data": _lst(s), "modifiers": [{"name": "mu", "type": "normfactor", "data": None}]},
        {"name": "background", "data": _lst(b), "modifiers": [
            {"name": "cor_bkg", "type": "histosys", "data": {"hi_data": [58.0, 60.0, 33.0], "lo_data": [45.0, 46.0, 29.0]}}]},
    ]}]
    # Pull the histosys beyond +1 sigma in the data to exercise the linear extrapolation.
    return _ws(ch, {"singlechannel": _obs(rng, b * 1.25 + (s if signal_in_data else 0))})


def normsys_staterror_shared(rng, signal_in_data):
    s = np.array([1.0, 3.0, 6.0, 3.0, 1.0])
    b1 = np.array([20.0, 18.0, 16.0, 14.0, 12.0])
    b2 = np.array([5.0, 5.0, 0.0, 5.0, 5.0])  # a bin where only b1 and the signal live
    ch = [{"name": "sr", "samples": [
        {"name": "signal", "data": _lst(s), "modifiers": [
            {"name": "mu", "type": "normfactor", "data": None},
            {"name": "sig_eff", "type": "normsys", "data": {"hi": 1.05, "lo": 0.96}}]},
        {"name": "bkg_a", "data": _lst(b1), "modifiers": [
            {"name": "stat_sr", "type": "staterror", "data": _lst(np.sqrt(b1) * 0.3)},
            {"name": "xsec_a", "type": "normsys", "data": {"hi": 1.2, "lo": 0.7}}]},
        {"name": "bkg_b", "data": _lst(b2), "modifiers": [
            {"name": "stat_sr", "type": "staterror", "data": _lst(np.sqrt(b2) * 0.5)}]},
    ]}]
    return _ws(ch, {"sr": _obs(rng, b1 + b2 + (2 * s if signal_in_data else 0))})


def lumi_histosys_normsys_shared(rng, signal_in_data):
    s = np.array([2.0, 5.0, 5.0, 2.0])
    b = np.array([30.0, 25.0, 20.0, 15.0])
    ch = [{"name": "sr", "samples": [
        {"name": "signal", "data": _lst(s), "modifiers": [
            {"name": "mu", "type": "normfactor", "data": None},
            {"name": "lumi", "type": "lumi", "data": None},
            {"name": "jes", "type": "normsys", "data": {"hi": 1.03, "lo": 0.98}}]},
        {"name": "background", "data": _lst(b), "modifiers": [
            {"name": "lumi", "type": "lumi", "data": None},
            {"name": "jes", "type": "histosys", "data": {"hi_data": _lst(b * [1.05, 1.04, 1.02, 1.01]), "lo_data": _lst(b * [0.94, 0.97, 0.99, 1.0])}},
            {"name": "jes", "type": "normsys", "data": {"hi": 1.04, "lo": 0.95}},
            {"name": "stat_bkg", "type": "staterror", "data": _lst(0.05 * b)}]},
    ]}]
    params = [{"name": "lumi", "auxdata": [1.0], "sigmas": [0.017], "bounds": [[0.915, 1.085]], "inits": [1.0]}]
    return _ws(ch, {"sr": _obs(rng, b + (2 * s if signal_in_data else 0))}, parameters=params)


def shapefactor_two_channels(rng, signal_in_data):
    # A data-driven background shape shared by a signal and a control region (same binning).
    s = np.array([3.0, 6.0, 3.0])
    b_sr = np.array([10.0, 12.0, 9.0])
    b_cr = np.array([40.0, 50.0, 35.0])
    ch = [
        {"name": "sr", "samples": [
            {"name": "signal", "data": _lst(s), "modifiers": [{"name": "mu", "type": "normfactor", "data": None}]},
            {"name": "background", "data": _lst(b_sr), "modifiers": [{"name": "shape_bkg", "type": "shapefactor", "data": None}]}]},
        {"name": "cr", "samples": [
            {"name": "background", "data": _lst(b_cr), "modifiers": [{"name": "shape_bkg", "type": "shapefactor", "data": None},
                                                                  {"name": "cr_stat", "type": "shapesys", "data": _lst(0.05 * b_cr)}]}]},
    ]
    return _ws(ch, {"sr": _obs(rng, b_sr + (2 * s if signal_in_data else 0)), "cr": _obs(rng, b_cr)})


def multichannel(rng, signal_in_data):
    # Signal region (10 bins) and control region (5 bins), a background normalisation shared
    # by both, a staterror per channel, an empty signal-region bin, a fixed normsys.
    x = np.arange(10)
    s = 8 * np.exp(-0.5 * ((x - 4.5) / 1.2) ** 2)
    b = 15 - x
    b_cr = np.array([100.0, 90.0, 80.0, 70.0, 60.0])
    ch = [
        {"name": "SR", "samples": [
            {"name": "signal", "data": _lst(s), "modifiers": [{"name": "mu", "type": "normfactor", "data": None},
                                                             {"name": "theory", "type": "normsys", "data": {"hi": 1.1, "lo": 0.9}}]},
            {"name": "bkg", "data": _lst(b), "modifiers": [{"name": "bkg_norm", "type": "normfactor", "data": None},
                                                          {"name": "stat_SR", "type": "staterror", "data": _lst(0.1 * b)},
                                                          {"name": "frozen", "type": "normsys", "data": {"hi": 1.3, "lo": 0.8}}]}]},
        {"name": "CR", "samples": [
            {"name": "bkg", "data": _lst(b_cr), "modifiers": [{"name": "bkg_norm", "type": "normfactor", "data": None},
                                                             {"name": "stat_CR", "type": "staterror", "data": _lst(0.03 * b_cr)}]}]},
    ]
    obs_sr = _obs(rng, 1.1 * b + (2 * s if signal_in_data else 0))
    obs_sr[9] = 0.0
    params = [{"name": "frozen", "fixed": True, "inits": [0.5]}, {"name": "mu", "bounds": [[0.0, 20.0]], "inits": [0.5]}]
    return _ws(ch, {"SR": obs_sr, "CR": _obs(rng, 1.1 * b_cr)}, parameters=params)


def per_sample_staterror_window(rng, signal_in_data, m2_bins=4, theta_bins=3):
    # The search-window structure: one staterror name per sample (10% on signal, 8% on background).
    i = np.arange(m2_bins)
    sig_col = np.exp(-0.5 * ((i - (m2_bins - 1) / 2) / 1.0) ** 2)
    s = np.outer(sig_col, np.linspace(1, 2, theta_bins)).ravel() * 3
    b = np.outer(np.linspace(30, 20, m2_bins), np.ones(theta_bins) / theta_bins).ravel()
    s[0] = 0.0  # a bin without signal: its signal staterror has sigma 0 and is fixed, as pyhf does
    ch = [{"name": "window", "samples": [
        {"name": "signal", "data": _lst(s), "modifiers": [{"name": "mu", "type": "normfactor", "data": None},
                                                         {"name": "signal_shape", "type": "staterror", "data": _lst(0.1 * s)}]},
        {"name": "background", "data": _lst(b), "modifiers": [{"name": "background_norm", "type": "normfactor", "data": None},
                                                             {"name": "background_shape", "type": "staterror", "data": _lst(0.08 * b)}]},
    ]}]
    obs = _obs(rng, b + (2 * s if signal_in_data else 0))
    obs[-1] = 0.0  # an empty bin
    return _ws(ch, {"window": obs})


def signal_only_bin(rng, signal_in_data):
    # A bin with no background at all (only signal), shapesys on the background elsewhere.
    s = np.array([2.0, 4.0, 2.0])
    b = np.array([10.0, 0.0, 10.0])
    u = np.array([2.0, 0.0, 2.0])
    ch = [{"name": "c", "samples": [
        {"name": "signal", "data": _lst(s), "modifiers": [{"name": "mu", "type": "normfactor", "data": None}]},
        {"name": "background", "data": _lst(b), "modifiers": [{"name": "bkg_shape", "type": "shapesys", "data": _lst(u)}]},
    ]}]
    obs = _obs(rng, b + (s if signal_in_data else 0))
    if signal_in_data:
        obs[1] = max(obs[1], 1.0)
    return _ws(ch, {"c": obs})


def all_modifiers_two_channels(rng, signal_in_data):
    # (norm2 only in beta: on both channels it would be exactly degenerate with the shapefactor.)
    nb = 6
    x = np.arange(nb)
    s = 5 * np.exp(-0.5 * ((x - 2.5) / 1.0) ** 2)
    b1 = np.full(nb, 25.0)
    b2 = np.linspace(8, 3, nb)
    ch = [
        {"name": "alpha", "samples": [
            {"name": "sig", "data": _lst(s), "modifiers": [
                {"name": "mu", "type": "normfactor", "data": None}, {"name": "lumi", "type": "lumi", "data": None},
                {"name": "eff", "type": "normsys", "data": {"hi": 1.08, "lo": 0.9}},
                {"name": "sig_stat", "type": "staterror", "data": _lst(0.1 * s)}]},
            {"name": "bkg1", "data": _lst(b1), "modifiers": [
                {"name": "lumi", "type": "lumi", "data": None},
                {"name": "shape1", "type": "histosys", "data": {"hi_data": _lst(b1 + np.linspace(-2, 2, nb)), "lo_data": _lst(b1 - np.linspace(-1.5, 1.5, nb))}},
                {"name": "bkg1_stat", "type": "shapesys", "data": _lst(0.07 * b1)}]},
            {"name": "bkg2", "data": _lst(b2), "modifiers": [
                {"name": "free_shape", "type": "shapefactor", "data": None},
                {"name": "bkg2_stat", "type": "staterror", "data": _lst(0.1 * b2)}]}]},
        {"name": "beta", "samples": [
            {"name": "bkg2", "data": _lst(3 * b2), "modifiers": [
                {"name": "norm2", "type": "normfactor", "data": None},
                {"name": "free_shape", "type": "shapefactor", "data": None}]}]},
    ]
    params = [{"name": "lumi", "auxdata": [1.0], "sigmas": [0.02], "bounds": [[0.8, 1.2]], "inits": [1.0]},
              {"name": "shape1", "bounds": [[-4.0, 4.0]]}]
    return _ws(ch, {"alpha": _obs(rng, b1 + b2 + (2 * s if signal_in_data else 0)), "beta": _obs(rng, 3 * b2)},
               parameters=params)


def large_shapesys(rng, signal_in_data):
    return shapesys_uncorrelated(rng, signal_in_data, nbins=100)


CASES = [
    ("normfactor_1bin", normfactor_single_bin),
    ("shapesys_2bins", shapesys_uncorrelated),
    ("histosys_3bins", histosys_correlated),
    ("normsys_staterror_shared_5bins", normsys_staterror_shared),
    ("lumi_jes_shared_4bins", lumi_histosys_normsys_shared),
    ("shapefactor_sr_cr", shapefactor_two_channels),
    ("multichannel_fixed_param", multichannel),
    ("window_12bins", per_sample_staterror_window),
    ("signal_only_bin", signal_only_bin),
    ("all_modifiers_2channels", all_modifiers_two_channels),
    ("shapesys_100bins", large_shapesys),
]


def all_cases(seed=20240611):
    """(name, workspace) for every case, with and without signal in the observations."""
    rng = np.random.default_rng(seed)
    out = []
    for name, build in CASES:
        for signal_in_data in (False, True):
            out.append((f"{name}/{'sig' if signal_in_data else 'bkg'}", build(rng, signal_in_data)))
    return out
