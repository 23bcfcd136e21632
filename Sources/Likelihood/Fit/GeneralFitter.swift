import Foundation

/// How one bin's free local parameters are profiled for fixed globals.
enum BinSolver: UInt8 {
  /// No free locals: nothing to profile.
  case noLocals
  /// Gaussian-constrained linear factors of disjoint terms: closed form (a quadratic in ν).
  case gaussianLinear
  /// One Poisson-constrained linear factor: closed form (a quadratic in γ).
  case poissonLinear
  /// One unconstrained linear factor: ν = n.
  case freeLinear
  /// Anything else: projected Newton over the bin's locals.
  case newton
}

/// The exact fitter for any model: per-bin profiling of the locals (closed forms where they
/// exist, projected Newton otherwise) and projected Newton over the globals on the Schur
/// complement (see ``Fitter``). It owns its scratch; one per thread.
///
/// The state of a fit lives here: the parameters `x`, which are free, the structure derived
/// from the set of free parameters (cached while it does not change), and the data.
final class GeneralFitter {
  let m: CompiledModel
  var options: FitOptions
  let storage = RawStorage()

  // MARK: Per-fit state
  let x: UnsafeMutablePointer<Double>
  let xSave: UnsafeMutablePointer<Double>
  let xBest: UnsafeMutablePointer<Double>
  let free: UnsafeMutablePointer<Bool>
  let n: UnsafeMutablePointer<Double>
  let aux: UnsafeMutablePointer<Double>
  /// Constraint terms of fixed and orphan parameters (constant during a fit).
  var constantConstraints = 0.0
  /// Passes over the bins since creation (tests and benchmarks).
  var profilePasses = 0
  /// The last Newton step's factorisation of S needed no modification (S positive definite
  /// over the globals off their bounds).
  var lastFactorizationExact = true

  // MARK: Structure for the current set of free parameters
  let prevFree: UnsafeMutablePointer<Bool>
  var structureValid = false
  /// Position of each free global in the global vector, -1 otherwise.
  let gPos: UnsafeMutablePointer<Int32>
  let gParam: UnsafeMutablePointer<Int32>
  var nGlobal = 0
  /// Slot of each free local within its bin, -1 otherwise.
  let localSlot: UnsafeMutablePointer<Int32>
  let binFreeLocalStart: UnsafeMutablePointer<Int32>
  let binFreeLocalParam: UnsafeMutablePointer<Int32>
  let solver: UnsafeMutablePointer<BinSolver>
  /// Constrained parameters whose constraint is constant during a fit (fixed, or free but in
  /// no bin).
  let constantParams: UnsafeMutablePointer<Int32>
  var constantCount = 0

  // MARK: Scratch of one bin (m = its free globals and locals)
  let slotOf: UnsafeMutablePointer<Int32>
  let slotParam: UnsafeMutablePointer<Int32>
  let dnu: UnsafeMutablePointer<Double>
  let d2nu: UnsafeMutablePointer<Double>
  let hb: UnsafeMutablePointer<Double>
  let gbv: UnsafeMutablePointer<Double>
  let fv: UnsafeMutablePointer<Double>
  let f1: UnsafeMutablePointer<Double>
  let f2: UnsafeMutablePointer<Double>
  let fsl: UnsafeMutablePointer<Int32>
  let av1: UnsafeMutablePointer<Double>
  let av2: UnsafeMutablePointer<Double>
  let asl: UnsafeMutablePointer<Int32>
  let hll: UnsafeMutablePointer<Double>
  let ya: UnsafeMutablePointer<Double>
  let za: UnsafeMutablePointer<Double>
  let coefA: UnsafeMutablePointer<Double>
  let localSave: UnsafeMutablePointer<Double>
  let localDir: UnsafeMutablePointer<Double>
  let localIdx: UnsafeMutablePointer<Int32>

  // MARK: Scratch of the global step (G = free globals)
  let S: UnsafeMutablePointer<Double>
  let r: UnsafeMutablePointer<Double>
  let sf: UnsafeMutablePointer<Double>
  let df: UnsafeMutablePointer<Double>
  let rSave: UnsafeMutablePointer<Double>
  let freeIdx: UnsafeMutablePointer<Int32>
  let work: UnsafeMutablePointer<Double>

  // MARK: Scratch of the uncertainty pass: per-bin inverse local blocks and Y = H_ll⁻¹ H_lg
  let binStoreStart: UnsafeMutablePointer<Int32>
  let binYStart: UnsafeMutablePointer<Int32>
  let llStore: UnsafeMutablePointer<Double>
  let yStore: UnsafeMutablePointer<Double>
  let binSlotsStart: UnsafeMutablePointer<Int32>
  let binSlots: UnsafeMutablePointer<Int32>
  let binGb: UnsafeMutablePointer<Int32>
  let binOK: UnsafeMutablePointer<Bool>

