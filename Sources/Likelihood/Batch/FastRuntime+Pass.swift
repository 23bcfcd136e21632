import Foundation

// MARK: - One pass over the bins for every lane
//
// At the lanes' trial globals xt: the class products P_j with their derivatives (the effects
// evaluated through ``Effect/jet(_:)``), every group's kernel (profiled locals, objective,
// coefficient-space Schur sums), then the globals' gradient and Schur complement,
//
//     r = Σ_j ρ_j ∇P_j + constraints,   S = Σ_jj' C_jj' ∇P_j ∇P_j'ᵀ + Σ_j ρ_j ∇²P_j + constraints.
extension FastRuntime {
  /// Evaluates every lane at `xt`: sets `Ft`, `rt`, `St` and `failed`.
  func pass() {
    let zero = Lanes.splat(0)
    classDerivatives()
    for j in 0..<J { rho[j] = zero }
    for i in 0..<(J * J) { cc[i] = zero }
    failed = Mask(repeating: false)
    fisher = lane.starting .& live
    slowF = zero
    for i in 0..<G { slowR[i] = zero }
    for i in 0..<(G * G) { slowS[i] = zero }
    Ft = constantPart
    for i in 0..<G {
      if case .gaussian(let sigma, _) = structure.globalConstraint[i] {
        let zi = (globalAux[i] - xt[i]) * Lanes.splat(1 / sigma)
        Ft = Ft.fma(zi, zi)
      }
    }
    for gi in groups.indices { runGroup(gi) }
    assemble()
  }

  /// P_j, ∂P_j per factor occurrence and ∂²P_j per occurrence pair (product rule), per lane.
  func classDerivatives() {
    var value = [Lanes](repeating: Lanes.splat(0), count: 8), d1 = value, d2 = value
    for (j, cls) in structure.classes.enumerated() {
      let q = cls.factors.count
      if q > value.count {
        value = [Lanes](repeating: Lanes.splat(0), count: q)
        d1 = value
        d2 = value
      }
      for (i, f) in cls.factors.enumerated() {
        let theta = xt[f.global]
        if f.effect.isLinear {
          value[i] = theta
          d1[i] = Lanes.splat(1)
          d2[i] = Lanes.splat(0)
        } else {
          for lane in 0..<Lanes.scalarCount {
            let jet = f.effect.jet(theta[lane])
            value[i][lane] = jet.value
            d1[i][lane] = jet.d1
            d2[i][lane] = jet.d2
          }
        }
      }
      productRule(j, q, value, d1, d2)
    }
  }

  private func productRule(_ j: Int, _ q: Int, _ value: [Lanes], _ d1: [Lanes], _ d2: [Lanes]) {
    var P = Lanes.splat(1)
    for i in 0..<q { P = P * value[i] }
    classP[j] = P
    let grad = classGrad + classFactorStart[j], hess = classHess + classHessStart[j]
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
    var gP = [Lanes](repeating: zero, count: J * G)  // ∇P_j in global space
    for (j, cls) in structure.classes.enumerated() {
      for (i, f) in cls.factors.enumerated() { gP[j * G + f.global] = gP[j * G + f.global] + classGrad[classFactorStart[j] + i] }
    }
    Ft = Ft + slowF
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
      let cls = structure.classes[j].factors
      let q = cls.count, hess = classHess + classHessStart[j]
      let rhoExact = rho[j].or(zero, where: fisher)  // the expected curvature has no ρ∇²P term
      for a in 0..<q {
        for b in 0..<q {
          let idx = cls[a].global * G + cls[b].global
          St[idx] = St[idx].fma(rhoExact, hess[a * q + b])
        }
      }
    }
    for i in 0..<G {
      if case .gaussian(let sigma, _) = structure.globalConstraint[i] {
        let s2 = 1 / (sigma * sigma)
        rt[i] = rt[i].fma(Lanes.splat(2 * s2), xt[i] - globalAux[i])
        St[i * G + i] = St[i * G + i] + Lanes.splat(2 * s2)
      }
    }
  }
}
