import ArgumentParser
import Foundation
import Inference
import Results
import Studies
import _Support

struct ScanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scan",
    abstract: "Scan one data set over the mass hypotheses: best-fit σ, local p0 and Z, observed limit.",
    discussion: """
      The data set is a user's event CSV (m2_recoil_gev2, theta_cm_recoil_deg) or, with \
      --data toy, a background-only full-spectrum pseudo-data set drawn from --seed; it is \
      binned into every overlapping window. Local significances are asymptotic (Z = √q0); the \
      observed limit is by default the 90% CL Feldman–Cousins interval from each hypothesis' toy \
      Neyman belt (--calculator asymptotic: from the asymptotic formulae, fast).
      With --workspace BKG.json --patchset PATCHES.json the scan runs over the patches of a \
      published likelihood on its own data.
      Example:  zptoys scan --data events.csv --out scan.json
      """
  )

  @OptionGroup var common: CommonOptions
  @OptionGroup var limits: LimitOptions
  @OptionGroup var method: MethodOptions
  @OptionGroup var study: StudyOptions
  @OptionGroup var mc: TemplateOptions
  @OptionGroup var lumi: LumiOptions
  @OptionGroup var published: PublishedOptions

  @Option(help: "An event CSV, or `toy` for a background-only pseudo-data set from --seed (the search windows need it).")
  var data: String?

  @Option(help: "Hypotheses: all, indices (100-105, 3,7,9) or a mass range in GeV (1.5:2.5).")
  var masses: String = "all"

  func validate() throws {
    try published.refuseWindowOptions([("--data", data != nil), ("--input", !mc.inputs.isEmpty), ("--lumi", lumi.lumi != nil), ("--masses", masses != "all")])
    if !published.isSet && data == nil { throw ValidationError("give --data (an event CSV, or toy), or a published likelihood (--workspace, --patchset)") }
  }

  /// The hypotheses, the data set (nil: a published likelihood's own) and its label.
  func hypotheses() throws -> (any HypothesisSet, SpectrumData?, String) {
    if published.isSet { return (try published.hypotheses(), nil, "published") }
    let data = self.data!
    let config = try common.loadConfiguration()
    // Read the user's inputs before the (slower) template Monte Carlo, so bad files fail fast.
    let events = data == "toy" ? nil : try EventFile.read(path: data)
    let analysis = try mc.analysis(config, threads: common.threadCount, lumi: lumi)
    MassInput.warnIfClipped(masses, grid: analysis.grid)
    let spectrum: SpectrumData = events.map { .events($0) }
      ?? .pseudoData(expected: analysis.expectedCells, seed: common.seed, study: .scanData, toy: 0)
    do { return (try WindowHypotheses(analysis: analysis, masses: masses), spectrum, Analysis.dataLabel(data)) } catch let e as MassSelection.ParseError {
      throw ValidationError(e.description)
    }
  }

  func run() throws {
    let (set, spectrum, dataLabel) = try hypotheses()
    let scan: MassScan
    do {
      scan = try MassScan(hypotheses: set, data: spectrum, settings: MassScan.settings(
        masses: published.isSet ? published.patches : masses, rule: limits.limitRule, cl: limits.cl, method: method.method,
        beltToys: method.beltToys, nuisances: method.nuisances))
    } catch let e as StudyError { throw CLIError(e.description) }
    let seed = common.seed
    let out = try StudyDriver.run(
      ScanFile.self, identity: scan.identity(seed: common.seed, data: dataLabel),
      shard: study.parsed, output: study.out, threads: common.threadCount, resume: study.resume, restart: study.restart,
      progress: study.progress(label: "scan", unit: "hypotheses", json: common.json), makeState: { () }
    ) { t, _ in try scan.run(task: t, seed: seed) }
    if common.json {
      print(try JSONOutput.string(out))
      return
    }
    let what = published.isSet ? "the published data" : data == "toy" ? "a background-only pseudo-data set (seed \(common.seed))" : data ?? ""
    print("scan of \(what): \(out.masses.count) hypotheses")
    if let l = out.largest {
      print(String(format: "largest local excess: Z = %.2f (p0 = %.3g) at %@, σ̂ = %.3g", l.localZ, l.localP0, l.label.text, l.sigmaHat))
    }
    if let o = study.out { print("wrote \(o)") }
  }
}
