import Foundation
import Testing
@testable import Inference
import Likelihood

/// Upper limits and Feldman–Cousins-style intervals against their closed forms.
@Suite("Limits and intervals")
struct LimitTests {
  /// One bin, b = 10⁶, s = 1000: σ_µ = µ/√q_µ,A varies by < 2·10⁻³ over µ ∈ [0, 6] (the Poisson
  /// skew, relative order sµ/b), so the closed forms with a constant σ hold to ~2·10⁻³.
  static let s = 1000.0, b = 1_000_000.0
  static let sigmaTol = 2e-3
  static let alpha = 0.1

  func largeCounts(muHat: Double = 0) throws -> Model {
    try countingModel(signal: Self.s, background: Self.b, observed: Self.b + Self.s * muHat)
  }

  @Test("CLs expected band: µ_up+N = σ(Φ⁻¹(1 − αΦ(N)) + N) (arXiv:1007.1727 Sec. 4.3 with CLs, as pyhf), exactly with σ = σ(µ_up)")
  func clsBand() throws {
    let model = try largeCounts()
    let calc = try AsymptoticCalculator(model: model, data: model.observedData)
    let r = try LimitSetter(calculator: calc, rule: .cls, cl: 0.9).compute()
    let sigma1 = 1 / calc.sqrtAsimov(poi: 1)
    for (i, n) in [-2.0, -1, 0, 1, 2].enumerated() {
      let k = PhiInverse(1 - Self.alpha * Phi(n)) + n
      let mu = r.expected[i]
      // Exact: the band is where Φ(−(√q_A − N))/Φ(N) = α, with σ taken at the limit itself
      // (Brent stops at 1e-6 relative).
      #expect(abs(calc.sqrtAsimov(poi: mu) - k) < 1e-5 * k, "N = \(n)")
      // With the constant σ of this nearly Gaussian experiment.
      #expect(abs(mu / (sigma1 * k) - 1) < Self.sigmaTol, "N = \(n)")
    }
    // Asimov-like data (µ̂ = 0): the observed limit is the median expected one.
    #expect(abs(r.observed - r.expected[2]) < 1e-5 * r.observed)
  }

  @Test("CLs+b expected band: µ_up+N = σ(Φ⁻¹(1 − α) + N); the −2σ edge is at the POI's lower bound")
  func clsbBand() throws {
    let model = try largeCounts()
    let calc = try AsymptoticCalculator(model: model, data: model.observedData)
    let r = try LimitSetter(calculator: calc, rule: .clsb, cl: 0.9).compute()
    let sigma1 = 1 / calc.sqrtAsimov(poi: 1)
    for (i, n) in [-2.0, -1, 0, 1, 2].enumerated() {
      let expected = max(0, sigma1 * (PhiInverse(1 - Self.alpha) + n))  // Φ⁻¹(0.9) − 2 < 0: µ_up = 0
      #expect(abs(r.expected[i] - expected) <= Self.sigmaTol * max(expected, 1), "N = \(n)")
    }
  }

  @Test("An observed CLs limit solves CLs(µ_up) = α to the limit tolerance")
  func observedLimitIsRoot() throws {
    let model = try countingModel(signal: 10, background: 100, observed: 112, backgroundNormsys: (1.05, 0.95))
    let calc = try AsymptoticCalculator(model: model, data: model.observedData)
    let setter = try LimitSetter(calculator: calc, rule: .cls, cl: 0.95)
    let r = try setter.compute()
    let at = try calc.hypotest(poi: r.observed)
    let slope = (try calc.hypotest(poi: r.observed * 1.001).cls - (try calc.hypotest(poi: r.observed * 0.999)).cls) / (0.002 * r.observed)
    #expect(abs(at.cls - 0.05) / abs(slope * r.observed) < 2e-6)  // Brent's rtol 1e-6
    #expect(r.expected == r.expected.sorted())
  }

  /// The 90% t̃µ acceptance of the normal branch of Eq. (44): p = 2(1 − Φ(√t)) = α ⟺ t = 2.7055.
  static let t90 = pow(PhiInverse(1 - 0.05), 2)

  @Test("Strong signal: the interval excludes 0, its ends solve −2 ln λ(µ) = 2.7055 (χ²₁, 90%)")
  func feldmanCousinsStrongSignal() throws {
    let (s, b, n) = (10.0, 100.0, 160.0)  // µ̂ = 6, about 4.7σ from 0
    let model = try countingModel(signal: s, background: b, observed: n)
    let calc = try AsymptoticCalculator(model: model, data: model.observedData, testStatistic: .ttilde)
    let r = try LimitSetter(calculator: calc, rule: .fc, cl: 0.9).compute()
    let lower = try #require(r.observedLower)
    #expect(lower > 0)
    #expect(lower < 6 && r.observed > 6)
    // The ends of {µ : 2(ν − n − n ln(ν/n)) < 2.7055}, by bisection on the closed form.
    func end(_ lo: Double, _ hi: Double) -> Double {
      var (a, c) = (lo, hi)
      let f = { (mu: Double) in countingTLike(n: n, s: s, b: b, mu: mu).t - Self.t90 }
      for _ in 0..<200 {
        let m = 0.5 * (a + c)
        if (f(m) > 0) == (f(a) > 0) { a = m } else { c = m }
      }
      return 0.5 * (a + c)
    }
    #expect(abs(lower - end(0, 6)) < 1e-5 * lower)
    #expect(abs(r.observed - end(6, 10)) < 1e-5 * r.observed)
  }

  @Test("Null data: the interval starts at 0; the expected band is ordered and its −2σ end above 0")
  func feldmanCousinsNull() throws {
    let model = try countingModel(signal: 10, background: 100, observed: 100)
    let calc = try AsymptoticCalculator(model: model, data: model.observedData, testStatistic: .ttilde)
    let r = try LimitSetter(calculator: calc, rule: .fc, cl: 0.9).compute()
    #expect(r.observedLower == 0)
    #expect(r.observed > 1)
    #expect(r.expected[0] > 0)
    #expect(r.expected == r.expected.sorted())
  }

  @Test("Expected Feldman–Cousins band: the upper end of the interval for µ̂ = Nσ (Eq. 43–44), σ constant")
  func feldmanCousinsBand() throws {
    let model = try largeCounts()
    let calc = try AsymptoticCalculator(model: model, data: model.observedData, testStatistic: .ttilde)
    let r = try LimitSetter(calculator: calc, rule: .fc, cl: 0.9).compute()
    let sigma = 1 / calc.sqrtAsimov(poi: 1)
    // In units of σ: µ̂ = Nσ ≥ 0 gives the normal branch, m = N + 1.645; µ̂ = Nσ < 0 gives
    // t̃ = m² − 2Nm and p = 1 − [Φ(√t̃) + Φ(m − N) − 1] = α, solved by bisection.
    func upperEnd(_ n: Double) -> Double {
      if n >= 0 { return n + PhiInverse(1 - Self.alpha / 2) }
      var (a, c) = (1e-6, 10.0)
      let p = { (m: Double) in 2 - Phi((m * m - 2 * n * m).squareRoot()) - Phi(m - n) - Self.alpha }
      for _ in 0..<200 {
        let mid = 0.5 * (a + c)
        if p(mid) > 0 { a = mid } else { c = mid }
      }
      return 0.5 * (a + c)
    }
    for (i, n) in [-2.0, -1, 0, 1, 2].enumerated() {
      #expect(abs(r.expected[i] / (sigma * upperEnd(n)) - 1) < Self.sigmaTol, "N = \(n): \(r.expected[i]) vs \(sigma * upperEnd(n))")
    }
  }
}
