import Foundation

// MARK: - Structure for the current set of free parameters
//
// Parameters that enter exactly one main bin are that bin's *locals*, the others *globals*
// (``CompiledModel/isGlobal``: a non-monotonic effect makes a parameter global wherever it enters).
// For a set of free parameters the structure lists the free globals, each bin's free locals and
// the solver that profiles them (``BinSolver``). It is cached while the set of free parameters
// does not change (toys refit with the same fixed parameters).
extension GeneralFitter {
  /// Builds the structure for the current `free`, unless it is unchanged.
  func prepareStructure() {
    let nPar = m.parameterCount
    if structureValid && memcmp(free, prevFree, nPar * MemoryLayout<Bool>.stride) == 0 { return }
    var sameLocals = structureValid
    if structureValid {
      for p in 0..<nPar where free[p] != prevFree[p] && !m.isGlobal[p] {
        sameLocals = false
        break
      }
    }
    prepareGlobals()
    structureValid = true
    if !sameLocals { prepareLocals() }
  }

  /// Free globals in parameter order; parameters whose constraint is constant during a fit.
  private func prepareGlobals() {
    nGlobal = 0
    constantCount = 0
    for p in 0..<m.parameterCount {
      prevFree[p] = free[p]
      if free[p] && m.isGlobal[p] {
        gPos[p] = Int32(nGlobal)
        gParam[nGlobal] = Int32(p)
        nGlobal += 1
      } else {
        gPos[p] = -1
      }
      if (!free[p] || m.touch[p] == 0) && m.constraint[p] != .none {
        constantParams[constantCount] = Int32(p)
        constantCount += 1
      }
    }
  }

  /// Each bin's free locals and its solver.
  private func prepareLocals() {
    for p in 0..<m.parameterCount { localSlot[p] = -1 }
    var pos = 0
    for b in 0..<m.mainCount {
      binFreeLocalStart[b] = Int32(pos)
      var k = 0
      for j in Int(m.binLocalStart[b])..<Int(m.binLocalStart[b + 1]) {
        let p = Int(m.binLocalParam[j])
        if free[p] {
          binFreeLocalParam[pos] = Int32(p)
          localSlot[p] = Int32(k)
          pos += 1
          k += 1
        }
      }
      solver[b] = classify(bin: b, k: k)
    }
    binFreeLocalStart[m.mainCount] = Int32(pos)
  }

  /// The solver for bin b with k free locals: closed forms when every free local is a linear
  /// factor on its own (no two on one term, no additive occurrence), else Newton.
  func classify(bin b: Int, k: Int) -> BinSolver {
    if k == 0 { return .noLocals }
    for t in Int(m.binTermStart[b])..<Int(m.binTermStart[b + 1]) {
      var count = 0
      for f in Int(m.factorStart[t])..<Int(m.factorStart[t + 1]) where localSlot[Int(m.factorParam[f])] >= 0 {
        count += 1
        if !m.factorEffect[f].isLinear { return .newton }
      }
      if count > 1 { return .newton }
      for a in Int(m.additiveStart[t])..<Int(m.additiveStart[t + 1]) where localSlot[Int(m.additiveParam[a])] >= 0 {
        return .newton
      }
    }
    let start = Int(binFreeLocalStart[b])
    if k == 1 {
      switch m.constraint[Int(binFreeLocalParam[start])] {
      case .gaussian: return .gaussianLinear
      case .poisson: return .poissonLinear
      case .none: return .freeLinear
      }
    }
    for j in 0..<k where !m.constraint[Int(binFreeLocalParam[start + j])].isGaussian { return .newton }
    return .gaussianLinear
  }

  /// Free parameters that enter no bin only see their constraint: put them at its maximum.
  /// Sets ``constantConstraints`` (constraint terms of fixed and orphan parameters).
  func prepareOrphans() {
    var c = 0.0
    for i in 0..<constantCount {
      let p = Int(constantParams[i])
      if free[p], let best = m.constraint[p].maximum(aux: aux) {
        x[p] = min(max(best, m.lower[p]), m.upper[p])
      }
      c += constraintValue(p)
    }
    constantConstraints = c
  }
}
