import Foundation

/// Exact maximum-likelihood fits of a ``Model`` with bounds and fixed parameters, fast.
///
/// ## The method
/// Parameters that enter exactly one main bin (staterror, shapesys and shapefactor parameters,
/// and any other parameter of a single-bin channel) are *local*; the others (POI, normfactors,
/// normsys, histosys, lumi, shapefactors spanning several channels) are *global*. For fixed
/// global parameters, −2 ln L separates into one small problem per bin, solved exactly:
/// - the fast path (``fastBin(_:schur:)``, Fitter+FastPath.swift) when the bin's free locals are
///   Gaussian-constrained linear factors, at most two on any term and at most four in the bin,
///   each sharing terms with at most one other (staterrors, one per sample, and the search
///   windows' µµ(γ) sample carrying both the background-shape and the photon-veto staterror):
///   ν is bilinear in the locals, for fixed w = 1 − n/ν the stationarity conditions are a
///   block-diagonal linear system, and w solves one scalar equation (in one step without
///   pairs; w = 1 for an empty bin);
/// - in closed form when the locals are Gaussian factors of disjoint samples beyond that (a
///   quadratic in ν), a single Poisson-constrained factor (a quadratic in γ) or a single free
///   factor (ν = n);
/// - otherwise by a projected Newton method.
///
/// The fit minimises the profile P(g) = min_locals −2 ln L over the global parameters g
/// (variable projection) with a projected Newton method (Bertsekas, SIAM J. Control Optim. 20
/// (1982) 221). The gradient of P is ∂(−2 ln L)/∂g at the profiled locals and its Hessian the
/// Schur complement S = H_gg − Σ_bins H_gl H_ll⁻¹ H_lg of the arrow-shaped full Hessian. On the
/// fast path the globals enter through one product P_j(g) per sample class (the same function
/// for every bin), so each bin adds a small matrix in class space and S is assembled once per
/// pass; elsewhere it is built in O(bins·(k + G)²) for k locals per bin and G globals — in closed
/// form (Sherman–Morrison) for Gaussian locals, by a k×k Cholesky factorisation otherwise.
/// Bounds: an active set and projection, an Armijo line search along the projection arc, a
/// modified Cholesky factorisation when S is not positive definite. Each line-search trial
/// profiles the locals and builds S and r in the same pass over the bins, so an accepted step
/// costs one pass. Convergence: Newton decrement gᵀS⁻¹g < ``FitOptions/tolerance`` (1e-12 by
/// default); a full, unclipped Newton step whose predicted decrement (C·dec², quadratic
/// convergence) is below 1e-3 of the tolerance ends the fit without building S again.
/// When the start has ν = 0 in a bin with data (−2 ln L infinite: a normalisation at 0, say)
/// the fit restarts from the model's initial values (then from points inside the bounds).
/// When Newton does not converge the fitter falls back to Fisher scoring (expected Hessian,
/// always positive definite) and then to coordinate descent over the globals, keeping the best
/// point, and reports ``FitResult/converged`` honestly.
///
/// Uncertainties come from the inverse of the full Hessian of −ln L at the minimum, obtained
/// blockwise from the same arrow structure.
///
/// Speed (``FitBenchmark``: release build, 64 seeded toys, one reused fitter, no uncertainties;
/// callgrind instructions and median time per fit on the 2-core development machine):
///
/// | window | free | conditional | conditional, warm start |
/// |---|---|---|---|
/// | reference (100 bins, 202 parameters) | 0.17M, 12.7 µs | 0.14M, 9.9 µs | 0.13M, 9.6 µs |
/// | search window 0.3 GeV (100 bins, 304 parameters) | 0.24M, 17 µs | 0.18M, 14 µs | 0.17M, 12 µs |
/// | search window 2.35 GeV (100 bins, 304 parameters) | 0.23M, 18.5 µs | 0.19M, 15 µs | 0.17M, 13 µs |
/// | search window 8 GeV (20 bins, 64 parameters) | 0.12M, 10.7 µs | 0.10M, 9.6 µs | 0.06M, 6.0 µs |
///
/// 3–5 passes over the bins per fit; the first Newton step uses the expected (Fisher)
/// curvature of the fast-path bins (see ``newton(exact:maxIterations:only:F:)``).
///
/// A `Fitter` owns its scratch buffers: reuse it for many fits (no allocation inside a fit
/// besides the result); it is not thread-safe — use one per thread with a shared ``Model``.
///
/// ```swift
/// let fitter = Fitter(model: model)
/// let free = fitter.fit(data: model.observedData)
/// let atZero = fitter.fit(data: model.observedData, fixed: [model.poiIndex!: 0])
/// let q0 = atZero.twiceNLL - free.twiceNLL
/// ```
public final class Fitter {
  public let model: Model
  public var options: FitOptions

  // MARK: Compiled model (copies of the layout in raw buffers: no bounds checks in the loops)
  let nPar: Int
  let nMain: Int
  let nAux: Int
  let binTermStart: UnsafeMutablePointer<Int32>
  let termNominal: UnsafeMutablePointer<Double>
  let termFactorStart: UnsafeMutablePointer<Int32>
  let termAddStart: UnsafeMutablePointer<Int32>
  let factorParam: UnsafeMutablePointer<Int32>
  let factorCode4: UnsafeMutablePointer<Int32>
  let addParam: UnsafeMutablePointer<Int32>
  let addInterp: UnsafeMutablePointer<Code4pInterpolation>
  let code4: UnsafeMutablePointer<Code4Interpolation>
  let cKind: UnsafeMutablePointer<UInt8>
  let cAux: UnsafeMutablePointer<Int32>
  let cWidth: UnsafeMutablePointer<Double>
  let lower: UnsafeMutablePointer<Double>
  let upper: UnsafeMutablePointer<Double>

  // MARK: Static structure
  /// Number of bins each parameter enters.
  let touch: UnsafeMutablePointer<Int32>
  /// Global (≥ 2 bins) and local (1 bin) parameters of each bin.
  let binGlobalStart: UnsafeMutablePointer<Int32>
  let binGlobalParam: UnsafeMutablePointer<Int32>
  let binLocalStart: UnsafeMutablePointer<Int32>
  let binLocalParam: UnsafeMutablePointer<Int32>
  let maxFactors: Int
  let maxAdds: Int
  let maxK: Int
  let maxGb: Int
  let maxM: Int
  let nGlobalMax: Int
  /// Σ over Gaussian constraints of 2 ln(σ√(2π)): the data-independent constant of −2 ln L.
  let gaussianConstant: Double
  /// 2·lgamma(n + 1) for n = 0 ..< lgammaTableSize.
  let lgammaTable: UnsafeMutablePointer<Double>
  let lgammaTableSize = 4096

  // MARK: Per-fit state
  let x: UnsafeMutablePointer<Double>
  let xSave: UnsafeMutablePointer<Double>
  let xBest: UnsafeMutablePointer<Double>
  let free: UnsafeMutablePointer<Bool>
  let prevFree: UnsafeMutablePointer<Bool>
  var structureValid = false
  let gPos: UnsafeMutablePointer<Int32>
  let gParam: UnsafeMutablePointer<Int32>
  var nGlobal = 0
  let localSlot: UnsafeMutablePointer<Int32>
  let binFreeLocalStart: UnsafeMutablePointer<Int32>
  let binFreeLocalParam: UnsafeMutablePointer<Int32>
  let binKind: UnsafeMutablePointer<UInt8>
  let slotOf: UnsafeMutablePointer<Int32>
  let n: UnsafeMutablePointer<Double>
  let aux: UnsafeMutablePointer<Double>
  /// Constraint terms of fixed and orphan parameters (constant during a fit).
  var constantConstraints = 0.0
  /// Constrained parameters whose constraint is constant during a fit (fixed, or free but in no
  /// bin), for the current set of free parameters.
  let constantParams: UnsafeMutablePointer<Int32>
  var constantCount = 0
  /// Auxiliary indices of the Poisson constraints (for the data constant).
  let poissonParams: UnsafeMutablePointer<Int32>
  let poissonCount: Int
  /// !fixedByDefault.
  let freeByDefault: UnsafeMutablePointer<Bool>

