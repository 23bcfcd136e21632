/// Reading the YAML tree into an ``ExperimentConfig``: one function per section, each rejecting
/// the keys it does not know. Semantic checks (ranges, consistency) are in
/// `ExperimentConfig+Validation.swift`, `Systematic.swift` and `Processes.swift`.
extension ExperimentConfig {
  /// The schema version this reader understands.
  public static let schemaVersion = 2

  static func read(_ r: YAMLReader) throws -> ExperimentConfig {
    let version = try r.int("schema_version")
    guard version == schemaVersion else {
      let hint = version == 1
        ? " (version 2 lists the background processes under `backgrounds:` and the systematics by name under `systematics:`; start from `zptoys config show` and see toys/CONFIGURATION.md)"
        : ""
      throw r.error("unsupported schema version \(version) (this zptoys reads \(schemaVersion))\(hint)", at: "schema_version")
    }
    let config = ExperimentConfig(
      name: try r.string("name"), beams: try readBeams(try r.at("beams")), luminosity: try readLuminosity(try r.at("luminosity")),
      resolution: try readResolution(try r.at("resolution")), massGrid: try readMassGrid(try r.at("mass_grid")),
      window: try readWindow(try r.at("window")), efficiency: try readEfficiency(try r.at("efficiency")),
      acceptance: try readAcceptance(try r.at("acceptance")), calorimeter: try readCalorimeter(try r.at("calorimeter")),
      systematics: try Systematic.readAll(try r.at("systematics")), signal: try SignalModel.read(try r.at("signal")),
      backgrounds: try BackgroundProcess.readAll(try r.at("backgrounds")),
      defaultStudy: try DefaultStudySpec.read(try r.at("default_study")), sourceText: "", sourceName: "")
    try r.rejectUnknownKeys()
    return config
  }

  static func curve(_ r: YAMLReader) throws -> PiecewiseLinear {
    let knots = try r.doubles("m2_knots_gev2")
    let values = try r.doubles("values")
    try r.rejectUnknownKeys()
    guard !knots.isEmpty else { throw r.error("needs at least one knot", at: r.path + ".m2_knots_gev2") }
    guard knots.count == values.count else {
      throw r.error("\(values.count) values for \(knots.count) knots", at: r.path + ".values")
    }
    for i in 1..<max(knots.count, 1) where knots[i] <= knots[i - 1] {
      throw r.error("knots must increase strictly (knot \(i) = \(knots[i]) ≤ \(knots[i - 1]))", at: r.path + ".m2_knots_gev2[\(i)]")
    }
    return PiecewiseLinear(knots: knots, values: values)
  }

  static func readBeams(_ b: YAMLReader) throws -> Beams {
    let beams = Beams(
      electronEnergy: try b.double("electron_energy_gev"), positronEnergy: try b.double("positron_energy_gev"),
      sqrtS: try b.double("sqrt_s_gev"), boostBetaGamma: try b.double("boost_beta_gamma"))
    try b.rejectUnknownKeys()
    return beams
  }

  static func readLuminosity(_ l: YAMLReader) throws -> Luminosity {
    let lumi = Luminosity(integrated: try l.double("integrated_fb"), relativeUncertainty: try l.double("relative_uncertainty"))
    try l.rejectUnknownKeys()
    return lumi
  }

  static func readResolution(_ res: YAMLReader) throws -> Resolution {
    let knots = try res.doubles("m2_knots_gev2")
    let sig = try res.doubles("sigma_gev2")
    let thetaSigma = try res.double("theta_cm_sigma_deg")
    try res.rejectUnknownKeys()
    guard !knots.isEmpty, knots.count == sig.count else {
      throw res.error("m2_knots_gev2 and sigma_gev2 need the same, non-zero number of values (got \(knots.count) and \(sig.count))", at: res.path + ".sigma_gev2")
    }
    for i in 1..<knots.count where knots[i] <= knots[i - 1] {
      throw res.error("knots must increase strictly", at: res.path + ".m2_knots_gev2[\(i)]")
    }
    for (i, s) in sig.enumerated() where s <= 0 {
      throw res.error("a resolution must be positive, got \(s)", at: res.path + ".sigma_gev2[\(i)]")
    }
    return Resolution(curve: PiecewiseLinear(knots: knots, values: sig), thetaCMSigma: thetaSigma)
  }

  static func readMassGrid(_ g: YAMLReader) throws -> MassGridSpec {
    let grid = MassGridSpec(minMass: try g.double("min_gev"), maxMass: try g.double("max_gev"),
                            stepResolutionUnits: try g.double("step_resolution_units"))
    try g.rejectUnknownKeys()
    return grid
  }

  static func readWindow(_ w: YAMLReader) throws -> WindowSpec {
    let m2Bins = try w.int("m2_bins")
    var rows: [ThetaBinningRow] = []
    for row in try w.at("theta_binning").array() {
      rows.append(ThetaBinningRow(m2Below: try row.double("m2_below_gev2"), edges: try row.doubles("theta_cm_edges_deg")))
      try row.rejectUnknownKeys()
    }
    try w.rejectUnknownKeys()
    return WindowSpec(m2Bins: m2Bins, thetaBinning: rows)
  }

  static func readEfficiency(_ e: YAMLReader) throws -> Efficiency {
    let eff = Efficiency(selection: try curve(try e.at("selection")), trigger: try curve(try e.at("trigger")))
    try e.rejectUnknownKeys()
    return eff
  }

  static func readAcceptance(_ a: YAMLReader) throws -> Acceptance {
    var regions: [AcceptanceRegion] = []
    for reg in try a.at("regions").array() {
      let excluded = try reg.at("theta_lab_excluded_deg").array().map { ex -> ClosedRange<Double> in
        let v = try ex.doubles()
        guard v.count == 2, v[0] < v[1] else { throw ex.error("expected [low, high] with low < high") }
        return v[0]...v[1]
      }
      regions.append(AcceptanceRegion(m2Below: try reg.double("m2_below_gev2"),
                                      thetaLabRange: try reg.range("theta_lab_range_deg"), thetaLabExcluded: excluded))
      try reg.rejectUnknownKeys()
    }
    let acceptance = Acceptance(regions: regions, minRecoilPtCM: try a.double("min_recoil_pt_cm_gev"))
    try a.rejectUnknownKeys()
    return acceptance
  }

  static func readCalorimeter(_ c: YAMLReader) throws -> Calorimeter {
    let cal = Calorimeter(forwardEndcap: try c.range("forward_endcap_deg"), barrel: try c.range("barrel_deg"),
                          backwardEndcap: try c.range("backward_endcap_deg"))
    try c.rejectUnknownKeys()
    return cal
  }
}