  init(model: CompiledModel, options: FitOptions) {
    m = model
    self.options = options
    let nPar = model.parameterCount, nMain = model.mainCount
    x = storage.make(nPar, 0.0)
    xSave = storage.make(nPar, 0.0)
    xBest = storage.make(nPar, 0.0)
    free = storage.make(nPar, false)
    n = storage.make(nMain, 0.0)
    aux = storage.make(model.auxCount, 0.0)
    prevFree = storage.make(nPar, false)
    gPos = storage.make(nPar, Int32(-1))
    gParam = storage.make(model.globalCandidates, Int32(-1))
    localSlot = storage.make(nPar, Int32(-1))
    binFreeLocalStart = storage.make(nMain + 1, Int32(0))
    binFreeLocalParam = storage.make(Int(model.binLocalStart[nMain]), Int32(0))
    solver = storage.make(nMain, BinSolver.noLocals)
    constantParams = storage.make(nPar, Int32(0))
    slotOf = storage.make(nPar, Int32(-1))
    let mk = model.maxLocals, mg = model.maxBinGlobals, mm = max(mk + mg, 1)
    slotParam = storage.make(mm, Int32(0))
    dnu = storage.make(mm, 0.0)
    d2nu = storage.make(mm * mm, 0.0)
    hb = storage.make(mm * mm, 0.0)
    gbv = storage.make(mm, 0.0)
    fv = storage.make(model.maxFactors, 0.0)
    f1 = storage.make(model.maxFactors, 0.0)
    f2 = storage.make(model.maxFactors, 0.0)
    fsl = storage.make(model.maxFactors, Int32(0))
    av1 = storage.make(model.maxAdditive, 0.0)
    av2 = storage.make(model.maxAdditive, 0.0)
    asl = storage.make(model.maxAdditive, Int32(0))
    hll = storage.make(mk * mk, 0.0)
    ya = storage.make(mk * mg, 0.0)
    za = storage.make(mk, 0.0)
    coefA = storage.make(mk, 0.0)
    localSave = storage.make(mk, 0.0)
    localDir = storage.make(mk, 0.0)
    localIdx = storage.make(mk, Int32(0))
    let G = max(model.globalCandidates, 1)
    S = storage.make(G * G, 0.0)
    r = storage.make(G, 0.0)
    sf = storage.make(G * G, 0.0)
    df = storage.make(G, 0.0)
    rSave = storage.make(G, 0.0)
    freeIdx = storage.make(G, Int32(0))
    work = storage.make(max(G, mm), 0.0)
    var ll: [Int32] = [0], y: [Int32] = [0], slots: [Int32] = [0]
    for b in 0..<nMain {
      let k = Int(model.binLocalStart[b + 1] - model.binLocalStart[b])
      let g = Int(model.binGlobalStart[b + 1] - model.binGlobalStart[b])
      ll.append(ll.last! + Int32(k * k))
      y.append(y.last! + Int32(k * g))
      slots.append(slots.last! + Int32(k + g))
    }
    binStoreStart = storage.copy(ll)
    binYStart = storage.copy(y)
    llStore = storage.make(Int(ll.last!), 0.0)
    yStore = storage.make(Int(y.last!), 0.0)
    binSlotsStart = storage.copy(slots)
    binSlots = storage.make(Int(slots.last!), Int32(0))
    binGb = storage.make(nMain, Int32(0))
    binOK = storage.make(nMain, true)
  }

  // MARK: - Setting up a fit

  /// Loads data, start and fixed parameters: `x` from `initial`, free parameters the model's
  /// free-by-default ones minus `fixed` (at their fixed values), free values clamped into the
  /// bounds.
  func load(data: UnsafePointer<Double>, fixed: [Int: Double], initial: UnsafePointer<Double>) {
    let nPar = m.parameterCount
    n.update(from: data, count: m.mainCount)
    aux.update(from: data + m.mainCount, count: m.auxCount)
    x.update(from: initial, count: nPar)
    free.update(from: m.freeByDefault, count: nPar)
    for (p, v) in fixed {
      x[p] = v
      free[p] = false
    }
    for p in 0..<nPar where free[p] { x[p] = min(max(x[p], m.lower[p]), m.upper[p]) }
  }

  @inline(__always)
  func copyParameters(_ from: UnsafeMutablePointer<Double>, to: UnsafeMutablePointer<Double>) {
    to.update(from: from, count: m.parameterCount)
  }

  /// The data-dependent constants of −2 ln L left out of the objective: Σ 2 lgamma(n_b + 1),
  /// Σ 2 lgamma(a + 1) over Poisson constraints, plus the Gaussian normalisations.
  func dataConstant() -> Double {
    var c = m.gaussianConstant
    for b in 0..<m.mainCount where n[b] != 0 { c += m.twoLgamma1p(n[b]) }
    for a in m.poissonAux { c += m.twoLgamma1p(aux[a]) }
    return c
  }

  /// 2(ν − n ln ν) as pyhf computes it (xlogy(n, ν) − ν): a bin without events gives 2ν for
  /// every ν, also ν ≤ 0 (Poisson(0 | 0) = 1, and a negative yield — a POI below 0 — is
  /// rewarded, not refused, as in pyhf and ``Model/twiceNLL(_:data:)``); with events, +∞ for
  /// ν ≤ 0.
  @inline(__always)
  func mainTerm(_ count: Double, _ nu: Double) -> Double {
    if count == 0 { return nu.isFinite ? 2 * nu : .infinity }
    if nu > 0 { return 2 * (nu - count * Foundation.log(nu)) }
    return .infinity
  }

  /// The constraint's share of −2 ln L for parameter p at the current x.
  @inline(__always)
  func constraintValue(_ p: Int) -> Double { m.constraint[p].value(x[p], aux: aux) }

  @inline(__always)
  func constraintDerivatives(_ p: Int, exact: Bool) -> (g: Double, h: Double) {
    m.constraint[p].derivatives(x[p], aux: aux, exact: exact)
  }
}
