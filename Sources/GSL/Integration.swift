import CGSL

/// One-dimensional quadrature (GSL's QUADPACK port, `gsl_integration_*`) and fixed Gauss–Legendre
/// rules.
///
/// What to use when:
/// - ``adaptive(over:absoluteTolerance:relativeTolerance:limit:_:)`` (QAGS): the default; copes
///   with integrable end-point singularities by Wynn's ε-extrapolation.
/// - ``gaussKronrod(over:rule:absoluteTolerance:relativeTolerance:limit:_:)`` (QAG): smooth but
///   oscillating or sharply peaked integrands, where a higher-order rule pays.
/// - ``upperHalfLine(from:absoluteTolerance:relativeTolerance:limit:_:)`` (QAGIU): ∫ₐ^∞.
/// - ``GaussLegendre``: a fixed n-point rule, exact for polynomials of degree 2n − 1; no error
///   estimate, but deterministic cost (use it inside tables built many times).
///
/// The integrand is a Swift closure; it must return finite values (a non-finite value makes the
/// call throw). Every GSL status other than success is thrown as ``GSLError``, including
/// `GSL_EMAXITER` and `GSL_EROUND` (the tolerance was not reached): a caller that prefers a
/// less precise answer asks for a looser tolerance.
public enum Integration {
  /// An integral estimate with QUADPACK's absolute error estimate.
  public struct Result: Sendable, Equatable {
    public var value: Double
    public var error: Double
    public init(value: Double, error: Double) {
      self.value = value
      self.error = error
    }
  }

  /// The Gauss–Kronrod pair of ``gaussKronrod(over:rule:absoluteTolerance:relativeTolerance:limit:_:)``.
  public enum Rule: Int32, Sendable, CaseIterable {
    case points15 = 1, points21, points31, points41, points51, points61
  }

  /// ∫ₐᵇ f(x) dx by QAGS (adaptive Gauss–Kronrod 21 with ε-extrapolation).
  ///
  /// - Parameters:
  ///   - range: [a, b], finite.
  ///   - absoluteTolerance, relativeTolerance: stop when error ≤ max(abs, rel·|result|).
  ///     The default relative tolerance 1e-10 is well above double rounding for smooth integrands.
  ///   - limit: the most subintervals (memory of the workspace).
  ///   - f: the integrand.
  /// - Throws: ``GSLError`` when the tolerance cannot be reached or f is not finite.
  public static func adaptive(
    over range: ClosedRange<Double>, absoluteTolerance: Double = 0, relativeTolerance: Double = 1e-10,
    limit: Int = 1000, _ f: (Double) -> Double
  ) throws -> Result {
    try withWorkspace(limit: limit, f, context: "gsl_integration_qags over \(range)") { fn, w, value, error in
      gsl_integration_qags(fn, range.lowerBound, range.upperBound, absoluteTolerance, relativeTolerance,
                           limit, w, value, error)
    }
  }

  /// ∫ₐᵇ f(x) dx by QAG with the given Gauss–Kronrod rule (default 61 points).
  public static func gaussKronrod(
    over range: ClosedRange<Double>, rule: Rule = .points61, absoluteTolerance: Double = 0,
    relativeTolerance: Double = 1e-10, limit: Int = 1000, _ f: (Double) -> Double
  ) throws -> Result {
    try withWorkspace(limit: limit, f, context: "gsl_integration_qag over \(range)") { fn, w, value, error in
      gsl_integration_qag(fn, range.lowerBound, range.upperBound, absoluteTolerance, relativeTolerance,
                          limit, rule.rawValue, w, value, error)
    }
  }

  /// ∫ₐ^∞ f(x) dx by QAGIU (x = a + (1 − t)/t, then QAGS on t ∈ (0, 1]).
  public static func upperHalfLine(
    from a: Double, absoluteTolerance: Double = 0, relativeTolerance: Double = 1e-10, limit: Int = 1000,
    _ f: (Double) -> Double
  ) throws -> Result {
    try withWorkspace(limit: limit, f, context: "gsl_integration_qagiu from \(a)") { fn, w, value, error in
      gsl_integration_qagiu(fn, a, absoluteTolerance, relativeTolerance, limit, w, value, error)
    }
  }

