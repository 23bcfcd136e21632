import Experiment
import Foundation
import GSL
import Generator
import Inference
import Likelihood
import _Support

/// The mass scan of one data set (the paper's "squared-mass scan"): one full-spectrum data set —
/// a user's events or a background-only pseudo-data set drawn with a seed — binned into every
/// window; per hypothesis the best-fit cross section, the local p0 and significance
/// (asymptotic q0, arXiv:1007.1727 Eq. 12 and 52–53: Z = √q0, p0 = 1 − Φ(Z)), and the observed
/// upper limit.
public struct MassScan: Sendable {
  public struct Point: Codable, Sendable, Equatable {
    public var index: Int
    public var mass: Double
    public var sigmaHat: Double
    public var sigmaHatUncertainty: Double?
    public var localP0: Double
    public var localZ: Double
    public var observed: Double?
    public var observedCount: Double
    public var background: Double
    /// True when a fit failed (non-finite likelihood): σ̂ and Z are then 0.
    public var fitFailed: Bool

    enum CodingKeys: String, CodingKey {
      case index, mass = "mass_gev", sigmaHat = "sigma_hat_fb", sigmaHatUncertainty = "sigma_hat_uncertainty_fb"
      case localP0 = "local_p0", localZ = "local_z", observed = "observed_limit_fb", observedCount = "observed_events"
      case background = "background_events", fitFailed = "fit_failed"
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(index, forKey: .index)
      try c.encode(mass, forKey: .mass)
      try c.encode(sigmaHat, forKey: .sigmaHat)
      try c.encode(sigmaHatUncertainty, forKey: .sigmaHatUncertainty)
      try c.encode(localP0, forKey: .localP0)
      try c.encode(localZ, forKey: .localZ)
      try c.encode(observed, forKey: .observed)
      try c.encode(observedCount, forKey: .observedCount)
      try c.encode(background, forKey: .background)
      try c.encode(fitFailed, forKey: .fitFailed)
    }
  }

  public let analysis: Analysis
  public let data: SpectrumData
  public let indices: [Int]
  public let rule: LimitRule
  public let cl: Double

  public init(analysis: Analysis, data: SpectrumData, masses: MassSelection, rule: LimitRule = .cls, cl: Double = 0.9) throws {
    self.analysis = analysis
    self.data = data
    indices = try masses.indices(in: analysis.grid)
    self.rule = rule
    self.cl = cl
  }

  public func run(task t: Int) throws -> Point {
    let index = indices[t]
    let window = try analysis.window(index)
    let obs = data.observations(window, binning: analysis.detector.binning)
    let model = try Model(workspace: window.workspace(observations: obs))
    let fitter = Fitter(model: model)
    let free = fitter.fit(data: model.observedData)
    let poi = model.poiIndex!
    let profile = try ProfileLikelihood(model: model)
    let v = profile.evaluate(.q0, poi: 0, data: model.observedData, free: free)
    let failed = !v.value.isFinite || !free.parameters[poi].isFinite
    let z = failed ? 0 : v.value.squareRoot()
    var observed: Double? = nil
    do {
      let calc = try AsymptoticCalculator(profile: profile, data: model.observedData, testStatistic: rule == .fc ? .ttilde : .qtilde)
      observed = try LimitSetter(calculator: calc, rule: rule, cl: cl).compute(expected: false).observed
    } catch {
      observed = nil
    }
    let u = free.uncertainties[poi]
    return Point(index: index, mass: window.window.hypothesis.mass, sigmaHat: failed ? 0 : free.parameters[poi],
                 sigmaHatUncertainty: u.isFinite ? u : nil, localP0: Normal.survival(z), localZ: z,
                 observed: observed.flatMap { $0.isFinite ? $0 : nil }, observedCount: obs.reduce(0, +),
                 background: window.totalBackground.reduce(0, +), fitFailed: failed)
  }

  public func identity(config: ExperimentConfig, seed: UInt64, dataLabel: String, masses: MassSelection) -> StudyIdentity {
    StudyIdentity(study: "scan", configuration: config.name, configurationSHA256: SHA256.hex(config.sourceText), seed: seed,
                  settings: ["data": dataLabel, "masses": masses.spec, "rule": rule.rawValue, "cl": "\(cl)",
                             "mc_seed": "\(analysis.settings.seed)", "mc_signal_events": "\(analysis.settings.signalEvents)",
                             "mc_background_events": "\(analysis.settings.backgroundEvents)"],
                  totalTasks: indices.count)
  }
}

/// The `zptoys scan` result file: per hypothesis the fit, the local significance and the limit,
/// and the largest local excess.
public struct MassScanOutput: StudyOutput {
  public static let studyName = "scan"
  public var header: StudyHeader
  public var masses: [MassScan.Point]
  public var largest: MassScan.Point?
  public var taskResults: [MassScan.Point] { masses }

  public static func assemble(header: StudyHeader, results: [MassScan.Point]) throws -> MassScanOutput {
    MassScanOutput(header: header, masses: results, largest: results.max { $0.localZ < $1.localZ })
  }

  enum CodingKeys: String, CodingKey { case masses, largest = "largest_local_excess" }

  public init(header: StudyHeader, masses: [MassScan.Point], largest: MassScan.Point?) {
    self.header = header
    self.masses = masses
    self.largest = largest
  }

  public init(from decoder: any Decoder) throws {
    header = try StudyHeader(from: decoder)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    masses = try c.decode([MassScan.Point].self, forKey: .masses)
    largest = try c.decodeIfPresent(MassScan.Point.self, forKey: .largest)
  }

  public func encode(to encoder: any Encoder) throws {
    try header.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(masses, forKey: .masses)
    try c.encode(largest, forKey: .largest)
  }
}
