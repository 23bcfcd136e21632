import Foundation

/// How a run of Newton iterations ended.
struct NewtonOutcome {
  var converged: Bool
  var iterations: Int
  var decrement: Double
}

// MARK: - Projected Newton over the globals
//
// The profile P(g) = min_locals −2 ln L is minimised over the free globals g by a projected
// Newton method (Bertsekas, SIAM J. Control Optim. 20 (1982) 221): the gradient of P is
// ∂(−2 ln L)/∂g at the profiled locals, its Hessian the Schur complement S (built in the same
// pass as the profile); bounds by an active set and projection, an Armijo line search along the
// projection arc, a modified Cholesky factorisation when S is not positive definite.
extension GeneralFitter {
  /// Projected Newton on P(g) from the current point. `only` ≥ 0 restricts the step to that
  /// global (coordinate descent). Sets `F` to P at the final point and updates `x`.
  func newton(exact: Bool, maxIterations: Int, only: Int, F: inout Double) -> NewtonOutcome {
    let G = nGlobal
    lastFactorizationExact = true
    F = profile(schur: G > 0, exact: exact)
    if G == 0 { return NewtonOutcome(converged: F.isFinite, iterations: 0, decrement: 0) }
    if !F.isFinite { return NewtonOutcome(converged: false, iterations: 0, decrement: .infinity) }
    var iterations = 0
    var decrement = Double.infinity
    while iterations < maxIterations {
      iterations += 1
      // S and r are those of the current point (from the last accepted profile pass).
      let nf = globalActiveSet(only: only)
      lastFactorizationExact = true
      if nf == 0 { return NewtonOutcome(converged: true, iterations: iterations, decrement: 0) }
      let dec = globalNewtonDirection(nf)
      decrement = dec
      if !dec.isFinite { return NewtonOutcome(converged: false, iterations: iterations, decrement: dec) }
      if dec < options.tolerance { return NewtonOutcome(converged: exact, iterations: iterations, decrement: dec) }
      if !globalLineSearch(nf, dec: dec, exact: exact, F: &F) {
        // x is back at xSave (globals and their profiled locals), F unchanged: a stall.
        return NewtonOutcome(converged: exact && dec < max(options.tolerance, 1e-8), iterations: iterations, decrement: dec)
      }
    }
    return NewtonOutcome(converged: false, iterations: iterations, decrement: decrement)
  }

  /// The free globals not held at a bound by their gradient (all but `only` when ≥ 0), into
  /// `freeIdx`; their count.
  @inline(__always)
  func globalActiveSet(only: Int) -> Int {
    var nf = 0
    for i in 0..<nGlobal {
      if only >= 0 && i != only { continue }
      let p = Int(gParam[i])
      if (x[p] <= m.lower[p] && r[i] > 0) || (x[p] >= m.upper[p] && r[i] < 0) { continue }
      freeIdx[nf] = Int32(i)
      nf += 1
    }
    return nf
  }

  /// The Newton direction S⁻¹r over the `nf` free globals (modified Cholesky), in `df`; the
  /// decrement rᵀS⁻¹r.
  @inline(__always)
  func globalNewtonDirection(_ nf: Int) -> Double {
    let G = nGlobal
    for a in 0..<nf {
      let ia = Int(freeIdx[a])
      for c in 0..<nf { sf[a * nf + c] = S[ia * G + Int(freeIdx[c])] }
      df[a] = r[ia]
    }
    lastFactorizationExact = SmallLinearAlgebra.cholesky(sf, nf, modify: true)
    SmallLinearAlgebra.choleskySolve(sf, nf, df)
    var dec = 0.0
    for a in 0..<nf { dec += r[Int(freeIdx[a])] * df[a] }
    return dec
  }

  /// Armijo backtracking along the projection arc; each trial profiles the locals and builds S
  /// and r at the trial point, so an accepted step needs no further pass. Returns false (x and
  /// F restored) when no step decreases P.
  func globalLineSearch(_ nf: Int, dec: Double, exact: Bool, F: inout Double) -> Bool {
    copyParameters(x, to: xSave)
    for i in 0..<nGlobal { rSave[i] = r[i] }
    var alpha = 1.0
    let slack = 1e-13 * (1 + abs(F))
    while alpha > 1e-12 {
      var pred = 0.0
      for a in 0..<nf {
        let i = Int(freeIdx[a])
        let p = Int(gParam[i])
        let v = min(max(xSave[p] - alpha * df[a], m.lower[p]), m.upper[p])
        x[p] = v
        pred += rSave[i] * (v - xSave[p])
      }
      let Fn = profile(schur: true, exact: exact)
      if Fn <= F + 1e-4 * pred || (dec < 1e-8 && Fn <= F + slack) {
        F = Fn
        return true
      }
      copyParameters(xSave, to: x)
      alpha *= 0.5
    }
    for i in 0..<nGlobal { r[i] = rSave[i] }
    return false
  }
}
