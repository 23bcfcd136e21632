import Foundation
import Testing
@testable import Inference
import Likelihood

/// Pseudo-experiments: exact Poisson answers, reproducibility, failures, and the asymptotic
/// limit. Statistical tolerances are 4 standard deviations of the toy estimate (a false alarm
/// once in ~16,000 checks); every seed is fixed, so the suite is deterministic.
@Suite("Toy calculator")
struct ToyTests {
  @Test("One bin: toy CLs+b and CLb are the exact Poisson tails P(n ≤ n_obs | ν) (q̃µ falls with n below ν_µ)")
  func exactPoissonCLs() throws {
    // s = 5, b = 10, n_obs = 7: µ̂ = 0 at the bound; q̃_1(n) ≥ q̃_1(7) exactly for n ≤ 7 (the toy
    // with n = 7 gives the observed value bit for bit, so the tie counts, as pyhf's ≥).
    let model = try countingModel(signal: 5, background: 10, observed: 7)
    let n = 10_000
    let calc = try ToyCalculator(model: model, data: model.observedData, settings: ToySettings(toys: n, seed: 11, threads: 2))
    let r = try calc.hypotest(poi: 1)
    let clsb = poissonCDF(7, 15), clb = poissonCDF(7, 10)
    #expect(abs(r.clsb - clsb) < 4 * binomialSigma(clsb, n), "CLs+b \(r.clsb) vs exact \(clsb)")
    #expect(abs(r.clb - clb) < 4 * binomialSigma(clb, n), "CLb \(r.clb) vs exact \(clb)")
    let relative = (pow(binomialSigma(clsb, n) / clsb, 2) + pow(binomialSigma(clb, n) / clb, 2)).squareRoot()
    #expect(abs(r.cls / (clsb / clb) - 1) < 4 * relative)
    #expect(r.toys?.failedFits == 0)
    #expect(r.toys?.signalPlusBackground == n && r.toys?.backgroundOnly == n)
  }

  @Test("One bin: the toy discovery p-value of q0 is P(n ≥ n_obs | b)")
  func exactPoissonDiscovery() throws {
    let model = try countingModel(signal: 5, background: 10, observed: 16)
    let n = 10_000
    let calc = try ToyCalculator(model: model, data: model.observedData, testStatistic: .q0,
                                 settings: ToySettings(toys: n, seed: 12, threads: 2))
    let r = try calc.hypotest(poi: 0)
    let p0 = 1 - poissonCDF(15, 10)
    #expect(abs(r.clsb - p0) < 4 * binomialSigma(p0, n), "p0 \(r.clsb) vs exact \(p0)")
  }

  @Test("Determinism: 1 and 2 threads give bit-identical toy results and toy limit bands")
  func threadIndependence() throws {
    let model = try countingModel(signal: 8, background: 40, observed: 45, backgroundNormsys: (1.08, 0.93))
    func run(_ threads: Int) throws -> HypoTestResult {
      try ToyCalculator(model: model, data: model.observedData, settings: ToySettings(toys: 300, seed: 5, threads: threads))
        .hypotest(poi: 1.2)
    }
    let one = try run(1), two = try run(2)
    #expect(one == two)
    #expect(one.expectedCLs.allSatisfy { $0.isFinite })
    func band(_ threads: Int) throws -> ToyLimitBand {
      try ToyLimitBand.compute(model: model, data: model.observedData, rule: .cls, cl: 0.9,
                               settings: ToySettings(toys: 40, seed: 5, threads: threads))
    }
    #expect(try band(1) == band(2))
  }

  @Test("Failed fits are counted and listed, not fatal")
  func failedFitsCounted() throws {
    // q0 is tested against b-only toys drawn at µ = 1 (pyhf's convention for q0): a toy with
    // events in the signal-only bin has L(µ = 0) = 0 — its conditional fit fails. That happens
    // with probability 1 − e^{−1} per toy.
    let model = try signalOnlyBinModel(signal: 1, background: 10, observed: [0, 10])
    let n = 400
    let settings = ToySettings(toys: n, seed: 3, threads: 2)
    let r = try ToyCalculator(model: model, data: model.observedData, testStatistic: .q0, settings: settings).hypotest(poi: 0)
    let counts = try #require(r.toys)
    let p = 1 - exp(-1.0)
    #expect(abs(Double(counts.failedFits) / Double(n) - p) < 4 * binomialSigma(p, n))
    #expect(counts.failedToys.count == counts.failedFits)
    #expect(counts.failedToys.allSatisfy { $0.hypothesis == "b" })
    // Each failure names the stream that regenerates it.
    for f in counts.failedToys.prefix(5) {
      #expect(f.streamKey == settings.key(toy: f.toy, signal: false).hash64)
    }
    #expect(r.clsb.isFinite && r.clb.isFinite)
  }

  /// Large counts (b = 10⁴, s = 100: σ_µ ≈ 1, Poisson skew O(1/√b) = 1%): the quantiles of the
  /// per-toy limits of background-only pseudo-data must match the asymptotic band. Tolerance:
  /// 4× the distribution-free standard error of each quantile — half the distance between the
  /// order statistics N·p ± √(N·p(1−p)) — plus 0.02σ for the asymptotic approximation.
  func compareBands(rule: LimitRule, statistic: TestStatistic) throws {
    let model = try countingModel(signal: 100, background: 10_000, observed: 10_000)
    let n = 1000
    let toys = try ToyLimitBand.compute(model: model, data: model.observedData, rule: rule, cl: 0.9,
                                        settings: ToySettings(toys: n, seed: 21, threads: 2))
    #expect(toys.failed.isEmpty)
    let calc = try AsymptoticCalculator(model: model, data: model.observedData, testStatistic: statistic)
    let asymptotic = try LimitSetter(calculator: calc, rule: rule, cl: 0.9).compute().expected
    let sigma = 1 / calc.sqrtAsimov(poi: 1)
    let sorted = toys.limits.sorted()
    for (i, p) in [2.27501319, 15.86552539, 50.0, 84.13447461, 97.72498681].enumerated() {
      let q = p / 100
      let spread = (Double(n) * q * (1 - q)).squareRoot()
      let lo = sorted[max(0, Int((Double(n) * q - spread).rounded()))]
      let hi = sorted[min(n - 1, Int((Double(n) * q + spread).rounded()))]
      let tol = 4 * 0.5 * (hi - lo) + 0.02 * sigma
      #expect(abs(toys.band.values[i] - asymptotic[i]) < tol,
              "\(rule) \(p)%: toys \(toys.band.values[i]) vs asymptotic \(asymptotic[i]) (tolerance \(tol))")
    }
  }

  @Test("Large counts: the CLs band from toys' limits matches the asymptotic band")
  func toyBandCLs() throws { try compareBands(rule: .cls, statistic: .qtilde) }

  @Test("Large counts: the Feldman–Cousins band from toys' intervals matches the asymptotic band")
  func toyBandFC() throws { try compareBands(rule: .fc, statistic: .ttilde) }
}
