import ArgumentParser
import Experiment
import Foundation
import Generator
import Inference
import Results
import Studies
import _Support

struct BrazilCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "brazil",
    abstract: "Expected-limit bands (and observed limits) over the mass hypotheses.",
    discussion: """
      Per hypothesis: the band from --toys background-only pseudo-experiments with a limit each \
      (the paper's "median limits from background-only simulated samples"), with --data the \
      observed limit, and the asymptotic band and observed limit beside them. By default every \
      limit of a hypothesis — observed and each band toy's — is a 90% CL Feldman–Cousins \
      interval from one toy Neyman belt of t̃µ (the paper's method; --belt-toys per µ point); \
      --calculator asymptotic takes every limit from the asymptotic formulae instead (fast). \
      --masses takes all, indices (100-105, 3,7,9) or a mass range in GeV (1.5:2.5). Sharded \
      runs (--shard K/N) merge bit for bit with `zptoys merge`.
      --csv and --hepdata also write the limit table as CSV and as HEPData YAML.
      A published likelihood instead of the search windows: --workspace BKG.json --patchset \
      PATCHES.json (the pyhf patchset format HEPData uses) gives per patch the observed limit on \
      its POI from the published data and the expected bands; --patches selects patches.
      --lumi L projects the search windows to another integrated luminosity.
      Examples: zptoys brazil --masses 1.5:2.5 --toys 500 --out b.json
                zptoys brazil --workspace BkgOnly.json --patchset patchset.json --toys 200 --out b.json
      """
  )

  @OptionGroup var common: CommonOptions
  @OptionGroup var limits: LimitOptions
  @OptionGroup var method: MethodOptions
  @OptionGroup var study: StudyOptions
  @OptionGroup var mc: TemplateOptions
  @OptionGroup var lumi: LumiOptions
  @OptionGroup var published: PublishedOptions

  @Option(help: "Hypotheses: all, indices (100-105, 3,7,9) or a mass range in GeV (1.5:2.5).")
  var masses: String = "all"

  @Option(help: "Background-only pseudo-experiments per hypothesis for the toy band (0: asymptotic band only).")
  var toys: Int = 1000

  @Option(help: "Data for observed limits: an event CSV (m2_recoil_gev2, theta_cm_recoil_deg), or `toy` for a background-only full-spectrum pseudo-data set from --seed.")
  var data: String?

  @Option(name: .customLong("width-fraction"), help: "Γ/M of the signal (0 = narrow).")
  var widthFraction: Double = 0

  @Flag(name: .customLong("keep-toy-limits"), help: "Record every per-toy limit in the result file.")
  var keepToyLimits = false

  @Option(help: "Also write the limit table as CSV.")
  var csv: String?

  @Option(help: "Also write the limit table as HEPData YAML.")
  var hepdata: String?

  func validate() throws {
    guard (0...1_000_000).contains(toys) else { throw ValidationError("--toys must be between 0 and 1,000,000, got \(toys)") }
    guard widthFraction.isFinite, widthFraction >= 0, widthFraction <= 1 else { throw ValidationError("--width-fraction must be in [0, 1]") }
    try published.refuseWindowOptions([("--data", data != nil), ("--input", !mc.inputs.isEmpty), ("--lumi", lumi.lumi != nil),
                                       ("--masses", masses != "all"), ("--width-fraction", widthFraction != 0)])
    if method.method == .toys && limits.limitRule != .fc && toys == 0 {
      throw ValidationError("--rule \(limits.limitRule.rawValue) with --calculator toys takes CLb from the background-only toys: give --toys ≥ 1")
    }
  }

  /// The hypotheses (the search windows, or the patches), their data and its label, and the
  /// configuration of the windows.
  func hypotheses() throws -> (any HypothesisSet, SpectrumData?, String, ExperimentConfig?) {
    if published.isSet { return (try published.hypotheses(), nil, "published", nil) }
    let config = try common.loadConfiguration()
    // Read the user's inputs before the (slower) template Monte Carlo, so bad files fail fast.
    let events = try data.flatMap { $0 == "toy" ? nil : try EventFile.read(path: $0) }
    let analysis = try mc.analysis(config, threads: common.threadCount, lumi: lumi)
    MassInput.warnIfClipped(masses, grid: analysis.grid)
    let spectrum: SpectrumData? = data.map { _ in
      events.map { SpectrumData.events($0) }
        ?? .pseudoData(expected: analysis.expectedCells, seed: common.seed, study: .scanData, toy: 0)
    }
    do {
      return (try WindowHypotheses(analysis: analysis, masses: masses, widthFraction: widthFraction), spectrum, Analysis.dataLabel(data), config)
    } catch let e as MassSelection.ParseError { throw ValidationError(e.description) }
  }

  func run() throws {
    let (set, spectrum, dataLabel, config) = try hypotheses()
    let s = BrazilStudy.settings(masses: published.isSet ? published.patches : masses, toys: toys, cl: limits.cl, rule: limits.limitRule, method: method.method,
                                 beltToys: method.beltToys, nuisances: method.nuisances, widthFraction: widthFraction, keepToyLimits: keepToyLimits)
    let brazil = BrazilStudy(hypotheses: set, settings: s, data: spectrum)
    let identity = brazil.identity(seed: common.seed, data: dataLabel)
    let tasks = (0..<brazil.taskCount).filter(study.parsed.owns).count
    let inner = max(1, common.threadCount / max(1, tasks))
    let seed = common.seed
    let out = try StudyDriver.run(
      BrazilFile.self, identity: identity, shard: study.parsed, output: study.out, threads: common.threadCount,
      resume: study.resume, restart: study.restart, progress: study.progress(label: "brazil", unit: "hypotheses", json: common.json),
      makeState: { () }
    ) { t, _ in try brazil.run(task: t, seed: seed, threads: inner) }
    if let p = csv { try LimitTables.writeCSV(out, to: p) }
    if let p = hepdata { try LimitTables.writeHEPData(out, config: config, to: p) }
    if common.json {
      print(try JSONOutput.string(out))
    } else {
      printSummary(out)
    }
  }

  func printSummary(_ out: BrazilFile) {
    let limit = out.settings.limit
    let what = out.header.identity.inputs.likelihood.map { "the POI of \($0.name)" } ?? "σ(e+e− → µ+µ−Z′) × B [\(out.units.crossSection)]"
    print("\(limit.clText) \(limit.rule.text) limits (\(limit.method.text)) on \(what), \(out.masses.count) hypotheses\(out.header.shard.map { ", shard \($0)" } ?? "")")
    let how = limit.method == .toys ? "\(toys) toys, belts of \(out.settings.beltToys ?? 0) toys per µ point" : "\(toys) toys"
    print("  \(published.isSet ? "patch    " : "mass [GeV]")   observed   expected (asymptotic) median [−1σ, +1σ]   expected (\(how)) median [−1σ, +1σ]")
    let step = max(1, out.masses.count / 25)
    for (i, p) in out.masses.enumerated() where i % step == 0 || i == out.masses.count - 1 {
      let obs = p.observed.map { String(format: "%9.4g", $0) } ?? "        —"
      let a = p.expectedAsymptotic
      let t = p.expectedToys.map { String(format: "%9.4g [%.4g, %.4g]", $0.median, $0.minus1, $0.plus1) } ?? "—"
      print(String(format: "  %@   %@   %9.4g [%.4g, %.4g]        %@", HypothesisText.column(p.label), obs, a.median, a.minus1, a.plus1, t))
    }
    let failed = out.masses.map(\.failedToys.count).reduce(0, +)
    if failed > 0 { print("  \(failed) pseudo-experiments failed (listed with their stream keys in the result file)") }
    let belts = out.masses.compactMap(\.belt)
    if !belts.isEmpty {
      let points = belts.map(\.muPoints)
      let crossing = belts.map(\.multipleCrossingToys.count).reduce(0, +), gaps = belts.map(\.significantGapToys.count).reduce(0, +)
      print("  belts: \(points.min()!)–\(points.max()!) µ points; \(crossing) band toys cross their belt more than twice (hull used), \(gaps) of them rejected between by > 2 MC σ of k")
      let observed = belts.filter { $0.observedMultipleCrossings == true }.count
      if observed > 0 { print("  \(observed) hypotheses' observed t̃µ crosses the belt more than twice (hull used; `belt` in the result file)") }
    }
    if let o = study.out { print("wrote \(o) (\(String(format: "%.1f", out.header.run.seconds)) s)") }
  }
}
