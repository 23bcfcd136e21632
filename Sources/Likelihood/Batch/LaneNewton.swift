import Foundation

/// The projected Newton iteration over the globals of every lane, in vector form: each lane is
/// at its own point of its own fit, and one pass of the kernels evaluates all lanes at their
/// trial points (``FastRuntime/xt``); ``FastRuntime/newtonStep(tolerance:maxIterations:extrapolate:)``
/// then accepts or rejects each lane's trial and computes its next one.
///
/// ## Acceptance without the objective
/// A pass needs logarithms only for −2 ln L itself (Σ n ln ν), not for the gradient and the
/// Schur complement, and the logarithms cost as much as the rest of a bin's closed form. So a
/// Newton step is accepted when the Newton decrement rᵀS⁻¹r at the trial is below the one at
/// the current point (Deuflhard's monotonicity test on the affine-invariant Newton
/// decrement), which needs no logarithm. A lane whose step fails the test falls back to the
/// Armijo line search of the general fitter, on −2 ln L, for that step: its current point is
/// evaluated again with the logarithms, then the trial points along the projection arc; the
/// passes where some lane searches compute the logarithms for all lanes. A lane's −2 ln L at
/// its end point is taken from its pass, or (a pass without logarithms) summed from the
/// expected yields that pass stored for it (``FastRuntime/finalF(lane:)``). The end point must
/// have a positive definite Schur complement (else the general engine refits the data set), so
/// the test never accepts a maximum or a saddle.
///
/// ## The final step
/// A lane has converged when the decrement at its accepted point is below the tolerance. With
/// `extrapolate` (fits whose per-bin parameters are not recorded, such as toys) it stops one
/// pass earlier: when the decrement d is below 0.01·√tolerance, the last Newton step is taken
/// without evaluating its end, −2 ln L there is the quadratic model's F − d/2 (exact to
/// O(d^{3/2}) ≈ 1e-12·tolerance-scale), and the decrement after it is O(d²), below the tolerance.
struct LaneNewtonState {
  typealias Mask = LaneMask
  /// The accepted point, its gradient and Hessian, the Newton direction there.
  let x: UnsafeMutablePointer<Lanes>
  let r: UnsafeMutablePointer<Lanes>
  let S: UnsafeMutablePointer<Lanes>
  let d: UnsafeMutablePointer<Lanes>
  /// The trial's Newton direction (blended into `d` where the trial is accepted).
  let dt: UnsafeMutablePointer<Lanes>
  /// Scratch of the factorisation (G × G) and the free-coordinate flags (G).
  let L: UnsafeMutablePointer<Lanes>
  let active: UnsafeMutablePointer<Lanes>
  /// −2 ln L (without data constants) at x where `fValid`, and its part without Σ n ln ν
  /// (always valid at an accepted point).
  var F = Lanes.splat(.infinity)
  var fValid = Mask(repeating: false)
  var fNoLog = Lanes.splat(.infinity)
  /// Added to −2 ln L of the end point: −d/2 of an extrapolated final step, else 0.
  var shift = Lanes.splat(0)
  var alpha = Lanes.splat(1)
  var decrement = Lanes.splat(.infinity)
  var iterations = Lanes.splat(0)
  /// Lanes whose next pass evaluates their starting point.
  var starting = Mask(repeating: true)
  /// Lanes in an Armijo line search on −2 ln L (after a step that failed the decrement test).
  var searching = Mask(repeating: false)
  /// Searching lanes whose next pass evaluates their current point again, with the
  /// logarithms (its −2 ln L was not computed).
  var needBase = Mask(repeating: false)
  /// Lanes whose last factorisation of S needed no modification (S positive definite).
  var positiveDefinite = Mask(repeating: true)

  init(G: Int, storage: RawStorage) {
    x = storage.make(G, Lanes.splat(0))
    r = storage.make(G, Lanes.splat(0))
    S = storage.make(G * G, Lanes.splat(0))
    d = storage.make(G, Lanes.splat(0))
    dt = storage.make(G, Lanes.splat(0))
    L = storage.make(G * G, Lanes.splat(0))
    active = storage.make(G, Lanes.splat(0))
  }
}

