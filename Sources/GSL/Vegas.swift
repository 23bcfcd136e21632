import CGSL

/// VEGAS adaptive Monte Carlo integration over a box (GSL's `gsl_monte_vegas`).
///
/// VEGAS (G. P. Lepage, J. Comput. Phys. 27 (1978) 192) samples from a separable density
/// `p(x) = p₁(x₁)…p_d(x_d)` held as a grid of bins per axis, and moves the bin edges between
/// iterations so that every bin carries the same share of ∫|f|. It reduces the variance of peaks
/// that are aligned with the axes; map other peaks onto axes before integrating.
///
/// The procedure follows GSL's manual (section "VEGAS"):
/// 1. **warm-up**: `warmUpIterations` iterations of `warmUpCalls` calls adapt a fresh grid; their
///    estimates are discarded;
/// 2. **measurement**: `iterations` iterations of `calls` calls on the adapted grid; the result
///    is their inverse-variance weighted mean, with its error and the χ² per degree of freedom of
///    the iterations' spread about it;
/// 3. **refinement**: while |χ²/dof − 1| > `chiSquaredTolerance` (the iterations disagree more than
///    their errors allow, i.e. the grid was still moving), the measurement is repeated on the
///    further adapted grid, up to `maxRefinements` times. ``Result/converged`` says whether the
///    last measurement passed.
///
/// Example:
///
///     let stream = RandomStream(key: 7)
///     let r = try Vegas.integrate(over: [0...1, 0...1], using: stream) { x in 4 * x[0] * x[1] }
///     // r.value ≈ 1 ± r.error
public enum Vegas {
  /// The numbers of calls and iterations. Defaults suit a smooth 2–4 dimensional integrand.
  public struct Options: Sendable, Equatable {
    /// Calls per warm-up iteration (grid adaptation only).
    public var warmUpCalls: Int
    /// Warm-up iterations: 5 lets the grid converge for integrands with a few mapped peaks.
    public var warmUpIterations: Int
    /// Calls per measurement iteration.
    public var calls: Int
    /// Measurement iterations: at least 2 so that χ²/dof is defined; 5 is GSL's default.
    public var iterations: Int
    /// How many times a measurement with a bad χ²/dof is repeated.
    public var maxRefinements: Int
    /// A measurement is accepted when |χ²/dof − 1| ≤ this (GSL's manual uses 0.5).
    public var chiSquaredTolerance: Double
    /// Grid stiffness α (GSL default 1.5): smaller is stiffer, larger adapts faster.
    public var alpha: Double

    public init(warmUpCalls: Int = 10_000, warmUpIterations: Int = 5, calls: Int = 20_000,
                iterations: Int = 5, maxRefinements: Int = 3, chiSquaredTolerance: Double = 0.5,
                alpha: Double = 1.5) {
      self.warmUpCalls = warmUpCalls
      self.warmUpIterations = warmUpIterations
      self.calls = calls
      self.iterations = iterations
      self.maxRefinements = maxRefinements
      self.chiSquaredTolerance = chiSquaredTolerance
      self.alpha = alpha
    }

    /// Scales every call count by `factor` (at least 100 calls per iteration).
    public func scaled(by factor: Double) -> Options {
      var o = self
      o.warmUpCalls = max(100, Int((Double(warmUpCalls) * factor).rounded()))
      o.calls = max(100, Int((Double(calls) * factor).rounded()))
      return o
    }
  }

  /// An integral estimate.
  public struct Result: Sendable, Equatable {
    /// The estimate of ∫f.
    public var value: Double
    /// Its standard error (one standard deviation).
    public var error: Double
    /// χ² per degree of freedom of the measurement iterations about their mean.
    public var chiSquaredPerDegreeOfFreedom: Double
    /// Integrand evaluations spent, warm-up included.
    public var evaluations: Int
    /// Measurements repeated because of a bad χ²/dof.
    public var refinements: Int
    /// Whether the last measurement had |χ²/dof − 1| within the tolerance.
    public var converged: Bool

    public init(value: Double, error: Double, chiSquaredPerDegreeOfFreedom: Double, evaluations: Int,
                refinements: Int, converged: Bool) {
      self.value = value
      self.error = error
      self.chiSquaredPerDegreeOfFreedom = chiSquaredPerDegreeOfFreedom
      self.evaluations = evaluations
      self.refinements = refinements
      self.converged = converged
    }
  }

