import Foundation

/// A group of bins as the kernels read it: its shape, classes and the offsets of its data.
struct GroupRuntime {
  let key: FastShapeKey
  let binCount: Int
  let constants: UnsafeMutablePointer<Double>
  let classR: Int
  let classA: InlineArray<4, Int>
  let classB: Int
  /// The model bin of each member, and the parameter and auxiliary index of each local
  /// (`[i * slots + l]`).
  let bin: UnsafeMutablePointer<Int32>
  let param: UnsafeMutablePointer<Int32>
  let auxIndex: UnsafeMutablePointer<Int32>
  /// Offsets into the lane buffers: counts (one vector per bin), auxiliary data of the locals
  /// (`slots` vectors per bin, slot-major) and the per-bin w = 1 − n/ν.
  let nOffset: Int
  let auxOffset: Int
}

/// The fast structure of one set of free parameters made runnable on lanes of Lanes: the group
/// constants and every per-lane buffer (data, the class products, the accumulators of a pass,
/// the Newton state over the globals). Owned by one thread.
final class FastRuntime {
  let m: CompiledModel
  let structure: FastStructure
  let storage = RawStorage()
  let G: Int
  let J: Int
  /// The structure's globals, and the parameter values of fixed parameters and starts
  /// (``setFixedValues(_:)``).
  let globals: [Int]
  var base: [Double]
  var groups: [GroupRuntime] = []
  static var lanes: Int { Lanes.scalarCount }

  // MARK: Lane data
  /// Counts per grouped bin, auxiliary data per grouped local, w = 1 − n/ν and ν per grouped
  /// bin (of the last pass: ν gives a lane's Σ n ln ν when its pass had no logarithms).
  let laneN: UnsafeMutablePointer<Lanes>
  let laneAux: UnsafeMutablePointer<Lanes>
  let laneW: UnsafeMutablePointer<Lanes>
  let laneNu: UnsafeMutablePointer<Lanes>
  /// Where each count and each local's auxiliary datum of the lane buffers comes from in a data
  /// set (main-bin index; auxiliary index).
  let loadMain: UnsafeMutablePointer<Int32>
  let loadAux: UnsafeMutablePointer<Int32>
  let mainLoads: Int
  let auxLoads: Int
  /// Model bins without any term (their data must be 0), and the per-bin locals (NaN in
  /// results without locals).
  let emptyBins: UnsafeMutablePointer<Int32>
  let emptyBinCount: Int
  let localParams: UnsafeMutablePointer<Int32>
  let localCount: Int
  /// The grouped bins of pair groups (their w is the state of the pair kernel's iteration).
  let pairBins: [Range<Int>]
  /// Where each of the model's ``CompiledModel/otherParameters`` comes from in a result without
  /// locals: a global's slot (≥ 0), the fixed or starting value (−1), or an orphan's
  /// constraint maximum (−2).
  let otherSource: [Int32]
  /// Scratch of ``finalF(lane:)``: one lane's counts and expected yields, padded to vectors.
  let finalN: UnsafeMutablePointer<Lanes>
  let finalNu: UnsafeMutablePointer<Lanes>
  /// Auxiliary data of the globals' constraints (0 when unconstrained).
  let globalAux: UnsafeMutablePointer<Lanes>
  /// Per lane: the constant part of the objective (constraints of fixed and orphan
  /// parameters) and the data constant of −2 ln L.
  var constantPart = Lanes.splat(0)
  var dataConstant = Lanes.splat(0)

