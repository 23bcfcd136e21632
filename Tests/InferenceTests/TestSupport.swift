import Foundation
@testable import Inference
import Likelihood

// MARK: - Small hand-built workspaces

/// A one-bin counting experiment: `signal` events at µ = 1 on top of `background`, `observed`
/// events, the POI `mu` with the given bounds (pyhf's normfactor default [0, 10]).
func countingModel(signal s: Double, background b: Double, observed n: Double, poiBounds: ClosedRange<Double>? = nil,
                   backgroundNormsys: (hi: Double, lo: Double)? = nil) throws -> Model {
  var bkgModifiers: [Modifier] = []
  if let sys = backgroundNormsys { bkgModifiers.append(.normsys("bkg_norm", hi: sys.hi, lo: sys.lo)) }
  let parameters = poiBounds.map { [ParameterConfig(name: "mu", bounds: [[$0.lowerBound, $0.upperBound]])] } ?? []
  return try Model(workspace: Workspace(
    channels: [Channel(name: "sr", samples: [
      Sample(name: "signal", data: [s], modifiers: [.normfactor("mu")]),
      Sample(name: "background", data: [b], modifiers: bkgModifiers),
    ])],
    observations: [Observation(name: "sr", data: [n])],
    measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu", parameters: parameters))]))
}

/// Two bins: a signal-only bin (no background at all) and a background-only bin.
func signalOnlyBinModel(signal s: Double, background b: Double, observed: [Double]) throws -> Model {
  try Model(workspace: Workspace(
    channels: [Channel(name: "c", samples: [
      Sample(name: "signal", data: [s, 0], modifiers: [.normfactor("mu")]),
      Sample(name: "background", data: [0, b]),
    ])],
    observations: [Observation(name: "c", data: observed)],
    measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu"))]))
}

// MARK: - Closed forms for the one-bin experiment without nuisance parameters

/// −2 ln L(ν | n) up to the µ-independent constant: 2(ν − n ln ν).
func poissonTwiceNLL(_ n: Double, _ nu: Double) -> Double { 2 * (nu - (n > 0 ? n * log(nu) : 0)) }

/// −2 ln λ(µ) with µ̂ = (n − b)/s clipped into [lo, hi] (the bounded fit), clipped at 0.
func countingTLike(n: Double, s: Double, b: Double, mu: Double, bounds: ClosedRange<Double> = 0...10) -> (t: Double, muHat: Double) {
  let muHat = min(max((n - b) / s, bounds.lowerBound), bounds.upperBound)
  let t = poissonTwiceNLL(n, b + s * mu) - poissonTwiceNLL(n, b + s * muHat)
  return (max(0, t), muHat)
}

/// Poisson probability P(k | ν).
func poissonPMF(_ k: Int, _ nu: Double) -> Double { exp(Double(k) * log(nu) - nu - lgamma(Double(k) + 1)) }

/// P(n ≤ k | ν).
func poissonCDF(_ k: Int, _ nu: Double) -> Double {
  guard k >= 0 else { return 0 }
  return (0...k).reduce(0) { $0 + poissonPMF($1, nu) }
}

// MARK: - The normal distribution (independent of the GSL wrapper used by the code under test)

func Phi(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

/// Φ⁻¹(p) by bisection on Φ (to 1e-14).
func PhiInverse(_ p: Double) -> Double {
  var lo = -40.0, hi = 40.0
  for _ in 0..<200 {
    let mid = 0.5 * (lo + hi)
    if Phi(mid) < p { lo = mid } else { hi = mid }
  }
  return 0.5 * (lo + hi)
}

/// The standard deviation of a binomial fraction p estimated from n trials.
func binomialSigma(_ p: Double, _ n: Int) -> Double { (p * (1 - p) / Double(n)).squareRoot() }

/// The p-th percentile (0–100) with linear interpolation, as numpy.
func percentileOf(_ values: [Double], _ p: Double) -> Double {
  let v = values.sorted()
  let pos = p / 100 * Double(v.count - 1)
  let lo = Int(pos), hi = min(lo + 1, v.count - 1)
  return v[lo] + (pos - Double(lo)) * (v[hi] - v[lo])
}
