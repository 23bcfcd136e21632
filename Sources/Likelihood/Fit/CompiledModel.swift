import Foundation

/// The constraint term of one parameter, as the fitters see it: its share of −2 ln L without
/// constants, ((a − θ)/σ)² or 2(τθ − a ln τθ) (pyhf `constraints.py`), with a the parameter's
/// auxiliary datum.
enum ParameterConstraint: Sendable, Equatable {
  case none
  case gaussian(sigma: Double, aux: Int)
  case poisson(tau: Double, aux: Int)

  /// The auxiliary-data index, if constrained.
  var auxIndex: Int? {
    switch self {
    case .none: nil
    case .gaussian(_, let a), .poisson(_, let a): a
    }
  }

  var isGaussian: Bool {
    if case .gaussian = self { return true }
    return false
  }

  /// The constraint's share of −2 ln L without constants (+∞ outside the support).
  @inline(__always)
  func value(_ theta: Double, aux: UnsafePointer<Double>) -> Double {
    switch self {
    case .none:
      return 0
    case .gaussian(let sigma, let a):
      let z = (aux[a] - theta) / sigma
      return z * z
    case .poisson(let tau, let a):
      let rate = tau * theta
      let v = 2 * (rate - LogPDF.xlogy(aux[a], rate))
      return v.isNaN ? .infinity : v
    }
  }

  /// First and second derivative of ``value(_:aux:)``; `exact: false` gives the expected
  /// (Fisher) second derivative.
  @inline(__always)
  func derivatives(_ theta: Double, aux: UnsafePointer<Double>, exact: Bool) -> (g: Double, h: Double) {
    switch self {
    case .none:
      return (0, 0)
    case .gaussian(let sigma, let a):
      let s2 = sigma * sigma
      return (2 * (theta - aux[a]) / s2, 2 / s2)
    case .poisson(let tau, let a):
      let d = aux[a]
      return (2 * (tau - d / theta), exact ? 2 * d / (theta * theta) : 2 * tau / theta)
    }
  }

  /// The parameter value that maximises the constraint alone (a free parameter in no bin).
  func maximum(aux: UnsafePointer<Double>) -> Double? {
    switch self {
    case .none: nil
    case .gaussian(_, let a): aux[a]
    case .poisson(let tau, let a): aux[a] / tau
    }
  }
}

/// Everything the fitters derive from a ``Model`` once: the terms in flat buffers, each
/// parameter's bounds and constraint, which bins each parameter enters (the split into per-bin
/// locals and globals), and the data-independent constants. Immutable after init and shared
/// read-only by all threads (hence `@unchecked Sendable`: the buffers are never written after
/// init); per-fit state lives in each thread's ``GeneralFitter`` and ``FastFitEngine``.
final class CompiledModel: @unchecked Sendable {
  let storage = RawStorage()
  let parameterCount: Int
  let mainCount: Int
  let auxCount: Int
  let termCount: Int

  // MARK: Terms
  /// Terms of bin b: binTermStart[b] ..< binTermStart[b + 1].
  let binTermStart: UnsafeMutablePointer<Int32>
  let nominal: UnsafeMutablePointer<Double>
  /// Multiplicative occurrences of term t: factorStart[t] ..< factorStart[t + 1].
  let factorStart: UnsafeMutablePointer<Int32>
  let factorParam: UnsafeMutablePointer<Int32>
  let factorEffect: UnsafeMutablePointer<Effect>
  /// Additive occurrences of term t: additiveStart[t] ..< additiveStart[t + 1].
  let additiveStart: UnsafeMutablePointer<Int32>
  let additiveParam: UnsafeMutablePointer<Int32>
  let additiveEffect: UnsafeMutablePointer<Effect>
  let maxFactors: Int
  let maxAdditive: Int

