import Foundation
import Likelihood

/// The test statistics of Cowan, Cranmer, Gross & Vitells, "Asymptotic formulae for
/// likelihood-based tests of new physics", arXiv:1007.1727 (equation numbers below), computed as
/// pyhf computes them (`pyhf/infer/test_statistics.py`).
///
/// With λ(µ) = L(µ, θ̂̂(µ)) / L(µ̂, θ̂) the profile likelihood ratio (Eq. 7), all start from
/// tµ-like = −2 ln λ(µ) = twice_nll(µ, θ̂̂) − twice_nll(µ̂, θ̂), clipped at 0. The "tilde"
/// variants (Eq. 10–11, 16) are the same formulas evaluated with the POI bounded below at 0,
/// which is how pyhf implements them: the bounds come from the model, and pyhf warns when they
/// don't match the statistic. So do we.
public enum TestStatistic: String, CaseIterable, Sendable, Codable {
  /// q0 (Eq. 12): discovery, tested at µ = 0; 0 when µ̂ < 0.
  case q0
  /// qµ (Eq. 14): upper limits; 0 when µ̂ > µ.
  case q
  /// q̃µ (Eq. 16): qµ with the POI bounded at 0 (the default of pyhf's hypotest).
  case qtilde
  /// tµ = −2 ln λ(µ) (Eq. 8): two-sided.
  case t
  /// t̃µ (Eq. 11): two-sided with the POI bounded at 0 — the paper's Feldman–Cousins-style
  /// ordering.
  case ttilde

  /// Whether the statistic is one-sided (zero for an upward/downward fluctuation).
  public var isOneSided: Bool { self == .q || self == .qtilde || self == .q0 }
  /// Whether asymptotic formulas treat the POI as bounded at 0.
  public var isTilde: Bool { self == .qtilde || self == .ttilde }

  /// The statistic's value at POI = µ from the two fits' −2 ln L and µ̂ (pyhf
  /// `test_statistics.py`): tµ-like = max(0, twice_nll(µ, θ̂̂) − twice_nll(µ̂, θ̂)), then
  /// one-sided rules of Eq. (12), (14), (16).
  public func value(poi mu: Double, muHat: Double, freeTwiceNLL: Double, conditionalTwiceNLL: Double) -> Double {
    let tLike = max(0, conditionalTwiceNLL - freeTwiceNLL)  // pyhf _tmu_like: clip(…, 0)
    switch self {
    case .q, .qtilde: return muHat > mu ? 0 : tLike  // Eq. (14), (16)
    case .q0: return muHat < 0 ? 0 : tLike  // Eq. (12)
    case .t, .ttilde: return tLike  // Eq. (8), (11)
    }
  }
}

/// One evaluation of a test statistic: its value and the two fits behind it.
public struct TestStatisticValue: Sendable {
  public let value: Double
  /// The POI value tested.
  public let poi: Double
  /// The unconditional fit (µ̂, θ̂) and the conditional fit (µ, θ̂̂(µ)).
  public let free: FitResult
  public let conditional: FitResult
  public var muHat: Double { free.parameters[poiIndexStorage] }
  let poiIndexStorage: Int
}

/// Fits behind the test statistics, with one reusable ``Fitter`` (not thread-safe: give each
/// thread its own ``ProfileLikelihood``).
public final class ProfileLikelihood {
  public let model: Model
  public let fitter: Fitter
  public let poiIndex: Int
  /// Fits that did not converge since creation (counted, never fatal).
  public private(set) var failedFits = 0
  public private(set) var totalFits = 0
  /// Test statistics whose conditional fit ended below the free fit (a free fit in a local
  /// minimum): the free fit was redone from the conditional point (``evaluate(_:poi:data:free:)``).
  public private(set) var inconsistentFits = 0

  public init(model: Model, options: FitOptions = FitOptions(computeUncertainties: false)) throws {
    guard let poi = model.poiIndex else { throw InferenceError.noPOI }
    self.model = model
    fitter = Fitter(model: model, options: options)
    poiIndex = poi
  }

  /// The unconditional maximum-likelihood fit (µ̂, θ̂).
  public func freeFit(_ data: [Double]) -> FitResult {
    let r = fitter.fit(data: data)
    totalFits += 1
    if !r.converged { failedFits += 1 }
    return r
  }

  /// The conditional fit at POI = µ: (µ, θ̂̂(µ)) (pyhf `fixed_poi_fit`).
  public func conditionalFit(_ data: [Double], poi mu: Double, initial: [Double]? = nil) -> FitResult {
    let r = initial.map { fitter.fit(data: data, fixed: [poiIndex: mu], initial: $0) } ?? fitter.fit(data: data, poi: mu)
    totalFits += 1
    if !r.converged { failedFits += 1 }
    return r
  }

