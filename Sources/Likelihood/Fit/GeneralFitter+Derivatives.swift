import Foundation

// MARK: - Derivatives of one bin and its share of the Schur complement
extension GeneralFitter {
  /// Adds the derivatives of one term, prod · base, to `d1` (gradient over the m slots) and `d2`
  /// (m × m Hessian) by the product rule: the multiplicative factors' values and first and second
  /// derivatives are in `fv`, `f1`, `f2` (slots in `fsl`, −1 when not free), `prod` = Π fv; the
  /// additive modifiers' derivatives of `base` are in `av1`, `av2` (slots in `asl`).
  @inline(__always)
  func accumulateTermDerivatives(base: Double, prod: Double, factors nf: Int, additive na: Int, m mm: Int,
                                 into d1: UnsafeMutablePointer<Double>, _ d2: UnsafeMutablePointer<Double>) {
    for i in 0..<nf where fsl[i] >= 0 {
      let si = Int(fsl[i])
      var pe = 1.0
      for j in 0..<nf where j != i { pe *= fv[j] }
      let gi = f1[i] * pe
      d1[si] += base * gi
      if f2[i] != 0 { d2[si * mm + si] += base * f2[i] * pe }
      var j = i + 1
      while j < nf {
        if fsl[j] >= 0 {
          let sj = Int(fsl[j])
          var pij = 1.0
          for q in 0..<nf where q != i && q != j { pij *= fv[q] }
          let v = base * f1[i] * f1[j] * pij
          d2[si * mm + sj] += v
          d2[sj * mm + si] += v
        }
        j += 1
      }
      for a in 0..<na {
        let sa = Int(asl[a])
        let v = gi * av1[a]
        d2[si * mm + sa] += v
        d2[sa * mm + si] += v
      }
    }
    for a in 0..<na {
      let sa = Int(asl[a])
      d1[sa] += prod * av1[a]
      d2[sa * mm + sa] += prod * av2[a]
    }
  }

  /// ν_b and its first and second derivatives with respect to the mm slot parameters
  /// (`slotOf[p]` ≥ 0), by the product rule over each term's factor occurrences and the sum
  /// over its additive ones (a parameter occurring twice is handled by the chain rule).
  /// Fills `dnu` (mm) and `d2nu` (mm × mm, symmetric).
  @inline(__always)
  func binDerivatives(_ b: Int, _ mm: Int) -> Double {
    for i in 0..<mm { dnu[i] = 0 }
    for i in 0..<(mm * mm) { d2nu[i] = 0 }
    var nu = 0.0
    for t in Int(m.binTermStart[b])..<Int(m.binTermStart[b + 1]) {
      var base = m.nominal[t]
      var na = 0
      for a in Int(m.additiveStart[t])..<Int(m.additiveStart[t + 1]) {
        let p = Int(m.additiveParam[a])
        let v = m.additiveEffect[a].jet(x[p])
        base += v.value
        let s = slotOf[p]
        if s >= 0 {
          asl[na] = s
          av1[na] = v.d1
          av2[na] = v.d2
          na += 1
        }
      }
      var nf = 0
      var prod = 1.0
      for f in Int(m.factorStart[t])..<Int(m.factorStart[t + 1]) {
        let p = Int(m.factorParam[f])
        let v = m.factorEffect[f].jet(x[p])
        fv[nf] = v.value
        f1[nf] = v.d1
        f2[nf] = v.d2
        prod *= v.value
        fsl[nf] = slotOf[p]
        nf += 1
      }
      nu += prod * base
      accumulateTermDerivatives(base: base, prod: prod, factors: nf, additive: na, m: mm, into: dnu, d2nu)
    }
    return nu
  }

  /// Gradient `gbv` and Hessian `hb` (mm × mm) of the bin's objective from ``binDerivatives``;
  /// slots from `firstLocal` on are locals and get their constraint terms. With
  /// `exact: false` the expected (Fisher) Hessian 2∇ν∇νᵀ/ν is used.
  @inline(__always)
  func binGradientHessian(_ b: Int, _ nu: Double, _ mm: Int, _ firstLocal: Int, exact: Bool) {
    let count = n[b]
    let w1: Double
    let w2: Double
    if count == 0 {
      w1 = 2
      w2 = exact ? 0 : (nu > 0 ? 2 / nu : 0)
    } else {
      let ratio = count / nu
      w1 = 2 * (1 - ratio)
      w2 = exact ? 2 * ratio / nu : 2 / nu
    }
    for i in 0..<mm {
      gbv[i] = w1 * dnu[i]
      let wi = w2 * dnu[i]
      if exact {
        for j in 0..<mm { hb[i * mm + j] = wi * dnu[j] + w1 * d2nu[i * mm + j] }
      } else {
        for j in 0..<mm { hb[i * mm + j] = wi * dnu[j] }
      }
    }
    for s in firstLocal..<max(firstLocal, mm) {
      let c = constraintDerivatives(Int(slotParam[s]), exact: exact)
      gbv[s] += c.g
      hb[s * mm + s] += c.h
    }
  }

