import Foundation

/// The outcome of a maximum-likelihood fit.
public struct FitResult: Equatable, Sendable {
  /// Best-fit values of all parameters (fixed ones at their fixed values).
  public var parameters: [Double]
  /// −2 ln L at the best fit, exactly as pyhf's `twice_nll` (all normalisation constants kept).
  public var twiceNLL: Double
  /// Standard deviations from the inverse Hessian of −ln L at the best fit (covariance
  /// V = (½ ∂²(−2 ln L))⁻¹); 0 for fixed parameters; NaN when the Hessian is not positive
  /// definite, the parameter does not enter the likelihood, or uncertainties were not requested.
  public var uncertainties: [Double]
  /// True when the final Newton decrement is below the tolerance (a minimum on the bounded
  /// region to numerical precision).
  public var converged: Bool
  /// Newton iterations over the global parameters, over all attempts.
  public var iterations: Int
  /// Final Newton decrement gᵀH⁻¹g of −2 ln L over the free global parameters (the predicted
  /// further decrease of −2 ln L is half of it). When the fit ended with a full Newton step in
  /// the quadratic regime, the decrement predicted after that step (C·dec², C from the last two
  /// decrements, at least 1).
  public var newtonDecrement: Double
  /// Which strategy produced the result: "newton", or a fallback ("fisher", "coordinate").
  public var method: String

  public init(
    parameters: [Double], twiceNLL: Double, uncertainties: [Double], converged: Bool, iterations: Int,
    newtonDecrement: Double, method: String
  ) {
    self.parameters = parameters
    self.twiceNLL = twiceNLL
    self.uncertainties = uncertainties
    self.converged = converged
    self.iterations = iterations
    self.newtonDecrement = newtonDecrement
    self.method = method
  }
}

/// Settings of a ``Fitter``. The defaults give the minimum to machine precision.
public struct FitOptions: Equatable, Sendable {
  /// Stop when the Newton decrement of −2 ln L is below this (1e-12: the minimum value of
  /// −2 ln L is then known to ~1e-12 and each parameter to ~1e-6 of its uncertainty).
  public var tolerance: Double = 1e-12
  /// Newton iterations per attempt before falling back to a slower, more robust strategy.
  public var maxIterations: Int = 60
  /// Compute ``FitResult/uncertainties`` (one extra pass; toys can switch it off).
  public var computeUncertainties: Bool = true

  public init(tolerance: Double = 1e-12, maxIterations: Int = 60, computeUncertainties: Bool = true) {
    self.tolerance = tolerance
    self.maxIterations = maxIterations
    self.computeUncertainties = computeUncertainties
  }
}
