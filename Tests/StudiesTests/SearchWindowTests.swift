import Experiment
import Foundation
import Generator
import Inference
import Likelihood
import Testing
@testable import Studies

/// Reference values of three windows (`zptoys workspace --mass M --data toy --seed 3` and `zptoys limit
/// --mass M --data toy --seed 3`, template MC 200,000 background / 20,000 signal events, seed
/// 20200101): per sample the window's summed yield and the summed staterror data, and the asymptotic
/// 90% CLs limits. First recorded before the background processes became configuration data (which
/// reproduced them to 1e-12), re-recorded once when the random streams moved from MT19937 to
/// taus2 (new template MC and pseudo-data; the model itself unchanged).
struct WindowReference: Sendable {
  let mass: Double
  let sums: [String: Double]
  let observedEvents: Double
  let observedLimit: Double
  let medianLimit: Double

  static let all = [
    WindowReference(mass: 0.05, sums: [
      "signal": 3.985657437262245, "signal:signal_shape": 0.3985657437262244, "mumu": 27.048058000000037,
      "mumu:background_shape": 0.867286976, "mumu:photon_veto": 9.196339719999994, "other_background": 0.05466000000000001,
      "other_background:background_shape": 0,
    ], observedEvents: 23, observedLimit: 6.949428330544725, medianLimit: 7.485102919933208),
    WindowReference(mass: 2.352, sums: [
      "signal": 4.31572698209373, "signal:signal_shape": 0.43157269820937294, "mumu": 14.999559999999985,
      "mumu:background_shape": 0.6779475199999999, "mumu:photon_veto": 0.749978, "other_background": 6.186299999999998,
      "other_background:background_shape": 0,
    ], observedEvents: 20, observedLimit: 0.4884095848423375, medianLimit: 0.7622554085859482),
    WindowReference(mass: 8.0, sums: [
      "signal": 4.0003771170649784, "signal:signal_shape": 0.40003771170649777, "mumu": 2.0000000000000005e-05,
      "mumu:background_shape": 617.700005, "mumu:photon_veto": 9.999999999999995e-07, "other_background": 2470.7999999999997,
      "other_background:background_shape": 0,
    ], observedEvents: 2472, observedLimit: 28.54377869554968, medianLimit: 28.79437214718306),
  ]
}

@Suite("Search windows from the configuration")
struct SearchWindowTests {
  /// The window's samples and staterror data summed per bin, as in ``WindowReference``.
  func sums(_ ws: Workspace) -> [String: Double] {
    var out: [String: Double] = [:]
    for s in ws.channels[0].samples {
      out[s.name] = s.data.reduce(0, +)
      for m in s.modifiers {
        if let d = m.definition as? Staterror { out["\(s.name):\(m.name)"] = d.uncertainties.reduce(0, +) }
      }
    }
    return out
  }

  /// Same template streams and the same arithmetic: the yields agree to rounding (1e-12
  /// relative, only summation order could differ). The limits are solved to a relative 1e-6
  /// (LimitSetter); 1e-4 leaves room for a fitter that converges differently while any change
  /// of the model (a lost systematic, another sample mix) moves them by percent.
  @Test("The default configuration gives the recorded windows and limits", arguments: WindowReference.all)
  func sameAsBefore(ref: WindowReference) throws {
    let h = try #require(analysis.grid.nearest(mass: ref.mass))
    let window = try analysis.window(h.index)
    let obs = try WindowData.toy.observations(for: window, analysis: analysis, seed: 3)
    let ws = window.workspace(observations: obs)
    let got = sums(ws)
    #expect(Set(got.keys) == Set(ref.sums.keys))
    for (k, v) in ref.sums {
      #expect(abs(got[k]! - v) <= 1e-12 * max(abs(v), 1e-300), "\(k) at \(ref.mass) GeV: \(got[k]!) vs \(v)")
    }
    #expect(obs.reduce(0, +) == ref.observedEvents)
    let signal = ws.channels[0].samples[0]
    #expect(signal.modifiers.map(\.name) == ["sigma_fb", "signal_shape", "signal_efficiency", "lumi"])
    #expect(ws.channels[0].samples.map(\.name) == ["signal", "mumu", "other_background"])
    let model = try Model(workspace: ws)
    let calc = try AsymptoticCalculator(model: model, data: model.observedData, testStatistic: LimitRule.cls.defaultTestStatistic)
    let r = try LimitSetter(calculator: calc, rule: .cls, cl: 0.9).compute()
    #expect(abs(r.observed / ref.observedLimit - 1) < 1e-4, "observed \(r.observed) vs \(ref.observedLimit)")
    #expect(abs(r.expected[2] / ref.medianLimit - 1) < 1e-4, "median \(r.expected[2]) vs \(ref.medianLimit)")
  }

