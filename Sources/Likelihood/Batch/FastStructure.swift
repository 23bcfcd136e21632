import Foundation

/// The shape of a fast bin, which selects its kernel: a pair of locals sharing a term (slots
/// 0, 1: the search windows' γb·γv) or not, the number of single locals after it, whether
/// terms without locals contribute (R), and whether the pair's second member also multiplies a
/// term alone.
struct FastShapeKey: Hashable, Sendable {
  var pair: Bool
  var singles: Int
  var hasR: Bool
  var partnerA: Bool

  /// Locals of the bin.
  var slots: Int { (pair ? 2 : 0) + singles }
}

/// Bins of one shape whose coefficients belong to the same classes, with their constants one
/// record per bin (`constants[i * FastGroup.fieldCount(slots:) + field]`).
struct FastGroup: Sendable {
  let key: FastShapeKey
  /// Model bin of each member.
  let bins: [Int]
  /// Class of R, of each slot's linear coefficient A_l, and of the pair coefficient β.
  let classR: Int
  let classA: [Int]
  let classB: Int
  /// Per-bin constants: R, A_0…A_{k−1}, β, σ²_l, 1/σ²_l, σ²_l A_l², lower_l, upper_l (offsets
  /// in ``FastField``).
  let constants: [Double]
  /// Per-bin, per-slot: the local's parameter and auxiliary-data index (`[i * slots + l]`).
  let param: [Int]
  let auxIndex: [Int]

  var binCount: Int { bins.count }
  var slots: Int { key.slots }

}

/// Offsets of the constants in a bin's record, for a bin of k locals.
enum FastField {
  @inline(__always) static func R() -> Int { 0 }
  @inline(__always) static func A(_ l: Int) -> Int { 1 + l }
  @inline(__always) static func B(_ k: Int) -> Int { 1 + k }
  @inline(__always) static func sig2(_ l: Int, _ k: Int) -> Int { 2 + k + l }
  @inline(__always) static func inv(_ l: Int, _ k: Int) -> Int { 2 + 2 * k + l }
  @inline(__always) static func q(_ l: Int, _ k: Int) -> Int { 2 + 3 * k + l }
  @inline(__always) static func lower(_ l: Int, _ k: Int) -> Int { 2 + 4 * k + l }
  @inline(__always) static func upper(_ l: Int, _ k: Int) -> Int { 2 + 5 * k + l }
  @inline(__always) static func count(_ k: Int) -> Int { 2 + 6 * k }
}

/// One class of terms: the product P_j(g) of the same global factors (parameter slot, effect).
struct FastClass: Sendable {
  let factors: [(global: Int, effect: Effect)]
}

/// The fast structure of a fit: when every bin's free locals are Gaussian-constrained linear
/// factors (at most two on a term, one pair per bin, at most four single locals), no free
/// parameter acts additively, and the globals have Gaussian or no constraints and monotonic
/// effects, each bin's expectation is
///
///     ν = R·P_cR(g) + Σ_l A_l γ_l P_cl(g) + β γ_0 γ_1 P_cβ(g)
///
/// with per-bin constants R, A_l, β (nominals times fixed factors) and class products P_j of
/// the global factors. Built for one set of free parameters and fixed values; nil when the fit
/// does not have this structure.
struct FastStructure: Sendable {
  /// Free globals (parameter indices), their bounds and constraints.
  let globals: [Int]
  /// Fixed parameters entering several bins: class factors at slots globals.count + i, at the
  /// fit's fixed values (``FastRuntime/setFixedValues(_:)``).
  let fixedGlobals: [Int]
  let globalLower: [Double]
  let globalUpper: [Double]
  let globalConstraint: [ParameterConstraint]
  let classes: [FastClass]
  let groups: [FastGroup]
  /// Bins without any term (ν ≡ 0): the data must be 0 there.
  let emptyBins: [Int]
  /// Constrained parameters whose constraint is constant in the fit (fixed, or free in no bin;
  /// the latter sit at the constraint's maximum).
  let constantConstraints: [Int]
  /// Parameters that are free but enter no bin.
  let orphans: [Int]
  /// The values the fit starts from and keeps for fixed parameters (the fixed globals' at the
  /// time the structure was built).
  let base: [Double]
  let free: [Bool]

  static let maxGlobals = 8
  static let maxSingles = 4
}