  // MARK: Pass
  /// Globals at which a pass evaluates (G vectors).
  let xt: UnsafeMutablePointer<Lanes>
  /// Class products P_j, their gradients per factor occurrence and Hessians per pair.
  let classP: UnsafeMutablePointer<Lanes>
  let classGrad: UnsafeMutablePointer<Lanes>
  let classHess: UnsafeMutablePointer<Lanes>
  let classFactorStart: [Int]
  let classHessStart: [Int]
  /// Per factor occurrence of the classes (flat, `classFactorStart`): its global slot, effect,
  /// and whether the effect is linear (f = θ: no per-lane evaluation).
  let factorGlobal: [Int]
  let factorEffect: [Effect]
  let factorLinear: [Bool]
  /// Scratch of the class derivatives (values, first and second derivatives per occurrence)
  /// and of the assembly (∇P_j over the globals).
  let factorValue: UnsafeMutablePointer<Lanes>
  let factorD1: UnsafeMutablePointer<Lanes>
  let factorD2: UnsafeMutablePointer<Lanes>
  let classGlobalGrad: UnsafeMutablePointer<Lanes>
  /// Per global: its bounds and 1/σ² of its Gaussian constraint (0 when unconstrained).
  let globalLower: [Double]
  let globalUpper: [Double]
  let globalInvSigma2: [Double]
  /// Accumulators of a pass in class space: ρ_j and C_jj'.
  let rho: UnsafeMutablePointer<Lanes>
  let cc: UnsafeMutablePointer<Lanes>
  /// Results of a pass: P at xt (`Ft`, with Σ n ln ν only when `passLogged`; `FtNoLog` without
  /// it), its gradient and Hessian over the globals, lanes whose closed forms failed.
  var Ft = Lanes.splat(0)
  var FtNoLog = Lanes.splat(0)
  var passLogged = false
  /// The kernels' sums over the bins of a pass: Σ (Σ((γ − a)/σ)² + 2ν), and Σ n ln ν.
  var binsNoLog = Lanes.splat(0)
  var binsLog = Lanes.splat(0)
  let rt: UnsafeMutablePointer<Lanes>
  let St: UnsafeMutablePointer<Lanes>
  var failed = LaneMask(repeating: false)
  /// Lanes whose pass uses the expected (Fisher) curvature for S (their first Newton step: far
  /// from the minimum the observed Poisson curvature n/ν² makes Newton overshoot in a
  /// normalisation; Fisher scoring is exact in one step for a pure normalisation).
  var fisher = LaneMask(repeating: false)
  /// Lanes holding a data set (idle lanes never take the slow path).
  var live = LaneMask(repeating: false)
  /// Bins solved on the general engine in this pass (``slowBin(group:index:lanes:)``): their
  /// objective, gradient and Schur complement per lane, and the solver.
  var slowF = Lanes.splat(0)
  let slowR: UnsafeMutablePointer<Lanes>
  let slowS: UnsafeMutablePointer<Lanes>
  var slowSolver: GeneralFitter?
  /// The locals of the last slow solution of each (grouped bin, lane): key bin · lanes + lane.
  var slowLocals: [Int: [Double]] = [:]

  init(model: CompiledModel, structure s: FastStructure) {
    m = model
    structure = s
    G = s.globals.count
    J = s.classes.count
    globals = s.globals
    base = s.base
    var nTotal = 0, auxTotal = 0
    for g in s.groups {
      nTotal += g.binCount
      auxTotal += g.binCount * g.slots
    }
    laneN = storage.make(nTotal, Lanes.splat(0))
    laneAux = storage.make(auxTotal, Lanes.splat(0))
    laneW = storage.make(nTotal, Lanes.splat(.nan))
    laneNu = storage.make(nTotal, Lanes.splat(1))
    let vectors = (nTotal + Lanes.scalarCount - 1) / Lanes.scalarCount
    finalN = storage.make(vectors, Lanes.splat(0))
    finalNu = storage.make(vectors, Lanes.splat(1))
    globalAux = storage.make(G, Lanes.splat(0))
    xt = storage.make(G + s.fixedGlobals.count, Lanes.splat(0))
    var fs = [0], hs = [0]
    for c in s.classes {
      fs.append(fs.last! + c.factors.count)
      hs.append(hs.last! + c.factors.count * c.factors.count)
    }
    classFactorStart = fs
    classHessStart = hs
    factorGlobal = s.classes.flatMap { $0.factors.map(\.global) }
    factorEffect = s.classes.flatMap { $0.factors.map(\.effect) }
    factorLinear = factorEffect.map(\.isLinear)
    factorValue = storage.make(fs.last!, Lanes.splat(0))
    factorD1 = storage.make(fs.last!, Lanes.splat(0))
    factorD2 = storage.make(fs.last!, Lanes.splat(0))
    classGlobalGrad = storage.make(J * G, Lanes.splat(0))
    globalLower = s.globalLower
    globalUpper = s.globalUpper
    globalInvSigma2 = s.globalConstraint.map { if case .gaussian(let sigma, _) = $0 { 1 / (sigma * sigma) } else { 0 } }
    classP = storage.make(J, Lanes.splat(1))
    classGrad = storage.make(fs.last!, Lanes.splat(0))
    classHess = storage.make(hs.last!, Lanes.splat(0))
    rho = storage.make(J, Lanes.splat(0))
    cc = storage.make(J * J, Lanes.splat(0))
    rt = storage.make(G, Lanes.splat(0))
    St = storage.make(G * G, Lanes.splat(0))
    slowR = storage.make(G, Lanes.splat(0))
    slowS = storage.make(G * G, Lanes.splat(0))
    var nOff = 0, aOff = 0
    var loadMain: [Int32] = [], loadAux: [Int32] = []
    for g in s.groups {
      loadMain += g.bins.map { Int32($0) }
      loadAux += g.auxIndex.map { Int32($0) }
      var classA = InlineArray<4, Int>(repeating: 0)
      for l in 0..<g.slots { classA[l] = g.classA[l] }
      groups.append(GroupRuntime(
        key: g.key, binCount: g.binCount, constants: storage.copy(g.constants), classR: g.classR, classA: classA,
        classB: g.classB, bin: storage.copy(g.bins.map(Int32.init)), param: storage.copy(g.param.map(Int32.init)),
        auxIndex: storage.copy(g.auxIndex.map(Int32.init)), nOffset: nOff, auxOffset: aOff))
      nOff += g.binCount
      aOff += g.binCount * g.slots
    }
    self.loadMain = storage.copy(loadMain)
    self.loadAux = storage.copy(loadAux)
    mainLoads = loadMain.count
    auxLoads = loadAux.count
    emptyBins = storage.copy(s.emptyBins.map(Int32.init))
    emptyBinCount = s.emptyBins.count
    let locals = s.groups.flatMap(\.param)
    localParams = storage.copy(locals.map(Int32.init))
    localCount = locals.count
    pairBins = groups.filter(\.key.pair).map { $0.nOffset..<($0.nOffset + $0.binCount) }
    let orphans = Set(s.orphans)
    otherSource = model.otherParameters.map { p in
      if let i = s.globals.firstIndex(of: p) { return Int32(i) }
      return orphans.contains(p) ? -2 : -1
    }
    laneState = storage.make(1, LaneNewtonState(G: G, storage: storage))
    setFixedValues(s.base)
  }

