import Foundation
import GSL
import Likelihood
import _Support

/// What a toy limit computation of one hypothesis does (``BeltLimits``).
public struct BeltLimitSettings: Sendable, Equatable {
  public var belt: BeltSettings
  /// fc: the belt's t̃µ intervals; cls / clsb: upper limits where CLs (CLs+b) from the same toys
  /// falls to 1 − CL.
  public var rule: LimitRule
  /// Background-only pseudo-data sets for the expected band (each gets its limit from the belt).
  public var bandToys: Int
  /// Their streams: (seed, family, stream index, toy), the streams of ``ToyLimitBand``.
  public var bandStudy: StreamKey.Study
  /// Whether the data's own limit is wanted (else only the band).
  public var observed: Bool
  /// The grid reaches at least this many σ(µ), and `margin`·σ above every data set's µ̂ and
  /// above `minimumTop` (2.5σ: t̃µ ≈ 6.25 there, far beyond k; the belt is extended when a data
  /// set needs more).
  public var minimumSigmas: Double
  public var minimumTop: Double
  public var margin: Double

  public init(belt: BeltSettings, rule: LimitRule = .fc, bandToys: Int = 1000, bandStudy: StreamKey.Study,
              observed: Bool = true, minimumSigmas: Double = 4, minimumTop: Double = 0, margin: Double = 2.5) {
    self.belt = belt
    self.rule = rule
    self.bandToys = bandToys
    self.bandStudy = bandStudy
    self.observed = observed
    self.minimumSigmas = minimumSigmas
    self.minimumTop = minimumTop
    self.margin = margin
  }
}

/// The limit of one data set from the toys: its interval (fc) or upper limit (cls, clsb; then
/// lower is 0), or why there is none.
public typealias BeltLimit = Result<BeltInterval, BeltIntervalError>

/// A summary of the belt behind a result.
public struct BeltSummary: Sendable, Equatable {
  public var muPoints: Int
  public var toysPerPoint: Int
  /// The grid's top (the largest µ with toys).
  public var top: Double
  /// Points added by refinement and by extension above the first top.
  public var refinedPoints: Int
  public var extensions: Int
  /// The largest Monte Carlo error of k(µ) over the points.
  public var maxCriticalError: Double
  /// Belt toys whose fits failed (left out of their point's distribution).
  public var failedToys: [FailedToy]
}

/// Observed and expected limits of one hypothesis from a toy Neyman belt (the paper's method):
/// one belt (``BeltBuilder``) serves the observed data and every background-only band toy —
/// each limit costs a t̃µ scan of its data set (``ScanBlock``), not new toys. With CLs, the same
/// grid and toys give the p-values: CLs+b(µ_k) from the q̃µ of the belt toys at µ_k, CLb(µ_k)
/// from the q̃µ_k of the band toys (generated at µ = 0, as pyhf's toy calculator does for its
/// b-only toys), and the limit interpolates CLs linearly between the grid points around α.
public struct BeltLimits: Sendable {
  public var observed: BeltLimit?
  /// The limit (upper end) of every band toy, in toy order; NaN for a toy without one.
  public var bandUpper: [Double]
  public var band: ExpectedBand?
  /// Band toys without a limit (failed fits, or an interval beyond the belt).
  public var bandFailed: [FailedToy]
  /// Band toys whose t̃µ crosses k(µ) more than twice (their hull is reported).
  public var multipleCrossingToys: [Int]
  /// Of those, the toys rejected between their stretches by more than 2 Monte Carlo σ of k
  /// (real holes in the acceptance region rather than the belt's noise).
  public var significantGapToys: [Int]
  public var belt: BeltSummary
  /// The belt itself (its points' µ, k and toys).
  public var neymanBelt: NeymanBelt { limiter.belt }
  /// The belt with the band toys' q̃µ: limits of further data sets (``BeltLimiter``).
  public var limiter: BeltLimiter

