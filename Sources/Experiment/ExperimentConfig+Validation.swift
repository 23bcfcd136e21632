/// Semantic checks of a parsed configuration: each names the field and the reason.
extension ExperimentConfig {
  func validate() throws {
    try validateDetector()
    try validateBinningAndAcceptance()
    try validateProcesses()
  }

  func fraction(_ v: Double, _ field: String, upTo hi: Double = 1) throws {
    guard v >= 0, v <= hi else { throw ConfigError(source: sourceName, field: field, reason: "must be between 0 and \(hi), got \(v)") }
  }

  /// Beams, luminosity, resolution and mass grid.
  func validateDetector() throws {
    func fail(_ field: String, _ reason: String) -> ConfigError {
      ConfigError(source: sourceName, field: field, reason: reason)
    }
    func positive(_ v: Double, _ field: String) throws {
      guard v > 0 else { throw fail(field, "must be positive, got \(v)") }
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
  }

  /// Window binning, efficiency curves and acceptance regions.
  func validateBinningAndAcceptance() throws {
    func fail(_ field: String, _ reason: String) -> ConfigError {
      ConfigError(source: sourceName, field: field, reason: reason)
    }
    let m2hi = massGrid.maxMass * massGrid.maxMass
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

  }

  /// Names are unique; every listed systematic exists; a sample's processes carry the same
  /// systematics; continuum µµ masses lie below √s; gap bands can be reached.
  func validateProcesses() throws {
    func fail(_ field: String, _ reason: String) -> ConfigError {
      ConfigError(source: sourceName, field: field, reason: reason)
    }
    let known = Set(systematics.map(\.name))
    guard known.count == systematics.count else { throw fail("systematics", "names must be unique") }
    func checkList(_ list: [String], _ field: String) throws {
      for (i, s) in list.enumerated() where !known.contains(s) {
        throw fail("\(field)[\(i)]", "unknown systematic \"\(s)\" (defined: \(systematics.map(\.name).joined(separator: ", ")))")
      }
      guard Set(list).count == list.count else { throw fail(field, "lists a systematic twice") }
    }
    try fraction(signal.widthFraction, "signal.width_fraction")
    guard signal.thetaCMA >= -1, signal.thetaCMA <= 10 else {
      throw fail("signal.theta_cm_a", "must be in [−1, 10] so that 1 + a·cos²θ stays non-negative, got \(signal.thetaCMA)")
    }
    try checkList(signal.systematics, "signal.systematics")
    var names: Set<String> = []
    var sampleSystematics: [String: [String]] = [:]
    for (i, p) in backgrounds.enumerated() {
      let f = "backgrounds[\(i)]"
      guard names.insert(p.name).inserted else { throw fail("\(f).name", "\"\(p.name)\" appears twice") }
      try checkList(p.systematics, "\(f).systematics")
      if let other = sampleSystematics[p.sample], other != p.systematics {
        throw fail("\(f).systematics", "the processes of sample \(p.sample) must carry the same systematics (another has \(other))")
      }
      sampleSystematics[p.sample] = p.systematics
      for (j, c) in p.components.enumerated() {
        try validate(c.shape, field: "\(f).components[\(j)]")
      }
    }
  }

  func validate(_ shape: ShapeFamily, field: String) throws {
    switch shape {
    case .continuum(let c):
      guard c.mumuMassRange.lowerBound >= 0, c.mumuMassRange.upperBound < beams.sqrtS else {
        throw ConfigError(source: sourceName, field: "\(field).mumu_mass_range_gev", reason: "must lie in [0, √s)")
      }
    case .gapBands(let g):
      // The recoil of the smallest M² with the softest gap photon must fit below √s.
      guard g.gapPhotonEnergyRange.lowerBound < beams.sqrtS / 2, g.m2Range.lowerBound < beams.sqrtS * beams.sqrtS else {
        throw ConfigError(source: sourceName, field: "\(field).gap_photon_energy_range_gev", reason: "the gap photon must be softer than √s/2")
      }
    case .singlePhoton(let p):
      guard p.energyRange.upperBound < beams.sqrtS / 2 else {
        throw ConfigError(source: sourceName, field: "\(field).energy_range_gev", reason: "the photon must be softer than √s/2")
      }
    }
  }
}
