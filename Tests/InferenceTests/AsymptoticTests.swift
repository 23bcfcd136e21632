import Foundation
import Testing
@testable import Inference
import Likelihood

/// The asymptotic formulae of arXiv:1007.1727 as pyhf evaluates them.
@Suite("Asymptotic calculator")
struct AsymptoticTests {
  /// A one-bin experiment with b = 10⁶, s = 1000: σ_µ = √b/s ≈ 1, and the Poisson likelihood is
  /// Gaussian up to relative corrections of order |ν − n|/n ≲ 3·10⁻³ on √q (Wilks/Wald, Sec. 3).
  static let s = 1000.0, b = 1_000_000.0

  @Test("Large counts: CLs+b and CLb are the Gaussian tail probabilities of µ̂ with σ from the Asimov data")
  func gaussianLimit() throws {
    let muHat = 0.5
    let model = try countingModel(signal: Self.s, background: Self.b, observed: Self.b + Self.s * muHat)
    let calc = try AsymptoticCalculator(model: model, data: model.observedData)
    for mu in [1.0, 2.0, 3.0] {
      let r = try calc.hypotest(poi: mu)
      let sigma = mu / calc.sqrtAsimov(poi: mu)  // Eq. (31)
      #expect(abs(sigma - 1) < 3e-3)
      // p_µ = 1 − Φ((µ − µ̂)/σ) (Eq. 59 with the Wald approximation, Eq. 55); CLb = Φ(µ̂/σ).
      // Tolerance 5e-4: φ(z)·(relative error of √q ≲ 3e-3 at z ≤ 2.5).
      #expect(abs(r.clsb - (1 - Phi((mu - muHat) / sigma))) < 5e-4, "µ = \(mu)")
      #expect(abs(r.clb - Phi(muHat / sigma)) < 5e-4, "µ = \(mu)")
      #expect(abs(r.cls - r.clsb / r.clb) < 1e-15)
    }
  }

  @Test("The expected set is pyhf's: CLs+b = Φ(−(N + √q_A)), CLb = Φ(−N) at N = 2, 1, 0, −1, −2")
  func expectedSet() throws {
    let model = try countingModel(signal: 10, background: 100, observed: 104, backgroundNormsys: (1.05, 0.96))
    let calc = try AsymptoticCalculator(model: model, data: model.observedData)
    let r = try calc.hypotest(poi: 1.7)
    let a = calc.sqrtAsimov(poi: 1.7)
    for (i, n) in [2.0, 1, 0, -1, -2].enumerated() {
      #expect(abs(r.expectedCLsb[i] - Phi(-(n + a))) < 1e-12)
      #expect(abs(r.expectedCLs[i] - Phi(-(n + a)) / Phi(-n)) < 1e-12)
    }
    // pyhf's order: from the most excluding (−2σ edge of the band) to the least.
    #expect(r.expectedCLs == r.expectedCLs.sorted())
  }

  @Test("µ̂ > µ: q̃µ = 0, so CLs+b = Φ(0) = ½ and CLb = Φ(√q_µ,A)")
  func muHatAboveMu() throws {
    let model = try countingModel(signal: 10, background: 100, observed: 130)  // µ̂ = 3
    let calc = try AsymptoticCalculator(model: model, data: model.observedData)
    let r = try calc.hypotest(poi: 2)
    #expect(r.clsb == 0.5)
    #expect(abs(r.clb - Phi(calc.sqrtAsimov(poi: 2))) < 1e-12)
  }

  @Test("Both tails underflowing: CLs stays finite and equals the Mills-ratio value (pyhf: NaN)")
  func farTail() {
    // q̃ = 81, √q_A = 1 → x = (q − q_A)/(2√q_A) = 40: CLs = Q(41)/Q(40) (Eq. 66 region).
    let r = AsymptoticCalculator.result(.qtilde, poi: 1, observed: 81, sqrtAsimov: 1)
    #expect(r.observedTestStatistic == 40)
    #expect(r.clsb < 1e-300 && r.clb < 1e-300)  // Q(40) ≈ 4e-350: both underflow
    // Q(z) ≈ φ(z)/z (1 − 1/z² + 3/z⁴): relative error < 1e-7 at z = 40.
    func logQ(_ z: Double) -> Double { -z * z / 2 - log(z * (2 * Double.pi).squareRoot()) + log(1 - 1 / (z * z) + 3 / pow(z, 4)) }
    let expected = exp(logQ(41) - logQ(40))
    #expect(r.cls.isFinite && r.cls > 0)
    #expect(abs(r.cls / expected - 1) < 1e-7)
    // Far beyond that the ratio underflows to 0, not NaN.
    let far = AsymptoticCalculator.result(.qtilde, poi: 1, observed: 1e6, sqrtAsimov: 1)
    #expect(far.cls == 0)
  }

