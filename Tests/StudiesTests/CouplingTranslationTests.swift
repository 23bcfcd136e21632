import Foundation
import Physics
import Results
import Testing
@testable import Studies

/// A brazil file with the given points and limit procedure (the analysis of the suite).
func brazilFile(_ points: [BrazilPoint], cl: Double = 0.9, toys: Int = 0) -> BrazilFile {
  let settings = BrazilStudy.settings(masses: "all", toys: toys, cl: cl)
  let identity = analysis.identity(settings, seed: 7, data: "toy", tasks: points.count)
  let run = RunInfo(tool: "test", started: "2026-01-01T00:00:00Z", seconds: 0, threads: 1, host: "h", resumedTasks: 0)
  return BrazilFile(header: StudyHeader(identity: identity, shard: nil, tasks: Array(points.indices), run: run), masses: points)
}

func point(_ index: Int, mass: Double, observed: Double?, median: Double, toys: Band? = nil) -> BrazilPoint {
  BrazilPoint(index: index, mass: mass, m2: mass * mass, observed: observed, observedLower: nil,
              expectedAsymptotic: Band([0.5, 0.7, 1, 1.4, 2].map { $0 * median }), expectedToys: toys, toys: toys == nil ? 0 : 10,
              failedToys: [], toyLimits: nil, signalPerFb: 1, background: 1)
}

@Suite("σ limits → g′ limits")
struct CouplingTranslationTests {
  let table = CrossSectionTable.standard(sqrtS: config.beams.sqrtS)!

  @Test("g′_UL = √(σ_UL / (σ(g′ = 1)·B)): B = 1 (fully invisible) and B(Z′ → νν̄) (vanilla), band by band")
  func formula() throws {
    let b = brazilFile([point(0, mass: 0.5, observed: 2, median: 3), point(1, mass: 3, observed: 0.4, median: 0.5)])
    for model in ZPrimeModel.allCases {
      let out = try CouplingTranslation(config: config, model: model, isr: false, seed: 1).translate(b, path: "b.json")
      for (p, x) in zip(out.masses, b.masses) {
        let sigma = try table.sigma(mass: x.mass!, isr: false)
        let branching = model.branchingInvisible(mass: x.mass!)
        #expect(p.sigmaAtUnitCoupling == sigma && p.branchingInvisible == branching)
        #expect(abs(p.observed! - (x.observed! / (sigma * branching)).squareRoot()) <= 1e-12 * p.observed!)
        for (g, s) in zip(p.expected.values, x.expectedAsymptotic.values) {
          #expect(abs(g - (s / (sigma * branching)).squareRoot()) <= 1e-12 * g)
        }
        #expect(p.expectedSource == "asymptotic" && p.expectedToys == nil)
      }
      #expect(out.sigmaSource == "table" && out.model == model.rawValue)
    }
    // Vanilla above 2m_µ: B ≈ ½, so g′ is larger by √2 than in the fully invisible model.
    let inv = try CouplingTranslation(config: config, model: .invisible, isr: false, seed: 1).translate(b, path: "b.json")
    let van = try CouplingTranslation(config: config, model: .vanilla, isr: false, seed: 1).translate(b, path: "b.json")
    #expect(van.masses[1].observed! > inv.masses[1].observed! * 1.2)
  }

  @Test("The file records the σ limits' CL, rule and method and the brazil file's identity")
  func provenance() throws {
    let b = brazilFile([point(0, mass: 1, observed: 1, median: 1)], cl: 0.95, toys: 10)
    let out = try CouplingTranslation(config: config, model: .invisible, isr: false, seed: 1).translate(b, path: "dir/b.json")
    #expect(out.limit == b.settings.limit && out.limit.cl == 0.95 && out.limit.clText == "95% CL")
    #expect(out.source.file == "dir/b.json" && out.source.seed == 7 && out.source.data == "toy")
    #expect(out.configuration == config.name && out.lumiFb == config.luminosity.integrated)
  }

  @Test("The (g−2)µ band is excluded where the observed g′ limit lies below it, and only there")
  func gMinus2() throws {
    // Tiny σ limits between 1 and 3 GeV exclude the band there; huge ones elsewhere do not.
    let masses = [0.2, 0.5, 1.0, 2.0, 3.0, 6.0]
    let points = masses.enumerated().map { i, m in point(i, mass: m, observed: (1...3).contains(m) ? 1e-6 : 1e6, median: 1) }
    let out = try CouplingTranslation(config: config, model: .invisible, isr: false, seed: 1).translate(brazilFile(points), path: "b.json")
    #expect(out.exclusionBasis == "observed")
    for p in out.masses { #expect(p.excludesGMinus2 == (1...3).contains(p.mass), "M = \(p.mass)") }
    #expect(out.excludedRanges.count == 1)
    let r = try #require(out.excludedRanges.first)
    #expect(r.lower > 0.5 && r.lower <= 1.0 && r.upper >= 3.0 && r.upper < 6.0)
    // Without observed limits the basis is the median expected.
    let expected = try CouplingTranslation(config: config, model: .invisible, isr: false, seed: 1)
      .translate(brazilFile(masses.enumerated().map { point($0, mass: $1, observed: nil, median: 1) }), path: "b.json")
    #expect(expected.exclusionBasis == "median expected" && expected.masses.allSatisfy { $0.observed == nil })
  }

  @Test("Bad limits and masses beyond the kinematic limit are errors naming the file and the key")
  func badInput() {
    func message(_ points: [BrazilPoint]) -> String {
      do {
        _ = try CouplingTranslation(config: config, model: .invisible, isr: false, seed: 1).translate(brazilFile(points), path: "b.json")
        return ""
      } catch {
        return "\(error)"
      }
    }
    #expect(message([point(0, mass: 1, observed: -1, median: 1)]).contains("b.json: masses[0].observed must be a finite σ limit"))
    #expect(message([point(0, mass: -2, observed: 1, median: 1)]).contains("b.json: masses[0].mass_gev must be positive"))
    #expect(message([point(0, mass: 10.5, observed: 1, median: 1)]).contains("kinematic limit"))
    #expect(message([]).contains("\"masses\" is empty"))
  }
}
