import ArgumentParser
import Experiment
import Foundation
import Generator
import Inference
import Results
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
      stand-in for the data (best-fit σ, local p0 and Z, asymptotic observed limit per hypothesis)
        brazil.json/.csv        observed limits and the expected bands over all hypotheses: by \
      default every limit from a toy Neyman belt per hypothesis (the paper's t̃µ construction), \
      the asymptotic ones beside them; brazil.hepdata.yaml + submission.yaml for HEPData
        brazil_wide.json/.csv   the same for the wide Z′ (Γ = 0.1·M), asymptotic (not with --quick)
        lee.json                global significance of the configured local excess (the paper's \
      2.8σ) and of the pseudo-data's largest, from toy scans of the whole spectrum and Gross–Vitells
        coverage.json           coverage of CLs, CLs+b and the t̃µ (Feldman–Cousins) intervals at a \
      few masses, from toy belts and asymptotic
        couplings_*.json        limits on g′ for the vanilla and fully invisible Lµ−Lτ models
        summary.json            the numbers printed at the end
      The steps, masses, signals and toy counts come from the configuration's default_study \
      section (method toys, rule fc); --calculator asymptotic takes every limit from the \
      asymptotic formulae instead; --quick runs every step at its quick scale (under a minute on 2 \
      cores).
      """
  )

  @OptionGroup var common: CommonOptions

  @Flag(help: "Fewer toys and Monte Carlo events: every step in about a minute.")
  var quick = false

  @Option(name: .customLong("out-dir"), help: "Folder for the results (created if missing).")
  var outDir: String = "results"

  @Option(name: .customLong("brazil-toys"), help: "Background-only pseudo-experiments per hypothesis (default: the configuration's; 100, 10 with --quick).")
  var brazilToys: Int?

  @Option(name: .customLong("belt-toys"), help: "Pseudo-experiments per µ point of each toy Neyman belt (default: the configuration's; 500, 100 with --quick).")
  var beltToys: Int?

  @Option(help: "toys (toy Neyman belts, the paper's method) or asymptotic (default: the configuration's, toys).")
  var calculator: String?

  @Option(name: .customLong("lee-toys"), help: "Toy scans of the whole spectrum (default: the configuration's; 500, 30 with --quick).")
  var leeToys: Int?

  @Option(name: .customLong("coverage-toys"), help: "Pseudo-experiments per coverage point (default: the configuration's; 300, 60 with --quick).")
  var coverageToys: Int?

  @Flag(help: "Continue an interrupted run (each study resumes from its checkpoint).")
  var resume = false

  @Flag(help: "Discard the checkpoints of an interrupted run and start afresh.")
  var restart = false

  func validate() throws {
    if resume && restart { throw ValidationError("--resume continues the checkpoints and --restart discards them: give one of them") }
    if let c = calculator, LimitMethod(rawValue: c) == nil { throw ValidationError("--calculator must be toys or asymptotic, got \"\(c)\"") }
    for (name, n, range) in [("--brazil-toys", brazilToys, 0...1_000_000), ("--belt-toys", beltToys, 10...10_000_000), ("--lee-toys", leeToys, 1...10_000_000), ("--coverage-toys", coverageToys, 1...10_000_000)] {
      if let n, !range.contains(n) { throw ValidationError("\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(n)") }
    }
  }

  func run() throws {
    let config = try common.loadConfiguration()
    var o = DefaultStudy.Options()
    o.quick = quick
    o.brazilToys = brazilToys
    o.beltToys = beltToys
    o.method = calculator.flatMap(LimitMethod.init(rawValue:))
    o.leeToys = leeToys
    o.coverageToys = coverageToys
    o.outDir = outDir
    o.seed = common.seed
    o.threads = common.threadCount
    o.resume = resume
    o.restart = restart
    let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
    let study: DefaultStudy
    do { study = try DefaultStudy(config: config, options: o) } catch let e as StudyError { throw CLIError(e.description) }
    let summary = try study.run(log: log)
    // Plots (SVG, PNG when rsvg-convert is installed) and report.html, from the files just written.
    log("== report")
    try ReportCommand.render(dir: outDir, events: ReportCommand.generatedEvents(config: config, seed: common.seed), png: true)
    if common.json {
      print(try JSONOutput.string(summary))
    } else {
      print(Self.text(summary, outDir: outDir), terminator: "")
    }
  }

  /// The summary as printed at the end of a run.
  static func text(_ s: SummaryFile, outDir: String) -> String {
    var t = "\nZPrimeToys \(ToolInfo.version) — \(s.configuration), seed \(s.seed), \(s.hypotheses) mass hypotheses; results in \(outDir)/\n\n"
    t += limitsText(s) + "\n" + couplingsText(s)
    if let g = s.assessedExcess {
      t += String(format: "Look-elsewhere (%d toy scans): a %.2fσ local excess is %@%.2fσ global (p = %.3f ± %.3f, trials factor %.0f); Gross–Vitells: %.2fσ (paper: 2.8σ local, 0.7σ global)\n",
                   g.toys, g.localZ, g.globalZIsLowerBound ? ">" : "", g.globalZ, g.globalP, g.globalPUncertainty, g.trialsFactor, g.grossVitells.globalZ)
    }
    if let g = s.pseudoDataLargestExcess, let m = s.pseudoDataLargestExcessMass {
      t += String(format: "  pseudo-data's largest excess: %.2fσ local at %.3f GeV → %.2fσ global\n", g.localZ, m, g.globalZ)
    }
    t += "\nCoverage (\(s.coverageToys) toys per point, Clopper–Pearson 68%):\n"
    for l in s.coverage { t += "  " + l + "\n" }
    let sec = s.seconds
    t += String(format: "\ndone in %.1f s (templates %.1f, brazil %.1f, lee %.1f, coverage %.1f)\n", sec["total"] ?? 0, sec["templates"] ?? 0, sec["brazil"] ?? 0, sec["lee"] ?? 0, sec["coverage"] ?? 0)
    return t
  }

  /// The σ limits at the selected masses and their extremes, exact and asymptotic.
  static func limitsText(_ s: SummaryFile) -> String {
    let exact = s.limit.method == .toys
    let how = exact ? "toy Neyman belts of \(s.beltToys ?? 0) toys per µ point" : s.limit.method.text
    var t = "\(s.limit.clText) \(s.limit.rule.isInterval ? "intervals" : "upper limits") on σ(e+e− → µ+µ−Z′) × B(Z′ → invisible) [\(s.units.crossSection)] (\(s.limit.rule.text), \(how); observed = background-only pseudo-data)\n"
    t += "  M [GeV]   observed  (asymptotic)   median expected: \(s.brazilToys) toys  (asymptotic)\n"
    func v(_ x: Double?) -> String { x.map { String(format: "%8.3g", $0) } ?? "       —" }
    for row in s.limitsAtSelectedMasses {
      t += String(format: "  %7.3f   ", row.mass) + v(row.observed) + "  (" + v(row.observedAsymptotic) + ")   " + v(row.expectedToysMedian)
        + "            (" + v(row.expectedAsymptoticMedian) + ")\n"
    }
    func at(_ l: LimitAtMass?) -> String { l.map { String(format: "%.3g fb at %.3f GeV", $0.value, $0.mass) } ?? "—" }
    let e = s.extremes
    t += "  smallest observed limit: \(at(e.smallestObserved)) (asymptotic: \(at(e.smallestObservedAsymptotic)))\n"
    t += "  smallest median expected limit: \(at(e.smallestMedianExpected)) (asymptotic: \(at(e.smallestMedianExpectedAsymptotic))); paper: limits as small as ≈ 0.2 fb\n"
    if let c = s.methodComparison {
      let ranges = c.differingRanges.map { String(format: "%.3f–%.3f", $0.lower, $0.upper) }.joined(separator: ", ")
      t += String(format: "  exact / asymptotic median: %.2f … %.2f (median %.2f); differ by > %.0f%% at %d of %d hypotheses%@\n", c.ratioMin.value, c.ratioMax.value,
                  c.ratioMedian, 100 * c.threshold, c.differing, c.hypotheses, ranges.isEmpty ? "" : " (M = \(ranges) GeV)")
    }
    return t
  }

  /// The g′ limits and the (g−2)µ exclusion of each model, exact and asymptotic.
  static func couplingsText(_ s: SummaryFile) -> String {
    guard !s.couplings.isEmpty else { return "" }
    func ranges(_ r: [ValueRange]) -> String { r.isEmpty ? "nowhere" : r.map { String(format: "%.3f–%.3f GeV", $0.lower, $0.upper) }.joined(separator: ", ") }
    func at(_ l: LimitAtMass?) -> String { l.map { String(format: "%.3g at %.3f GeV", $0.value, $0.mass) } ?? "—" }
    var t = "g′ limits (\(s.couplings.first!.basis)):\n"
    for c in s.couplings {
      t += "  \(c.model): smallest g′ \(at(c.smallestGPrime)) (asymptotic \(at(c.smallestGPrimeAsymptotic))); (g−2)µ excluded \(ranges(c.excludedGMinus2)) (asymptotic: \(ranges(c.excludedGMinus2Asymptotic)))\n"
    }
    return t + "  paper (fully invisible): (g−2)µ excluded for 0.8 < M < 5.0 GeV\n\n"
  }
}
