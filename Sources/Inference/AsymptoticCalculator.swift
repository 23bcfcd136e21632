import Foundation
import GSL
import Likelihood

/// The asymptotic calculator (arXiv:1007.1727; pyhf `AsymptoticCalculator`).
///
/// The spread of µ̂ comes from the Asimov data set generated at the conditional fit to the
/// data with µ′ = 0 (µ′ = 1 for q0): σ² = µ²/q_µ,A (Eq. 31–32). For q and q̃ everything is as
/// pyhf computes it: the test statistic is √qµ − √qµ,A (q̃: (qµ − qµ,A)/(2√qµ,A) when
/// √qµ > √qµ,A, Eq. 66), its s+b distribution is a unit normal shifted by −√qµ,A and its b-only
/// distribution a unit normal (`AsymptoticTestStatDistribution`), so
/// CLs+b = Φ(−(x + √qµ,A)), CLb = Φ(−x), and the expected set evaluates them at x = N for
/// N = 2, 1, 0, −1, −2.
///
/// CLs = CLs+b / CLb is formed from the logarithms of the normal tails, so it stays finite (and
/// tends to 0) where both tails underflow (pyhf returns NaN there).
///
/// For the two-sided tµ and t̃µ (not in pyhf's asymptotic calculator) the p-values come from the
/// cumulative distributions F(tµ|µ′) of Eq. (35) and F(t̃µ|µ′) of Eq. (44) with µ/σ = √tµ,A:
/// CLs+b = 1 − F(t_obs|µ), CLb = 1 − F(t_obs|0). The expected set evaluates them at the value
/// the statistic takes for data whose µ̂ sits at −Nσ (N = 2 … −2, pyhf's order, as x = N is
/// µ̂ = −Nσ for q̃µ): tµ = (µ/σ + N)², and t̃µ = µ²/σ² + 2Nµ/σ when µ̂ < 0 (Eq. 43). A two-sided
/// statistic is not monotone in µ̂, so the quantiles of its p-value over b-only data (pyhf's
/// convention for toys) are not the quantiles of the interval's upper end: at µ → 0 the 2.3%
/// quantile of p(t̃µ) is below 10% for any µ, which put the −2σ expected Feldman–Cousins upper
/// end at 0. The quantiles of µ̂ are those of the upper end (it grows with µ̂), as the toy band
/// (``ToyLimitBand``) measures it.
///
/// The tilde statistics assume the POI bounded below at 0 (Eq. 10, 16). With another lower bound
/// they are computed as pyhf computes them — the formulas above with the model's bounds — and
/// ``tildeBoundWarning(model:poiIndex:_:)`` says so, as pyhf's `qmu_tilde` warns and proceeds.
public final class AsymptoticCalculator: HypoTestCalculator {
  public let testStatistic: TestStatistic
  public let profile: ProfileLikelihood
  public let data: [Double]
  public let asimov: [Double]
  /// Unconditional fits to the data and to the Asimov data (independent of the tested µ).
  public let freeFitData: FitResult
  public let freeFitAsimov: FitResult
  public var poiBounds: ClosedRange<Double> { profile.model.bounds[profile.poiIndex] }
  public var muHat: Double { freeFitData.parameters[profile.poiIndex] }

  public convenience init(model: Model, data: [Double], testStatistic: TestStatistic = .qtilde) throws {
    try self.init(profile: try ProfileLikelihood(model: model), data: data, testStatistic: testStatistic)
  }

  /// A calculator that fits with an existing ``ProfileLikelihood`` (its fitter's buffers are
  /// reused: toys make one per thread, then one calculator per pseudo-data set).
  public init(profile: ProfileLikelihood, data: [Double], testStatistic: TestStatistic = .qtilde) throws {
    self.profile = profile
    let model = profile.model
    guard data.count == model.mainBinCount + model.auxCount else {
      throw InferenceError.invalidArgument("expected \(model.mainBinCount + model.auxCount) data values (main + auxiliary), got \(data.count)")
    }
    self.testStatistic = testStatistic
    self.data = data
    freeFitData = profile.freeFit(data)
    let muA: Double = testStatistic == .q0 ? 1 : 0
    asimov = profile.asimovData(poi: muA, data: data).data
    // pyhf's Poisson term lets a bin without events take a negative yield (2ν falls with ν);
    // a fit that does so makes Asimov "data" below 0, on which −2 ln L has no minimum.
    if let b = asimov.prefix(model.mainBinCount).firstIndex(where: { $0 < 0 }) {
      let c = model.channelBins.firstIndex { $0.contains(b) } ?? 0
      throw InferenceError.invalidArgument(
        "the Asimov data set of µ = \(muA) has \(asimov[b]) events in channel \"\(model.channelNames[c])\", bin \(b - model.channelBins[c].lowerBound): "
          + "the fit at µ = \(muA) takes the yield of that bin, which has no events, below 0 (pyhf's Poisson convention allows it), "
          + "and the asymptotic formulae need an Asimov data set with yields ≥ 0; bound the parameters that drive the yield negative")
    }
    freeFitAsimov = profile.freeFit(asimov)
  }