  // MARK: Scratch
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
  let S: UnsafeMutablePointer<Double>
  let r: UnsafeMutablePointer<Double>
  let sf: UnsafeMutablePointer<Double>
  let df: UnsafeMutablePointer<Double>
  let rSave: UnsafeMutablePointer<Double>
  let freeIdx: UnsafeMutablePointer<Int32>
  let work: UnsafeMutablePointer<Double>
  // uncertainty pass: per-bin inverse local blocks and Y = H_ll⁻¹ H_lg
  let binStoreStart: UnsafeMutablePointer<Int32>
  let binYStart: UnsafeMutablePointer<Int32>
  let llStore: UnsafeMutablePointer<Double>
  let yStore: UnsafeMutablePointer<Double>
  let binSlotsStart: UnsafeMutablePointer<Int32>
  let binSlots: UnsafeMutablePointer<Int32>
  let binGb: UnsafeMutablePointer<Int32>
  let binOK: UnsafeMutablePointer<Bool>
  /// Set by ``solveBin(_:)``: the bin's locals are the interior closed-form (kind 1) solution,
  /// so the closed-form Schur complement applies.
  let binInterior: UnsafeMutablePointer<Bool>
  /// Use the per-bin fast path (``fastBin(_:schur:)``) where it applies (tests switch it off to
  /// compare with the general path).
  var fastPath = true

  // MARK: Sample classes (the fast path)
  /// Class of each term: terms whose non-local factors (parameters entering ≥ 2 bins) are the
  /// same functions share one product P_j(g) per pass; -1 when the term has additive
  /// (histosys) occurrences, which makes its bin ineligible.
  let termClass: UnsafeMutablePointer<Int32>
  let classCount: Int
  let classFactorStart: UnsafeMutablePointer<Int32>
  let classFactorParam: UnsafeMutablePointer<Int32>
  let classFactorCode4: UnsafeMutablePointer<Int32>
  /// Offsets of each class's q×q Hessian block in `classHess`.
  let classHessStart: UnsafeMutablePointer<Int32>
  /// Distinct classes of each bin; `termBinClass[t]` is the term's index in its bin's list.
  let binClassStart: UnsafeMutablePointer<Int32>
  let binClassList: UnsafeMutablePointer<Int32>
  let termBinClass: UnsafeMutablePointer<Int32>
  /// Static: no term of the bin has additive occurrences.
  let binStaticFast: UnsafeMutablePointer<Bool>
  let maxClassesPerBin: Int
  /// Per fit: the term's nominal times its fixed per-bin factors.
  let nomEff: UnsafeMutablePointer<Double>
  /// Per fit structure: slots of the (at most two) free locals of each term of a fast bin, -1 if none.
  let fastL1: UnsafeMutablePointer<Int32>
  let fastL2: UnsafeMutablePointer<Int32>
  /// Per pass: P_j, ∂P_j/∂θ per factor occurrence, ∂²P_j per occurrence pair.
  let classP: UnsafeMutablePointer<Double>
  let classGrad: UnsafeMutablePointer<Double>
  let classHess: UnsafeMutablePointer<Double>
  let classVal: UnsafeMutablePointer<Double>
  let classD1: UnsafeMutablePointer<Double>
  let classD2: UnsafeMutablePointer<Double>
  /// Per pass: the fast bins' Schur complement and gradient in class space,
  /// S += Σ C_jj' ∇P_j ∇P_j'ᵀ + Σ ρ_j ∇²P_j and r += Σ ρ_j ∇P_j.
  let classC: UnsafeMutablePointer<Double>
  let classRho: UnsafeMutablePointer<Double>
  /// Passes over the bins since creation (for benchmarks and tests).
  var profilePasses = 0
  /// The pass builds S from the expected (Fisher) curvature of the fast-path bins (the first
  /// Newton step of a fit); the gradient r is exact either way.
  var fisherPass = false
  /// Per fit structure, fast bins: number of pairs of locals sharing a term. The bin's free
  /// locals are ordered pairs first (slots 2i, 2i+1), then the single ones.
  let binNPairs: UnsafeMutablePointer<Int32>
  /// Per fast bin: w = 1 − n/ν of the last solution in this fit (NaN at the start of a fit).
  let binW: UnsafeMutablePointer<Double>
  /// Per free-local position (`binFreeLocalParam` index), fast bins, per fit: 1/σ², σ², the
  /// auxiliary datum and the bounds.
  let locInv: UnsafeMutablePointer<Double>
  let locSig2: UnsafeMutablePointer<Double>
  let locAux: UnsafeMutablePointer<Double>
  let locLower: UnsafeMutablePointer<Double>
  let locUpper: UnsafeMutablePointer<Double>
  /// Per fit, fast bins: ν = Σ_j P_j (r_j + Σ_l a_jl γ_l + Σ_i b_ji γ_2i γ_2i+1) over the bin's
  /// classes j; 8 coefficients per class (r, a_0…a_3, b_0, b_1, unused), `fastCoefStride` per bin.
  let binCoef: UnsafeMutablePointer<Double>
  let fastCoefStride: Int
  /// Per fit structure, fast bins: 3 × shape index + classes − 1 (the kernel to call).
  let binFastCode: UnsafeMutablePointer<UInt8>
  /// Per fit structure: fast bins grouped by code (`fastGroupStart[c] ..< fastGroupStart[c+1]`
  /// in `fastGroupBins`), and the other bins.
  let fastCodeCount = 27
  let fastGroupStart: UnsafeMutablePointer<Int32>
  let fastGroupBins: UnsafeMutablePointer<Int32>
  let otherBins: UnsafeMutablePointer<Int32>
  var otherCount = 0
  /// Auxiliary-data index of each free-local position (fast bins).
  let locAuxIndex: UnsafeMutablePointer<Int32>
  /// The fast bins' tables match the current structure; some term has a fixed per-bin factor.
  var fastTablesValid = false
  var fastFixedLocalFactors = false
  let fastPartnerScratch: UnsafeMutablePointer<Int32>
  /// ∂A_l/∂g and ∂²A_l/∂g² for the closed-form Schur complement (maxK × maxGb, × maxGb).
  let dA: UnsafeMutablePointer<Double>
  let d2A: UnsafeMutablePointer<Double>

  private var allocations: [(UnsafeMutableRawPointer)] = []

