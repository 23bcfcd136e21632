import CGSL

/// Cumulative distributions and quantiles from GSL's `gsl_cdf` family.
public enum Normal {
  /// Φ(x), the standard normal cumulative distribution.
  @inlinable public static func cdf(_ x: Double) -> Double { gsl_cdf_ugaussian_P(x) }
  /// 1 − Φ(x), accurate in the upper tail.
  @inlinable public static func survival(_ x: Double) -> Double { gsl_cdf_ugaussian_Q(x) }
  /// Φ⁻¹(p).
  @inlinable public static func quantile(_ p: Double) -> Double { gsl_cdf_ugaussian_Pinv(p) }
  /// The x with 1 − Φ(x) = q, accurate for small q (significance from a p-value).
  @inlinable public static func survivalQuantile(_ q: Double) -> Double { gsl_cdf_ugaussian_Qinv(q) }
}

public enum ChiSquared {
  @inlinable public static func cdf(_ x: Double, dof: Double) -> Double { gsl_cdf_chisq_P(x, dof) }
  @inlinable public static func survival(_ x: Double, dof: Double) -> Double { gsl_cdf_chisq_Q(x, dof) }
}

public enum BetaDistribution {
  /// The p-quantile of Beta(a, b), used for Clopper–Pearson intervals.
  @inlinable public static func quantile(_ p: Double, a: Double, b: Double) -> Double { gsl_cdf_beta_Pinv(p, a, b) }
}

public enum PoissonDistribution {
  /// P(N ≤ k) for N ~ Poisson(mu).
  @inlinable public static func cdf(_ k: Int, mu: Double) -> Double { gsl_cdf_poisson_P(UInt32(clamping: k), mu) }
  /// ln Γ(x + 1) = ln x!.
  @inlinable public static func logFactorial(_ x: Double) -> Double { gsl_sf_lngamma(x + 1) }
}
