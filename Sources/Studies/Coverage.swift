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
/// for CLs and CLs+b, [lower, upper] for the Feldman–Cousins-style t̃µ construction — and by
/// each method (toy Neyman belts and the asymptotic formulae), and the coverage is the fraction
/// of intervals containing the true σ, with Clopper–Pearson bounds (`GSL`'s beta quantiles).
///
/// Which belt a toy's interval comes from: strictly, every pseudo-experiment would build its own
/// belt with toys at its own conditional fits θ̂̂(µ) (N belts per point: `belts` "per-toy"); by
/// default (`belts` "truth") the toys of a point share one belt generated at the point's true
/// nuisance parameters — the construction as it is applied to data, with the nuisances where
/// the data's θ̂̂ estimates them.
public struct CoverageStudy: Sendable {
  /// The hypotheses of the points (each with every signal of the settings).
  public let hypotheses: any HypothesisSet
  public let settings: CoverageSettings
  /// The points' shared belts (method toys, belts "truth"), built by the first task that needs
  /// one.
  let cache = BeltCache()

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

  /// The toys of one block: the coverage toys of point p drawn at its truth (the signal, the
  /// nuisance parameters nominal), each from its stream (seed, coverage, hypothesis,
  /// (signal index)·2³² + toy).
  func blockToys(model: Model, point p: Int, stream: Int, signal: Double, toys: Range<Int>, seed: UInt64) -> [(data: [Double], key: UInt64)] {
    var truth = model.initialValues
    truth[model.poiIndex!] = signal
    let gen = ToySampler(model: model, parameters: truth)
    return toys.map { toy in
      let key = StreamKey(seed: seed, study: .coverage, massIndex: stream, toyIndex: (p % settings.signals.count) << 32 | toy).hash64
      var data = [Double](repeating: 0, count: gen.rowCount)
      data.withUnsafeMutableBufferPointer { gen.sample(key: key, into: $0.baseAddress!) }
      return (data, key)
    }
  }

  /// Task t: one block of toys of one point, each toy's interval by every row (method × rule).
  /// `threads` builds a point's shared belt (the other workers wait for it).
  public func run(task t: Int, seed: UInt64, threads: Int = 1) throws -> CoverageBlock {
    let p = t / blocksPerPoint, b = t % blocksPerPoint
    let k = p / settings.signals.count
    let signal = settings.signals[p % settings.signals.count]
    let model = try hypotheses.model(k, data: nil).model
    let stream = hypotheses.streamIndex(k)
    let first = b * settings.blockSize, last = min(settings.toys, first + settings.blockSize)
    let toys = blockToys(model: model, point: p, stream: stream, signal: signal, toys: first..<last, seed: seed)
    let rows = settings.rows
    var covered = [Int](repeating: 0, count: rows.count), valid = covered
    var failed: [FailedToyRecord] = []
    for (r, row) in rows.enumerated() {
      let rule = LimitRule(row.rule)
      let limits: [Result<(Double, Double), any Error>]
      switch row.method {
      case .asymptotic: limits = try asymptoticLimits(model: model, toys: toys.map(\.data), rule: rule)
      case .toys: limits = try beltLimits(model: model, point: p, stream: stream, signal: signal, toys: toys, rule: rule, seed: seed, threads: threads)
      }
      for (i, l) in limits.enumerated() {
        switch l {
        case .success(let (lower, upper)):
          valid[r] += 1
          if signal >= lower - 1e-9 * max(1, signal) && signal <= upper * (1 + 1e-9) { covered[r] += 1 }
        case .failure:
          failed.append(FailedToyRecord(toy: first + i, hypothesis: "\(row.rule.rawValue) \(row.method.rawValue) σ=\(signal)", streamKey: toys[i].key))
        }
      }
    }
    return CoverageBlock(point: p, firstToy: first, toys: last - first, covered: covered, valid: valid, failed: failed)
  }

  /// Each toy's interval [lower, upper] from the asymptotic formulae.
  func asymptoticLimits(model: Model, toys: [[Double]], rule: LimitRule) throws -> [Result<(Double, Double), any Error>] {
    let profile = try ProfileLikelihood(model: model)
    return toys.map { data in
      Result {
        let calc = try AsymptoticCalculator(profile: profile, data: data, testStatistic: rule.defaultTestStatistic)
        let res = try LimitSetter(calculator: calc, rule: rule, cl: settings.cl).compute(expected: false)
        return (res.observedLower ?? 0, res.observed)
      }
    }
  }

