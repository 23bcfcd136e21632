import Foundation

// MARK: - Profiling the locals of each bin for fixed globals
extension GeneralFitter {
  /// P(g): −2 ln L (without constants) with every bin's free locals at their conditional
  /// minimum for the current globals. Updates the locals in `x`. With `schur`, the same pass
  /// also builds S and r at the new point (an accepted line-search step needs no second pass).
  func profile(schur: Bool = false, exact: Bool = true) -> Double {
    profilePasses &+= 1
    var F = constantConstraints
    for i in 0..<nGlobal { F += constraintValue(Int(gParam[i])) }
    if schur { beginSchur(exact: exact) }
    for b in 0..<m.mainCount {
      F += solveBin(b)
      if schur { schurBin(b, exact: exact) }
    }
    return F.isNaN ? .infinity : F
  }

  /// The bin's share of the objective: main term plus the constraints of its free locals.
  @inline(__always)
  func binObjective(_ b: Int) -> Double {
    var f = mainTerm(n[b], m.expected(bin: b, x))
    for j in Int(binFreeLocalStart[b])..<Int(binFreeLocalStart[b + 1]) { f += constraintValue(Int(binFreeLocalParam[j])) }
    return f
  }

  /// Minimises the bin's objective over its free locals (globals fixed) and returns it.
  @inline(__always)
  func solveBin(_ b: Int) -> Double {
    let k = Int(binFreeLocalStart[b + 1] - binFreeLocalStart[b])
    switch solver[b] {
    case .noLocals: return binObjective(b)
    case .gaussianLinear: return gaussianLinearSolve(b, k, linearCoefficients(b, k))
    case .poissonLinear: return poissonLinearSolve(b, k)
    case .freeLinear: return freeLinearSolve(b, k)
    case .newton: return newtonBin(b, k)
    }
  }

  /// Sums R (terms without a free local) and A_l (terms carrying local l, its factor left
  /// out) for the closed forms, where each term carries at most one local, linearly.
  @inline(__always)
  func linearCoefficients(_ b: Int, _ k: Int) -> Double {
    for j in 0..<k { coefA[j] = 0 }
    var R = 0.0
    for t in Int(m.binTermStart[b])..<Int(m.binTermStart[b + 1]) {
      var base = m.nominal[t]
      for a in Int(m.additiveStart[t])..<Int(m.additiveStart[t + 1]) {
        base += m.additiveEffect[a].value(x[Int(m.additiveParam[a])])
      }
      var prod = base
      var li: Int32 = -1
      for f in Int(m.factorStart[t])..<Int(m.factorStart[t + 1]) {
        let p = Int(m.factorParam[f])
        let s = localSlot[p]
        if s >= 0 { li = s } else { prod *= m.factorEffect[f].value(x[p]) }
      }
      if li >= 0 { coefA[Int(li)] += prod } else { R += prod }
    }
    return R
  }

  /// Gaussian factors of disjoint terms, `coefA` and R filled: γ_l = a_l − σ_l² A_l (1 − n/ν)
  /// with ν² − (ν₀ − c)ν − c n = 0, ν₀ = R + Σ A_l a_l, c = Σ σ_l² A_l² (stationarity of
  /// 2(ν − n ln ν) + Σ((γ_l − a_l)/σ_l)²); the root is taken in the form without cancellation.
  @inline(__always)
  func gaussianLinearSolve(_ b: Int, _ k: Int, _ R: Double) -> Double {
    let start = Int(binFreeLocalStart[b])
    let count = n[b]
    var nu0 = R
    var c = 0.0
    for j in 0..<k {
      guard case .gaussian(let s, let a) = m.constraint[Int(binFreeLocalParam[start + j])] else { continue }
      nu0 += coefA[j] * aux[a]
      c += s * s * coefA[j] * coefA[j]
    }
    var w = 1.0  // 1 − n/ν
    var nu = nu0 - c  // the stationary ν for n = 0
    if count != 0 {
      let e = nu0 - c
      let sq = (e * e + 4 * c * count).squareRoot()
      nu = e >= 0 ? 0.5 * (e + sq) : 2 * c * count / (sq - e)
      if !(nu > 0) { return newtonBin(b, k) }
      w = 1 - count / nu
    }
    var inside = true
    for j in 0..<k {
      let p = Int(binFreeLocalParam[start + j])
      guard case .gaussian(let s, let a) = m.constraint[p] else { continue }
      var g = aux[a] - s * s * coefA[j] * w
      if !(g >= m.lower[p] && g <= m.upper[p]) {
        inside = false
        g = min(max(g, m.lower[p]), m.upper[p])
      }
      x[p] = g
    }
    // Without events the stationary ν may be negative (mainTerm(0, ν) = 2ν for every ν).
    let admissible = nu >= 0 || count == 0
    if inside && admissible { return c * w * w + mainTerm(count, nu) }  // Σ((γ_l − a_l)/σ_l)² = c·w²
    if k > 1 || !admissible { return newtonBin(b, k) }
    // One local clamped at a bound: exact (the bin's objective is convex in it).
    return constraintValue(Int(binFreeLocalParam[start])) + mainTerm(count, R + coefA[0] * x[Int(binFreeLocalParam[start])])
  }

