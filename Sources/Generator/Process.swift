import Experiment
import Foundation
import GSL

/// A recoil at truth level, in the c.m. frame.
public struct TruthRecoil: Sendable, Equatable {
  /// M²_recoil [GeV²].
  public var m2: Double
  /// cosθ* of the recoil momentum w.r.t. +z (the e− beam).
  public var cosTheta: Double
  /// c.m. energy E* and momentum |p*| of the recoil system [GeV].
  public var energy: Double
  public var momentum: Double
  /// Which component of its process made it (the position in the configuration's list).
  public var component: Int = 0
}

/// A density in (M²_recoil, θ_cm_recoil) at truth level, with the recoil's c.m. momentum so that
/// the acceptance in the lab can be applied. Implementations are immutable and thread-safe;
/// all randomness comes from the stream passed in.
public protocol TruthSampler: Sendable {
  /// Draws one truth-level recoil.
  func draw(_ rng: RandomStream) -> TruthRecoil
}

/// Samples cosθ from dN/dcosθ ∝ 1/(1 − b²cos²θ) (collinear emission peaked along the beams):
/// the CDF is atanh(b·c)/b, so c = tanh(w)/b with w uniform in [−atanh b, atanh b].

func drawCollinear(_ rng: RandomStream, b: Double) -> Double {
  if b < 1e-6 { return rng.uniform(-1, 1) }
  let wmax = atanhApprox(b)
  return tanhApprox(rng.uniform(-wmax, wmax)) / b
}

func atanhApprox(_ x: Double) -> Double { 0.5 * log((1 + x) / (1 - x)) }
func tanhApprox(_ x: Double) -> Double {
  let e = exp(2 * x)
  return (e - 1) / (e + 1)
}

/// Samples cosθ from dN/dcosθ ∝ 1 + a·cos²θ (a ≥ −1) by rejection (efficiency ≥ 1/(1+|a|)·…).

func drawOnePlusACos2(_ rng: RandomStream, a: Double) -> Double {
  let fmax = max(1, 1 + a)
  while true {
    let c = rng.uniform(-1, 1)
    if rng.uniform() * fmax <= 1 + a * c * c { return c }
  }
}

/// Truncated exponential on [lo, hi] with density ∝ exp(sign·x/slope), by inverse CDF.

func drawTruncatedExponential(_ rng: RandomStream, range: ClosedRange<Double>, slope: Double, rising: Bool) -> Double {
  let w = (range.upperBound - range.lowerBound) / slope
  let u = rng.uniform()
  // t in [0, w] with density ∝ e^{−t}: t = −ln(1 − u(1 − e^{−w})).
  let t = -log(1 - u * (1 - exp(-w)))
  return rising ? range.upperBound - t * slope : range.lowerBound + t * slope
}
