import Foundation

// MARK: - Bins with a pair of locals on one term (the search windows' γb·γv)
//
// With a pair (slots 0, 1: ν ∋ β γ₀γ₁) stationarity of 2(ν − n ln ν) + Σ((γ_l − a_l)/σ_l)² reads,
// for a given w = 1 − n/ν, the linear system M(w)γ = D⁻¹a − wA with M = D⁻¹ + wB (B: β off the
// diagonal of the pair block), and the scalar equation h(w) = ν(γ(w))(1 − w) − n = 0 remains.
// Along the solution curve dγ/dw = −z, z = M⁻¹v (v = ∇_γν), and dν/dw = −c, c = vᵀz, so
// −h′(w) = c(1 − w) + ν > 0 where M is positive definite and ν > 0: h decreases, its root is
// unique, and Newton's method w′ = w + h(w)/(c(1 − w) + ν) converges to it (quadratically; h is
// convex where ν is nearly linear in w, as with a single local, so the iterates do not
// overshoot). It starts from the bin's w of the lane's previous pass (a new data set: 1 − n/ν
// at γ = a) and takes 1–2 steps once the fit is under way. Each lane iterates until its own
// step |Δw| ≤ 1e-8(1 + |w|); that last step is applied to the solution to first order
// (γ − zΔw, ν − cΔw: exact to O(Δw²) ≈ 1e-16) instead of solving the bin again. n = 0 gives
// w = 1 at once.
//
// The bin's share of the Schur complement is that of the singles kernel with M⁻¹ in place of
// D: C_cc' += κ ỹ_c ỹ_c' − 2w² X_c M⁻¹ X_c'ᵀ, ρ_c += 2w Y_c, κ = 2n/(ν² + n vᵀz) = 2(1 − w)/(c(1 − w) + ν)
// (the reciprocal of Newton's last step), with the coefficients R, A_l (X_l = e_l) and β
// (Y_β = β⁰γ₀γ₁, X_β = β⁰(γ₁, γ₀)).

/// A pair bin's inputs (the pair in slots 0, 1; up to two single locals after it).
struct PairBin {
  var n: Lanes
  var a0 = Lanes.splat(0), a1 = Lanes.splat(0), as0 = Lanes.splat(0), as1 = Lanes.splat(0)
  var A0 = Lanes.splat(0), A1 = Lanes.splat(0), As0 = Lanes.splat(0), As1 = Lanes.splat(0)
  var inv0 = Lanes.splat(0), inv1 = Lanes.splat(0), sig2s0 = Lanes.splat(0), sig2s1 = Lanes.splat(0)
  var beta = Lanes.splat(0)
  var R = Lanes.splat(0)
}

/// A pair bin's solution at one w: the locals, z = M⁻¹v, M⁻¹ of the pair block, ν and c = vᵀz.
struct PairSolution {
  var g0 = Lanes.splat(0), g1 = Lanes.splat(0), gs0 = Lanes.splat(0), gs1 = Lanes.splat(0)
  var z0 = Lanes.splat(0), z1 = Lanes.splat(0), zs0 = Lanes.splat(0), zs1 = Lanes.splat(0)
  var m00 = Lanes.splat(0), m01 = Lanes.splat(0), m11 = Lanes.splat(0)
  var nu = Lanes.splat(0)
  var c = Lanes.splat(0)
  var positive = LaneMask(repeating: true)
}

extension FastRuntime {
  /// γ(w), z, M⁻¹, ν(γ(w)) and c = vᵀz for the bin at w.
  @_transparent
  func pairSolve<S: KernelShape>(_ b: PairBin, _ w: Lanes, _: S.Type) -> PairSolution {
    var s = PairSolution()
    let wb = w * b.beta
    let det = (b.inv0 * b.inv1).fms(wb, wb)
    s.positive = det .> .splat(0)
    let idet = Lanes.splat(1) / det
    (s.m00, s.m01, s.m11) = (b.inv1 * idet, -(wb * idet), b.inv0 * idet)
    let r0 = (b.inv0 * b.a0).fms(w, b.A0)
    let r1 = S.partnerA ? (b.inv1 * b.a1).fms(w, b.A1) : b.inv1 * b.a1
    s.g0 = (s.m00 * r0).fma(s.m01, r1)
    s.g1 = (s.m01 * r0).fma(s.m11, r1)
    let v0 = b.A0.fma(b.beta, s.g1)
    let v1 = S.partnerA ? b.A1.fma(b.beta, s.g0) : b.beta * s.g0
    s.z0 = (s.m00 * v0).fma(s.m01, v1)
    s.z1 = (s.m01 * v0).fma(s.m11, v1)
    s.nu = (S.hasR ? b.R : .splat(0)).fma(b.A0, s.g0).fma(b.beta * s.g0, s.g1)
    if S.partnerA { s.nu = s.nu.fma(b.A1, s.g1) }
    s.c = (v0 * s.z0).fma(v1, s.z1)
    if S.singles >= 1 {
      s.zs0 = b.sig2s0 * b.As0
      s.gs0 = b.as0.fms(s.zs0, w)
      s.nu = s.nu.fma(b.As0, s.gs0)
      s.c = s.c.fma(b.As0, s.zs0)
    }
    if S.singles >= 2 {
      s.zs1 = b.sig2s1 * b.As1
      s.gs1 = b.as1.fms(s.zs1, w)
      s.nu = s.nu.fma(b.As1, s.gs1)
      s.c = s.c.fma(b.As1, s.zs1)
    }
    return s
  }

