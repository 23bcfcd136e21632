import Foundation
import GSL
import Testing
@testable import Inference
import Likelihood

/// The exact Neyman construction of the one-bin counting experiment without nuisance parameters
/// (n ~ Poisson(b + sµ), µ ≥ 0): the distribution of t̃µ is a sum over n of Poisson
/// probabilities, so k(µ) and the interval {µ : t̃µ(n_obs) ≤ k(µ)} are computable exactly.
struct ExactCountingBelt {
  let s: Double, b: Double, cl: Double
  let bounds: ClosedRange<Double>

  /// k(µ): the smallest t with P(t̃µ ≤ t | µ) ≥ CL.
  func critical(_ mu: Double) -> Double {
    let nu = b + s * mu
    let nMax = Int(nu + 15 * nu.squareRoot() + 30)
    let pairs = (0...nMax).map { n in (countingTLike(n: Double(n), s: s, b: b, mu: mu, bounds: bounds).t, poissonPMF(n, nu)) }
      .sorted { $0.0 < $1.0 }
    var cumulative = 0.0
    for (t, p) in pairs {
      cumulative += p
      if cumulative >= cl - 1e-12 { return t }
    }
    return pairs.last!.0
  }

  /// The hull of the accepted µ on a grid of step `h` up to `top`.
  func interval(observed n: Double, top: Double, h: Double) -> (Double, Double) {
    let accepted = stride(from: 0.0, through: top, by: h).filter { mu in
      countingTLike(n: n, s: s, b: b, mu: mu, bounds: bounds).t <= critical(mu) + 1e-12
    }
    return (accepted.first!, accepted.last!)
  }
}

/// The toy Neyman belt (t̃µ, the paper's construction): exact Poisson answers, the order
/// statistics of the critical value, interpolation, refinement, determinism.
@Suite("Neyman belt from toys")
struct NeymanBeltTests {
  @Test("Order statistics: the 68% interval of the 90% quantile of 2,000 toys spans ranks 1800 ± 13.4")
  func orderStatistics() {
    #expect(NeymanBelt.criticalIndex(n: 2000, cl: 0.9) == 1800)
    #expect(NeymanBelt.criticalIndex(n: 2001, cl: 0.9) == 1801)
    #expect(NeymanBelt.criticalIndex(n: 10, cl: 0.9) == 9)
    let (a, b) = NeymanBelt.orderStatisticRange(n: 2000, cl: 0.9)
    // Binomial(2000, 0.9): mean 1800, σ = 13.42; P(B ≥ a) ≥ 84.13% at a ≈ 1800 − 13.4 + ½.
    #expect((1785...1788).contains(a), "a = \(a)")
    #expect((1813...1816).contains(b), "b = \(b)")
  }

  @Test("k(µ) is linear between grid points and constant beyond the ends")
  func interpolation() {
    func point(_ mu: Double, _ k: Double) -> BeltPoint {
      BeltPoint(mu: mu, t: [Double](repeating: k, count: 10), q: [], toys: 10, failed: [], cl: 0.9)
    }
    let belt = NeymanBelt(settings: BeltSettings(), points: [point(2, 3), point(0, 1), point(1, 2.5)])
    #expect(belt.mus == [0, 1, 2])
    #expect(belt.critical(at: 0.5) == 1.75)
    #expect(belt.critical(at: 1.5) == 2.75)
    #expect(belt.critical(at: -1) == 1 && belt.critical(at: 5) == 3)
    // The middle point is 0.5 above the line through its neighbours (2 at µ = 1) with zero MC
    // error: both cells are split.
    #expect(belt.refinementCandidates() == [0.5, 1.5])
    #expect(belt.refinementCandidates(above: 1) == [1.5])
  }

