import Experiment
import Foundation
import Generator
import Likelihood
import Results
import Testing
@testable import Studies

/// Luminosity projections (issue 15, item 3): the model at another integrated luminosity.
@Suite("Luminosity projections")
struct LuminosityTests {
  func staterror(_ s: Likelihood.Sample, _ name: String) -> [Double]? {
    if let u = (s.modifiers.first(where: { $0.name == name })?.definition as? Staterror)?.uncertainties { return u }
    return nil
  }

  @Test("--lumi scales the signal per fb and every background by L / L_config; relative systematics stay")
  func scaling() throws {
    let l0 = config.luminosity.integrated
    let big = try analysis.at(luminosity: 10 * l0, scaleSystematics: false)
    #expect(big.luminosity == 10 * l0 && big.systematicsScale == 1)
    let i = analysis.grid.nearest(mass: 2.352)!.index
    let signal = try analysis.signalTemplate(i)
    let a = try analysis.window(i, signal: signal), b = try big.window(i, signal: signal)
    // Yields are floored (signal 1e-9 per fb, backgrounds 1e-6): compare bins well above the floors.
    for (x, y) in zip(a.signalPerFb, b.signalPerFb) where x > 1e-3 { #expect(abs(y / x - 10) < 1e-12) }
    for (sa, sb) in zip(a.backgrounds, b.backgrounds) {
      for (x, y) in zip(sa.yields, sb.yields) where x > 1e-3 { #expect(abs(y / x - 10) < 1e-12) }
      for (x, y) in zip(sa.sumw2, sb.sumw2) where x > 0 { #expect(abs(y / x - 100) < 1e-10) }
    }
    let wa = a.workspace(observations: a.totalBackground), wb = b.workspace(observations: b.totalBackground)
    // background_shape: the same size relative to the carriers' summed yields.
    let ua = try #require(staterror(wa.channels[0].samples[1], "background_shape")), ub = try #require(staterror(wb.channels[0].samples[1], "background_shape"))
    for k in ua.indices {
      let ra = ua[k] / a.totalBackground[k], rb = ub[k] / b.totalBackground[k]
      #expect(abs(ra - rb) <= 1e-12 * ra)
    }
    #expect(wa.measurements[0].config.parameters.first { $0.name == "lumi" } == wb.measurements[0].config.parameters.first { $0.name == "lumi" })
    #expect(big.inputs(data: "none").lumiFb == 10 * l0)
    let total: Double = big.expectedCells.reduce(0, +), total0: Double = analysis.expectedCells.reduce(0, +)
    #expect(abs(total / total0 - 10) < 1e-9)
  }

  @Test("--scale-systematics shrinks every configured relative size as 1/√L; refuses a normsys it would make ≥ 1")
  func scaledSystematics() throws {
    let l0 = config.luminosity.integrated
    let big = try analysis.at(luminosity: 4 * l0, scaleSystematics: true)
    #expect(big.systematicsScale == 0.5 && big.inputs(data: "none").systematicsScale == 0.5)
    let i = analysis.grid.nearest(mass: 2.352)!.index
    let w = try big.window(i)
    let ws = w.workspace(observations: w.totalBackground)
    let eff = try #require(ws.channels[0].samples[0].modifiers.first { $0.name == "signal_efficiency" })
    guard let n = eff.definition as? Normsys else { Issue.record("not a normsys"); return }
    let hi = n.hi, lo = n.lo
    let u = config.systematics.first { $0.name == "signal_efficiency" }!.size!(w.window.hypothesis.m2)
    #expect(abs(hi - (1 + u / 2)) < 1e-12 && abs(lo - (1 - u / 2)) < 1e-12)
    let lumi = try #require(ws.measurements[0].config.parameters.first { $0.name == "lumi" })
    #expect(abs(lumi.sigmas![0] - config.luminosity.relativeUncertainty / 2) < 1e-15)
    // At a hundredth of the luminosity a normsys of 8.3% would become 83%: allowed; at 1/200, 117%: refused.
    _ = try analysis.at(luminosity: l0 / 100, scaleSystematics: true)
    #expect(throws: StudyError.self) { try analysis.at(luminosity: l0 / 200, scaleSystematics: true) }
    #expect(throws: StudyError.self) { try analysis.at(luminosity: -1, scaleSystematics: false) }
  }
}