  /// √qµ,A: the POI value in units of its asymptotic standard deviation, µ/σ.
  public func sqrtAsimov(poi mu: Double) -> Double {
    profile.evaluate(testStatistic, poi: mu, data: asimov, free: freeFitAsimov).value.squareRoot()
  }

  public func hypotest(poi mu: Double) throws -> HypoTestResult {
    guard mu.isFinite, mu >= poiBounds.lowerBound else { throw InferenceError.invalidPOI(mu, poiBounds) }
    let observed = profile.evaluate(testStatistic, poi: mu, data: data, free: freeFitData)
    let onAsimov = profile.evaluate(testStatistic, poi: mu, data: asimov, free: freeFitAsimov)
    // A p-value from a fit that did not converge would be a wrong number with exit 0. A fit at
    // µ whose likelihood vanishes at every start (a yield ≤ 0 with events, say µ at a negative
    // bound) is not a failure: the data exclude that µ, q = ∞ and the p-value is 0.
    for (fit, what, atMu) in [(observed.free, "the free fit to the data", false), (observed.conditional, "the fit to the data at µ = \(mu)", true),
                              (onAsimov.free, "the free fit to the Asimov data", false), (onAsimov.conditional, "the fit to the Asimov data at µ = \(mu)", true)]
    where !fit.converged {
      if atMu, fit.twiceNLL == .infinity, case .notEvaluable? = fit.error { continue }
      if atMu, case .zeroExpectation? = fit.error { continue }
      throw InferenceError.fitFailed(what + (fit.error.map { " (\($0))" } ?? ""))
    }
    return AsymptoticCalculator.result(testStatistic, poi: mu, observed: observed.value, sqrtAsimov: onAsimov.value.squareRoot())
  }

  /// The expected CLs/CLs+b set only (needs no fit to the observed data at µ).
  public func expected(poi mu: Double) -> (cls: [Double], clsb: [Double]) {
    let r = AsymptoticCalculator.result(testStatistic, poi: mu, observed: 0, sqrtAsimov: sqrtAsimov(poi: mu))
    return (r.expectedCLs, r.expectedCLsb)
  }

  /// p-values from an observed statistic and √qµ,A (the formulas of the type's description).
  public static func result(_ stat: TestStatistic, poi mu: Double, observed q: Double, sqrtAsimov a: Double) -> HypoTestResult {
    switch stat {
    case .q, .q0, .qtilde:
      let sq = q.squareRoot()
      // u = x + √q_A and x, written so that √q_A = ∞ (the Asimov data exclude µ outright: a fit
      // at µ whose likelihood vanishes) gives CLs+b = Φ(−√q), CLb = 1, not ∞ − ∞ = NaN.
      let u: Double, x: Double
      if stat == .qtilde && sq > a && a > 0 {
        (u, x) = ((q + a * a) / (2 * a), (q - a * a) / (2 * a))  // Eq. (66) region
      } else {
        (u, x) = (sq, sq - a)
      }
      func pvalues(_ u: Double, _ x: Double) -> (Double, Double, Double) {
        let clsb = Normal.cdf(-u)
        let clb = Normal.cdf(-x)
        return (clsb, clb, tailRatio(u, x))
      }
      let (clsb, clb, cls) = pvalues(u, x)
      let exp = [2.0, 1, 0, -1, -2].map { pvalues($0 + a, $0) }
      return HypoTestResult(poi: mu, testStatistic: stat, observedTestStatistic: x, cls: cls, clsb: clsb, clb: clb,
                            expectedCLs: exp.map(\.2), expectedCLsb: exp.map(\.0))
    case .t, .ttilde:
      let tilde = stat == .ttilde
      let clsb = 1 - tCDF(q, muOverSigma: a, shift: 0, tilde: tilde)
      let clb = 1 - tCDF(q, muOverSigma: a, shift: a, tilde: tilde)
      var ecls: [Double] = [], eclsb: [Double] = []
      for n in [2.0, 1, 0, -1, -2] {
        // The statistic for data with µ̂ = −Nσ: Eq. (8) and Eq. (43).
        let tn = tilde && n > 0 ? a * a + 2 * n * a : (a + n) * (a + n)
        let sb = 1 - tCDF(tn, muOverSigma: a, shift: 0, tilde: tilde)
        let b = 1 - tCDF(tn, muOverSigma: a, shift: a, tilde: tilde)
        eclsb.append(sb)
        ecls.append(b > 0 ? sb / b : 1)
      }
      return HypoTestResult(poi: mu, testStatistic: stat, observedTestStatistic: q, cls: clb > 0 ? clsb / clb : 1,
                            clsb: clsb, clb: clb, expectedCLs: ecls, expectedCLsb: eclsb)
    }
  }