/// What happened to the lanes in a Newton step.
struct LaneOutcome {
  /// Lanes whose fit ended at a minimum (decrement below the tolerance, an extrapolated final
  /// step, or a stall of the line search with a decrement below 1e-8).
  var converged: LaneMask
  /// Lanes to refit on the general engine (a closed form failed at the start, no descent, too
  /// many iterations).
  var fallback: LaneMask
}

extension FastRuntime {
  typealias Mask = LaneMask

  /// Whether the next pass must compute −2 ln L with its logarithms (some live lane searches).
  var needsLogarithms: Bool { anyLane(live .& (lane.searching .| lane.needBase)) }

  /// Accepts or rejects each lane's trial point (the last pass), then sets each lane's next
  /// trial point (see ``LaneNewtonState``).
  func newtonStep(tolerance: Double, maxIterations: Int, extrapolate: Bool) -> LaneOutcome {
    let zero = Lanes.splat(0), one = Lanes.splat(1), inf = Lanes.splat(.infinity)
    let (decT, exactT) = newtonDirection(x: xt, r: rt, S: St, into: lane.dt)
    let usable = .!failed .& (FtNoLog .< inf) .& (decT .< inf) .& (passLogged ? Ft .< inf : Mask(repeating: true))
    // Lanes that evaluated their current point again: −2 ln L there is now known.
    let base = lane.needBase
    lane.F = lane.F.or(Ft, where: base)
    lane.fValid = lane.fValid .| (base .& usable)
    lane.needBase = Mask(repeating: false)
    let newton = .!lane.starting .& .!lane.searching
    let merit = newton .& usable .& (decT .< lane.decrement)
    var pred = zero
    for i in 0..<G { pred = pred.fma(lane.r[i], xt[i] - lane.x[i]) }
    let slack = Lanes.splat(1e-13) * (one + lane.F.magnitude)
    let armijo = usable .& lane.fValid .& (passLogged ? Mask(repeating: true) : Mask(repeating: false))
      .& ((Ft .<= lane.F + Lanes.splat(1e-4) * pred) .| ((lane.decrement .< Lanes.splat(1e-8)) .& (Ft .<= lane.F + slack)))
    let searched = lane.searching .& .!base
    let accept = (lane.starting .& usable) .| merit .| ((searched .| newton) .& armijo)
    var fallback = lane.starting .& .!usable
    // A Newton step that failed the test: search along it (the current point's −2 ln L first,
    // unless known).
    let failedNewton = newton .& .!accept
    lane.needBase = failedNewton .& .!lane.fValid
    lane.searching = (lane.searching .| failedNewton) .& .!accept
    // The full step is tried on −2 ln L unless this pass already did (then half of it).
    let halve = passLogged ? failedNewton .& lane.fValid : Mask(repeating: false)
    lane.alpha = lane.alpha.or(one, where: failedNewton).or(Lanes.splat(0.5), where: halve)
    // Rejected trials of a search: halve the step; a lane that cannot descend stalls.
    let rejected = searched .& .!accept
    lane.alpha = lane.alpha.or(lane.alpha * Lanes.splat(0.5), where: rejected)
    let stalled = rejected .& (lane.alpha .< Lanes.splat(1e-12))
    var converged = stalled .& (lane.decrement .< Lanes.splat(max(tolerance, 1e-8)))
    fallback = fallback .| (stalled .& .!converged)
    acceptTrial(accept, decT: decT, exactT: exactT)
    let decided = accept .& (decT .< Lanes.splat(tolerance))
    let jump = extrapolate ? accept .& .!decided .& (decT .< Lanes.splat(0.01 * tolerance.squareRoot())) .& finalStepInside() : Mask(repeating: false)
    extrapolateFinalStep(jump, decT: decT)
    converged = converged .| decided .| jump
    let stepping = accept .& .!decided .& .!jump
    fallback = fallback .| (stepping .& (lane.iterations .> Lanes.splat(Double(maxIterations))))
    lane.alpha = lane.alpha.or(one, where: stepping)
    nextTrial()
    return LaneOutcome(converged: converged, fallback: fallback .& .!converged)
  }

