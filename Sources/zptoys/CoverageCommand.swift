import ArgumentParser
import Foundation
import Inference
import Results
import Studies
import _Support

struct CoverageCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "coverage",
    abstract: "Coverage of the intervals: how often they contain the true cross section.",
    discussion: """
      For each mass and true cross section (--signal, fb), --toys pseudo-experiments are drawn \
      from the window model (nuisances nominal, auxiliary data fluctuated) and each rule's \
      interval is computed by each method of --calculator: toys (a toy Neyman belt per point, \
      --belt-toys per µ point, generated at the true nuisances; --belts per-toy builds every \
      pseudo-experiment its own belt at its own conditional fits, the strict construction — \
      costly: use few toys) and asymptotic (the formulae), both by default. Prints the coverage \
      with its Clopper–Pearson 68% interval and a verdict: covers, over-covers or under-covers \
      (the Clopper–Pearson interval at --verdict-cl lies entirely above or below the nominal CL).
      With --workspace BKG.json --patchset PATCHES.json the points are patches of a published \
      likelihood (--patches) and --signal the true values of their POI.
      As a check in CI: --require covers (or no-undercoverage) exits with status 1 unless every \
      point and rule passes, and --junit FILE writes a JUnit XML report, one test case per point \
      and rule (toys/ci/ has a ready job).
      Example:  zptoys coverage --mass 2.352 --signal 0,1,5 --toys 1000 --out c.json
      """
  )

  @OptionGroup var common: CommonOptions
  @OptionGroup var study: StudyOptions
  @OptionGroup var mc: TemplateOptions
  @OptionGroup var lumi: LumiOptions
  @OptionGroup var published: PublishedOptions
  @OptionGroup var points: PointOptions
  @OptionGroup var check: CheckOptions

  @Option(help: "Pseudo-experiments per (mass, signal) point.")
  var toys: Int = 1000

  @Option(help: "Rules: comma-separated among cls, clsb, fc.")
  var rule: String = "cls,clsb,fc"

  @Option(help: "Confidence level of the intervals.")
  var cl: Double = 0.9

  @Option(name: .customLong("verdict-cl"), help: "Confidence of the Clopper–Pearson interval behind the verdict.")
  var verdictCL: Double = 0.95

  @Option(name: .customLong("block-size"), help: "Toys per task (checkpoint and shard granularity).")
  var blockSize: Int = 50

  @Option(help: "Methods, comma-separated: toys (toy Neyman belts), asymptotic.")
  var calculator: String = "toys,asymptotic"

  @Option(name: .customLong("belt-toys"), help: "With toys: pseudo-experiments per µ point of each belt.")
  var beltToys: Int = 2000

  @Option(help: "With toys: truth (one belt per point at the true nuisances) or per-toy (a belt per pseudo-experiment at its own fits).")
  var belts: String = "truth"

  func validate() throws {
    try check.validate(shard: study.shard)
    if let r = check.require, CoverageRequirement(rawValue: r) == nil {
      throw ValidationError("--require: coverage checks \(CoverageRequirement.allCases.map(\.rawValue).joined(separator: " or ")), got \"\(r)\"")
    }
    guard (1...10_000_000).contains(toys) else { throw ValidationError("--toys must be between 1 and 10,000,000") }
    for r in rule.split(separator: ",") where IntervalRule(rawValue: String(r)) == nil {
      throw ValidationError("--rule: unknown rule \"\(r)\" (cls, clsb, fc)")
    }
    guard cl > 0, cl < 1, verdictCL > 0, verdictCL < 1 else { throw ValidationError("--cl and --verdict-cl must be in (0, 1)") }
    guard (1...100_000).contains(blockSize) else { throw ValidationError("--block-size must be between 1 and 100,000") }
    for c in calculator.split(separator: ",") where LimitMethod(rawValue: String(c)) == nil {
      throw ValidationError("--calculator: unknown method \"\(c)\" (toys, asymptotic)")
    }
    guard (10...10_000_000).contains(beltToys) else { throw ValidationError("--belt-toys must be between 10 and 10,000,000") }
    guard ["truth", "per-toy"].contains(belts) else { throw ValidationError("--belts must be truth or per-toy, got \"\(belts)\"") }
    try published.refuseWindowOptions([("--input", !mc.inputs.isEmpty), ("--lumi", lumi.lumi != nil), ("--mass", points.mass != nil)])
  }

  /// The points' hypotheses and the settings that name them.
  func hypotheses() throws -> (any HypothesisSet, CoverageSettings) {
    let (set, masses, patches) = try points.hypotheses(published: published) {
      try mc.analysis(try common.loadConfiguration(), threads: common.threadCount, lumi: lumi)
    }
    return (set, CoverageSettings(masses: masses, patches: patches, signals: points.signals, toys: toys,
                                  rules: rule.split(separator: ",").map { IntervalRule(rawValue: String($0))! }, cl: cl,
                                  methods: calculator.split(separator: ",").map { LimitMethod(rawValue: String($0))! }, verdictCL: verdictCL,
                                  blockSize: blockSize, beltToys: beltToys, belts: belts))
  }

  func run() throws {
    let (set, s) = try hypotheses()
    let cov = CoverageStudy(hypotheses: set, settings: s)
    let seed = common.seed, threads = common.threadCount
    let out = try StudyDriver.run(
      CoverageFile.self, identity: cov.identity(seed: seed), shard: study.parsed, output: study.out,
      threads: common.threadCount, resume: study.resume, restart: study.restart,
      progress: study.progress(label: "coverage", unit: "blocks of \(blockSize) toys", json: common.json), makeState: { () }
    ) { t, _ in try cov.run(task: t, seed: seed, threads: threads) }
    if common.json {
      print(try JSONOutput.string(out))
    } else {
      printSummary(out)
    }
    try check.finish(out.junit(requiring: CoverageRequirement(rawValue: check.require ?? "covers")!), what: "coverage")
  }

  func printSummary(_ out: CoverageFile) {
    let belt = out.settings.beltToys.map { ", belts of \($0) toys per µ point (\(out.settings.belts ?? "truth"))" } ?? ""
    print("coverage at \(LimitSettings.percent(cl))% CL, \(toys) toys per point\(belt) (Clopper–Pearson 68% interval; verdict at \(LimitSettings.percent(verdictCL))%)")
    for p in out.points {
      for r in p.rules {
        print(String(format: "  %@  σ = %-6.3g  %-5@ %-10@ coverage %.3f [%.3f, %.3f]  %@%@", p.label.text, p.signal, r.rule.rawValue as NSString,
                     r.method.short as NSString, r.coverage, r.lower, r.upper, r.verdict as NSString, r.failedToys > 0 ? " (\(r.failedToys) failed)" : ""))
      }
    }
    if let o = study.out { print("wrote \(o)") }
  }
}