  /// The fixed parameters' values of the next fits (`values`: one per parameter; those of the
  /// fixed globals become their class factors' slots).
  func setFixedValues(_ values: [Double]) {
    base = values
    for (i, p) in structure.fixedGlobals.enumerated() { xt[G + i] = .splat(values[p]) }
    slowSolver = nil
  }

  /// The Newton state of every lane (``LaneNewtonState``).
  /// (In raw memory behind an addressor: the Newton step mutates it field by field, and a
  /// stored property of a class would check exclusivity at run time on every access.)
  var lane: LaneNewtonState {
    unsafeAddress { UnsafePointer(laneState) }
    unsafeMutableAddress { laneState }
  }
  let laneState: UnsafeMutablePointer<LaneNewtonState>

  // MARK: - Loading a data set into a lane

  /// Puts data set `d` (main then auxiliary data) into lane `j`, starting from the globals of
  /// `start` (clamped into the bounds). Returns false when the data set cannot be fitted here
  /// (events in a bin without any sample: the general fitter reports it).
  func load(lane j: Int, data d: UnsafePointer<Double>, start: UnsafePointer<Double>, constant: Double) -> Bool {
    for e in 0..<emptyBinCount where d[Int(emptyBins[e])] != 0 { return false }
    live[j] = true
    let aux = d + m.mainCount
    let L = Lanes.scalarCount
    let n = scalars(laneN) + j, w = scalars(laneW) + j, a = scalars(laneAux) + j
    for i in 0..<mainLoads { n[i &* L] = d[Int(loadMain[i])] }
    for i in 0..<auxLoads { a[i &* L] = aux[Int(loadAux[i])] }
    // A new data set: the pair bins start their w afresh (NaN; see ``pairStart``).
    for r in pairBins { for i in r { w[i &* L] = .nan } }
    for i in 0..<G {
      globalAux[i][j] = structure.globalConstraint[i].auxIndex.map { aux[$0] } ?? 0
      let p = globals[i]
      lane.x[i][j] = min(max(start[p], m.lower[p]), m.upper[p])
    }
    constantPart[j] = constantConstraints(aux)
    dataConstant[j] = constant
    return true
  }