  /// Each toy's interval from a toy Neyman belt: the point's shared belt at the true nuisance
  /// parameters (belts "truth"), or a belt of the toy's own (belts "per-toy").
  func beltLimits(model: Model, point p: Int, stream: Int, signal: Double, toys: [(data: [Double], key: UInt64)], rule: LimitRule,
                  seed: UInt64, threads: Int) throws -> [Result<(Double, Double), any Error>] {
    if settings.belts == "per-toy" {
      return toys.map { toy in
        Result {
          let belt = BeltSettings(cl: settings.cl, toysPerPoint: settings.beltToys ?? 2000, seed: toy.key, study: .coverageBelt, streamIndex: stream)
          let r = try BeltLimits.compute(model: model, data: toy.data, settings: BeltLimitSettings(
            belt: belt, rule: rule, bandToys: rule == .fc ? 0 : settings.beltToys ?? 2000, bandStudy: .coverageBelt))
          let i = try r.observed!.get()
          return (i.lower, i.upper)
        }
      }
    }
    let limiter = try cache.limiter(point: p) { try truthBelt(model: model, point: p, stream: stream, signal: signal, seed: seed, threads: threads) }
    return try limiter.limits(of: toys.map(\.data), rule: rule).map { r in r.map { ($0.lower, $0.upper) }.mapError { $0 as any Error } }
  }

  /// The belt of point p at its true nuisance parameters (nominal), with background-only toys
  /// for CLb when a CLs rule is asked for; its grid reaches 6σ above the true signal or the
  /// POI's upper bound (a toy accepted at a top below the bound has no interval and is counted
  /// as failed; accepted up to the bound, its interval ends there).
  func truthBelt(model: Model, point p: Int, stream: Int, signal: Double, seed: UInt64, threads: Int) throws -> BeltLimiter {
    let n = settings.beltToys ?? 2000
    let belt = BeltSettings(cl: settings.cl, toysPerPoint: n, seed: seed, study: .coverageBelt,
                            streamIndex: (p % settings.signals.count) << 32 | stream, threads: threads, nuisances: .nominal)
    let clb = settings.rules.contains { $0 != .fc }
    return try BeltLimits.compute(model: model, data: model.observedData, settings: BeltLimitSettings(
      belt: belt, rule: .fc, bandToys: clb ? n : 0, bandStudy: .coverageBelt, observed: false, minimumTop: signal, margin: 6)).limiter
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

  /// The coverage of every row (method × rule) at one point, with Clopper–Pearson intervals
  /// (68% and the verdict's) and the verdict.
  static func ruleCoverages(_ blocks: [CoverageBlock], settings s: CoverageSettings) -> [RuleCoverage] {
    s.rows.enumerated().map { r, row in
      let k = blocks.map { $0.covered[r] }.reduce(0, +)
      let n = blocks.map { $0.valid[r] }.reduce(0, +)
      let tag = "\(row.rule.rawValue) \(row.method.rawValue) "
      let failed = blocks.flatMap(\.failed).filter { $0.hypothesis.hasPrefix(tag) }.count
      let (lo68, hi68) = CoverageStudy.clopperPearson(k, n, cl: 0.6827)
      let (lo, hi) = CoverageStudy.clopperPearson(k, n, cl: s.verdictCL)
      let verdict = hi < s.cl ? "under-covers" : (lo > s.cl ? "over-covers" : "covers")
      return RuleCoverage(rule: row.rule, method: row.method, coverage: n > 0 ? Double(k) / Double(n) : 0, lower: lo68, upper: hi68,
                          verdictInterval: [lo, hi], covered: k, toys: n, failedToys: failed, verdict: verdict)
    }
  }
}

extension StreamKey.Study {
  /// Coverage pseudo-experiments (one stream per hypothesis, signal and toy).
  public static let coverage: StreamKey.Study = 7
}

/// The shared belts of a coverage study, one per point, built once (a second task asking for
/// a point's belt while it is being built waits for it).
final class BeltCache: @unchecked Sendable {
  private let lock = NSLock()
  private var belts: [Int: BeltLimiter] = [:]
  private var building: [Int: NSCondition] = [:]

  func limiter(point p: Int, build: () throws -> BeltLimiter) throws -> BeltLimiter {
    lock.lock()
    if let b = belts[p] {
      lock.unlock()
      return b
    }
    if let wait = building[p] {
      lock.unlock()
      wait.lock()
      defer { wait.unlock() }
      while true {
        lock.lock()
        let done = belts[p], stillBuilding = building[p] != nil
        lock.unlock()
        if let done { return done }
        if !stillBuilding { return try limiter(point: p, build: build) }
        wait.wait()
      }
    }
    let condition = NSCondition()
    building[p] = condition
    lock.unlock()
    let result = Result { try build() }
    lock.lock()
    if case .success(let b) = result { belts[p] = b }
    building[p] = nil
    lock.unlock()
    condition.lock()
    condition.broadcast()
    condition.unlock()
    return try result.get()
  }
}

extension StreamKey.Study {
  /// Toys of the coverage study's belts (per point, or per coverage toy).
  public static let coverageBelt: StreamKey.Study = 11
}