  /// Φ(−u)/Φ(−v) for u ≥ v, finite where both tails underflow (the ratio of ``logNormalTail``).
  static func tailRatio(_ u: Double, _ v: Double) -> Double {
    let num = Normal.cdf(-u), den = Normal.cdf(-v)
    if den > 1e-300 { return num / den }
    return Foundation.exp(logNormalTail(u) - logNormalTail(v))
  }

  /// ln Q(z) = ln Φ(−z): directly while Q(z) is a normal number, else from the asymptotic series
  /// Q(z) = φ(z)/z · (1 − 1/z² + 3/z⁴ − 15/z⁶ + 105/z⁸) (Abramowitz & Stegun 26.2.12), whose
  /// relative error at z > 30 is below 1e-12.
  static func logNormalTail(_ z: Double) -> Double {
    if z < 30 { return Foundation.log(Normal.cdf(-z)) }
    let r = 1 / (z * z)
    let series = 1 - r * (1 - r * (3 - r * (15 - 105 * r)))
    return -0.5 * z * z - Foundation.log(z * (2 * Double.pi).squareRoot()) + Foundation.log(series)
  }

  /// F(t | µ′) for tµ (Eq. 35) or t̃µ (Eq. 44), with m = µ/σ and d = (µ − µ′)/σ.
  public static func tCDF(_ t: Double, muOverSigma m: Double, shift d: Double, tilde: Bool) -> Double {
    guard t > 0 else { return 0 }
    let s = t.squareRoot()
    if !tilde || t <= m * m {
      return Normal.cdf(s + d) + Normal.cdf(s - d) - 1
    }
    // (µ² − 2µµ′)/σ² = m² − 2m(m − d) = 2md − m².
    return Normal.cdf(s + d) + Normal.cdf((t - (2 * m * d - m * m)) / (2 * m)) - 1
  }

  /// The t with F(t | µ′) = p (bisection on the monotone CDF; 0 when p ≤ F(0)).
  public static func tQuantile(_ p: Double, muOverSigma m: Double, shift d: Double, tilde: Bool) -> Double {
    if p <= 0 { return 0 }
    var lo = 0.0, hi = 1.0
    while tCDF(hi, muOverSigma: m, shift: d, tilde: tilde) < p && hi < 1e6 { hi *= 2 }
    for _ in 0..<200 {
      let mid = 0.5 * (lo + hi)
      if tCDF(mid, muOverSigma: m, shift: d, tilde: tilde) < p { lo = mid } else { hi = mid }
      if hi - lo < 1e-13 * max(1, hi) { break }
    }
    return 0.5 * (lo + hi)
  }
}

/// The warning pyhf's `qmu_tilde` and `tmu_tilde` log when the POI's lower bound is not 0
/// (pyhf `infer/test_statistics.py`), or nil: the tilde statistics are defined for a POI bounded
/// below at 0 (arXiv:1007.1727, Eq. 10–11 and 16); with another bound they are the same formulas
/// with the model's bounds — effectively qµ / tµ — and pyhf proceeds. So do we, with this warning.
public func tildeBoundWarning(model: Model, poiIndex: Int, _ stat: TestStatistic) -> String? {
  let lo = model.bounds[poiIndex].lowerBound
  guard stat.isTilde && lo != 0 else { return nil }
  let plain = stat == .qtilde ? "q" : "t"
  return "the \(stat.rawValue) test statistic is defined for the POI \(model.parameterNames[poiIndex]) bounded below at 0 (Eq. 16 of arXiv:1007.1727), but its lower bound is \(lo); proceeding as pyhf does (the result is that of --test-stat \(plain) with the tilde asymptotics). Use --test-stat \(plain), or set the bound to [0, …] in the measurement."
}
