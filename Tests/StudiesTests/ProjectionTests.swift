import Experiment
import Foundation
import Generator
import Inference
import Physics
import Results
import Testing
@testable import Studies

/// Luminosity projections (issue 15, item 3): `zptoys project`.
@Suite("Luminosity projection")
struct ProjectionTests {
  @Test("At each luminosity the expected band is the Brazil study's at that luminosity; g′ = √(σ/(σ(g′=1)·B))")
  func sameAsBrazil() throws {
    let l0 = config.luminosity.integrated
    let settings = ProjectionStudy.settings(lumis: [l0, 10 * l0], masses: "300")
    let study = try ProjectionStudy(analysis: analysis, settings: settings, seed: 1)
    let p = try study.run(task: 0, seed: 1, threads: 1)
    for (k, a) in [analysis, try analysis.at(luminosity: 10 * l0, scaleSystematics: false)].enumerated() {
      let b = try BrazilStudy(analysis: a, settings: BrazilStudy.settings(masses: "300", toys: 0, rule: .cls, method: .asymptotic), data: nil).run(task: 0, seed: 1, threads: 1)
      #expect(p.limits[k].sigma == b.expectedAsymptotic, "L = \(p.limits[k].lumiFb)")
      #expect(p.limits[k].lumiFb == a.luminosity)
    }
    for l in p.limits {
      for (g, s) in zip(l.gPrimeVanilla.values, l.sigma.values) {
        #expect(abs(g - (s / (p.sigmaAtUnitCoupling * p.branchingVanilla)).squareRoot()) <= 1e-12 * g)
      }
      #expect(abs(l.gPrimeInvisible.median - (l.sigma.median / p.sigmaAtUnitCoupling).squareRoot()) <= 1e-12 * l.gPrimeInvisible.median)
    }
    // At M = 6.9 GeV the window is background-dominated with a 25% shape uncertainty: kept,
    // it limits the gain; shrunk as 1/√L, every uncertainty scales as the statistical ones and
    // the limit falls by √10 (asymptotically exact for a background-dominated window; 5%
    // allowed for the Poisson terms and the signal's own 10% staterror, which do not scale).
    #expect(p.limits[1].sigma.median < p.limits[0].sigma.median)
    let scaled = try ProjectionStudy(analysis: analysis, settings: ProjectionStudy.settings(lumis: [l0, 10 * l0], masses: "300", scaleSystematics: true),
                                     seed: 1).run(task: 0, seed: 1, threads: 1)
    let ratio = scaled.limits[0].sigma.median / scaled.limits[1].sigma.median
    #expect(abs(ratio / 10.0.squareRoot() - 1) < 0.05, "ratio \(ratio)")
  }

  @Test("The required luminosity is where ln(g′/g_low) crosses zero, interpolated in ln L")
  func requiredLumi() {
    // g′ ∝ L^(−1/4): g′(L) = 2·(L/100)^(−1/4) · g_low reaches g_low at L = 1600.
    let lumis = [100.0, 1000, 10000]
    let medians = lumis.map { 2 * pow($0 / 100, -0.25) }
    let r = ProjectionStudy.requiredLumi(model: "invisible", lumis: lumis, medians: medians, lower: 1)
    #expect(abs(r.lumiFb! / 1600 - 1) < 1e-12 && !r.isUpperBound)
    #expect(ProjectionStudy.requiredLumi(model: "x", lumis: lumis, medians: [0.5, 0.4, 0.3], lower: 1) == RequiredLumi(model: "x", lumiFb: 100, isUpperBound: true))
    #expect(ProjectionStudy.requiredLumi(model: "x", lumis: lumis, medians: [3, 2.5, 2], lower: 1).lumiFb == nil)
  }

  @Test("Windows and answers: closed when every hypothesis excludes the band; open ranges named")
  func answers() throws {
    func point(_ i: Int, _ m: Double, _ medians: [Double]) -> ProjectionPoint {
      let band = Band([1, 1, 1, 1, 1])
      let limits = medians.enumerated().map { k, g in
        ProjectedLimits(lumiFb: [100.0, 1000][k], sigma: band, sigmaToys: nil, gPrimeInvisible: Band([g, g, g, g, g]), gPrimeVanilla: band)
      }
      let req = ProjectionStudy.requiredLumi(model: "invisible", lumis: [100, 1000], medians: medians, lower: 0.5)
      return ProjectionPoint(index: i, mass: m, sigmaAtUnitCoupling: 1, branchingVanilla: 1, gMinus2: ValueRange(lower: 0.5, upper: 0.8),
                             limits: limits, required: [req, RequiredLumi(model: "vanilla", lumiFb: nil, isUpperBound: false)])
    }
    let points = [point(0, 0.1, [0.6, 0.4]), point(1, 0.2, [0.7, 0.45]), point(2, 0.3, [0.4, 0.3])]
    let settings = ProjectionStudy.settings(lumis: [100, 1000], masses: "0-2")
    let header = StudyHeader(identity: analysis.identity(settings, seed: 1, data: "none", tasks: 3), shard: nil, tasks: [0, 1, 2],
                             run: StudyFiles.runInfo(started: Date(), threads: 1, resumed: 0))
    let file = try ProjectionFile.assemble(header: header, results: points)
    let inv = file.windows.filter { $0.model == "invisible" }
    #expect(inv.map(\.closed) == [false, true] && inv.map(\.excludedHypotheses) == [1, 3])
    let a = try #require(file.answer("invisible"))
    #expect(a.closingLumiFb == 1000 && a.openAtLargestLumi.isEmpty)
    // The largest per-mass requirement: M = 0.2 GeV, ln(0.7/0.5) → ln(0.45/0.5) between 100 and 1000.
    let f = log(0.7 / 0.5) / (log(0.7 / 0.5) - log(0.45 / 0.5))
    #expect(abs(a.requiredLumiFb! - exp(log(100) + f * log(10))) < 1e-9)
    #expect(a.text.contains("from 1,000 fb⁻¹"))
    let v = try #require(file.answer("vanilla"))
    #expect(v.closingLumiFb == nil && v.openAtLargestLumi == [ValueRange(lower: 0.1, upper: 0.3)] && v.text.contains("stays open"))
  }
}
