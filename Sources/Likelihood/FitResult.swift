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
  /// region to numerical precision) and the convergence check passed (``diagnostics``).
  public var converged: Bool
  /// Newton iterations over the global parameters, over all attempts.
  public var iterations: Int
  /// Final Newton decrement gᵀH⁻¹g of −2 ln L over the free global parameters (the predicted
  /// further decrease of −2 ln L is half of it).
  public var newtonDecrement: Double
  /// Which strategy produced the result: "newton" (the batched and single fits of windows of
  /// the fast structure say "newton (batched)"), or a fallback ("fisher", "coordinate").
  public var method: String
  /// What the convergence check found (restarts, curvature at the minimum).
  public var diagnostics: FitDiagnostics
  /// Why the fit gave no trustworthy minimum; nil when ``converged``.
  public var error: FitError?

  public init(
    parameters: [Double], twiceNLL: Double, uncertainties: [Double], converged: Bool, iterations: Int,
    newtonDecrement: Double, method: String, diagnostics: FitDiagnostics = FitDiagnostics(), error: FitError? = nil
  ) {
    self.parameters = parameters
    self.twiceNLL = twiceNLL
    self.uncertainties = uncertainties
    self.converged = converged
    self.iterations = iterations
    self.newtonDecrement = newtonDecrement
    self.method = method
    self.diagnostics = diagnostics
    self.error = error
  }
}

/// The convergence check of a fit: whether its end point is a strict local minimum, and what
/// was done to make it the global one.
public struct FitDiagnostics: Equatable, Sendable {
  /// The profile Hessian over the free global parameters (off their bounds) is positive
  /// definite at the end point (false: a saddle or a flat direction — the fit was restarted).
  public var positiveDefinite: Bool = true
  /// Further starting points tried after the first fit converged (models whose likelihood can
  /// have several minima: a normsys or histosys that is not monotonic in its parameter, e.g.
  /// hi and lo on the same side of 1; or an end point that failed the check).
  public var restarts: Int = 0
  /// A restart found a lower minimum than the first fit (count these: the first minimum was
  /// local).
  public var improvedByRestart: Bool = false

  public init(positiveDefinite: Bool = true, restarts: Int = 0, improvedByRestart: Bool = false) {
    self.positiveDefinite = positiveDefinite
    self.restarts = restarts
    self.improvedByRestart = improvedByRestart
  }
}

/// A fit that cannot give a minimum, with what the user can act on.
public enum FitError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A bin expects no events for any parameter values (every sample is zero there) but has
  /// observed events: the likelihood is 0 everywhere.
  case zeroExpectation(location: String, observed: Double)
  /// −2 ln L cannot be evaluated at any starting point tried (e.g. a negative expected yield).
  case notEvaluable(location: String, detail: String)
  /// The fit did not converge; `tried` lists the strategies, `decrement` the last Newton
  /// decrement.
  case notConverged(tried: [String], decrement: Double)

  public var description: String {
    switch self {
    case .zeroExpectation(let location, let observed):
      return "\(location): no sample contributes events, but \(observed.formatted()) are observed (the likelihood is zero for every parameter value)"
    case .notEvaluable(let location, let detail):
      return "−2 ln L cannot be evaluated at the start: \(location): \(detail)"
    case .notConverged(let tried, let decrement):
      return "the fit did not converge (tried: \(tried.joined(separator: ", ")); last Newton decrement \(decrement))"
    }
  }
}

private extension Double {
  func formatted() -> String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
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
