import Foundation

/// Where the fits of a batch start (``BatchFitter``).
enum BatchStart {
  /// The model's initial values.
  case model
  /// One vector of starting values for every data set.
  case common([Double])
  /// One vector per data set, flat (data sets × parameters).
  case each([Double])
  /// Each data set's result of a previous fit of the same data sets, moved by the linear
  /// response to the newly fixed parameters (``BatchFitter/fit(_:fixed:from:threads:)``).
  case previous(BatchResults)
}

/// The starting values of a part of a batch, data set by data set: a pointer for the batched
/// engine (which reads the free globals only; the fixed parameters' values come from the
/// structure) and a full vector for the general engine. One per part (it owns scratch).
final class StartValues {
  let starts: BatchStart
  let m: CompiledModel
  let fixed: [Int: Double]
  let storage = RawStorage()
  /// Starting values written per data set (parameters not written keep the fixed values and
  /// the model's initial values).
  let scratch: UnsafeMutablePointer<Double>
  /// For `.previous`: positions (in the previous result's Hessian) of the globals that are now
  /// fixed, with their new values, and of those that stay free; scratch of the solve.
  private var newlyFixed: [(k: Int, value: Double)] = []
  private var stillFree: [Int] = []
  private let solve: UnsafeMutablePointer<Double>

  init(_ starts: BatchStart, model m: CompiledModel, fixed: [Int: Double], values: [Double]) {
    self.starts = starts
    self.m = m
    self.fixed = fixed
    scratch = storage.copy(values)
    solve = storage.make(FastStructure.maxGlobals * (FastStructure.maxGlobals + 1), 0.0)
    switch starts {
    case .common(let v):
      for p in 0..<m.parameterCount where fixed[p] == nil { scratch[p] = v[p] }
    case .previous(let r):
      for (k, p) in r.hessianGlobals.enumerated() {
        if let v = fixed[p] { newlyFixed.append((k, v)) } else { stillFree.append(k) }
      }
    case .model, .each: break
    }
  }

  /// The starting values of data set i for the batched engine.
  func pointer(_ i: Int) -> UnsafePointer<Double> {
    switch starts {
    case .model, .common: return UnsafePointer(scratch)
    case .each(let flat):
      flat.withUnsafeBufferPointer { scratch.update(from: $0.baseAddress! + i * m.parameterCount, count: m.parameterCount) }
      return UnsafePointer(scratch)
    case .previous(let r):
      if let g = r.general[i] {
        for p in 0..<m.parameterCount where fixed[p] == nil && g.parameters[p].isFinite { scratch[p] = g.parameters[p] }
        return UnsafePointer(scratch)
      }
      let row = i * r.stored.count
      for (c, p) in r.stored.enumerated() where fixed[p] == nil {
        let v = r.values[row + c]
        if v.isFinite { scratch[p] = v }
      }
      respond(r, i)
      return UnsafePointer(scratch)
    }
  }

  /// The starting values of data set i for the general engine (nil: the model's initial values).
  func full(_ i: Int) -> [Double]? {
    switch starts {
    case .model: return nil
    case .common(let v): return v
    case .each(let flat): return Array(flat[(i * m.parameterCount)..<((i + 1) * m.parameterCount)])
    case .previous(let r):
      // Per-bin parameters not recorded stay NaN (the general engine starts them at the
      // model's initial values: the scratch may hold another data set's); the others as the
      // batched engine would start.
      var out = r.parameters(of: i)
      if r.general[i] != nil { return out }
      let p = pointer(i)
      for q in m.otherParameters { out[q] = p[q] }
      for (q, v) in fixed { out[q] = v }
      return out
    }
  }

  /// Moves the still-free globals of data set i (in `scratch`) by the linear response
  /// δ_o = −S_oo⁻¹ S_of Δ_f of its previous profile Hessian S to the changes Δ_f of the newly
  /// fixed globals (the minimum of the quadratic model with those held); nothing when the
  /// Hessian is missing (a general-engine result) or S_oo is not positive definite.
  private func respond(_ r: BatchResults, _ i: Int) {
    let G = r.hessianGlobals.count, o = stillFree.count
    guard G > 0, !newlyFixed.isEmpty, o > 0 else { return }
    let h = i * G * G
    guard r.hessians[h].isFinite else { return }
    let A = solve, b = solve + o * o
    for a in 0..<o {
      let ka = stillFree[a]
      for c in 0..<o { A[a * o + c] = r.hessians[h + ka * G + stillFree[c]] }
      var rhs = 0.0
      for (kf, v) in newlyFixed {
        rhs -= r.hessians[h + ka * G + kf] * (v - r.values[i * r.stored.count + r.column[r.hessianGlobals[kf]]])
      }
      b[a] = rhs
    }
    guard SmallLinearAlgebra.cholesky(A, o, modify: false) else { return }
    SmallLinearAlgebra.choleskySolve(A, o, b)
    for a in 0..<o {
      let p = r.hessianGlobals[stillFree[a]]
      guard b[a].isFinite else { return }
      scratch[p] = min(max(scratch[p] + b[a], m.lower[p]), m.upper[p])
    }
  }
}
