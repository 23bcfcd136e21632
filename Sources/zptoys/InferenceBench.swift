import Foundation
import Inference
import Likelihood
import _TestSupport

/// Inference timings on the reference window (100 bins, 202 parameters; issue 4):
/// - the asymptotic 90% CL CLs upper limit with its expected band (calculator included: the
///   fits to the data and the Asimov data), median over repetitions;
/// - a toy-based q̃µ hypothesis test at µ = 1 with 2 × 1,000 toys, on one thread and on all;
/// - with a pyhf Python (``PyhfScript``), the same work by pyhf in the same run
///   (`Validation/bench_pyhf_inference.py`) and the ratios: one asymptotic hypothesis test; the
///   limit only with `ZPTOYS_BENCH_PYHF_LIMIT=1` (pyhf needs ~50 hypothesis tests, minutes);
///   the toy time measured on a few toys and scaled to 2 × 1,000 (pyhf takes ~1 s per toy).
enum InferenceBench {
  static let toys = 1000

  static func run(repetitions: Int, threads: Int, report: (BenchFigure) -> Void) throws {
    let model = try Model(workspace: ReferenceWindow.workspace())
    let data = model.observedData

    // Asymptotic limit with the expected band.
    func limit() throws -> LimitResult {
      try LimitSetter(calculator: try AsymptoticCalculator(model: model, data: data), rule: .cls, cl: 0.9).compute()
    }
    var result = try limit()  // warm-up
    var limitTimes: [Double] = []
    for _ in 0..<max(20, 10 * repetitions) { limitTimes.append(try timeIt { result = try limit() }) }
    report(BenchFigure(
      name: "asymptotic 90% CLs limit + expected band (reference window)", unit: "ms", samples: limitTimes.map { $0 * 1e3 },
      goal: "< 2–5 ms",
      note: String(format: "%d hypothesis tests; observed %.4f, expected median %.4f", result.hypotests, result.observed, result.expected[2])))

    // One asymptotic hypothesis test with its expected set: the calculator (free fits to the
    // data and the Asimov data, the Asimov generation) and one tested µ — pyhf's hypotest.
    var hypotestTimes: [Double] = []
    for _ in 0..<max(20, 10 * repetitions) {
      hypotestTimes.append(try timeIt { _ = try AsymptoticCalculator(model: model, data: data).hypotest(poi: 1) })
    }
    report(BenchFigure(name: "asymptotic hypotest q̃ µ = 1 with expected set (reference window)", unit: "µs",
                       samples: hypotestTimes.map { $0 * 1e6 }))

    // Toy-based hypothesis test.
    var toyMedians: [Int: Double] = [:]
    for t in Set([1, threads]).sorted() {
      var times: [Double] = []
      var failed = 0
      for r in 0..<repetitions {
        let calc = try ToyCalculator(model: model, data: data, testStatistic: .qtilde,
                                     settings: ToySettings(toys: toys, seed: UInt64(r + 1), threads: t))
        times.append(try timeIt { failed += try calc.hypotest(poi: 1).toys?.failedFits ?? 0 })
      }
      toyMedians[t] = medianOf(times)
      report(BenchFigure(
        name: "toy hypotest q̃ µ = 1, 2 × \(toys) toys, \(t) thread\(t == 1 ? "" : "s")", unit: "s", samples: times,
        goal: t == 1 ? "< 0.2 s on one core" : nil,
        note: String(format: "%.1f µs per toy (2 fits)%@", medianOf(times) / Double(2 * toys) * 1e6, failed > 0 ? "; \(failed) failed fits" as NSString : "")))
    }

    guard let pyhf = PyhfScript(script: "bench_pyhf_inference.py") else {
      PyhfScript.noteUnavailable("bench_pyhf_inference.py")
      return
    }
    // pyhf's limit needs ~50 hypothesis tests on this window (minutes): only on request.
    let withLimit = ProcessInfo.processInfo.environment["ZPTOYS_BENCH_PYHF_LIMIT"] == "1"
    FileHandle.standardError.write(Data(
      "running pyhf on the reference window (Validation/bench_pyhf_inference.py\(withLimit ? " --limit: several minutes" : ""))\n".utf8))
    let out = try pyhf.run(workspace: ReferenceWindow.workspace(), arguments: ["--repeats", "1"] + (withLimit ? ["--limit"] : []))
    if let h = out["hypotest_seconds"] as? [Double], !h.isEmpty {
      report(BenchFigure(
        name: "pyhf asymptotic hypotest with expected set (reference window)", unit: "s", samples: h,
        note: String(format: "ZPrimeToys is %.3g× faster", medianOf(h) / medianOf(hypotestTimes))))
    }
    if let l = out["limit_seconds"] as? [Double], !l.isEmpty {
      let n = out["limit_hypotests"] as? Int ?? 0
      report(BenchFigure(
        name: "pyhf asymptotic 90% CLs limit + expected band", unit: "s", samples: l,
        note: String(format: "%d hypothesis tests (toms748); ZPrimeToys is %.3g× faster", n, medianOf(l) / medianOf(limitTimes))))
    } else {
      FileHandle.standardError.write(Data("pyhf's limit not timed (set ZPTOYS_BENCH_PYHF_LIMIT=1: ~50 pyhf hypothesis tests)\n".utf8))
    }
    if let perToy = out["seconds_per_toy"] as? Double, let n = out["toys_per_hypothesis"] as? Int {
      let scaled = perToy * Double(2 * toys)
      report(BenchFigure(
        name: "pyhf toy hypotest, 2 × \(toys) toys (scaled from 2 × \(n))", unit: "s", samples: [scaled],
        note: String(format: "%.3g s per toy; ZPrimeToys is %.3g× faster on one thread", perToy, scaled / (toyMedians[1] ?? .nan))))
    }
  }
}
