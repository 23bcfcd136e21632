import Foundation

// MARK: - Bins with a pair of locals on one term (the search windows' γb·γv)
//
// With a pair (slots 0, 1: ν ∋ β γ₀γ₁) stationarity of 2(ν − n ln ν) + Σ((γ_l − a_l)/σ_l)² reads,
// for a given w = 1 − n/ν, the linear system M(w)γ = D⁻¹a − wA with M = D⁻¹ + wB (B: β off the
// diagonal of the pair block), and the scalar equation ν(γ(w))(1 − w) = n remains. Along the
// solution curve dγ/dw = −z, z = M⁻¹v (v = ∇_γν) and dν/dw = −c, c = vᵀz. Each iteration
// replaces ν(w) by its tangent and solves (ν₀ − c w)(1 − w) = n exactly (the single-local
// quadratic), i.e. Newton's method with the n/(1 − w) part kept exact; it converges
// quadratically from the bin's w of the lane's previous pass (1–2 steps). n = 0 gives w = 1 at
// once. The last step's small change of w is applied to γ to first order (O(Δw²) < 1e-16).
// Each lane iterates until its own |Δw| ≤ 1e-8(1 + |w|) and is then frozen, so the result does
// not depend on the other lanes.
//
// The bin's share of the Schur complement is that of the singles kernel with M⁻¹ in place of
// D: C_cc' += κ ỹ_c ỹ_c' − 2w² X_c M⁻¹ X_c'ᵀ, ρ_c += 2w Y_c, κ = 2n/(ν² + n vᵀz), with the
// coefficients R, A_l (X_l = e_l) and β (Y_β = β⁰γ₀γ₁, X_β = β⁰(γ₁, γ₀)).

/// The per-slot state of a pair bin for one w.
struct PairSolution {
  var gamma = InlineArray<4, Lanes>(repeating: Lanes.splat(0))
  var z = InlineArray<4, Lanes>(repeating: Lanes.splat(0))
  /// M⁻¹ of the pair block (00, 01, 11).
  var m00 = Lanes.splat(0), m01 = Lanes.splat(0), m11 = Lanes.splat(0)
  var nu = Lanes.splat(0)
  var c = Lanes.splat(0)
  var positive = LaneMask(repeating: true)
}

/// A pair bin's inputs.
struct PairBin {
  var n: Lanes
  var a = InlineArray<4, Lanes>(repeating: Lanes.splat(0))
  var A = InlineArray<4, Lanes>(repeating: Lanes.splat(0))
  var inv = InlineArray<4, Lanes>(repeating: Lanes.splat(0))
  var sig2 = InlineArray<4, Lanes>(repeating: Lanes.splat(0))
  var beta: Lanes
  var R: Lanes
}

extension FastRuntime {
  /// γ(w), z, M⁻¹, ν(γ(w)) and c = vᵀz for the bin at w.
  @inline(__always)
  func pairSolve<S: KernelShape>(_ b: PairBin, _ w: Lanes, _: S.Type) -> PairSolution {
    let k = 2 + S.singles
    var s = PairSolution()
    let wb = w * b.beta
    let det = b.inv[0] * b.inv[1] - wb * wb
    s.positive = det .> Lanes.splat(0)
    let idet = Lanes.splat(1) / det
    s.m00 = b.inv[1] * idet
    s.m01 = Lanes.splat(0) - wb * idet
    s.m11 = b.inv[0] * idet
    let r0 = b.inv[0] * b.a[0] - w * b.A[0]
    let r1 = S.partnerA ? b.inv[1] * b.a[1] - w * b.A[1] : b.inv[1] * b.a[1]
    let g0 = s.m00 * r0 + s.m01 * r1
    let g1 = s.m01 * r0 + s.m11 * r1
    let v0 = b.A[0] + b.beta * g1
    let v1 = S.partnerA ? b.A[1] + b.beta * g0 : b.beta * g0
    s.gamma[0] = g0
    s.gamma[1] = g1
    s.z[0] = s.m00 * v0 + s.m01 * v1
    s.z[1] = s.m01 * v0 + s.m11 * v1
    var nu = S.hasR ? b.R : Lanes.splat(0)
    nu = nu.fma(b.A[0], g0).fma(b.beta * g0, g1)
    if S.partnerA { nu = nu.fma(b.A[1], g1) }
    var c = v0 * s.z[0] + v1 * s.z[1]
    for l in 2..<k {
      s.z[l] = b.sig2[l] * b.A[l]
      s.gamma[l] = b.a[l] - s.z[l] * w
      nu = nu.fma(b.A[l], s.gamma[l])
      c = c.fma(b.A[l], s.z[l])
    }
    s.nu = nu
    s.c = c
    return s
  }