  @Test("Two-sided distributions: F(t|µ) is χ²₁ (Eq. 36); F(t̃|µ) joins Eq. (44)'s branches continuously")
  func twoSidedDistributions() {
    for t in [0.1, 1.0, 2.7055, 6.0, 20.0] {
      // 1 − F(tµ | µ) = P(χ²₁ > t) = 2(1 − Φ(√t)).
      let p = 1 - AsymptoticCalculator.tCDF(t, muOverSigma: 1.3, shift: 0, tilde: false)
      #expect(abs(p - 2 * (1 - Phi(t.squareRoot()))) < 1e-12)
    }
    for m in [0.5, 1.0, 2.5] {
      for d in [0.0, m] {
        let below = AsymptoticCalculator.tCDF(m * m * (1 - 1e-12), muOverSigma: m, shift: d, tilde: true)
        let above = AsymptoticCalculator.tCDF(m * m * (1 + 1e-12), muOverSigma: m, shift: d, tilde: true)
        #expect(abs(above - below) < 1e-9)
      }
    }
  }

  @Test("Expected two-sided set: the statistic of data with µ̂ = −Nσ (t̃ = m² + 2Nm below µ̂ = 0, Eq. 43)")
  func twoSidedExpected() {
    let m = 1.8
    let r = AsymptoticCalculator.result(.ttilde, poi: 1, observed: 0.5, sqrtAsimov: m)
    for (i, n) in [2.0, 1, 0, -1, -2].enumerated() {
      let t = n > 0 ? m * m + 2 * n * m : (m + n) * (m + n)
      let p = 1 - AsymptoticCalculator.tCDF(t, muOverSigma: m, shift: 0, tilde: true)
      #expect(abs(r.expectedCLsb[i] - p) < 1e-15)
    }
    // The median (µ̂ = 0): t̃ = m², p = 2(1 − Φ(m)).
    #expect(abs(r.expectedCLsb[2] - 2 * (1 - Phi(m))) < 1e-12)
    #expect(r.expectedCLsb == r.expectedCLsb.sorted())
  }

  @Test("A NaN never reaches JSON: non-finite p-values are written as null")
  func jsonNull() throws {
    let r = HypoTestResult(poi: 1, testStatistic: .qtilde, observedTestStatistic: 3, cls: .nan, clsb: 0, clb: 0,
                           expectedCLs: [0, .nan, 0.5, 0.7, 1], expectedCLsb: [0, 0, 0, 0, 0])
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let json = String(decoding: try encoder.encode(r), as: UTF8.self)
    #expect(json.contains("\"cls\":null"))
    #expect(json.contains("\"expected_cls\":[0,null,0.5,0.7,1]"))
    let back = try JSONDecoder().decode(HypoTestResult.self, from: Data(json.utf8))
    #expect(back.cls.isNaN && back.expectedCLs[1].isNaN && back.expectedCLs[2] == 0.5)
  }

  @Test("A fit behind the p-values that does not converge is an error naming the fit, never a CLs")
  func unconvergedFitIsAnError() throws {
    let model = try Model(workspace: Workspace(
      channels: [Channel(name: "c", samples: [
        Sample(name: "signal", data: [5, 3], modifiers: [.normfactor("mu")]),
        Sample(name: "background", data: [10, 12], modifiers: [.normsys("b", hi: 1.1, lo: 0.9)]),
      ])],
      observations: [Observation(name: "c", data: [14, 16])],
      measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu"))]))
    #expect(try AsymptoticCalculator(model: model, data: model.observedData).hypotest(poi: 1).cls > 0)
    // A tolerance no Newton decrement meets: every fit with free globals fails to converge.
    let never = try ProfileLikelihood(model: model, options: FitOptions(tolerance: -1, computeUncertainties: false))
    let calc = try AsymptoticCalculator(profile: never, data: model.observedData)
    #expect {
      _ = try calc.hypotest(poi: 1)
    } throws: { e in
      guard case InferenceError.fitFailed(let what) = e else { return false }
      return what.hasPrefix("the free fit to the data")
    }
  }

  @Test("An Asimov data set below 0 (a normalisation bounded below 0 in a bin without events) is an error naming the bin")
  func negativeAsimovIsAnError() throws {
    let model = try Model(workspace: Workspace(
      channels: [Channel(name: "c", samples: [
        Sample(name: "signal", data: [0, 5], modifiers: [.normfactor("mu")]),
        Sample(name: "background", data: [3, 0], modifiers: [.normfactor("nb")]),
        Sample(name: "other", data: [0, 10]),
      ])],
      observations: [Observation(name: "c", data: [0, 12])],
      measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu", parameters: [ParameterConfig(name: "nb", bounds: [[-1, 5]])]))]))
    #expect {
      _ = try AsymptoticCalculator(model: model, data: model.observedData)
    } throws: { e in
      guard case InferenceError.invalidArgument(let what) = e else { return false }
      return what.contains("Asimov") && what.contains("channel \"c\", bin 0")
    }
  }

  @Test("√q_A = ∞ (the Asimov data exclude µ outright) gives CLs+b = Φ(−√q) and CLb = 1, never NaN")
  func infiniteAsimov() {
    for stat in [TestStatistic.q0, .q, .qtilde] {
      let r = AsymptoticCalculator.result(stat, poi: 0, observed: 4, sqrtAsimov: .infinity)
      #expect(abs(r.clsb - Phi(-2)) < 1e-15, "\(stat)")
      #expect(r.clb == 1 && abs(r.cls - r.clsb) < 1e-15, "\(stat)")
      #expect((r.expectedCLs + r.expectedCLsb).allSatisfy { $0.isFinite }, "\(stat)")
    }
  }
}
