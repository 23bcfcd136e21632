import Experiment
import Foundation
import Generator
import Likelihood
import Studies
import _TestSupport

/// Fit timings (`zptoys bench --only fit`):
/// - one fit at a time (``Fitter``) on the reference window (100 bins, 202 parameters;
///   `FitBenchmark`): free fits, conditional fits at µ = 1 from the initial values and
///   warm-started from the free fit, each on a pool of seeded toys;
/// - batched fits (``BatchFitter``: 2,000 seeded toys, free then warm conditional) on 1 and 2
///   threads, per fit, for the reference window and the real search windows at 0.3, 2.352 and
///   8 GeV and the wide-Z′ window at 2.352 GeV (Γ = 0.1 M, one-dimensional), each saying which
///   engine its fits take (batched fast structure or general);
/// - with a pyhf Python (``PyhfScript``) the same single fits by pyhf (`Validation/bench_pyhf_fit.py`:
///   numpy backend, scipy SLSQP with its default tolerance, as a user calls it) and the ratio.
enum FitBench {
  static func run(
    config: ExperimentConfig, repetitions: Int, threads: Int, windows: Set<String>? = nil, report: (BenchFigure) -> Void
  ) throws {
    if let windows {
      try batched(config: config, repetitions: repetitions, threads: threads, only: windows, report: report)
      return
    }
    let fits = max(200, 100 * repetitions)
    let t = FitBenchmark.run(repetitions: fits)
    let goal = "≤ 1 ms"
    report(BenchFigure(name: "fit reference window (202 parameters), free", unit: "µs", samples: t.free.map { $0 * 1e6 }, goal: goal,
                       note: "\(t.converged) of \(3 * fits) fits converged"))
    report(BenchFigure(name: "fit reference window, µ = 1 fixed, from initial values", unit: "µs",
                       samples: t.conditional.map { $0 * 1e6 }, goal: goal))
    report(BenchFigure(name: "fit reference window, µ = 1 fixed, warm start from free fit", unit: "µs",
                       samples: t.warmConditional.map { $0 * 1e6 }, goal: goal))
    try batched(config: config, repetitions: repetitions, threads: threads, report: report)
    try pyhf(repetitions: repetitions, scalar: t, report: report)
  }

  /// The windows of the batched figures: the reference window and real windows of `config`.
  /// The keys of `zptoys bench --windows`, in the order of ``windows(config:threads:only:)``.
  static let windowKeys = ["ref", "0.3", "2.352", "8", "wide"]

  static func windows(config: ExperimentConfig, threads: Int, only: Set<String>? = nil) throws -> [(name: String, workspace: Workspace, goal: String)] {
    var out: [(String, Workspace, String)] = []
    if only?.contains("ref") ?? true { out.append(("reference window (100 bins)", ReferenceWindow.workspace(), "≤ 0.3 µs on 1 thread")) }
    let real = zip(windowKeys.dropFirst(), [(0.3, 0.0), (2.352, 0.0), (8.0, 0.0), (2.352, 0.1)]).filter { only?.contains($0.0) ?? true }
    if real.isEmpty { return out }
    let analysis = try Analysis(config: config, settings: TemplateSettings(threads: threads))
    for (_, (mass, width)) in real {
      guard let h = analysis.grid.nearest(mass: mass) else { throw CLIError("no hypothesis near \(mass) GeV") }
      let window = try analysis.window(h.index, widthFraction: width)
      let name = String(format: "search window %g GeV%@ (%d bins)", mass, width > 0 ? " wide Z′ (Γ = 0.1 M)" : "", window.binCount)
      out.append((name, window.workspace(observations: window.totalBackground), "≤ 0.6 µs"))
    }
    return out
  }