  /// One Poisson-constrained factor: (A+τ)Aγ² + [(A+τ)R − nA − aA]γ − aR = 0.
  @inline(__always)
  func poissonLinearSolve(_ b: Int, _ k: Int) -> Double {
    let R = linearCoefficients(b, 1)
    let A = coefA[0]
    let p = Int(binFreeLocalParam[Int(binFreeLocalStart[b])])
    guard case .poisson(let tau, let ai) = m.constraint[p] else { return newtonBin(b, k) }
    let a = aux[ai]
    let count = n[b]
    var g: Double
    if A == 0 {
      g = a / tau
    } else if A > 0 {
      let qa = (A + tau) * A
      let B = (A + tau) * R - count * A - a * A
      let C = -a * R
      let D = B * B - 4 * qa * C
      if !(D >= 0) { return newtonBin(b, k) }
      let sq = D.squareRoot()
      g = B < 0 ? (sq - B) / (2 * qa) : (B + sq > 0 ? -2 * C / (B + sq) : 0)
    } else {
      return newtonBin(b, k)
    }
    g = min(max(g, m.lower[p]), m.upper[p])
    x[p] = g
    return mainTerm(count, R + A * g) + constraintValue(p)
  }

  /// One free factor: ν = n; without events, 2ν falls with the factor down to its lower bound
  /// (also where ν < 0 there: pyhf's convention, ``mainTerm(_:_:)``).
  @inline(__always)
  func freeLinearSolve(_ b: Int, _ k: Int) -> Double {
    let R = linearCoefficients(b, 1)
    let A = coefA[0]
    let p = Int(binFreeLocalParam[Int(binFreeLocalStart[b])])
    if A > 0 {
      x[p] = n[b] == 0 && m.lower[p].isFinite ? m.lower[p] : min(max((n[b] - R) / A, m.lower[p]), m.upper[p])
    } else if A < 0 {
      return newtonBin(b, k)
    }
    return mainTerm(n[b], R + A * x[p])
  }

  /// Projected Newton over the bin's free locals (globals fixed), from the current values.
  func newtonBin(_ b: Int, _ k: Int) -> Double {
    let start = Int(binFreeLocalStart[b])
    for j in 0..<k {
      let p = Int(binFreeLocalParam[start + j])
      x[p] = min(max(x[p], m.lower[p]), m.upper[p])
      slotOf[p] = Int32(j)
      slotParam[j] = Int32(p)
    }
    defer { for j in 0..<k { slotOf[Int(binFreeLocalParam[start + j])] = -1 } }
    var f = binObjective(b)
    if !f.isFinite { return f }
    for _ in 0..<100 {
      let nu = binDerivatives(b, k)
      binGradientHessian(b, nu, k, 0, exact: true)
      let nf = localActiveSet(k)
      if nf == 0 { break }
      let dec = localNewtonDirection(k, nf)
      if !(dec > 1e-15) { break }
      guard let fn = localLineSearch(b, k, nf, f: f, dec: dec) else { break }
      f = fn
      if dec < 1e-13 { break }
    }
    return f
  }

  /// The bin's locals not held at a bound by their gradient, into `localIdx`; their count.
  @inline(__always)
  private func localActiveSet(_ k: Int) -> Int {
    var nf = 0
    for j in 0..<k {
      let p = Int(slotParam[j])
      let g = gbv[j]
      if (x[p] <= m.lower[p] && g > 0) || (x[p] >= m.upper[p] && g < 0) { continue }
      localIdx[nf] = Int32(j)
      nf += 1
    }
    return nf
  }

  /// The Newton direction over the `nf` free locals (modified Cholesky), in `localDir`; the
  /// decrement gᵀH⁻¹g.
  @inline(__always)
  private func localNewtonDirection(_ k: Int, _ nf: Int) -> Double {
    for i in 0..<nf {
      for j in 0..<nf { hll[i * nf + j] = hb[Int(localIdx[i]) * k + Int(localIdx[j])] }
      localDir[i] = gbv[Int(localIdx[i])]
    }
    _ = SmallLinearAlgebra.cholesky(hll, nf, modify: true)
    SmallLinearAlgebra.choleskySolve(hll, nf, localDir)
    var dec = 0.0
    for i in 0..<nf { dec += gbv[Int(localIdx[i])] * localDir[i] }
    return dec
  }

  /// Armijo backtracking along the projection arc; the new objective, or nil (locals
  /// restored) when no step decreases it.
  private func localLineSearch(_ b: Int, _ k: Int, _ nf: Int, f: Double, dec: Double) -> Double? {
    for j in 0..<k { localSave[j] = x[Int(slotParam[j])] }
    var alpha = 1.0
    while alpha > 1e-12 {
      var pred = 0.0
      for i in 0..<nf {
        let j = Int(localIdx[i])
        let p = Int(slotParam[j])
        let v = min(max(localSave[j] - alpha * localDir[i], m.lower[p]), m.upper[p])
        x[p] = v
        pred += gbv[j] * (v - localSave[j])
      }
      let fn = binObjective(b)
      if fn <= f + 1e-4 * pred || (dec < 1e-9 && fn <= f + 1e-13 * (1 + abs(f))) { return fn }
      alpha *= 0.5
    }
    for j in 0..<k { x[Int(slotParam[j])] = localSave[j] }
    return nil
  }
}
