import Foundation
import GSL
import Likelihood

/// How a toy Neyman belt is built (``NeymanBelt``): the toys per µ point, where the points go,
/// where its toys come from.
///
/// The grid is laid out in units of the asymptotic standard deviation of µ̂,
/// σ(µ) = µ/√q_µ,A (arXiv:1007.1727 Eq. 31–32, the Asimov data set of the background-only
/// conditional fit to the data): from µ = 0, a step of ``nearStep``·σ while µ < ``nearRange``·σ
/// (where the critical value bends: asymptotically k rises from the 90% point of ½δ + ½χ²₁,
/// 1.64, at µ ≲ 0.25σ to the χ²₁ point 2.71 at µ ≳ 1.64σ, Eq. 44), then ``farStep``·σ. With
/// the defaults (0.1σ to 2σ, then 0.25σ) a grid to 7σ has 41 points.
public struct BeltSettings: Sendable, Equatable {
  /// Confidence level of the belt (k is the CL quantile of t̃µ).
  public var cl: Double
  /// Toys per µ point.
  public var toysPerPoint: Int
  public var seed: UInt64
  /// The stream family of the belt's toys.
  public var study: StreamKey.Study
  /// The stream index of the hypothesis (the mass index; coverage adds its signal index).
  public var streamIndex: Int
  public var threads: Int
  /// Toys at the conditional MLE of the nuisances on the data (profiled) or at their nominal
  /// values.
  public var nuisances: ToySettings.Nuisances
  /// Grid steps in units of σ(µ), and where the near region ends.
  public var nearStep: Double
  public var farStep: Double
  public var nearRange: Double
  /// Refine the grid where linear interpolation of k disagrees with the points (see
  /// ``NeymanBelt/refinementCandidates(z:)``).
  public var refine: Bool
  /// At most this many points (refinement and extension stop there).
  public var maxPoints: Int

  public init(cl: Double = 0.9, toysPerPoint: Int = 2000, seed: UInt64 = 1, study: StreamKey.Study = .belt, streamIndex: Int = 0,
              threads: Int = 1, nuisances: ToySettings.Nuisances = .profiled, nearStep: Double = 0.1, farStep: Double = 0.25,
              nearRange: Double = 2, refine: Bool = true, maxPoints: Int = 90) {
    self.cl = cl
    self.toysPerPoint = toysPerPoint
    self.seed = seed
    self.study = study
    self.streamIndex = streamIndex
    self.threads = threads
    self.nuisances = nuisances
    self.nearStep = nearStep
    self.farStep = farStep
    self.nearRange = nearRange
    self.refine = refine
    self.maxPoints = maxPoints
  }

  /// The stream of toy `toy` at the µ point `mu`: the key of (seed, study, stream index, toy)
  /// (``GSL/StreamKey``) mixed with the point's stable id, the IEEE-754 bit pattern of µ:
  /// key = mix(k ⊕ mix(bits(µ))) with SplitMix64's finaliser. A point's toys do not depend on
  /// which other points the grid has, so refining or extending a belt keeps the toys of its
  /// points.
  public func key(toy: Int, mu: Double) -> UInt64 {
    let base = StreamKey(seed: seed, study: study, massIndex: streamIndex, toyIndex: toy).hash64
    return SplitMix64.mix(base ^ SplitMix64.mix(mu.bitPattern))
  }
}

extension StreamKey.Study {
  /// Toys of the Neyman belts (toy limits): one stream per hypothesis, µ point and toy.
  public static let belt: StreamKey.Study = 10
}

/// One µ point of a belt: the t̃µ and q̃µ of its toys (sorted), and the critical value.
public struct BeltPoint: Sendable {
  public let mu: Double
  /// t̃µ of the toys whose fits converged, ascending.
  public let t: [Double]
  /// q̃µ of the same toys (0 where µ̂ > µ), ascending: the s+b distribution for CLs+b.
  public let q: [Double]
  /// Toys generated (converged or not).
  public let toys: Int
  public let failed: [FailedToy]
  /// k(µ) = the smallest t with P(t̃ ≤ t) ≥ CL: the order statistic t_(⌈CL·n⌉).
  public let critical: Double
  /// The 68% interval of k from the order statistics (``NeymanBelt/orderStatisticRange(n:cl:)``).
  public let criticalRange: ClosedRange<Double>

