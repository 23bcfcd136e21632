import Foundation
import GSL
import Likelihood
import _Support

/// Expected limits from background-only pseudo-experiments (the paper: "the median limits from
/// background-only simulated samples"): N pseudo-data sets are drawn at the b-only conditional
/// fit (POI = 0) to the given data, the same limit procedure (asymptotic calculator, the chosen
/// rule) is run on each, and the band is the 2.275 / 15.87 / 50 / 84.13 / 97.725 % quantiles of
/// the per-toy limits (linear interpolation between order statistics).
///
/// Each toy uses the stream `StreamKey(seed, study, massIndex, toy)`, so a toy can be rerun
/// alone and the result is identical for any thread count or sharding.
public struct ToyLimitBand: Sendable, Codable, Equatable {
  /// The per-toy limits, in toy order (NaN for failed toys).
  public var limits: [Double]
  public var band: ExpectedBand
  public var failed: [FailedToy]

  public static func compute(
    model: Model, data: [Double], rule: LimitRule, cl: Double, settings: ToySettings, toyRange: Range<Int>? = nil
  ) throws -> ToyLimitBand {
    let profile = try ProfileLikelihood(model: model)
    let gen = ToySampler(model: model, parameters: profile.conditionalFit(data, poi: 0).parameters)
    let stat = rule.defaultTestStatistic
    let range = toyRange ?? 0..<settings.toys
    let results: [(Double, UInt64)] = try Parallel.map(
      count: range.count, threads: settings.threads,
      makeState: { (try ProfileLikelihood(model: model), RandomStream(key: 0), [Double]()) }
    ) { j, state in
      let i = range.lowerBound + j
      let key = StreamKey(seed: settings.seed, study: settings.study, massIndex: settings.massIndex, toyIndex: i).hash64
      state.1.reseed(key)
      gen.sample(state.1, into: &state.2)
      return (perToyLimit(profile: state.0, data: state.2, statistic: stat, rule: rule, cl: cl), key)
    }
    var failed: [FailedToy] = []
    for (j, r) in results.enumerated() where !r.0.isFinite {
      failed.append(FailedToy(toy: range.lowerBound + j, hypothesis: "b", streamKey: r.1))
    }
    let limits = results.map(\.0)
    return ToyLimitBand(limits: limits, band: quantiles(limits), failed: failed)
  }

  /// The observed limit of one pseudo-data set; NaN when it cannot be set (counted as failed).
  public static func perToyLimit(profile: ProfileLikelihood, data: [Double], statistic: TestStatistic, rule: LimitRule, cl: Double) -> Double {
    do {
      let calc = try AsymptoticCalculator(profile: profile, data: data, testStatistic: statistic)
      let setter = try LimitSetter(calculator: calc, rule: rule, cl: cl)
      setter.rtol = 1e-5  // ample for quantiles of a distribution of limits
      let r = try setter.compute(expected: false)
      return r.observed
    } catch {
      return .nan
    }
  }

  /// The −2σ … +2σ quantiles of the finite values.
  public static func quantiles(_ limits: [Double]) -> ExpectedBand {
    let s = limits.filter(\.isFinite).sorted()
    return ExpectedBand(normalPercentiles.map { percentile(sorted: s, $0) })
  }
}
