import Foundation

// MARK: - The per-bin fast path
//
// A bin qualifies when its terms have no additive (histosys) occurrences and every free local
// of the bin is a Gaussian-constrained linear factor, at most two of them on any one term (the
// search windows: ν = µLκ(α)·s·γs + N·(b_µµ·γb·γv + b_o·γb); the reference window has one
// local per term). Then
//
//     ν(γ) = R + Σ_l A_l γ_l + Σ_{l<m} B_lm γ_l γ_m,
//
// with R, A and B sums of (term nominal × its fixed per-bin factors) × P_j(g), P_j the product of
// the term's global factors — the same function for every term of a sample ("class"), so it is
// evaluated once per pass, not once per bin. Each bin keeps, per fit, a table of the
// coefficients of R, A and B in the P_j of its (at most three) classes.
//
// Inner problem. Stationarity of 2(ν − n ln ν) + Σ_l ((γ_l − a_l)/σ_l)² in γ reads
// γ_l/σ_l² + w ∂ν/∂γ_l = a_l/σ_l² with w = 1 − n/ν, i.e. for a given w the linear system
//
//     M(w) γ = D⁻¹a − wA,   M(w) = D⁻¹ + wB,   D = diag(σ_l²),
//
// and one scalar equation ν(γ(w))·(1 − w) = n remains. Along the solution curve
// dγ/dw = −M⁻¹v (v = ∇_γ ν = A + Bγ) and dν/dw = −c, c = vᵀM⁻¹v > 0. Each iteration replaces
// ν(w) by its tangent ν_k − c_k(w − w_k) and solves (ν₀ − c_k w)(1 − w) = n exactly (the
// quadratic of the single-local closed form), which is Newton's method with the n/(1 − w) part
// kept exact: without pairs (B = 0) ν is linear in w and one step is exact; with pairs it
// converges quadratically from the starting w (the bin's previous solution), in 1–3 steps.
// n = 0 gives w = 1 at once. The last step's small change of w is applied to γ to first order
// (error O(Δw²) < 1e-16; exact without pairs). A local may share terms with at most one other
// local, so M is block diagonal with 2×2 blocks (pairs) and 1×1 blocks (single locals), inverted
// explicitly; the bin's locals are ordered pairs first, at most four in all. The kernels are
// specialised per shape (``FastShape``) and number of classes (``FastClasses``), separately for
// empty bins (w = 1, no logarithm) and bins with events, so that they are straight-line code;
// bins are grouped by kernel once per fit structure. A non-positive-definite M, a local outside
// its bounds or no convergence hands the bin to the general projected Newton
// (``newtonBin``/``schurBin``); bins with more locals or classes take the general paths.
//
// Schur complement. With u = ∂ν/∂g, E = ∂²ν/∂g∂γ, Q = ∂²ν/∂g², K = 2M (the Hessian of the
// constraints plus w₁B), w₁ = 2w, w₂ = 2n/ν², the bin's share of S is
//
//     S_b = κ (u − w₁E K⁻¹v)(u − w₁E K⁻¹v)ᵀ + w₁Q − w₁² E K⁻¹ Eᵀ,   κ = w₂/(1 + w₂ vᵀK⁻¹v)
//
// (the Schur complement of M = [[w₁Q, w₁E], [w₁Eᵀ, K]] with the rank-one w₂∇ν∇νᵀ added) and
// r_b = w₁u. All of u, E, Q live in the span of the class gradients: u = Σ_j ∇P_j Y_j,
// E = Σ_j ∇P_j X_jᵀ, Q = Σ_j ∇²P_j Y_j with Y_j = Σ_{t∈j} ν⁰_t Γ_t(γ), X_jl = Σ_{t∈j} ν⁰_t ∂Γ_t/∂γ_l
// (Γ_t the product of the term's locals). So each bin adds a J_b×J_b matrix C and a J_b-vector ρ
// in class space (J_b = classes in the bin: 2 for the windows), and once per pass
// S += Σ C_jj' ∇P_j ∇P_j'ᵀ + Σ ρ_j ∇²P_j, r += Σ ρ_j ∇P_j. Per bin the work is O(J_b² k),
// independent of the number of global parameters: for the search windows (k = 3 with one pair,
// J_b = 2) about 100 arithmetic operations in an empty bin and 200 in one with events (one
// logarithm, one square root), executed as ≈ 330 and ≈ 570 instructions.
//
// The first Newton step of a fit uses the expected curvature instead (``fastFisherSchur``):
// (2/ν)∇ν∇νᵀ, no second derivatives of ν, so C_jj' = κ Y_j Y_j'.
extension Fitter {
  /// Whether bin b takes the fast path for the current free parameters. If so, reorders the
  /// bin's k free locals (pairs first: slots 2i, 2i+1, then single locals; `localSlot` follows)
  /// and sets the terms' slots `fastL1`/`fastL2` and `binNPairs[b]`. Needs `localSlot` and
  /// `binFreeLocalStart[b]` (the bin's k free locals follow it).
  func fastEligible(bin b: Int, k: Int) -> Bool {
    if k > 4 || binClassStart[b + 1] - binClassStart[b] > 3 { return false }
    let start = Int(binFreeLocalStart[b])
    // Partner of each slot (-1: none), from the terms.
    for l in 0..<k { fastPartnerScratch[l] = -1 }
    for t in Int(binTermStart[b])..<Int(binTermStart[b + 1]) {
      guard let (l1, l2) = termLocals(t) else { return false }
      if l2 >= 0 {
        let p1 = fastPartnerScratch[Int(l1)], p2 = fastPartnerScratch[Int(l2)]
        if (p1 >= 0 && p1 != l2) || (p2 >= 0 && p2 != l1) { return false }
        fastPartnerScratch[Int(l1)] = l2
        fastPartnerScratch[Int(l2)] = l1
      }
    }
    // New order: pairs, then single locals.
    var order: [Int32] = []
    order.reserveCapacity(k)
    var pairs = 0
    for l in 0..<k where fastPartnerScratch[l] > Int32(l) {
      order.append(Int32(l))
      order.append(fastPartnerScratch[l])
      pairs += 1
    }
    for l in 0..<k where fastPartnerScratch[l] < 0 { order.append(Int32(l)) }
    let params = order.map { binFreeLocalParam[start + Int($0)] }
    for (slot, p) in params.enumerated() {
      binFreeLocalParam[start + slot] = p
      localSlot[Int(p)] = Int32(slot)
    }
    for t in Int(binTermStart[b])..<Int(binTermStart[b + 1]) {
      let (l1, l2) = termLocals(t)!
      fastL1[t] = l1
      fastL2[t] = l2
    }
    binNPairs[b] = Int32(pairs)
    let shapes: [(Int, Int)] = [(0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (1, 0), (1, 1), (1, 2), (2, 0)]
    let shape = shapes.firstIndex { $0 == (pairs, k - 2 * pairs) }!
    binFastCode[b] = UInt8(3 * shape + Int(binClassStart[b + 1] - binClassStart[b]) - 1)
    return true
  }

  /// The slots of term t's free locals (-1 for none), nil if the term does not qualify: a free
  /// local that is not a Gaussian linear factor with σ > 0, more than two, or one twice.
  private func termLocals(_ t: Int) -> (Int32, Int32)? {
    var l1: Int32 = -1
    var l2: Int32 = -1
    for f in Int(termFactorStart[t])..<Int(termFactorStart[t + 1]) {
      let p = Int(factorParam[f])
      let s = localSlot[p]
      if s < 0 { continue }  // a global, or a fixed local (folded into the nominal)
      if cKind[p] != 1 || factorCode4[f] >= 0 || !(cWidth[p] > 0) { return nil }
      if l1 < 0 {
        l1 = s
      } else if l2 < 0 && s != l1 {
        l2 = s
      } else {
        return nil
      }
    }
    return (l1, l2)
  }

  /// Per fit: the auxiliary data of the fast bins' locals, and — when the structure changed, or
  /// some term carries a fixed per-bin factor whose value may differ from fit to fit — ν⁰_t times
  /// the term's fixed per-bin factors, the bins' coefficient tables and 1/σ², σ², bounds.
  func prepareFastPath() {
    if !fastTablesValid || fastFixedLocalFactors {
      fastFixedLocalFactors = false
      for b in 0..<nMain where binKind[b] == 5 {
        for t in Int(binTermStart[b])..<Int(binTermStart[b + 1]) {
          var v = termNominal[t]
          for f in Int(termFactorStart[t])..<Int(termFactorStart[t + 1]) {
            let p = Int(factorParam[f])
            if touch[p] != 1 || free[p] { continue }
            fastFixedLocalFactors = true
            let c = factorCode4[f]
            v *= c < 0 ? x[p] : code4[Int(c)].valueAndDerivatives(x[p]).value
          }
          nomEff[t] = v
        }
        let coef = binCoef + b * fastCoefStride
        for i in 0..<fastCoefStride { coef[i] = 0 }
        for t in Int(binTermStart[b])..<Int(binTermStart[b + 1]) {
          let row = coef + 8 * Int(termBinClass[t])
          let l1 = Int(fastL1[t])
          if l1 < 0 {
            row[0] += nomEff[t]
          } else if fastL2[t] < 0 {
            row[1 + l1] += nomEff[t]
          } else {
            row[5 + (l1 >> 1)] += nomEff[t]
          }
        }
        for pos in Int(binFreeLocalStart[b])..<Int(binFreeLocalStart[b + 1]) {
          let p = Int(binFreeLocalParam[pos])
          let s = cWidth[p]
          locSig2[pos] = s * s
          locInv[pos] = 1 / (s * s)
          locAuxIndex[pos] = cAux[p]
          locLower[pos] = lower[p]
          locUpper[pos] = upper[p]
        }
      }
      fastTablesValid = true
    }
    for b in 0..<nMain where binKind[b] == 5 {
      binW[b] = .nan
      for pos in Int(binFreeLocalStart[b])..<Int(binFreeLocalStart[b + 1]) { locAux[pos] = aux[Int(locAuxIndex[pos])] }
    }
  }

  /// P_j for every class and, with `derivatives`, its gradient (per factor occurrence) and
  /// Hessian (per pair of occurrences) by the product rule. Occurrences of parameters that are
  /// not free globals are skipped when S and r are assembled.
  @inline(__always)
  func evaluateClasses(derivatives: Bool) {
    for j in 0..<classCount {
      let fs = Int(classFactorStart[j])
      let q = Int(classFactorStart[j + 1]) - fs
      var P = 1.0
      for i in 0..<q {
        let p = Int(classFactorParam[fs + i])
        let c = classFactorCode4[fs + i]
        if c < 0 {
          classVal[i] = x[p]
          classD1[i] = 1
          classD2[i] = 0
        } else {
          let v = code4[Int(c)].valueAndDerivatives(x[p])
          classVal[i] = v.value
          classD1[i] = v.d1
          classD2[i] = v.d2
        }
        P *= classVal[i]
      }
      classP[j] = P
      if !derivatives { continue }
      let h = classHess + Int(classHessStart[j])
      for i in 0..<q {
        var pe = 1.0
        for i2 in 0..<q where i2 != i { pe *= classVal[i2] }
        classGrad[fs + i] = classD1[i] * pe
        h[i * q + i] = classD2[i] * pe
        var i2 = i + 1
        while i2 < q {
          var pij = 1.0
          for i3 in 0..<q where i3 != i && i3 != i2 { pij *= classVal[i3] }
          let v = classD1[i] * classD1[i2] * pij
          h[i * q + i2] = v
          h[i2 * q + i] = v
          i2 += 1
        }
      }
    }
  }

  @inline(__always)
  func beginClassSchur() {
    let J = classCount
    for i in 0..<(J * J) { classC[i] = 0 }
    for j in 0..<J { classRho[j] = 0 }
  }

  /// S += Σ C_jj' ∇P_j ∇P_j'ᵀ + Σ ρ_j ∇²P_j and r += Σ ρ_j ∇P_j over the free globals.
  @inline(__always)
  func endClassSchur() {
    let J = classCount
    let G = nGlobal
    for j in 0..<J {
      let fs = Int(classFactorStart[j])
      let q = Int(classFactorStart[j + 1]) - fs
      let rho = classRho[j]
      if rho != 0 {
        let h = classHess + Int(classHessStart[j])
        for i in 0..<q {
          let gi = Int(gPos[Int(classFactorParam[fs + i])])
          if gi < 0 { continue }
          r[gi] += rho * classGrad[fs + i]
          if fisherPass { continue }  // the expected curvature has no w₁∂²ν term
          for i2 in 0..<q {
            let gi2 = Int(gPos[Int(classFactorParam[fs + i2])])
            if gi2 >= 0 { S[gi * G + gi2] += rho * h[i * q + i2] }
          }
        }
      }
      for j2 in 0..<J {
        let cc = classC[j * J + j2]
        if cc == 0 { continue }
        let fs2 = Int(classFactorStart[j2])
        let q2 = Int(classFactorStart[j2 + 1]) - fs2
        for i in 0..<q {
          let gi = Int(gPos[Int(classFactorParam[fs + i])])
          if gi < 0 { continue }
          let a = cc * classGrad[fs + i]
          for i2 in 0..<q2 {
            let gi2 = Int(gPos[Int(classFactorParam[fs2 + i2])])
            if gi2 >= 0 { S[gi * G + gi2] += a * classGrad[fs2 + i2] }
          }
        }
      }
    }
  }

  /// Profiles bin b's free locals (see the comment above) and returns the bin's share of the
  /// objective; with `schur`, adds its share of S and r (class space, or directly through
  /// ``schurBin(_:exact:)`` when the bin falls back to the general Newton).
  @inline(__always)
  func fastBin(_ b: Int, schur: Bool) -> Double {
    let count = n[b]
    switch binFastCode[b] {
    case 0: return count == 0 ? fastBinEmpty(b, schur, FastShape00.self, FastClasses1.self) : fastBinData(b, schur, FastShape00.self, FastClasses1.self)
    case 1: return count == 0 ? fastBinEmpty(b, schur, FastShape00.self, FastClasses2.self) : fastBinData(b, schur, FastShape00.self, FastClasses2.self)
    case 2: return count == 0 ? fastBinEmpty(b, schur, FastShape00.self, FastClasses3.self) : fastBinData(b, schur, FastShape00.self, FastClasses3.self)
    case 3: return count == 0 ? fastBinEmpty(b, schur, FastShape01.self, FastClasses1.self) : fastBinData(b, schur, FastShape01.self, FastClasses1.self)
    case 4: return count == 0 ? fastBinEmpty(b, schur, FastShape01.self, FastClasses2.self) : fastBinData(b, schur, FastShape01.self, FastClasses2.self)
    case 5: return count == 0 ? fastBinEmpty(b, schur, FastShape01.self, FastClasses3.self) : fastBinData(b, schur, FastShape01.self, FastClasses3.self)
    case 6: return count == 0 ? fastBinEmpty(b, schur, FastShape02.self, FastClasses1.self) : fastBinData(b, schur, FastShape02.self, FastClasses1.self)
    case 7: return count == 0 ? fastBinEmpty(b, schur, FastShape02.self, FastClasses2.self) : fastBinData(b, schur, FastShape02.self, FastClasses2.self)
    case 8: return count == 0 ? fastBinEmpty(b, schur, FastShape02.self, FastClasses3.self) : fastBinData(b, schur, FastShape02.self, FastClasses3.self)
    case 9: return count == 0 ? fastBinEmpty(b, schur, FastShape03.self, FastClasses1.self) : fastBinData(b, schur, FastShape03.self, FastClasses1.self)
    case 10: return count == 0 ? fastBinEmpty(b, schur, FastShape03.self, FastClasses2.self) : fastBinData(b, schur, FastShape03.self, FastClasses2.self)
    case 11: return count == 0 ? fastBinEmpty(b, schur, FastShape03.self, FastClasses3.self) : fastBinData(b, schur, FastShape03.self, FastClasses3.self)
    case 12: return count == 0 ? fastBinEmpty(b, schur, FastShape04.self, FastClasses1.self) : fastBinData(b, schur, FastShape04.self, FastClasses1.self)
    case 13: return count == 0 ? fastBinEmpty(b, schur, FastShape04.self, FastClasses2.self) : fastBinData(b, schur, FastShape04.self, FastClasses2.self)
    case 14: return count == 0 ? fastBinEmpty(b, schur, FastShape04.self, FastClasses3.self) : fastBinData(b, schur, FastShape04.self, FastClasses3.self)
    case 15: return count == 0 ? fastBinEmpty(b, schur, FastShape10.self, FastClasses1.self) : fastBinData(b, schur, FastShape10.self, FastClasses1.self)
    case 16: return count == 0 ? fastBinEmpty(b, schur, FastShape10.self, FastClasses2.self) : fastBinData(b, schur, FastShape10.self, FastClasses2.self)
    case 17: return count == 0 ? fastBinEmpty(b, schur, FastShape10.self, FastClasses3.self) : fastBinData(b, schur, FastShape10.self, FastClasses3.self)
    case 18: return count == 0 ? fastBinEmpty(b, schur, FastShape11.self, FastClasses1.self) : fastBinData(b, schur, FastShape11.self, FastClasses1.self)
    case 19: return count == 0 ? fastBinEmpty(b, schur, FastShape11.self, FastClasses2.self) : fastBinData(b, schur, FastShape11.self, FastClasses2.self)
    case 20: return count == 0 ? fastBinEmpty(b, schur, FastShape11.self, FastClasses3.self) : fastBinData(b, schur, FastShape11.self, FastClasses3.self)
    case 21: return count == 0 ? fastBinEmpty(b, schur, FastShape12.self, FastClasses1.self) : fastBinData(b, schur, FastShape12.self, FastClasses1.self)
    case 22: return count == 0 ? fastBinEmpty(b, schur, FastShape12.self, FastClasses2.self) : fastBinData(b, schur, FastShape12.self, FastClasses2.self)
    case 23: return count == 0 ? fastBinEmpty(b, schur, FastShape12.self, FastClasses3.self) : fastBinData(b, schur, FastShape12.self, FastClasses3.self)
    case 24: return count == 0 ? fastBinEmpty(b, schur, FastShape20.self, FastClasses1.self) : fastBinData(b, schur, FastShape20.self, FastClasses1.self)
    case 25: return count == 0 ? fastBinEmpty(b, schur, FastShape20.self, FastClasses2.self) : fastBinData(b, schur, FastShape20.self, FastClasses2.self)
    case 26: return count == 0 ? fastBinEmpty(b, schur, FastShape20.self, FastClasses3.self) : fastBinData(b, schur, FastShape20.self, FastClasses3.self)
    default: preconditionFailure("fast bin code \(binFastCode[b])")
    }
  }

  /// All fast bins, group by group (one kernel per group): the sum of their objectives; with
  /// `schur`, their shares of S and r.
  func fastGroups(schur: Bool) -> Double {
    var F = 0.0
    for code in 0..<fastCodeCount {
      let start = Int(fastGroupStart[code]), end = Int(fastGroupStart[code + 1])
      if start == end { continue }
      switch code {
      case 0: F += fastLoop(start, end, schur, FastShape00.self, FastClasses1.self)
      case 1: F += fastLoop(start, end, schur, FastShape00.self, FastClasses2.self)
      case 2: F += fastLoop(start, end, schur, FastShape00.self, FastClasses3.self)
      case 3: F += fastLoop(start, end, schur, FastShape01.self, FastClasses1.self)
      case 4: F += fastLoop(start, end, schur, FastShape01.self, FastClasses2.self)
      case 5: F += fastLoop(start, end, schur, FastShape01.self, FastClasses3.self)
      case 6: F += fastLoop(start, end, schur, FastShape02.self, FastClasses1.self)
      case 7: F += fastLoop(start, end, schur, FastShape02.self, FastClasses2.self)
      case 8: F += fastLoop(start, end, schur, FastShape02.self, FastClasses3.self)
      case 9: F += fastLoop(start, end, schur, FastShape03.self, FastClasses1.self)
      case 10: F += fastLoop(start, end, schur, FastShape03.self, FastClasses2.self)
      case 11: F += fastLoop(start, end, schur, FastShape03.self, FastClasses3.self)
      case 12: F += fastLoop(start, end, schur, FastShape04.self, FastClasses1.self)
      case 13: F += fastLoop(start, end, schur, FastShape04.self, FastClasses2.self)
      case 14: F += fastLoop(start, end, schur, FastShape04.self, FastClasses3.self)
      case 15: F += fastLoop(start, end, schur, FastShape10.self, FastClasses1.self)
      case 16: F += fastLoop(start, end, schur, FastShape10.self, FastClasses2.self)
      case 17: F += fastLoop(start, end, schur, FastShape10.self, FastClasses3.self)
      case 18: F += fastLoop(start, end, schur, FastShape11.self, FastClasses1.self)
      case 19: F += fastLoop(start, end, schur, FastShape11.self, FastClasses2.self)
      case 20: F += fastLoop(start, end, schur, FastShape11.self, FastClasses3.self)
      case 21: F += fastLoop(start, end, schur, FastShape12.self, FastClasses1.self)
      case 22: F += fastLoop(start, end, schur, FastShape12.self, FastClasses2.self)
      case 23: F += fastLoop(start, end, schur, FastShape12.self, FastClasses3.self)
      case 24: F += fastLoop(start, end, schur, FastShape20.self, FastClasses1.self)
      case 25: F += fastLoop(start, end, schur, FastShape20.self, FastClasses2.self)
      case 26: F += fastLoop(start, end, schur, FastShape20.self, FastClasses3.self)
      default: preconditionFailure("fast bin code \(code)")
      }
    }
    return F
  }

  @inline(__always)
  func fastLoop<Shape: FastShape, Classes: FastClasses>(
    _ start: Int, _ end: Int, _ schur: Bool, _ s: Shape.Type, _ c: Classes.Type
  ) -> Double {
    var F = 0.0
    for i in start..<end {
      let b = Int(fastGroupBins[i])
      F += n[b] == 0 ? fastBinEmpty(b, schur, s, c) : fastBinData(b, schur, s, c)
    }
    return F
  }

  /// R, A_l and β_i of bin b from the class products P_j and the bin's coefficient table.
  @inline(__always)
  func fastCoefficients<Shape: FastShape, Classes: FastClasses>(_ b: Int, _: Shape.Type, _: Classes.Type)
    -> (R: Double, A: InlineArray<4, Double>, beta: InlineArray<2, Double>)
  {
    let np = Shape.pairs
    let k = 2 * Shape.pairs + Shape.singles
    let cs = Int(binClassStart[b])
    let coef = binCoef + b &* fastCoefStride
    var R = 0.0
    var A = InlineArray<4, Double>(repeating: 0)
    var beta = InlineArray<2, Double>(repeating: 0)
    for j in 0..<Classes.count {
      let P = classP[Int(binClassList[cs &+ j])]
      let row = coef + 8 * j
      R += row[0] * P
      for l in 0..<k { A[l] += row[1 + l] * P }
      for i in 0..<np { beta[i] += row[5 + i] * P }
    }
    return (R, A, beta)
  }

  /// Y_j = ∂ν/∂P_j and X_jl = ∂Y_j/∂γ_l (rows of 4) at the locals g.
  @inline(__always)
  func fastClassDerivatives<Shape: FastShape, Classes: FastClasses>(
    _ b: Int, _ g: InlineArray<4, Double>, _: Shape.Type, _: Classes.Type
  ) -> (Y: InlineArray<3, Double>, X: InlineArray<12, Double>) {
    let np = Shape.pairs
    let k = 2 * Shape.pairs + Shape.singles
    let coef = binCoef + b &* fastCoefStride
    var Y = InlineArray<3, Double>(repeating: 0)
    var X = InlineArray<12, Double>(repeating: 0)
    for j in 0..<Classes.count {
      let row = coef + 8 * j
      var y = row[0]
      for l in 0..<k {
        y += row[1 + l] * g[l]
        X[4 * j + l] = row[1 + l]
      }
      for i in 0..<np {
        let bi = row[5 + i]
        y += bi * g[2 * i] * g[2 * i + 1]
        X[4 * j + 2 * i] += bi * g[2 * i + 1]
        X[4 * j + 2 * i + 1] += bi * g[2 * i]
      }
      Y[j] = y
    }
    return (Y, X)
  }

  /// The bin's share of S and r with the expected curvature: the Hessian of −2 ln L replaced
  /// by (2/ν)∇ν∇νᵀ + the constraints, whose Schur complement over the locals is κ u uᵀ with
  /// κ = w₂/(1 + w₂ vᵀK⁻¹v), w₂ = 2/ν, K = 2D⁻¹: C_jj' = κ Y_j Y_j', no ∂²P term; r exact.
  @inline(__always)
  func fastFisherSchur<Classes: FastClasses>(
    _ b: Int, _ Y: InlineArray<3, Double>, _ w1: Double, _ w2: Double, _ vDv: Double, _: Classes.Type
  ) {
    let kappa = w2 / (1 + 0.5 * w2 * vDv)
    let cs = Int(binClassStart[b])
    let J = classCount
    for j in 0..<Classes.count {
      let cj = Int(binClassList[cs &+ j])
      classRho[cj] += w1 * Y[j]
      let a = kappa * Y[j]
      for j2 in 0..<Classes.count { classC[cj &* J &+ Int(binClassList[cs &+ j2])] += a * Y[j2] }
    }
  }

  /// The general path for a fast bin whose closed form does not apply (M not positive
  /// definite, a local at a bound, ν ≤ 0, no convergence).
  @inline(never)
  func fastFallback(_ b: Int, _ k: Int, _ schur: Bool) -> Double {
    binW[b] = .nan
    let f = newtonBin(b, k)
    if schur { schurBin(b, exact: true) }
    return f
  }

  /// ``fastBin(_:schur:)`` for a bin without events (w = 1: one linear solve, no logarithm,
  /// w₂ = 0), specialised on the shape of its locals and its number of classes.
  func fastBinEmpty<Shape: FastShape, Classes: FastClasses>(
    _ b: Int, _ schur: Bool, _ s: Shape.Type, _ c: Classes.Type
  ) -> Double {
    let np = Shape.pairs
    let k = 2 * Shape.pairs + Shape.singles
    let nc = Classes.count
    let start = Int(binFreeLocalStart[b])
    let (R, A, beta) = fastCoefficients(b, s, c)
    // γ = M⁻¹(D⁻¹a − A) with M = D⁻¹ + B.
    var g = InlineArray<4, Double>(repeating: 0)
    var mi = InlineArray<6, Double>(repeating: 0)
    var ok = true
    var nu = R
    var objective = 0.0
    for i in 0..<np {
      let l = 2 * i, m = 2 * i + 1
      let il = locInv[start &+ l], im = locInv[start &+ m]
      let bi = beta[i]
      let det = il * im - bi * bi
      ok = ok && det > 0
      let id = 1 / det
      let mll = im * id, mlm = -bi * id, mmm = il * id
      let rl = il * locAux[start &+ l] - A[l]
      let rm = im * locAux[start &+ m] - A[m]
      g[l] = mll * rl + mlm * rm
      g[m] = mlm * rl + mmm * rm
      mi[3 * i] = mll
      mi[3 * i + 1] = mlm
      mi[3 * i + 2] = mmm
      nu += bi * g[l] * g[m]
    }
    for l in (2 * np)..<k { g[l] = locAux[start &+ l] - locSig2[start &+ l] * A[l] }
    for l in 0..<k {
      let pos = start &+ l
      ok = ok && g[l] >= locLower[pos] && g[l] <= locUpper[pos]
      nu += g[l] * A[l]
      let d = g[l] - locAux[pos]
      objective += d * d * locInv[pos]
    }
    if !(ok && nu >= 0) { return fastFallback(b, k, schur) }
    for l in 0..<k { x[Int(binFreeLocalParam[start &+ l])] = g[l] }
    objective += 2 * nu
    if !schur { return objective }
    // w₁ = 2, w₂ = 0: C_jj' = −2 X_j M⁻¹ X_j'ᵀ, ρ_j = 2 Y_j.
    let (Y, X) = fastClassDerivatives(b, g, s, c)
    if fisherPass {
      var v = A
      for i in 0..<np {
        v[2 * i] += beta[i] * g[2 * i + 1]
        v[2 * i + 1] += beta[i] * g[2 * i]
      }
      var vDv = 0.0
      for l in 0..<k { vDv += v[l] * v[l] * locSig2[start &+ l] }
      fastFisherSchur(b, Y, 2, nu > 0 ? 2 / nu : 0, vDv, c)
      return objective
    }
    var W = InlineArray<12, Double>(repeating: 0)
    for j in 0..<nc {
      for i in 0..<np {
        let xl = X[4 * j + 2 * i], xm = X[4 * j + 2 * i + 1]
        W[4 * j + 2 * i] = mi[3 * i] * xl + mi[3 * i + 1] * xm
        W[4 * j + 2 * i + 1] = mi[3 * i + 1] * xl + mi[3 * i + 2] * xm
      }
      for l in (2 * np)..<k { W[4 * j + l] = locSig2[start &+ l] * X[4 * j + l] }
    }
    let cs = Int(binClassStart[b])
    let J = classCount
    for j in 0..<nc {
      let cj = Int(binClassList[cs &+ j])
      classRho[cj] += 2 * Y[j]
      for j2 in j..<nc {
        var xkx = 0.0
        for l in 0..<k { xkx += X[4 * j + l] * W[4 * j2 + l] }
        let cj2 = Int(binClassList[cs &+ j2])
        classC[cj &* J &+ cj2] -= 2 * xkx
        if j2 != j { classC[cj2 &* J &+ cj] -= 2 * xkx }
      }
    }
    return objective
  }

  /// ``fastBin(_:schur:)`` for a bin with events: the iteration on w, specialised on the shape
  /// of its locals and its number of classes.
  func fastBinData<Shape: FastShape, Classes: FastClasses>(
    _ b: Int, _ schur: Bool, _ s: Shape.Type, _ c: Classes.Type
  ) -> Double {
    let np = Shape.pairs
    let k = 2 * Shape.pairs + Shape.singles
    let nc = Classes.count
    let count = n[b]
    let start = Int(binFreeLocalStart[b])
    let (R, A, beta) = fastCoefficients(b, s, c)
    var inv = InlineArray<4, Double>(repeating: 1)
    var sig2 = InlineArray<4, Double>(repeating: 1)
    var a = InlineArray<4, Double>(repeating: 0)
    for l in 0..<k {
      inv[l] = locInv[start &+ l]
      sig2[l] = locSig2[start &+ l]
      a[l] = locAux[start &+ l]
    }
    // γ, v = ∇_γν, z = M⁻¹v; M⁻¹ of each pair (diagonal l, off-diagonal, diagonal m).
    var g = InlineArray<4, Double>(repeating: 0)
    var v = InlineArray<4, Double>(repeating: 0)
    var z = InlineArray<4, Double>(repeating: 0)
    var mi = InlineArray<6, Double>(repeating: 0)
    var nu = R
    var objective = 0.0
    if k > 0 {
      // Without pairs one step from any w is exact; with pairs start from the bin's previous w
      // (or, at the start of a fit, the w of the current locals).
      var w = 0.0
      if np > 0 {
        w = binW[b]
        if w.isNaN {
          var nux = R
          for l in 0..<k { nux += A[l] * x[Int(binFreeLocalParam[start &+ l])] }
          for i in 0..<np {
            nux += beta[i] * x[Int(binFreeLocalParam[start &+ 2 * i])] * x[Int(binFreeLocalParam[start &+ 2 * i + 1])]
          }
          w = nux > 0 ? 1 - count / nux : 0
        }
      }
      var ok = true
      var restarted = false
      var iterations = 0
      while true {
        // M = D⁻¹ + wB, γ = M⁻¹(D⁻¹a − wA), v = A + Bγ, z = M⁻¹v, ν, c = vᵀz.
        var nuw0 = R
        var cw = 0.0
        var pd = true
        for i in 0..<np {
          let l = 2 * i, m = 2 * i + 1
          let wb = w * beta[i]
          let det = inv[l] * inv[m] - wb * wb
          pd = pd && det > 0
          let id = 1 / det
          let mll = inv[m] * id, mlm = -wb * id, mmm = inv[l] * id
          let rl = inv[l] * a[l] - w * A[l]
          let rm = inv[m] * a[m] - w * A[m]
          let gl = mll * rl + mlm * rm
          let gm = mlm * rl + mmm * rm
          let vl = A[l] + beta[i] * gm
          let vm = A[m] + beta[i] * gl
          let zl = mll * vl + mlm * vm
          let zm = mlm * vl + mmm * vm
          g[l] = gl
          g[m] = gm
          v[l] = vl
          v[m] = vm
          z[l] = zl
          z[m] = zm
          mi[3 * i] = mll
          mi[3 * i + 1] = mlm
          mi[3 * i + 2] = mmm
          nuw0 += gl * A[l] + gm * A[m] + beta[i] * gl * gm
          cw += vl * zl + vm * zm
        }
        for l in (2 * np)..<k {
          let gl = a[l] - sig2[l] * w * A[l]
          let zl = sig2[l] * A[l]
          g[l] = gl
          v[l] = A[l]
          z[l] = zl
          nuw0 += gl * A[l]
          cw += A[l] * zl
        }
        if !pd {
          if restarted || w == 0 {
            ok = false
            break
          }
          restarted = true
          w = 0
          continue
        }
        if !(nuw0 > 0) {
          ok = false
          break
        }
        // Tangent model ν₀ − c w with (ν₀ − c w)(1 − w) = n.
        let e = nuw0 + cw * w - cw
        let sq = (e * e + 4 * cw * count).squareRoot()
        let nuw = e >= 0 ? 0.5 * (e + sq) : 2 * cw * count / (sq - e)
        if !(nuw > 0) {
          ok = false
          break
        }
        let wn = 1 - count / nuw
        let dw = wn - w
        if np == 0 || abs(dw) <= 1e-8 * (1 + abs(w)) {
          // γ(w) is linear in w without pairs (exact), to O(Δw²) with them.
          for l in 0..<k { g[l] -= z[l] * dw }
          for i in 0..<np {
            v[2 * i] = A[2 * i] + beta[i] * g[2 * i + 1]
            v[2 * i + 1] = A[2 * i + 1] + beta[i] * g[2 * i]
          }
          w = wn
          break
        }
        w = wn
        iterations &+= 1
        if iterations > 50 {
          ok = false
          break
        }
      }
      if ok {
        for l in 0..<k {
          let pos = start &+ l
          ok = ok && g[l] >= locLower[pos] && g[l] <= locUpper[pos]
          nu += g[l] * A[l]
          let d = g[l] - a[l]
          objective += d * d * inv[l]
        }
        for i in 0..<np { nu += beta[i] * g[2 * i] * g[2 * i + 1] }
        ok = ok && nu > 0
      }
      if !ok { return fastFallback(b, k, schur) }
      binW[b] = w
      for l in 0..<k { x[Int(binFreeLocalParam[start &+ l])] = g[l] }
    }
    objective += mainTerm(count, nu)
    if !schur { return objective }

    // Class-space Schur complement.
    let ratio = count / nu
    let w1 = 2 * (1 - ratio)
    let w2 = 2 * ratio / nu
    let (Y, X) = fastClassDerivatives(b, g, s, c)
    if fisherPass {
      var vDv = 0.0
      for l in 0..<k { vDv += v[l] * v[l] * sig2[l] }
      fastFisherSchur(b, Y, w1, 2 / nu, vDv, c)
      return objective
    }
    // κ = w₂/(1 + w₂ vᵀK⁻¹v) with K⁻¹ = M⁻¹/2; W_j = M⁻¹X_j; ỹ_j = Y_j − w₁ X_jK⁻¹v.
    var vz = 0.0
    for l in 0..<k { vz += v[l] * z[l] }
    let kappa = w2 / (1 + 0.5 * w2 * vz)
    let halfW1 = 0.5 * w1
    let halfW1sq = 0.5 * w1 * w1
    var W = InlineArray<12, Double>(repeating: 0)
    var yt = InlineArray<3, Double>(repeating: 0)
    for j in 0..<nc {
      var e = 0.0
      for l in 0..<k { e += X[4 * j + l] * z[l] }
      for i in 0..<np {
        let xl = X[4 * j + 2 * i], xm = X[4 * j + 2 * i + 1]
        W[4 * j + 2 * i] = mi[3 * i] * xl + mi[3 * i + 1] * xm
        W[4 * j + 2 * i + 1] = mi[3 * i + 1] * xl + mi[3 * i + 2] * xm
      }
      for l in (2 * np)..<k { W[4 * j + l] = sig2[l] * X[4 * j + l] }
      yt[j] = Y[j] - halfW1 * e
    }
    let cs = Int(binClassStart[b])
    let J = classCount
    for j in 0..<nc {
      let cj = Int(binClassList[cs &+ j])
      classRho[cj] += w1 * Y[j]
      let yk = kappa * yt[j]
      for j2 in j..<nc {
        var xkx = 0.0
        for l in 0..<k { xkx += X[4 * j + l] * W[4 * j2 + l] }
        let cj2 = Int(binClassList[cs &+ j2])
        let value = yk * yt[j2] - halfW1sq * xkx
        classC[cj &* J &+ cj2] += value
        if j2 != j { classC[cj2 &* J &+ cj] += value }
      }
    }
    return objective
  }
}

/// The number of classes of a fast bin (1 to 3), as a type for specialisation.
protocol FastClasses {
  static var count: Int { get }
}
enum FastClasses1: FastClasses { static var count: Int { 1 } }
enum FastClasses2: FastClasses { static var count: Int { 2 } }
enum FastClasses3: FastClasses { static var count: Int { 3 } }

/// The shape of a fast bin's locals: `pairs` pairs (slots 2i, 2i+1) then `singles` single
/// locals, at most four in all. A type per shape lets ``Fitter/fastBinData(_:_:_:_:)`` and
/// ``Fitter/fastBinEmpty(_:_:_:_:)`` be specialised with constant loop counts.
protocol FastShape {
  static var pairs: Int { get }
  static var singles: Int { get }
}
enum FastShape00: FastShape { static var pairs: Int { 0 }; static var singles: Int { 0 } }
enum FastShape01: FastShape { static var pairs: Int { 0 }; static var singles: Int { 1 } }
enum FastShape02: FastShape { static var pairs: Int { 0 }; static var singles: Int { 2 } }
enum FastShape03: FastShape { static var pairs: Int { 0 }; static var singles: Int { 3 } }
enum FastShape04: FastShape { static var pairs: Int { 0 }; static var singles: Int { 4 } }
enum FastShape10: FastShape { static var pairs: Int { 1 }; static var singles: Int { 0 } }
enum FastShape11: FastShape { static var pairs: Int { 1 }; static var singles: Int { 1 } }
enum FastShape12: FastShape { static var pairs: Int { 1 }; static var singles: Int { 2 } }
enum FastShape20: FastShape { static var pairs: Int { 2 }; static var singles: Int { 0 } }
