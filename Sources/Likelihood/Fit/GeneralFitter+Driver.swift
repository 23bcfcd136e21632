import Foundation

/// Where a minimisation ended.
struct MinimizationState {
  var F: Double
  var outcome: NewtonOutcome
  var iterations: Int
  var method: String
  var tried: [String]
}

// MARK: - The fit: start, fallbacks, convergence check and restarts
extension GeneralFitter {
  /// Fits from the loaded start (``load(data:fixed:initial:)``).
  func run() -> FitResult {
    prepareStructure()
    prepareOrphans()
    if let e = zeroExpectationError() { return failed(e, tried: []) }
    var state = minimize()
    guard state.F.isFinite else { return failed(startError(), tried: state.tried) }
    var diagnostics = FitDiagnostics(positiveDefinite: lastFactorizationExact)
    if state.outcome.converged { restart(&state, &diagnostics) }
    return result(state, diagnostics)
  }

  /// Newton from the start; from a feasible start when −2 ln L is infinite there (ν = 0 in a
  /// bin with data, e.g. a normalisation at 0); then the fallbacks.
  func minimize() -> MinimizationState {
    var F = Double.infinity
    var out = newton(exact: true, maxIterations: options.maxIterations, only: -1, F: &F)
    var state = MinimizationState(F: F, outcome: out, iterations: out.iterations, method: "newton", tried: ["Newton"])
    if !F.isFinite && nGlobal > 0 {
      state.tried.append("Newton from the model's initial values")
      if feasibleStart() {
        out = newton(exact: true, maxIterations: options.maxIterations, only: -1, F: &F)
        state = MinimizationState(F: F, outcome: out, iterations: state.iterations + out.iterations, method: "newton", tried: state.tried)
      }
    }
    if state.F.isFinite && !state.outcome.converged { fallBack(&state) }
    return state
  }

  /// Fisher scoring (positive definite), then exact Newton; then coordinate descent over the
  /// globals, then exact Newton; keeps the best point.
  func fallBack(_ state: inout MinimizationState) {
    copyParameters(x, to: xBest)
    let best = state.F
    var F = state.F
    state.method = "fisher"
    state.tried.append("Fisher scoring")
    var out = newton(exact: false, maxIterations: 4 * options.maxIterations, only: -1, F: &F)
    state.iterations += out.iterations
    out = newton(exact: true, maxIterations: options.maxIterations, only: -1, F: &F)
    state.iterations += out.iterations
    if !out.converged {
      state.method = "coordinate"
      state.tried.append("coordinate descent")
      for _ in 0..<50 {
        let before = F
        for i in 0..<nGlobal { state.iterations += newton(exact: true, maxIterations: 20, only: i, F: &F).iterations }
        if !(before - F > 1e-10 * (1 + abs(F))) { break }
      }
      out = newton(exact: true, maxIterations: options.maxIterations, only: -1, F: &F)
      state.iterations += out.iterations
    }
    state.outcome = NewtonOutcome(converged: out.converged, iterations: state.iterations, decrement: out.decrement)
    state.F = F
    if !(F <= best) {
      copyParameters(xBest, to: x)
      state.F = profile(schur: nGlobal > 0)
    }
  }

  /// Moves the free parameters to the model's initial values when −2 ln L is infinite at the
  /// requested start (a warm start with a normalisation at 0 once the POI is fixed, say).
  /// Returns whether the likelihood is finite there; when it is not, the fit cannot be
  /// evaluated at its start (pyhf fails there too) and ``startError()`` says where.
  func feasibleStart() -> Bool {
    for p in 0..<m.parameterCount where free[p] { x[p] = min(max(m.initialValues[p], m.lower[p]), m.upper[p]) }
    prepareOrphans()
    return profile().isFinite
  }

  /// The result at the current point.
  func result(_ state: MinimizationState, _ diagnostics: FitDiagnostics) -> FitResult {
    let parameters = Array(UnsafeBufferPointer(start: x, count: m.parameterCount))
    var twiceNLL = state.F + dataConstant()
    if !twiceNLL.isFinite { twiceNLL = state.F.isNaN ? .nan : .infinity }
    let converged = state.outcome.converged && state.F.isFinite
    let uncertainties = options.computeUncertainties && state.F.isFinite
      ? computeUncertainties() : [Double](repeating: .nan, count: m.parameterCount)
    var tried = state.tried
    if diagnostics.restarts > 0 { tried.append("\(diagnostics.restarts) restarts") }
    return FitResult(
      parameters: parameters, twiceNLL: twiceNLL, uncertainties: uncertainties, converged: converged,
      iterations: state.iterations, newtonDecrement: state.outcome.decrement, method: state.method,
      diagnostics: diagnostics, error: converged ? nil : .notConverged(tried: tried, decrement: state.outcome.decrement))
  }

  /// A fit that could not start, at the start point.
  func failed(_ error: FitError, tried: [String]) -> FitResult {
    FitResult(
      parameters: Array(UnsafeBufferPointer(start: x, count: m.parameterCount)), twiceNLL: .infinity,
      uncertainties: [Double](repeating: .nan, count: m.parameterCount), converged: false, iterations: 0,
      newtonDecrement: .infinity, method: "none", error: error)
  }

  /// A bin without any sample (every nominal zero, no additive modifier) but with data.
  func zeroExpectationError() -> FitError? {
    for b in 0..<m.mainCount where n[b] > 0 && m.binTermStart[b] == m.binTermStart[b + 1] {
      return .zeroExpectation(location: m.describe(bin: b), observed: n[b])
    }
    return nil
  }

  /// Why −2 ln L is infinite at the model's initial values: the first bin with ν < 0 (and its
  /// negative sample) or ν = 0 with data, or a constraint outside its support.
  func startError() -> FitError {
    for p in 0..<m.parameterCount where free[p] { x[p] = min(max(m.initialValues[p], m.lower[p]), m.upper[p]) }
    for b in 0..<m.mainCount {
      let nu = m.expected(bin: b, x)
      if nu > 0 || (nu.isFinite && n[b] == 0) { continue }
      var term: Int?
      for t in Int(m.binTermStart[b])..<Int(m.binTermStart[b + 1]) where m.termValue(t, x) < 0 && term == nil { term = t }
      let detail = nu < 0 || nu.isNaN
        ? "the expected yield is \(nu)" + (term.map { ", sample \"\(m.sampleNames[m.termSample[$0]])\" gives \(m.termValue($0, x))" } ?? "")
        : "the expected yield is 0 with \(n[b]) events observed"
      return .notEvaluable(location: m.describe(bin: b), detail: detail + " at the initial parameter values")
    }
    for p in 0..<m.parameterCount where !constraintValue(p).isFinite {
      return .notEvaluable(location: "parameter \"\(m.parameterNames[p])\"", detail: "its constraint is not finite at \(x[p])")
    }
    return .notEvaluable(location: "the model", detail: "−2 ln L is not finite at any starting point tried")
  }
}
