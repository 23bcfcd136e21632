import Foundation
import Yams

/// The experiment: every number of the "experiment" section of DESIGN.md, read from YAML.
///
/// The schema is documented field by field in `toys/CONFIGURATION.md`; the embedded default
/// (``embeddedDefault()``) is the Belle II 2019–2020 configuration, identical to
/// `toys/belle2-2019-2020.yaml`.
public struct ExperimentConfig: Sendable, Equatable {
  public var name: String
  public var beams: Beams
  public var luminosity: Luminosity
  public var resolution: Resolution
  public var massGrid: MassGridSpec
  public var window: WindowSpec
  public var efficiency: Efficiency
  public var acceptance: Acceptance
  public var calorimeter: Calorimeter
  public var systematics: Systematics
  public var processes: ProcessModels
  /// The YAML text the configuration was read from (recorded in result files).
  public var sourceText: String
  /// Where it came from: a path, or "<embedded belle2-2019-2020>".
  public var sourceName: String

  public struct Beams: Sendable, Equatable {
    public var electronEnergy: Double
    public var positronEnergy: Double
    public var sqrtS: Double
    public var boostBetaGamma: Double
  }

  public struct Luminosity: Sendable, Equatable {
    public var integrated: Double
    public var relativeUncertainty: Double
  }

  public struct MassGridSpec: Sendable, Equatable {
    public var minMass: Double
    public var maxMass: Double
    public var stepResolutionUnits: Double
  }

  public struct ThetaBinningRow: Sendable, Equatable {
    public var m2Below: Double
    public var edges: [Double]
  }

  public struct WindowSpec: Sendable, Equatable {
    public var m2Bins: Int
    public var thetaBinning: [ThetaBinningRow]
  }

  public struct Efficiency: Sendable, Equatable {
    public var selection: PiecewiseLinear
    public var trigger: PiecewiseLinear
  }

  public struct AcceptanceRegion: Sendable, Equatable {
    public var m2Below: Double
    public var thetaLabRange: ClosedRange<Double>
    public var thetaLabExcluded: [ClosedRange<Double>]
  }

  public struct Acceptance: Sendable, Equatable {
    public var regions: [AcceptanceRegion]
    public var minRecoilPtCM: Double
  }

  public struct Calorimeter: Sendable, Equatable {
    public var forwardEndcap: ClosedRange<Double>
    public var barrel: ClosedRange<Double>
    public var backwardEndcap: ClosedRange<Double>
  }

  public struct PhotonVeto: Sendable, Equatable {
    public var m2Threshold: Double
    public var below: Double
    public var above: Double
  }

  public struct Systematics: Sendable, Equatable {
    public var m2RangeEdges: [Double]
    public var signalEfficiency: [Double]
    public var backgroundShape: [Double]
    public var signalShape: Double
    public var photonVeto: PhotonVeto
    public var luminosity: Double
  }

  public struct SignalModel: Sendable, Equatable {
    /// Where the Z′ c.m. energy and angle come from.
    public enum Kinematics: String, Sendable, Equatable, CaseIterable {
      case matrixElement = "matrix-element", parametric
    }
    public var kinematics: Kinematics
    public var thetaCMA: Double
    public var widthFraction: Double
  }

  public struct SinglePhotonModel: Sendable, Equatable {
    public var yield: Double
    public var energyRange: ClosedRange<Double>
    public var collinearityB: Double
  }

  public struct GapBandModel: Sendable, Equatable {
    public var yield: Double
    public var m2Range: ClosedRange<Double>
    public var m2Slope: Double
    public var gapPhotonEnergyRange: ClosedRange<Double>
  }

  public struct MuMuModel: Sendable, Equatable {
    public var singlePhoton: SinglePhotonModel
    public var gapBands: GapBandModel
  }

  public struct TauTauModel: Sendable, Equatable {
    public var yield: Double
    public var m2Range: ClosedRange<Double>
    public var m2Slope: Double
    public var mumuMassRange: ClosedRange<Double>
  }

