import Foundation

// MARK: - Uncertainties from the inverse Hessian
//
// V = 2 H⁻¹ with H the Hessian of −2 ln L over all free parameters, inverted blockwise from its
// arrow structure: (H⁻¹)_gg = S⁻¹ (S the Schur complement over the globals), and per bin
// (H⁻¹)_ll = H_ll⁻¹ + Y S⁻¹ Yᵀ with Y = H_ll⁻¹ H_lg.
extension GeneralFitter {
  /// √diag V at the current point; 0 for fixed parameters, NaN where H is not positive definite.
  func computeUncertainties() -> [Double] {
    var out = [Double](repeating: 0, count: m.parameterCount)
    let G = nGlobal
    for i in 0..<(G * G) { S[i] = 0 }
    for i in 0..<G { S[i * G + i] += constraintDerivatives(Int(gParam[i]), exact: true).h }
    var allOK = true
    for b in 0..<m.mainCount where !storeBinInverse(b) { allOK = false }
    let sOK = G == 0 || SmallLinearAlgebra.cholesky(S, G, modify: false)
    if sOK && G > 0 { SmallLinearAlgebra.choleskyInverse(S, G, work: work) }
    let ok = sOK && allOK
    for i in 0..<G { out[Int(gParam[i])] = ok ? (2 * S[i * G + i]).squareRoot() : .nan }
    for b in 0..<m.mainCount { localUncertainties(b, ok: ok, into: &out) }
    for p in 0..<m.parameterCount where free[p] && m.touch[p] == 0 {
      switch m.constraint[p] {
      case .gaussian(let sigma, _): out[p] = sigma
      case .poisson(_, let a): out[p] = aux[a] > 0 ? x[p] / aux[a].squareRoot() : .nan
      case .none: out[p] = .nan
      }
    }
    return out
  }

  /// Bin b's H_ll⁻¹ and Y = H_ll⁻¹ H_lg into the stores and its share of S; false when H_ll is
  /// not positive definite.
  private func storeBinInverse(_ b: Int) -> Bool {
    let G = nGlobal
    let (gb, mm) = assignSlots(b, locals: true, allLocals: true)
    let kb = mm - gb
    binGb[b] = Int32(gb)
    let slots = binSlots + Int(binSlotsStart[b])
    for s in 0..<mm { slots[s] = slotParam[s] }
    binOK[b] = true
    if mm == 0 { return true }
    let nu = binDerivatives(b, mm)
    for s in 0..<mm { slotOf[Int(slotParam[s])] = -1 }
    binGradientHessian(b, nu, mm, gb, exact: true)
    let ll = llStore + Int(binStoreStart[b])
    let y = yStore + Int(binYStart[b])
    for i in 0..<kb { for j in 0..<kb { ll[i * kb + j] = hb[(gb + i) * mm + gb + j] } }
    if kb > 0 && !SmallLinearAlgebra.cholesky(ll, kb, modify: false) {
      binOK[b] = false
      return false
    }
    for j in 0..<gb {
      for l in 0..<kb { work[l] = hb[(gb + l) * mm + j] }
      SmallLinearAlgebra.choleskySolve(ll, kb, work)
      for l in 0..<kb { y[l * gb + j] = work[l] }
    }
    for i in 0..<gb {
      let gi = Int(gPos[Int(slotParam[i])])
      for j in 0..<gb {
        var s = hb[i * mm + j]
        for l in 0..<kb { s -= hb[i * mm + gb + l] * y[l * gb + j] }
        S[gi * G + Int(gPos[Int(slotParam[j])])] += s
      }
    }
    if kb > 0 { SmallLinearAlgebra.choleskyInverse(ll, kb, work: work) }
    return true
  }

  /// √diag (H_ll⁻¹ + Y S⁻¹ Yᵀ) for bin b's free locals.
  private func localUncertainties(_ b: Int, ok: Bool, into out: inout [Double]) {
    let G = nGlobal
    let gb = Int(binGb[b])
    let start = Int(binSlotsStart[b])
    let kb = Int(binFreeLocalStart[b + 1] - binFreeLocalStart[b])
    let ll = llStore + Int(binStoreStart[b])
    let y = yStore + Int(binYStart[b])
    for l in 0..<kb {
      let p = Int(binSlots[start + gb + l])
      guard binOK[b] && ok else {
        out[p] = .nan
        continue
      }
      var v = ll[l * kb + l]
      for i in 0..<gb {
        let gi = Int(gPos[Int(binSlots[start + i])])
        var s = 0.0
        for j in 0..<gb { s += S[gi * G + Int(gPos[Int(binSlots[start + j])])] * y[l * gb + j] }
        v += y[l * gb + i] * s
      }
      out[p] = (2 * v).squareRoot()
    }
  }
}
