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
}