  /// The next w of the tangent iteration: (ν₀ − c w′)(1 − w′) = n with ν₀ = ν(w) + c w, i.e.
  /// 1 − n/ν′ for the root ν′ of ν′² − eν′ − cn = 0, e = ν(w) − c(1 − w), without
  /// cancellation (one square root, one division).
  @inline(__always)
  func tangentStep(_ s: PairSolution, _ w: Lanes, _ n: Lanes) -> Lanes {
    let e = s.nu - s.c * (Lanes.splat(1) - w)
    let sq = (s.c * n * Lanes.splat(4)).fma(e, e).root()
    let negative = e .< Lanes.splat(0)
    let num = (n + n).or(sq - e, where: negative)
    let den = (e + sq).or(s.c + s.c, where: negative)
    return Lanes.splat(1) - num / den
  }

  /// Iterates w per lane to convergence from the lane's previous w; returns the frozen
  /// solution, w, and the lanes that failed (M not positive definite, no convergence).
  func pairIterate<S: KernelShape>(_ b: PairBin, start: Lanes, empty: Mask, _: S.Type) -> (PairSolution, Lanes, Mask) {
    let k = 2 + S.singles
    var w = start.or(Lanes.splat(1), where: empty)
    var out = PairSolution()
    var frozenW = w
    var active = Mask(repeating: true)
    var bad = Mask(repeating: false)
    for _ in 0..<30 {
      let s = pairSolve(b, w, S.self)
      let next = tangentStep(s, w, b.n).or(Lanes.splat(1), where: empty)
      let dw = next - w
      let small: Mask = dw.magnitude .<= Lanes.splat(1e-8) * (Lanes.splat(1) + w.magnitude)
      let broken: Mask = .!s.positive .| .!(dw.magnitude .< Lanes.splat(.infinity))
      let done: Mask = active .& (small .| broken)
      bad = bad .| (done .& broken)
      if any(done) {
        for l in 0..<k { out.gamma[l] = out.gamma[l].or(s.gamma[l] - s.z[l] * dw, where: done) }
        for l in 0..<k { out.z[l] = out.z[l].or(s.z[l], where: done) }
        out.m00 = out.m00.or(s.m00, where: done)
        out.m01 = out.m01.or(s.m01, where: done)
        out.m11 = out.m11.or(s.m11, where: done)
        frozenW = frozenW.or(next, where: done)
      }
      active = active .& .!done
      if !any(active) { return (out, frozenW, bad) }
      w = next.or(w, where: .!active)
    }
    return (out, frozenW, bad .| active)
  }

