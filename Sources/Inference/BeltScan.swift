import Foundation
import GSL
import Likelihood
import _Support

/// The t̃µ scan of a block of data sets over a belt's grid: their free fits (µ̂ ≥ 0) and, at
/// every grid point in ascending order, their conditional fits (each warm-started from the
/// data set's conditional fit at the point before). −2 ln L values are kept, not t̃, because a
/// conditional fit that ends below the free fit replaces the free fit (a local minimum), which
/// changes t̃ at every point.
struct ScanBlock: Sendable {
  var data: DataBatch
  /// The index of the block's first data set among all scanned.
  let first: Int
  var freeNLL: [Double]
  var muHat: [Double]
  var freeOK: [Bool]
  /// Free-fit parameters, flat (per-bin locals NaN: not recorded on the batched path).
  var freeParameters: [Double]
  /// −2 ln L of the conditional fit at scanned point k of data set d: `conditional[k][d]`.
  var conditional: [[Double]] = []
  var conditionalOK: [[Bool]] = []
  /// Parameters of the last conditional fits (the next point's starting values), flat.
  var last: [Double]

  var count: Int { data.count }

  /// t̃µ at scanned point k (arXiv:1007.1727 Eq. 11 with µ̂ ≥ 0), NaN when a fit failed.
  func t(_ k: Int, _ d: Int) -> Double {
    guard freeOK[d], conditionalOK[k][d] else { return .nan }
    return max(0, conditional[k][d] - freeNLL[d])
  }

  /// q̃µ at scanned point k (Eq. 16): 0 when µ̂ > µ.
  func q(_ k: Int, _ d: Int, mu: Double) -> Double { muHat[d] > mu ? 0 : t(k, d) }

  /// Whether data set d's statistics are usable.
  func ok(_ d: Int) -> Bool { freeOK[d] && conditionalOK.allSatisfy { $0[d] } }
}

extension BeltWorker {
  /// The free fits of a block of data sets (from `starts`, flat, or the model's initial values).
  func startScan(_ data: DataBatch, first: Int, starts: [Double]?) -> ScanBlock {
    let free = fitter.fit(data, initial: starts)
    let n = data.count
    return ScanBlock(data: data, first: first, freeNLL: free.twiceNLL, muHat: (0..<n).map { free.parameter(poi, of: $0) },
                     freeOK: free.converged, freeParameters: free.parameters, last: free.parameters)
  }

  /// Conditional fits of the block at `mus` (ascending, above the points scanned before).
  func scan(_ block: inout ScanBlock, at mus: [Double]) {
    let nPar = model.parameterCount
    for mu in mus {
      var start = block.last
      for d in 0..<block.count { start[d * nPar + poi] = mu }
      let c = fitter.fit(block.data, fixed: [poi: mu], initial: start)
      for d in 0..<block.count where c.converged[d] && block.freeOK[d]
        && c.twiceNLL[d] < block.freeNLL[d] - 1e-9 * max(1, abs(block.freeNLL[d])) {
        refitFree(&block, d, from: c[d])
      }
      block.conditional.append(c.twiceNLL)
      block.conditionalOK.append(c.converged)
      // A failed fit's parameters are no start: keep the previous ones.
      for d in 0..<block.count where c.converged[d] {
        for p in 0..<nPar { block.last[d * nPar + p] = c.parameter(p, of: d) }
      }
    }
  }

  /// The free fit of data set d redone from a conditional fit that ended below it
  /// (``ProfileLikelihood/consistentFree(_:_:_:)``).
  func refitFree(_ block: inout ScanBlock, _ d: Int, from c: FitResult) {
    let nPar = model.parameterCount
    let p = Array(block.freeParameters[(d * nPar)..<((d + 1) * nPar)])
    let f = FitResult(parameters: p, twiceNLL: block.freeNLL[d], uncertainties: [], converged: true, iterations: 0,
                      newtonDecrement: 0, method: "batched")
    var cc = c
    cc.parameters = sanitized(c.parameters)
    guard let better = profile.consistentFree(f, cc, Array(block.data[d])) else { return }
    block.freeNLL[d] = better.twiceNLL
    block.muHat[d] = better.parameters[poi]
    for q in 0..<nPar { block.freeParameters[d * nPar + q] = better.parameters[q] }
  }

