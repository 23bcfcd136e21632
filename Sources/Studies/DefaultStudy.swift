import Experiment
import Foundation
import Generator
import Inference
import Physics
import Results
import _Support

/// The end-to-end study of a configuration (`zptoys run`), driven by its `default_study:`
/// section: the template Monte Carlo, the mass grid, a mass scan of the background-only
/// pseudo-data set that stands in for the data, the Brazil bands (with CSV and HEPData tables),
/// the look-elsewhere toys assessing the configured local excess and the pseudo-data's largest,
/// the wide-Z′ benchmark, the coverage study, the g′ limits of both models and a summary — each
/// a file in ``Options/outDir`` (plots and the report are drawn from them by `Plotting`).
public struct DefaultStudy: Sendable {
  public struct Options: Sendable {
    /// The `quick` scale of the configuration instead of `full`.
    public var quick = false
    /// Overrides of the scale's toy counts.
    public var brazilToys: Int?
    public var beltToys: Int?
    public var leeToys: Int?
    public var coverageToys: Int?
    /// Override of the configuration's `default_study.method`.
    public var method: LimitMethod?
    public var outDir = "results"
    public var seed: UInt64 = 1
    public var threads = 1
    /// Continue an interrupted run (each study resumes from its checkpoint).
    public var resume = false
    /// Discard the checkpoints of an interrupted run and start afresh.
    public var restart = false
    /// A progress line per study on stderr.
    public var progress = true
    public init() {}
  }

  public let config: ExperimentConfig
  public let options: Options
  public let spec: DefaultStudySpec
  /// The scale in force (the configuration's, with the options' overrides).
  public let scale: DefaultStudySpec.Scale
  public let rule: LimitRule
  public let method: LimitMethod

  /// - Throws: ``StudyError`` when the configuration's `default_study.rule` is not a rule or its
  ///   `method` not a method.
  public init(config: ExperimentConfig, options: Options) throws {
    self.config = config
    self.options = options
    spec = config.defaultStudy
    var s = options.quick ? spec.quick : spec.full
    if let n = options.brazilToys { s.brazilToys = n }
    if let n = options.beltToys { s.beltToys = n }
    if let n = options.leeToys { s.leeToys = n }
    if let n = options.coverageToys { s.coverageToys = n }
    scale = s
    guard let r = LimitRule(rawValue: spec.rule) else {
      throw StudyError("\(config.sourceName): default_study.rule: must be cls, clsb or fc, got \"\(spec.rule)\"")
    }
    rule = r
    guard let m = options.method ?? LimitMethod(rawValue: spec.method) else {
      throw StudyError("\(config.sourceName): default_study.method: must be toys or asymptotic, got \"\(spec.method)\"")
    }
    method = m
  }

  /// The σ limits' procedure (of the Brazil bands, the g′ limits and the coverage study's first
  /// method).
  public var limit: LimitSettings { LimitSettings(cl: spec.cl, rule: rule, method: method) }

  func path(_ f: String) -> String { (options.outDir as NSString).appendingPathComponent(f) }

  func progress(_ label: String, _ unit: String) -> ProgressReporter? {
    options.progress ? ProgressReporter(label: label, unit: unit) : nil
  }

  /// Runs every step; `log` gets a line as each starts. Returns the summary (also written).
  public func run(log: @escaping (String) -> Void) throws -> SummaryFile {
    let clock = StepClock(log: log)
    try FileManager.default.createDirectory(atPath: options.outDir, withIntermediateDirectories: true)
    let mc = TemplateSettings(backgroundEvents: scale.templateBackgroundEvents, signalEvents: scale.templateSignalEvents, threads: options.threads)
    let analysis = try clock.step("templates") { try Analysis(config: config, settings: mc) }
    try clock.step("grid") { try StudyFiles.write(GridFile(config: config), to: path("grid.json")) }
    // The stand-in for the data: one background-only full-spectrum pseudo-data set.
    let data = SpectrumData.pseudoData(expected: analysis.expectedCells, seed: options.seed, study: .scanData, toy: 0)
    let scan = try clock.step("scan") { try runScan(analysis, data: data) }
    let brazil = try clock.step("brazil") { try runBrazil(analysis, data: data) }
    let (lee, pseudoDataExcess) = try clock.step("lee") { try runLookElsewhere(analysis, scan: scan) }
    if scale.wideBenchmark { try clock.step("brazil-wide") { try runWide(analysis, data: data) } }
    let coverage = try clock.step("coverage") { try runCoverage(analysis) }
    let couplings = try clock.step("couplings") { try runCouplings(brazil) }
    let summary = self.summary(brazil: brazil, lee: lee, pseudoDataExcess: pseudoDataExcess, scan: scan, coverage: coverage, couplings: couplings,
                               hypotheses: analysis.grid.count, seconds: clock.seconds)
    try StudyFiles.write(summary, to: path("summary.json"))
    return summary
  }