  public struct EEMuMuModel: Sendable, Equatable {
    public var yield: Double
    public var m2Range: ClosedRange<Double>
    public var m2Slope: Double
    public var collinearityB: Double
    public var mumuMassRange: ClosedRange<Double>
  }

  public struct ProcessModels: Sendable, Equatable {
    public var signal: SignalModel
    public var mumu: MuMuModel
    public var tautau: TauTauModel
    public var eemumu: EEMuMuModel
  }
}

// MARK: - Loading

extension ExperimentConfig {
  public static let embeddedName = "<embedded belle2-2019-2020>"

  /// The embedded Belle II 2019–2020 configuration (identical to toys/belle2-2019-2020.yaml).
  public static func embeddedDefault() throws -> ExperimentConfig {
    try parse(yaml: EmbeddedConfiguration.belle2_2019_2020, source: embeddedName)
  }

  /// Reads and validates a configuration file.
  public static func load(path: String) throws -> ExperimentConfig {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw ConfigError(source: path, field: "", reason: "no such file")
    }
    guard !isDir.boolValue else { throw ConfigError(source: path, field: "", reason: "is a folder, not a YAML file") }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ConfigError(source: path, field: "", reason: "cannot be read (permissions?)")
    }
    guard data.count <= 16 << 20 else {
      throw ConfigError(source: path, field: "", reason: "is \(data.count) bytes; a configuration is at most 16 MiB")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ConfigError(source: path, field: "", reason: "is not UTF-8 text")
    }
    return try parse(yaml: text, source: path)
  }

  /// Parses and validates YAML text; `source` names it in error messages.
  public static func parse(yaml: String, source: String) throws -> ExperimentConfig {
    let root: Node
    do {
      guard let node = try Yams.compose(yaml: yaml) else {
        throw ConfigError(source: source, field: "", reason: "empty document")
      }
      root = node
    } catch let e as ConfigError {
      throw e
    } catch let e as YamlError {
      throw ConfigError(source: source, field: "", reason: "not valid YAML: \(e)")
    } catch {
      throw ConfigError(source: source, field: "", reason: "not valid YAML: \(error)")
    }
    let r = YAMLReader(source: source, node: root)
    guard root.mapping != nil else { throw r.error("the document must be a mapping of sections") }
    var config = try read(r)
    config.sourceText = yaml
    config.sourceName = source
    try config.validate()
    return config
  }

  private static func curve(_ r: YAMLReader) throws -> PiecewiseLinear {
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

  private static func read(_ r: YAMLReader) throws -> ExperimentConfig {
    let version = try r.int("schema_version")
    guard version == 1 else { throw r.error("unsupported schema version \(version) (this zptoys reads 1)", at: "schema_version") }
    let name = try r.string("name")

    let b = try r.at("beams")
    let beams = Beams(
      electronEnergy: try b.double("electron_energy_gev"), positronEnergy: try b.double("positron_energy_gev"),
      sqrtS: try b.double("sqrt_s_gev"), boostBetaGamma: try b.double("boost_beta_gamma"))
    try b.rejectUnknownKeys()

    let l = try r.at("luminosity")
    let lumi = Luminosity(integrated: try l.double("integrated_fb"), relativeUncertainty: try l.double("relative_uncertainty"))
    try l.rejectUnknownKeys()

    let res = try r.at("resolution")
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
    let resolution = Resolution(curve: PiecewiseLinear(knots: knots, values: sig), thetaCMSigma: thetaSigma)

    let g = try r.at("mass_grid")
    let grid = MassGridSpec(minMass: try g.double("min_gev"), maxMass: try g.double("max_gev"),
                            stepResolutionUnits: try g.double("step_resolution_units"))
    try g.rejectUnknownKeys()

    let w = try r.at("window")
    let m2Bins = try w.int("m2_bins")
    var rows: [ThetaBinningRow] = []
    for row in try w.at("theta_binning").array() {
      rows.append(ThetaBinningRow(m2Below: try row.double("m2_below_gev2"), edges: try row.doubles("theta_cm_edges_deg")))
      try row.rejectUnknownKeys()
    }
    try w.rejectUnknownKeys()
    let window = WindowSpec(m2Bins: m2Bins, thetaBinning: rows)

    let e = try r.at("efficiency")
    let eff = Efficiency(selection: try curve(try e.at("selection")), trigger: try curve(try e.at("trigger")))
    try e.rejectUnknownKeys()

    let a = try r.at("acceptance")
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

    let c = try r.at("calorimeter")
    let cal = Calorimeter(forwardEndcap: try c.range("forward_endcap_deg"), barrel: try c.range("barrel_deg"),
                          backwardEndcap: try c.range("backward_endcap_deg"))
    try c.rejectUnknownKeys()

    let s = try r.at("systematics")
    let pv = try s.at("photon_veto")
    let photonVeto = PhotonVeto(m2Threshold: try pv.double("m2_threshold_gev2"), below: try pv.double("below"), above: try pv.double("above"))
    try pv.rejectUnknownKeys()
    let syst = Systematics(
      m2RangeEdges: try s.doubles("m2_range_edges_gev2"), signalEfficiency: try s.doubles("signal_efficiency"),
      backgroundShape: try s.doubles("background_shape"), signalShape: try s.double("signal_shape"),
      photonVeto: photonVeto, luminosity: try s.double("luminosity"))
    try s.rejectUnknownKeys()

    let p = try r.at("processes")
    let ps = try p.at("signal")
    let kinReader = try ps.at("kinematics")
    let kinText = try kinReader.string()
    guard let kin = SignalModel.Kinematics(rawValue: kinText) else {
      throw kinReader.error("must be one of \(SignalModel.Kinematics.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(kinText)\"")
    }
    let signal = SignalModel(kinematics: kin, thetaCMA: try ps.double("theta_cm_a"), widthFraction: try ps.double("width_fraction"))
    try ps.rejectUnknownKeys()
    let pm = try p.at("mumu")
    let sp = try pm.at("single_photon")
    let single = SinglePhotonModel(yield: try sp.double("yield"), energyRange: try sp.range("energy_range_gev"),
                                   collinearityB: try sp.double("collinearity_b"))
    try sp.rejectUnknownKeys()
    let gb = try pm.at("gap_bands")
    let gap = GapBandModel(yield: try gb.double("yield"), m2Range: try gb.range("m2_range_gev2"),
                           m2Slope: try gb.double("m2_slope_gev2"), gapPhotonEnergyRange: try gb.range("gap_photon_energy_range_gev"))
    try gb.rejectUnknownKeys()
    try pm.rejectUnknownKeys()
    let pt = try p.at("tautau")
    let tau = TauTauModel(yield: try pt.double("yield"), m2Range: try pt.range("m2_range_gev2"),
                          m2Slope: try pt.double("m2_slope_gev2"), mumuMassRange: try pt.range("mumu_mass_range_gev"))
    try pt.rejectUnknownKeys()
    let pe = try p.at("eemumu")
    let ee = EEMuMuModel(yield: try pe.double("yield"), m2Range: try pe.range("m2_range_gev2"),
                         m2Slope: try pe.double("m2_slope_gev2"), collinearityB: try pe.double("collinearity_b"),
                         mumuMassRange: try pe.range("mumu_mass_range_gev"))
    try pe.rejectUnknownKeys()
    try p.rejectUnknownKeys()
    try r.rejectUnknownKeys()

    return ExperimentConfig(
      name: name, beams: beams, luminosity: lumi, resolution: resolution, massGrid: grid, window: window,
      efficiency: eff, acceptance: acceptance, calorimeter: cal, systematics: syst,
      processes: ProcessModels(signal: signal, mumu: MuMuModel(singlePhoton: single, gapBands: gap), tautau: tau, eemumu: ee),
      sourceText: "", sourceName: "")
  }
}