  /// Integrates `integrand` over the box `box` (one closed range per dimension).
  ///
  /// - Parameters:
  ///   - box: the integration limits, lower < upper in every dimension.
  ///   - options: calls and iterations (see ``Options``).
  ///   - stream: the random stream VEGAS draws its points from (results are reproducible from it).
  ///   - integrand: f(x), with x a buffer of `box.count` coordinates valid during the call only.
  ///     It must return finite values; a non-finite value makes the integration throw.
  /// - Returns: the estimate, its error and χ²/dof.
  /// - Throws: ``GSLError`` for a bad box or options, a GSL failure, or a non-finite integrand.
  /// - Complexity: O(total calls × cost of f).
  public static func integrate(
    over box: [ClosedRange<Double>], options: Options = Options(), using stream: RandomStream,
    _ integrand: (UnsafeBufferPointer<Double>) -> Double
  ) throws -> Result {
    GSLRuntime.install()
    let dim = box.count
    guard dim >= 1 else { throw GSLError(status: Int32(GSL_EINVAL), context: "VEGAS: the box has no dimension") }
    for (i, r) in box.enumerated() where !(r.lowerBound.isFinite && r.upperBound.isFinite && r.upperBound > r.lowerBound) {
      throw GSLError(status: Int32(GSL_EINVAL), context: "VEGAS: dimension \(i) has an empty or non-finite range \(r)")
    }
    guard options.calls >= 2, options.warmUpCalls >= 2, options.iterations >= 2, options.warmUpIterations >= 1,
          options.maxRefinements >= 0, options.chiSquaredTolerance > 0, options.alpha > 0 else {
      throw GSLError(status: Int32(GSL_EINVAL), context: "VEGAS: invalid options \(options)")
    }

    var lower = box.map(\.lowerBound)
    var upper = box.map(\.upperBound)
    return try withoutActuallyEscaping(integrand) { f in
      let context = IntegrandContext(f)
      return try withExtendedLifetime(context) { () throws -> Result in
        var function = gsl_monte_function(
          f: { x, n, context in
            let c = Unmanaged<IntegrandContext>.fromOpaque(context!).takeUnretainedValue()
            let value = c.function(UnsafeBufferPointer(start: x, count: n))
            c.evaluations += 1
            if !value.isFinite {
              if c.firstBadValue == nil { c.firstBadValue = value }
              return 0
            }
            return value
          },
          dim: dim,
          params: Unmanaged.passUnretained(context).toOpaque())

        guard let state = gsl_monte_vegas_alloc(dim) else {
          throw GSLError(status: Int32(GSL_ENOMEM), context: "gsl_monte_vegas_alloc(\(dim))")
        }
        defer { gsl_monte_vegas_free(state) }

        func run(stage: Int32, calls: Int, iterations: Int) throws -> (Double, Double) {
          var params = gsl_monte_vegas_params()
          gsl_monte_vegas_params_get(state, &params)
          params.stage = stage
          params.iterations = iterations
          params.alpha = options.alpha
          params.verbose = -1
          gsl_monte_vegas_params_set(state, &params)
          var value = 0.0
          var error = 0.0
          let status = gsl_monte_vegas_integrate(&function, &lower, &upper, dim, calls, stream.rng, state, &value, &error)
          try GSLError.check(status, "gsl_monte_vegas_integrate (stage \(stage), \(calls) calls)")
          if let bad = context.firstBadValue {
            throw GSLError(status: Int32(GSL_EBADFUNC), context: "VEGAS: the integrand returned \(bad)")
          }
          return (value, error)
        }

        // Warm-up: adapt a fresh grid (stage 0), results discarded by the next stage-1 call.
        _ = try run(stage: 0, calls: options.warmUpCalls, iterations: options.warmUpIterations)
        var refinements = 0
        while true {
          // Stage 1: keep the grid, forget the accumulated estimates.
          let (value, error) = try run(stage: 1, calls: options.calls, iterations: options.iterations)
          let chi2 = gsl_monte_vegas_chisq(state)
          let converged = abs(chi2 - 1) <= options.chiSquaredTolerance
          if converged || refinements >= options.maxRefinements {
            guard value.isFinite, error.isFinite else {
              throw GSLError(status: Int32(GSL_EDIVERGE), context: "VEGAS: non-finite estimate \(value) ± \(error)")
            }
            return Result(value: value, error: error, chiSquaredPerDegreeOfFreedom: chi2,
                          evaluations: context.evaluations, refinements: refinements, converged: converged)
          }
          refinements += 1
        }
      }
    }
  }
}

/// The Swift closure behind GSL's `void *params`, with the bookkeeping of one integration.
/// GSL cannot propagate a Swift error out of the callback: a non-finite value is recorded here,
/// replaced by 0 for GSL, and thrown once GSL returns.
private final class IntegrandContext {
  let function: (UnsafeBufferPointer<Double>) -> Double
  var evaluations = 0
  var firstBadValue: Double?

  init(_ function: @escaping (UnsafeBufferPointer<Double>) -> Double) { self.function = function }
}