  /// Parameters with the unrecorded (NaN) per-bin locals at the model's initial values.
  func sanitized(_ p: [Double]) -> [Double] {
    zip(p, model.initialValues).map { $0.isFinite ? $0 : $1 }
  }

  /// The exact t̃µ of data set d at µ (a conditional fit from its free fit; ``BeltScan`` refines
  /// interval ends with it).
  func exactT(_ block: ScanBlock, _ d: Int, mu: Double) -> Double {
    let nPar = model.parameterCount
    var start = sanitized(Array(block.freeParameters[(d * nPar)..<((d + 1) * nPar)]))
    start[poi] = mu
    let c = profile.conditionalFit(Array(block.data[d]), poi: mu, initial: start)
    return c.converged ? max(0, c.twiceNLL - block.freeNLL[d]) : .nan
  }
}

/// The interval of one data set from a belt: {µ : t̃µ(data) ≤ k(µ)}.
public struct BeltInterval: Sendable, Equatable {
  public var lower: Double
  public var upper: Double
  /// Accepted stretches of the grid: 1 for an interval; more when t̃µ(data) crosses k(µ) more
  /// than twice (the interval reported is then the hull, from the first stretch's lower end to
  /// the last one's upper end).
  public var segments: Int
  /// The upper end with k shifted by ∓1 Monte Carlo σ (linear interpolation of t̃µ(data)
  /// between grid points): the statistical uncertainty of the end from the belt's toys.
  public var upperRange: ClosedRange<Double>
  /// With several stretches: how far the data are rejected between them, in units of k's Monte
  /// Carlo error — the largest (t̃µ(data) − k(µ))/σ_k(µ) over the grid points between the first
  /// and the last stretch. Below ~2 the gaps are the belt's statistical noise (k fluctuating
  /// about a t̃µ(data) that rises slowly); above, the acceptance region has real holes. 0 for
  /// one stretch.
  public var gapSignificance: Double

  public var multipleCrossings: Bool { segments > 1 }
}

/// Why a data set has no interval.
public enum BeltIntervalError: Error, Equatable, CustomStringConvertible {
  /// A fit of the scan did not converge.
  case fitFailed
  /// Accepted at the top of the grid, which cannot grow (the belt's point limit) and is below
  /// the POI's upper bound: the interval's upper end is not within the belt. (A data set
  /// accepted up to the POI's upper bound has its interval end there: the parameter space ends
  /// at the bound.)
  case beyondBelt(Double)

  public var description: String {
    switch self {
    case .fitFailed: "a fit of the t̃µ scan did not converge"
    case .beyondBelt(let top): "t̃µ(data) ≤ k(µ) up to the belt's top µ = \(top): the interval's upper end lies beyond it"
    }
  }
}

/// Intervals from a scanned block.
enum BeltScan {
  /// f(µ) = t̃µ(data) − k(µ) of data set d on the grid and at µ̂ (where t̃ = 0): the sorted
  /// (µ, f, isGrid) samples. NaN when a fit failed.
  static func samples(_ block: ScanBlock, _ d: Int, belt: NeymanBelt) -> [(mu: Double, f: Double)] {
    var s = belt.points.indices.map { k in (mu: belt.points[k].mu, f: belt.excess(block.t(k, d), point: k)) }
    let muHat = block.muHat[d]
    if muHat > 0, muHat < belt.top, !s.contains(where: { $0.mu == muHat }) {
      s.append((muHat, belt.excess(0, at: muHat)))
      s.sort { $0.mu < $1.mu }
    }
    return s
  }

  /// Whether data set d is accepted at the belt's top (or its µ̂ lies above it): the belt must
  /// grow for its interval.
  static func needsExtension(_ block: ScanBlock, _ d: Int, belt: NeymanBelt) -> Bool {
    guard block.ok(d) else { return false }
    let k = belt.points.count - 1
    return block.muHat[d] >= belt.top || belt.excess(block.t(k, d), point: k) <= 0
  }

