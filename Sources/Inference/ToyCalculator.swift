import Foundation
import GSL
import Likelihood
import _Support

/// Where pseudo-experiments come from: the stream family, and whether nuisance parameters are
/// set to their conditional MLE on the data (LHC style, pyhf's `ToyCalculator`) or to their
/// nominal values.
public struct ToySettings: Sendable, Equatable {
  public enum Nuisances: String, Sendable, Codable { case profiled, nominal }

  public var toys: Int
  public var seed: UInt64
  public var study: StreamKey.Study
  /// Stream index of the hypothesis (the mass index in studies).
  public var massIndex: Int
  public var threads: Int
  public var nuisances: Nuisances

  public init(toys: Int = 1000, seed: UInt64 = 1, study: StreamKey.Study = .hypotestToys, massIndex: Int = 0,
              threads: Int = 1, nuisances: Nuisances = .profiled) {
    self.toys = toys
    self.seed = seed
    self.study = study
    self.massIndex = massIndex
    self.threads = threads
    self.nuisances = nuisances
  }

  /// The stream of toy `i` under b-only (even indices) or s+b (odd): the same toy index at
  /// every tested POI value (common random numbers, so p(µ) is smooth in µ).
  public func key(toy i: Int, signal: Bool) -> StreamKey {
    StreamKey(seed: seed, study: study, massIndex: massIndex, toyIndex: 2 * i + (signal ? 1 : 0))
  }
}

/// The toy calculator (pyhf `ToyCalculator`): the distributions of the test statistic under
/// s+b (POI = µ) and b-only (POI = 0; 1 for q0) from pseudo-experiments generated at the
/// conditional MLE of the nuisance parameters on the observed data, main and auxiliary data
/// fluctuated. p-values are empirical, P(q ≥ q_obs), as pyhf's `EmpiricalDistribution`; the
/// expected set takes the percentiles of CLs over the b-only toys at −2σ … +2σ.
///
/// Toys run in blocks (generated, then fitted together on a ``BatchFitter``) in parallel over
/// `threads`, each from its own stream (``ToySettings/key(toy:signal:)``), so results are
/// identical for any thread count. A toy whose fit fails is counted, listed with its stream
/// key, and left out of the distribution — never fatal.
public final class ToyCalculator: HypoTestCalculator {
  public let testStatistic: TestStatistic
  public let model: Model
  public let data: [Double]
  public let settings: ToySettings
  let profile: ProfileLikelihood
  let freeFitData: FitResult
  public var poiBounds: ClosedRange<Double> { model.bounds[profile.poiIndex] }
  public var muHat: Double { freeFitData.parameters[profile.poiIndex] }

  public init(model: Model, data: [Double], testStatistic: TestStatistic = .qtilde, settings: ToySettings) throws {
    guard settings.toys >= 1 else { throw InferenceError.invalidArgument("the toy calculator needs at least one toy") }
    guard data.count == model.mainBinCount + model.auxCount else {
      throw InferenceError.invalidArgument("expected \(model.mainBinCount + model.auxCount) data values (main + auxiliary), got \(data.count)")
    }
    self.model = model
    self.data = data
    self.testStatistic = testStatistic
    self.settings = settings
    profile = try ProfileLikelihood(model: model)
    freeFitData = profile.freeFit(data)
  }

  /// The observed test statistic at µ.
  public func observed(poi mu: Double) -> Double {
    profile.evaluate(testStatistic, poi: mu, data: data, free: freeFitData).value
  }

  /// The parameters toys are generated at for POI = `mu`.
  public func generationParameters(poi mu: Double) -> [Double] {
    switch settings.nuisances {
    case .profiled: return profile.conditionalFit(data, poi: mu).parameters
    case .nominal:
      var p = model.initialValues
      p[profile.poiIndex] = mu
      return p
    }
  }

  public struct Distribution: Sendable {
    /// Test statistic per successful toy, in toy order.
    public var values: [Double]
    public var failed: [FailedToy]
  }

  /// Toys generated and fitted together: a block's free fits and then its conditional fits
  /// run on the lanes of a ``BatchFitter``. Each toy keeps its own stream key, and a toy's fit
  /// does not depend on the toys beside it, so the results are the same for any block size and
  /// thread count.
  static let blockSize = 128