  @Test("The photon-veto uncertainty acts on the µµ(γ) sample only, as the configuration says")
  func sampleMix() throws {
    let window = try analysis.window(analysis.grid.nearest(mass: 0.5)!.index)
    let ws = window.workspace(observations: window.totalBackground)
    let carriers = ws.channels[0].samples.filter { $0.modifiers.contains { $0.name == "photon_veto" } }.map(\.name)
    #expect(carriers == ["mumu"])
    // background_shape: δ·(total background) on the first carrier, 0 on the other (pyhf's
    // staterror width is then δ relative to the total).
    let shape = ws.channels[0].samples.compactMap { s in s.modifiers.first { $0.name == "background_shape" }.map { (s.name, $0.definition) } }
    guard let first = (shape[0].1 as? Staterror)?.uncertainties, let second = (shape[1].1 as? Staterror)?.uncertainties else { Issue.record("not staterrors"); return }
    #expect(second.allSatisfy { $0 == 0 })
    let delta = config.systematics.first { $0.name == "background_shape" }!.size!(window.window.hypothesis.m2)
    for (u, t) in zip(first, window.totalBackground) { #expect(abs(u - delta * t) <= 1e-12 * u) }
  }

  @Test("A new background process is configuration only: it gets templates, joins its sample and the pseudo-data")
  func newProcess() throws {
    let extra = """
        - name: radiative_bhabha
          label: "e^{+}e^{−}(γ)"
          sample: extra_background
          systematics: [background_norm]
          components:
            - shape: continuum
              yield: 50.0
              m2_law: falling-exponential
              m2_range_gev2: [0.0, 30.0]
              m2_slope_gev2: 5.0
              collinearity_b: 0.8
              mumu_mass_range_gev: [0.2, 3.0]

      """
    let text = EmbeddedConfiguration.text.replacingOccurrences(of: "# What `zptoys run` does", with: extra + "# What `zptoys run` does")
    let c = try ExperimentConfig.parse(yaml: text, source: "extra.yaml")
    let a = try Analysis(config: c, settings: TemplateSettings(backgroundEvents: 20_000, signalEvents: 2_000, threads: 2))
    #expect(a.backgrounds.processes == ["mumu", "tautau", "eemumu", "radiative_bhabha"])
    let total = a.backgrounds.yields["radiative_bhabha"]!.reduce(0, +)
    #expect(total > 0 && total <= 50 * (1 + 1e-12))
    let window = try a.window(a.grid.nearest(mass: 2.0)!.index)
    let ws = window.workspace(observations: window.totalBackground)
    #expect(ws.channels[0].samples.map(\.name) == ["signal", "mumu", "other_background", "extra_background"])
    #expect(ws.channels[0].samples[3].modifiers.map(\.name) == ["background_norm"])
    // The existing processes' templates are unchanged by the addition (their streams do not move).
    let before = try Analysis(config: config, settings: TemplateSettings(backgroundEvents: 20_000, signalEvents: 2_000, threads: 2))
    #expect(before.backgrounds.yields["tautau"] == a.backgrounds.yields["tautau"])
    _ = try Model(workspace: ws)
  }
}

enum EmbeddedConfiguration {
  /// The embedded configuration's YAML.
  static var text: String { config.sourceText }
}