  /// Newton's iteration on h(w) per lane from `start` (see the comment above). Returns the
  /// solution at each lane's final w, that w, 1/(c(1 − w) + ν) of the last step (for κ), and
  /// the lanes that failed (M not positive definite, no convergence in 30 steps).
  @_transparent
  func pairIterate<S: KernelShape>(_ b: PairBin, start: Lanes, empty: LaneMask, _: S.Type)
    -> (PairSolution, Lanes, Lanes, LaneMask)
  {
    let one = Lanes.splat(1), zero = Lanes.splat(0)
    var w = start.or(one, where: empty)
    var active = .!empty
    var bad = LaneMask(repeating: false)
    var s = pairSolve(b, w, S.self)
    var inverse = zero
    var steps = 0
    while true {
      let u = one - w
      let den = s.nu.fma(s.c, u)
      let inv = one / den
      let dw = (-b.n).fma(s.nu, u) * inv
      let broken = .!s.positive .| .!(dw.magnitude .< .splat(.infinity)) .| .!(den .> zero)
      let small = dw.magnitude .<= Lanes.splat(1e-8) * (one + w.magnitude)
      let done = active .& (small .| broken)
      bad = bad .| (done .& broken)
      // Lanes that converge: the last step to first order.
      let last = (done .& .!broken)
      let step = dw.or(zero, where: .!last)
      s.g0 = s.g0.fms(s.z0, step)
      s.g1 = s.g1.fms(s.z1, step)
      if S.singles >= 1 { s.gs0 = s.gs0.fms(s.zs0, step) }
      if S.singles >= 2 { s.gs1 = s.gs1.fms(s.zs1, step) }
      s.nu = s.nu.fms(s.c, step)
      inverse = inverse.or(inv, where: last)
      w = w.or(w + dw, where: active .& .!broken)
      active = active .& .!done
      steps += 1
      if !anyLane(active) || steps >= 30 { break }
      s = s.blended(pairSolve(b, w, S.self), keep: active)
    }
    return (s, w, inverse, bad .| active)
  }

  /// One pass over a group of pair bins (see the comment above); with `log`, Σ n ln ν too.
  func pairKernel<S: KernelShape>(_ g: GroupRuntime, _: S.Type, log: Bool) {
    let k = 2 + S.singles, F = FastField.count(k)
    let zero = Lanes.splat(0)
    let PA0 = classP[g.classA[0]], PA1 = classP[g.classA[1]], PS0 = classP[g.classA[2]], PS1 = classP[g.classA[3]]
    let PR = classP[g.classR], PB = classP[g.classB]
    var c = UnsafePointer(g.constants)
    var counts = UnsafePointer(laneN + g.nOffset), aux = UnsafePointer(laneAux + g.auxOffset)
    var wState = laneW + g.nOffset, nuOut = laneNu + g.nOffset
    var F0 = zero, L0 = zero
    var sums = CoefficientSums()
    let anyFisher = anyLane(fisher)
    for index in 0..<g.binCount {
      var b = PairBin(n: counts.pointee)
      (b.beta, b.R) = (PB * .splat(c[FastField.B(k)]), S.hasR ? PR * .splat(c[FastField.R()]) : zero)
      (b.a0, b.a1, b.A0) = (aux[0], aux[1], PA0 * .splat(c[FastField.A(0)]))
      if S.partnerA { b.A1 = PA1 * .splat(c[FastField.A(1)]) }
      (b.inv0, b.inv1) = (.splat(c[FastField.inv(0, k)]), .splat(c[FastField.inv(1, k)]))
      if S.singles >= 1 { (b.as0, b.As0, b.sig2s0) = (aux[2], PS0 * .splat(c[FastField.A(2)]), .splat(c[FastField.sig2(2, k)])) }
      if S.singles >= 2 { (b.as1, b.As1, b.sig2s1) = (aux[3], PS1 * .splat(c[FastField.A(3)]), .splat(c[FastField.sig2(3, k)])) }
      let empty = b.n .== zero
      let start = pairStart(b, wState.pointee, S.self)
      var (s, w, inverse, bad) = pairIterate(b, start: start, empty: empty, S.self)
      wState.pointee = w
      var (quad, valuesBad) = pairValues(b, s, empty: empty, c: c, S.self)
      var kappa = (Lanes.splat(2) * (Lanes.splat(1) - w) * inverse).or(zero, where: empty)
      bad = (bad .| valuesBad) .& live
      var nLog = b.n
      if anyLane(bad) {  // these lanes' bin goes to the general engine; their contributions vanish
        divert(group: g, index: index, lanes: bad, w: wState)
        s = PairSolution().blended(s, keep: .!bad)
        (w, quad, kappa, nLog) = (w.or(zero, where: bad), quad.or(zero, where: bad), kappa.or(zero, where: bad), nLog.or(zero, where: bad))
        nuOut.pointee = s.nu.or(.splat(1), where: bad)
      } else {
        nuOut.pointee = s.nu
      }
      F0 = F0 + quad + (s.nu + s.nu)
      if log { L0 = L0.fma(nLog, laneLogNormal(s.nu.maximum(.splat(.leastNormalMagnitude)))) }
      pairSchur(b, s, w, kappa: kappa, fisher: anyFisher ? fisher .& .!bad : LaneMask(repeating: false), c: c, sums: &sums, S.self)
      c += F
      counts += 1
      aux += k
      wState += 1
      nuOut += 1
    }
    binsNoLog = binsNoLog + F0
    binsLog = binsLog + L0
    let (classes, used) = coefficientClasses(g, S.self)
    scatter(sums, classes: classes, used: used)
  }