  public init(mu: Double, t: [Double], q: [Double], toys: Int, failed: [FailedToy], cl: Double) {
    self.mu = mu
    self.t = t
    self.q = q
    self.toys = toys
    self.failed = failed
    let n = t.count
    guard n > 0 else {
      critical = .nan
      criticalRange = -Double.infinity...Double.infinity
      return
    }
    critical = t[NeymanBelt.criticalIndex(n: n, cl: cl) - 1]
    let (a, b) = NeymanBelt.orderStatisticRange(n: n, cl: cl)
    criticalRange = t[a - 1]...t[b - 1]
  }

  /// The Monte Carlo standard error of k: half the width of its 68% interval.
  public var criticalError: Double { 0.5 * (criticalRange.upperBound - criticalRange.lowerBound) }

  /// CLs+b of a q̃µ value: the fraction of this point's toys with q̃ ≥ q (pyhf's
  /// `EmpiricalDistribution.pvalue`).
  public func clsb(_ qObs: Double) -> Double { tailFraction(sorted: q, qObs) }
}

/// The fraction of sorted values ≥ x (binary search).
func tailFraction(sorted v: [Double], _ x: Double) -> Double {
  guard !v.isEmpty else { return .nan }
  var lo = 0, hi = v.count
  while lo < hi {
    let mid = (lo + hi) >> 1
    if v[mid] >= x { hi = mid } else { lo = mid + 1 }
  }
  return Double(v.count - lo) / Double(v.count)
}

/// A Neyman belt for t̃µ from toys (the paper's "frequentist procedure based on the
/// profile-likelihood ratio t̃µ"; Feldman & Cousins, Phys. Rev. D 57 (1998) 3873, with the
/// ordering of arXiv:1007.1727 Eq. 11): at each µ of a grid, toys generated at µ give the
/// distribution of t̃µ and its critical value k(µ), the CL quantile. A data set's interval is
/// {µ : t̃µ(data) ≤ k(µ)} (``BeltScan``).
///
/// Between grid points k is interpolated linearly. The grid is refined until linear
/// interpolation agrees with every point within its Monte Carlo error (``refinementCandidates(z:)``),
/// so the interpolation error is below the statistical one; both are carried into the interval
/// ends (``BeltScan``).
public struct NeymanBelt: Sendable {
  public let settings: BeltSettings
  /// The points, ascending in µ.
  public private(set) var points: [BeltPoint]

  public init(settings: BeltSettings, points: [BeltPoint]) {
    self.settings = settings
    self.points = points.sorted { $0.mu < $1.mu }
  }

  public var mus: [Double] { points.map(\.mu) }
  public var top: Double { points.last?.mu ?? 0 }
  public var toysPerPoint: Int { settings.toysPerPoint }

  /// Adds points (kept ascending).
  public mutating func insert(_ new: [BeltPoint]) {
    points = (points + new).sorted { $0.mu < $1.mu }
  }

  /// The index i with points[i].mu ≤ µ < points[i+1].mu (clamped to the first and last cell).
  func cell(_ mu: Double) -> Int {
    var lo = 0, hi = points.count - 1
    guard hi > 0 else { return 0 }
    while hi - lo > 1 {
      let mid = (lo + hi) >> 1
      if points[mid].mu <= mu { lo = mid } else { hi = mid }
    }
    return lo
  }

  /// Linear interpolation of `value` between the grid points around µ (constant beyond the
  /// ends).
  func interpolate(_ mu: Double, _ value: (BeltPoint) -> Double) -> Double {
    guard points.count > 1 else { return points.first.map(value) ?? .nan }
    if mu <= points[0].mu { return value(points[0]) }
    if mu >= top { return value(points[points.count - 1]) }
    let i = cell(mu)
    let a = points[i], b = points[i + 1]
    let w = (mu - a.mu) / (b.mu - a.mu)
    return (1 - w) * value(a) + w * value(b)
  }

  /// k(µ), linear between grid points.
  public func critical(at mu: Double) -> Double { interpolate(mu) { $0.critical } }

  /// Fit-precision ties: a t̃ within 10⁻⁵(1 + k) of k counts as equal to it, so accepted. With
  /// discrete data a data set's t̃µ equals k(µ) exactly over stretches of µ (the data set is the
  /// quantile's own outcome); its fits and the toy's agree to their tolerance (10⁻⁶ in −2 ln L)
  /// only. A continuous t̃ falls within the tolerance of k with probability ~10⁻⁵·density.
  public static func tieTolerance(_ k: Double) -> Double { 1e-5 * (1 + abs(k)) }

  /// t̃ − k(µ) beyond the tie tolerance: ≤ 0 where µ is accepted.
  public func excess(_ t: Double, at mu: Double) -> Double {
    let k = critical(at: mu)
    return t - k - Self.tieTolerance(k)
  }

