/// Semantic checks of a parsed configuration: each names the field and the reason.
extension ExperimentConfig {
  func validate() throws {
    func fail(_ field: String, _ reason: String) -> ConfigError {
      ConfigError(source: sourceName, field: field, reason: reason)
    }
    func positive(_ v: Double, _ field: String) throws {
      guard v > 0 else { throw fail(field, "must be positive, got \(v)") }
    }
    func fraction(_ v: Double, _ field: String, upTo hi: Double = 1) throws {
      guard v >= 0, v <= hi else { throw fail(field, "must be between 0 and \(hi), got \(v)") }
    }

    try positive(beams.electronEnergy, "beams.electron_energy_gev")
    try positive(beams.positronEnergy, "beams.positron_energy_gev")
    try positive(beams.sqrtS, "beams.sqrt_s_gev")
    guard beams.boostBetaGamma >= 0, beams.boostBetaGamma < 10 else {
      throw fail("beams.boost_beta_gamma", "must be in [0, 10), got \(beams.boostBetaGamma)")
    }
    let sqrtSFromBeams = 2 * (beams.electronEnergy * beams.positronEnergy).squareRoot()
    guard abs(sqrtSFromBeams - beams.sqrtS) < 0.05 * beams.sqrtS else {
      throw fail("beams.sqrt_s_gev", "\(beams.sqrtS) GeV is inconsistent with the beam energies (2√(E−E+) = \(sqrtSFromBeams) GeV)")
    }
    try positive(luminosity.integrated, "luminosity.integrated_fb")
    try fraction(luminosity.relativeUncertainty, "luminosity.relative_uncertainty")
    guard resolution.thetaCMSigma >= 0, resolution.thetaCMSigma < 90 else {
      throw fail("resolution.theta_cm_sigma_deg", "must be in [0, 90), got \(resolution.thetaCMSigma)")
    }

    try positive(massGrid.minMass, "mass_grid.min_gev")
    guard massGrid.maxMass > massGrid.minMass else {
      throw fail("mass_grid.max_gev", "must exceed min_gev (\(massGrid.minMass)), got \(massGrid.maxMass)")
    }
    guard massGrid.maxMass < beams.sqrtS else {
      throw fail("mass_grid.max_gev", "must be below √s = \(beams.sqrtS) GeV, got \(massGrid.maxMass)")
    }
    guard massGrid.stepResolutionUnits >= 0.05, massGrid.stepResolutionUnits <= 100 else {
      throw fail("mass_grid.step_resolution_units", "must be in [0.05, 100], got \(massGrid.stepResolutionUnits)")
    }
    // The grid must stay of a size a study can run: estimate ∫ dM²/σ before building it.
    let m2lo = massGrid.minMass * massGrid.minMass, m2hi = massGrid.maxMass * massGrid.maxMass
    let minSigma = resolution.curve.values.min()! * massGrid.stepResolutionUnits
    guard (m2hi - m2lo) / minSigma < 200_000 else {
      throw fail("resolution.sigma_gev2", "the mass grid would have over 200,000 hypotheses; the resolution is too fine for the mass range")
    }

    guard window.m2Bins >= 2, window.m2Bins <= 200, window.m2Bins % 2 == 0 else {
      throw fail("window.m2_bins", "must be an even number from 2 to 200, got \(window.m2Bins)")
    }
    guard !window.thetaBinning.isEmpty else { throw fail("window.theta_binning", "needs at least one row") }
    for (i, row) in window.thetaBinning.enumerated() {
      let f = "window.theta_binning[\(i)]"
      if i > 0, row.m2Below <= window.thetaBinning[i - 1].m2Below {
        throw fail("\(f).m2_below_gev2", "rows must be in increasing m2_below_gev2")
      }
      guard row.edges.count >= 2, row.edges.count <= 37 else {
        throw fail("\(f).theta_cm_edges_deg", "needs 2 to 37 edges (1 to 36 bins), got \(row.edges.count)")
      }
      guard row.edges.first == 0, row.edges.last == 180 else {
        throw fail("\(f).theta_cm_edges_deg", "must start at 0 and end at 180 degrees")
      }
      for j in 1..<row.edges.count where row.edges[j] <= row.edges[j - 1] {
        throw fail("\(f).theta_cm_edges_deg[\(j)]", "edges must increase strictly")
      }
    }
    guard window.thetaBinning.last!.m2Below >= m2hi else {
      throw fail("window.theta_binning", "the last row's m2_below_gev2 (\(window.thetaBinning.last!.m2Below)) must cover the grid's top M² (\(m2hi))")
    }

    for (name, c) in [("selection", efficiency.selection), ("trigger", efficiency.trigger)] {
      for (i, v) in c.values.enumerated() {
        try fraction(v, "efficiency.\(name).values[\(i)]")
      }
    }

    guard !acceptance.regions.isEmpty else { throw fail("acceptance.regions", "needs at least one region") }
    for (i, reg) in acceptance.regions.enumerated() {
      let f = "acceptance.regions[\(i)]"
      if i > 0, reg.m2Below <= acceptance.regions[i - 1].m2Below {
        throw fail("\(f).m2_below_gev2", "regions must be in increasing m2_below_gev2")
      }
      guard reg.thetaLabRange.lowerBound >= 0, reg.thetaLabRange.upperBound <= 180 else {
        throw fail("\(f).theta_lab_range_deg", "angles must be within [0, 180]")
      }
    }
    guard acceptance.minRecoilPtCM >= 0 else { throw fail("acceptance.min_recoil_pt_cm_gev", "must not be negative") }

    let nRanges = systematics.m2RangeEdges.count - 1
    guard nRanges >= 1 else { throw fail("systematics.m2_range_edges_gev2", "needs at least two edges") }
    for j in 1...nRanges where systematics.m2RangeEdges[j] <= systematics.m2RangeEdges[j - 1] {
      throw fail("systematics.m2_range_edges_gev2[\(j)]", "edges must increase strictly")
    }
    for (key, v) in [("signal_efficiency", systematics.signalEfficiency), ("background_shape", systematics.backgroundShape)] {
      guard v.count == nRanges else {
        throw fail("systematics.\(key)", "needs one value per M² range (\(nRanges)), got \(v.count)")
      }
      for (i, x) in v.enumerated() { try fraction(x, "systematics.\(key)[\(i)]", upTo: 10) }
    }
    try fraction(systematics.signalShape, "systematics.signal_shape", upTo: 10)
    try fraction(systematics.photonVeto.below, "systematics.photon_veto.below", upTo: 10)
    try fraction(systematics.photonVeto.above, "systematics.photon_veto.above", upTo: 10)
    try fraction(systematics.luminosity, "systematics.luminosity")

    let p = processes
    guard p.signal.thetaCMA >= -1, p.signal.thetaCMA <= 10 else {
      throw fail("processes.signal.theta_cm_a", "must be in [−1, 10] so that 1 + a·cos²θ stays non-negative, got \(p.signal.thetaCMA)")
    }
    try fraction(p.signal.widthFraction, "processes.signal.width_fraction", upTo: 1)
    for (field, y) in [("processes.mumu.single_photon.yield", p.mumu.singlePhoton.yield),
                       ("processes.mumu.gap_bands.yield", p.mumu.gapBands.yield),
                       ("processes.tautau.yield", p.tautau.yield), ("processes.eemumu.yield", p.eemumu.yield)] {
      guard y >= 0, y <= 1e9 else { throw fail(field, "must be between 0 and 1e9 events, got \(y)") }
    }
    for (field, b) in [("processes.mumu.single_photon.collinearity_b", p.mumu.singlePhoton.collinearityB),
                       ("processes.eemumu.collinearity_b", p.eemumu.collinearityB)] {
      guard b >= 0, b < 1 else { throw fail(field, "must be in [0, 1), got \(b)") }
    }
    for (field, s) in [("processes.mumu.gap_bands.m2_slope_gev2", p.mumu.gapBands.m2Slope),
                       ("processes.tautau.m2_slope_gev2", p.tautau.m2Slope), ("processes.eemumu.m2_slope_gev2", p.eemumu.m2Slope)] {
      try positive(s, field)
    }
    guard p.mumu.singlePhoton.energyRange.lowerBound > 0 else {
      throw fail("processes.mumu.single_photon.energy_range_gev", "energies must be positive")
    }
    guard p.mumu.gapBands.gapPhotonEnergyRange.lowerBound > 0 else {
      throw fail("processes.mumu.gap_bands.gap_photon_energy_range_gev", "energies must be positive")
    }
    for (field, r) in [("processes.tautau.mumu_mass_range_gev", p.tautau.mumuMassRange), ("processes.eemumu.mumu_mass_range_gev", p.eemumu.mumuMassRange)] {
      guard r.lowerBound >= 0, r.upperBound < beams.sqrtS else { throw fail(field, "must lie in [0, √s)") }
    }
  }
}
