import Foundation

// MARK: - Convergence check and restarts
//
// A converged fit ends where the projected gradient vanishes (Newton decrement below the
// tolerance). That point is a strict local minimum when the profile Hessian S over the free
// globals off their bounds is positive definite; it is the global minimum when the likelihood
// has one well. Two cases get restarts, the best end point is kept and the diagnostics say so:
// - S not positive definite at the end (a saddle or a flat direction): restarts from each free
//   global moved by ±10% of its range;
// - a free global whose effect is not monotonic within its bounds (a normsys with hi and lo on
//   the same side of 1), or whose slope varies strongly (an asymmetric normsys or histosys
//   under pyhf's polynomial interpolation, a large normsys; ``CompiledModel/mayHaveWells``):
//   the likelihood can be double-welled, so restarts from the other side (−θ̂), from ±2 and
//   from near either bound (a well beyond the polynomial region).
extension GeneralFitter {
  /// Restarts the converged fit in `state` from other points where the check asks for it;
  /// keeps the lowest minimum.
  func restart(_ state: inout MinimizationState, _ diagnostics: inout FitDiagnostics) {
    let starts = restartPoints(positiveDefinite: diagnostics.positiveDefinite)
    if starts.isEmpty { return }
    copyParameters(x, to: xBest)
    var best = state.F
    for (p, value) in starts {
      copyParameters(xBest, to: x)
      x[p] = min(max(value, m.lower[p]), m.upper[p])
      var F = Double.infinity
      let out = newton(exact: true, maxIterations: options.maxIterations, only: -1, F: &F)
      state.iterations += out.iterations
      diagnostics.restarts += 1
      if out.converged && F < best - 1e-9 * (1 + abs(best)) {
        best = F
        copyParameters(x, to: xBest)
        state.outcome = out
        diagnostics.improvedByRestart = true
        diagnostics.positiveDefinite = lastFactorizationExact
      }
    }
    copyParameters(xBest, to: x)
    state.F = profile()
    state.outcome.iterations = state.iterations
  }

  /// The (parameter, starting value) pairs to try.
  func restartPoints(positiveDefinite: Bool) -> [(Int, Double)] {
    var starts: [(Int, Double)] = []
    for i in 0..<nGlobal {
      let p = Int(gParam[i])
      let v = x[p]
      if !positiveDefinite && nGlobal <= 8 {
        let step = 0.1 * ((m.upper[p].isFinite && m.lower[p].isFinite) ? m.upper[p] - m.lower[p] : max(1, abs(v)))
        starts += [(p, v + step), (p, v - step)]
      }
      if m.mayHaveWells[p] {
        let lo = m.lower[p].isFinite ? m.lower[p] : -5, hi = m.upper[p].isFinite ? m.upper[p] : 5
        let edges = [lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo)]
        for candidate in [-v, -2, 2] + edges where abs(candidate - v) > 0.25 { starts.append((p, candidate)) }
      }
    }
    return starts
  }
}
