import Experiment
import Foundation
import GSL
import Generator
import Inference
import Likelihood
import _Support

/// Coverage of the interval constructions (DESIGN.md, studies): for chosen masses and true cross
/// sections, pseudo-experiments are drawn from the window model at the true σ (nuisance
/// parameters nominal, auxiliary data fluctuated), each gets its interval by each rule — [0, UL]
/// for CLs and CLs+b, [lower, upper] for the Feldman–Cousins-style t̃µ construction — and the
/// coverage is the fraction of intervals containing the true σ, with Clopper–Pearson bounds
/// (`GSL`'s beta quantiles).
public struct CoverageStudy: Sendable {
  public struct Settings: Sendable {
    public var masses: [Double] = [1.0, 2.352, 6.0]
    public var signals: [Double] = [0, 1, 5]
    public var toys = 500
    public var rules: [LimitRule] = [.cls, .clsb, .fc]
    public var cl = 0.9
    /// Confidence of the verdict's Clopper–Pearson interval.
    public var verdictCL = 0.95
    public var blockSize = 50
    public init() {}
  }

  /// Results of one block of toys at one (mass, signal) point.
  public struct Block: Codable, Sendable, Equatable {
    public var point: Int
    public var firstToy: Int
    public var toys: Int
    /// Per rule (settings order): intervals that contain the truth, and valid intervals.
    public var covered: [Int]
    public var valid: [Int]
    public var failed: [FailedToy]
  }

  public struct RuleCoverage: Codable, Sendable, Equatable {
    public var rule: LimitRule
    public var coverage: Double
    /// Clopper–Pearson 68% interval of the coverage.
    public var lower: Double
    public var upper: Double
    /// Clopper–Pearson interval at the verdict's confidence.
    public var verdictInterval: [Double]
    public var covered: Int
    public var toys: Int
    public var failedToys: Int
    /// covers, over-covers or under-covers.
    public var verdict: String

    enum CodingKeys: String, CodingKey {
      case rule, coverage, lower, upper, verdictInterval = "verdict_interval", covered, toys, failedToys = "failed_toys", verdict
    }
  }

  public struct Point: Codable, Sendable, Equatable {
    public var index: Int
    public var mass: Double
    public var signal: Double
    public var rules: [RuleCoverage]

    enum CodingKeys: String, CodingKey { case index, mass = "mass_gev", signal = "signal_fb", rules }
  }

  public let analysis: Analysis
  public let settings: Settings
  public let hypotheses: [MassHypothesis]

  public init(analysis: Analysis, settings: Settings) throws {
    self.analysis = analysis
    self.settings = settings
    hypotheses = try settings.masses.map { m in
      guard let h = analysis.grid.nearest(mass: m) else { throw StudyError("--mass \(m) GeV is outside the mass grid") }
      return h
    }
  }

  public var pointCount: Int { hypotheses.count * settings.signals.count }
  public var blocksPerPoint: Int { (settings.toys + settings.blockSize - 1) / settings.blockSize }
  public var taskCount: Int { pointCount * blocksPerPoint }

  /// Clopper–Pearson interval of k successes in n at confidence `cl` (two-sided, equal tails).
  public static func clopperPearson(_ k: Int, _ n: Int, cl: Double) -> (Double, Double) {
    guard n > 0 else { return (0, 1) }
    let a = (1 - cl) / 2
    let lo = k == 0 ? 0 : BetaDistribution.quantile(a, a: Double(k), b: Double(n - k + 1))
    let hi = k == n ? 1 : BetaDistribution.quantile(1 - a, a: Double(k + 1), b: Double(n - k))
    return (lo, hi)
  }

  public func run(task t: Int, seed: UInt64) throws -> Block {
    let p = t / blocksPerPoint, b = t % blocksPerPoint
    let h = hypotheses[p / settings.signals.count]
    let signal = settings.signals[p % settings.signals.count]
    let window = try analysis.window(h.index)
    let model = try Model(workspace: window.workspace(observations: window.totalBackground))
    var truth = model.initialValues
    truth[model.poiIndex!] = signal
    let gen = ToySampler(model: model, parameters: truth)
    let profile = try ProfileLikelihood(model: model)
    let rng = RandomStream(key: 0)
    var data: [Double] = []
    let first = b * settings.blockSize, last = min(settings.toys, first + settings.blockSize)
    var covered = [Int](repeating: 0, count: settings.rules.count)
    var valid = [Int](repeating: 0, count: settings.rules.count)
    var failed: [FailedToy] = []
    for toy in first..<last {
      let key = StreamKey(seed: seed, study: .coverage, massIndex: h.index, toyIndex: (p % settings.signals.count) << 32 | toy).hash64
      rng.reseed(key)
      gen.sample(rng, into: &data)
      for (r, rule) in settings.rules.enumerated() {
        do {
          let calc = try AsymptoticCalculator(profile: profile, data: data, testStatistic: rule == .fc ? .ttilde : .qtilde)
          let res = try LimitSetter(calculator: calc, rule: rule, cl: settings.cl).compute(expected: false)
          let lower = res.observedLower ?? 0
          valid[r] += 1
          if signal >= lower - 1e-9 * max(1, signal) && signal <= res.observed * (1 + 1e-9) { covered[r] += 1 }
        } catch {
          failed.append(FailedToy(toy: toy, hypothesis: "\(rule.rawValue) σ=\(signal)", streamKey: key))
        }
      }
    }
    return Block(point: p, firstToy: first, toys: last - first, covered: covered, valid: valid, failed: failed)
  }

