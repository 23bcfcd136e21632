import Experiment
import Foundation
import Generator
import Likelihood
import Testing
@testable import Studies

/// The templates' Monte Carlo statistics in the likelihood (issue 15, item 1): a staterror of
/// `value: mc` takes √(Σw²) of each carrying sample's template as its per-bin uncertainty.
@Suite("Monte Carlo statistics in the window likelihood")
struct MonteCarloStatTests {
  /// The embedded configuration with an `mc_stat` staterror on both background samples.
  static func configuration() throws -> ExperimentConfig {
    var text = config.sourceText
    text = text.replacingOccurrences(of: "  photon_veto:", with: "  mc_stat:\n    modifier: staterror\n    value: mc\n  photon_veto:")
    text = text.replacingOccurrences(of: "systematics: [background_norm, background_shape, photon_veto]",
                                     with: "systematics: [background_norm, background_shape, photon_veto, mc_stat]")
    text = text.replacingOccurrences(of: "systematics: [background_norm, background_shape]\n", with: "systematics: [background_norm, background_shape, mc_stat]\n")
    return try ExperimentConfig.parse(yaml: text, source: "mcstat.yaml")
  }

  @Test("value: mc gives each carrier √(Σw²) of its own template; pyhf then combines them per bin")
  func uncertainties() throws {
    let c = try Self.configuration()
    #expect(c.systematics.first { $0.name == "mc_stat" }?.fromMonteCarlo == true)
    let a = try Analysis(config: c, settings: TemplateSettings(backgroundEvents: 40_000, signalEvents: 4_000, threads: 2))
    let i = a.grid.nearest(mass: 2.352)!.index
    let window = try a.window(i)
    let ws = window.workspace(observations: window.totalBackground)
    let w = a.detector.binning.window(i)
    for (sample, processes) in [("mumu", ["mumu"]), ("other_background", ["tautau", "eemumu"])] {
      let s = try #require(ws.channels[0].samples.first { $0.name == sample })
      guard let u = (s.modifiers.first(where: { $0.name == "mc_stat" })?.definition as? Staterror)?.uncertainties else {
        Issue.record("\(sample) has no mc_stat staterror")
        continue
      }
      let variance = processes.map { a.backgrounds.window(w, process: $0).sumw2 }.reduce([Double](repeating: 0, count: u.count)) { zip($0, $1).map { $0 + $1 } }
      for (k, v) in variance.enumerated() where v > 0 { #expect(abs(u[k] - v.squareRoot()) <= 1e-12 * u[k]) }
    }
    _ = try Model(workspace: ws)
  }

  @Test("Data files are unweighted events: a weight column is refused, naming the file")
  func weightedData() throws {
    let p = tempPath("data-weighted.csv")
    try "m2_recoil_gev2,theta_cm_recoil_deg,weight\n1,20,0.5\n".write(toFile: p, atomically: true, encoding: .utf8)
    #expect { try EventFile.read(path: p) } throws: { "\($0)".contains("data-weighted.csv") && "\($0)".contains("without weights") }
    try "m2_recoil_gev2,theta_cm_recoil_deg,colour\n1,20,3\n".write(toFile: p, atomically: true, encoding: .utf8)
    #expect { try EventFile.read(path: p) } throws: { "\($0)".contains("unknown column \"colour\"") }
  }
}