  /// Observed and band limits for `data` (the belt's toys are generated at its conditional
  /// fits, or nominal).
  public static func compute(model: Model, data: [Double], settings: BeltLimitSettings) throws -> BeltLimits {
    guard settings.rule == .fc || settings.bandToys > 0 else {
      throw InferenceError.invalidArgument("CLs and CLs+b from toys need background-only toys (band toys > 0) for CLb")
    }
    let builder = try BeltBuilder(model: model, data: data, settings: settings.belt)
    var blocks = try startBlocks(builder: builder, data: data, settings: settings)
    let muHatMax = max(settings.minimumTop, blocks.flatMap { b in b.muHat.indices.filter { b.freeOK[$0] }.map { b.muHat[$0] } }.max() ?? 0)
    let top = max(0, muHatMax) + settings.margin * builder.sigma(at: max(0, muHatMax))
    var belt = try builder.build(to: top, sigmas: settings.minimumSigmas)
    var scanned = 0, extensions = 0
    while true {
      blocks = try scan(blocks, at: Array(belt.mus[scanned...]), threads: settings.belt.threads, model: model)
      scanned = belt.points.count
      let grow = blocks.contains { b in (0..<b.count).contains { BeltScan.needsExtension(b, $0, belt: belt) } }
      guard grow, belt.top < builder.poiUpperBound, belt.points.count < settings.belt.maxPoints else { break }
      try builder.extend(&belt, to: belt.top + 3 * builder.sigma(at: belt.top))
      extensions += 1
    }
    let limiter = BeltLimiter(model: model, belt: belt, settings: settings,
                              backgroundQ: settings.bandToys > 0 ? backgroundQ(blocks, belt: belt) : [])
    let limits = try limiter.limits(blocks, rule: settings.rule)
    let summary = BeltSummary(
      muPoints: belt.points.count, toysPerPoint: settings.belt.toysPerPoint, top: belt.top,
      refinedPoints: builder.refinedPoints,
      extensions: extensions, maxCriticalError: belt.points.map(\.criticalError).filter(\.isFinite).max() ?? .nan,
      failedToys: belt.points.flatMap(\.failed))
    return assemble(limits, blocks: blocks, limiter: limiter, summary: summary, settings: settings)
  }

  /// The data sets in blocks, fitted free: the data alone first (when its limit is wanted),
  /// then the band toys drawn at µ = 0 in blocks of ``BeltBuilder/blockSize``.
  static func startBlocks(builder: BeltBuilder, data: [Double], settings: BeltLimitSettings) throws -> [ScanBlock] {
    let model = builder.model
    let gen = ToySampler(model: model, parameters: builder.generationParameters(mu: 0))
    let size = BeltBuilder.blockSize
    let bandBlocks = (settings.bandToys + size - 1) / size
    let b = settings.belt
    let observed = settings.observed
    return try Parallel.map(count: bandBlocks + (observed ? 1 : 0), threads: b.threads, makeState: { try BeltWorker(model: model) }) { u, worker in
      if observed && u == 0 {
        return worker.startScan(DataBatch(model: model, dataSets: [data]), first: -1, starts: nil)
      }
      let first = (u - (observed ? 1 : 0)) * size
      let toys = first..<min(settings.bandToys, first + size)
      var batch = DataBatch(model: model, capacity: toys.count)
      for i in toys {
        let key = StreamKey(seed: b.seed, study: settings.bandStudy, massIndex: b.streamIndex, toyIndex: i).hash64
        worker.row.withUnsafeMutableBufferPointer { gen.sample(key: key, into: $0.baseAddress!) }
        batch.append(worker.row)
      }
      let starts = [Double]([[Double]](repeating: gen.parameters, count: toys.count).joined())
      return worker.startScan(batch, first: first, starts: starts)
    }
  }

  /// Every block scanned at `mus` (in parallel over blocks).
  static func scan(_ blocks: [ScanBlock], at mus: [Double], threads: Int, model: Model) throws -> [ScanBlock] {
    guard !mus.isEmpty else { return blocks }
    return try Parallel.map(count: blocks.count, threads: threads, makeState: { try BeltWorker(model: model) }) { i, worker in
      var b = blocks[i]
      worker.scan(&b, at: mus)
      return b
    }
  }

  /// The q̃µ of the band toys at every grid point, sorted: the b-only distributions of CLb.
  static func backgroundQ(_ blocks: [ScanBlock], belt: NeymanBelt) -> [[Double]] {
    belt.points.indices.map { k in
      blocks.filter { $0.first >= 0 }.flatMap { b in
        (0..<b.count).filter { b.ok($0) }.map { b.q(k, $0, mu: belt.points[k].mu) }
      }.sorted()
    }
  }

  static func assemble(_ limits: [[BeltLimit]], blocks: [ScanBlock], limiter: BeltLimiter, summary: BeltSummary,
                       settings: BeltLimitSettings) -> BeltLimits {
    var observed: BeltLimit? = nil
    var upper = [Double](repeating: .nan, count: settings.bandToys)
    var failed: [FailedToy] = [], multiple: [Int] = [], significant: [Int] = []
    let b = settings.belt
    for (block, results) in zip(blocks, limits) {
      for (d, r) in results.enumerated() {
        guard block.first >= 0 else {
          observed = r
          continue
        }
        let toy = block.first + d
        switch r {
        case .success(let i):
          upper[toy] = i.upper
          if i.multipleCrossings { multiple.append(toy) }
          if i.gapSignificance > 2 { significant.append(toy) }
        case .failure:
          let key = StreamKey(seed: b.seed, study: settings.bandStudy, massIndex: b.streamIndex, toyIndex: toy).hash64
          failed.append(FailedToy(toy: toy, hypothesis: "b", streamKey: key))
        }
      }
    }
    let band = settings.bandToys > 0 ? ToyLimitBand.quantiles(upper) : nil
    return BeltLimits(observed: observed, bandUpper: upper, band: band, bandFailed: failed, multipleCrossingToys: multiple,
                      significantGapToys: significant, belt: summary, limiter: limiter)
  }
}