  /// Accepted lanes move to their trial point: its gradient, Hessian, Newton direction and
  /// decrement; −2 ln L there when the pass computed it.
  private func acceptTrial(_ accept: Mask, decT: Lanes, exactT: Mask) {
    lane.fNoLog = lane.fNoLog.or(FtNoLog, where: accept)
    lane.F = lane.F.or(Ft, where: accept)
    lane.fValid = lane.fValid.replacing(with: passLogged ? Mask(repeating: true) : Mask(repeating: false), where: accept)
    lane.shift = lane.shift.or(.splat(0), where: accept)
    for i in 0..<G {
      lane.x[i] = lane.x[i].or(xt[i], where: accept)
      lane.r[i] = lane.r[i].or(rt[i], where: accept)
      lane.d[i] = lane.d[i].or(lane.dt[i], where: accept)
    }
    for i in 0..<(G * G) { lane.S[i] = lane.S[i].or(St[i], where: accept) }
    lane.positiveDefinite = lane.positiveDefinite.replacing(with: exactT, where: accept)
    lane.decrement = lane.decrement.or(decT, where: accept)
    lane.iterations = lane.iterations.or(lane.iterations + Lanes.splat(1), where: accept)
    lane.starting = lane.starting .& .!accept
    lane.searching = lane.searching .& .!accept
  }

  /// Lanes whose full Newton step from x stays inside the bounds (the projection changes
  /// nothing, so the quadratic model's decrease is exactly d/2).
  private func finalStepInside() -> Mask {
    var inside = Mask(repeating: true)
    for i in 0..<G {
      let target = lane.x[i] - lane.d[i]
      inside = inside .& (target .>= Lanes.splat(globalLower[i])) .& (target .<= Lanes.splat(globalUpper[i]))
    }
    return inside
  }

  /// The lanes of `jump` take their last Newton step without a pass: x − d, and −2 ln L
  /// lowered by d/2 (see ``LaneNewtonState``).
  private func extrapolateFinalStep(_ jump: Mask, decT: Lanes) {
    guard anyLane(jump) else { return }
    for i in 0..<G { lane.x[i] = lane.x[i].or(lane.x[i] - lane.d[i], where: jump) }
    lane.shift = lane.shift.or(Lanes.splat(-0.5) * decT, where: jump)
  }

  /// The next trial point of every lane: x − αd projected into the bounds (a lane that
  /// evaluates its current point again: x).
  private func nextTrial() {
    for i in 0..<G {
      let target = lane.x[i] - lane.alpha * lane.d[i]
      let lo = Lanes.splat(globalLower[i]), hi = Lanes.splat(globalUpper[i])
      xt[i] = target.replacing(with: lo, where: target .< lo).replacing(with: hi, where: target .> hi)
        .or(lane.x[i], where: lane.needBase)
    }
  }

  /// The Newton direction d = S⁻¹r at the point x over the globals off their bounds (per lane:
  /// a global at a bound with the gradient pointing out is held), by a modified Cholesky
  /// factorisation (a pivot below 1e-10 of the largest diagonal is raised to it, as
  /// ``SmallLinearAlgebra/cholesky(_:_:modify:)``), into `d`; returns the decrement rᵀd and
  /// the lanes whose S needed no modification.
  func newtonDirection(
    x: UnsafeMutablePointer<Lanes>, r: UnsafeMutablePointer<Lanes>, S: UnsafeMutablePointer<Lanes>,
    into d: UnsafeMutablePointer<Lanes>
  ) -> (Lanes, Mask) {
    let zero = Lanes.splat(0), one = Lanes.splat(1)
    for i in 0..<G {
      let lo = Lanes.splat(globalLower[i]), hi = Lanes.splat(globalUpper[i])
      let held = ((x[i] .<= lo) .& (r[i] .> zero)) .| ((x[i] .>= hi) .& (r[i] .< zero))
      lane.active[i] = one.or(zero, where: held)
    }
    var maxDiag = zero
    for i in 0..<G {
      for k in 0..<G {
        let held = (lane.active[i] * lane.active[k]) .== zero
        lane.L[i * G + k] = S[i * G + k].or(i == k ? one : zero, where: held)
      }
      maxDiag = maxDiag.maximum((lane.L[i * G + i]).magnitude)
      d[i] = r[i] * lane.active[i]
    }
    let delta = (Lanes.splat(1e-10) * maxDiag).maximum(Lanes.splat(1e-300))
    let exact = choleskyModified(delta)
    choleskySolve(d)
    var dec = zero
    for i in 0..<G { dec = dec.fma(r[i] * lane.active[i], d[i]) }
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
  private func choleskySolve(_ d: UnsafeMutablePointer<Lanes>) {
    let L = lane.L
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