  // MARK: Parameters
  let lower: UnsafeMutablePointer<Double>
  let upper: UnsafeMutablePointer<Double>
  let constraint: UnsafeMutablePointer<ParameterConstraint>
  let initialValues: [Double]
  let freeByDefault: UnsafeMutablePointer<Bool>
  /// Number of bins each parameter enters.
  let touch: UnsafeMutablePointer<Int32>
  /// Whether a parameter is a *global* of the fits: it enters two or more bins, or one bin
  /// with an effect that may make the likelihood double-welled (``mayHaveWells``; the restarts
  /// of the convergence check work on globals) — see ``BinSplit`` for the exception.
  /// The others that enter one bin are that bin's *locals*, profiled per bin.
  let isGlobal: UnsafeMutablePointer<Bool>
  /// Parameters entering ≥ 2 bins (candidate globals) and exactly one bin (candidate locals)
  /// of each bin.
  let binGlobalStart: UnsafeMutablePointer<Int32>
  let binGlobalParam: UnsafeMutablePointer<Int32>
  let binLocalStart: UnsafeMutablePointer<Int32>
  let binLocalParam: UnsafeMutablePointer<Int32>
  let maxLocals: Int
  let maxBinGlobals: Int
  let globalCandidates: Int
  /// Auxiliary indices of the Poisson constraints (their data enter the lgamma constant), as
  /// an array and as a buffer for hot loops.
  let poissonAux: [Int]
  let poissonAuxIndex: UnsafeMutablePointer<Int32>
  let poissonAuxCount: Int
  /// Σ over Gaussian constraints of 2 ln(σ√(2π)): the data-independent constant of −2 ln L.
  let gaussianConstant: Double
  /// 2·lgamma(n + 1) for n = 0 ..< lgammaTableSize.
  let lgammaTable: UnsafeMutablePointer<Double>
  static let lgammaTableSize = 4096

  /// All but the per-bin locals: the parameters a batched result without locals stores.
  let otherParameters: [Int]

  /// Parameters with an effect that is not monotonic within their bounds (a one-sided normsys,
  /// a histosys with both templates on one side): the likelihood can have several minima.
  let notMonotonic: UnsafeMutablePointer<Bool>
  /// Parameters that can make the likelihood double-welled (``wellShapes(terms:parameters:)``):
  /// the not monotonic ones, and those with a well score above ``wellScoreThreshold``. The
  /// convergence check restarts converged fits from other values of those that are globals,
  /// the highest scores first (``wellScore``; not monotonic counts as 2).
  let mayHaveWells: UnsafeMutablePointer<Bool>
  let wellScore: UnsafeMutablePointer<Double>

  // MARK: Provenance (for messages)
  let parameterNames: [String]
  let termSample: [Int]
  let sampleNames: [String]
  let channelNames: [String]
  let channelBins: [Range<Int>]

  init(terms: TermTable, parameters p: ParameterTable, names: [String], channelNames: [String], channelBins: [Range<Int>]) {
    parameterCount = p.lower.count
    mainCount = terms.binStart.count - 1
    auxCount = p.auxCount
    termCount = terms.termCount
    binTermStart = storage.copy(terms.binStart.map(Int32.init))
    nominal = storage.copy(terms.nominal)
    factorStart = storage.copy(terms.factorStart.map(Int32.init))
    factorParam = storage.copy(terms.factors.map { Int32($0.parameter) })
    factorEffect = storage.copy(terms.factors.map(\.effect))
    additiveStart = storage.copy(terms.additiveStart.map(Int32.init))
    additiveParam = storage.copy(terms.additive.map { Int32($0.parameter) })
    additiveEffect = storage.copy(terms.additive.map(\.effect))
    maxFactors = (0..<terms.termCount).map { terms.factorStart[$0 + 1] - terms.factorStart[$0] }.max() ?? 0
    maxAdditive = (0..<terms.termCount).map { terms.additiveStart[$0 + 1] - terms.additiveStart[$0] }.max() ?? 0
    lower = storage.copy(p.lower)
    upper = storage.copy(p.upper)
    constraint = storage.copy(p.constraints)
    initialValues = p.initial
    freeByDefault = storage.copy(p.fixed.map { !$0 })
    poissonAux = p.constraints.compactMap { if case .poisson(_, let a) = $0 { a } else { nil } }
    poissonAuxIndex = storage.copy(poissonAux.map(Int32.init))
    poissonAuxCount = poissonAux.count
    gaussianConstant = p.constraints.reduce(0.0) {
      if case .gaussian(let sigma, _) = $1 { return $0 + 2 * Foundation.log(sigma * (2.0 * Double.pi).squareRoot()) }
      return $0
    }
    lgammaTable = storage.copy((0..<Self.lgammaTableSize).map { 2 * lgamma(Double($0) + 1) })
    let shapes = Self.wellShapes(terms: terms, parameters: p)
    notMonotonic = storage.copy(shapes.notMonotonic)
    let wells = shapes.score.map { $0 > Self.wellScoreThreshold }
    wellScore = storage.copy(shapes.score)
    mayHaveWells = storage.copy(wells)
    parameterNames = names
    termSample = terms.sample
    sampleNames = terms.sampleNames
    self.channelNames = channelNames
    self.channelBins = channelBins
    let split = BinSplit(terms: terms, parameterCount: p.lower.count, notMonotonic: shapes.notMonotonic,
                         wells: wells, unconstrained: p.constraints.map { $0 == .none })
    touch = storage.copy(split.touch)
    isGlobal = storage.copy(split.global)
    binGlobalStart = storage.copy(split.globalStart)
    binGlobalParam = storage.copy(split.globalParam)
    binLocalStart = storage.copy(split.localStart)
    binLocalParam = storage.copy(split.localParam)
    maxLocals = split.maxLocals
    maxBinGlobals = split.maxGlobals
    globalCandidates = split.global.filter { $0 }.count
    otherParameters = (0..<parameterCount).filter { split.touch[$0] != 1 || split.global[$0] }
  }

