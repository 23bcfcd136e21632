import ArgumentParser
import Foundation
import Results
import Studies
import _Support

struct PullsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pulls",
    abstract: "Bias and pull study: the best-fit σ and its pull over pseudo-experiments with an injected signal.",
    discussion: """
      For each mass and injected cross section (--signal, fb), --toys pseudo-experiments are \
      drawn from the window model at that σ (nuisances nominal, auxiliary data fluctuated) and \
      fitted with σ free (allowed negative, down to where a bin's expectation would vanish). \
      Prints the mean of σ̂ (the bias is mean − σ) and the pull (σ̂ − σ)/Δσ̂: its mean and \
      width with their uncertainties and a verdict — biased when the pull mean's --verdict-cl \
      interval lies outside ±--tolerance, too wide / too narrow when the width's lies outside \
      1 ± --tolerance, else unbiased. --nuisances does the same for every other free parameter \
      (pull about its nominal value). With --workspace BKG.json --patchset PATCHES.json the \
      points are patches of a published likelihood and --signal values of their POI.
      As a check in CI: --require unbiased (or calibrated: mean and width) exits with status 1 \
      unless every point passes; --junit FILE writes a JUnit XML report, one test case per point.
      Example:  zptoys pulls --mass 2.352 --signal 0,2 --toys 500 --out pulls.json
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
  var toys: Int = 500

  @Flag(help: "Also summarise the pull of every nuisance parameter.")
  var nuisances = false

  @Option(help: "The verdict's tolerance t: a pull mean within ±t and a width within 1 ± t pass.")
  var tolerance: Double = 0.1

  @Option(name: .customLong("verdict-cl"), help: "Confidence of the intervals behind the verdict.")
  var verdictCL: Double = 0.95

  @Option(name: .customLong("block-size"), help: "Toys per task (checkpoint and shard granularity).")
  var blockSize: Int = 50

  func validate() throws {
    guard (2...10_000_000).contains(toys) else { throw ValidationError("--toys must be between 2 and 10,000,000") }
    guard tolerance.isFinite, tolerance > 0, tolerance < 1 else { throw ValidationError("--tolerance must be in (0, 1), got \(tolerance)") }
    guard verdictCL > 0, verdictCL < 1 else { throw ValidationError("--verdict-cl must be in (0, 1)") }
    guard (1...100_000).contains(blockSize) else { throw ValidationError("--block-size must be between 1 and 100,000") }
    try check.validate(shard: study.shard)
    if let r = check.require, PullRequirement(rawValue: r) == nil {
      throw ValidationError("--require: pull checks \(PullRequirement.allCases.map(\.rawValue).joined(separator: " or ")), got \"\(r)\"")
    }
    try published.refuseWindowOptions([("--input", !mc.inputs.isEmpty), ("--lumi", lumi.lumi != nil), ("--mass", points.mass != nil)])
  }

  func run() throws {
    let (set, masses, patches) = try points.hypotheses(published: published) {
      try mc.analysis(try common.loadConfiguration(), threads: common.threadCount, lumi: lumi)
    }
    let s = PullSettings(masses: masses, patches: patches, signals: points.signals, toys: toys, nuisances: nuisances, tolerance: tolerance,
                         verdictCL: verdictCL, blockSize: blockSize)
    let pulls = PullStudy(hypotheses: set, settings: s)
    let seed = common.seed
    let out = try StudyDriver.run(
      PullsFile.self, identity: pulls.identity(seed: seed), shard: study.parsed, output: study.out, threads: common.threadCount,
      resume: study.resume, restart: study.restart, progress: study.progress(label: "pulls", unit: "blocks of \(blockSize) toys", json: common.json),
      makeState: { () }
    ) { t, _ in try pulls.run(task: t, seed: seed) }
    if common.json {
      print(try JSONOutput.string(out))
    } else {
      printSummary(out)
    }
    try check.finish(out.junit(requiring: PullRequirement(rawValue: check.require ?? "unbiased")!), what: "pull")
  }

  func printSummary(_ out: PullsFile) {
    print("bias and pulls: \(toys) toys per point; verdict at \(LimitSettings.percent(verdictCL))% with tolerance \(tolerance)")
    for p in out.points {
      let h = p.sigmaHat, m = p.pull.pull
      print(String(format: "  %@  σ = %-6.3g  σ̂ = %.4g ± %.2g (bias %+.3g)  pull mean %+.3f ± %.3f  width %.3f ± %.3f  %@%@",
                   p.label.text, p.signal, h.mean, h.meanUncertainty, h.mean - p.signal, m.mean, m.meanUncertainty, m.width, m.widthUncertainty,
                   p.pull.verdict, (p.failedToys > 0 ? " (\(p.failedToys) failed toys)" : "")
                     + (p.toysAtLowerBound > 0 ? " (\(p.toysAtLowerBound) toys at the lower bound σ = \(fmt(p.poiLowerBound)))" : "")))
      let flagged = p.nuisances.filter { $0.verdict != "unbiased" }
      if nuisances { print("    nuisance parameters: \(p.nuisances.count - flagged.count) of \(p.nuisances.count) unbiased" + (flagged.isEmpty ? "" : "; " + flagged.prefix(5).map { "\($0.name) \($0.verdict)" }.joined(separator: ", ") + (flagged.count > 5 ? ", …" : ""))) }
    }
    if let o = study.out { print("wrote \(o)") }
  }
}
