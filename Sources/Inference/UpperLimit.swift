import Foundation
import Likelihood

/// Brent's root finder (Brent, "Algorithms for Minimization without Derivatives", 1973, ch. 4):
/// inverse quadratic interpolation with bisection safeguards.
///
/// - Precondition: f(a) and f(b) have opposite signs (or one is zero).
/// - Returns: x with |x − root| ≤ xtol + rtol·|x|.
public func brentRoot(_ f: (Double) throws -> Double, _ a0: Double, _ b0: Double, fa fa0: Double? = nil, fb fb0: Double? = nil,
                      xtol: Double = 1e-12, rtol: Double = 1e-9, maxIterations: Int = 200) rethrows -> Double {
  var a = a0, b = b0
  var fa = try fa0 ?? f(a), fb = try fb0 ?? f(b)
  if fa == 0 { return a }
  if fb == 0 { return b }
  var c = a, fc = fa
  var d = b - a, e = d
  for _ in 0..<maxIterations {
    if (fb > 0) == (fc > 0) { c = a; fc = fa; d = b - a; e = d }
    if abs(fc) < abs(fb) { a = b; b = c; c = a; fa = fb; fb = fc; fc = fa }
    let tol = 2 * Double.ulpOfOne * abs(b) + 0.5 * (xtol + rtol * abs(b))
    let m = 0.5 * (c - b)
    if abs(m) <= tol || fb == 0 { return b }
    if abs(e) >= tol && abs(fa) > abs(fb) {
      let s = fb / fa
      var p: Double, q: Double
      if a == c {
        p = 2 * m * s
        q = 1 - s
      } else {
        let qq = fa / fc, r = fb / fc
        p = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1))
        q = (qq - 1) * (r - 1) * (s - 1)
      }
      if p > 0 { q = -q } else { p = -p }
      if 2 * p < min(3 * m * q - abs(tol * q), abs(e * q)) {
        e = d
        d = p / q
      } else {
        d = m
        e = m
      }
    } else {
      d = m
      e = m
    }
    a = b
    fa = fb
    b += abs(d) > tol ? d : (m > 0 ? tol : -tol)
    fb = try f(b)
  }
  return b
}

extension LimitRule {
  /// The test statistic a rule orders by unless told otherwise: t̃µ for the Feldman–Cousins-style
  /// intervals (two-sided, arXiv:1007.1727 Eq. 11), q̃µ for the upper limits (Eq. 16), as pyhf's
  /// `upper_limit` does.
  public var defaultTestStatistic: TestStatistic { self == .fc ? .ttilde : .qtilde }
}

/// Upper limits and intervals at confidence level `cl` (pyhf `upper_limit`, Feldman–Cousins).
///
/// - `cls`: the smallest µ with CLs(µ) ≤ α = 1 − cl (q̃µ by default);
/// - `clsb`: the same with CLs+b;
/// - `fc`: the Neyman construction ordered by t̃µ (the paper's Feldman–Cousins-style intervals):
///   the interval is {µ : P(t̃µ ≥ t̃µ,obs | µ) > α}; both ends are returned (the lower end is 0
///   when µ = 0 is inside).
///
/// Each curve — observed and the five expected ones — is bracketed (doubling the upper end, as
/// pyhf does) and solved with Brent's method to a relative tolerance of 1e-6 (pyhf: 1e-4).
/// Hypothesis tests are cached by µ and shared between the curves.
public struct LimitResult: Sendable, Codable, Equatable {
  public var rule: LimitRule
  public var cl: Double
  public var testStatistic: TestStatistic
  public var observed: Double
  /// FC only: the lower end of the observed interval.
  public var observedLower: Double?
  /// Expected upper limits at −2σ, −1σ, median, +1σ, +2σ (pyhf's order).
  public var expected: [Double]
  public var hypotests: Int

  enum CodingKeys: String, CodingKey {
    case rule, cl, testStatistic = "test_stat", observed, observedLower = "observed_lower", expected, hypotests
  }

  /// The expected band as the contract's keys.
  public var expectedBand: ExpectedBand { ExpectedBand(expected) }
}

/// −2σ … +2σ values with the contract's keys.
public struct ExpectedBand: Sendable, Codable, Equatable {
  public var minus2: Double
  public var minus1: Double
  public var median: Double
  public var plus1: Double
  public var plus2: Double

  public init(_ v: [Double]) {
    minus2 = v[0]; minus1 = v[1]; median = v[2]; plus1 = v[3]; plus2 = v[4]
  }

  public var values: [Double] { [minus2, minus1, median, plus1, plus2] }
}

public final class LimitSetter {
  public let calculator: any HypoTestCalculator
  public let rule: LimitRule
  public let cl: Double
  private var cache: [Double: HypoTestResult] = [:]
  /// Relative tolerance of the limits.
  public var rtol = 1e-6

  public init(calculator: any HypoTestCalculator, rule: LimitRule, cl: Double = 0.9) throws {
    guard cl > 0, cl < 1 else { throw InferenceError.invalidArgument("the confidence level must be in (0, 1), got \(cl)") }
    if rule == .fc, calculator.testStatistic != .ttilde && calculator.testStatistic != .t {
      throw InferenceError.invalidArgument("Feldman–Cousins-style intervals order by t̃µ: use the ttilde (or t) test statistic")
    }
    self.calculator = calculator
    self.rule = rule
    self.cl = cl
  }

  public var alpha: Double { 1 - cl }
  public var hypotestCount: Int { cache.count }

  func test(_ mu: Double) throws -> HypoTestResult {
    if let r = cache[mu] { return r }
    let r = try calculator.hypotest(poi: mu)
    cache[mu] = r
    return r
  }