  /// A fitter for `model` with its own scratch space.
  /// - Complexity: O(size of the model), once.
  public init(model: Model, options: FitOptions = FitOptions()) {
    self.model = model
    self.options = options
    let L = model.layout
    nPar = L.nPar
    nMain = L.nMain
    nAux = L.nAux
    var allocs: [UnsafeMutableRawPointer] = []
    func copy<T>(_ a: [T]) -> UnsafeMutablePointer<T> {
      let p = UnsafeMutablePointer<T>.allocate(capacity: max(a.count, 1))
      if !a.isEmpty { p.initialize(from: a, count: a.count) }
      allocs.append(UnsafeMutableRawPointer(p))
      return p
    }
    func make<T>(_ count: Int, _ value: T) -> UnsafeMutablePointer<T> {
      let p = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
      p.initialize(repeating: value, count: max(count, 1))
      allocs.append(UnsafeMutableRawPointer(p))
      return p
    }
    binTermStart = copy(L.binTermStart)
    termNominal = copy(L.termNominal)
    termFactorStart = copy(L.termFactorStart)
    termAddStart = copy(L.termAddStart)
    factorParam = copy(L.factorParam)
    factorCode4 = copy(L.factorCode4)
    addParam = copy(L.addParam)
    addInterp = copy(L.addInterp)
    code4 = copy(L.code4)
    cKind = copy(L.constraintKind)
    cAux = copy(L.constraintAux)
    cWidth = copy(L.constraintWidth)
    lower = copy(model.bounds.map(\.lowerBound))
    upper = copy(model.bounds.map(\.upperBound))

    // Which bins each parameter enters.
    var binsOf = [[Int]](repeating: [], count: L.nPar)
    var maxF = 0
    var maxA = 0
    for b in 0..<L.nMain {
      var params = Set<Int>()
      for t in Int(L.binTermStart[b])..<Int(L.binTermStart[b + 1]) {
        let fs = Int(L.termFactorStart[t]), fe = Int(L.termFactorStart[t + 1])
        let as_ = Int(L.termAddStart[t]), ae = Int(L.termAddStart[t + 1])
        maxF = max(maxF, fe - fs)
        maxA = max(maxA, ae - as_)
        for f in fs..<fe { params.insert(Int(L.factorParam[f])) }
        for a in as_..<ae { params.insert(Int(L.addParam[a])) }
      }
      for p in params { binsOf[p].append(b) }
    }
    let touchCounts = binsOf.map { Int32($0.count) }
    touch = copy(touchCounts)
    var gStart: [Int32] = [0], gParams: [Int32] = [], lStart: [Int32] = [0], lParams: [Int32] = []
    var perBinGlobal = [[Int32]](repeating: [], count: L.nMain)
    var perBinLocal = [[Int32]](repeating: [], count: L.nMain)
    for p in 0..<L.nPar {
      if binsOf[p].count == 1 {
        perBinLocal[binsOf[p][0]].append(Int32(p))
      } else {
        for b in binsOf[p] { perBinGlobal[b].append(Int32(p)) }
      }
    }
    var mk = 0, mg = 0, storeLL = 0, storeY = 0, slotsTotal = 0
    var storeStart: [Int32] = [0], yStart: [Int32] = [0], slotsStart: [Int32] = [0]
    for b in 0..<L.nMain {
      gParams += perBinGlobal[b]
      gStart.append(Int32(gParams.count))
      lParams += perBinLocal[b]
      lStart.append(Int32(lParams.count))
      let k = perBinLocal[b].count, g = perBinGlobal[b].count
      mk = max(mk, k)
      mg = max(mg, g)
      storeLL += k * k
      storeY += k * g
      slotsTotal += k + g
      storeStart.append(Int32(storeLL))
      yStart.append(Int32(storeY))
      slotsStart.append(Int32(slotsTotal))
    }
    binGlobalStart = copy(gStart)
    binGlobalParam = copy(gParams)
    binLocalStart = copy(lStart)
    binLocalParam = copy(lParams)
    maxFactors = maxF
    maxAdds = maxA
    maxK = mk
    maxGb = mg
    maxM = mk + mg
    nGlobalMax = binsOf.filter { $0.count >= 2 }.count
    var gc = 0.0
    for term in model.constraints {
      if case .gaussian(let sigma) = term.constraint {
        gc += 2 * Foundation.log(sigma * (2.0 * Double.pi).squareRoot())
      }
    }
    gaussianConstant = gc
    lgammaTable = copy((0..<4096).map { 2 * lgamma(Double($0) + 1) })

    x = make(nPar, 0.0)
    constantParams = make(nPar, Int32(0))
    let poissonAux = (0..<L.nPar).filter { L.constraintKind[$0] == 2 }.map { L.constraintAux[$0] }
    poissonParams = copy(poissonAux)
    poissonCount = poissonAux.count
    freeByDefault = copy(model.fixedByDefault.map { !$0 })
    xSave = make(nPar, 0.0)
    xBest = make(nPar, 0.0)
    free = make(nPar, false)
    prevFree = make(nPar, false)
    gPos = make(nPar, Int32(-1))
    gParam = make(nGlobalMax, Int32(-1))
    localSlot = make(nPar, Int32(-1))
    binFreeLocalStart = make(nMain + 1, Int32(0))
    binFreeLocalParam = make(lParams.count, Int32(0))
    binKind = make(nMain, UInt8(0))
    slotOf = make(nPar, Int32(-1))
    n = make(nMain, 0.0)
    aux = make(nAux, 0.0)

    let m = max(maxM, 1)
    slotParam = make(m, Int32(0))
    dnu = make(m, 0.0)
    d2nu = make(m * m, 0.0)
    hb = make(m * m, 0.0)
    gbv = make(m, 0.0)
    fv = make(max(maxF, 1), 0.0)
    f1 = make(max(maxF, 1), 0.0)
    f2 = make(max(maxF, 1), 0.0)
    fsl = make(max(maxF, 1), Int32(0))
    av1 = make(max(maxA, 1), 0.0)
    av2 = make(max(maxA, 1), 0.0)
    asl = make(max(maxA, 1), Int32(0))
    hll = make(max(mk * mk, 1), 0.0)
    ya = make(max(mk * mg, 1), 0.0)
    za = make(max(mk, 1), 0.0)
    coefA = make(max(mk, 1), 0.0)
    localSave = make(max(mk, 1), 0.0)
    localDir = make(max(mk, 1), 0.0)
    localIdx = make(max(mk, 1), Int32(0))
    let G = max(nGlobalMax, 1)
    S = make(G * G, 0.0)
    r = make(G, 0.0)
    sf = make(G * G, 0.0)
    df = make(G, 0.0)
    rSave = make(G, 0.0)
    freeIdx = make(G, Int32(0))
    work = make(max(G, m), 0.0)
    binStoreStart = copy(storeStart)
    binYStart = copy(yStart)
    llStore = make(storeLL, 0.0)
    yStore = make(storeY, 0.0)
    binSlotsStart = copy(slotsStart)
    binSlots = make(slotsTotal, Int32(0))
    binGb = make(nMain, Int32(0))
    binOK = make(nMain, true)
    binInterior = make(nMain, false)
    // Sample classes: key = the term's non-local factor occurrences (parameter, interpolation).
    struct FactorKey: Hashable { let param: Int32; let hi: Double; let lo: Double }
    var classIndex: [[FactorKey]: Int32] = [:]
    var classFactors: [[(Int32, Int32)]] = []
    var tClass = [Int32](repeating: -1, count: L.termCount)
    var staticFast = [Bool](repeating: true, count: L.nMain)
    var bClassStart: [Int32] = [0], bClassList: [Int32] = [], tBinClass = [Int32](repeating: 0, count: L.termCount)
    var maxJb = 0
    for b in 0..<L.nMain {
      var list: [Int32] = []
      for t in Int(L.binTermStart[b])..<Int(L.binTermStart[b + 1]) {
        if L.termAddStart[t + 1] != L.termAddStart[t] {
          staticFast[b] = false
          continue
        }
        var occ: [(Int32, Int32)] = []
        for f in Int(L.termFactorStart[t])..<Int(L.termFactorStart[t + 1]) where binsOf[Int(L.factorParam[f])].count >= 2 {
          occ.append((L.factorParam[f], L.factorCode4[f]))
        }
        occ.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        let key = occ.map { o -> FactorKey in
          o.1 < 0 ? FactorKey(param: o.0, hi: 0, lo: 0) : FactorKey(param: o.0, hi: L.code4[Int(o.1)].hi, lo: L.code4[Int(o.1)].lo)
        }
        let j: Int32
        if let found = classIndex[key] {
          j = found
        } else {
          j = Int32(classFactors.count)
          classIndex[key] = j
          classFactors.append(occ)
        }
        tClass[t] = j
        if let at = list.firstIndex(of: j) {
          tBinClass[t] = Int32(at)
        } else {
          tBinClass[t] = Int32(list.count)
          list.append(j)
        }
      }
      bClassList += list
      bClassStart.append(Int32(bClassList.count))
      maxJb = max(maxJb, list.count)
    }
    termClass = copy(tClass)
    classCount = classFactors.count
    var cfStart: [Int32] = [0], cfParam: [Int32] = [], cfCode4: [Int32] = [], chStart: [Int32] = [0]
    for occ in classFactors {
      for o in occ {
        cfParam.append(o.0)
        cfCode4.append(o.1)
      }
      cfStart.append(Int32(cfParam.count))
      chStart.append(chStart.last! + Int32(occ.count * occ.count))
    }
    classFactorStart = copy(cfStart)
    classFactorParam = copy(cfParam)
    classFactorCode4 = copy(cfCode4)
    classHessStart = copy(chStart)
    binClassStart = copy(bClassStart)
    binClassList = copy(bClassList)
    termBinClass = copy(tBinClass)
    binStaticFast = copy(staticFast)
    maxClassesPerBin = maxJb
    nomEff = make(L.termCount, 0.0)
    fastL1 = make(L.termCount, Int32(-1))
    fastL2 = make(L.termCount, Int32(-1))
    let J = max(classCount, 1)
    classP = make(J, 0.0)
    classGrad = make(max(cfParam.count, 1), 0.0)
    classHess = make(max(Int(chStart.last!), 1), 0.0)
    let maxQ = max(classFactors.map(\.count).max() ?? 0, 1)
    classVal = make(maxQ, 0.0)
    classD1 = make(maxQ, 0.0)
    classD2 = make(maxQ, 0.0)
    classC = make(J * J, 0.0)
    classRho = make(J, 0.0)
    binNPairs = make(nMain, Int32(0))
    binW = make(nMain, Double.nan)
    locInv = make(lParams.count, 0.0)
    locSig2 = make(lParams.count, 0.0)
    locAux = make(lParams.count, 0.0)
    locLower = make(lParams.count, 0.0)
    locUpper = make(lParams.count, 0.0)
    let kk = max(mk, 1)
    fastCoefStride = 8 * max(maxJb, 1)
    binCoef = make(nMain * fastCoefStride, 0.0)
    binFastCode = make(nMain, UInt8(0))
    fastGroupStart = make(28, Int32(0))
    fastGroupBins = make(nMain, Int32(0))
    otherBins = make(nMain, Int32(0))
    locAuxIndex = make(lParams.count, Int32(0))
    fastPartnerScratch = make(kk, Int32(-1))
    dA = make(max(mk * mg, 1), 0.0)
    d2A = make(max(mk * mg * mg, 1), 0.0)
    allocations = allocs
  }

  deinit {
    for p in allocations { p.deallocate() }
  }