  /// The test statistic `stat` at POI = `mu` on `data`; `free` reuses an unconditional fit of
  /// the same data (it does not depend on µ).
  ///
  /// The two fits must be consistent: twice_nll(free) ≤ twice_nll(conditional) (the conditional
  /// point is also a point of the free fit). When the conditional fit ends lower, the free fit
  /// stopped in a local minimum: it is redone from the conditional point, the lower of the two
  /// kept, and ``inconsistentFits`` counts it.
  public func evaluate(_ stat: TestStatistic, poi mu: Double, data: [Double], free: FitResult? = nil) -> TestStatisticValue {
    var f = free ?? freeFit(data)
    // Warm start from the unconditional fit: the nuisances are already near their profile.
    var start = f.parameters
    start[poiIndex] = mu
    // A warm start where the likelihood vanishes (e.g. a normalisation at 0 once µ is fixed) is
    // the fitter's to handle: it restarts from the initial values itself.
    let c = conditionalFit(data, poi: mu, initial: start)
    if let better = consistentFree(f, c, data) { f = better }
    let value = stat.value(poi: mu, muHat: f.parameters[poiIndex], freeTwiceNLL: f.twiceNLL, conditionalTwiceNLL: c.twiceNLL)
    return TestStatisticValue(value: value, poi: mu, free: f, conditional: c, poiIndexStorage: poiIndex)
  }

  /// The free fit redone from the conditional point when the conditional fit `c` ended below
  /// the free fit `f` (beyond the fits' tolerance), if that finds a lower minimum.
  public func consistentFree(_ f: FitResult, _ c: FitResult, _ data: [Double]) -> FitResult? {
    guard c.converged, c.twiceNLL < f.twiceNLL - 1e-9 * max(1, abs(f.twiceNLL)) else { return nil }
    inconsistentFits += 1
    let refit = fitter.fit(data: data, initial: c.parameters)
    totalFits += 1
    if !refit.converged { failedFits += 1 }
    return refit.converged && refit.twiceNLL < f.twiceNLL ? refit : nil
  }

  /// The free fits of `batch` (from `start`, else the model's initial values) and its fits at
  /// POI = µ (from the free fits, one Newton step ahead: ``BatchFitter/fit(_:fixed:from:threads:)``),
  /// with the free fit redone (``consistentFree(_:_:_:)``) for a data set whose fit at µ ended
  /// below it — what every batched test statistic (toys, belts, look-elsewhere scans) needs.
  public func fits(_ batch: DataBatch, fitter: BatchFitter, poi mu: Double, start: [Double]? = nil) -> BatchProfile {
    let free = start.map { fitter.fit(batch, start: $0) } ?? fitter.fit(batch)
    let conditional = fitter.fit(batch, fixed: [poiIndex: mu], from: free)
    var out = BatchProfile(mu: mu, freeTwiceNLL: free.twiceNLL, muHat: (0..<batch.count).map { free.parameter(poiIndex, of: $0) },
                           freeOK: free.converged, conditional: conditional)
    for i in 0..<batch.count where conditional.converged[i]
      && conditional.twiceNLL[i] < out.freeTwiceNLL[i] - 1e-9 * max(1, abs(out.freeTwiceNLL[i])) {
      guard let better = consistentFree(free[i], conditional[i], Array(batch[i])) else { continue }
      (out.freeTwiceNLL[i], out.muHat[i], out.freeOK[i]) = (better.twiceNLL, better.parameters[poiIndex], true)
    }
    return out
  }

  /// The Asimov data set of pyhf's `generate_asimov_data`: the expectation at the conditional
  /// fit (µ′, θ̂̂(µ′)) to `data` (arXiv:1007.1727, Sec. 3.2).
  public func asimovData(poi muPrime: Double, data: [Double]) -> (data: [Double], fit: FitResult) {
    let fit = conditionalFit(data, poi: muPrime)
    return (model.expectedData(fit.parameters), fit)
  }
}

public enum InferenceError: Error, CustomStringConvertible, Equatable {
  case noPOI
  case invalidPOI(Double, ClosedRange<Double>)
  case noBracket(String)
  case invalidArgument(String)
  /// A fit behind a p-value did not converge: which one, and what the fitter tried.
  case fitFailed(String)

  public var description: String {
    switch self {
    case .fitFailed(let s): "a fit behind the p-values did not converge: \(s); no p-value is given from it"
    case .noPOI: "the model has no parameter of interest (measurement config.poi)"
    case .invalidPOI(let v, let r): "POI value \(v) is outside its bounds [\(r.lowerBound), \(r.upperBound)]"
    case .noBracket(let s): s
    case .invalidArgument(let s): s
    }
  }
}

/// The free and conditional fits of a batch of data sets (``ProfileLikelihood/fits(_:fitter:poi:start:)``).
public struct BatchProfile: Sendable {
  /// The POI value of the conditional fits.
  public let mu: Double
  /// −2 ln L, µ̂ and convergence of each data set's free fit.
  public var freeTwiceNLL: [Double]
  public var muHat: [Double]
  public var freeOK: [Bool]
  /// The fits at POI = µ.
  public let conditional: BatchResults

  /// `stat` at µ for data set i.
  public func value(_ stat: TestStatistic, _ i: Int) -> Double {
    stat.value(poi: mu, muHat: muHat[i], freeTwiceNLL: freeTwiceNLL[i], conditionalTwiceNLL: conditional.twiceNLL[i])
  }

  /// Both fits of data set i converged.
  public func ok(_ i: Int) -> Bool { freeOK[i] && conditional.converged[i] }
}
