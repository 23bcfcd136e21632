import Foundation
import GSL
import Inference
import Likelihood

/// Scaling of the fitter and the toy calculator (issue 8): time per fit against the number of
/// bins (20 to 2,000; two per-bin Gaussian nuisances per bin, as the search windows) and against
/// the number of global parameters (1 to 50 histosys on a 100-bin window); time and peak memory
/// against the number of toys.
enum ScalingBench {
  /// A window of `bins` bins: signal (Gaussian bump, 10% per-bin shape uncertainty), background
  /// (flat, 8% per bin), `globals` extra shape systematics (histosys) on the background.
  static func workspace(bins: Int, globals: Int) -> Workspace {
    let s = (0..<bins).map { i -> Double in
      let z = (Double(i) - Double(bins) / 2) / max(1, Double(bins) / 20)
      return 10 * exp(-0.5 * z * z) / max(1, Double(bins) / 20) + 1e-3
    }
    let b = (0..<bins).map { 30 - 10 * Double($0) / Double(max(bins - 1, 1)) }
    var bm: [Modifier] = [.normfactor("background_norm"), .staterror("background_shape", b.map { 0.08 * $0 })]
    // Distinct shape systematics (histosys), so that no two global parameters are degenerate:
    // global k tilts the background by ±3% with the k-th Fourier mode across the window.
    for k in 0..<globals {
      let mode = (0..<bins).map { 0.03 * sin(Double(k + 1) * Double.pi * (Double($0) + 0.5) / Double(bins)) }
      bm.append(.histosys("syst_\(k)", hi: zip(b, mode).map { $0 * (1 + $1) }, lo: zip(b, mode).map { $0 * (1 - $1) }))
    }
    let data = b.map { $0.rounded() }
    return Workspace(
      channels: [Channel(name: "window", samples: [
        Sample(name: "signal", data: s, modifiers: [.normfactor("mu"), .staterror("signal_shape", s.map { 0.1 * $0 })]),
        Sample(name: "background", data: b, modifiers: bm),
      ])],
      observations: [Observation(name: "window", data: data)],
      measurements: [Measurement(name: "scaling", config: MeasurementConfig(poi: "mu"))])
  }

  /// Median seconds per free fit over toys drawn from the model.
  static func timePerFit(_ ws: Workspace, fits: Int) throws -> [Double] {
    let model = try Model(workspace: ws)
    let fitter = Fitter(model: model, options: FitOptions(computeUncertainties: false))
    let gen = ToySampler(model: model, parameters: model.initialValues)
    let rng = RandomStream(key: 7)
    var data: [Double] = []
    var times: [Double] = []
    for _ in 0..<fits {
      gen.sample(rng, into: &data)
      times.append(timeIt { _ = fitter.fit(data: data) })
    }
    return times
  }

  static func peakMemoryMB() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_maxrss) / 1024
  }

  static func run(repetitions: Int, threads: Int, report: (BenchFigure) -> Void) throws {
    let fits = max(20, 10 * repetitions)
    for bins in [20, 50, 100, 200, 500, 1000, 2000] {
      let t = try timePerFit(workspace(bins: bins, globals: 0), fits: bins >= 1000 ? fits / 2 : fits)
      report(BenchFigure(name: "fit: \(bins) bins, \(2 * bins + 2) parameters", unit: "µs", samples: t.map { $0 * 1e6 }))
    }
    for globals in [1, 2, 5, 10, 20, 50] {
      let t = try timePerFit(workspace(bins: 100, globals: globals), fits: fits)
      report(BenchFigure(name: "fit: 100 bins, \(globals + 2) global parameters", unit: "µs", samples: t.map { $0 * 1e6 }))
    }
    let model = try Model(workspace: workspace(bins: 100, globals: 0))
    for toys in [500, 1000, 2000, 4000] {
      let calc = try ToyCalculator(model: model, data: model.observedData, testStatistic: .qtilde,
                                   settings: ToySettings(toys: toys, seed: 3, threads: threads))
      let t = try timeIt { _ = try calc.hypotest(poi: 1) }
      report(BenchFigure(name: "toy hypotest: 2 × \(toys) toys on \(threads) threads", unit: "ms", samples: [t * 1e3],
                         note: String(format: "%.1f µs per toy; peak memory %.0f MB", t / Double(2 * toys) * 1e6, peakMemoryMB())))
    }
  }
}