  /// One pass over a group of pair bins (see the comment above).
  func pairKernel<S: KernelShape>(_ g: GroupRuntime, _: S.Type) {
    let k = 2 + S.singles, F = FastField.count(k)
    let zero = Lanes.splat(0)
    var P = InlineArray<4, Lanes>(repeating: zero)
    for l in 0..<k { P[l] = classP[g.classA[l]] }
    let PR = classP[g.classR], PB = classP[g.classB]
    var c = UnsafePointer(g.constants)
    var counts = UnsafePointer(laneN + g.nOffset), aux = UnsafePointer(laneAux + g.auxOffset)
    var wState = laneW + g.nOffset
    var F0 = zero
    var sums = CoefficientSums()
    let anyFisher = any(fisher)
    for index in 0..<g.binCount {
      var b = PairBin(n: counts.pointee, beta: PB * .splat(c[FastField.B(k)]), R: S.hasR ? PR * .splat(c[FastField.R()]) : zero)
      for l in 0..<k {
        b.a[l] = aux[l]
        b.A[l] = P[l] * .splat(c[FastField.A(l)])
        b.sig2[l] = .splat(c[FastField.sig2(l, k)])
        b.inv[l] = .splat(c[FastField.inv(l, k)])
      }
      let empty = b.n .== zero
      let start = pairStart(b, wState.pointee, S.self)
      var (sol, w, binBad) = pairIterate(b, start: start, empty: empty, S.self)
      wState.pointee = w
      var v = pairValues(b, sol, empty: empty, c: c, S.self)
      binBad = binBad .| v.bad
      var nLog = b.n
      binBad = binBad .& live
      if any(binBad) {
        // These lanes' bin goes to the general engine; their vector contributions vanish.
        divert(group: g, index: index, lanes: binBad, w: wState)
        for l in 0..<k {
          sol.gamma[l] = sol.gamma[l].or(zero, where: binBad)
          sol.z[l] = sol.z[l].or(zero, where: binBad)
        }
        sol.m00 = sol.m00.or(zero, where: binBad)
        sol.m01 = sol.m01.or(zero, where: binBad)
        sol.m11 = sol.m11.or(zero, where: binBad)
        w = w.or(zero, where: binBad)
        v.nu = v.nu.or(zero, where: binBad)
        v.quad = v.quad.or(zero, where: binBad)
        v.kappa = v.kappa.or(zero, where: binBad)
        nLog = nLog.or(zero, where: binBad)
      }
      F0 = F0 + v.quad + binMainTerm(v.nu, nLog)
      pairSchur(b, sol, w, kappa: v.kappa, nu: v.nu, fisher: anyFisher ? fisher .& .!binBad : Mask(repeating: false), c: c, sums: &sums, S.self)
      c += F
      counts += 1
      aux += k
      wState += 1
    }
    Ft = Ft + F0
    let (classes, used) = coefficientClasses(g, S.self)
    scatter(sums, classes: classes, used: used)
  }

  /// The starting w: the lane's previous one, or (a new data set) 1 − n/ν at the auxiliary
  /// data (γ = a).
  @inline(__always)
  func pairStart<S: KernelShape>(_ b: PairBin, _ previous: Lanes, _: S.Type) -> Lanes {
    let fresh = previous .!= previous
    if !any(fresh) { return previous }
    let k = 2 + S.singles
    var nu = (S.hasR ? b.R : Lanes.splat(0)).fma(b.beta * b.a[0], b.a[1])
    for l in 0..<k where l != 1 || S.partnerA { nu = nu.fma(b.A[l], b.a[l]) }
    let w0 = (Lanes.splat(1) - b.n / nu).or(Lanes.splat(0), where: .!(nu .> Lanes.splat(0)))
    return previous.or(w0, where: fresh)
  }

  /// ν, Σ((γ_l − a_l)/σ_l)², κ = 2n/(ν² + n vᵀz) of a pair bin at its solution, and the lanes
  /// whose solution is not admissible (ν ≤ 0 with events, a local outside its bounds).
  @inline(__always)
  func pairValues<S: KernelShape>(_ b: PairBin, _ s: PairSolution, empty: Mask, c: UnsafePointer<Double>, _: S.Type)
    -> (nu: Lanes, quad: Lanes, kappa: Lanes, bad: Mask)
  {
    let k = 2 + S.singles
    let zero = Lanes.splat(0)
    let g0 = s.gamma[0], g1 = s.gamma[1]
    let v0 = b.A[0] + b.beta * g1
    let v1 = S.partnerA ? b.A[1] + b.beta * g0 : b.beta * g0
    var nu = (S.hasR ? b.R : zero).fma(b.A[0], g0).fma(b.beta * g0, g1)
    if S.partnerA { nu = nu.fma(b.A[1], g1) }
    var vz = v0 * s.z[0] + v1 * s.z[1]
    var quad = zero
    var bad = .!((nu .> zero) .| (empty .& (nu .>= zero)))
    for l in 0..<k {
      if l >= 2 {
        nu = nu.fma(b.A[l], s.gamma[l])
        vz = vz.fma(b.A[l], s.z[l])
      }
      let d = s.gamma[l] - b.a[l]
      quad = quad.fma(d * d, b.inv[l])
      bad = bad .| .!(s.gamma[l] .>= .splat(c[FastField.lower(l, k)])) .| .!(s.gamma[l] .<= .splat(c[FastField.upper(l, k)]))
    }
    let kappa = ((b.n + b.n) / (b.n * vz).fma(nu, nu)).or(zero, where: empty)
    return (nu, quad, kappa, bad)
  }