  /// Per-fit times of batched fits, 1 and 2 threads, free and warm conditional.
  static func batched(
    config: ExperimentConfig, repetitions: Int, threads: Int, only: Set<String>? = nil, report: (BenchFigure) -> Void
  ) throws {
    let toys = 2000
    for w in try windows(config: config, threads: threads, only: only) {
      var perThreads: [Int: Double] = [:]
      for n in [1, 2] {
        let b = FitBenchmark.batched(workspace: w.workspace, toys: toys, threads: n, repetitions: max(1, repetitions))
        perThreads[n] = medianOf(b.free) + medianOf(b.warmConditional)
        let fits = 2 * toys * b.free.count
        report(BenchFigure(
          name: "batched fit \(w.name), \(n) thread\(n == 1 ? "" : "s"), free", unit: "µs", samples: b.free.map { $0 * 1e6 },
          goal: n == 1 ? w.goal : nil,
          note: "path: \(b.path.rawValue); \(b.converged) of \(fits) fits converged, \(b.general) on the general engine"))
        report(BenchFigure(
          name: "batched fit \(w.name), \(n) thread\(n == 1 ? "" : "s"), µ = 1 warm start", unit: "µs",
          samples: b.warmConditional.map { $0 * 1e6 }, goal: n == 1 ? w.goal : nil))
      }
      if let one = perThreads[1], let two = perThreads[2] {
        report(BenchFigure(name: "batched fit \(w.name), speed-up 2 threads / 1 thread", unit: "×", samples: [one / two], goal: "≥ 1.8×"))
      }
    }
  }

  /// pyhf's single fits of the reference window, when a pyhf Python is available.
  static func pyhf(repetitions: Int, scalar t: FitBenchmark.Timings, report: (BenchFigure) -> Void) throws {
    guard let pyhf = PyhfScript(script: "bench_pyhf_fit.py") else {
      PyhfScript.noteUnavailable("bench_pyhf_fit.py")
      return
    }
    FileHandle.standardError.write(Data("running pyhf on the reference window (Validation/bench_pyhf_fit.py)\n".utf8))
    let out = try pyhf.run(workspace: ReferenceWindow.workspace(), arguments: ["--repeats", "\(min(max(repetitions, 1), 3))"])
    guard let free = out["pyhf_fit_seconds"] as? [Double], let fixed = out["pyhf_fixed_poi_fit_seconds"] as? [Double],
          !free.isEmpty, !fixed.isEmpty else {
      throw CLIError("bench_pyhf_fit.py printed no timings")
    }
    report(BenchFigure(name: "pyhf fit reference window, free (scipy SLSQP)", unit: "s", samples: free,
                       note: String(format: "ZPrimeToys is %.3g× faster (medians)", medianOf(free) / medianOf(t.free))))
    report(BenchFigure(name: "pyhf fit reference window, µ = 1 fixed", unit: "s", samples: fixed,
                       note: String(format: "ZPrimeToys is %.3g× faster (medians; ours from the initial values)", medianOf(fixed) / medianOf(t.conditional))))
  }
}

/// The median of a non-empty sample.
func medianOf(_ values: [Double]) -> Double {
  let s = values.sorted()
  return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}

/// A Python script of `Validation/` run with the Python that holds pyhf: `$PYHF_PYTHON`, else
/// `Validation/.venv/bin/python` (made by `make validate`). The repository is found from the
/// working directory or from the executable's location (`.build/release/zptoys`).
struct PyhfScript {
  let python: String
  let script: String

  init?(script name: String) {
    let fm = FileManager.default
    var roots = [fm.currentDirectoryPath]
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<4 {
      roots.append(dir.path)
      dir = dir.deletingLastPathComponent()
    }
    guard let root = roots.first(where: { fm.fileExists(atPath: "\($0)/Validation/\(name)") }) else { return nil }
    let python = ProcessInfo.processInfo.environment["PYHF_PYTHON"] ?? "\(root)/Validation/.venv/bin/python"
    guard fm.isExecutableFile(atPath: python) else { return nil }
    self.python = python
    script = "\(root)/Validation/\(name)"
  }

  /// Says on stderr (stdout may be JSON) why pyhf's figures are missing.
  static func noteUnavailable(_ name: String) {
    FileHandle.standardError.write(Data(
      "pyhf figures of Validation/\(name) not measured: set PYHF_PYTHON to a Python with pyhf 0.7.6, or run `make validate` once to make Validation/.venv\n".utf8))
  }

  /// Runs the script on `workspace` (written to a temporary file) and parses the JSON object
  /// it prints.
  func run(workspace: Workspace, arguments: [String] = []) throws -> [String: Any] {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zptoys-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("workspace.json")
    try workspace.encoded().write(to: path)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: python)
    p.arguments = [script, path.path] + arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0, let json = try? JSONSerialization.jsonObject(with: o) as? [String: Any] else {
      throw CLIError("\(URL(fileURLWithPath: script).lastPathComponent) failed (status \(p.terminationStatus)): \(String(decoding: e, as: UTF8.self).suffix(500))")
    }
    return json
  }
}
