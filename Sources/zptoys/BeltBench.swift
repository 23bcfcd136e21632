import Experiment
import Foundation
import GSL
import Generator
import Inference
import Likelihood
import Results
import Studies

/// The exact (toy Neyman belt) limits at paper scale: one belt of 2,000 toys per µ point, one
/// hypothesis' observed interval and exact band (1,000 background-only toys, each with its
/// interval from the belt), and the whole-spectrum projection (582 hypotheses + the 10,000-scan
/// look-elsewhere study) from the per-hypothesis times of windows across the spectrum.
/// CPU seconds (user + system, all threads) of this process so far (getrusage): less
/// sensitive than wall time to other processes on a shared machine.
func cpuSeconds() -> Double {
  var u = rusage()
  getrusage(RUSAGE_SELF.rawValue, &u)
  func s(_ t: timeval) -> Double { Double(t.tv_sec) + 1e-6 * Double(t.tv_usec) }
  return s(u.ru_utime) + s(u.ru_stime)
}

/// Wall and CPU seconds of `body`.
func timeAndCPU(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
  let c0 = cpuSeconds()
  let wall = try timeIt(body)
  return (wall, cpuSeconds() - c0)
}

enum BeltBench {
  static let masses = [0.5, 2.352, 5.0, 8.0]

  static func run(config: ExperimentConfig, repetitions: Int, threads: Int, report: (BenchFigure) -> Void) throws {
    let analysis = try Analysis(config: config, settings: TemplateSettings(threads: threads))
    let reps = max(1, min(repetitions, 3))
    var cpuPerHypothesis: [Double] = []
    for mass in masses {
      let index = analysis.grid.nearest(mass: mass)!.index
      let window = try analysis.window(index)
      let model = try Model(workspace: window.workspace(observations: window.totalBackground))
      func settings(band: Int, seed: Int) -> BeltLimitSettings {
        BeltLimitSettings(belt: BeltSettings(cl: 0.9, toysPerPoint: 2000, seed: UInt64(seed), study: .belt, streamIndex: index, threads: threads),
                          rule: .fc, bandToys: band, bandStudy: .brazil, observed: true)
      }
      let label = String(format: "M = %.3g GeV", mass)
      var summary: BeltSummary? = nil
      let belt = try (0..<reps).map { r in
        try timeAndCPU { summary = try BeltLimits.compute(model: model, data: model.observedData, settings: settings(band: 0, seed: r + 1)).belt }
      }
      report(BenchFigure(name: "belt: one belt, 2,000 toys per µ point (\(label)), \(threads) threads", unit: "s", samples: belt.map(\.wall),
                         note: String(format: "%d µ points, %d fits; CPU %.3g s", summary?.muPoints ?? 0, 4000 * (summary?.muPoints ?? 0), median(belt.map(\.cpu)))))
      let full = try (0..<reps).map { r in
        try timeAndCPU { summary = try BeltLimits.compute(model: model, data: model.observedData, settings: settings(band: 1000, seed: r + 1)).belt }
      }
      report(BenchFigure(name: "belt: observed interval + exact band of 1,000 toys (\(label)), \(threads) threads", unit: "s", samples: full.map(\.wall),
                         note: String(format: "CPU %.3g s, of which the band's scans and intervals %.3g s; %d µ points", median(full.map(\.cpu)),
                                     median(zip(full, belt).map { $0.cpu - $1.cpu }), summary?.muPoints ?? 0)))
      cpuPerHypothesis.append(median(full.map(\.cpu)))
    }
    let block = 16
    let lee = try LookElsewhereStudy(analysis: analysis, settings: LookElsewhereSettings(toys: block, blockSize: block), threads: 1)
    let state = try lee.makeState()
    // A study's thread keeps its state over all its tasks: the fitters' structures are built by
    // the first task and reused, so the figure is of a warm state.
    _ = try lee.run(task: 0, seed: 1_000, state: state)
    let scans = try (0..<reps).map { r in try timeAndCPU { _ = try lee.run(task: 0, seed: UInt64(r + 1), state: state) } }
    let perScan = median(scans.map(\.cpu)) / Double(block)
    let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
    let mean = cpuPerHypothesis.reduce(0, +) / Double(cpuPerHypothesis.count)
    let total = (Double(analysis.grid.count) * mean + 10_000 * perScan) / cores
    report(BenchFigure(name: "exact study at paper scale (582 belts × 2,000 toys/point + 1,000 band toys, 10,000 scans), projected",
                       unit: "min", samples: [total / 60], goal: "< 10 min",
                       note: String(format: "CPU per hypothesis %.3g s (mean over M = %@ GeV), per look-elsewhere scan %.3g s; divided by %.0f cores (hypotheses run in parallel)",
                                    mean, masses.map { String($0) }.joined(separator: ", "), perScan, cores)))
  }

  static func median(_ v: [Double]) -> Double {
    let s = v.sorted()
    return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2]))
  }
}