  /// The data constant of −2 ln L left out of the fitters' objective, for data set `d` (main
  /// then auxiliary data): Σ 2 ln Γ(n + 1) over the main bins and the Poisson-constrained
  /// auxiliary data, plus the Gaussian normalisations Σ 2 ln(σ√(2π)).
  func dataConstant(_ d: UnsafePointer<Double>) -> Double {
    let size = Double(Self.lgammaTableSize)
    var c = 0.0
    for b in 0..<mainCount {
      // A count in [0, 2^52) is exactly the low mantissa bits of count + 2^52 (no trapping
      // conversion); the table holds the counts below its size.
      let v = d[b]
      let i = Int(truncatingIfNeeded: (v + 0x1p52).bitPattern & 0x000f_ffff_ffff_ffff)
      if v > 0 && v < size && Double(i) == v {
        c += lgammaTable[i]
      } else if v != 0 {
        c += Self.twoLgamma1pSlow(v)
      }
    }
    for k in 0..<poissonAuxCount { c += twoLgamma1p(d[mainCount + Int(poissonAuxIndex[k])]) }
    return c + gaussianConstant
  }

  /// The well score above which a parameter may make the likelihood double-welled. A yield
  /// y(θ) enters −2 ln L as 2(y − n ln y) + θ²: where ln y is concave or linear in θ (an
  /// exponential normsys beyond |θ| = 1, a linear histosys) the data term is convex in θ; where
  /// ln y is convex, −n ln y is concave and with enough events the profile can have two wells.
  /// The score measures that convexity: the largest rise of the log-slope s = y′/y from one
  /// θ to a larger one, relative to the larger |s| (sampled at 201 points within the bounds).
  /// pyhf's polynomial interpolation of an asymmetric normsys scores 0.2–0.9 (hi 1.04, lo 0.77:
  /// 0.89, almost flat near θ = 0.5 and exponential beyond 1 — the differential tests found
  /// fits stopped at 0.54 with the minimum at 4.8); symmetric normsys and histosys score below
  /// 0.05.
  static let wellScoreThreshold = 0.25

  /// Per parameter: whether an effect's derivative changes sign within the bounds, and its
  /// well score (2 when not monotonic; the largest over the parameter's occurrences). The
  /// yield of an additive occurrence is its term's nominal plus its effect.
  static func wellShapes(terms: TermTable, parameters p: ParameterTable) -> (notMonotonic: [Bool], score: [Double]) {
    var notMonotonic = [Bool](repeating: false, count: p.lower.count)
    var score = [Double](repeating: 0, count: p.lower.count)
    func visit(_ occurrence: TermTable.Occurrence, base: Double) {
      let i = occurrence.parameter
      if occurrence.effect.isLinear || notMonotonic[i] { return }
      let lo = p.lower[i].isFinite ? p.lower[i] : -10, hi = p.upper[i].isFinite ? p.upper[i] : 10
      var sign = 0.0
      var lowestSlope = Double.infinity
      for k in 0...200 {
        let jet = occurrence.effect.jet(lo + (hi - lo) * Double(k) / 200)
        let d = jet.d1
        if d != 0 {
          if sign != 0 && (d > 0) != (sign > 0) {
            notMonotonic[i] = true
            score[i] = 2
            return
          }
          sign = d
        }
        let y = base + jet.value
        guard y > 0 else { continue }
        let s = d / y
        if lowestSlope.isFinite {
          let scale = max(abs(s), abs(lowestSlope))
          if scale > 0 { score[i] = max(score[i], (s - lowestSlope) / scale) }
        }
        lowestSlope = min(lowestSlope, s)
      }
    }
    for t in 0..<terms.termCount {
      for f in terms.factorStart[t]..<terms.factorStart[t + 1] { visit(terms.factors[f], base: 0) }
      for a in terms.additiveStart[t]..<terms.additiveStart[t + 1] { visit(terms.additive[a], base: terms.nominal[t]) }
    }
    return (notMonotonic, score)
  }