  /// C_cc' += κ ỹ_c ỹ_c' − 2w² X_c M⁻¹ X_c'ᵀ and ρ_c += 2w Y_c for a pair bin.
  @inline(__always)
  func pairSchur<S: KernelShape>(
    _ b: PairBin, _ s: PairSolution, _ w: Lanes, kappa exact: Lanes, nu: Lanes, fisher: Mask, c: UnsafePointer<Double>,
    sums: inout CoefficientSums, _: S.Type
  ) {
    let k = 2 + S.singles
    typealias T = CoefficientSums
    let g0 = s.gamma[0], g1 = s.gamma[1]
    let anyFisher = any(fisher)
    let w1 = w + w
    var w2sq = Lanes.splat(2) * w * w
    var kappa = exact
    if anyFisher {
      // Expected curvature (2/ν)∇ν∇νᵀ: κ = 2/(ν + Σ σ_l² v_l²), C = κ Y Yᵀ, no M term.
      let v0 = b.A[0] + b.beta * g1, v1 = b.A[1] + b.beta * g0
      var vDv = b.sig2[0] * v0 * v0 + b.sig2[1] * v1 * v1
      for l in 2..<k { vDv = vDv.fma(b.sig2[l] * b.A[l], b.A[l]) }
      kappa = kappa.or(Lanes.splat(2) / (nu + vDv), where: fisher)
      w2sq = w2sq.or(Lanes.splat(0), where: fisher)
    }
    let iB = 1 + k
    let coefB = Lanes.splat(c[FastField.B(k)])
    // Y and ỹ per coefficient; M⁻¹ applied to X_β/β⁰ = (γ₁, γ₀).
    var Y = InlineArray<6, Lanes>(repeating: Lanes.splat(0)), yt = Y
    if S.hasR {
      Y[0] = .splat(c[FastField.R()])
      yt[0] = Y[0]
    }
    for l in 0..<k where l != 1 || S.partnerA {
      let coef = Lanes.splat(c[FastField.A(l)])
      Y[1 + l] = coef * s.gamma[l]
      yt[1 + l] = coef * (s.gamma[l] - w * s.z[l])
    }
    Y[iB] = coefB * g0 * g1
    yt[iB] = Y[iB] - w * coefB * (g1 * s.z[0] + g0 * s.z[1])
    if anyFisher { for a in 0..<6 where S.uses(a) { yt[a] = yt[a].or(Y[a], where: fisher) } }
    let u0 = s.m00 * g1 + s.m01 * g0, u1 = s.m01 * g1 + s.m11 * g0
    for a in 0..<6 where S.uses(a) {
      sums.rho[a] = sums.rho[a].fma(w1, Y[a])
      let ky = kappa * yt[a]
      for b2 in a..<6 where S.uses(b2) { sums.C[T.tri(a, b2)] = sums.C[T.tri(a, b2)].fma(ky, yt[b2]) }
    }
    // −2w² X M⁻¹ Xᵀ: the pair block (A₀, A₁, β) and the singles' diagonal σ_l²A_l⁰².
    let cA0 = Lanes.splat(c[FastField.A(0)])
    sums.C[T.tri(1, 1)] = sums.C[T.tri(1, 1)] - w2sq * cA0 * cA0 * s.m00
    sums.C[T.tri(1, iB)] = sums.C[T.tri(1, iB)] - w2sq * cA0 * coefB * u0
    sums.C[T.tri(iB, iB)] = sums.C[T.tri(iB, iB)] - w2sq * coefB * coefB * (g1 * u0 + g0 * u1)
    if S.partnerA {
      let cA1 = Lanes.splat(c[FastField.A(1)])
      sums.C[T.tri(1, 2)] = sums.C[T.tri(1, 2)] - w2sq * cA0 * cA1 * s.m01
      sums.C[T.tri(2, 2)] = sums.C[T.tri(2, 2)] - w2sq * cA1 * cA1 * s.m11
      sums.C[T.tri(2, iB)] = sums.C[T.tri(2, iB)] - w2sq * cA1 * coefB * u1
    }
    for l in 2..<k {
      sums.C[T.tri(1 + l, 1 + l)] = sums.C[T.tri(1 + l, 1 + l)] - w2sq * .splat(c[FastField.q(l, k)])
    }
  }
}