  /// S and r reset to the globals' constraint terms.
  @inline(__always)
  func beginSchur(exact: Bool) {
    let G = nGlobal
    for i in 0..<(G * G) { S[i] = 0 }
    for i in 0..<G {
      let c = constraintDerivatives(Int(gParam[i]), exact: exact)
      r[i] = c.g
      S[i * G + i] += c.h
    }
  }

  /// Numbers the bin's free globals (slots 0 ..< gb) and then, with `locals`, its free locals
  /// (those strictly inside their bounds unless `allLocals`); returns (gb, mm).
  @inline(__always)
  func assignSlots(_ b: Int, locals: Bool, allLocals: Bool = false) -> (gb: Int, mm: Int) {
    var mm = 0
    for j in Int(m.binGlobalStart[b])..<Int(m.binGlobalStart[b + 1]) {
      let p = Int(m.binGlobalParam[j])
      if gPos[p] >= 0 {
        slotOf[p] = Int32(mm)
        slotParam[mm] = Int32(p)
        mm += 1
      }
    }
    let gb = mm
    if !locals || gb == 0 && !allLocals { return (gb, mm) }
    for j in Int(binFreeLocalStart[b])..<Int(binFreeLocalStart[b + 1]) {
      let p = Int(binFreeLocalParam[j])
      if allLocals || (x[p] > m.lower[p] && x[p] < m.upper[p]) {
        slotOf[p] = Int32(mm)
        slotParam[mm] = Int32(p)
        mm += 1
      }
    }
    return (gb, mm)
  }

  /// Bin b's share of S and r: H_gg − H_gl H_ll⁻¹ H_lg and g_g − H_gl H_ll⁻¹ g_l over the
  /// bin's free globals and its free locals that are not at a bound.
  @inline(__always)
  func schurBin(_ b: Int, exact: Bool) {
    let G = nGlobal
    let (gb, mm) = assignSlots(b, locals: true)
    if gb == 0 { return }
    let kb = mm - gb
    let nu = binDerivatives(b, mm)
    for s in 0..<mm { slotOf[Int(slotParam[s])] = -1 }
    binGradientHessian(b, nu, mm, gb, exact: exact)
    if kb > 0 { eliminateLocals(gb: gb, kb: kb, mm: mm) }
    for i in 0..<gb {
      let gi = Int(gPos[Int(slotParam[i])])
      var ri = gbv[i]
      for l in 0..<kb { ri -= hb[i * mm + gb + l] * za[l] }
      r[gi] += ri
      for j in 0..<gb {
        var s = hb[i * mm + j]
        for l in 0..<kb { s -= hb[i * mm + gb + l] * ya[l * gb + j] }
        S[gi * G + Int(gPos[Int(slotParam[j])])] += s
      }
    }
  }

  /// The local block's solves: Y = H_ll⁻¹ H_lg (in `ya`), z = H_ll⁻¹ g_l (in `za`), by a
  /// (modified) Cholesky factorisation.
  @inline(__always)
  private func eliminateLocals(gb: Int, kb: Int, mm: Int) {
    for i in 0..<kb { for j in 0..<kb { hll[i * kb + j] = hb[(gb + i) * mm + gb + j] } }
    _ = SmallLinearAlgebra.cholesky(hll, kb, modify: true)
    for j in 0..<gb {
      for l in 0..<kb { work[l] = hb[(gb + l) * mm + j] }
      SmallLinearAlgebra.choleskySolve(hll, kb, work)
      for l in 0..<kb { ya[l * gb + j] = work[l] }
    }
    for l in 0..<kb { za[l] = gbv[gb + l] }
    SmallLinearAlgebra.choleskySolve(hll, kb, za)
  }
}
