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
//   the same side of 1), or whose yield is log-convex somewhere (an asymmetric normsys or
//   histosys under pyhf's polynomial interpolation; ``CompiledModel/wellScoreThreshold``):
//   the likelihood can be double-welled, so restarts from the other side (−θ̂), from ±2 and
//   from near either bound (a well beyond the polynomial region).
// At most ``restartBudget`` restarts per fit, the saddle points' and the highest well scores'
// first.
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

  /// At most this many restarts per fit: with many candidates (a workspace with dozens of
  /// asymmetric normsys) the restarts of the highest well scores are made. 16 restarts cost
  /// about five times the fit itself.
  static let restartBudget = 16

  /// The (parameter, starting value) pairs to try, most likely wells first.
  func restartPoints(positiveDefinite: Bool) -> [(Int, Double)] {
    var starts: [(priority: Double, p: Int, value: Double)] = []
    for i in 0..<nGlobal {
      let p = Int(gParam[i])
      let v = x[p]
      if !positiveDefinite && nGlobal <= 8 {
        let step = 0.1 * ((m.upper[p].isFinite && m.lower[p].isFinite) ? m.upper[p] - m.lower[p] : max(1, abs(v)))
        starts += [(3, p, v + step), (3, p, v - step)]
      }
      if m.mayHaveWells[p] {
        let lo = m.lower[p].isFinite ? m.lower[p] : -5, hi = m.upper[p].isFinite ? m.upper[p] : 5
        let edges = [lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo)]
        var tried: [Double] = [v]
        for candidate in [-v, -2, 2] + edges {
          let c = min(max(candidate, m.lower[p]), m.upper[p])
          if tried.contains(where: { abs($0 - c) <= 0.25 }) { continue }
          tried.append(c)
          starts.append((m.wellScore[p], p, c))
        }
      }
    }
    // A stable order: by priority, then as collected.
    let order = starts.indices.sorted { starts[$0].priority > starts[$1].priority || (starts[$0].priority == starts[$1].priority && $0 < $1) }
    return order.prefix(Self.restartBudget).map { (starts[$0].p, starts[$0].value) }
  }
}
