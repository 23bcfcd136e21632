import Experiment
import Foundation
import GSL
import Generator
import Inference
import Likelihood
import Studies
import _TestSupport

/// Toy generation timings (suite `toys`), one thread, toys at the b-only conditional fit to the
/// data (as the toy calculator throws them):
/// - the reference window (100 Poisson main bins, 200 Gaussian auxiliary data) from each toy's
///   stream key (``ToySampler/sample(key:into:stride:)``), through a re-seeded ``RandomStream``
///   (the calculators' path), and as a bin-major batch (``ToySampler/sample(keys:into:)``);
/// - the preparation of a generation point (expectations and Poisson tables);
/// - a real search window (M = 2.35 GeV: 100 bins, 300 Gaussian auxiliary data) and one
///   full-spectrum look-elsewhere pseudo-data set (every global cell, tables built once).
enum ToyBench {
  /// The reference window's toy sampler at the b-only conditional fit to its observations.
  static func referenceSampler() throws -> ToySampler {
    let model = try Model(workspace: ReferenceWindow.workspace())
    let profile = try ProfileLikelihood(model: model)
    return ToySampler(model: model, parameters: profile.conditionalFit(model.observedData, poi: 0).parameters)
  }

  /// Microseconds per toy from stream keys, one sample per repetition.
  static func keyedGeneration(_ gen: ToySampler, toys: Int, repetitions: Int) -> [Double] {
    var buffer = [Double](repeating: 0, count: gen.rowCount)
    var checksum = 0.0
    let samples = (0..<repetitions).map { r in
      timeIt {
        buffer.withUnsafeMutableBufferPointer { out in
          for t in 0..<toys {
            gen.sample(key: StreamKey(seed: UInt64(r + 1), study: .test, massIndex: 0, toyIndex: t).hash64, into: out.baseAddress!)
            checksum += out[0]
          }
        }
      } / Double(toys) * 1e6
    }
    precondition(checksum.isFinite)
    return samples
  }

  static func run(config: ExperimentConfig, repetitions: Int, report: (BenchFigure) -> Void) throws {
    let gen = try referenceSampler()
    let toys = 50_000
    let shape = "\(gen.model.mainBinCount) Poisson + \(gen.rowCount - gen.model.mainBinCount) Gaussian"
    report(BenchFigure(name: "toy generation, reference window, from the stream key (\(shape))", unit: "µs/toy",
                       samples: keyedGeneration(gen, toys: toys, repetitions: repetitions),
                       goal: "below the numba peer's (suite peer)",
                       note: "Taus2 (gsl_rng_taus2) per toy, Poisson by table inversion, ziggurat Gaussians"))
    let rng = RandomStream(key: 0)
    var data: [Double] = []
    let viaStream = (0..<repetitions).map { r in
      timeIt {
        for t in 0..<toys {
          rng.reseed(StreamKey(seed: UInt64(r + 1), study: .test, massIndex: 0, toyIndex: t))
          gen.sample(rng, into: &data)
        }
      } / Double(toys) * 1e6
    }
    report(BenchFigure(name: "toy generation, reference window, re-seeded RandomStream (calculators' path)", unit: "µs/toy",
                       samples: viaStream))
    let batch = 2000
    var buffer: [Double] = []
    let batched = (0..<repetitions).map { r in
      let keys = (0..<batch).map { StreamKey(seed: UInt64(r + 1), study: .test, massIndex: 0, toyIndex: $0).hash64 }
      return timeIt { gen.sample(keys: keys, into: &buffer) } / Double(batch) * 1e6
    }
    report(BenchFigure(name: "toy generation, reference window, bin-major batch of \(batch)", unit: "µs/toy", samples: batched))
    let prepare = (0..<max(20, 10 * repetitions)).map { _ in
      timeIt { _ = ToySampler(model: gen.model, parameters: gen.parameters) } * 1e6
    }
    report(BenchFigure(name: "toy generation point: expectations and Poisson tables (reference window)", unit: "µs", samples: prepare))
    try realWindows(config: config, repetitions: repetitions, report: report)
  }

  /// A real search window and one full-spectrum pseudo-data set.
  static func realWindows(config: ExperimentConfig, repetitions: Int, report: (BenchFigure) -> Void) throws {
    let analysis = try Analysis(config: config, settings: TemplateSettings(threads: ProcessInfo.processInfo.activeProcessorCount))
    let window = try analysis.window(analysis.grid.nearest(mass: 2.352)!.index)
    let model = try Model(workspace: window.workspace(observations: window.totalBackground))
    let profile = try ProfileLikelihood(model: model)
    let gen = ToySampler(model: model, parameters: profile.conditionalFit(model.observedData, poi: 0).parameters)
    report(BenchFigure(
      name: "toy generation, search window M = 2.35 GeV, from the stream key", unit: "µs/toy",
      samples: keyedGeneration(gen, toys: 50_000, repetitions: repetitions),
      note: "\(model.mainBinCount) Poisson + \(gen.rowCount - model.mainBinCount) Gaussian"))
    let cells = PoissonTables(means: analysis.expectedCells)
    var events = 0.0
    let spectrum = (0..<repetitions).map { r in
      timeIt {
        for t in 0..<100 { events += SpectrumData.pseudoData(cells: cells, seed: UInt64(r + 1), study: .lee, toy: t).eventCount }
      } / 100 * 1e6
    }
    precondition(events.isFinite)
    report(BenchFigure(name: "look-elsewhere pseudo-data, whole spectrum (\(cells.count) cells)", unit: "µs/toy", samples: spectrum,
                       note: "tables built once per study"))
  }
}
