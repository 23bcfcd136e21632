import ArgumentParser
import Experiment
import Foundation
import GSL
import Generator
import Results
import Studies
import _Support

/// Options that choose the template Monte Carlo and user-supplied process inputs; shared by the
/// commands that build search-window templates.
struct TemplateOptions: ParsableArguments {
  @Option(name: .customLong("mc-seed"), help: "Seed of the template Monte Carlo (\"the simulation\"), separate from --seed.")
  var mcSeed: UInt64 = TemplateSettings().seed

  @Option(name: .customLong("mc-signal-events"), help: "Selected MC events per signal template.")
  var mcSignalEvents: Int = TemplateSettings().signalEvents

  @Option(name: .customLong("mc-background-events"), help: "Selected MC events per background process (full spectrum).")
  var mcBackgroundEvents: Int = TemplateSettings().backgroundEvents

  @Option(name: .customLong("input"), parsing: .singleValue,
          help: ArgumentHelp("Take a background process of the configuration (by name, e.g. mumu) from your simulation: PROCESS=FILE, a 2D histogram CSV (optional sumw2), an event CSV (optional weight), or FILE.root:PATH (a TH2 or a TTree, read with uproot). Repeatable.", valueName: "process=file"))
  var inputs: [String] = []

  @OptionGroup var root: RootOptions

  func validate() throws {
    guard (1_000...100_000_000).contains(mcSignalEvents) else {
      throw ValidationError("--mc-signal-events must be between 1,000 and 100,000,000, got \(mcSignalEvents)")
    }
    guard (1_000...1_000_000_000).contains(mcBackgroundEvents) else {
      throw ValidationError("--mc-background-events must be between 1,000 and 1,000,000,000, got \(mcBackgroundEvents)")
    }
    _ = try parsedInputs()
  }

  /// PROCESS=FILE pairs (the process names are checked against the configuration when the
  /// templates are built).
  func parsedInputs() throws -> [(String, String)] {
    try inputs.map { spec in
      let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0] != "signal" else {
        throw ValidationError("--input takes PROCESS=FILE with PROCESS a background process of the configuration, got \"\(spec)\"")
      }
      return (parts[0], parts[1])
    }
  }

  func settings(threads: Int) -> TemplateSettings {
    TemplateSettings(seed: mcSeed, backgroundEvents: mcBackgroundEvents, signalEvents: mcSignalEvents, threads: threads)
  }

  /// The analysis of `config` with these options, at the luminosity `lumi` asks for; its notes
  /// about the user's inputs go to stderr.
  func analysis(_ config: ExperimentConfig, threads: Int, lumi: LumiOptions? = nil) throws -> Analysis {
    let a = try Analysis(config: config, settings: settings(threads: threads), userSources: try userSources())
    for n in a.notes { FileHandle.standardError.write(Data("note: \(n)\n".utf8)) }
    return try lumi?.apply(a) ?? a
  }

  func userSources() throws -> [String: UserSource] {
    var out: [String: UserSource] = [:]
    for (p, f) in try parsedInputs() {
      guard out[p] == nil else { throw ValidationError("--input \(p)=…: given twice") }
      out[p] = try UserSource.load(f, branches: root.branches)
    }
    return out
  }
}

/// The branches of a TTree given as `--input …=FILE.root:TREE`.
struct RootOptions: ParsableArguments {
  @Option(name: .customLong("root-m2"), help: "A ROOT TTree input's branch of M²_recoil in GeV².")
  var m2 = RootInput.Branches().m2

  @Option(name: .customLong("root-theta"), help: "A ROOT TTree input's branch of θ_cm,recoil in degrees.")
  var theta = RootInput.Branches().theta

  @Option(name: .customLong("root-weight"), help: "A ROOT TTree input's branch of event weights (default: unweighted).")
  var weight: String?

  var branches: RootInput.Branches { RootInput.Branches(m2: m2, theta: theta, weight: weight) }
}