extension FastStructure {
  /// The structure of a fit of `m` with the free parameters `free` and the values `x` (fixed
  /// parameters at their values); nil when it is not the fast structure.
  init?(model m: CompiledModel, free: [Bool], values x: [Double]) {
    var builder = FastStructureBuilder(model: m, free: free, values: x)
    guard builder.build() else { return nil }
    globals = builder.globals
    fixedGlobals = builder.fixedGlobals
    globalLower = globals.map { m.lower[$0] }
    globalUpper = globals.map { m.upper[$0] }
    globalConstraint = globals.map { m.constraint[$0] }
    classes = builder.classes
    groups = builder.groups
    emptyBins = builder.emptyBins
    constantConstraints = (0..<m.parameterCount).filter { (!free[$0] || m.touch[$0] == 0) && m.constraint[$0] != .none }
    orphans = (0..<m.parameterCount).filter { free[$0] && m.touch[$0] == 0 }
    base = x
    self.free = free
  }
}

/// One bin's analysis: its locals (pair first) and coefficients with their classes.
private struct FastBin {
  var key: FastShapeKey
  var locals: [Int]
  var coefR = 0.0
  var classR = -1
  var coefA: [Double]
  var classA: [Int]
  var coefB = 0.0
  var classB = -1
}

private struct FastStructureBuilder {
  let m: CompiledModel
  let free: [Bool]
  let x: [Double]
  var globals: [Int] = []
  var fixedGlobals: [Int] = []
  var globalSlot: [Int: Int] = [:]
  var classes: [FastClass] = []
  var classIndex: [[FactorKey]: Int] = [:]
  var groups: [FastGroup] = []
  var emptyBins: [Int] = []

  struct FactorKey: Hashable {
    let global: Int
    let hi: Double
    let lo: Double
  }

  init(model: CompiledModel, free: [Bool], values: [Double]) {
    m = model
    self.free = free
    x = values
  }

  mutating func build() -> Bool {
    for p in 0..<m.parameterCount where free[p] && m.isGlobal[p] {
      if m.mayHaveWells[p] { return false }  // the general engine restarts such fits; this one does not
      if case .poisson = m.constraint[p] { return false }
      globalSlot[p] = globals.count
      globals.append(p)
    }
    if globals.count > FastStructure.maxGlobals { return false }
    // Fixed parameters of several bins (a POI held at a tested value) stay class factors, at
    // slots after the free globals, so that a new fixed value needs no new structure.
    for p in 0..<m.parameterCount where !free[p] && m.isGlobal[p] {
      globalSlot[p] = globals.count + fixedGlobals.count
      fixedGlobals.append(p)
    }
    var bins: [(FastBin, Int)] = []
    for b in 0..<m.mainCount {
      if m.binTermStart[b] == m.binTermStart[b + 1] {
        emptyBins.append(b)
        continue
      }
      guard let bin = analyse(bin: b) else { return false }
      bins.append((bin, b))
    }
    makeGroups(bins)
    return true
  }

  /// The term's locals (free parameters of this bin only), global factors and folded nominal
  /// (nominal and fixed additive changes, times fixed factors); nil when not fast.
  mutating func term(_ t: Int) -> (locals: [Int], cls: Int, value: Double)? {
    var base = m.nominal[t]
    for a in Int(m.additiveStart[t])..<Int(m.additiveStart[t + 1]) {
      let p = Int(m.additiveParam[a])
      if free[p] { return nil }
      base += m.additiveEffect[a].value(x[p])
    }
    var locals: [Int] = []
    var keys: [FactorKey] = []
    var factors: [(global: Int, effect: Effect)] = []
    var fixedProduct = 1.0
    for f in Int(m.factorStart[t])..<Int(m.factorStart[t + 1]) {
      let p = Int(m.factorParam[f])
      let effect = m.factorEffect[f]
      if let g = globalSlot[p] {
        factors.append((g, effect))
        keys.append(Self.key(g, effect))
      } else if !free[p] {
        fixedProduct *= effect.value(x[p])
      } else if let g = globalSlot[p] {
        factors.append((g, effect))
        keys.append(Self.key(g, effect))
      } else {
        guard effect.isLinear, case .gaussian(let sigma, _) = m.constraint[p], sigma > 0, !locals.contains(p) else { return nil }
        locals.append(p)
      }
    }
    if locals.count > 2 { return nil }
    let order = keys.indices.sorted { (keys[$0].global, keys[$0].hi, keys[$0].lo) < (keys[$1].global, keys[$1].hi, keys[$1].lo) }
    let sortedKeys = order.map { keys[$0] }
    let cls: Int
    if let found = classIndex[sortedKeys] {
      cls = found
    } else {
      cls = classes.count
      classIndex[sortedKeys] = cls
      classes.append(FastClass(factors: order.map { factors[$0] }))
    }
    return (locals, cls, fixedProduct * base)
  }

  static func key(_ g: Int, _ effect: Effect) -> FactorKey {
    switch effect {
    case .code4(let c): FactorKey(global: g, hi: c.hi, lo: c.lo)
    case .linear: FactorKey(global: g, hi: 0, lo: 0)
    default: FactorKey(global: g, hi: .nan, lo: .nan)  // never equal: a class of its own
    }
  }