/// A belt ready to give limits: the toy Neyman belt and, for CLs and CLs+b, the background-only
/// toys' q̃µ at its grid points. Its data sets' scans never extend the belt: a data set accepted
/// at its top has no limit (``BeltIntervalError/beyondBelt(_:)``) unless the top is the POI's
/// upper bound (then the interval ends there) — so a belt shared by many
/// data sets (the coverage study's) is built with a generous top.
public struct BeltLimiter: Sendable {
  public let model: Model
  public let belt: NeymanBelt
  public let settings: BeltLimitSettings
  /// Sorted q̃µ of the b-only toys per grid point (empty for fc).
  let backgroundQ: [[Double]]

  /// The limit of each data set (main + auxiliary data), fitted free from the model's initial
  /// values, scanned over the whole grid, in parallel over blocks; by `rule` (default the
  /// settings'; CLs and CLs+b need a limiter built with band toys).
  public func limits(of dataSets: [[Double]], rule: LimitRule? = nil) throws -> [BeltLimit] {
    let size = BeltBuilder.blockSize, model = self.model, mus = belt.mus
    let blocks = try Parallel.map(count: (dataSets.count + size - 1) / size, threads: settings.belt.threads,
                                  makeState: { try BeltWorker(model: model) }) { u, worker in
      var b = worker.startScan(DataBatch(model: model, dataSets: Array(dataSets[(u * size)..<min(dataSets.count, (u + 1) * size)])),
                               first: u * size, starts: nil)
      worker.scan(&b, at: mus)
      return b
    }
    return try limits(blocks, rule: rule ?? settings.rule).flatMap { $0 }
  }

  /// The limit of every data set of scanned blocks: the belt interval (fc) or the CLs / CLs+b
  /// upper limit.
  func limits(_ blocks: [ScanBlock], rule: LimitRule) throws -> [[BeltLimit]] {
    let belt = self.belt
    if rule != .fc {
      guard backgroundQ.count == belt.points.count else {
        throw InferenceError.invalidArgument("CLs and CLs+b from toys need background-only toys (band toys > 0) for CLb")
      }
      let alpha = 1 - settings.belt.cl
      let bound = model.bounds[model.poiIndex!].upperBound
      return blocks.map { b in
        (0..<b.count).map { d in Self.clsLimit(b, d, belt: belt, bOnly: backgroundQ, rule: rule, alpha: alpha, poiUpperBound: bound) }
      }
    }
    let model = self.model
    return try Parallel.map(count: blocks.count, threads: settings.belt.threads, makeState: { try BeltWorker(model: model) }) { i, worker in
      (0..<blocks[i].count).map { d in
        Result { try BeltScan.interval(blocks[i], d, belt: belt, worker: worker) }.mapError { $0 as? BeltIntervalError ?? .fitFailed }
      }
    }
  }

  /// The CLs (or CLs+b) upper limit of data set d: the first grid point where the p-value is
  /// ≤ α, linearly interpolated from the point before (pyhf's `EmpiricalDistribution.pvalue`:
  /// the fraction of toys with q̃ ≥ q̃_obs); the POI's upper bound when the p-value stays above α
  /// on a grid that reaches it.
  static func clsLimit(_ b: ScanBlock, _ d: Int, belt: NeymanBelt, bOnly: [[Double]], rule: LimitRule, alpha: Double,
                       poiUpperBound: Double) -> BeltLimit {
    guard b.ok(d) else { return .failure(.fitFailed) }
    var previous: (mu: Double, p: Double)? = nil
    for (k, point) in belt.points.enumerated() {
      let q = b.q(k, d, mu: point.mu)
      let clsb = point.clsb(q), clb = tailFraction(sorted: bOnly[k], q)
      let p = rule == .clsb ? clsb : (clb > 0 ? clsb / clb : (clsb > 0 ? 1 : 0))
      if p <= alpha {
        let mu = previous.map { $0.mu + (point.mu - $0.mu) * ($0.p - alpha) / ($0.p - p) } ?? point.mu
        return .success(BeltInterval(lower: 0, upper: mu, segments: 1, upperRange: mu...mu, gapSignificance: 0))
      }
      previous = (point.mu, p)
    }
    guard belt.top >= poiUpperBound else { return .failure(.beyondBelt(belt.top)) }
    return .success(BeltInterval(lower: 0, upper: belt.top, segments: 1, upperRange: belt.top...belt.top, gapSignificance: 0))
  }

}