/// `--lumi L [--scale-systematics]`: the model at another integrated luminosity.
struct LumiOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Integrated luminosity of the model in fb⁻¹: the signal and every background scale from the configuration's to it (relative systematics kept; recorded in the result).", valueName: "fb"))
  var lumi: Double?

  @Flag(name: .customLong("scale-systematics"), help: "With --lumi: shrink the relative systematic uncertainties as 1/√L (× √(L_config / L)); the templates' Monte Carlo statistics stay.")
  var scaleSystematics = false

  func validate() throws {
    if let l = lumi, !(l.isFinite && l > 0 && l <= 1e7) { throw ValidationError("--lumi must be a positive number of fb⁻¹ up to 1e7, got \(l)") }
    if scaleSystematics && lumi == nil { throw ValidationError("--scale-systematics scales the systematics to --lumi: give --lumi L") }
  }

  /// `a` at the luminosity asked for (unchanged without --lumi).
  func apply(_ a: Analysis) throws -> Analysis {
    guard let l = lumi else { return a }
    do { return try a.at(luminosity: l, scaleSystematics: scaleSystematics) } catch let e as StudyError { throw CLIError(e.description) }
  }
}

/// `--mass M` or `--index I`: one hypothesis of the grid.
struct HypothesisOptions: ParsableArguments {
  @Option(help: "Z′ mass in GeV: the nearest hypothesis of the grid is used.")
  var mass: Double?

  @Option(help: "Hypothesis index in the grid (see `zptoys grid`).")
  var index: Int?

  func validate() throws {
    guard (mass == nil) != (index == nil) else { throw ValidationError("give exactly one of --mass M or --index I") }
    if let m = mass, !(m.isFinite && m > 0) { throw ValidationError("--mass must be a positive number of GeV, got \(m)") }
  }

  func hypothesis(in grid: MassGrid) throws -> MassHypothesis {
    if let i = index {
      guard grid.hypotheses.indices.contains(i) else {
        throw CLIError("--index \(i) is outside the grid (0 to \(grid.count - 1))")
      }
      return grid.hypotheses[i]
    }
    return try MassInput.hypothesis(nearest: mass!, in: grid)
  }
}

struct TemplatesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "templates",
    abstract: "Write the binned search-window templates of every process for one hypothesis.",
    discussion: """
      The window has 20 M² bins one resolution wide centred on the hypothesis × the θ_cm bins of \
      its M² range. The signal template is per fb of cross section (L · ε · acceptance · shape); \
      backgrounds are expected events at the configured luminosity. Each comes with its Monte \
      Carlo variance (sumw2). Example:  zptoys templates --mass 2.352 --out t.json
      """
  )

  @OptionGroup var common: CommonOptions
  @OptionGroup var hypothesis: HypothesisOptions
  @OptionGroup var mc: TemplateOptions
  @OptionGroup var lumi: LumiOptions

  @Option(name: .customLong("width-fraction"), help: "Γ/M of the signal (0 = narrow).")
  var widthFraction: Double = 0

  @Option(help: "Output JSON file (written atomically). Without it, the JSON goes to stdout.")
  var out: String?

  func validate() throws {
    guard widthFraction.isFinite, widthFraction >= 0, widthFraction <= 1 else {
      throw ValidationError("--width-fraction must be in [0, 1], got \(widthFraction)")
    }
  }

  func run() throws {
    let config = try common.loadConfiguration()
    let h = try hypothesis.hypothesis(in: MassGrid(config: config))
    let analysis = try mc.analysis(config, threads: common.threadCount, lumi: lumi)
    let file = try analysis.templatesFile(index: h.index, widthFraction: widthFraction)
    let text = try JSONOutput.string(file) + "\n"
    guard let path = out else {
      print(text, terminator: "")
      return
    }
    try AtomicFile.write(text, to: path)
    if !common.json {
      let b = file.backgrounds.values.map { $0.yields.reduce(0, +) }.reduce(0, +)
      let s = file.signalPerFb.yields.reduce(0, +)
      FileHandle.standardError.write(Data("hypothesis \(h.index) (M = \(fmt(h.mass)) GeV): signal \(fmt(s)) events/fb in the window (acceptance \(fmt(file.signalAcceptance, 3)), ε \(fmt(file.signalEfficiency, 3))), background \(fmt(b)) events; wrote \(path)\n".utf8))
    }
  }
}