  /// The starting w: the lane's previous one, or (a new data set) 1 − n/ν at the auxiliary
  /// data (γ = a).
  @_transparent
  func pairStart<S: KernelShape>(_ b: PairBin, _ previous: Lanes, _: S.Type) -> Lanes {
    let fresh = previous .!= previous
    if !anyLane(fresh) { return previous }
    var nu = (S.hasR ? b.R : .splat(0)).fma(b.beta * b.a0, b.a1).fma(b.A0, b.a0)
    if S.partnerA { nu = nu.fma(b.A1, b.a1) }
    if S.singles >= 1 { nu = nu.fma(b.As0, b.as0) }
    if S.singles >= 2 { nu = nu.fma(b.As1, b.as1) }
    let w0 = (Lanes.splat(1) - b.n / nu).or(.splat(0), where: .!(nu .> .splat(0)))
    return previous.or(w0, where: fresh)
  }

  /// Σ((γ_l − a_l)/σ_l)² of a pair bin at its solution, and the lanes whose solution is not
  /// admissible (ν ≤ 0 with events, a local outside its bounds).
  @_transparent
  func pairValues<S: KernelShape>(_ b: PairBin, _ s: PairSolution, empty: LaneMask, c: UnsafePointer<Double>, _: S.Type)
    -> (quad: Lanes, bad: LaneMask)
  {
    let k = 2 + S.singles
    let zero = Lanes.splat(0)
    var bad = .!((s.nu .> zero) .| (empty .& (s.nu .>= zero)))
    func check(_ gamma: Lanes, _ l: Int) {
      bad = bad .| .!(gamma .>= .splat(c[FastField.lower(l, k)])) .| .!(gamma .<= .splat(c[FastField.upper(l, k)]))
    }
    let (d0, d1) = (s.g0 - b.a0, s.g1 - b.a1)
    var quad = (d0 * d0) * b.inv0 + (d1 * d1) * b.inv1
    check(s.g0, 0)
    check(s.g1, 1)
    if S.singles >= 1 {
      let d = s.gs0 - b.as0
      quad = quad.fma(d * d, .splat(c[FastField.inv(2, k)]))
      check(s.gs0, 2)
    }
    if S.singles >= 2 {
      let d = s.gs1 - b.as1
      quad = quad.fma(d * d, .splat(c[FastField.inv(3, k)]))
      check(s.gs1, 3)
    }
    return (quad, bad)
  }
}

extension PairSolution {
  /// This solution with the lanes of `other` where `keep` (the others stay as they are here).
  @_transparent
  func blended(_ other: PairSolution, keep: LaneMask) -> PairSolution {
    var s = self
    (s.g0, s.g1, s.gs0, s.gs1) = (g0.or(other.g0, where: keep), g1.or(other.g1, where: keep), gs0.or(other.gs0, where: keep), gs1.or(other.gs1, where: keep))
    (s.z0, s.z1, s.zs0, s.zs1) = (z0.or(other.z0, where: keep), z1.or(other.z1, where: keep), zs0.or(other.zs0, where: keep), zs1.or(other.zs1, where: keep))
    (s.m00, s.m01, s.m11) = (m00.or(other.m00, where: keep), m01.or(other.m01, where: keep), m11.or(other.m11, where: keep))
    (s.nu, s.c) = (nu.or(other.nu, where: keep), c.or(other.c, where: keep))
    return s
  }
}
