import ArgumentParser
import Experiment
import Foundation
import Generator
import Inference
import Studies
import _Support

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "The default end-to-end study into results/: Brazil bands, look-elsewhere, coverage, couplings.",
    discussion: """
      Steps (each a file in --out-dir):
        grid.json               the mass hypotheses
        scan.json               mass scan of a background-only pseudo-data set (seed --seed): the \
      stand-in for the data (best-fit σ, local p0 and Z, observed limit per hypothesis)
        brazil.json/.csv        observed limits and the asymptotic and toy expected bands over all \
      hypotheses; brazil.hepdata.yaml + submission.yaml for HEPData
        brazil_wide.json/.csv   the same for the wide Z′ (Γ = 0.1·M), asymptotic (not with --quick)
        lee.json                global significance of the paper's 2.8σ local excess and of the \
      pseudo-data's largest excess, from toy scans of the whole spectrum and Gross–Vitells
        coverage.json           coverage of CLs, CLs+b and the t̃µ (Feldman–Cousins) intervals at a few masses
        couplings_*.json        limits on g′ for the vanilla and fully invisible Lµ−Lτ models
        summary.json            the numbers printed at the end
      --quick runs every step with fewer toys (about a minute on 2 cores).
      """
  )

  @OptionGroup var common: CommonOptions

  @Flag(help: "Fewer toys and Monte Carlo events: every step in about a minute.")
  var quick = false

  @Option(name: .customLong("out-dir"), help: "Folder for the results (created if missing).")
  var outDir: String = "results"

  @Option(name: .customLong("brazil-toys"), help: "Background-only pseudo-experiments per hypothesis (default 100; 10 with --quick).")
  var brazilToys: Int?

  @Option(name: .customLong("lee-toys"), help: "Toy scans of the whole spectrum (default 500; 30 with --quick).")
  var leeToys: Int?

  @Option(name: .customLong("coverage-toys"), help: "Pseudo-experiments per coverage point (default 300; 60 with --quick).")
  var coverageToys: Int?

  @Flag(help: "Continue an interrupted run (each study resumes from its checkpoint).")
  var resume = false

  @Flag(help: "Discard the checkpoints of an interrupted run and start afresh.")
  var restart = false

  func validate() throws {
    if resume && restart { throw ValidationError("--resume continues the checkpoints and --restart discards them: give one of them") }
  }

  struct Summary: Encodable {
    var configuration: String
    var seed: UInt64
    var hypotheses: Int
    var brazilToysPerHypothesis: Int
    var leeToys: Int
    var coverageToys: Int
    var limitsAtSelectedMasses: [[String: Double?]]
    var smallestMedianExpectedLimitFb: Double
    var smallestMedianExpectedLimitMassGeV: Double
    var paperExcess: GlobalSignificance?
    var pseudoDataLargestExcess: GlobalSignificance?
    var pseudoDataLargestExcessMassGeV: Double?
    var coverage: [String]
    var seconds: [String: Double]
    var tool: String

    enum CodingKeys: String, CodingKey {
      case configuration, seed, hypotheses, brazilToysPerHypothesis = "brazil_toys_per_hypothesis", leeToys = "lee_toys"
      case coverageToys = "coverage_toys", limitsAtSelectedMasses = "limits_at_selected_masses"
      case smallestMedianExpectedLimitFb = "smallest_median_expected_limit_fb", smallestMedianExpectedLimitMassGeV = "smallest_median_expected_limit_mass_gev"
      case paperExcess = "paper_excess_2p8_sigma", pseudoDataLargestExcess = "pseudo_data_largest_excess"
      case pseudoDataLargestExcessMassGeV = "pseudo_data_largest_excess_mass_gev", coverage, seconds, tool
    }
  }

  func run() throws {
    let t0 = Date()
    var times: [String: Double] = [:]
    func step<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
      let t = Date()
      FileHandle.standardError.write(Data("== \(name)\n".utf8))
      let r = try body()
      times[name] = Date().timeIntervalSince(t)
      return r
    }
    try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
    func path(_ f: String) -> String { (outDir as NSString).appendingPathComponent(f) }

    let config = try common.loadConfiguration()
    let threads = common.threadCount
    let seed = common.seed
    let bToys = brazilToys ?? (quick ? 10 : 100)
    let lToys = leeToys ?? (quick ? 30 : 500)
    let cToys = coverageToys ?? (quick ? 60 : 300)
    let mc = quick ? TemplateSettings(backgroundEvents: 300_000, signalEvents: 20_000, threads: threads)
                   : TemplateSettings(backgroundEvents: 1_000_000, signalEvents: 100_000, threads: threads)
    let progress: (String, String) -> ProgressReporter = { ProgressReporter(label: $0, unit: $1) }

    let analysis = try step("templates") { try Analysis(config: config, settings: mc) }
    try step("grid") {
      struct G: Encodable { let configuration: String; let count: Int; let hypotheses: [MassHypothesis] }
      try AtomicFile.write(try JSONOutput.string(G(configuration: config.name, count: analysis.grid.count, hypotheses: analysis.grid.hypotheses)) + "\n", to: path("grid.json"))
    }

    // The stand-in for the data: one background-only full-spectrum pseudo-data set.
    let data = SpectrumData.pseudoData(expected: analysis.expectedCells, seed: seed, study: .scanData, toy: 0)
    let all = MassSelection("all")
    let scan = try step("scan") { () -> MassScanOutput in
      let s = try MassScan(analysis: analysis, data: data, masses: all)
      return try StudyDriver.run(MassScanOutput.self, identity: s.identity(config: config, seed: seed, dataLabel: "toy", masses: all),
                                 shard: .whole, output: path("scan.json"), threads: threads, resume: resume, restart: restart,
                                 progress: progress("scan", "hypotheses"), makeState: { () }) { t, _ in try s.run(task: t) }
    }

    let brazil = try step("brazil") { () -> BrazilOutput in
      var s = BrazilStudy.Settings()
      s.toys = bToys
      let b = try BrazilStudy(analysis: analysis, settings: s, data: data)
      return try StudyDriver.run(BrazilOutput.self, identity: b.identity(config: config, seed: seed, dataLabel: "toy"), shard: .whole,
                                 output: path("brazil.json"), threads: threads, resume: resume, restart: restart,
                                 progress: progress("brazil", "hypotheses"), makeState: { () }) { t, _ in try b.run(task: t, seed: seed, threads: 1) }
    }
    try LimitTables.writeCSV(brazil, to: path("brazil.csv"))
    try LimitTables.writeHEPData(brazil, config: config, to: path("brazil.hepdata.yaml"))
    try AtomicFile.write(LimitTables.submissionYAML(dataFile: "brazil.hepdata.yaml", description: "90% CL upper limits on sigma(e+e- -> mu+mu- Z', Z' -> invisible) [fb], observed (background-only pseudo-data) and expected, from ZPrimeToys' default study."), to: path("submission.yaml"))

    let (leePaper, leeData) = try step("lee") { () -> (LookElsewhereOutput, GlobalSignificance?) in
      var s = LookElsewhereStudy.Settings()
      s.toys = lToys
      s.blockSize = max(1, min(10, lToys / (2 * threads)))
      let lee = try LookElsewhereStudy(analysis: analysis, settings: s, threads: threads)
      var identity = lee.identity(config: config, seed: seed)
      identity.settings["observed_z"] = "2.8"
      let out = try StudyDriver.run(LookElsewhereOutput.self, identity: identity, shard: .whole, output: path("lee.json"),
                                    threads: threads, resume: resume, restart: restart, progress: progress("lee", "blocks of \(s.blockSize) toys"),
                                    makeState: { try lee.makeState() }) { t, state in lee.run(task: t, seed: seed, state: state) }
      let dataZ = scan.largest?.localZ
      return (out, dataZ.map { GlobalSignificance.compute(localZ: $0, scans: out.toys, thresholds: s.thresholds) })
    }

    // The wide-Z′ benchmark (Γ = 0.1·M, one-dimensional enlarged windows; paper Fig. 2 and S4):
    // asymptotic bands and observed limits over all hypotheses (skipped by --quick).
    if !quick {
      try step("brazil-wide") {
        var s = BrazilStudy.Settings()
        s.toys = 0
        s.widthFraction = 0.1
        let b = try BrazilStudy(analysis: analysis, settings: s, data: data)
        let wide = try StudyDriver.run(BrazilOutput.self, identity: b.identity(config: config, seed: seed, dataLabel: "toy"),
                                       shard: .whole, output: path("brazil_wide.json"), threads: threads, resume: resume, restart: restart,
                                       progress: progress("brazil-wide", "hypotheses"), makeState: { () }) { t, _ in
          try b.run(task: t, seed: seed, threads: 1)
        }
        try LimitTables.writeCSV(wide, to: path("brazil_wide.csv"))
      }
    }

    let coverage = try step("coverage") { () -> CoverageOutput in
      var s = CoverageStudy.Settings()
      s.masses = [0.5, 2.352, 8.0]
      s.signals = [0, 2, 40]
      s.toys = cToys
      s.blockSize = max(1, min(50, cToys / 4))
      let c = try CoverageStudy(analysis: analysis, settings: s)
      // Each mass gets a signal near its median expected limit: 0 (background only) and the
      // signal at the limit's scale are the two regimes that matter.
      return try StudyDriver.run(CoverageOutput.self, identity: c.identity(config: config, seed: seed), shard: .whole,
                                 output: path("coverage.json"), threads: threads, resume: resume, restart: restart,
                                 progress: progress("coverage", "blocks"), makeState: { () }) { t, _ in try c.run(task: t, seed: seed) }
    }

    try step("couplings") {
      for model in ["vanilla", "invisible"] {
        let cmd = try CouplingsCommand.parse([path("brazil.json"), "--model", model, "--json", "--out", path("couplings_\(model).json")])
        try cmd.run()
      }
    }

    // Summary.
    let best = brazil.masses.min { $0.expectedAsymptotic.median < $1.expectedAsymptotic.median }!
    var selected: [[String: Double?]] = []
    for m in [0.1, 0.5, 1.0, 2.0, 2.352, 4.0, 6.0, 8.0] {
      guard let p = brazil.masses.min(by: { abs($0.mass - m) < abs($1.mass - m) }) else { continue }
      selected.append(["mass_gev": p.mass, "observed_fb": p.observed, "expected_asymptotic_median_fb": p.expectedAsymptotic.median,
                       "expected_toys_median_fb": p.expectedToys?.median])
    }
    let coverageLines = coverage.points.flatMap { p in
      p.rules.map { String(format: "M = %.3f GeV, σ = %g fb, %@: %.3f [%.3f, %.3f] %@", p.mass, p.signal, $0.rule.rawValue, $0.coverage, $0.lower, $0.upper, $0.verdict) }
    }
    times["total"] = Date().timeIntervalSince(t0)
    let summary = Summary(
      configuration: config.name, seed: seed, hypotheses: analysis.grid.count, brazilToysPerHypothesis: bToys, leeToys: lToys,
      coverageToys: cToys, limitsAtSelectedMasses: selected, smallestMedianExpectedLimitFb: best.expectedAsymptotic.median,
      smallestMedianExpectedLimitMassGeV: best.mass, paperExcess: leePaper.observed, pseudoDataLargestExcess: leeData,
      pseudoDataLargestExcessMassGeV: scan.largest?.mass, coverage: coverageLines, seconds: times, tool: "zptoys \(ToolInfo.version)")
    try AtomicFile.write(try JSONOutput.string(summary) + "\n", to: path("summary.json"))

    // Plots (SVG, PNG when rsvg-convert is installed) and report.html: Sources/zptoys/ReportCommand.swift.
    try step("report") {
      try ReportCommand.render(dir: outDir, common: common, events: try ReportCommand.generatedEvents(common: common), png: true)
    }
    if common.json {
      print(try JSONOutput.string(summary))
      return
    }
    printSummary(summary, brazil: brazil)
  }

  func printSummary(_ s: Summary, brazil: BrazilOutput) {
    print("")
    print("ZPrimeToys \(ToolInfo.version) — \(s.configuration), seed \(s.seed), \(s.hypotheses) mass hypotheses; results in \(outDir)/")
    print("")
    print("90% CL upper limits on σ(e+e− → µ+µ−Z′) × B(Z′ → invisible) [fb] (CLs; observed = background-only pseudo-data)")
    print("  M [GeV]   observed   median expected (asymptotic)   median expected (\(s.brazilToysPerHypothesis) toys/hypothesis)")
    for row in s.limitsAtSelectedMasses {
      let m = (row["mass_gev"] ?? nil) ?? .nan
      func v(_ k: String) -> String { ((row[k] ?? nil)).map { String(format: "%8.3g", $0) } ?? "       —" }
      print(String(format: "  %7.3f   ", m) + v("observed_fb") + "   " + v("expected_asymptotic_median_fb") + "                     " + v("expected_toys_median_fb"))
    }
    print(String(format: "  smallest median expected limit: %.3g fb at M = %.3f GeV (paper: limits as small as ≈ 0.2 fb)", s.smallestMedianExpectedLimitFb, s.smallestMedianExpectedLimitMassGeV))
    print("")
    if let g = s.paperExcess {
      print(String(format: "Look-elsewhere (%d toy scans): the paper's 2.8σ local excess is %@%.2fσ global (p = %.3f ± %.3f, trials factor %.0f); Gross–Vitells: %.2fσ (paper: 0.7σ)",
                   g.toys, g.globalZIsLowerBound ? ">" : "", g.globalZ, g.globalP, g.globalPUncertainty, g.trialsFactor, g.grossVitells.globalZ))
    }
    if let g = s.pseudoDataLargestExcess, let m = s.pseudoDataLargestExcessMassGeV {
      print(String(format: "  pseudo-data's largest excess: %.2fσ local at %.3f GeV → %.2fσ global", g.localZ, m, g.globalZ))
    }
    print("")
    print("Coverage (\(s.coverageToys) toys per point, Clopper–Pearson 68%):")
    for l in s.coverage { print("  " + l) }
    print("")
    print(String(format: "done in %.1f s (templates %.1f, brazil %.1f, lee %.1f, coverage %.1f)", s.seconds["total"] ?? 0, s.seconds["templates"] ?? 0, s.seconds["brazil"] ?? 0, s.seconds["lee"] ?? 0, s.seconds["coverage"] ?? 0))
  }
}
