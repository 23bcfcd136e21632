import Foundation

/// The one-sided Gaussian tail that turns significances into p-values and back
/// (arXiv:1007.1727, Eq. 1: p = 1 − Φ(Z)), and the Gross–Vitells estimate of a global p-value
/// (arXiv:1005.1891, Eq. 2 for one degree of freedom).
public enum GaussianTail {
  /// p = 1 − Φ(z) = erfc(z/√2)/2.
  public static func p(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

  /// The standard normal density φ(z).
  public static func density(_ z: Double) -> Double { exp(-0.5 * z * z) / (2 * Double.pi).squareRoot() }

  /// Z with 1 − Φ(Z) = p, by bisection (p in (0, 1); 1e-12 absolute accuracy in Z).
  public static func z(_ p: Double) -> Double {
    guard p > 0 else { return 40 }
    guard p < 1 else { return -40 }
    var lo = -40.0, hi = 40.0
    for _ in 0..<200 {
      let mid = 0.5 * (lo + hi)
      if Self.p(mid) > p { lo = mid } else { hi = mid }
      if hi - lo < 1e-12 { break }
    }
    return 0.5 * (lo + hi)
  }

  /// Gross–Vitells, one degree of freedom: p_global(Z) ≈ p_local(Z) + ⟨N(u0)⟩·e^(−(Z² − u0)/2),
  /// capped at 1; ⟨N(u0)⟩ is the mean number of up-crossings of the threshold u0 (in q0 = Z²)
  /// per toy scan. Meaningful for Z² above u0.
  public static func grossVitells(_ z: Double, meanUpcrossings n: Double, u0: Double) -> Double {
    min(1, p(z) + n * exp(-(z * z - u0) / 2))
  }

  /// −d p_global/dZ of the Gross–Vitells estimate: the density of the largest local Z it implies
  /// (where p_global < 1).
  public static func grossVitellsDensity(_ z: Double, meanUpcrossings n: Double, u0: Double) -> Double {
    guard grossVitells(z, meanUpcrossings: n, u0: u0) < 1 else { return 0 }
    return density(z) + n * z * exp(-(z * z - u0) / 2)
  }

  /// The local Z at which the Gross–Vitells global p-value equals `p` (bisection; nil when the
  /// estimate never reaches it on [0, 40]).
  public static func localZ(forGlobalP target: Double, meanUpcrossings n: Double, u0: Double) -> Double? {
    var lo = max(0, u0.squareRoot()), hi = 40.0
    guard grossVitells(lo, meanUpcrossings: n, u0: u0) >= target else { return nil }
    for _ in 0..<200 {
      let mid = 0.5 * (lo + hi)
      if grossVitells(mid, meanUpcrossings: n, u0: u0) > target { lo = mid } else { hi = mid }
      if hi - lo < 1e-10 { break }
    }
    return 0.5 * (lo + hi)
  }
}