  @Test("One bin without nuisances: belt intervals lie between the exact Poisson construction's at CL ± 4 MC σ (± the grid cell)",
        arguments: [0.0, 2, 5, 9])
  func exactCounting(observed n: Double) throws {
    let s = 1.0, b = 3.0, bounds = 0.0...40, toys = 1000
    let model = try countingModel(signal: s, background: b, observed: n, poiBounds: bounds)
    let settings = BeltLimitSettings(
      belt: BeltSettings(cl: 0.9, toysPerPoint: toys, seed: 3, study: .test, threads: 2, maxPoints: 60), rule: .fc, bandToys: 0, bandStudy: .test)
    let r = try BeltLimits.compute(model: model, data: model.observedData, settings: settings)
    let interval = try #require(try r.observed?.get())
    // The toys estimate P(t̃ ≤ x | µ) with a binomial error σ = √(CL(1 − CL)/N): their k lies
    // between the exact k at CL ∓ 4σ at every point (a miss at one of ~100 points has
    // probability ~1%), so the interval between the exact intervals at CL ∓ 4σ, up to the
    // linear interpolation across the grid cell holding the end.
    let dCL = 4 * (0.9 * 0.1 / Double(toys)).squareRoot()
    let narrow = ExactCountingBelt(s: s, b: b, cl: 0.9 - dCL, bounds: bounds).interval(observed: n, top: 16, h: 0.004)
    let wide = ExactCountingBelt(s: s, b: b, cl: 0.9 + dCL, bounds: bounds).interval(observed: n, top: 16, h: 0.004)
    let belt = r.neymanBelt
    func cellWidth(_ mu: Double) -> Double {
      let i = belt.cell(mu)
      return (i + 1 < belt.points.count ? belt.points[i + 1].mu - belt.points[i].mu : 0) + 0.004
    }
    let cu = cellWidth(interval.upper), cl = cellWidth(interval.lower)
    #expect(interval.upper >= narrow.1 - cu && interval.upper <= wide.1 + cu,
            "upper \(interval.upper) outside [\(narrow.1), \(wide.1)] ± \(cu); \(r.belt)")
    #expect(interval.lower >= wide.0 - cl && interval.lower <= narrow.0 + cl, "lower \(interval.lower) outside [\(wide.0), \(narrow.0)] ± \(cl)")
  }

  /// A large-count window with a background normalisation uncertainty: 10 signal events per
  /// unit µ on 400 background events (±5%), where t̃µ is close to its asymptotic distribution.
  func largeCounts(observed n: Double) throws -> Model {
    try countingModel(signal: 10, background: 400, observed: n, poiBounds: 0...20, backgroundNormsys: (1.05, 0.95))
  }

  @Test("Large counts: the belt's interval and band agree with the asymptotic Feldman–Cousins construction (Eq. 44) within 0.1σ")
  func asymptoticLimit() throws {
    let model = try largeCounts(observed: 430)
    let settings = BeltLimitSettings(belt: BeltSettings(cl: 0.9, toysPerPoint: 1000, seed: 4, study: .test, threads: 2),
                                     rule: .fc, bandToys: 400, bandStudy: .test)
    let r = try BeltLimits.compute(model: model, data: model.observedData, settings: settings)
    let toy = try #require(try r.observed?.get())
    let calc = try AsymptoticCalculator(model: model, data: model.observedData, testStatistic: .ttilde)
    let asym = try LimitSetter(calculator: calc, rule: .fc, cl: 0.9).compute()
    let sigma = 1 / calc.sqrtAsimov(poi: 1)
    // Interval ends: the MC error of the upper end (its ±1σ range) is ~0.02σ with 1,000 toys;
    // the asymptotic formula's own error at 400 events is of the same order. The band's
    // quantiles from 400 toys have errors of ~0.06σ (median) to ~0.15σ (±2σ).
    #expect(abs(toy.upper - asym.observed) < 0.1 * sigma, "upper \(toy.upper) vs asymptotic \(asym.observed), σ = \(sigma)")
    #expect(abs(toy.lower - (asym.observedLower ?? 0)) < 0.1 * sigma, "lower \(toy.lower) vs \(asym.observedLower ?? 0)")
    let band = try #require(r.band)
    for (i, tolerance) in [0.3, 0.15, 0.1, 0.15, 0.3].enumerated() {
      #expect(abs(band.values[i] - asym.expected[i]) < tolerance * sigma, "band[\(i)] \(band.values[i]) vs \(asym.expected[i])")
    }
    #expect(r.bandFailed.isEmpty && r.belt.failedToys.isEmpty)
    #expect(r.belt.muPoints >= 30, "\(r.belt)")
  }

  @Test("Determinism: 1 and 2 threads give identical belts, intervals and bands")
  func threads() throws {
    let model = try largeCounts(observed: 410)
    func run(_ threads: Int) throws -> BeltLimits {
      try BeltLimits.compute(model: model, data: model.observedData, settings: BeltLimitSettings(
        belt: BeltSettings(cl: 0.9, toysPerPoint: 200, seed: 9, study: .test, threads: threads), rule: .fc, bandToys: 150, bandStudy: .test))
    }
    let one = try run(1), two = try run(2)
    #expect(one.neymanBelt.mus == two.neymanBelt.mus)
    #expect(one.neymanBelt.points.map(\.t) == two.neymanBelt.points.map(\.t))
    #expect(one.bandUpper == two.bandUpper)
    #expect(try one.observed?.get() == two.observed?.get())
  }

  @Test("Extension keeps the toys of the existing points and adds points above the top")
  func extending() throws {
    let model = try largeCounts(observed: 400)
    let builder = try BeltBuilder(model: model, data: model.observedData,
                                  settings: BeltSettings(cl: 0.9, toysPerPoint: 100, seed: 2, study: .test, threads: 2))
    var belt = try builder.build(to: 2 * builder.sigmaAtZero)
    let before = belt.points
    try builder.extend(&belt, to: belt.top + 2 * builder.sigmaAtZero)
    #expect(belt.points.count > before.count)
    #expect(Array(belt.points.prefix(before.count)).map(\.t) == before.map(\.t))
    #expect(belt.top >= before.last!.mu + 2 * builder.sigmaAtZero * 0.99)
    // Toys of a point depend on its µ only: rebuilding a point gives the same toys.
    let again = try builder.points([before[3].mu])
    #expect(again[0].t == before[3].t)
  }

  @Test("One bin without nuisances: CLs from the belt's and the band's toys gives the exact Poisson CLs limit within MC error")
  func clsLimit() throws {
    // n_obs = 2, b = 3, s = 1: q̃µ falls with n below ν_µ, so CLs+b = P(n ≤ 2 | b + µ) and
    // CLb = P(n ≤ 2 | b) (pyhf's ≥ counts the tie), and CLs(µ) = 0.1 at µ = 2.55.
    let (s, b, n) = (1.0, 3.0, 2.0)
    let model = try countingModel(signal: s, background: b, observed: n, poiBounds: 0...40)
    let r = try BeltLimits.compute(model: model, data: model.observedData, settings: BeltLimitSettings(
      belt: BeltSettings(cl: 0.9, toysPerPoint: 2000, seed: 6, study: .test, threads: 2, refine: false), rule: .cls, bandToys: 2000, bandStudy: .test))
    let limit = try #require(try r.observed?.get()).upper
    func cls(_ mu: Double) -> Double { poissonCDF(2, b + s * mu) / poissonCDF(2, b) }
    var (lo, hi) = (0.0, 20.0)
    for _ in 0..<100 {
      let m = 0.5 * (lo + hi)
      if cls(m) > 0.1 { lo = m } else { hi = m }
    }
    // dCLs/dµ at the limit, and the CLs error from 2 × 2,000 toys: the limit's MC error.
    let slope = (cls(lo + 0.01) - cls(lo - 0.01)) / 0.02
    let clsError = 0.1 * (pow(binomialSigma(0.1 * poissonCDF(2, b), 2000) / (0.1 * poissonCDF(2, b)), 2)
                          + pow(binomialSigma(poissonCDF(2, b), 2000) / poissonCDF(2, b), 2)).squareRoot()
    #expect(abs(limit - lo) < 4 * clsError / abs(slope) + 0.02, "CLs limit \(limit) vs exact \(lo)")
  }

  @Test("Data accepted up to the POI's upper bound: the interval (and the CLs+b limit) ends at the bound, not a failure")
  func acceptedAtBound() throws {
    // n_obs = 12 on b = 3, s = 1 with µ ≤ 8: µ̂ = 8 (at the bound) and t̃µ(8) = 0, so every µ up to
    // the bound is accepted; the parameter space, and so the interval, ends at 8.
    let model = try countingModel(signal: 1, background: 3, observed: 12, poiBounds: 0...8)
    for rule in [LimitRule.fc, .clsb] {
      let r = try BeltLimits.compute(model: model, data: model.observedData, settings: BeltLimitSettings(
        belt: BeltSettings(cl: 0.9, toysPerPoint: 200, seed: 8, study: .test, threads: 2), rule: rule, bandToys: rule == .fc ? 0 : 200, bandStudy: .test))
      let interval = try #require(try r.observed?.get(), "\(rule)")
      #expect(interval.upper == 8, "\(rule): upper end \(interval.upper)")
      #expect(rule != .fc || interval.lower > 0, "fc: the lower end \(interval.lower) excludes µ = 0 for 12 events on 3")
    }
  }
}
