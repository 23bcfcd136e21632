import Experiment
import Foundation
import Generator
import Inference
import Results
import Testing
@testable import Studies

/// Bias and pull studies (issue 15, item 5).
@Suite("Bias and pulls")
struct PullTests {
  @Test("Moments from sums; the verdict's intervals against the tolerance")
  func verdicts() {
    let m = Moments(count: 4, sum: 2, sumOfSquares: 4)  // values with mean 0.5, variance (4 − 1)/3 = 1
    #expect(m.mean == 0.5 && abs(m.width - 1) < 1e-15 && abs(m.meanUncertainty - 0.5) < 1e-15)
    func v(_ mean: Double, _ dm: Double, _ w: Double, _ dw: Double) -> String {
      PullStudy.verdict(Moments(count: 100, mean: mean, meanUncertainty: dm, width: w, widthUncertainty: dw), tolerance: 0.1, cl: 0.95)
    }
    #expect(v(0.05, 0.1, 1, 0.07) == "unbiased")
    #expect(v(0.35, 0.1, 1, 0.07) == "biased")          // 0.35 − 1.96·0.1 > 0.1
    #expect(v(0.25, 0.1, 1, 0.07) == "unbiased")        // consistent with 0.1
    #expect(v(0, 0.1, 1.4, 0.07) == "too wide" && v(0, 0.1, 0.6, 0.07) == "too narrow")
    #expect(PullStudy.verdict(Moments(count: 100, mean: 0, meanUncertainty: 0.1, width: 1, widthUncertainty: 0.07), tolerance: 0.1, cl: 0.95,
                              bounded: true) == "bounded")
    #expect(PullRequirement.unbiased.passes("too wide") && !PullRequirement.calibrated.passes("too wide"))
    #expect(!PullRequirement.unbiased.passes("bounded") && !PullRequirement.unbiased.passes("biased, too narrow"))
  }

  /// M = 6 GeV (≈ 600 background events in the window, no empty bins near the signal) with
  /// σ = 5 fb injected: the pulls of a well-behaved fit are N(0, 1). 300 toys: the mean's
  /// statistical error is 0.058 and the width's 0.041; tolerance 4 of them.
  @Test("Injected signal in a high-background window: pulls N(0, 1), σ̂ unbiased; nuisance pulls summarised")
  func unbiased() throws {
    let index = analysis.grid.nearest(mass: 6.0)!.index
    let set = WindowHypotheses(analysis: analysis, indices: [index])
    let s = PullSettings(masses: [analysis.grid.hypotheses[index].mass], signals: [5], toys: 300, nuisances: true, blockSize: 150)
    let study = PullStudy(hypotheses: set, settings: s)
    #expect(study.taskCount == 2)
    let blocks = try (0..<2).map { try study.run(task: $0, seed: 4) }
    let header = StudyHeader(identity: study.identity(seed: 4), shard: nil, tasks: [0, 1], run: StudyFiles.runInfo(started: Date(), threads: 1, resumed: 0))
    let file = try PullsFile.assemble(header: header, results: blocks)
    let p = try #require(file.points.first)
    let m = p.pull.pull
    #expect(m.count + p.failedToys + p.toysAtLowerBound == 300)
    #expect(m.count >= 290, "\(p.failedToys) failed, \(p.toysAtLowerBound) at the bound")
    #expect(abs(m.mean) < 4 * 0.058 && abs(m.width - 1) < 4 * 0.041, "pull mean \(m.mean), width \(m.width)")
    #expect(abs(p.sigmaHat.mean - 5) < 4 * p.sigmaHat.meanUncertainty)
    #expect(p.poiLowerBound < 0)
    #expect(!p.nuisances.isEmpty && p.nuisances.allSatisfy { $0.pull.count > 250 })
    #expect(p.pullCounts.reduce(0, +) == m.count)
    // The same toys, split differently: the same points.
    let one = try PullStudy(hypotheses: set, settings: PullSettings(masses: s.masses, signals: [5], toys: 300, nuisances: true, blockSize: 300)).run(task: 0, seed: 4)
    #expect(one.sigmaHat == blocks.flatMap(\.sigmaHat) && one.pulls == blocks.flatMap(\.pulls))
  }
}