  /// The bin's locals, shape and coefficients; nil when not fast.
  mutating func analyse(bin b: Int) -> FastBin? {
    var terms: [(locals: [Int], cls: Int, value: Double)] = []
    for t in Int(m.binTermStart[b])..<Int(m.binTermStart[b + 1]) {
      guard let term = term(t) else { return nil }
      terms.append(term)
    }
    let pairs = Set(terms.filter { $0.locals.count == 2 }.map { Set($0.locals) })
    if pairs.count > 1 { return nil }
    var pair = pairs.first.map { Array($0).sorted() } ?? []
    let alone = Set(terms.filter { $0.locals.count == 1 }.map { $0.locals[0] })
    if pair.count == 2 && !alone.contains(pair[0]) && alone.contains(pair[1]) { pair.swapAt(0, 1) }
    let singles = alone.subtracting(pair).sorted()
    if singles.count > (pair.isEmpty ? FastStructure.maxSingles : 2) { return nil }
    let locals = pair + singles
    let key = FastShapeKey(
      pair: !pair.isEmpty, singles: singles.count, hasR: terms.contains { $0.locals.isEmpty },
      partnerA: pair.count == 2 && alone.contains(pair[1]))
    var bin = FastBin(key: key, locals: locals, coefA: Array(repeating: 0, count: locals.count), classA: Array(repeating: -1, count: locals.count))
    for term in terms {
      guard Self.add(term, to: &bin) else { return nil }
    }
    // A coefficient without terms is 0; its class does not matter.
    for l in locals.indices where bin.classA[l] < 0 { bin.classA[l] = 0 }
    bin.classR = max(bin.classR, 0)
    bin.classB = max(bin.classB, 0)
    return bin
  }

  /// Adds a term's value to its coefficient; false when the coefficient already has another
  /// class.
  static func add(_ term: (locals: [Int], cls: Int, value: Double), to bin: inout FastBin) -> Bool {
    func merge(_ cls: inout Int, _ coef: inout Double) -> Bool {
      if cls >= 0 && cls != term.cls { return false }
      cls = term.cls
      coef += term.value
      return true
    }
    switch term.locals.count {
    case 0: return merge(&bin.classR, &bin.coefR)
    case 1:
      let l = bin.locals.firstIndex(of: term.locals[0])!
      return merge(&bin.classA[l], &bin.coefA[l])
    default: return merge(&bin.classB, &bin.coefB)
    }
  }

  /// Bins grouped by shape and classes; each group's constants.
  mutating func makeGroups(_ bins: [(FastBin, Int)]) {
    var order: [[Int]: Int] = [:]
    var members: [[(FastBin, Int)]] = []
    for entry in bins {
      let bin = entry.0
      let signature = [bin.key.pair ? 1 : 0, bin.key.singles, bin.key.hasR ? 1 : 0, bin.key.partnerA ? 1 : 0, bin.classR, bin.classB] + bin.classA
      if let g = order[signature] {
        members[g].append(entry)
      } else {
        order[signature] = members.count
        members.append([entry])
      }
    }
    groups = members.map { makeGroup($0) }
  }

  func makeGroup(_ members: [(FastBin, Int)]) -> FastGroup {
    let first = members[0].0
    let k = first.key.slots, nb = members.count, F = FastField.count(k)
    var c = [Double](repeating: 0, count: F * nb)
    var param = [Int](repeating: 0, count: k * nb), auxIndex = [Int](repeating: 0, count: k * nb)
    for (i, (bin, _)) in members.enumerated() {
      let r = i * F
      c[r + FastField.R()] = bin.coefR
      c[r + FastField.B(k)] = bin.coefB
      for l in 0..<k {
        let p = bin.locals[l]
        guard case .gaussian(let sigma, let a) = m.constraint[p] else { preconditionFailure("fast local without Gaussian constraint") }
        c[r + FastField.A(l)] = bin.coefA[l]
        c[r + FastField.sig2(l, k)] = sigma * sigma
        c[r + FastField.inv(l, k)] = 1 / (sigma * sigma)
        c[r + FastField.q(l, k)] = sigma * sigma * bin.coefA[l] * bin.coefA[l]
        c[r + FastField.lower(l, k)] = m.lower[p]
        c[r + FastField.upper(l, k)] = m.upper[p]
        param[i * k + l] = p
        auxIndex[i * k + l] = a
      }
    }
    return FastGroup(
      key: first.key, bins: members.map(\.1), classR: first.classR, classA: first.classA, classB: first.classB,
      constants: c, param: param, auxIndex: auxIndex)
  }
}