  /// The same at grid point i.
  public func excess(_ t: Double, point i: Int) -> Double {
    let k = points[i].critical
    return t - k - Self.tieTolerance(k)
  }

  /// k(µ) shifted by `sigmas` of its Monte Carlo error (linear between grid points): the
  /// belts whose intervals bracket the interval ends' statistical uncertainty.
  public func critical(at mu: Double, shiftedBy sigmas: Double) -> Double {
    interpolate(mu) { sigmas < 0 ? $0.critical + sigmas * ($0.critical - $0.criticalRange.lowerBound)
      : $0.critical + sigmas * ($0.criticalRange.upperBound - $0.critical) }
  }

  /// The 1-based rank of the critical value among n sorted toys: ⌈CL·n⌉ (the smallest t with
  /// an empirical P(t̃ ≤ t) ≥ CL), with a guard against CL·n rounding just above an integer.
  public static func criticalIndex(n: Int, cl: Double) -> Int {
    let x = cl * Double(n)
    let r = x.rounded()
    let j = abs(x - r) < 1e-9 * max(1, x) ? Int(r) : Int(x.rounded(.up))
    return min(max(j, 1), n)
  }

  /// The ranks (1-based) [a, b] of the order statistics that bracket the CL quantile with 68%
  /// probability: the number of toys below the true quantile is Binomial(n, CL), so
  /// P(t_(a) ≤ k_true) = P(B ≥ a) and P(t_(b) ≥ k_true) = P(B < b); a is the largest rank with
  /// P(B ≥ a) ≥ 84.13%, b the smallest with P(B < b) ≥ 84.13% (exact binomial sums).
  public static func orderStatisticRange(n: Int, cl: Double) -> (Int, Int) {
    let pmf = binomialPMF(n: n, p: cl)
    var cdf = [Double](repeating: 0, count: n + 2)  // cdf[j] = P(B < j)
    for j in 1...(n + 1) { cdf[j] = cdf[j - 1] + pmf[j - 1] }
    let oneSigma = 0.841344746
    var a = 1
    while a + 1 <= n && 1 - cdf[a + 1] >= oneSigma { a += 1 }
    var b = n
    while b - 1 >= 1 && cdf[b - 1] >= oneSigma { b -= 1 }
    return (a, max(a, b))
  }

  /// P(B = j), j = 0…n, for B ~ Binomial(n, p), from logarithms (ln j! from GSL's lngamma).
  static func binomialPMF(n: Int, p: Double) -> [Double] {
    let lp = log(p), lq = log1p(-p), ln = PoissonDistribution.logFactorial(Double(n))
    return (0...n).map { j in
      let logChoose = ln - PoissonDistribution.logFactorial(Double(j)) - PoissonDistribution.logFactorial(Double(n - j))
      let logP: Double = logChoose + Double(j) * lp + Double(n - j) * lq
      return exp(logP)
    }
  }

  /// Where to refine: each tested point j is compared with the linear interpolation of its
  /// neighbours' critical values at µ_j; when they differ by more than `z` combined Monte Carlo
  /// errors (σ_j² + w₋²σ₋² + w₊²σ₊²: independent toys per point), the two cells beside j are
  /// split at their midpoints. The first pass tests every interior point (`testing` nil); later
  /// passes test only the new midpoints against the cell they split, so a point whose k is off
  /// by noise alone does not keep splitting its cells. Returns the new µ values (each cell once),
  /// only in cells from `above` up and wider than 2·`minimumWidth(µ)` at their lower end.
  public func refinementCandidates(z: Double = 2, testing: Set<Double>? = nil, above: Double = -.infinity,
                                   minimumWidth: (Double) -> Double = { _ in 0 }) -> [Double] {
    guard points.count >= 3 else { return [] }
    var split = Set<Int>()  // cell index i: between points i and i+1
    for j in 1..<(points.count - 1) where testing?.contains(points[j].mu) ?? true {
      let a = points[j - 1], m = points[j], b = points[j + 1]
      let w = (m.mu - a.mu) / (b.mu - a.mu)
      let interpolated = (1 - w) * a.critical + w * b.critical
      let e = (m.criticalError * m.criticalError + pow((1 - w) * a.criticalError, 2) + pow(w * b.criticalError, 2)).squareRoot()
      guard abs(m.critical - interpolated) > z * e || (e == 0 && m.critical != interpolated) else { continue }
      split.insert(j - 1)
      split.insert(j)
    }
    return split.sorted().compactMap { i in
      let a = points[i].mu, b = points[i + 1].mu
      guard a >= above, b - a > 2 * minimumWidth(a) else { return nil }
      return 0.5 * (a + b)
    }
  }
}
