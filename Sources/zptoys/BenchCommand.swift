import ArgumentParser
import Experiment
import Foundation
import GSL
import Generator
import _Support

/// One measured figure: a median over repetitions with its spread.
struct BenchFigure: Encodable {
  let name: String
  let unit: String
  let median: Double
  let min: Double
  let max: Double
  let repetitions: Int
  var goal: String?
  var note: String?

  init(name: String, unit: String, samples: [Double], goal: String? = nil, note: String? = nil) {
    let s = samples.sorted()
    self.name = name
    self.unit = unit
    median = s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    min = s.first ?? .nan
    max = s.last ?? .nan
    repetitions = s.count
    self.goal = goal
    self.note = note
  }
}

/// Wall-clock seconds of `body`.
func timeIt(_ body: () throws -> Void) rethrows -> Double {
  let t0 = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
}

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Run the benchmark suite and print figures (median and spread over repetitions).",
    discussion: """
      Every figure is measured in this run on this machine; ratios compare figures of the same \
      run. Use --only to pick suites (generator, …) and --repetitions to trade time for spread.
      """
  )

  @OptionGroup var common: CommonOptions

  @Option(help: "Repetitions per figure.")
  var repetitions: Int = 5

  @Option(help: "Comma-separated suites to run (default: all).")
  var only: String?

  @Option(help: ArgumentHelp(
    "Suite fit: only the batched fits of these windows (comma-separated: ref, 0.3, 2.352, 8, wide), without the one-at-a-time and pyhf figures.",
    valueName: "windows"))
  var windows: String?

  func validate() throws {
    guard (1...1000).contains(repetitions) else { throw ValidationError("--repetitions must be between 1 and 1000") }
    if let o = only {
      for s in o.split(separator: ",") where !Self.suites.contains(String(s)) {
        throw ValidationError("unknown suite \"\(s)\"; suites: \(Self.suites.joined(separator: ", "))")
      }
    }
    if let w = windows {
      for s in w.split(separator: ",") where !FitBench.windowKeys.contains(String(s)) {
        throw ValidationError("unknown window \"\(s)\"; windows: \(FitBench.windowKeys.joined(separator: ", "))")
      }
    }
  }

  static let suites = ["generator", "fit", "inference", "scaling", "studies", "belts", "toys", "peer"]

  func wants(_ suite: String) -> Bool {
    guard let o = only else { return true }
    return o.split(separator: ",").contains(Substring(suite))
  }

  func run() throws {
    let config = try common.loadConfiguration()
    let detector = DetectorModel(config: config)
    var figures: [BenchFigure] = []
    let report: (BenchFigure) -> Void = { f in
      figures.append(f)
      if !common.json {
        let name = f.name.count < 66 ? f.name + String(repeating: " ", count: 66 - f.name.count) : f.name
        let unit = f.unit.count < 9 ? f.unit + String(repeating: " ", count: 9 - f.unit.count) : f.unit
        var line = name + String(format: " %11.4g ", f.median) + unit + String(format: " (min %.4g, max %.4g, n=%d)", f.min, f.max, f.repetitions)
        if let g = f.goal { line += "  goal: \(g)" }
        print(line)
        if let n = f.note { print("    \(n)") }
      }
    }
    if !common.json {
      print("zptoys \(ToolInfo.version) benchmarks on \(ProcessInfo.processInfo.activeProcessorCount) cores")
    }
    if wants("generator") { try GeneratorBench.run(detector: detector, repetitions: repetitions, report: report) }
    if wants("fit") {
      let selected = windows.map { Set($0.split(separator: ",").map(String.init)) }
      try FitBench.run(config: config, repetitions: repetitions, threads: common.threadCount, windows: selected, report: report)
    }
    if wants("inference") { try InferenceBench.run(repetitions: repetitions, threads: common.threadCount, report: report) }
    if wants("scaling") { try ScalingBench.run(repetitions: repetitions, threads: common.threadCount, report: report) }
    if wants("studies") { try StudiesBench.run(config: config, repetitions: repetitions, threads: common.threadCount, report: report) }
    if wants("belts") { try BeltBench.run(config: config, repetitions: repetitions, threads: common.threadCount, report: report) }
    if wants("toys") { try ToyBench.run(config: config, repetitions: repetitions, report: report) }
    if wants("peer") { try PeerBench.run(repetitions: repetitions, json: common.json, report: report) }
    if common.json {
      struct Out: Encodable { let tool: String; let cores: Int; let figures: [BenchFigure] }
      print(try JSONOutput.string(Out(tool: "zptoys \(ToolInfo.version)", cores: ProcessInfo.processInfo.activeProcessorCount, figures: figures)))
    }
  }
}

/// Smeared, selected events per second on one core, per process.
enum GeneratorBench {
  static func run(detector: DetectorModel, repetitions: Int, report: (BenchFigure) -> Void) throws {
    let config = detector.config
    let cases: [(String, any TruthSampler)] = [
      ("signal (M = 2 GeV, narrow)", try SignalSampler(mass: 2, widthFraction: 0, config: config)),
      ("signal (M = 2 GeV, Γ = 0.1 M)", try SignalSampler(mass: 2, widthFraction: 0.1, config: config)),
    ] + config.backgrounds.map { ($0.name, BackgroundSampler(process: $0, config: config)) }
    let n = 2_000_000
    for (name, sampler) in cases {
      for (label, acceptance) in [("selected", true), ("smeared", false)] {
        let gen = EventGenerator(detector: detector, sampler: sampler, applyAcceptance: acceptance)
        var rates: [Double] = []
        var checksum = 0.0
        for r in 0..<repetitions {
          let rng = RandomStream(StreamKey(seed: 1, study: .test, massIndex: 0, toyIndex: r))
          let t = try timeIt { try gen.generate(count: n, rng: rng) { checksum += $0.m2 } }
          rates.append(Double(n) / t)
        }
        precondition(checksum.isFinite)
        report(BenchFigure(name: "generate \(name), \(label)", unit: "events/s", samples: rates, goal: "≥ 1e7 /s/core"))
      }
    }
  }
}