  /// The distribution of the test statistic at µ for toys generated at POI = `truth`.
  public func distribution(poi mu: Double, truth: Double, signal: Bool) throws -> Distribution {
    let gen = ToySampler(model: model, parameters: generationParameters(poi: truth))
    let s = settings
    let model = self.model, stat = testStatistic
    let block = Self.blockSize
    let blocks = (s.toys + block - 1) / block
    let results: [[ToyOutcome]] = try Parallel.map(
      count: blocks, threads: s.threads,
      makeState: { ToyBlockState(model: model, profile: try ProfileLikelihood(model: model)) }
    ) { b, state in
      let toys = (b * block)..<min(s.toys, (b + 1) * block)
      return state.run(toys, gen: gen, keys: { s.key(toy: $0, signal: signal).hash64 }, stat: stat, mu: mu)
    }
    var values: [Double] = []
    values.reserveCapacity(s.toys)
    var failed: [FailedToy] = []
    for (i, r) in results.joined().enumerated() {
      if r.ok { values.append(r.value) } else { failed.append(FailedToy(toy: i, hypothesis: signal ? "s+b" : "b", streamKey: r.key)) }
    }
    return Distribution(values: values, failed: failed)
  }

  public func hypotest(poi mu: Double) throws -> HypoTestResult {
    guard mu.isFinite, mu >= poiBounds.lowerBound else { throw InferenceError.invalidPOI(mu, poiBounds) }
    let obs = observed(poi: mu)
    let sb = try distribution(poi: mu, truth: mu, signal: true)
    let b = try distribution(poi: mu, truth: testStatistic == .q0 ? 1 : 0, signal: false)
    guard !sb.values.isEmpty, !b.values.isEmpty else {
      throw InferenceError.invalidArgument("every toy fit failed at POI = \(mu)")
    }
    let sbSorted = sb.values.sorted(), bSorted = b.values.sorted()
    func pvalue(_ sorted: [Double], _ x: Double) -> Double {
      // Count of values ≥ x by binary search.
      var lo = 0, hi = sorted.count
      while lo < hi {
        let mid = (lo + hi) >> 1
        if sorted[mid] >= x { hi = mid } else { lo = mid + 1 }
      }
      return Double(sorted.count - lo) / Double(sorted.count)
    }
    let clsb = pvalue(sbSorted, obs), clb = pvalue(bSorted, obs)
    // Expected: CLs of every b-only toy, then its percentiles (pyhf `expected_pvalues`).
    var clsOfToys: [Double] = [], clsbOfToys: [Double] = []
    for x in b.values {
      let s = pvalue(sbSorted, x), bb = pvalue(bSorted, x)
      clsbOfToys.append(s)
      clsOfToys.append(bb > 0 ? s / bb : .nan)
    }
    clsOfToys.sort()
    clsbOfToys.sort()
    let counts = ToyCounts(signalPlusBackground: settings.toys, backgroundOnly: settings.toys,
                           failedFits: sb.failed.count + b.failed.count, failedToys: sb.failed + b.failed)
    return HypoTestResult(
      poi: mu, testStatistic: testStatistic, observedTestStatistic: obs, cls: clb > 0 ? clsb / clb : .nan, clsb: clsb, clb: clb,
      expectedCLs: normalPercentiles.map { percentile(sorted: clsOfToys, $0) },
      expectedCLsb: normalPercentiles.map { percentile(sorted: clsbOfToys, $0) }, toys: counts)
  }
}

/// The test statistic of one toy, whether its fits converged, and its stream key.
struct ToyOutcome: Sendable {
  let value: Double
  let ok: Bool
  let key: UInt64
}

/// One thread's tools for blocks of toys: a batch fitter, a profile likelihood for the rare
/// refits and the block's data.
struct ToyBlockState {
  let fitter: BatchFitter
  let profile: ProfileLikelihood
  var batch: DataBatch

  init(model: Model, profile: ProfileLikelihood) {
    fitter = BatchFitter(model: model)
    fitter.recordsLocals = false
    self.profile = profile
    batch = DataBatch(model: model, capacity: ToyCalculator.blockSize)
  }

  /// Generates toys `toys` (each from its own stream `keys(i)`), fits them free (from the
  /// generation parameters) and with the POI fixed at `mu` (warm-started from the free fit), and
  /// evaluates `stat` for each (``ProfileLikelihood/fits(_:fitter:poi:start:)``).
  mutating func run(
    _ toys: Range<Int>, gen: ToySampler, keys: (Int) -> UInt64, stat: TestStatistic, mu: Double
  ) -> [ToyOutcome] {
    batch.removeAll()
    var streamKeys: [UInt64] = []
    for i in toys {
      let key = keys(i)
      batch.append { gen.sample(key: key, into: $0) }
      streamKeys.append(key)
    }
    // The free fits start at the parameters the toys were generated at: their minimum is near.
    // The conditional fits start from the free fits, one Newton step ahead.
    let fits = profile.fits(batch, fitter: fitter, poi: mu, start: gen.parameters)
    return (0..<batch.count).map { i in
      let v = fits.value(stat, i)
      return ToyOutcome(value: v, ok: fits.ok(i) && v.isFinite, key: streamKeys[i])
    }
  }
}
