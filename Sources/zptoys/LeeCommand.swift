import ArgumentParser
import Foundation
import Inference
import Results
import Studies
import _Support

struct LeeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lee",
    abstract: "Global significance: toy scans of the whole spectrum and the Gross–Vitells estimate.",
    discussion: """
      Each of --toys background-only pseudo-data sets is one full spectrum, binned into every \
      window and fitted there (local Z = √q0). The distribution of the largest local Z gives the \
      global p-value of the observed local significance (--observed-z Z, or the largest local \
      excess of --data FILE), with its binomial uncertainty and the trials factor; the \
      up-crossings of q0 above low thresholds give the Gross–Vitells estimate beside it.
      With --workspace BKG.json --patchset PATCHES.json the hypotheses are the patches of a \
      published likelihood: each toy is one background-only data set of the bins they share \
      (from the background-only fit to the published data), fitted by every patch; without \
      --observed-z the published data's largest local excess is assessed.
      Example:  zptoys lee --toys 1000 --observed-z 2.8 --out lee.json
      """
  )

  @OptionGroup var common: CommonOptions
  @OptionGroup var study: StudyOptions
  @OptionGroup var mc: TemplateOptions
  @OptionGroup var lumi: LumiOptions
  @OptionGroup var published: PublishedOptions

  @Option(help: "Toy scans of the whole spectrum.")
  var toys: Int = 1000

  @Option(name: .customLong("observed-z"), help: "The observed local significance to assess.")
  var observedZ: Double?

  @Option(help: "An event CSV: its largest local excess is the observed local significance.")
  var data: String?

  @Option(help: "Hypotheses scanned in every toy (default all).")
  var masses: String = "all"

  @Option(name: .customLong("block-size"), help: "Toys per task, fitted together window by window (checkpoint and shard granularity; a multiple of 8 fills the SIMD lanes).")
  var blockSize: Int = 16

  @Option(help: "Up-crossing thresholds u0 = Z² for Gross–Vitells (comma-separated).")
  var thresholds: String = "0.5,1,2"

  func validate() throws {
    guard (1...10_000_000).contains(toys) else { throw ValidationError("--toys must be between 1 and 10,000,000, got \(toys)") }
    guard (1...100_000).contains(blockSize) else { throw ValidationError("--block-size must be between 1 and 100,000") }
    if let z = observedZ, !(z.isFinite && z >= 0 && z < 40) { throw ValidationError("--observed-z must be a number in [0, 40)") }
    if observedZ != nil && data != nil { throw ValidationError("give --observed-z or --data, not both") }
    try published.refuseWindowOptions([("--data", data != nil), ("--input", !mc.inputs.isEmpty), ("--lumi", lumi.lumi != nil), ("--masses", masses != "all")])
    let t = thresholds.split(separator: ",").map { Double($0) }
    guard !t.isEmpty, t.allSatisfy({ $0 != nil && $0! > 0 && $0!.isFinite }) else {
      throw ValidationError("--thresholds takes positive numbers separated by commas, got \"\(thresholds)\"")
    }
  }

  /// The hypotheses and, with --data, its events.
  func hypotheses() throws -> (any HypothesisSet, [(m2: Double, cosThetaCM: Double)]?) {
    if published.isSet { return (try published.hypotheses(), nil) }
    let config = try common.loadConfiguration()
    // Read the user's inputs before the (slower) template Monte Carlo, so bad files fail fast.
    let events = try data.map { try EventFile.read(path: $0) }
    let analysis = try mc.analysis(config, threads: common.threadCount, lumi: lumi)
    MassInput.warnIfClipped(masses, grid: analysis.grid)
    do { return (try WindowHypotheses(analysis: analysis, masses: masses), events) } catch let e as MassSelection.ParseError {
      throw ValidationError(e.description)
    }
  }

  func run() throws {
    let (set, events) = try hypotheses()
    let s = LookElsewhereSettings(toys: toys, blockSize: blockSize, masses: published.isSet ? published.patches : masses,
                                  thresholds: thresholds.split(separator: ",").map { Double($0)! }, observedZ: observedZ)
    var toyScans: LookElsewhereStudy
    do { toyScans = try LookElsewhereStudy(hypotheses: set, settings: s, threads: common.threadCount) } catch let e as StudyError {
      throw CLIError(e.description)
    }
    var observedAt: String? = nil
    if events != nil || (published.isSet && observedZ == nil) {
      // The observed local significance is the data's largest.
      let (z, at) = try events.map { try toyScans.largestExcess(.events($0)) } ?? toyScans.largestOwnExcess()
      toyScans = toyScans.assessing(observedZ: z)
      observedAt = at.text
    }
    let lee = toyScans
    let identity = lee.identity(seed: common.seed, data: published.isSet ? "published" : Analysis.dataLabel(data))
    let seed = common.seed
    let out = try StudyDriver.run(
      LookElsewhereFile.self, identity: identity, shard: study.parsed, output: study.out, threads: common.threadCount,
      resume: study.resume, restart: study.restart, progress: study.progress(label: "lee", unit: "blocks of \(blockSize) toys", json: common.json),
      makeState: { try lee.makeState() }
    ) { t, state in try lee.run(task: t, seed: seed, state: state) }
    if common.json {
      print(try JSONOutput.string(out))
      return
    }
    let maxZ = out.toys.map(\.maxZ).sorted()
    print("look-elsewhere: \(out.toys.count) toy scans of \(lee.hypotheses.count) hypotheses\(out.header.shard.map { ", shard \($0)" } ?? "")")
    if !maxZ.isEmpty {
      print(String(format: "  largest local Z per toy: median %.2f, 84%% %.2f, 97.7%% %.2f", maxZ[maxZ.count / 2], maxZ[min(maxZ.count - 1, Int(0.8413 * Double(maxZ.count)))], maxZ[min(maxZ.count - 1, Int(0.9772 * Double(maxZ.count)))]))
    }
    if let g = out.observed {
      print(String(format: "  local Z = %.2f%@ → global p = %.4f ± %.4f, global Z = %@%.2f, trials factor %.1f", g.localZ, observedAt.map { " at \($0)" } ?? "", g.globalP, g.globalPUncertainty, g.globalZIsLowerBound ? ">" : "", g.globalZ, g.trialsFactor))
      let gv = g.grossVitells
      print(String(format: "  Gross–Vitells (u0 = %.2g, ⟨N⟩ = %.3f ± %.3f): global p = %.4f ± %.4f, global Z = %.2f", gv.threshold, gv.meanUpcrossings, gv.meanUpcrossingsUncertainty, gv.globalP, gv.globalPUncertainty, gv.globalZ))
    }
    let failed = out.toys.map(\.failedFits).reduce(0, +)
    if failed > 0 { print("  \(failed) fits did not converge (counted per toy in the result file)") }
    if let o = study.out { print("wrote \(o)") }
  }
}
