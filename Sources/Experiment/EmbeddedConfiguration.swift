// Generated from toys/belle2-2019-2020.yaml by `make embed-config`; a test keeps them identical.
// Edit the YAML file, then run `make embed-config`.
enum EmbeddedConfiguration {
  static let belle2_2019_2020 = #"""
# ZPrimeToys experiment configuration — Belle II 2019–2020 search for an invisible Z′ in
# e+e− → µ+µ−Z′ (79.7 fb⁻¹ at √s = 10.58 GeV; Belle II, Phys. Rev. Lett. 130, 231801 (2023), "the
# paper"). Every number is from the paper unless its comment says "calibrated" or "model".
# Units: energies and masses in GeV, squared masses in GeV², angles in degrees, luminosity in fb⁻¹.
# The schema is documented in toys/CONFIGURATION.md; `zptoys config show` prints this file and
# `zptoys config check FILE` validates a user's own.
schema_version: 2
name: belle2-2019-2020

beams:
  electron_energy_gev: 7.0          # e− along +z, the detector axis
  positron_energy_gev: 4.0
  sqrt_s_gev: 10.58                 # Υ(4S)
  boost_beta_gamma: 0.28            # c.m. boost along +z (the 83 mrad crossing angle is neglected)

luminosity:
  integrated_fb: 79.7
  relative_uncertainty: 0.01

# Signal M²_recoil resolution σ(M²) [GeV²]: piecewise linear through the knots, constant outside.
# Paper: maximum 0.23 GeV² at M² = 9 GeV², minimum 0.06 GeV² at 80 GeV². The value at M² = 0 and
# the knot at 71.3 GeV² are calibrated so that the mass grid below reproduces the paper's
# 582 hypotheses with steps of 3.6 to 202 MeV (the paper: 582, "3 to 202 MeV").
resolution:
  m2_knots_gev2: [0.0, 9.0, 71.3, 80.0]
  sigma_gev2: [0.045, 0.23, 0.0618, 0.06]
  theta_cm_sigma_deg: 0.5           # model: angular resolution of the recoil direction

# Mass hypotheses: from min to max in steps of one resolution unit in M²:
# M²(i+1) = M²(i) + step_resolution_units · σ(M²(i)).
mass_grid:
  min_gev: 0.01
  max_gev: 8.5
  step_resolution_units: 1.0

# Search windows: m2_bins bins in M², each one resolution unit wide (the bin edges are the
# hypothesis grid extended past both ends), centred on the hypothesis; θ_cm_recoil binning from
# the table below by the hypothesis' M² (the first row whose m2_below_gev2 exceeds it).
# Five θ bins at low M², down to one at high M² (paper); the edges follow the µµ(γ) bands (model).
window:
  m2_bins: 20
  theta_binning:
    - m2_below_gev2: 1.0               # single-photon µµ(γ): no bands
      theta_cm_edges_deg: [0, 60, 80, 100, 120, 180]
    - m2_below_gev2: 9.0               # bands near 41°–55° and 128°–140°
      theta_cm_edges_deg: [0, 40, 56, 90, 127, 180]
    - m2_below_gev2: 25.0              # bands swinging towards 90°
      theta_cm_edges_deg: [0, 50, 80, 100, 130, 180]
    - m2_below_gev2: 50.0              # bands merging near 90°
      theta_cm_edges_deg: [0, 75, 105, 180]
    - m2_below_gev2: 64.0
      theta_cm_edges_deg: [0, 90, 180]
    - m2_below_gev2: 1000.0            # eeµµ region: one bin
      theta_cm_edges_deg: [0, 180]

# Signal efficiency = selection(M²) × trigger(M²) × geometric acceptance (below, computed by the
# generator). Trigger: two-track trigger efficiency rising from 89% to 93% with M² (paper).
# Selection: all other criteria (muon ID, Punzi-net, photon veto, …); calibrated so that the total
# is ≈ 5%, "nearly uniform as a function of M²" (paper), given the generator's acceptance with the
# matrix-element kinematics (25% at M = 0.01 GeV, where the recoil follows the beams, 52–65% from
# 0.2 to 1.5 GeV, 86–93% above 3 GeV): the total is 4.9–5.1% at every mass checked.
efficiency:
  selection:
    m2_knots_gev2: [0.0, 0.045, 0.25, 2.3, 4.0, 9.0, 36.0, 64.0]
    values: [0.230, 0.108, 0.0917, 0.0842, 0.0745, 0.0647, 0.0598, 0.0604]
  trigger:
    m2_knots_gev2: [0.0, 80.0]
    values: [0.89, 0.93]

# Acceptance rules on the reconstructed recoil (paper): θ_recoil (lab) in the ECL barrel
# [34°, 123°] and outside the [89°, 91°] gap for M² < 4 GeV²; θ_recoil < 123° above; the transverse
# recoil momentum in the c.m. frame above 0.5 GeV.
acceptance:
  regions:
    - m2_below_gev2: 4.0
      theta_lab_range_deg: [34.0, 123.0]
      theta_lab_excluded_deg: [[89.0, 91.0]]
    - m2_below_gev2: 1000.0
      theta_lab_range_deg: [0.0, 123.0]
      theta_lab_excluded_deg: []
  min_recoil_pt_cm_gev: 0.5

# Belle II ECL polar-angle coverage (lab): the µµ(γ) bands come from photons lost into the gaps
# between the barrel and the endcaps.
calorimeter:
  forward_endcap_deg: [12.4, 31.4]
  barrel_deg: [32.2, 128.7]
  backward_endcap_deg: [130.7, 155.1]

# Systematic uncertainties (paper). Each is one pyhf modifier; the signal and every background
# list the ones they carry (`systematics:` below), so the search window's likelihood follows from
# this file. Relative sizes are one `value` or a step function of M²: `m2_edges_gev2` with one
# value per range (outside the edges: the nearest range), read at the hypothesis' M² (normsys) or
# at each window bin's centre (staterror). A staterror's size is relative to the summed yield of
# the samples that carry it (pyhf's staterror). `lumi` is Gaussian with the width
# luminosity.relative_uncertainty; a normfactor is free within its bounds.
systematics:
  signal_shape:                         # per bin, uncorrelated, Gaussian
    modifier: staterror
    value: 0.10
  signal_efficiency:                    # per M² range [−0.5, 9], [9, 36], [36, 81] GeV²
    modifier: normsys
    m2_edges_gev2: [-0.5, 9.0, 36.0, 81.0]
    values: [0.027, 0.065, 0.083]
  lumi:
    modifier: lumi
  background_norm:                      # model: the background normalisation floats freely
    modifier: normfactor
    bounds: [0.0, 10.0]
  background_shape:                     # per bin, uncorrelated, Gaussian, per M² range
    modifier: staterror
    m2_edges_gev2: [-0.5, 9.0, 36.0, 81.0]
    values: [0.032, 0.086, 0.25]
  photon_veto:                          # per bin on the µµ(γ) part: 34% below 1 GeV², 5% above
    modifier: staterror
    m2_edges_gev2: [-0.5, 1.0, 81.0]
    values: [0.34, 0.05]

# The Z′ signal: its kinematics (smeared by the resolution, passed through the acceptance; the
# yield per fb is L·efficiency·acceptance) and its systematics. Its sample in every search window
# is `signal`, scaled by the parameter of interest sigma_fb (the cross section in fb).
signal:
  # The Z′ c.m. energy and polar angle: from the tree-level matrix element with the muon mass
  # kept (matrix-element), or parametric: the x_Z′ spectrum of the massless-muon formula
  # (the Lµ−Lτ radiation function) and dN/dcosθ* ∝ 1 + a·cos²θ* with a = theta_cm_a. Boosted to
  # the lab.
  kinematics: matrix-element
  theta_cm_a: 1.0
  width_fraction: 0.0               # Γ/M; the wide-Z′ benchmark is 0.1 (--width-fraction)
  systematics: [signal_shape, signal_efficiency, lumi]

# Background processes: each a list of components, densities in (M²_recoil, θ_cm_recoil) at truth
# level from a shape family with its parameters (the families are listed in toys/CONFIGURATION.md),
# smeared by the resolution, then passed through the acceptance. Yields are expected events after
# the full selection at the configured luminosity. Processes with the same `sample` are summed
# into one sample of the search window's likelihood (so they share its systematics, which must
# then be the same list). The order of the list is the order of the samples and of the template
# Monte Carlo's random streams.
#
# Calibration of the yields (2026-11-25, `zptoys limit --mass M`, asymptotic CLs, 90% CL, median
# expected, template MC seed 20200101): the paper's sensitivity (σ limits as small as ≈ 0.2 fb,
# with the tree-level σ: 5–10 fb below 0.3 GeV, a minimum of ≈ 0.2–0.5 fb in 1–6 GeV, 20–50 fb at
# 8 GeV) with the paper's composition (µµ(γ) below 50 GeV², ττ(γ) nearly removed, eeµµ dominant
# above 50 GeV²) gives
#   M [GeV]      0.01   0.2   0.3   0.5   1.0   1.5   2.0   3.0   4.0   5.0   6.0   7.0   8.0   8.4
#   median [fb]  8.8    2.4   0.99  0.39  0.42  0.52  0.71  0.99  1.05  2.2   3.8   7.6   28    35
backgrounds:
  - name: mumu
    label: "µ^{+}µ^{−}(γ)"
    sample: mumu
    systematics: [background_norm, background_shape, photon_veto]
    components:
      # Single undetected photon: M² = 0, photon energy dN/dE ∝ 1/E, direction dN/dcosθ* ∝
      # 1/(1 − b²cos²θ*) (collinear emission). Calibrated yield.
      - shape: single-photon
        yield: 40.0
        energy_range_gev: [0.5, 5.0]
        collinearity_b: 0.95
      # Two photons, one along a beam (lost), one into a barrel–endcap gap: the recoil is their
      # sum. Gap photon energy dN/dE ∝ 1/E in the range (model); M² exponential with the slope;
      # the beam photon's energy follows from M².
      - shape: gap-bands
        yield: 60.0
        m2_range_gev2: [1.0, 50.0]
        m2_slope_gev2: 12.0
        gap_photon_energy_range_gev: [3.0, 5.0]
  - name: tautau
    label: "τ^{+}τ^{−}(γ)"
    sample: other_background
    systematics: [background_norm, background_shape]
    components:
      # Residual τ+τ−(γ) below ≈ 50 GeV²: M² ∝ M²·exp(−M²/slope), dN/dcosθ* ∝ 1 + cos²θ*;
      # µµ invariant mass uniform in the range (sets the recoil momentum). Calibrated yield.
      - shape: continuum
        yield: 60.0
        m2_law: gamma2
        m2_range_gev2: [0.0, 60.0]
        m2_slope_gev2: 10.0
        theta_cm_a: 1.0
        mumu_mass_range_gev: [0.5, 5.0]
  - name: eemumu
    label: "e^{+}e^{−}µ^{+}µ^{−}"
    sample: other_background
    systematics: [background_norm, background_shape]
    components:
      # Two-photon e+e−µ+µ−, electrons lost along the beams: M² rising exponentially up to the
      # kinematic limit, dN/dcosθ* ∝ 1/(1 − b²cos²θ*); low µµ invariant mass. Calibrated yield.
      - shape: continuum
        yield: 120000.0
        m2_law: rising-exponential
        m2_range_gev2: [20.0, 100.0]
        m2_slope_gev2: 10.0
        collinearity_b: 0.9
        mumu_mass_range_gev: [0.3, 2.5]

# What `zptoys run` does with this configuration: the paper's study. `full` is the default,
# `quick` (`zptoys run --quick`) the same steps with fewer toys and template events.
default_study:
  cl: 0.9
  rule: fc                                # cls, clsb or fc
  method: toys                            # toys (a toy Neyman belt per hypothesis) or asymptotic
  observed_local_z: 2.8                   # the paper's largest local excess (at 2.352 GeV)
  summary_masses_gev: [0.1, 0.5, 1.0, 2.0, 2.352, 4.0, 6.0, 8.0]
  coverage_masses_gev: [0.5, 2.352, 8.0]
  coverage_signals_fb: [0.0, 2.0, 40.0]   # background only, and signals at the limits' scale
  wide_width_fraction: 0.1                # the wide-Z′ benchmark: Γ = 0.1·M
  full:
    brazil_toys: 100                      # background-only pseudo-experiments per hypothesis
    belt_toys: 500                        # pseudo-experiments per µ point of each belt
    lee_toys: 500                         # toy scans of the whole spectrum
    coverage_toys: 300                    # pseudo-experiments per coverage point
    template_background_events: 1000000   # template Monte Carlo per background process
    template_signal_events: 100000        # template Monte Carlo per signal hypothesis
    wide_benchmark: true
  quick:
    brazil_toys: 10
    belt_toys: 100
    lee_toys: 30
    coverage_toys: 60
    template_background_events: 300000
    template_signal_events: 20000
    wide_benchmark: false

"""#
}