  /// The scalars of a lane buffer: lane j of vector i at `i * Lanes.scalarCount + j`.
  @inline(__always)
  func scalars(_ p: UnsafeMutablePointer<Lanes>) -> UnsafeMutablePointer<Double> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self)
  }

  /// Σ constraints of fixed parameters at their values and of orphans at their maximum.
  func constantConstraints(_ aux: UnsafePointer<Double>) -> Double {
    var total = 0.0
    for p in structure.constantConstraints {
      var v = base[p]
      if structure.free[p], let best = m.constraint[p].maximum(aux: aux) { v = min(max(best, m.lower[p]), m.upper[p]) }
      total += m.constraint[p].value(v, aux: aux)
    }
    return total
  }

  /// −2 ln L (without data constants) at lane j's end point: from its last pass when that pass
  /// computed the logarithms, else that pass's part without them minus 2 Σ n ln ν over the
  /// lane's bins (ν stored by the pass; bins the general engine solved hold ν = 1 and are in
  /// the part without logarithms whole); plus the shift of an extrapolated final step.
  func finalF(lane j: Int) -> Double {
    if lane.fValid[j] { return lane.F[j] + lane.shift[j] }
    let L = Lanes.scalarCount, count = mainLoads
    let n = scalars(laneN) + j, nu = scalars(laneNu) + j
    let fn = scalars(finalN), fnu = scalars(finalNu)
    for b in 0..<count {
      fn[b] = n[b &* L]
      fnu[b] = nu[b &* L]
    }
    let vectors = (count + L - 1) / L
    for b in count..<(vectors &* L) {
      fn[b] = 0
      fnu[b] = 1
    }
    var sum = Lanes.splat(0)
    for v in 0..<vectors { sum = sum.fma(finalN[v], laneLogNormal(finalNu[v].maximum(.splat(.leastNormalMagnitude)))) }
    return lane.fNoLog[j] - 2 * sum.sum() + lane.shift[j]
  }

  // MARK: - Reading a lane's result

  /// All parameters of lane `j` at its current (accepted) point into `out`: fixed values,
  /// globals, each bin's locals from its closed form at w (NaN without `locals`), orphans at
  /// their constraint's maximum.
  func parameters(lane j: Int, data d: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, locals: Bool = true) {
    base.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: m.parameterCount) }
    for i in 0..<G { out[globals[i]] = lane.x[i][j] }
    for p in structure.orphans { out[p] = orphanValue(p, data: d) }
    if !locals {
      for q in 0..<localCount { out[Int(localParams[q])] = .nan }
      return
    }
    classProducts(lane: j, globals: out)
    for g in groups { localsOf(group: g, lane: j, into: out) }
  }

  /// The model's ``CompiledModel/otherParameters`` of lane `j` (the parameters that are not
  /// per-bin), in their order, into `out`.
  func otherParameters(lane j: Int, data d: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
    for (c, p) in m.otherParameters.enumerated() {
      let source = Int(otherSource[c])
      out[c] = source >= 0 ? lane.x[source][j] : source == -1 ? base[p] : orphanValue(p, data: d)
    }
  }

  /// A free parameter in no bin: at its constraint's maximum (clamped into its bounds).
  func orphanValue(_ p: Int, data d: UnsafePointer<Double>) -> Double {
    guard let best = m.constraint[p].maximum(aux: d + m.mainCount) else { return base[p] }
    return min(max(best, m.lower[p]), m.upper[p])
  }

  /// P_j of lane `j` at parameter values `x` (scalars, into `classP[*][j]`).
  func classProducts(lane j: Int, globals x: UnsafePointer<Double>) {
    for (c, cls) in structure.classes.enumerated() {
      var P = 1.0
      for f in cls.factors { P *= f.effect.value(x[f.global < G ? globals[f.global] : structure.fixedGlobals[f.global - G]]) }
      classP[c][j] = P
    }
  }
}

extension FastRuntime {
  /// The locals of group `r` for lane j at the lane's w (the closed form of the last pass):
  /// γ_l = a_l − σ_l²A_l w for single locals, M(w)⁻¹(D⁻¹a − wA) for a pair.
  func localsOf(group r: GroupRuntime, lane j: Int, into out: UnsafeMutablePointer<Double>) {
    let nb = r.binCount, k = r.key.slots, F = FastField.count(k), L = Lanes.scalarCount
    var P = InlineArray<4, Double>(repeating: 0)
    for l in 0..<k { P[l] = classP[r.classA[l]][j] }
    let PB = classP[r.classB][j]
    let w = scalars(laneW) + (r.nOffset &* L &+ j), aux = scalars(laneAux) + (r.auxOffset &* L &+ j)
    for i in 0..<nb {
      let c = r.constants + (i &* F), a = aux + (i &* k &* L), wi = w[i &* L], param = r.param + (i &* k)
      if wi.isNaN, let locals = slowLocals[(r.nOffset &+ i) &* L &+ j] {
        for l in 0..<k { out[Int(param[l])] = locals[l] }
        continue
      }
      var first = 0
      if r.key.pair {
        let A0 = c[FastField.A(0)] * P[0], A1 = c[FastField.A(1)] * P[1]
        let beta = c[FastField.B(k)] * PB
        let inv0 = c[FastField.inv(0, k)], inv1 = c[FastField.inv(1, k)]
        let wb = wi * beta
        let det = inv0 * inv1 - wb * wb
        let r0 = inv0 * a[0] - wi * A0, r1 = inv1 * a[L] - wi * A1
        out[Int(param[0])] = (inv1 * r0 - wb * r1) / det
        out[Int(param[1])] = (inv0 * r1 - wb * r0) / det
        first = 2
      }
      for l in first..<k { out[Int(param[l])] = a[l &* L] - c[FastField.sig2(l, k)] * c[FastField.A(l)] * P[l] * wi }
    }
  }
}