  /// The value of curve k at µ minus α: k = 0 observed, 1…5 expected (−2σ … +2σ).
  func curve(_ k: Int, _ mu: Double) throws -> Double {
    let r = try test(mu)
    let v = k == 0 ? r.value(for: rule == .fc ? .clsb : rule) : r.expected(for: rule == .fc ? .clsb : rule)[k - 1]
    return v - alpha
  }

  /// Observed and expected limits (`expected: false` skips the expected band).
  public func compute(expected wantExpected: Bool = true) throws -> LimitResult {
    let bounds = calculator.poiBounds
    let lo = bounds.lowerBound
    var hi = bounds.upperBound > lo ? bounds.upperBound : lo + 1
    let curves = wantExpected ? Array(0...5) : [0]
    // A first bracket from the asymptotic scale σ = µ/√q_µ,A (arXiv:1007.1727 Eq. 32): the
    // limits lie near µ̂ + (1.3 … 1.7)σ, the expected band within 4σ. Brent then needs a few
    // evaluations instead of bisecting down from the POI's upper bound.
    if let asym = calculator as? AsymptoticCalculator {
      let trial = lo + (hi - lo) / 100
      let a = asym.sqrtAsimov(poi: trial)
      if a > 0, a.isFinite {
        let sigma = (trial - lo) / a
        let centre = max(asym.muHat, lo)
        let top = centre + (wantExpected || rule == .fc ? 4.5 : 2.2) * sigma
        if top > lo, top < hi {
          _ = try curve(0, centre + 1.0 * sigma)
          hi = top
        }
      }
    }
    // Bracket every curve's upper crossing: all curves below α at `hi`.
    var doublings = 0
    while try curves.contains(where: { try curve($0, hi) > 0 }) {
      hi = lo + 2 * (hi - lo)
      doublings += 1
      if doublings > 40 { throw InferenceError.noBracket("no POI value up to \(hi) is excluded at \(cl) CL: the data do not constrain the POI") }
    }
    var upper: [Double] = []
    let twoSided = rule == .fc
    // A two-sided p(µ) peaks at µ̂ (p = 1 there): the observed interval's upper end lies above it.
    let muHat = min(max(calculator.muHat, lo), hi)
    for k in curves {
      if twoSided && k == 0 {
        let fPeak = try curve(0, muHat)
        if fPeak <= 0 {
          throw InferenceError.noBracket("p(µ̂ = \(muHat)) ≤ α: the t̃µ p-value never exceeds 1 − CL; no interval")
        }
        upper.append(try brentRoot({ try curve(0, $0) }, muHat, hi, fa: fPeak, fb: try curve(0, hi), xtol: 1e-12 * max(1, hi), rtol: rtol))
        continue
      }
      if twoSided {
        upper.append(try lastDownwardCrossing(k, lo: lo, hi: hi, seeds: upper))
        continue
      }
      // The best bracket from the cache: the largest µ still above α below the smallest µ below α.
      let points = try cache.keys.sorted().map { ($0, try curve(k, $0)) }
      guard let firstBelow = points.firstIndex(where: { $0.1 <= 0 }) else {
        throw InferenceError.noBracket("curve \(k) never falls below α")
      }
      let b = points[firstBelow]
      let a = firstBelow > 0 ? points[firstBelow - 1] : (lo, try curve(k, lo))
      if a.1 <= 0 {
        upper.append(a.0)  // already excluded at the lower bound
        continue
      }
      upper.append(try brentRoot({ try curve(k, $0) }, a.0, b.0, fa: a.1, fb: b.1, xtol: 1e-12 * max(1, hi), rtol: rtol))
    }
    var lower: Double? = nil
    if twoSided {
      // The lower end: µ = lo is inside unless p(lo) < α; then p crosses α between lo and µ̂.
      let f0 = try curve(0, lo)
      if f0 < 0 {
        lower = try brentRoot({ try curve(0, $0) }, lo, muHat, fa: f0, fb: try curve(0, muHat), xtol: 1e-12 * max(1, hi), rtol: rtol)
      } else {
        lower = lo
      }
    }
    return LimitResult(rule: rule, cl: cl, testStatistic: calculator.testStatistic, observed: upper[0], observedLower: lower,
                       expected: wantExpected ? Array(upper[1...5]) : [], hypotests: cache.count)
  }

  /// The upper end of an expected two-sided interval: the last µ in [lo, hi] where curve k
  /// falls through α (curve(hi) ≤ 0 is known). The expected t̃µ p-value for µ̂ = −Nσ peaks at
  /// µ = max(lo, −Nσ) and for N < 0 is below α at µ = lo already, so the first crossing from
  /// the lower bound is not the upper end. Candidates: the points tested so far, a 16-point grid
  /// over [lo, hi] and the upper ends of the curves before (the next curve is shifted up and
  /// above α there); Brent's method between the last candidate above α and the next one.
  private func lastDownwardCrossing(_ k: Int, lo: Double, hi: Double, seeds: [Double]) throws -> Double {
    let grid = (0...16).map { lo + (hi - lo) * Double($0) / 16 }
    let inRange = { (mu: Double) in mu >= lo && mu <= hi }
    let mus = Set(grid + seeds.filter(inRange) + cache.keys.filter(inRange)).sorted()
    let values = try mus.map { try curve(k, $0) }
    guard let last = values.lastIndex(where: { $0 > 0 }) else { return lo }  // below α everywhere
    guard last + 1 < mus.count else { throw InferenceError.noBracket("curve \(k) does not fall below α up to \(hi)") }
    return try brentRoot({ try curve(k, $0) }, mus[last], mus[last + 1], fa: values[last], fb: values[last + 1],
                         xtol: 1e-12 * max(1, hi), rtol: rtol)
  }
}
