import Foundation

// MARK: - Bins that leave the closed form
//
// A bin's closed form assumes its locals inside their bounds (and, for a pair, M(w) positive
// definite). Where a lane's solution leaves them — a Gaussian auxiliary datum far below 1 puts
// its γ at the lower bound, as happens in toys of the search windows' 34% photon-veto bins — that
// lane's bin is solved exactly by the general engine's per-bin projected Newton
// (``GeneralFitter/newtonBin(_:_:)``) and its share of the Schur complement taken from
// ``GeneralFitter/schurBin(_:exact:)`` (locals at a bound held); the vector kernels drop the
// lane's contribution for that bin. The rest of the lane's fit stays on the fast path.
extension FastRuntime {
  /// The general fitter that solves single bins, with this structure's free parameters.
  func binSolver() -> GeneralFitter {
    if let s = slowSolver { return s }
    let s = GeneralFitter(model: m, options: FitOptions(computeUncertainties: false))
    for p in 0..<m.parameterCount {
      s.free[p] = structure.free[p]
      s.x[p] = base[p]
    }
    s.prepareStructure()
    slowSolver = s
    return s
  }

  /// Solves bin `i` of group `g` exactly for the lanes in `mask`: adds its objective and its
  /// gradient and Schur complement over the globals to the lanes' slow accumulators, and keeps
  /// its locals for the result (the kernel marks the bin's w NaN for these lanes).
  func slowBin(group g: GroupRuntime, index i: Int, lanes mask: LaneMask) {
    let s = binSolver()
    let b = Int(g.bin[i])
    let k = g.key.slots, L = Lanes.scalarCount
    let n = scalars(laneN), aux = scalars(laneAux)
    for j in 0..<L where mask[j] {
      for q in 0..<G { s.x[globals[q]] = xt[q][j] }
      s.n[b] = n[(g.nOffset &+ i) &* L &+ j]
      for l in 0..<k {
        let a = aux[(g.auxOffset &+ i &* k &+ l) &* L &+ j]
        s.aux[Int(g.auxIndex[i &* k &+ l])] = a
        let p = Int(g.param[i &* k &+ l])
        s.x[p] = min(max(a, m.lower[p]), m.upper[p])
      }
      let f = s.newtonBin(b, Int(s.binFreeLocalStart[b + 1] - s.binFreeLocalStart[b]))
      slowF[j] += f
      slowLocals[(g.nOffset &+ i) &* L &+ j] = (0..<k).map { s.x[Int(g.param[i &* k &+ $0])] }
      for q in 0..<G {
        s.r[q] = 0
        for q2 in 0..<G { s.S[q * G + q2] = 0 }
      }
      s.schurBin(b, exact: true)
      for q in 0..<G {
        slowR[q][j] += s.r[q]
        for q2 in 0..<G { slowS[q * G + q2][j] += s.S[q * G + q2] }
      }
    }
  }
}