  public func identity(config: ExperimentConfig, seed: UInt64) -> StudyIdentity {
    StudyIdentity(study: "coverage", configuration: config.name, configurationSHA256: SHA256.hex(config.sourceText), seed: seed,
                  settings: ["masses": settings.masses.map { "\($0)" }.joined(separator: ","),
                             "signals": settings.signals.map { "\($0)" }.joined(separator: ","), "toys": "\(settings.toys)",
                             "rules": settings.rules.map(\.rawValue).joined(separator: ","), "cl": "\(settings.cl)",
                             "verdict_cl": "\(settings.verdictCL)", "block_size": "\(settings.blockSize)",
                             "mc_seed": "\(analysis.settings.seed)", "mc_signal_events": "\(analysis.settings.signalEvents)",
                             "mc_background_events": "\(analysis.settings.backgroundEvents)"],
                  totalTasks: taskCount)
  }
}

/// The `zptoys coverage` result file.
public struct CoverageOutput: StudyOutput {
  public static let studyName = "coverage"
  public var header: StudyHeader
  public var blocks: [CoverageStudy.Block]
  public var points: [CoverageStudy.Point]
  public var taskResults: [CoverageStudy.Block] { blocks }

  public static func assemble(header: StudyHeader, results: [CoverageStudy.Block]) throws -> CoverageOutput {
    let s = header.identity.settings
    let masses = (s["masses"] ?? "").split(separator: ",").compactMap { Double($0) }
    let signals = (s["signals"] ?? "").split(separator: ",").compactMap { Double($0) }
    let rules = (s["rules"] ?? "").split(separator: ",").compactMap { LimitRule(rawValue: String($0)) }
    let cl = Double(s["cl"] ?? "") ?? 0.9
    let vcl = Double(s["verdict_cl"] ?? "") ?? 0.95
    var points: [CoverageStudy.Point] = []
    let byPoint = Dictionary(grouping: results, by: \.point)
    for p in byPoint.keys.sorted() {
      let blocks = byPoint[p]!
      var rc: [CoverageStudy.RuleCoverage] = []
      for (r, rule) in rules.enumerated() {
        let k = blocks.map { $0.covered[r] }.reduce(0, +)
        let n = blocks.map { $0.valid[r] }.reduce(0, +)
        let failed = blocks.flatMap(\.failed).filter { $0.hypothesis.hasPrefix(rule.rawValue + " ") }.count
        let (lo68, hi68) = CoverageStudy.clopperPearson(k, n, cl: 0.6827)
        let (lo, hi) = CoverageStudy.clopperPearson(k, n, cl: vcl)
        let verdict = hi < cl ? "under-covers" : (lo > cl ? "over-covers" : "covers")
        rc.append(.init(rule: rule, coverage: n > 0 ? Double(k) / Double(n) : 0, lower: lo68, upper: hi68, verdictInterval: [lo, hi],
                        covered: k, toys: n, failedToys: failed, verdict: verdict))
      }
      let mi = masses.isEmpty ? 0 : p / max(signals.count, 1)
      points.append(.init(index: p, mass: mi < masses.count ? masses[mi] : .nan, signal: signals.isEmpty ? 0 : signals[p % signals.count], rules: rc))
    }
    return CoverageOutput(header: header, blocks: results, points: points)
  }

  enum CodingKeys: String, CodingKey { case blocks, points }

  public init(header: StudyHeader, blocks: [CoverageStudy.Block], points: [CoverageStudy.Point]) {
    self.header = header
    self.blocks = blocks
    self.points = points
  }

  public init(from decoder: any Decoder) throws {
    header = try StudyHeader(from: decoder)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    blocks = try c.decode([CoverageStudy.Block].self, forKey: .blocks)
    points = try c.decode([CoverageStudy.Point].self, forKey: .points)
  }

  public func encode(to encoder: any Encoder) throws {
    try header.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(blocks, forKey: .blocks)
    try c.encode(points, forKey: .points)
  }
}

extension StreamKey.Study {
  /// Coverage pseudo-experiments (one stream per hypothesis, signal and toy).
  public static let coverage: StreamKey.Study = 7
}
