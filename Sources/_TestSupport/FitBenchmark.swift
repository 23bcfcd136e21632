import Foundation
import Likelihood

/// Timing of fits of the ``ReferenceWindow`` (100 bins, 202 parameters) or of any workspace,
/// one at a time (``Fitter``) or batched (``BatchFitter``), for `zptoys bench`.
///
/// Each repetition fits a different pseudo-experiment (a pool of 64 seeded toys: Poisson main
/// data around the background, Gaussian-fluctuated auxiliary data, as toys are thrown for
/// hypothesis tests), so the timing is that of toy fits rather than of one data set. One
/// ``Fitter`` is reused, as a toy loop does; uncertainties are off (toys do not need them).
public enum FitBenchmark {
  /// Seconds per fit, one entry per repetition.
  public struct Timings: Sendable {
    /// All parameters free.
    public var free: [Double]
    /// µ fixed at 1 (the numerator fit of a test statistic), from the model's initial values.
    public var conditional: [Double]
    /// µ fixed at 1, warm-started from the free fit of the same data (as `Inference` does).
    public var warmConditional: [Double] = []
    /// Fits that converged (all of them, normally: 3 × repetitions).
    public var converged: Int

    public var medianFree: Double { Self.median(free) }
    public var medianConditional: Double { Self.median(conditional) }
    public var medianWarmConditional: Double { Self.median(warmConditional) }

    static func median(_ a: [Double]) -> Double {
      if a.isEmpty { return .nan }
      let s = a.sorted()
      return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }
  }

  /// Times fits of the reference window.
  /// - Parameters:
  ///   - repetitions: fits of each kind.
  ///   - computeUncertainties: include the uncertainty pass in the timing.
  /// - Returns: seconds per fit, free and conditional, and how many converged.
  public static func run(repetitions: Int = 2000, computeUncertainties: Bool = false) -> Timings {
    run(workspace: ReferenceWindow.workspace(), repetitions: repetitions, computeUncertainties: computeUncertainties)
  }

  /// Times fits of any workspace (e.g. a search window of `zptoys workspace`), on 64 seeded toys
  /// thrown at the model's initial values with the POI at 0.
  /// - Parameters:
  ///   - workspace: the workspace; its first measurement must name a POI.
  ///   - repetitions: fits of each kind.
  ///   - conditionalPOI: the POI value of the conditional fits (default 1).
  ///   - computeUncertainties: include the uncertainty pass in the timing.
  /// - Returns: seconds per fit (free, conditional from the initial values, conditional
  ///   warm-started from the free fit) and how many converged (normally 3 × repetitions).
  public static func run(
    workspace: Workspace, repetitions: Int = 2000, conditionalPOI: Double = 1, computeUncertainties: Bool = false
  ) -> Timings {
    let model = try! Model(workspace: workspace)
    let fitter = Fitter(model: model, options: FitOptions(computeUncertainties: computeUncertainties))
    let toys = toyData(model: model, count: 64, seed: 20_240_611)
    let poi = model.poiIndex!
    var timings = Timings(free: [], conditional: [], converged: 0)
    timings.free.reserveCapacity(repetitions)
    timings.conditional.reserveCapacity(repetitions)
    timings.warmConditional.reserveCapacity(repetitions)
    let clock = ContinuousClock()
    // Warm-up (page faults, caches).
    for t in toys.prefix(8) { _ = fitter.fit(data: t) }
    var start = model.initialValues
    for i in 0..<repetitions {
      let data = toys[i % toys.count]
      var result: FitResult?
      let d1 = clock.measure { result = fitter.fit(data: data) }
      if result!.converged { timings.converged += 1 }
      start = result!.parameters
      start[poi] = conditionalPOI
      let d2 = clock.measure { result = fitter.fit(data: data, fixed: [poi: conditionalPOI]) }
      if result!.converged { timings.converged += 1 }
      let d3 = clock.measure { result = fitter.fit(data: data, fixed: [poi: conditionalPOI], initial: start) }
      if result!.converged { timings.converged += 1 }
      timings.free.append(seconds(d1))
      timings.conditional.append(seconds(d2))
      timings.warmConditional.append(seconds(d3))
    }
    return timings
  }

  /// Batched fits (``BatchFitter``) of one window: seconds per fit, free and conditional at
  /// µ = `conditionalPOI` warm-started from the free fits, and where the fits went.
  public struct BatchTimings: Sendable {
    /// Wall-clock seconds per fit, one entry per repetition (each fits every toy).
    public var free: [Double]
    public var warmConditional: [Double]
    /// Fits that converged (all of them, normally: 2 × toys × repetitions).
    public var converged: Int
    /// Fits that went to the general engine (a lane that left the fast structure).
    public var general: Int
    /// The engine the window's fits take.
    public var path: FitPath
  }

  /// Times batched fits of `toys` seeded toys of `workspace` on `threads` threads, `repetitions`
  /// times (after one warm-up), as the toys of a test statistic run them: free fits from the
  /// generation parameters (the model's initial values with µ = 0), conditional fits
  /// warm-started from the free fits (``BatchFitter/fit(_:fixed:from:threads:)``), the per-bin
  /// locals not recorded.
  public static func batched(
    workspace: Workspace, toys: Int = 2000, threads: Int = 1, repetitions: Int = 3, conditionalPOI: Double = 1
  ) -> BatchTimings {
    let model = try! Model(workspace: workspace)
    let poi = model.poiIndex!
    var data = DataBatch(model: model, capacity: toys)
    for t in toyData(model: model, count: toys, seed: 20_240_611) { data.append(t) }
    let fitter = BatchFitter(model: model)
    fitter.recordsLocals = false  // as the toys of a test statistic
    var timings = BatchTimings(free: [], warmConditional: [], converged: 0, general: 0, path: fitter.path())
    let clock = ContinuousClock()
    // The free fits start where the toys were generated (as the toy calculator does).
    var truth = model.initialValues
    truth[poi] = 0
    for r in 0...repetitions {
      var free = BatchResults.empty(model: model)
      let t1 = clock.measure { free = fitter.fit(data, start: truth, threads: threads) }
      var conditional = free
      let t2 = clock.measure { conditional = fitter.fit(data, fixed: [poi: conditionalPOI], from: free, threads: threads) }
      if r == 0 { continue }  // warm-up
      timings.free.append(seconds(t1) / Double(toys))
      timings.warmConditional.append(seconds(t2) / Double(toys))
      timings.converged += free.converged.filter { $0 }.count + conditional.converged.filter { $0 }.count
      timings.general += free.generalCount + conditional.generalCount
    }
    return timings
  }

  /// Toy data sets (main + aux) of `model` at its initial parameters with µ = 0: Poisson main
  /// data, Gaussian/Poisson auxiliary data, from a SplitMix64 stream.
  public static func toyData(model: Model, count: Int, seed: UInt64) -> [[Double]] {
    var rng = SplitMix64(seed: seed)
    var pars = model.initialValues
    if let poi = model.poiIndex { pars[poi] = 0 }
    let expected = model.expectedMainData(pars)
    return (0..<count).map { _ in
      var data = expected.map { Double(rng.poisson(mean: $0)) }
      for term in model.constraints {
        let theta = pars[term.parameter]
        switch term.constraint {
        case .gaussian(let sigma): data.append(theta + sigma * rng.normal())
        case .poisson(let tau): data.append(Double(rng.poisson(mean: tau * theta)))
        }
      }
      return data
    }
  }

  private static func seconds(_ d: Duration) -> Double {
    let c = d.components
    return Double(c.seconds) + Double(c.attoseconds) * 1e-18
  }
}