  /// The mass scan of the pseudo-data: local significances, and asymptotic observed limits (the
  /// exact ones, from the same data, are the Brazil study's: a second belt per hypothesis here
  /// would double the run's cost for the same numbers).
  func runScan(_ analysis: Analysis, data: SpectrumData) throws -> ScanFile {
    let s = try MassScan(analysis: analysis, data: data, settings: MassScan.settings(rule: rule, cl: spec.cl, method: .asymptotic))
    return try StudyDriver.run(ScanFile.self, identity: s.identity(seed: options.seed, data: "toy"), shard: .whole, output: path("scan.json"),
                               threads: options.threads, resume: options.resume, restart: options.restart, progress: progress("scan", "hypotheses"),
                               makeState: { () }) { t, _ in try s.run(task: t) }
  }

  func brazil(_ analysis: Analysis, data: SpectrumData, settings: BrazilSettings, file: String, label: String) throws -> BrazilFile {
    let b = try BrazilStudy(analysis: analysis, settings: settings, data: data)
    let seed = options.seed
    let out = try StudyDriver.run(BrazilFile.self, identity: b.identity(seed: seed, data: "toy"), shard: .whole, output: path(file + ".json"),
                                  threads: options.threads, resume: options.resume, restart: options.restart, progress: progress(label, "hypotheses"),
                                  makeState: { () }) { t, _ in try b.run(task: t, seed: seed, threads: 1) }
    try LimitTables.writeCSV(out, to: path(file + ".csv"))
    return out
  }

  func runBrazil(_ analysis: Analysis, data: SpectrumData) throws -> BrazilFile {
    let settings = BrazilStudy.settings(toys: scale.brazilToys, cl: spec.cl, rule: rule, method: method, beltToys: scale.beltToys)
    let out = try brazil(analysis, data: data, settings: settings, file: "brazil", label: "brazil")
    try LimitTables.writeHEPData(out, config: config, to: path("brazil.hepdata.yaml"))
    let what = "\(limit.clText) \(rule == .fc ? "intervals" : "upper limits") (\(IntervalRule(rule).ascii), \(method == .toys ? "toy Neyman belts" : "asymptotic"))"
    try AtomicFile.write(LimitTables.submissionYAML(
      dataFile: "brazil.hepdata.yaml",
      description: "\(what) on sigma(e+e- -> mu+mu- Z', Z' -> invisible) [fb], observed (background-only pseudo-data) and expected, from ZPrimeToys' default study.",
      sqrtS: config.beams.sqrtS), to: path("submission.yaml"))
    return out
  }

  /// The wide-Z′ benchmark (Γ = F·M, one-dimensional enlarged windows; paper Fig. 2 and S4):
  /// asymptotic bands and observed limits over all hypotheses.
  func runWide(_ analysis: Analysis, data: SpectrumData) throws {
    let settings = BrazilStudy.settings(toys: 0, cl: spec.cl, rule: rule, method: .asymptotic, widthFraction: spec.wideWidthFraction)
    _ = try brazil(analysis, data: data, settings: settings, file: "brazil_wide", label: "brazil-wide")
  }

  /// The look-elsewhere toys assessing the configuration's local excess, and the global
  /// significance of the pseudo-data's largest excess from the same toys.
  func runLookElsewhere(_ analysis: Analysis, scan: ScanFile) throws -> (LookElsewhereFile, GlobalSignificance?) {
    let settings = LookElsewhereSettings(toys: scale.leeToys, blockSize: max(1, min(16, scale.leeToys / (2 * options.threads))),
                                         observedZ: spec.observedLocalZ)
    let lee = try LookElsewhereStudy(analysis: analysis, settings: settings, threads: options.threads)
    let seed = options.seed
    let out = try StudyDriver.run(LookElsewhereFile.self, identity: lee.identity(seed: seed, data: "none"), shard: .whole, output: path("lee.json"),
                                  threads: options.threads, resume: options.resume, restart: options.restart, progress: progress("lee", "blocks of \(settings.blockSize) toys"),
                                  makeState: { try lee.makeState() }) { t, state in try lee.run(task: t, seed: seed, state: state) }
    let dataExcess = scan.largest.map { GlobalSignificance.compute(localZ: $0.localZ, scans: out.toys, thresholds: settings.thresholds) }
    return (out, dataExcess)
  }