  // MARK: - Public API

  /// Maximum-likelihood fit.
  ///
  /// - Parameters:
  ///   - data: main data followed by auxiliary data (``Model/mainBinCount`` + ``Model/auxCount``
  ///     values), e.g. ``Model/observedData``, an Asimov set or a toy.
  ///   - fixed: parameters held at the given values, in addition to ``Model/fixedByDefault``
  ///     (which stay at ``Model/initialValues`` unless listed here).
  ///   - initial: starting values (default ``Model/initialValues``); free values are clamped
  ///     into the bounds.
  /// - Returns: the best fit; ``FitResult/converged`` tells whether it is a minimum to
  ///   ``FitOptions/tolerance``.
  /// - Complexity: O(bins · (k + G)²) per Newton iteration, typically 3–8 iterations.
  public func fit(data: [Double], fixed: [Int: Double] = [:], initial: [Double]? = nil) -> FitResult {
    precondition(data.count == nMain + nAux, "expected \(nMain + nAux) data (main + aux), got \(data.count)")
    if let initial { precondition(initial.count == nPar, "expected \(nPar) initial values, got \(initial.count)") }
    data.withUnsafeBufferPointer { d in
      for b in 0..<nMain { n[b] = d[b] }
      for k in 0..<nAux { aux[k] = d[nMain + k] }
    }
    (initial ?? model.initialValues).withUnsafeBufferPointer { x.update(from: $0.baseAddress!, count: nPar) }
    free.update(from: freeByDefault, count: nPar)
    for (p, v) in fixed {
      precondition(p >= 0 && p < nPar, "fixed parameter index \(p) out of range")
      x[p] = v
      free[p] = false
    }
    return run()
  }

  /// Fit with the parameter of interest fixed at `poi` (pyhf `fixed_poi_fit`).
  public func fit(data: [Double], poi: Double) -> FitResult {
    guard let i = model.poiIndex else { preconditionFailure("the model has no parameter of interest") }
    return fit(data: data, fixed: [i: poi])
  }

  // MARK: - Driver

  func run() -> FitResult {
    for p in 0..<nPar where free[p] { x[p] = min(max(x[p], lower[p]), upper[p]) }
    prepareStructure()
    prepareOrphans()
    prepareFastPath()

    var iterations = 0
    var method = "newton"
    var F = Double.infinity
    var outcome = newton(exact: true, maxIterations: options.maxIterations, only: -1, F: &F)
    iterations += outcome.iterations
    if !F.isFinite && nGlobal > 0 && feasibleStart() {
      // The start had ν = 0 in a bin with data (e.g. a normalisation at 0 with µ fixed at 0).
      outcome = newton(exact: true, maxIterations: options.maxIterations, only: -1, F: &F)
      iterations += outcome.iterations
    }
    var converged = outcome.converged
    var decrement = outcome.decrement
    if F.isFinite {
      if !converged {
        // Fallback 1: Fisher scoring (positive definite), then exact Newton again.
        copy(x, to: xBest)
        let FBest = F
        method = "fisher"
        outcome = newton(exact: false, maxIterations: 4 * options.maxIterations, only: -1, F: &F)
        iterations += outcome.iterations
        outcome = newton(exact: true, maxIterations: options.maxIterations, only: -1, F: &F)
        iterations += outcome.iterations
        converged = outcome.converged
        decrement = outcome.decrement
        if !converged {
          // Fallback 2: coordinate descent over the globals, then exact Newton.
          method = "coordinate"
          for _ in 0..<50 {
            let before = F
            for i in 0..<nGlobal {
              let o = newton(exact: true, maxIterations: 20, only: i, F: &F)
              iterations += o.iterations
            }
            if !(before - F > 1e-10 * (1 + abs(F))) { break }
          }
          outcome = newton(exact: true, maxIterations: options.maxIterations, only: -1, F: &F)
          iterations += outcome.iterations
          converged = outcome.converged
          decrement = outcome.decrement
        }
        if !(F <= FBest) {
          copy(xBest, to: x)
          F = profile()
        }
      }
    }

    let parameters = Array(UnsafeBufferPointer(start: x, count: nPar))
    var twiceNLL = F + dataConstant()
    if !twiceNLL.isFinite { twiceNLL = F.isNaN ? .nan : .infinity }
    let uncertainties = options.computeUncertainties && F.isFinite
      ? computeUncertainties() : [Double](repeating: .nan, count: nPar)
    return FitResult(
      parameters: parameters, twiceNLL: twiceNLL, uncertainties: uncertainties, converged: converged && F.isFinite,
      iterations: iterations, newtonDecrement: decrement, method: method)
  }

  /// Moves the free parameters to a start where the likelihood does not vanish, when the
  /// requested one has ν = 0 (or ν < 0) in a bin with data: first the model's initial values,
  /// then each free global at a bound moved 10% into its range, then the centres of the
  /// ranges. Returns whether such a start was found (and leaves `x` there).
  func feasibleStart() -> Bool {
    let initial = model.initialValues
    for p in 0..<nPar where free[p] { x[p] = min(max(initial[p], lower[p]), upper[p]) }
    prepareOrphans()
    if profile().isFinite { return true }
    for i in 0..<nGlobal {
      let p = Int(gParam[i])
      let lo = lower[p], hi = upper[p]
      guard lo.isFinite && hi.isFinite && hi > lo else { continue }
      if x[p] <= lo { x[p] = lo + 0.1 * (hi - lo) } else if x[p] >= hi { x[p] = hi - 0.1 * (hi - lo) }
    }
    if profile().isFinite { return true }
    for i in 0..<nGlobal {
      let p = Int(gParam[i])
      if lower[p].isFinite && upper[p].isFinite { x[p] = 0.5 * (lower[p] + upper[p]) }
    }
    return profile().isFinite
  }

  @inline(__always)
  func copy(_ from: UnsafeMutablePointer<Double>, to: UnsafeMutablePointer<Double>) {
    to.update(from: from, count: nPar)
  }

  /// The data-dependent constants of −2 ln L left out of the objective: Σ 2 lgamma(n_b + 1),
  /// Σ 2 lgamma(a + 1) over Poisson constraints, plus the Gaussian normalisations.
  func dataConstant() -> Double {
    var c = gaussianConstant
    for b in 0..<nMain where n[b] != 0 { c += twoLgamma1p(n[b]) }
    for i in 0..<poissonCount { c += twoLgamma1p(aux[Int(poissonParams[i])]) }
    return c
  }

  @inline(__always)
  func twoLgamma1p(_ v: Double) -> Double {
    if v >= 0, v < Double(lgammaTableSize), v.rounded(.towardZero) == v { return lgammaTable[Int(v)] }
    return 2 * lgamma(v + 1)
  }

  // MARK: - Structure for the current set of free parameters

  /// Free globals, free locals per bin and the closed form each bin admits. Cached while the
  /// set of free parameters does not change.
  func prepareStructure() {
    if structureValid && memcmp(free, prevFree, nPar * MemoryLayout<Bool>.stride) == 0 { return }
    var sameLocals = structureValid
    var same = structureValid
    if structureValid {
      for p in 0..<nPar where free[p] != prevFree[p] {
        same = false
        if touch[p] <= 1 {
          sameLocals = false
          break
        }
      }
      if same { return }
    }
    // Globals (cheap); the per-bin local structure only when a local changed.
    nGlobal = 0
    constantCount = 0
    for p in 0..<nPar {
      prevFree[p] = free[p]
      if free[p] && touch[p] >= 2 {
        gPos[p] = Int32(nGlobal)
        gParam[nGlobal] = Int32(p)
        nGlobal += 1
      } else {
        gPos[p] = -1
      }
      if (!free[p] || touch[p] == 0) && cKind[p] != 0 {
        constantParams[constantCount] = Int32(p)
        constantCount += 1
      }
    }
    structureValid = true
    if sameLocals { return }
    fastTablesValid = false
    for p in 0..<nPar { localSlot[p] = -1 }
    var pos = 0
    for b in 0..<nMain {
      binFreeLocalStart[b] = Int32(pos)
      var k = 0
      for j in Int(binLocalStart[b])..<Int(binLocalStart[b + 1]) {
        let p = Int(binLocalParam[j])
        if free[p] {
          binFreeLocalParam[pos] = Int32(p)
          localSlot[p] = Int32(k)
          pos += 1
          k += 1
        }
      }
      binKind[b] = classify(bin: b, k: k)
    }
    binFreeLocalStart[nMain] = Int32(pos)
    // Fast bins grouped by kernel (counting sort on the code), the others in a list.
    for c in 0...fastCodeCount { fastGroupStart[c] = 0 }
    otherCount = 0
    for b in 0..<nMain {
      if binKind[b] == 5 {
        fastGroupStart[Int(binFastCode[b]) + 1] += 1
      } else {
        otherBins[otherCount] = Int32(b)
        otherCount += 1
      }
    }
    for c in 0..<fastCodeCount { fastGroupStart[c + 1] += fastGroupStart[c] }
    var fill = [Int32](UnsafeBufferPointer(start: fastGroupStart, count: fastCodeCount))
    for b in 0..<nMain where binKind[b] == 5 {
      let c = Int(binFastCode[b])
      fastGroupBins[Int(fill[c])] = Int32(b)
      fill[c] += 1
    }
  }

