import ArgumentParser
import Experiment
import Foundation
import Generator
import Likelihood
import Studies
import _Support

struct WorkspaceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "workspace",
    abstract: "Write the pyhf workspace of one search window.",
    discussion: """
      The window of the hypothesis nearest --mass (or --index): 20 M² bins × its θ_cm bins; \
      sample signal (per fb: the POI sigma_fb is the cross section in fb) and one sample per \
      background sample of the configuration, each with the systematics the configuration lists \
      (the default: mumu and other_background sharing the free normalisation background_norm; \
      per-bin Gaussian shape uncertainties signal_shape and background_shape, the photon-veto \
      uncertainty photon_veto on µµ(γ), the signal-efficiency normsys and the luminosity — the \
      paper's systematics).
      --data chooses the observations: asimov (the background expectation), toy (the window's share \
      of the full-spectrum background-only pseudo-data set of --seed) or an event CSV (m2_recoil_gev2, theta_cm_recoil_deg).
      Example:  zptoys workspace --mass 2.352 --data toy --seed 3 --out w.json && zptoys fit w.json
      """
  )

  @OptionGroup var common: CommonOptions
  @OptionGroup var hypothesis: HypothesisOptions
  @OptionGroup var mc: TemplateOptions
  @OptionGroup var lumi: LumiOptions

  @Option(help: "Observations: asimov, toy, or an event CSV file.")
  var data: String = "asimov"

  @Option(name: .customLong("width-fraction"), help: "Γ/M of the signal (0 = narrow).")
  var widthFraction: Double = 0

  @Option(help: "Output workspace (JSON, written atomically).")
  var out: String

  func validate() throws {
    guard widthFraction.isFinite, widthFraction >= 0, widthFraction <= 1 else {
      throw ValidationError("--width-fraction must be in [0, 1], got \(widthFraction)")
    }
  }

  func run() throws {
    let config = try common.loadConfiguration()
    let grid = MassGrid(config: config)
    let h = try hypothesis.hypothesis(in: grid)
    let dataSource = WindowData.parse(data)
    if case .events(let path) = dataSource, !FileManager.default.fileExists(atPath: path) {
      throw CLIError("--data \(path): no such file (use asimov, toy or an event CSV)")
    }
    let analysis = try mc.analysis(config, threads: common.threadCount, lumi: lumi)
    let window = try analysis.window(h.index, widthFraction: widthFraction)
    let obs = try dataSource.observations(for: window, analysis: analysis, seed: common.seed)
    let ws = window.workspace(observations: obs)
    _ = try Model(workspace: ws)  // the workspace must load before it is written
    try AtomicFile.write(try ws.encoded(), to: out)
    if common.json {
      struct Out: Encodable { let out: String; let hypothesis: MassHypothesis; let bins: Int; let signal_per_fb: Double; let background: Double; let observed: Double }
      print(try JSONOutput.string(Out(out: out, hypothesis: h, bins: window.binCount, signal_per_fb: window.signalPerFb.reduce(0, +),
                                      background: window.totalBackground.reduce(0, +), observed: obs.reduce(0, +))))
    } else {
      FileHandle.standardError.write(Data("hypothesis \(h.index) (M = \(fmt(h.mass)) GeV): \(window.binCount) bins, signal \(fmt(window.signalPerFb.reduce(0, +))) events/fb, background \(fmt(window.totalBackground.reduce(0, +))), observed \(fmt(obs.reduce(0, +))); wrote \(out)\n".utf8))
    }
  }
}