  /// The interval of data set d: sign changes of f on the samples, each end refined by Brent's
  /// method on the exact t̃µ(data) (a conditional fit per evaluation) against the interpolated
  /// k(µ), to 10⁻⁴ of the cell (far below the ends' Monte Carlo error); the lower end is 0 when
  /// µ = 0 is accepted, and the upper end is the POI's upper bound when the data are accepted
  /// up to a grid that reaches it (the Neyman construction on a bounded parameter: the coverage
  /// study's large signals near the bound are covered, not lost as failures).
  static func interval(_ block: ScanBlock, _ d: Int, belt: NeymanBelt, worker: BeltWorker) throws -> BeltInterval {
    guard block.ok(d) else { throw BeltIntervalError.fitFailed }
    let s = samples(block, d, belt: belt)
    guard s.allSatisfy({ $0.f.isFinite }) else { throw BeltIntervalError.fitFailed }
    let openAtBound = s.last!.f <= 0 && belt.top >= worker.poiUpperBound
    guard s.last!.f > 0 || openAtBound else { throw BeltIntervalError.beyondBelt(belt.top) }
    var entries: [Int] = [], exits: [Int] = []  // sample index of the first accepted / first rejected after
    for i in s.indices where s[i].f <= 0 && (i == 0 || s[i - 1].f > 0) { entries.append(i) }
    for i in s.indices.dropFirst() where s[i].f > 0 && s[i - 1].f <= 0 { exits.append(i) }
    // The sample index after the last accepted stretch (s.count when it is open at the bound).
    guard let firstIn = entries.first, let lastOut = openAtBound ? s.count : exits.last else {
      // Nowhere accepted: no sample of the grid is inside (cannot happen with µ̂ sampled).
      throw BeltIntervalError.fitFailed
    }
    func f(_ mu: Double) -> Double { belt.excess(worker.exactT(block, d, mu: mu), at: mu) }
    func end(_ a: Int, _ b: Int) -> Double {
      let (x0, x1) = (s[a].mu, s[b].mu)
      return brentRoot(f, x0, x1, fa: s[a].f, fb: s[b].f, xtol: 1e-4 * (x1 - x0), rtol: 0)
    }
    let lower = firstIn == 0 ? s[0].mu : end(firstIn - 1, firstIn)
    let upper = openAtBound ? belt.top : end(lastOut - 1, lastOut)
    let range = openAtBound ? [upper, upper] : [-1.0, 1.0].map { shifted(s, belt: belt, sigmas: $0) ?? upper }
    return BeltInterval(lower: lower, upper: upper, segments: entries.count, upperRange: min(range[0], range[1])...max(range[0], range[1]),
                        gapSignificance: gapSignificance(s, from: firstIn, to: lastOut - 1, belt: belt))
  }

  /// The largest f/σ_k over the rejected samples between samples `a` and `b` (0 if none).
  static func gapSignificance(_ s: [(mu: Double, f: Double)], from a: Int, to b: Int, belt: NeymanBelt) -> Double {
    guard b > a else { return 0 }
    return (a...b).filter { s[$0].f > 0 }.map { i in
      let e = belt.interpolate(s[i].mu) { $0.criticalError }
      return e > 0 ? s[i].f / e : .infinity
    }.max() ?? 0
  }

  /// The upper end from the grid alone (t̃µ(data) and k linear between samples) against k
  /// shifted by `sigmas` Monte Carlo errors.
  static func shifted(_ s: [(mu: Double, f: Double)], belt: NeymanBelt, sigmas: Double) -> Double? {
    let g = s.map { ($0.mu, $0.f + belt.critical(at: $0.mu) - belt.critical(at: $0.mu, shiftedBy: sigmas)) }
    guard let i = g.indices.dropFirst().last(where: { g[$0].1 > 0 && g[$0 - 1].1 <= 0 }) else { return nil }
    let (a, fa) = g[i - 1], (b, fb) = g[i]
    return a + (b - a) * (-fa) / (fb - fa)
  }
}
