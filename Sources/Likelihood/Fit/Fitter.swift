import Foundation

/// Exact maximum-likelihood fits of a ``Model`` with bounds and fixed parameters.
///
/// ## The method
/// Parameters that enter exactly one main bin (staterror, shapesys and shapefactor parameters,
/// and any other parameter of a single-bin channel) are *local*, unless their effect is not
/// monotonic; the others (POI, normfactors, normsys, histosys, lumi, shapefactors spanning
/// several channels) are *global*. For fixed
/// global parameters, −2 ln L separates into one small problem per bin. The fit minimises the
/// profile P(g) = min_locals −2 ln L over the globals g (variable projection) by a projected
/// Newton method whose Hessian is the Schur complement S = H_gg − Σ_bins H_gl H_ll⁻¹ H_lg of
/// the arrow-shaped full Hessian (``GeneralFitter``).
///
/// Two engines do this:
/// - **the fast structure** (``FastStructure``, ``FastFitEngine``): when every bin's free
///   locals are Gaussian-constrained linear factors, at most two on a term (the search windows'
///   γb·γv), and the globals enter as products shared by whole samples, each bin is profiled in
///   closed form and the fit runs on SIMD lanes — many data sets at once (``BatchFitter``), or
///   one (this class, on a narrow lane vector). The reference window, the search windows and
///   the wide-Z′ windows take it; a lane whose bin leaves the closed form (a local at a bound)
///   is refitted on the general engine.
/// - **the general engine** (``GeneralFitter``): per-bin closed forms (Gaussian factors of
///   disjoint terms, one Poisson-constrained or one free factor) or projected Newton per bin;
///   fallbacks Fisher scoring and coordinate descent.
///
/// A converged fit is checked (``FitDiagnostics``): a saddle point, or a model whose
/// likelihood can be double-welled (a non-monotonic normsys or histosys), is restarted from
/// other points and the lowest minimum kept. A fit that cannot be evaluated at its start, or
/// does not converge, carries a ``FitError`` (``fitChecked(data:fixed:initial:)`` throws it).
///
/// Uncertainties come from the inverse of the full Hessian of −ln L at the minimum, obtained
/// blockwise from the same arrow structure.
///
/// A `Fitter` owns its scratch buffers: reuse it for many fits; it is not thread-safe — use one
/// per thread with a shared ``Model`` (the model's compiled form is shared read-only).
///
/// ```swift
/// let fitter = Fitter(model: model)
/// let free = fitter.fit(data: model.observedData)
/// let atZero = fitter.fit(data: model.observedData, fixed: [model.poiIndex!: 0])
/// let q0 = atZero.twiceNLL - free.twiceNLL
/// ```
public final class Fitter {
  public let model: Model
  public var options: FitOptions {
    didSet { general.options = options }
  }
  let general: GeneralFitter
  /// The fast engine on one lane, for fits whose free parameters have the fast structure.
  let fast: FastFitEngine
  /// Use the fast engine where it applies (tests switch it off to compare with the general one).
  var fastPath = true

  /// A fitter for `model` with its own scratch space.
  /// - Complexity: O(size of the model), once.
  public init(model: Model, options: FitOptions = FitOptions()) {
    self.model = model
    self.options = options
    general = GeneralFitter(model: model.compiled, options: options)
    fast = FastFitEngine(model: model.compiled)
  }

  /// Maximum-likelihood fit.
  ///
  /// - Parameters:
  ///   - data: main data followed by auxiliary data (``Model/mainBinCount`` + ``Model/auxCount``
  ///     values), e.g. ``Model/observedData``, an Asimov set or a toy.
  ///   - fixed: parameters held at the given values, in addition to ``Model/fixedByDefault``
  ///     (which stay at ``Model/initialValues`` unless listed here).
  ///   - initial: starting values (default ``Model/initialValues``); free values are clamped
  ///     into the bounds.
  /// - Returns: the best fit; ``FitResult/converged`` tells whether it is a minimum to
  ///   ``FitOptions/tolerance``, ``FitResult/error`` why not.
  /// - Complexity: O(bins · (k + G)²) per Newton iteration, typically 3–8 iterations.
  public func fit(data: [Double], fixed: [Int: Double] = [:], initial: [Double]? = nil) -> FitResult {
    let m = model.compiled
    precondition(data.count == m.mainCount + m.auxCount, "expected \(m.mainCount + m.auxCount) data (main + aux), got \(data.count)")
    if let initial { precondition(initial.count == m.parameterCount, "expected \(m.parameterCount) initial values, got \(initial.count)") }
    for p in fixed.keys { precondition(p >= 0 && p < m.parameterCount, "fixed parameter index \(p) out of range") }
    let start = initial ?? model.initialValues
    data.withUnsafeBufferPointer { d in
      start.withUnsafeBufferPointer { s in general.load(data: d.baseAddress!, fixed: fixed, initial: s.baseAddress!) }
    }
    if fastPath, let r = fast.fitOne(general: general) { return r }
    return general.run()
  }

  /// Fit with the parameter of interest fixed at `poi` (pyhf `fixed_poi_fit`).
  public func fit(data: [Double], poi: Double) -> FitResult {
    guard let i = model.poiIndex else { preconditionFailure("the model has no parameter of interest") }
    return fit(data: data, fixed: [i: poi])
  }

  /// The fast structure of fits with these `fixed` parameters (and the model's
  /// free-by-default set), nil when they take the general engine.
  func fastStructure(fixed: [Int: Double] = [:]) -> FastStructure? {
    let m = model.compiled
    var free = (0..<m.parameterCount).map { m.freeByDefault[$0] }
    var values = model.initialValues
    for (p, v) in fixed {
      free[p] = false
      values[p] = v
    }
    return free.withUnsafeBufferPointer { f in
      values.withUnsafeBufferPointer { fast.runtime(free: f.baseAddress!, values: $0.baseAddress!)?.structure }
    }
  }

  /// ``fit(data:fixed:initial:)``, throwing ``FitResult/error`` when the fit gives no minimum
  /// (cannot be evaluated at its start, or does not converge).
  public func fitChecked(data: [Double], fixed: [Int: Double] = [:], initial: [Double]? = nil) throws -> FitResult {
    let r = fit(data: data, fixed: fixed, initial: initial)
    if let e = r.error { throw e }
    return r
  }
}