  /// The coverage study: every rule by the run's method and, with toys, by the asymptotic
  /// formulae beside it (one belt per point at its true nuisances).
  func runCoverage(_ analysis: Analysis) throws -> CoverageFile {
    let n = scale.coverageToys
    let settings = CoverageSettings(masses: spec.coverageMasses, signals: spec.coverageSignals, toys: n, cl: spec.cl,
                                    methods: method == .toys ? [.toys, .asymptotic] : [.asymptotic], blockSize: max(1, min(50, n / 4)),
                                    beltToys: scale.beltToys)
    let c = try CoverageStudy(analysis: analysis, settings: settings)
    let seed = options.seed, threads = options.threads
    return try StudyDriver.run(CoverageFile.self, identity: c.identity(seed: seed), shard: .whole, output: path("coverage.json"),
                               threads: options.threads, resume: options.resume, restart: options.restart, progress: progress("coverage", "blocks"),
                               makeState: { () }) { t, _ in try c.run(task: t, seed: seed, threads: threads) }
  }

  func runCouplings(_ brazil: BrazilFile) throws -> [CouplingsFile] {
    try ZPrimeModel.allCases.map { model in
      let file = try CouplingTranslation(config: config, model: model, isr: false, seed: options.seed).translate(brazil, path: path("brazil.json"))
      try StudyFiles.write(file, to: path("couplings_\(model.rawValue).json"))
      return file
    }
  }

  func summary(brazil: BrazilFile, lee: LookElsewhereFile, pseudoDataExcess: GlobalSignificance?, scan: ScanFile, coverage: CoverageFile,
               couplings: [CouplingsFile], hypotheses: Int, seconds: [String: Double]) -> SummaryFile {
    let extremes = RunSummary.extremes(brazil)
    let best = extremes.smallestMedianExpected ?? extremes.smallestMedianExpectedAsymptotic
    // Every point of the default study is a search window: its mass is set.
    let selected = spec.summaryMasses.compactMap { m in brazil.masses.min(by: { abs(($0.mass ?? .infinity) - m) < abs(($1.mass ?? .infinity) - m) }) }.map {
      SelectedLimit(mass: $0.mass ?? .nan, observed: $0.observed, observedAsymptotic: $0.observedAsymptotic,
                    expectedAsymptoticMedian: $0.expectedAsymptotic.median, expectedToysMedian: $0.expectedToys?.median)
    }
    let coverageLines = coverage.points.flatMap { p in
      p.rules.map { String(format: "M = %.3f GeV, σ = %g fb, %@ (%@): %.3f [%.3f, %.3f] %@", p.mass ?? .nan, p.signal, $0.rule.rawValue,
                           $0.method.short, $0.coverage, $0.lower, $0.upper, $0.verdict) }
    }
    return SummaryFile(
      info: ResultInfo(kind: SummaryFile.kind, config: config), seed: options.seed, limit: limit, beltToys: method == .toys ? scale.beltToys : nil,
      hypotheses: hypotheses, brazilToys: scale.brazilToys, leeToys: scale.leeToys, coverageToys: scale.coverageToys, limitsAtSelectedMasses: selected,
      smallestMedianExpectedLimit: best.value, smallestMedianExpectedLimitMass: best.mass, extremes: extremes,
      methodComparison: RunSummary.comparison(brazil), couplings: couplings.map(RunSummary.couplings), assessedExcess: lee.observed,
      pseudoDataLargestExcess: pseudoDataExcess, pseudoDataLargestExcessMass: scan.largest?.mass, coverage: coverageLines, seconds: seconds)
  }
}

/// Times the steps of a run.
final class StepClock {
  let log: (String) -> Void
  let start = Date()
  private(set) var times: [String: Double] = [:]

  init(log: @escaping (String) -> Void) { self.log = log }

  func step<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
    let t = Date()
    log("== \(name)")
    let r = try body()
    times[name] = Date().timeIntervalSince(t)
    return r
  }

  /// Per step and in total.
  var seconds: [String: Double] { times.merging(["total": Date().timeIntervalSince(start)]) { a, _ in a } }
}
