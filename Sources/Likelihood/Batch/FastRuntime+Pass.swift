import Foundation

// MARK: - One pass over the bins for every lane
//
// At the lanes' trial globals xt: the class products P_j with their derivatives (the effects
// evaluated through ``Effect/jet(_:)``), every group's kernel (profiled locals, objective,
// coefficient-space Schur sums), then the globals' gradient and Schur complement,
//
//     r = Σ_j ρ_j ∇P_j + constraints,   S = Σ_jj' C_jj' ∇P_j ∇P_j'ᵀ + Σ_j ρ_j ∇²P_j + constraints.
extension FastRuntime {
  /// Evaluates every lane at `xt`: sets `FtNoLog`, `Ft` (with the logarithms when `log`),
  /// `rt`, `St` and `failed`.
  func pass(log: Bool) {
    let zero = Lanes.splat(0)
    passLogged = log
    classDerivatives()
    for j in 0..<J { rho[j] = zero }
    for i in 0..<(J * J) { cc[i] = zero }
    failed = Mask(repeating: false)
    fisher = lane.starting .& live
    slowF = zero
    for i in 0..<G { slowR[i] = zero }
    for i in 0..<(G * G) { slowS[i] = zero }
    binsNoLog = zero
    binsLog = zero
    for gi in groups.indices { runGroup(gi, log: log) }
    var F = constantPart
    for i in 0..<G where globalInvSigma2[i] > 0 {
      let zi = globalAux[i] - xt[i]
      F = F.fma(zi * Lanes.splat(globalInvSigma2[i]), zi)
    }
    FtNoLog = F + binsNoLog + slowF
    Ft = log ? FtNoLog - Lanes.splat(2) * binsLog : FtNoLog
    assemble()
  }

  /// P_j, ∂P_j per factor occurrence and ∂²P_j per occurrence pair (product rule), per lane.
  func classDerivatives() {
    for f in 0..<factorGlobal.count {
      let theta = xt[factorGlobal[f]]
      if factorLinear[f] {
        (factorValue[f], factorD1[f], factorD2[f]) = (theta, .splat(1), .splat(0))
        continue
      }
      for lane in 0..<Lanes.scalarCount {
        let jet = factorEffect[f].jet(theta[lane])
        (factorValue[f][lane], factorD1[f][lane], factorD2[f][lane]) = (jet.value, jet.d1, jet.d2)
      }
    }
    for j in 0..<J { productRule(j) }
  }

  private func productRule(_ j: Int) {
    let fs = classFactorStart[j], q = classFactorStart[j + 1] - fs
    let value = factorValue + fs, d1 = factorD1 + fs, d2 = factorD2 + fs
    var P = Lanes.splat(1)
    for i in 0..<q { P = P * value[i] }
    classP[j] = P
    let grad = classGrad + fs, hess = classHess + classHessStart[j]
    for i in 0..<q {
      var others = Lanes.splat(1)
      for i2 in 0..<q where i2 != i { others = others * value[i2] }
      grad[i] = d1[i] * others
      hess[i * q + i] = d2[i] * others
      for i2 in (i + 1)..<max(i + 1, q) {
        var rest = Lanes.splat(1)
        for i3 in 0..<q where i3 != i && i3 != i2 { rest = rest * value[i3] }
        let h = d1[i] * d1[i2] * rest
        hess[i * q + i2] = h
        hess[i2 * q + i] = h
      }
    }
  }

  /// rt and St from the class-space sums.
  func assemble() {
    let zero = Lanes.splat(0)
    let gP = classGlobalGrad  // ∇P_j in global space
    for i in 0..<(J * G) { gP[i] = zero }
    for j in 0..<J {
      for f in classFactorStart[j]..<classFactorStart[j + 1] where factorGlobal[f] < G {
        gP[j * G + factorGlobal[f]] = gP[j * G + factorGlobal[f]] + classGrad[f]
      }
    }
    for i in 0..<G {
      rt[i] = slowR[i]
      for k in 0..<G { St[i * G + k] = slowS[i * G + k] }
    }
    for j in 0..<J {
      for i in 0..<G { rt[i] = rt[i].fma(rho[j], gP[j * G + i]) }
      for j2 in 0..<J {
        let c = cc[j * J + j2]
        for i in 0..<G {
          let ci = c * gP[j * G + i]
          for k in 0..<G { St[i * G + k] = St[i * G + k].fma(ci, gP[j2 * G + k]) }
        }
      }
      let fs = classFactorStart[j], q = classFactorStart[j + 1] - fs, hess = classHess + classHessStart[j]
      let rhoExact = rho[j].or(zero, where: fisher)  // the expected curvature has no ρ∇²P term
      for a in 0..<q where factorGlobal[fs + a] < G {
        for b in 0..<q where factorGlobal[fs + b] < G {
          let idx = factorGlobal[fs + a] * G + factorGlobal[fs + b]
          St[idx] = St[idx].fma(rhoExact, hess[a * q + b])
        }
      }
    }
    for i in 0..<G where globalInvSigma2[i] > 0 {
      let s2 = Lanes.splat(2 * globalInvSigma2[i])
      rt[i] = rt[i].fma(s2, xt[i] - globalAux[i])
      St[i * G + i] = St[i * G + i] + s2
    }
  }
}