  private static func withWorkspace(
    limit: Int, _ f: (Double) -> Double, context: @autoclosure () -> String,
    _ body: (UnsafeMutablePointer<gsl_function>, UnsafeMutablePointer<gsl_integration_workspace>,
             UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Int32
  ) throws -> Result {
    GSLRuntime.install()
    guard limit >= 1 else { throw GSLError(status: Int32(GSL_EINVAL), context: "\(context()): limit must be ≥ 1") }
    guard let w = gsl_integration_workspace_alloc(limit) else {
      throw GSLError(status: Int32(GSL_ENOMEM), context: "gsl_integration_workspace_alloc(\(limit))")
    }
    defer { gsl_integration_workspace_free(w) }
    return try withFunction(f) { fn, bad in
      var value = 0.0
      var error = 0.0
      let status = body(fn, w, &value, &error)
      if let b = bad() { throw GSLError(status: Int32(GSL_EBADFUNC), context: "\(context()): the integrand returned \(b)") }
      try GSLError.check(status, context())
      return Result(value: value, error: error)
    }
  }

  /// A fixed n-point Gauss–Legendre rule (`gsl_integration_glfixed`), exact for polynomials of
  /// degree ≤ 2n − 1. Nodes and weights are computed once (GSL tabulates them to double
  /// precision for the common n and uses Newton iteration otherwise).
  public struct GaussLegendre: Sendable, Equatable {
    /// Nodes on [−1, 1], increasing.
    public let nodes: [Double]
    /// Weights on [−1, 1] (they sum to 2).
    public let weights: [Double]

    /// - Throws: ``GSLError`` when n < 1 or GSL cannot make the table.
    public init(points n: Int) throws {
      GSLRuntime.install()
      guard n >= 1 else { throw GSLError(status: Int32(GSL_EINVAL), context: "Gauss–Legendre rule with \(n) points") }
      guard let table = gsl_integration_glfixed_table_alloc(n) else {
        throw GSLError(status: Int32(GSL_ENOMEM), context: "gsl_integration_glfixed_table_alloc(\(n))")
      }
      defer { gsl_integration_glfixed_table_free(table) }
      var xs = [Double](repeating: 0, count: n)
      var ws = [Double](repeating: 0, count: n)
      for i in 0..<n {
        try GSLError.check(gsl_integration_glfixed_point(-1, 1, i, &xs[i], &ws[i], table),
                           "gsl_integration_glfixed_point(\(i) of \(n))")
      }
      let order = xs.indices.sorted { xs[$0] < xs[$1] }
      nodes = order.map { xs[$0] }
      weights = order.map { ws[$0] }
    }

    /// The (node, weight) pairs mapped onto [a, b].
    public func points(over range: ClosedRange<Double>) -> [(x: Double, w: Double)] {
      let half = 0.5 * (range.upperBound - range.lowerBound)
      let mid = 0.5 * (range.upperBound + range.lowerBound)
      return zip(nodes, weights).map { (mid + half * $0, half * $1) }
    }

    /// ∫ₐᵇ f ≈ Σ wᵢ f(xᵢ).
    public func integrate(over range: ClosedRange<Double>, _ f: (Double) -> Double) -> Double {
      let half = 0.5 * (range.upperBound - range.lowerBound)
      let mid = 0.5 * (range.upperBound + range.lowerBound)
      var sum = 0.0
      for i in nodes.indices { sum += weights[i] * f(mid + half * nodes[i]) }
      return half * sum
    }
  }
}

/// Root finding in one dimension (`gsl_root_fsolver_brent`).
public enum RootFinding {
  /// The x in `bracket` with f(x) = 0, by Brent's method (bisection, secant and inverse quadratic
  /// interpolation; R. P. Brent, "Algorithms for Minimization without Derivatives", 1973).
  ///
  /// - Parameters:
  ///   - bracket: [a, b] with f(a) and f(b) of opposite signs (or one of them zero).
  ///   - absoluteTolerance, relativeTolerance: stop when the bracket is narrower than
  ///     abs + rel·min(|a|, |b|) (`gsl_root_test_interval`).
  ///   - maxIterations: give up (throw `GSL_EMAXITER`) after this many iterations.
  /// - Throws: ``GSLError`` when the bracket does not change sign, f is not finite, or the
  ///   iteration limit is reached.
  public static func brent(
    in bracket: ClosedRange<Double>, absoluteTolerance: Double = 0, relativeTolerance: Double = 1e-12,
    maxIterations: Int = 200, _ f: (Double) -> Double
  ) throws -> Double {
    GSLRuntime.install()
    let fa = f(bracket.lowerBound)
    let fb = f(bracket.upperBound)
    guard fa.isFinite, fb.isFinite else {
      throw GSLError(status: Int32(GSL_EBADFUNC), context: "Brent root: f is not finite at the ends of \(bracket)")
    }
    if fa == 0 { return bracket.lowerBound }
    if fb == 0 { return bracket.upperBound }
    guard (fa < 0) != (fb < 0) else {
      throw GSLError(status: Int32(GSL_EINVAL), context: "Brent root: f(\(bracket.lowerBound)) = \(fa) and f(\(bracket.upperBound)) = \(fb) have the same sign")
    }
    guard let solver = gsl_root_fsolver_alloc(zpt_root_fsolver_brent()) else {
      throw GSLError(status: Int32(GSL_ENOMEM), context: "gsl_root_fsolver_alloc")
    }
    defer { gsl_root_fsolver_free(solver) }
    return try withFunction(f) { fn, bad in
      try GSLError.check(gsl_root_fsolver_set(solver, fn, bracket.lowerBound, bracket.upperBound), "gsl_root_fsolver_set \(bracket)")
      for _ in 0..<maxIterations {
        let status = gsl_root_fsolver_iterate(solver)
        if let b = bad() { throw GSLError(status: Int32(GSL_EBADFUNC), context: "Brent root: f returned \(b)") }
        try GSLError.check(status, "gsl_root_fsolver_iterate")
        let lo = gsl_root_fsolver_x_lower(solver)
        let hi = gsl_root_fsolver_x_upper(solver)
        if gsl_root_test_interval(lo, hi, absoluteTolerance, relativeTolerance) == GSL_SUCCESS {
          return gsl_root_fsolver_root(solver)
        }
      }
      throw GSLError(status: Int32(GSL_EMAXITER), context: "Brent root in \(bracket): no convergence in \(maxIterations) iterations")
    }
  }
}

/// Calls `body` with a `gsl_function` whose `params` carries `f`; `body` receives a closure that
/// reports the first non-finite value f returned (replaced by 0 for GSL, which cannot unwind a
/// Swift error).
private func withFunction<R>(
  _ f: (Double) -> Double,
  _ body: (UnsafeMutablePointer<gsl_function>, () -> Double?) throws -> R
) throws -> R {
  try withoutActuallyEscaping(f) { f in
    let context = ScalarFunctionContext(f)
    return try withExtendedLifetime(context) {
      var function = gsl_function(
        function: { x, params in
          let c = Unmanaged<ScalarFunctionContext>.fromOpaque(params!).takeUnretainedValue()
          let y = c.function(x)
          if !y.isFinite {
            if c.firstBadValue == nil { c.firstBadValue = y }
            return 0
          }
          return y
        },
        params: Unmanaged.passUnretained(context).toOpaque())
      return try body(&function) { context.firstBadValue }
    }
  }
}

private final class ScalarFunctionContext {
  let function: (Double) -> Double
  var firstBadValue: Double?
  init(_ function: @escaping (Double) -> Double) { self.function = function }
}