  /// 0: no free locals; 1: Gaussian factors of disjoint terms (closed form); 2: one
  /// Poisson-constrained factor; 3: one free factor; 4: general (Newton); 5: the fast path
  /// (Gaussian linear locals, at most two per term, no additive modifiers; ``fastBin(_:schur:)``).
  func classify(bin b: Int, k: Int) -> UInt8 {
    if fastPath && binStaticFast[b] && fastEligible(bin: b, k: k) { return 5 }
    if k == 0 { return 0 }
    for t in Int(binTermStart[b])..<Int(binTermStart[b + 1]) {
      var count = 0
      for f in Int(termFactorStart[t])..<Int(termFactorStart[t + 1]) where localSlot[Int(factorParam[f])] >= 0 {
        count += 1
        if factorCode4[f] >= 0 { return 4 }
      }
      if count > 1 { return 4 }
      for a in Int(termAddStart[t])..<Int(termAddStart[t + 1]) where localSlot[Int(addParam[a])] >= 0 { return 4 }
    }
    let start = Int(binFreeLocalStart[b])
    if k == 1 {
      switch cKind[Int(binFreeLocalParam[start])] {
      case 1: return 1
      case 2: return 2
      default: return 3
      }
    }
    for j in 0..<k where cKind[Int(binFreeLocalParam[start + j])] != 1 { return 4 }
    return 1
  }

  /// Free parameters that enter no bin only see their constraint: put them at its maximum.
  /// Sets ``constantConstraints`` (constraint terms of fixed and orphan parameters).
  func prepareOrphans() {
    var c = 0.0
    for i in 0..<constantCount {
      let p = Int(constantParams[i])
      if free[p] {
        switch cKind[p] {
        case 1: x[p] = min(max(aux[Int(cAux[p])], lower[p]), upper[p])
        case 2: x[p] = min(max(aux[Int(cAux[p])] / cWidth[p], lower[p]), upper[p])
        default: break
        }
      }
      c += constraintValue(p)
    }
    constantConstraints = c
  }

  /// The constraint's share of −2 ln L without constants: ((a − θ)/σ)² or 2(τθ − a ln τθ).
  @inline(__always)
  func constraintValue(_ p: Int) -> Double {
    switch cKind[p] {
    case 1:
      let z = (aux[Int(cAux[p])] - x[p]) / cWidth[p]
      return z * z
    case 2:
      let rate = cWidth[p] * x[p]
      let v = 2 * (rate - LogPDF.xlogy(aux[Int(cAux[p])], rate))
      return v.isNaN ? .infinity : v
    default:
      return 0
    }
  }

  /// Gradient and second derivative of ``constraintValue(_:)``; `exact: false` gives the
  /// expected (Fisher) second derivative.
  @inline(__always)
  func constraintDerivatives(_ p: Int, exact: Bool) -> (g: Double, h: Double) {
    switch cKind[p] {
    case 1:
      let s2 = cWidth[p] * cWidth[p]
      return (2 * (x[p] - aux[Int(cAux[p])]) / s2, 2 / s2)
    case 2:
      let a = aux[Int(cAux[p])]
      let t = x[p]
      return (2 * (cWidth[p] - a / t), exact ? 2 * a / (t * t) : 2 * cWidth[p] / t)
    default:
      return (0, 0)
    }
  }

  /// 2(ν − n ln ν), +∞ outside the support.
  @inline(__always)
  func mainTerm(_ count: Double, _ nu: Double) -> Double {
    if nu > 0 { return 2 * (nu - (count == 0 ? 0 : count * Foundation.log(nu))) }
    if nu == 0 && count == 0 { return 0 }
    return .infinity
  }

  // MARK: - Profile over the locals

  /// P(g): −2 ln L (without constants) with every bin's free locals at their conditional
  /// minimum for the current globals. Updates the locals in `x`. With `schur`, the same pass
  /// also builds S and r at the new point (so an accepted line-search step needs no second
  /// pass over the bins).
  func profile(schur: Bool = false, exact: Bool = true) -> Double {
    profilePasses &+= 1
    var F = constantConstraints
    for i in 0..<nGlobal { F += constraintValue(Int(gParam[i])) }
    let classSchur = schur && exact
    evaluateClasses(derivatives: classSchur)
    if classSchur {
      beginSchur(exact: true)
      beginClassSchur()
      F += fastGroups(schur: true)
      for i in 0..<otherCount {
        let b = Int(otherBins[i])
        if binKind[b] == 1 {
          F += fusedKind1(b)
        } else {
          F += solveBin(b)
          schurBin(b, exact: true)
        }
      }
      endClassSchur()
    } else if schur {
      beginSchur(exact: exact)
      for b in 0..<nMain {
        F += solveBin(b)
        schurBin(b, exact: exact)
      }
    } else {
      F += fastGroups(schur: false)
      for i in 0..<otherCount { F += solveBin(Int(otherBins[i])) }
    }
    return F.isNaN ? .infinity : F
  }

  /// ν_b at the current parameters.
  @inline(__always)
  func expected(bin b: Int) -> Double {
    var nu = 0.0
    for t in Int(binTermStart[b])..<Int(binTermStart[b + 1]) {
      var base = termNominal[t]
      for a in Int(termAddStart[t])..<Int(termAddStart[t + 1]) {
        base += addInterp[a].valueAndDerivatives(x[Int(addParam[a])]).value
      }
      var prod = 1.0
      for f in Int(termFactorStart[t])..<Int(termFactorStart[t + 1]) {
        let theta = x[Int(factorParam[f])]
        let c = factorCode4[f]
        prod *= c < 0 ? theta : code4[Int(c)].valueAndDerivatives(theta).value
      }
      nu += prod * base
    }
    return nu
  }

  /// The bin's share of the objective: main term plus the constraints of its free locals.
  @inline(__always)
  func binObjective(_ b: Int) -> Double {
    var f = mainTerm(n[b], expected(bin: b))
    for j in Int(binFreeLocalStart[b])..<Int(binFreeLocalStart[b + 1]) { f += constraintValue(Int(binFreeLocalParam[j])) }
    return f
  }

  /// Sums R (terms without a free local) and A_l (terms carrying local l, its factor left
  /// out) for the closed forms; locals are linear factors of disjoint terms there.
  @inline(__always)
  func linearCoefficients(_ b: Int, _ k: Int) -> Double {
    for j in 0..<k { coefA[j] = 0 }
    var R = 0.0
    for t in Int(binTermStart[b])..<Int(binTermStart[b + 1]) {
      var base = termNominal[t]
      for a in Int(termAddStart[t])..<Int(termAddStart[t + 1]) {
        base += addInterp[a].valueAndDerivatives(x[Int(addParam[a])]).value
      }
      var prod = base
      var li: Int32 = -1
      for f in Int(termFactorStart[t])..<Int(termFactorStart[t + 1]) {
        let p = Int(factorParam[f])
        let s = localSlot[p]
        if s >= 0 {
          li = s
        } else {
          let c = factorCode4[f]
          prod *= c < 0 ? x[p] : code4[Int(c)].valueAndDerivatives(x[p]).value
        }
      }
      if li >= 0 { coefA[Int(li)] += prod } else { R += prod }
    }
    return R
  }

  /// Minimises the bin's objective over its free locals (globals fixed) and returns it.
  @inline(__always)
  func solveBin(_ b: Int) -> Double {
    let start = Int(binFreeLocalStart[b])
    let k = Int(binFreeLocalStart[b + 1]) - start
    let count = n[b]
    binInterior[b] = false
    switch binKind[b] {
    case 0:
      return mainTerm(count, expected(bin: b))
    case 1:
      return kind1Solve(b, k, linearCoefficients(b, k))
    case 2:
      // One Poisson-constrained factor: (A+τ)Aγ² + [(A+τ)R − nA − aA]γ − aR = 0.
      let R = linearCoefficients(b, 1)
      let A = coefA[0]
      let p = Int(binFreeLocalParam[start])
      let tau = cWidth[p]
      let a = aux[Int(cAux[p])]
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
      g = min(max(g, lower[p]), upper[p])
      x[p] = g
      let rate = tau * g
      return mainTerm(count, R + A * g) + 2 * (rate - LogPDF.xlogy(a, rate))
    case 5:
      return fastBin(b, schur: false)
    case 3:
      // One free factor: ν = n.
      let R = linearCoefficients(b, 1)
      let A = coefA[0]
      let p = Int(binFreeLocalParam[start])
      if A > 0 {
        x[p] = min(max((count - R) / A, lower[p]), upper[p])
      } else if A < 0 {
        return newtonBin(b, k)
      }
      return mainTerm(count, R + A * x[p])
    default:
      return newtonBin(b, k)
    }
  }

