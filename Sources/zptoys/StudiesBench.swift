import Experiment
import Foundation
import GSL
import Generator
import Inference
import Likelihood
import Results
import Studies

/// The study-level figures of issue 5/8: b-only toys with per-toy limits for one hypothesis, one
/// full-spectrum look-elsewhere toy scan, their parallel efficiency, and the extrapolated time of
/// the paper-scale study (582 hypotheses × 1,000 toys with per-toy limits + 10,000 look-elsewhere
/// toy scans) on this machine.
enum StudiesBench {
  static func run(config: ExperimentConfig, repetitions: Int, threads: Int, report: (BenchFigure) -> Void) throws {
    let analysis = try Analysis(config: config, settings: TemplateSettings(threads: threads))
    let index = analysis.grid.nearest(mass: 2.352)!.index
    let window = try analysis.window(index)
    let model = try Model(workspace: window.workspace(observations: window.totalBackground))
    let toys = 1000
    func band(threads t: Int, rep: Int) throws -> Double {
      try timeIt {
        _ = try ToyLimitBand.compute(model: model, data: model.observedData, rule: .cls, cl: 0.9,
                                     settings: ToySettings(toys: toys, seed: UInt64(rep + 1), study: .brazil, massIndex: index, threads: t))
      }
    }
    let reps = max(1, min(repetitions, 5))
    let one = try (0..<reps).map { try band(threads: 1, rep: $0) }
    report(BenchFigure(name: "brazil: 1,000 b-only toys with limits (M = 2.35 GeV), 1 thread", unit: "s", samples: one))
    let all = try (0..<reps).map { try band(threads: threads, rep: $0) }
    let efficiency = one.sorted()[one.count / 2] / (Double(threads) * all.sorted()[all.count / 2])
    report(BenchFigure(name: "brazil: the same on \(threads) threads", unit: "s", samples: all,
                       note: String(format: "parallel efficiency %.0f%% (goal ≥ 90%%)", 100 * efficiency)))

    // A task of 16 toy scans, fitted together per window (as `lee` does), on a warm state (a
    // study's thread builds its fitters' structures in its first task and keeps them).
    let block = 16
    let s = LookElsewhereSettings(toys: block, blockSize: block)
    let lee = try LookElsewhereStudy(analysis: analysis, settings: s, threads: threads)
    let state = try lee.makeState()
    _ = try lee.run(task: 0, seed: 1_000, state: state)
    let leeTimes = try (0..<reps).map { r in try timeIt { _ = try lee.run(task: 0, seed: UInt64(r + 1), state: state) } / Double(block) }
    report(BenchFigure(name: "lee: one toy scan of the full spectrum (\(lee.hypotheses.count) windows), in a task of \(block)", unit: "s", samples: leeTimes))

    // The paper-scale study from the figures above (hypotheses differ in size: M = 2.35 GeV has
    // a typical 100-bin window).
    let perHypothesis = all.sorted()[all.count / 2]
    let perScan = leeTimes.sorted()[leeTimes.count / 2] / (Double(threads) * max(efficiency, 0.5))
    let total = Double(analysis.grid.count) * perHypothesis + 10_000 * perScan
    report(BenchFigure(name: "paper-scale study (582 × 1,000 toys + 10,000 scans), extrapolated", unit: "min",
                       samples: [total / 60], goal: "< 10–15 min"))
  }
}
