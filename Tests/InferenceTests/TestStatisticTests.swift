import Foundation
import Testing
@testable import Inference
import Likelihood

/// The definitions of arXiv:1007.1727 (Eq. 8, 11, 12, 14, 16) on a one-bin counting experiment,
/// s = 10, b = 100, where −2 ln λ(µ) is known in closed form. Fits converge to ~1e-12 in
/// −2 ln L, so values agree to 1e-9.
@Suite("Test statistics")
struct TestStatisticTests {
  let s = 10.0, b = 100.0
  let tol = 1e-9

  @Test("µ̂ < µ: q, q̃, t and t̃ equal −2 ln λ(µ); q0 is −2 ln λ(0)")
  func upwardFluctuationBelowMu() throws {
    let model = try countingModel(signal: s, background: b, observed: 120)  // µ̂ = 2
    let pl = try ProfileLikelihood(model: model)
    let expected = countingTLike(n: 120, s: s, b: b, mu: 3)
    #expect(abs(expected.muHat - 2) < 1e-12)
    for stat in [TestStatistic.q, .qtilde, .t, .ttilde] {
      let v = pl.evaluate(stat, poi: 3, data: model.observedData)
      #expect(abs(v.value - expected.t) < tol, "\(stat)")
      #expect(abs(v.muHat - 2) < 1e-6)
    }
    let q0 = pl.evaluate(.q0, poi: 0, data: model.observedData).value
    #expect(abs(q0 - countingTLike(n: 120, s: s, b: b, mu: 0).t) < tol)
  }

  @Test("µ̂ > µ: the one-sided q and q̃ are 0 (Eq. 14, 16), the two-sided t and t̃ are not")
  func muHatAboveMu() throws {
    let model = try countingModel(signal: s, background: b, observed: 120)  // µ̂ = 2
    let pl = try ProfileLikelihood(model: model)
    let twoSided = countingTLike(n: 120, s: s, b: b, mu: 1).t
    #expect(twoSided > 0.5)
    #expect(pl.evaluate(.q, poi: 1, data: model.observedData).value == 0)
    #expect(pl.evaluate(.qtilde, poi: 1, data: model.observedData).value == 0)
    #expect(abs(pl.evaluate(.t, poi: 1, data: model.observedData).value - twoSided) < tol)
    #expect(abs(pl.evaluate(.ttilde, poi: 1, data: model.observedData).value - twoSided) < tol)
  }

  @Test("µ̂ < 0 with the POI bounded at 0: q̃µ and t̃µ compare with µ = 0 (Eq. 10), q0 = 0")
  func negativeMuHatBoundedPOI() throws {
    let model = try countingModel(signal: s, background: b, observed: 80)  // unbounded µ̂ = −2
    let pl = try ProfileLikelihood(model: model)
    let mu = 1.5
    // λ̃(µ) = L(µ)/L(0): −2 ln λ̃ = 2(ν_µ − n ln ν_µ) − 2(b − n ln b).
    let tilde = poissonTwiceNLL(80, b + s * mu) - poissonTwiceNLL(80, b)
    #expect(abs(pl.evaluate(.qtilde, poi: mu, data: model.observedData).value - tilde) < tol)
    #expect(abs(pl.evaluate(.ttilde, poi: mu, data: model.observedData).value - tilde) < tol)
    #expect(pl.evaluate(.q0, poi: 0, data: model.observedData).value < 1e-12)  // µ̂ = 0 at the bound: nothing to discover
  }

  @Test("µ̂ < 0 with the POI free below 0: qµ and tµ use the unbounded µ̂ (Eq. 8, 14), q0 = 0 (Eq. 12)")
  func negativeMuHatFreePOI() throws {
    let model = try countingModel(signal: s, background: b, observed: 80, poiBounds: -10...10)
    let pl = try ProfileLikelihood(model: model)
    let (t, muHat) = countingTLike(n: 80, s: s, b: b, mu: 1.5, bounds: -10...10)
    #expect(abs(muHat + 2) < 1e-12)
    let v = pl.evaluate(.q, poi: 1.5, data: model.observedData)
    #expect(abs(v.muHat + 2) < 1e-6)
    #expect(abs(v.value - t) < tol)
    #expect(abs(pl.evaluate(.t, poi: 1.5, data: model.observedData).value - t) < tol)
    #expect(pl.evaluate(.q0, poi: 0, data: model.observedData).value == 0)
    // The unbounded λ is smaller than λ̃ (L(µ̂) ≥ L(0)): q > q̃ of the bounded model.
    let bounded = try ProfileLikelihood(model: try countingModel(signal: s, background: b, observed: 80))
    #expect(v.value > bounded.evaluate(.qtilde, poi: 1.5, data: bounded.model.observedData).value + 1)
  }

  @Test("Clipping: at µ = µ̂ the statistic is exactly 0, never negative (pyhf clips −2 ln λ at 0)")
  func clippedAtZero() throws {
    let model = try countingModel(signal: s, background: b, observed: 120, backgroundNormsys: (1.05, 0.95))
    let pl = try ProfileLikelihood(model: model)
    let muHat = pl.freeFit(model.observedData).parameters[model.poiIndex!]
    for stat in TestStatistic.allCases {
      let v = pl.evaluate(stat, poi: stat == .q0 ? 0 : muHat, data: model.observedData)
      #expect(v.value >= 0, "\(stat)")
      if stat != .q0 { #expect(v.value < 1e-9, "\(stat)") }
    }
  }

  @Test("POI bounds: q̃ and t̃ with a POI that may go negative warn and proceed (as pyhf); tests below the lower bound are refused")
  func poiBounds() throws {
    let free = try countingModel(signal: s, background: b, observed: 80, poiBounds: -10...10)
    for stat in [TestStatistic.qtilde, .ttilde] {
      #expect(tildeBoundWarning(model: free, poiIndex: free.poiIndex!, stat)?.contains("lower bound is -10") == true)
      let r = try AsymptoticCalculator(model: free, data: free.observedData, testStatistic: stat).hypotest(poi: 1)
      #expect(r.cls.isFinite && r.cls > 0, "\(stat): CLs \(r.cls)")  // t̃'s CLs may exceed 1 off its domain
      _ = try ToyCalculator(model: free, data: free.observedData, testStatistic: stat, settings: ToySettings(toys: 10))
    }
    #expect(tildeBoundWarning(model: free, poiIndex: free.poiIndex!, .q) == nil)
    _ = try AsymptoticCalculator(model: free, data: free.observedData, testStatistic: .q)
    let bounded = try countingModel(signal: s, background: b, observed: 80, poiBounds: 0.5...10)
    let calc = try AsymptoticCalculator(model: bounded, data: bounded.observedData)
    #expect(throws: InferenceError.invalidPOI(0.2, 0.5...10)) { try calc.hypotest(poi: 0.2) }
    #expect(throws: InferenceError.self) { try calc.hypotest(poi: .nan) }
  }
}
