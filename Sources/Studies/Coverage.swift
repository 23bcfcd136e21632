import Experiment
import Foundation
import GSL
import Generator
import Inference
import Likelihood
import Results
import _Support

/// Coverage of the interval constructions: for chosen masses and true cross
/// sections, pseudo-experiments are drawn from the window model at the true σ (nuisance
/// parameters nominal, auxiliary data fluctuated), each gets its interval by each rule — [0, UL]
/// for CLs and CLs+b, [lower, upper] for the Feldman–Cousins-style t̃µ construction — and the
/// coverage is the fraction of intervals containing the true σ, with Clopper–Pearson bounds
/// (`GSL`'s beta quantiles).
public struct CoverageStudy: Sendable {
  /// The hypotheses of the points (each with every signal of the settings).
  public let hypotheses: any HypothesisSet
  public let settings: CoverageSettings

  public init(hypotheses: any HypothesisSet, settings: CoverageSettings) {
    self.hypotheses = hypotheses
    self.settings = settings
  }

  /// The search windows of `analysis` nearest to `settings.masses`.
  public init(analysis: Analysis, settings: CoverageSettings) throws {
    let indices = try settings.masses.map { m in
      guard let h = analysis.grid.nearest(mass: m) else { throw StudyError("--mass \(m) GeV is outside the mass grid") }
      return h.index
    }
    self.init(hypotheses: WindowHypotheses(analysis: analysis, indices: indices), settings: settings)
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

  public func run(task t: Int, seed: UInt64) throws -> CoverageBlock {
    let p = t / blocksPerPoint, b = t % blocksPerPoint
    let k = p / settings.signals.count
    let signal = settings.signals[p % settings.signals.count]
    let model = try hypotheses.model(k, data: nil).model
    let stream = hypotheses.streamIndex(k)
    var truth = model.initialValues
    truth[model.poiIndex!] = signal
    let gen = ToySampler(model: model, parameters: truth)
    let profile = try ProfileLikelihood(model: model)
    let rng = RandomStream(key: 0)
    var data: [Double] = []
    let first = b * settings.blockSize, last = min(settings.toys, first + settings.blockSize)
    var covered = [Int](repeating: 0, count: settings.rules.count)
    var valid = [Int](repeating: 0, count: settings.rules.count)
    var failed: [FailedToyRecord] = []
    let rules = settings.rules.map(LimitRule.init)
    for toy in first..<last {
      let key = StreamKey(seed: seed, study: .coverage, massIndex: stream, toyIndex: (p % settings.signals.count) << 32 | toy).hash64
      rng.reseed(key)
      gen.sample(rng, into: &data)
      for (r, rule) in rules.enumerated() {
        do {
          let calc = try AsymptoticCalculator(profile: profile, data: data, testStatistic: rule.defaultTestStatistic)
          let res = try LimitSetter(calculator: calc, rule: rule, cl: settings.cl).compute(expected: false)
          let lower = res.observedLower ?? 0
          valid[r] += 1
          if signal >= lower - 1e-9 * max(1, signal) && signal <= res.observed * (1 + 1e-9) { covered[r] += 1 }
        } catch {
          failed.append(FailedToyRecord(toy: toy, hypothesis: "\(rule.rawValue) σ=\(signal)", streamKey: key))
        }
      }
    }
    return CoverageBlock(point: p, firstToy: first, toys: last - first, covered: covered, valid: valid, failed: failed)
  }

  public func identity(seed: UInt64) -> StudyIdentity {
    hypotheses.identity(settings, seed: seed, data: "none", tasks: taskCount)
  }

  /// The labels of the points' hypotheses, in order (recorded in the file's points).
  public var labels: [HypothesisLabel] { (0..<hypotheses.count).map(hypotheses.label) }
}

extension CoverageFile: StudyOutput {
  public static func assemble(header: StudyHeader, results: [CoverageBlock]) throws -> CoverageFile {
    guard let s = header.identity.settings.value(as: CoverageSettings.self) else { throw StudyError("not a coverage header") }
    let byPoint = Dictionary(grouping: results, by: \.point)
    let points = byPoint.keys.sorted().map { p in
      let mi = p / max(s.signals.count, 1)
      return CoveragePoint(index: p, mass: mi < s.masses.count ? s.masses[mi] : nil, signal: s.signals.isEmpty ? 0 : s.signals[p % s.signals.count],
                           rules: ruleCoverages(byPoint[p]!, settings: s), patch: mi < s.patches.count ? s.patches[mi] : nil)
    }
    return CoverageFile(header: header, blocks: results, points: points)
  }

  /// The coverage of every rule at one point, with Clopper–Pearson intervals (68% and the
  /// verdict's) and the verdict.
  static func ruleCoverages(_ blocks: [CoverageBlock], settings s: CoverageSettings) -> [RuleCoverage] {
    s.rules.enumerated().map { r, rule in
      let k = blocks.map { $0.covered[r] }.reduce(0, +)
      let n = blocks.map { $0.valid[r] }.reduce(0, +)
      let failed = blocks.flatMap(\.failed).filter { $0.hypothesis.hasPrefix(rule.rawValue + " ") }.count
      let (lo68, hi68) = CoverageStudy.clopperPearson(k, n, cl: 0.6827)
      let (lo, hi) = CoverageStudy.clopperPearson(k, n, cl: s.verdictCL)
      let verdict = hi < s.cl ? "under-covers" : (lo > s.cl ? "over-covers" : "covers")
      return RuleCoverage(rule: rule, coverage: n > 0 ? Double(k) / Double(n) : 0, lower: lo68, upper: hi68, verdictInterval: [lo, hi],
                          covered: k, toys: n, failedToys: failed, verdict: verdict)
    }
  }
}

extension StreamKey.Study {
  /// Coverage pseudo-experiments (one stream per hypothesis, signal and toy).
  public static let coverage: StreamKey.Study = 7
}
