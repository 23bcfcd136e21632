import Foundation
import GSL
import Inference
import Likelihood
import _Support
import _TestSupport

/// zptoys beside the numba peer (`Validation/peer/peer.py`, timed by `Validation/bench_peer.py`)
/// in the same run, on the reference window (suite `peer`):
/// - per-fit time of a batch of 2,000 b-only toys on ``BatchFitter``, all parameters free and
///   µ = 1 fixed, from the initial values, on 1 and 2 threads;
/// - toy generation per toy on one thread;
/// - the 2 × 5,000-toy q̃µ hypothesis test at µ = 1 on one thread, generation included
///   (``ToyCalculator`` with threads = 1; the peer's `Peer.hypotest`).
/// Each zptoys/peer pair is printed with the ratio of medians. Without the peer's Python
/// (`Validation/.venv` with numba) it prints "not measured" and the command that makes it.
enum PeerBench {
  static let batch = 2000
  static let hypotestToys = 5000

  /// Seconds per fit of `toys` (free, or with the POI fixed at `poi`) on `threads` threads, and
  /// the number of failed fits: one batch on ``BatchFitter`` (per-bin locals not recorded, as
  /// the toys of a test statistic fit them), every fit from the model's initial values.
  static func fitTime(model: Model, toys: DataBatch, poi: Double?, threads: Int) -> (seconds: Double, failed: Int) {
    let fitter = BatchFitter(model: model, options: FitOptions(computeUncertainties: false))
    fitter.recordsLocals = false
    let fixed = poi.map { [model.poiIndex!: $0] } ?? [:]
    var results = BatchResults.empty(model: model)
    let t = timeIt { results = fitter.fit(toys, fixed: fixed, start: model.initialValues, threads: threads) }
    return (t / Double(toys.count), results.converged.filter { !$0 }.count)
  }

  static func run(repetitions: Int, json: Bool, report: (BenchFigure) -> Void) throws {
    let gen = try ToyBench.referenceSampler()
    let model = gen.model
    var toys = DataBatch(model: model, capacity: batch)
    for t in 0..<batch { toys.append { gen.sample(key: StreamKey(seed: 1, study: .test, massIndex: 0, toyIndex: t).hash64, into: $0) } }
    let reps = max(1, min(repetitions, 5))
    var ours: [String: [Double]] = [:]
    for threads in [1, 2] {
      for (label, poi) in [("free", nil), ("µ = 1 fixed", 1.0)] as [(String, Double?)] {
        var failed = 0
        let samples = (0..<reps).map { _ in
          let r = fitTime(model: model, toys: toys, poi: poi, threads: threads)
          failed += r.failed
          return r.seconds * 1e6
        }
        let name = "zptoys fit, reference window, \(label), batch of \(batch), \(threads) thread\(threads == 1 ? "" : "s")"
        ours["\(label) \(threads)"] = samples
        report(BenchFigure(name: name, unit: "µs/fit", samples: samples, goal: label == "free" && threads == 1 ? "≤ 0.3 µs" : nil,
                           note: failed > 0 ? "\(failed) failed fits" : nil))
      }
    }
    ours["generate"] = ToyBench.keyedGeneration(gen, toys: 50_000, repetitions: reps)
    report(BenchFigure(name: "zptoys toy generation, reference window, 1 thread", unit: "µs/toy", samples: ours["generate"]!))
    var hypotest: HypoTestResult?
    ours["hypotest"] = try (0..<reps).map { r in
      let calc = try ToyCalculator(model: model, data: model.observedData, testStatistic: .qtilde,
                                   settings: ToySettings(toys: hypotestToys, seed: UInt64(r + 1), threads: 1))
      return try timeIt { hypotest = try calc.hypotest(poi: 1) } * 1e3
    }
    report(BenchFigure(
      name: "zptoys toy hypotest q̃ µ = 1, 2 × \(hypotestToys) toys, 1 thread", unit: "ms", samples: ours["hypotest"]!, goal: "≤ 60 ms",
      note: hypotest.map { String(format: "CLs %.4f, CLs+b %.4f, CLb %.4f; %d failed fits", $0.cls, $0.clsb, $0.clb, $0.toys?.failedFits ?? 0) }))
    try peerFigures(ours: ours, repetitions: reps, json: json, report: report)
  }

  /// Says why the peer's figures are missing and how to get them (stdout, or stderr with --json).
  static func notMeasured(_ why: String, json: Bool) {
    let line = "not measured: the numba peer (\(why)); run `make bench` (it installs Validation/requirements.txt into Validation/.venv), or `Validation/.venv/bin/pip install numba` and `zptoys bench --only peer`\n"
    if json { FileHandle.standardError.write(Data(line.utf8)) } else { print(line, terminator: "") }
  }

  static func peerFigures(ours: [String: [Double]], repetitions: Int, json: Bool, report: (BenchFigure) -> Void) throws {
    guard let script = PyhfScript(script: "bench_peer.py") else {
      notMeasured("no Python at $PYHF_PYTHON or Validation/.venv/bin/python", json: json)
      return
    }
    FileHandle.standardError.write(Data("running the numba peer on the reference window (Validation/bench_peer.py)\n".utf8))
    let out = try script.run(workspace: ReferenceWindow.workspace(), arguments: ["--repeats", "\(repetitions)", "--batch", "\(batch)",
                                                                                 "--toys", "\(hypotestToys)"])
    if let why = out["unavailable"] as? String {
      notMeasured(why, json: json)
      return
    }
    let version = out["numba"] as? String ?? "?"
    func ratio(_ peer: [Double], _ key: String) -> String {
      guard let z = ours[key], !z.isEmpty, !peer.isEmpty else { return "" }
      let r = medianOf(peer) / medianOf(z)
      return r >= 1 ? String(format: "zptoys %.3g× faster", r) : String(format: "peer %.3g× faster", 1 / r)
    }
    for (key, label) in [("fit_free_us", "free"), ("fit_conditional_us", "µ = 1 fixed")] {
      let byThreads = out[key] as? [String: [Double]] ?? [:]
      for threads in [1, 2] {
        guard let s = byThreads["\(threads)"] else { continue }
        report(BenchFigure(name: "peer (numba \(version)) fit, \(label), batch of \(batch), \(threads) thread\(threads == 1 ? "" : "s")",
                           unit: "µs/fit", samples: s, note: ratio(s, "\(label) \(threads)")))
      }
    }
    if let g = out["generate_us_per_toy"] as? [String: [Double]] {
      for (method, label) in [("tables", "Poisson tables"), ("random", "numba np.random")] {
        guard let s = g[method] else { continue }
        report(BenchFigure(name: "peer toy generation (\(label)), 1 thread", unit: "µs/toy", samples: s, note: ratio(s, "generate")))
      }
    }
    if let h = out["hypotest_seconds"] as? [Double] {
      let cls = (out["hypotest"] as? [String: Any])?["cls"] as? Double ?? .nan
      report(BenchFigure(name: "peer toy hypotest q̃ µ = 1, 2 × \(hypotestToys) toys, 1 thread", unit: "ms", samples: h.map { $0 * 1e3 },
                         note: String(format: "CLs %.4f; ", cls) + ratio(h.map { $0 * 1e3 }, "hypotest")))
    }
  }
}