  /// 2·lgamma(v + 1), from the table for small integers.
  @inline(__always)
  func twoLgamma1p(_ v: Double) -> Double {
    if v >= 0 && v < Double(Self.lgammaTableSize) {
      let i = Int(v)
      if Double(i) == v { return lgammaTable[i] }
    }
    return Self.twoLgamma1pSlow(v)
  }

  @inline(never)
  static func twoLgamma1pSlow(_ v: Double) -> Double { 2 * lgamma(v + 1) }

  /// ν_t at parameters x.
  @inline(__always)
  func termValue(_ t: Int, _ x: UnsafePointer<Double>) -> Double {
    var base = nominal[t]
    for a in Int(additiveStart[t])..<Int(additiveStart[t + 1]) { base += additiveEffect[a].value(x[Int(additiveParam[a])]) }
    var prod = 1.0
    for f in Int(factorStart[t])..<Int(factorStart[t + 1]) { prod *= factorEffect[f].value(x[Int(factorParam[f])]) }
    return prod * base
  }

  /// ν_b at parameters x.
  @inline(__always)
  func expected(bin b: Int, _ x: UnsafePointer<Double>) -> Double {
    var nu = 0.0
    for t in Int(binTermStart[b])..<Int(binTermStart[b + 1]) { nu += termValue(t, x) }
    return nu
  }

  /// "channel "c", bin 3" for messages; with a term, its sample too.
  func describe(bin b: Int, term: Int? = nil) -> String {
    let c = channelBins.firstIndex { $0.contains(b) } ?? 0
    var s = "channel \"\(channelNames[c])\", bin \(b - channelBins[c].lowerBound)"
    if let term { s = "sample \"\(sampleNames[termSample[term]])\" in " + s }
    return s
  }
}

/// The parameters as the compiled model needs them.
struct ParameterTable {
  var lower: [Double]
  var upper: [Double]
  var initial: [Double]
  var fixed: [Bool]
  var constraints: [ParameterConstraint]
  var auxCount: Int
}

/// Which bins each parameter enters, and per bin its parameters that enter only that bin
/// (locals) and the others (globals).
private struct BinSplit {
  var touch: [Int32] = []
  var global: [Bool] = []
  var globalStart: [Int32] = [0]
  var globalParam: [Int32] = []
  var localStart: [Int32] = [0]
  var localParam: [Int32] = []
  var maxLocals = 0
  var maxGlobals = 0

  /// A parameter of one bin is promoted to a global when it is not monotonic, or when it may
  /// make a well and its bin has fewer than two unconstrained parameters of its own: two free
  /// normalisations of one bin are a flat direction of the bin's locals, which leaves the
  /// Schur complement of a promoted parameter singular.
  init(terms: TermTable, parameterCount: Int, notMonotonic: [Bool], wells: [Bool], unconstrained: [Bool]) {
    let nMain = terms.binStart.count - 1
    var binsOf = [[Int]](repeating: [], count: parameterCount)
    for b in 0..<nMain {
      var params = Set<Int>()
      for t in terms.binStart[b]..<terms.binStart[b + 1] {
        for f in terms.factorStart[t]..<terms.factorStart[t + 1] { params.insert(terms.factors[f].parameter) }
        for a in terms.additiveStart[t]..<terms.additiveStart[t + 1] { params.insert(terms.additive[a].parameter) }
      }
      for p in params { binsOf[p].append(b) }
    }
    touch = binsOf.map { Int32($0.count) }
    var freeFactors = [Int](repeating: 0, count: nMain)
    for p in 0..<parameterCount where binsOf[p].count == 1 && unconstrained[p] { freeFactors[binsOf[p][0]] += 1 }
    global = (0..<parameterCount).map { p in
      if binsOf[p].count != 1 { return binsOf[p].count >= 2 }
      return notMonotonic[p] || (wells[p] && freeFactors[binsOf[p][0]] < 2)
    }
    var perBinGlobal = [[Int32]](repeating: [], count: nMain)
    var perBinLocal = [[Int32]](repeating: [], count: nMain)
    for p in 0..<parameterCount {
      if binsOf[p].count == 1 && !global[p] {
        perBinLocal[binsOf[p][0]].append(Int32(p))
      } else {
        for b in binsOf[p] { perBinGlobal[b].append(Int32(p)) }
      }
    }
    for b in 0..<nMain {
      globalParam += perBinGlobal[b]
      globalStart.append(Int32(globalParam.count))
      localParam += perBinLocal[b]
      localStart.append(Int32(localParam.count))
      maxLocals = max(maxLocals, perBinLocal[b].count)
      maxGlobals = max(maxGlobals, perBinGlobal[b].count)
    }
  }
}