  /// Gaussian factors of disjoint terms, `coefA` and R filled: γ_l = a_l − σ_l² A_l (1 − n/ν)
  /// with ν² − (ν₀ − c)ν − c n = 0, ν₀ = R + Σ A_l a_l, c = Σ σ_l² A_l² (stationarity of
  /// 2(ν − n ln ν) + Σ((γ_l − a_l)/σ_l)²). Sets the locals and `binInterior[b]`.
  @inline(__always)
  func kind1Solve(_ b: Int, _ k: Int, _ R: Double) -> Double {
    let start = Int(binFreeLocalStart[b])
    let count = n[b]
    var nu0 = R
    var c = 0.0
    for j in 0..<k {
      let p = Int(binFreeLocalParam[start + j])
      let s = cWidth[p]
      nu0 += coefA[j] * aux[Int(cAux[p])]
      c += s * s * coefA[j] * coefA[j]
    }
    var w = 1.0  // 1 − n/ν
    var nu = nu0 - c  // the stationary ν (for n = 0: ν₀ − c)
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
      let s = cWidth[p]
      var g = aux[Int(cAux[p])] - s * s * coefA[j] * w
      if !(g >= lower[p] && g <= upper[p]) {
        inside = false
        g = min(max(g, lower[p]), upper[p])
      }
      x[p] = g
    }
    if inside {
      // Σ((γ_l − a_l)/σ_l)² = Σ σ_l² A_l² w² = c·w².
      binInterior[b] = w.isFinite
      return c * w * w + mainTerm(count, nu)
    }
    if k > 1 { return newtonBin(b, k) }
    // One local clamped at a bound: exact (the bin's objective is convex in it).
    let p = Int(binFreeLocalParam[start])
    let z = (x[p] - aux[Int(cAux[p])]) / cWidth[p]
    return z * z + mainTerm(count, R + coefA[0] * x[p])
  }

  /// Projected Newton over the bin's free locals (globals fixed), from the current values.
  func newtonBin(_ b: Int, _ k: Int) -> Double {
    let start = Int(binFreeLocalStart[b])
    for j in 0..<k {
      let p = Int(binFreeLocalParam[start + j])
      x[p] = min(max(x[p], lower[p]), upper[p])
      slotOf[p] = Int32(j)
      slotParam[j] = Int32(p)
    }
    defer { for j in 0..<k { slotOf[Int(binFreeLocalParam[start + j])] = -1 } }
    var f = binObjective(b)
    if !f.isFinite { return f }
    for _ in 0..<100 {
      let nu = binDerivatives(b, k)
      binGradientHessian(b, nu, k, 0, exact: true)
      // Active set: at a bound with the gradient pointing out.
      var nf = 0
      for j in 0..<k {
        let p = Int(slotParam[j])
        let g = gbv[j]
        if (x[p] <= lower[p] && g > 0) || (x[p] >= upper[p] && g < 0) { continue }
        localIdx[nf] = Int32(j)
        nf += 1
      }
      if nf == 0 { break }
      for i in 0..<nf {
        for j in 0..<nf { hll[i * nf + j] = hb[Int(localIdx[i]) * k + Int(localIdx[j])] }
        localDir[i] = gbv[Int(localIdx[i])]
      }
      _ = SmallLinearAlgebra.cholesky(hll, nf, modify: true)
      SmallLinearAlgebra.choleskySolve(hll, nf, localDir)
      var dec = 0.0
      for i in 0..<nf { dec += gbv[Int(localIdx[i])] * localDir[i] }
      if !(dec > 1e-15) { break }
      for j in 0..<k { localSave[j] = x[Int(slotParam[j])] }
      var alpha = 1.0
      var accepted = false
      while alpha > 1e-12 {
        var pred = 0.0
        for i in 0..<nf {
          let j = Int(localIdx[i])
          let p = Int(slotParam[j])
          let v = min(max(localSave[j] - alpha * localDir[i], lower[p]), upper[p])
          x[p] = v
          pred += gbv[j] * (v - localSave[j])
        }
        let fn = binObjective(b)
        if fn <= f + 1e-4 * pred || (dec < 1e-9 && fn <= f + 1e-13 * (1 + abs(f))) {
          f = fn
          accepted = true
          break
        }
        alpha *= 0.5
      }
      if !accepted {
        for j in 0..<k { x[Int(slotParam[j])] = localSave[j] }
        break
      }
      if dec < 1e-13 { break }
    }
    return f
  }

  // MARK: - Derivatives of one bin

  /// Adds the derivatives of one term, prod · base, to `d1` (gradient over the m slots) and `d2`
  /// (m × m Hessian) by the product rule: the multiplicative factors' values and first and second
  /// derivatives are in `fv`, `f1`, `f2` (slots in `fsl`, −1 when not free), `prod` = Π fv; the
  /// additive modifiers' derivatives of `base` are in `av1`, `av2` (slots in `asl`). Shared by
  /// ``binDerivatives(_:_:)`` and the per-bin local/global split.
  @inline(__always)
  func accumulateTermDerivatives(base: Double, prod: Double, factors nf: Int, additive na: Int, m: Int,
                                 into d1: UnsafeMutablePointer<Double>, _ d2: UnsafeMutablePointer<Double>) {
    for i in 0..<nf where fsl[i] >= 0 {
      let si = Int(fsl[i])
      var pe = 1.0
      for j in 0..<nf where j != i { pe *= fv[j] }
      let gi = f1[i] * pe
      d1[si] += base * gi
      if f2[i] != 0 { d2[si * m + si] += base * f2[i] * pe }
      var j = i + 1
      while j < nf {
        if fsl[j] >= 0 {
          let sj = Int(fsl[j])
          var pij = 1.0
          for q in 0..<nf where q != i && q != j { pij *= fv[q] }
          let v = base * f1[i] * f1[j] * pij
          d2[si * m + sj] += v
          d2[sj * m + si] += v
        }
        j += 1
      }
      for a in 0..<na {
        let sa = Int(asl[a])
        let v = gi * av1[a]
        d2[si * m + sa] += v
        d2[sa * m + si] += v
      }
    }
    for a in 0..<na {
      let sa = Int(asl[a])
      d1[sa] += prod * av1[a]
      d2[sa * m + sa] += prod * av2[a]
    }
  }

  /// ν_b and its first and second derivatives with respect to the m slot parameters
  /// (`slotOf[p]` ≥ 0), by the product rule over each term's factor occurrences and the sum
  /// over its additive ones (a parameter occurring twice is handled by the chain rule).
  /// Fills `dnu` (m) and `d2nu` (m×m, symmetric).
  @inline(__always)
  func binDerivatives(_ b: Int, _ m: Int) -> Double {
    for i in 0..<m { dnu[i] = 0 }
    for i in 0..<(m * m) { d2nu[i] = 0 }
    var nu = 0.0
    for t in Int(binTermStart[b])..<Int(binTermStart[b + 1]) {
      var base = termNominal[t]
      var na = 0
      for a in Int(termAddStart[t])..<Int(termAddStart[t + 1]) {
        let p = Int(addParam[a])
        let v = addInterp[a].valueAndDerivatives(x[p])
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
      for f in Int(termFactorStart[t])..<Int(termFactorStart[t + 1]) {
        let p = Int(factorParam[f])
        let c = factorCode4[f]
        if c < 0 {
          fv[nf] = x[p]
          f1[nf] = 1
          f2[nf] = 0
        } else {
          let v = code4[Int(c)].valueAndDerivatives(x[p])
          fv[nf] = v.value
          f1[nf] = v.d1
          f2[nf] = v.d2
        }
        prod *= fv[nf]
        fsl[nf] = slotOf[p]
        nf += 1
      }
      nu += prod * base
      accumulateTermDerivatives(base: base, prod: prod, factors: nf, additive: na, m: m, into: dnu, d2nu)
    }
    return nu
  }

  /// Gradient `gbv` and Hessian `hb` (m×m) of the bin's objective from ``binDerivatives``;
  /// slots from `firstLocal` on are locals and get their constraint terms. With
  /// `exact: false` the expected (Fisher) Hessian 2∇ν∇νᵀ/ν is used.
  @inline(__always)
  func binGradientHessian(_ b: Int, _ nu: Double, _ m: Int, _ firstLocal: Int, exact: Bool) {
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
    for i in 0..<m {
      gbv[i] = w1 * dnu[i]
      let wi = w2 * dnu[i]
      if exact {
        for j in 0..<m { hb[i * m + j] = wi * dnu[j] + w1 * d2nu[i * m + j] }
      } else {
        for j in 0..<m { hb[i * m + j] = wi * dnu[j] }
      }
    }
    for s in firstLocal..<max(firstLocal, m) {
      let c = constraintDerivatives(Int(slotParam[s]), exact: exact)
      gbv[s] += c.g
      hb[s * m + s] += c.h
    }
  }

  // MARK: - Newton over the globals

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

  /// Bin b's share of S and r: H_gg − H_gl H_ll⁻¹ H_lg and g_g − H_gl H_ll⁻¹ g_l over the
  /// bin's free globals and its free locals that are not at a bound.
  @inline(__always)
  func schurBin(_ b: Int, exact: Bool) {
    let G = nGlobal
    var m = 0
    for j in Int(binGlobalStart[b])..<Int(binGlobalStart[b + 1]) {
      let p = Int(binGlobalParam[j])
      if gPos[p] >= 0 {
        slotOf[p] = Int32(m)
        slotParam[m] = Int32(p)
        m += 1
      }
    }
    let gb = m
    if gb == 0 { return }
    for j in Int(binFreeLocalStart[b])..<Int(binFreeLocalStart[b + 1]) {
      let p = Int(binFreeLocalParam[j])
      if x[p] > lower[p] && x[p] < upper[p] {
        slotOf[p] = Int32(m)
        slotParam[m] = Int32(p)
        m += 1
      }
    }
    let kb = m - gb
    let nu = binDerivatives(b, m)
    for s in 0..<m { slotOf[Int(slotParam[s])] = -1 }
    binGradientHessian(b, nu, m, gb, exact: exact)
    if kb == 0 {
      for i in 0..<gb {
        let gi = Int(gPos[Int(slotParam[i])])
        r[gi] += gbv[i]
        for j in 0..<gb { S[gi * G + Int(gPos[Int(slotParam[j])])] += hb[i * m + j] }
      }
      return
    }
    // Local block and its solves: Y = H_ll⁻¹ H_lg, z = H_ll⁻¹ g_l.
    for i in 0..<kb { for j in 0..<kb { hll[i * kb + j] = hb[(gb + i) * m + gb + j] } }
    _ = SmallLinearAlgebra.cholesky(hll, kb, modify: true)
    for j in 0..<gb {
      for l in 0..<kb { work[l] = hb[(gb + l) * m + j] }
      SmallLinearAlgebra.choleskySolve(hll, kb, work)
      for l in 0..<kb { ya[l * gb + j] = work[l] }
    }
    for l in 0..<kb { za[l] = gbv[gb + l] }
    SmallLinearAlgebra.choleskySolve(hll, kb, za)
    for i in 0..<gb {
      let gi = Int(gPos[Int(slotParam[i])])
      var ri = gbv[i]
      for l in 0..<kb { ri -= hb[i * m + gb + l] * za[l] }
      r[gi] += ri
      for j in 0..<gb {
        var s = hb[i * m + j]
        for l in 0..<kb { s -= hb[i * m + gb + l] * ya[l * gb + j] }
        S[gi * G + Int(gPos[Int(slotParam[j])])] += s
      }
    }
  }

  /// Kind-1 bin (Gaussian locals, linear factors of disjoint terms) in one pass: profiles the
  /// locals in closed form (``kind1Solve(_:_:_:)``) and adds the bin's share of S and r.
  ///
  /// One pass over the terms collects R, A_l and their derivatives in the bin's free globals
  /// (ν = R + Σ_l γ_l A_l). At the interior optimum H_ll = D + w₂AAᵀ with D = diag(2/σ_l²),
  /// inverted by Sherman–Morrison, which gives
  ///
  ///     S_b = κ (u − w₁e)(u − w₁e)ᵀ + w₁ ∂²ν/∂g² − w₁² Σ_l (σ_l²/2) ∂A_l ∂A_lᵀ,   r_b = w₁ u,
  ///
  /// u = ∂ν/∂g = ∂R + Σ γ_l ∂A_l, e = Σ_l (σ_l² A_l/2) ∂A_l, c = Σ_l σ_l² A_l²/2,
  /// κ = w₂/(1 + w₂c), w₁ = 2(1 − n/ν), w₂ = 2n/ν² (∂f/∂γ = 0 at the inner optimum).
  /// O(terms·G² + k·G²), no factorisation. A local at a bound falls back to ``schurBin(_:exact:)``.
  @inline(__always)
  func fusedKind1(_ b: Int) -> Double {
    let G = nGlobal
    var m = 0
    for j in Int(binGlobalStart[b])..<Int(binGlobalStart[b + 1]) {
      let p = Int(binGlobalParam[j])
      if gPos[p] >= 0 {
        slotOf[p] = Int32(m)
        slotParam[m] = Int32(p)
        m += 1
      }
    }
    let start = Int(binFreeLocalStart[b])
    let k = Int(binFreeLocalStart[b + 1]) - start
    if m == 0 { return solveBin(b) }
    let mm = m * m
    for i in 0..<m { dnu[i] = 0 }
    for i in 0..<mm { d2nu[i] = 0 }
    for i in 0..<(k * m) { dA[i] = 0 }
    for i in 0..<(k * mm) { d2A[i] = 0 }
    for l in 0..<k { coefA[l] = 0 }
    var R = 0.0
    for t in Int(binTermStart[b])..<Int(binTermStart[b + 1]) {
      var base = termNominal[t]
      var na = 0
      for a in Int(termAddStart[t])..<Int(termAddStart[t + 1]) {
        let p = Int(addParam[a])
        let v = addInterp[a].valueAndDerivatives(x[p])
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
      var li = -1
      for f in Int(termFactorStart[t])..<Int(termFactorStart[t + 1]) {
        let p = Int(factorParam[f])
        let ls = localSlot[p]
        if ls >= 0 {
          li = Int(ls)
          continue
        }
        let c = factorCode4[f]
        if c < 0 {
          fv[nf] = x[p]
          f1[nf] = 1
          f2[nf] = 0
        } else {
          let v = code4[Int(c)].valueAndDerivatives(x[p])
          fv[nf] = v.value
          f1[nf] = v.d1
          f2[nf] = v.d2
        }
        prod *= fv[nf]
        fsl[nf] = slotOf[p]
        nf += 1
      }
      // v_t and its derivatives go to A_l (term carries local l) or to R.
      let d1 = li >= 0 ? dA + li * m : dnu
      let d2 = li >= 0 ? d2A + li * mm : d2nu
      if li >= 0 { coefA[li] += prod * base } else { R += prod * base }
      accumulateTermDerivatives(base: base, prod: prod, factors: nf, additive: na, m: m, into: d1, d2)
    }
    // kind1Solve may fall back to newtonBin, which uses slotOf/slotParam for the locals: clear
    // the globals' slots first (slotParam is intact again only on the interior path) and do not
    // trust binInterior from an earlier pass.
    for i in 0..<m { slotOf[Int(slotParam[i])] = -1 }
    binInterior[b] = false
    let f = kind1Solve(b, k, R)
    if !binInterior[b] {
      schurBin(b, exact: true)
      return f
    }
    // u = ∂R + Σ γ_l ∂A_l and ∂²ν = ∂²R + Σ γ_l ∂²A_l, in dnu and d2nu.
    var nu = R
    for l in 0..<k {
      let gamma = x[Int(binFreeLocalParam[start + l])]
      nu += gamma * coefA[l]
      let row = dA + l * m
      for i in 0..<m { dnu[i] += gamma * row[i] }
      let block = d2A + l * mm
      for i in 0..<mm { d2nu[i] += gamma * block[i] }
    }
    let count = n[b]
    let w1: Double
    let w2: Double
    if count == 0 {
      w1 = 2
      w2 = 0
    } else {
      let ratio = count / nu
      w1 = 2 * (1 - ratio)
      w2 = 2 * ratio / nu
    }
    // e, c and M = Σ_l (σ_l²/2) ∂A_l ∂A_lᵀ; gbv holds u − w₁e, hb holds M.
    var c = 0.0
    for i in 0..<m { gbv[i] = dnu[i] }
    for i in 0..<mm { hb[i] = 0 }
    for l in 0..<k {
      let p = Int(binFreeLocalParam[start + l])
      let half = 0.5 * cWidth[p] * cWidth[p]
      let q = half * coefA[l]
      c += q * coefA[l]
      let row = dA + l * m
      for i in 0..<m {
        gbv[i] -= w1 * q * row[i]
        let hi = half * row[i]
        for j in 0..<m { hb[i * m + j] += hi * row[j] }
      }
    }
    let kappa = w2 / (1 + w2 * c)
    let w1sq = w1 * w1
    for i in 0..<m {
      let gi = Int(gPos[Int(slotParam[i])])
      r[gi] += w1 * dnu[i]
      let ki = kappa * gbv[i]
      for j in 0..<m {
        S[gi * G + Int(gPos[Int(slotParam[j])])] += ki * gbv[j] + w1 * d2nu[i * m + j] - w1sq * hb[i * m + j]
      }
    }
    return f
  }

  /// Projected Newton on P(g) from the current point. `only` ≥ 0 restricts the step to that
  /// global (coordinate descent). Sets `F` to P at the final point and updates `x`.
  func newton(exact: Bool, maxIterations: Int, only: Int, F: inout Double)
    -> (converged: Bool, iterations: Int, decrement: Double)
  {
    let G = nGlobal
    // The first step uses the expected curvature of the fast-path bins: far from the minimum
    // the observed Poisson curvature n/ν² makes Newton overshoot in a normalisation (Fisher
    // scoring is exact in one step for a pure normalisation); later steps are exact Newton.
    fisherPass = exact && only < 0
    defer { fisherPass = false }
    F = profile(schur: G > 0, exact: exact)
    if G == 0 { return (F.isFinite, 0, 0) }
    if !F.isFinite { return (false, 0, .infinity) }
    var iterations = 0
    var decrement = Double.infinity
    var previous = Double.nan
    while iterations < maxIterations {
      iterations += 1
      // S and r are those of the current point (from the last accepted profile pass).
      var nf = 0
      for i in 0..<G {
        if only >= 0 && i != only { continue }
        let p = Int(gParam[i])
        if (x[p] <= lower[p] && r[i] > 0) || (x[p] >= upper[p] && r[i] < 0) { continue }
        freeIdx[nf] = Int32(i)
        nf += 1
      }
      if nf == 0 { return (true, iterations, 0) }
      for a in 0..<nf {
        let ia = Int(freeIdx[a])
        for c in 0..<nf { sf[a * nf + c] = S[ia * G + Int(freeIdx[c])] }
        df[a] = r[ia]
      }
      _ = SmallLinearAlgebra.cholesky(sf, nf, modify: true)
      SmallLinearAlgebra.choleskySolve(sf, nf, df)
      var dec = 0.0
      for a in 0..<nf { dec += r[Int(freeIdx[a])] * df[a] }
      decrement = dec
      if !(dec.isFinite) { return (false, iterations, decrement) }
      if dec < options.tolerance { return (exact, iterations, decrement) }
      // In the quadratic regime the decrement after a full Newton step is C·dec², C estimated
      // from the last two decrements (at least 1). When that is far below the tolerance, the
      // full step is the last: its pass profiles the locals without building S and r.
      let c = previous.isFinite && previous < 1 ? max(1, dec / (previous * previous)) : .infinity
      let predicted = c * dec * dec
      let lastStep = exact && only < 0 && predicted < 1e-3 * options.tolerance && !fisherPass
      previous = fisherPass ? .nan : dec
      fisherPass = false
      // Line search along the projection arc; each trial profiles the locals and builds
      // S and r at the trial point, so an accepted step needs no further pass.
      copy(x, to: xSave)
      for i in 0..<G { rSave[i] = r[i] }
      var alpha = 1.0
      var accepted = false
      let slack = 1e-13 * (1 + abs(F))
      while alpha > 1e-12 {
        var pred = 0.0
        var clipped = false
        for a in 0..<nf {
          let i = Int(freeIdx[a])
          let p = Int(gParam[i])
          let target = xSave[p] - alpha * df[a]
          let v = min(max(target, lower[p]), upper[p])
          clipped = clipped || v != target
          x[p] = v
          pred += rSave[i] * (v - xSave[p])
        }
        let final = lastStep && alpha == 1 && !clipped
        let Fn = profile(schur: !final, exact: exact)
        if Fn <= F + 1e-4 * pred || (dec < 1e-8 && Fn <= F + slack) {
          F = Fn
          if final { return (true, iterations, predicted) }
          accepted = true
          break
        }
        copy(xSave, to: x)
        alpha *= 0.5
      }
      if !accepted {
        // x is back at xSave (globals and their profiled locals), F unchanged: a stall.
        return (exact && dec < max(options.tolerance, 1e-8), iterations, decrement)
      }
    }
    return (false, iterations, decrement)
  }

  // MARK: - Uncertainties

  /// √diag of V = 2 H⁻¹ (H: Hessian of −2 ln L over all free parameters), blockwise:
  /// (H⁻¹)_gg = S⁻¹, (H⁻¹)_ll = H_ll⁻¹ + Y S⁻¹ Yᵀ with Y = H_ll⁻¹ H_lg per bin.
  func computeUncertainties() -> [Double] {
    var out = [Double](repeating: 0, count: nPar)
    let G = nGlobal
    for i in 0..<(G * G) { S[i] = 0 }
    for i in 0..<G { S[i * G + i] += constraintDerivatives(Int(gParam[i]), exact: true).h }
    var allOK = true
    for b in 0..<nMain {
      var m = 0
      for j in Int(binGlobalStart[b])..<Int(binGlobalStart[b + 1]) {
        let p = Int(binGlobalParam[j])
        if gPos[p] >= 0 {
          slotOf[p] = Int32(m)
          slotParam[m] = Int32(p)
          m += 1
        }
      }
      let gb = m
      for j in Int(binFreeLocalStart[b])..<Int(binFreeLocalStart[b + 1]) {
        let p = Int(binFreeLocalParam[j])
        slotOf[p] = Int32(m)
        slotParam[m] = Int32(p)
        m += 1
      }
      let kb = m - gb
      binGb[b] = Int32(gb)
      let slots = binSlots + Int(binSlotsStart[b])
      for s in 0..<m { slots[s] = slotParam[s] }
      binOK[b] = true
      if m == 0 { continue }
      let nu = binDerivatives(b, m)
      for s in 0..<m { slotOf[Int(slotParam[s])] = -1 }
      binGradientHessian(b, nu, m, gb, exact: true)
      let ll = llStore + Int(binStoreStart[b])
      let y = yStore + Int(binYStart[b])
      for i in 0..<kb { for j in 0..<kb { ll[i * kb + j] = hb[(gb + i) * m + gb + j] } }
      if kb > 0 && !SmallLinearAlgebra.cholesky(ll, kb, modify: false) {
        binOK[b] = false
        allOK = false
        continue
      }
      for j in 0..<gb {
        for l in 0..<kb { work[l] = hb[(gb + l) * m + j] }
        SmallLinearAlgebra.choleskySolve(ll, kb, work)
        for l in 0..<kb { y[l * gb + j] = work[l] }
      }
      for i in 0..<gb {
        let gi = Int(gPos[Int(slotParam[i])])
        for j in 0..<gb {
          var s = hb[i * m + j]
          for l in 0..<kb { s -= hb[i * m + gb + l] * y[l * gb + j] }
          S[gi * G + Int(gPos[Int(slotParam[j])])] += s
        }
      }
      if kb > 0 { SmallLinearAlgebra.choleskyInverse(ll, kb, work: work) }
    }
    let sOK = G == 0 || SmallLinearAlgebra.cholesky(S, G, modify: false)
    if sOK && G > 0 { SmallLinearAlgebra.choleskyInverse(S, G, work: work) }
    for i in 0..<G {
      out[Int(gParam[i])] = sOK && allOK ? (2 * S[i * G + i]).squareRoot() : .nan
    }
    for b in 0..<nMain {
      let gb = Int(binGb[b])
      let start = Int(binSlotsStart[b])
      let kb = Int(binFreeLocalStart[b + 1]) - Int(binFreeLocalStart[b])
      let ll = llStore + Int(binStoreStart[b])
      let y = yStore + Int(binYStart[b])
      for l in 0..<kb {
        let p = Int(binSlots[start + gb + l])
        guard binOK[b] && sOK && allOK else {
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
    for p in 0..<nPar where free[p] && touch[p] == 0 {
      switch cKind[p] {
      case 1: out[p] = cWidth[p]
      case 2:
        let a = aux[Int(cAux[p])]
        out[p] = a > 0 ? x[p] / a.squareRoot() : .nan
      default: out[p] = .nan
      }
    }
    return out
  }
}
