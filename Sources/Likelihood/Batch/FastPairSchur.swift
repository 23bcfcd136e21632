import Foundation

extension FastRuntime {
  /// A pair bin's share of the Schur complement in coefficient space:
  /// C_cc' += κ ỹ_c ỹ_c' − 2w² X_c M⁻¹ X_c'ᵀ and ρ_c += 2w Y_c over the coefficients R (0),
  /// A_l (1 + l) and β (1 + k), with Y_R = R⁰, Y_l = A_l⁰γ_l, Y_β = β⁰γ₀γ₁, X_l = A_l⁰e_l,
  /// X_β = β⁰(γ₁, γ₀), ỹ = Y − w X·z (see ``pairKernel(_:_:)``); for the lanes in `fisher` the
  /// expected curvature: κ = 2/(ν + Σ σ_l² v_l²), ỹ = Y, no M term.
  @_transparent
  func pairSchur<S: KernelShape>(
    _ b: PairBin, _ s: PairSolution, _ w: Lanes, kappa exact: Lanes, fisher: LaneMask, c: UnsafePointer<Double>,
    sums: inout CoefficientSums, _: S.Type
  ) {
    let k = 2 + S.singles, iB = 1 + k
    let w1 = w + w
    var w2sq = w1 * w
    var kappa = exact
    let cA0 = Lanes.splat(c[FastField.A(0)]), cA1 = Lanes.splat(c[FastField.A(1)]), cB = Lanes.splat(c[FastField.B(k)])
    let cS0 = Lanes.splat(c[FastField.A(2)]), cS1 = Lanes.splat(c[FastField.A(3)])
    var Y = SlotLanes(), yt = SlotLanes()
    let g01 = s.g0 * s.g1
    (Y[0], Y[1], Y[iB]) = (S.hasR ? .splat(c[FastField.R()]) : .splat(0), cA0 * s.g0, cB * g01)
    (yt[0], yt[1], yt[iB]) = (Y[0], cA0 * s.g0.fms(w, s.z0), cB * g01.fms(w, (s.g1 * s.z0).fma(s.g0, s.z1)))
    if S.partnerA { (Y[2], yt[2]) = (cA1 * s.g1, cA1 * s.g1.fms(w, s.z1)) }
    if S.singles >= 1 { (Y[3], yt[3]) = (cS0 * s.gs0, cS0 * s.gs0.fms(w, s.zs0)) }
    if S.singles >= 2 { (Y[4], yt[4]) = (cS1 * s.gs1, cS1 * s.gs1.fms(w, s.zs1)) }
    if anyLane(fisher) {
      let v0 = b.A0 + b.beta * s.g1, v1 = (S.partnerA ? b.A1 : .splat(0)) + b.beta * s.g0
      var vDv = (v0 * v0) * .splat(c[FastField.sig2(0, k)]) + (v1 * v1) * .splat(c[FastField.sig2(1, k)])
      if S.singles >= 1 { vDv = vDv.fma(b.As0, s.zs0) }
      if S.singles >= 2 { vDv = vDv.fma(b.As1, s.zs1) }
      kappa = kappa.or(Lanes.splat(2) / (s.nu + vDv), where: fisher)
      w2sq = w2sq.or(.splat(0), where: fisher)
      for a in 0...iB { yt[a] = yt[a].or(Y[a], where: fisher) }
    }
    // κ ỹ_c ỹ_c' and 2w Y_c for the coefficients present: R (0), A₀ (1), A₁ (2), the singles
    // (3, 4), β (iB) — written out with constant indices, so that each is one fused
    // multiply-add (a loop over the coefficients would index the sums at run time).
    func present(_ a: Int) -> Bool {
      a == iB || (a == 0 && S.hasR) || a == 1 || (a == 2 && S.partnerA) || (a == 3 && S.singles >= 1 && iB > 3) || (a == 4 && S.singles >= 2)
    }
    func acc(_ a: Int, _ b: Int) {
      if present(a) && present(b) { sums.add(a, b, kappa * yt[a], yt[b]) }
    }
    func rho(_ a: Int) { if present(a) { sums.addRho(a, w1, Y[a]) } }
    rho(0); rho(1); rho(2); rho(3); rho(4); rho(5)
    acc(0, 0); acc(0, 1); acc(0, 2); acc(0, 3); acc(0, 4); acc(0, 5)
    acc(1, 1); acc(1, 2); acc(1, 3); acc(1, 4); acc(1, 5)
    acc(2, 2); acc(2, 3); acc(2, 4); acc(2, 5)
    acc(3, 3); acc(3, 4); acc(3, 5)
    acc(4, 4); acc(4, 5)
    acc(5, 5)
    // −2w² X M⁻¹ Xᵀ: the pair block (A₀, A₁, β) and the singles' diagonal σ_l²A_l⁰².
    let u0 = (s.m00 * s.g1).fma(s.m01, s.g0), u1 = (s.m01 * s.g1).fma(s.m11, s.g0)
    let wA0 = w2sq * cA0, wB = w2sq * cB
    sums[1, 1] = sums[1, 1].fms(wA0 * cA0, s.m00)
    sums[1, iB] = sums[1, iB].fms(wA0 * cB, u0)
    sums[iB, iB] = sums[iB, iB].fms(wB * cB, (s.g1 * u0).fma(s.g0, u1))
    if S.partnerA {
      let wA1 = w2sq * cA1
      sums[1, 2] = sums[1, 2].fms(wA0 * cA1, s.m01)
      sums[2, 2] = sums[2, 2].fms(wA1 * cA1, s.m11)
      sums[2, iB] = sums[2, iB].fms(wA1 * cB, u1)
    }
    for l in 2..<k { sums[1 + l, 1 + l] = sums[1 + l, 1 + l].fms(w2sq, .splat(c[FastField.q(l, k)])) }
  }
}
