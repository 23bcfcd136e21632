import Foundation

/// The projected Newton iteration over the globals of every lane, in vector form: each lane is
/// at its own point of its own fit, and one pass of the kernels evaluates all lanes at their
/// trial points (``FastRuntime/xt``); ``FastRuntime/newtonStep(tolerance:maxIterations:)`` then
/// accepts or backtracks per lane (Armijo along the projection arc, as the general fitter) and
/// computes the next Newton direction from the lane's Schur complement (modified Cholesky on
/// the globals off their bounds).
struct LaneNewtonState {
  typealias Mask = LaneMask
  /// The accepted point, its gradient and Hessian, the Newton direction.
  let x: UnsafeMutablePointer<Lanes>
  let r: UnsafeMutablePointer<Lanes>
  let S: UnsafeMutablePointer<Lanes>
  let d: UnsafeMutablePointer<Lanes>
  /// Scratch of the factorisation (G × G) and the free-coordinate flags (G).
  let L: UnsafeMutablePointer<Lanes>
  let active: UnsafeMutablePointer<Lanes>
  var F = Lanes.splat(.infinity)
  var alpha = Lanes.splat(1)
  var decrement = Lanes.splat(.infinity)
  var iterations = Lanes.splat(0)
  /// Lanes whose next pass evaluates their starting point.
  var starting = Mask(repeating: true)
  /// Lanes whose last factorisation of S needed no modification (S positive definite).
  var positiveDefinite = Mask(repeating: true)

  init(G: Int, storage: RawStorage) {
    x = storage.make(G, Lanes.splat(0))
    r = storage.make(G, Lanes.splat(0))
    S = storage.make(G * G, Lanes.splat(0))
    d = storage.make(G, Lanes.splat(0))
    L = storage.make(G * G, Lanes.splat(0))
    active = storage.make(G, Lanes.splat(0))
  }
}

/// What happened to the lanes in a Newton step.
struct LaneOutcome {
  /// Lanes whose fit ended at a minimum (decrement below the tolerance, or a stall with a
  /// decrement below 1e-8).
  var converged: LaneMask
  /// Lanes to refit on the general engine (a closed form failed at the start, no descent, too
  /// many iterations).
  var fallback: LaneMask
}

extension FastRuntime {
  typealias Mask = LaneMask

  /// Accepts or rejects each lane's trial point (the last pass), then for accepted lanes the
  /// next Newton direction and trial point; for rejected lanes the next step length.
  func newtonStep(tolerance: Double, maxIterations: Int) -> LaneOutcome {
    let one = Lanes.splat(1)
    let usable = .!failed .& (Ft .< Lanes.splat(.infinity))
    var pred = Lanes.splat(0)
    for i in 0..<G { pred = pred.fma(lane.r[i], xt[i] - lane.x[i]) }
    let slack = Lanes.splat(1e-13) * (one + (lane.F).magnitude)
    let armijo = (Ft .<= lane.F + Lanes.splat(1e-4) * pred) .| ((lane.decrement .< Lanes.splat(1e-8)) .& (Ft .<= lane.F + slack))
    let accept = usable .& (lane.starting .| armijo)
    var fallback = lane.starting .& .!usable
    // Accepted lanes move to the trial point.
    lane.F = lane.F.or(Ft, where: accept)
    for i in 0..<G {
      lane.x[i] = lane.x[i].or(xt[i], where: accept)
      lane.r[i] = lane.r[i].or(rt[i], where: accept)
    }
    for i in 0..<(G * G) { lane.S[i] = lane.S[i].or(St[i], where: accept) }
    // Rejected trials: halve the step; a lane that cannot descend stalls.
    let rejected = .!accept .& .!lane.starting
    lane.alpha = lane.alpha.or(lane.alpha * Lanes.splat(0.5), where: rejected)
    let stalled = rejected .& (lane.alpha .< Lanes.splat(1e-12))
    var converged = stalled .& (lane.decrement .< Lanes.splat(max(tolerance, 1e-8)))
    fallback = fallback .| (stalled .& .!converged)
    // Accepted lanes: the next Newton direction.
    let (dec, exact) = newtonDirection()
    lane.positiveDefinite = (lane.positiveDefinite .& .!accept) .| (exact .& accept)
    let decided = accept .& (dec .< Lanes.splat(tolerance))
    converged = converged .| decided
    lane.decrement = lane.decrement.or(dec, where: accept)
    lane.iterations = lane.iterations.or(lane.iterations + one, where: accept)
    let stepping = accept .& .!decided
    fallback = fallback .| (stepping .& ((lane.iterations .> Lanes.splat(Double(maxIterations))) .| .!(dec .< Lanes.splat(.infinity))))
    lane.alpha = lane.alpha.or(one, where: stepping)
    lane.starting = lane.starting .& .!accept
    // Next trial point of every stepping or backtracking lane.
    for i in 0..<G {
      let target = lane.x[i] - lane.alpha * lane.d[i]
      let lo = Lanes.splat(globalLower[i]), hi = Lanes.splat(globalUpper[i])
      xt[i] = target.replacing(with: lo, where: target .< lo).replacing(with: hi, where: target .> hi)
    }
    return LaneOutcome(converged: converged, fallback: fallback .& .!converged)
  }

