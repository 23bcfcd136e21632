import Foundation

/// The constraint term of one constrained parameter θ and its auxiliary measurement a
/// (pyhf `constraints.py`, `parameters/paramsets.py`).
public enum Constraint: Equatable, Sendable {
  /// a ~ Normal(θ, σ): normsys, histosys, lumi (σ from the measurement) and staterror
  /// (σ = relative statistical uncertainty of the bin). The auxiliary datum is the centre.
  case gaussian(sigma: Double)
  /// a ~ Poisson(τ·θ), continuous in a (lgamma): shapesys, with τ = (ν/δ)² and a = τ at nominal.
  case poisson(tau: Double)

  /// Expected auxiliary datum for parameter value θ: θ (Gaussian) or τθ (Poisson), as
  /// pyhf's `model.expected_auxdata`.
  @inlinable
  public func expectedAux(_ theta: Double) -> Double {
    switch self {
    case .gaussian: theta
    case .poisson(let tau): tau * theta
    }
  }

  /// ln p(a | θ) as pyhf's numpy backend computes it (`normal_logpdf`, `poisson_logpdf`).
  @inlinable
  public func logPDF(aux a: Double, theta: Double) -> Double {
    switch self {
    case .gaussian(let sigma): LogPDF.normal(a, mean: theta, sigma: sigma)
    case .poisson(let tau): LogPDF.poisson(a, rate: tau * theta)
    }
  }
}

/// One constraint term of a model: the parameter it constrains, the position of its auxiliary
/// datum in ``Model/auxData`` (pyhf's `model.config.auxdata` order) and its kind.
///
/// Toys fluctuate the auxiliary data like pyhf (`model.make_pdf(pars).sample()`): a Gaussian
/// datum is drawn from Normal(θ, σ), a Poisson datum from Poisson(τθ).
public struct ConstraintTerm: Equatable, Sendable {
  /// Index of the constrained parameter.
  public let parameter: Int
  /// Index into ``Model/auxData``; in the full data vector it is `model.mainBinCount + auxIndex`.
  public let auxIndex: Int
  public let constraint: Constraint
}

/// Log densities exactly as pyhf's numpy backend (`tensor/numpy_backend.py`).
public enum LogPDF {
  /// ln Pois(n | λ) = xlogy(n, λ) − λ − lgamma(n + 1), continuous in n (pyhf `poisson_logpdf`).
  @inlinable
  public static func poisson(_ n: Double, rate lambda: Double) -> Double {
    xlogy(n, lambda) - lambda - lgamma(n + 1.0)
  }

  /// ln N(x | µ, σ) = −ln(σ√(2π)) − ((x − µ)/(√2 σ))² (pyhf `normal_logpdf`).
  @inlinable
  public static func normal(_ x: Double, mean mu: Double, sigma: Double) -> Double {
    let root2 = 2.0.squareRoot()
    let root2pi = (2.0 * Double.pi).squareRoot()
    let z = (x - mu) / (root2 * sigma)
    return -Foundation.log(sigma * root2pi) - z * z
  }

  /// x·ln y with 0·ln y = 0 (scipy `xlogy`).
  @inlinable
  public static func xlogy(_ x: Double, _ y: Double) -> Double {
    if x == 0 && !y.isNaN { return 0 }
    return x * Foundation.log(y)
  }
}