  /// The Newton direction d = S⁻¹r over the globals off their bounds (per lane: a global at a
  /// bound with the gradient pointing out is held), by a modified Cholesky factorisation (a
  /// pivot below 1e-10 of the largest diagonal is raised to it, as
  /// ``SmallLinearAlgebra/cholesky(_:_:modify:)``); returns the decrement rᵀd.
  func newtonDirection() -> (Lanes, Mask) {
    let zero = Lanes.splat(0), one = Lanes.splat(1)
    for i in 0..<G {
      let lo = Lanes.splat(globalLower[i]), hi = Lanes.splat(globalUpper[i])
      let held = ((lane.x[i] .<= lo) .& (lane.r[i] .> zero)) .| ((lane.x[i] .>= hi) .& (lane.r[i] .< zero))
      lane.active[i] = one.or(zero, where: held)
    }
    var maxDiag = zero
    for i in 0..<G {
      for k in 0..<G {
        let held = (lane.active[i] * lane.active[k]) .== zero
        lane.L[i * G + k] = lane.S[i * G + k].or(i == k ? one : zero, where: held)
      }
      maxDiag = maxDiag.maximum((lane.L[i * G + i]).magnitude)
      lane.d[i] = lane.r[i] * lane.active[i]
    }
    let delta = (Lanes.splat(1e-10) * maxDiag).maximum(Lanes.splat(1e-300))
    let exact = choleskyModified(delta)
    choleskySolve()
    var dec = zero
    for i in 0..<G { dec = dec.fma(lane.r[i] * lane.active[i], lane.d[i]) }
    return (dec, exact)
  }

  /// In-place modified Cholesky of `lane.L` (lower triangle); the lanes that needed no
  /// modification.
  private func choleskyModified(_ delta: Lanes) -> Mask {
    let L = lane.L
    var exact = Mask(repeating: true)
    for j in 0..<G {
      var dj = L[j * G + j]
      for k in 0..<j { dj = dj - L[j * G + k] * L[j * G + k] }
      let bad = .!(dj .> delta)
      exact = exact .& .!bad
      let fixed = (dj).magnitude.maximum(delta).or(delta, where: .!((dj).magnitude .< Lanes.splat(.infinity)))
      dj = dj.or(fixed, where: bad)
      let l = dj.root()
      L[j * G + j] = l
      let inv = Lanes.splat(1) / l
      for i in (j + 1)..<max(j + 1, G) {
        var s = L[i * G + j]
        for k in 0..<j { s = s - L[i * G + k] * L[j * G + k] }
        L[i * G + j] = s * inv
      }
    }
    return exact
  }

  /// Solves L Lᵀ d = d in place.
  private func choleskySolve() {
    let L = lane.L, d = lane.d
    for i in 0..<G {
      var s = d[i]
      for k in 0..<i { s = s - L[i * G + k] * d[k] }
      d[i] = s / L[i * G + i]
    }
    var i = G - 1
    while i >= 0 {
      var s = d[i]
      for k in (i + 1)..<max(i + 1, G) { s = s - L[k * G + i] * d[k] }
      d[i] = s / L[i * G + i]
      i -= 1
    }
  }
}
