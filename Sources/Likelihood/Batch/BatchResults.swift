import Foundation

/// Data sets of one model, stored one after the other: main then auxiliary data of each
/// (``Model/mainBinCount`` + ``Model/auxCount`` values per data set, as ``Fitter`` takes them).
/// Each data set's constant of −2 ln L (Σ 2 ln Γ(n + 1) and the Gaussian normalisations) is
/// computed once, when it is appended, for all the fits of it.
public struct DataBatch: Sendable {
  /// Values per data set.
  public let stride: Int
  /// The data sets, flat.
  public private(set) var values: [Double] = []
  /// The data constant of −2 ln L of each data set (``CompiledModel/dataConstant(_:)``).
  private(set) var constants: [Double] = []
  private let model: CompiledModel

  public init(model: Model, capacity: Int = 0) {
    stride = model.mainBinCount + model.auxCount
    self.model = model.compiled
    values.reserveCapacity(capacity * stride)
    constants.reserveCapacity(capacity)
  }

  public init(model: Model, dataSets: [[Double]]) {
    self.init(model: model, capacity: dataSets.count)
    for d in dataSets { append(d) }
  }

  public var count: Int { constants.count }

  public mutating func append(_ data: [Double]) {
    precondition(data.count == stride, "expected \(stride) data (main + aux), got \(data.count)")
    values += data
    constants.append(data.withUnsafeBufferPointer { model.dataConstant($0.baseAddress!) })
  }

  /// Appends a data set written in place by `fill` (into `stride` values, main then
  /// auxiliary data), without an intermediate array.
  public mutating func append(filling fill: (UnsafeMutablePointer<Double>) -> Void) {
    let start = values.count
    values.append(contentsOf: repeatElement(0, count: stride))
    let model = self.model
    let constant = values.withUnsafeMutableBufferPointer { v in
      fill(v.baseAddress! + start)
      return model.dataConstant(v.baseAddress! + start)
    }
    constants.append(constant)
  }

  /// Data set i.
  public subscript(i: Int) -> ArraySlice<Double> { values[(i * stride)..<((i + 1) * stride)] }

  public mutating func removeAll() {
    values.removeAll(keepingCapacity: true)
    constants.removeAll(keepingCapacity: true)
  }
}

/// The results of a ``BatchFitter`` run, one per data set in order.
///
/// A result stores every parameter, or — fits whose per-bin parameters are not recorded
/// (``BatchFitter/recordsLocals``) — only the parameters that are not per-bin (the globals and
/// the fixed and orphan ones); the others read NaN. Results of the batched path also keep the
/// profile Hessian over the free globals, from which a fit of the same data set with more
/// parameters fixed starts one Newton step ahead (``BatchFitter/fit(_:fixed:from:threads:)``).
public struct BatchResults: Sendable {
  /// Parameters per result.
  public let parameterCount: Int
  /// −2 ln L at each best fit.
  public private(set) var twiceNLL: [Double]
  /// Whether each fit converged (``FitResult/converged``).
  public private(set) var converged: [Bool]
  /// The parameters each result stores, in column order, and each parameter's column (−1: not
  /// stored).
  let stored: [Int]
  let column: [Int]
  var values: [Double]
  var iterations: [Int32]
  var decrement: [Double]
  /// The free globals of the batched fits and, per result, the profile Hessian over them
  /// (G × G; NaN for results of the general engine).
  let hessianGlobals: [Int]
  var hessians: [Double]
  /// Results of data sets that were fitted on the general engine (their lane left the fast
  /// structure), with everything a ``FitResult`` has.
  var general: [Int: FitResult] = [:]

  init(count: Int, parameterCount: Int, stored: [Int]? = nil, hessianGlobals: [Int] = []) {
    self.parameterCount = parameterCount
    self.stored = stored ?? Array(0..<parameterCount)
    var column = [Int](repeating: -1, count: parameterCount)
    for (c, p) in self.stored.enumerated() { column[p] = c }
    self.column = column
    self.hessianGlobals = hessianGlobals
    twiceNLL = [Double](repeating: .nan, count: count)
    converged = [Bool](repeating: false, count: count)
    values = [Double](repeating: .nan, count: count * self.stored.count)
    iterations = [Int32](repeating: 0, count: count)
    decrement = [Double](repeating: .nan, count: count)
    hessians = [Double](repeating: .nan, count: count * hessianGlobals.count * hessianGlobals.count)
  }

  public var count: Int { twiceNLL.count }

  /// No results.
  public static func empty(model: Model) -> BatchResults { BatchResults(count: 0, parameterCount: model.parameterCount) }

  /// Parameter p of result i (NaN for a per-bin parameter that was not recorded).
  public func parameter(_ p: Int, of i: Int) -> Double {
    if let r = general[i] { return r.parameters[p] }
    let c = column[p]
    return c < 0 ? .nan : values[i * stored.count + c]
  }

  /// The parameters of result i.
  public func parameters(of i: Int) -> [Double] {
    if let r = general[i] { return r.parameters }
    var out = [Double](repeating: .nan, count: parameterCount)
    for (c, p) in stored.enumerated() { out[p] = values[i * stored.count + c] }
    return out
  }

  /// All best-fit parameters, flat: result i's at `i * parameterCount ..< (i + 1) * parameterCount`
  /// (the layout ``BatchFitter/fit(_:fixed:initial:)`` takes as starting values; built on each
  /// access — ``parameter(_:of:)`` reads one).
  public var parameters: [Double] {
    var out = [Double](repeating: .nan, count: count * parameterCount)
    for i in 0..<count {
      if let r = general[i] {
        for p in 0..<parameterCount { out[i * parameterCount + p] = r.parameters[p] }
      } else {
        for (c, p) in stored.enumerated() { out[i * parameterCount + p] = values[i * stored.count + c] }
      }
    }
    return out
  }

  /// Results that went to the general engine (the rest took the batched fast path).
  public var generalCount: Int { general.count }

  /// Result i as a ``FitResult`` (uncertainties NaN unless the fit went to the general engine
  /// with uncertainties on).
  public subscript(i: Int) -> FitResult {
    if let r = general[i] { return r }
    return FitResult(
      parameters: parameters(of: i), twiceNLL: twiceNLL[i], uncertainties: [Double](repeating: .nan, count: parameterCount),
      converged: converged[i], iterations: Int(iterations[i]), newtonDecrement: decrement[i], method: "newton (batched)")
  }

  /// The results through raw slots (``ResultSlots``) for `body`, which may hand copies of the
  /// slots to several threads, each writing its own results; the results of the general
  /// engine the copies collected (`body` returns them) are merged.
  mutating func withSlots(_ body: (ResultSlots) -> [[Int: FitResult]]) {
    let (n, stored, G) = (parameterCount, stored, hessianGlobals.count)
    var parts: [[Int: FitResult]] = []
    twiceNLL.withUnsafeMutableBufferPointer { t in
      converged.withUnsafeMutableBufferPointer { c in
        values.withUnsafeMutableBufferPointer { v in
          iterations.withUnsafeMutableBufferPointer { it in
            decrement.withUnsafeMutableBufferPointer { d in
              hessians.withUnsafeMutableBufferPointer { h in
                parts = body(ResultSlots(
                  twiceNLL: t.baseAddress!, converged: c.baseAddress!, values: v.baseAddress!, iterations: it.baseAddress!,
                  decrement: d.baseAddress!, hessians: h.baseAddress, parameterCount: n, stored: stored, G: G))
              }
            }
          }
        }
      }
    }
    for part in parts { general.merge(part) { a, _ in a } }
  }
}

/// Raw slots of a new ``BatchResults`` (from ``BatchResults/withSlots(_:)``; values NaN): a
/// part of a batch writes the results of its data sets through them, its general-engine results
/// into its own `general`. Copies on different threads write disjoint data sets (hence
/// `@unchecked Sendable`).
struct ResultSlots: @unchecked Sendable {
  let twiceNLL: UnsafeMutablePointer<Double>
  let converged: UnsafeMutablePointer<Bool>
  let values: UnsafeMutablePointer<Double>
  let iterations: UnsafeMutablePointer<Int32>
  let decrement: UnsafeMutablePointer<Double>
  let hessians: UnsafeMutablePointer<Double>?
  let parameterCount: Int
  let stored: [Int]
  let G: Int
  var general: [Int: FitResult] = [:]

  /// Whether the results store every parameter.
  var storesAll: Bool { stored.count == parameterCount }

  /// Result i from the general engine.
  mutating func store(_ r: FitResult, at i: Int) {
    general[i] = r
    twiceNLL[i] = r.twiceNLL
    converged[i] = r.converged
    iterations[i] = Int32(clamping: r.iterations)
    decrement[i] = r.newtonDecrement
    let row = values + i * stored.count
    for (c, p) in stored.enumerated() { row[c] = r.parameters[p] }
  }

  /// Result i from lane `lane` of `rt` (converged on the fast path), `constant` its data
  /// constant.
  func storeLane(_ rt: FastRuntime, lane: Int, at i: Int, data: UnsafePointer<Double>, constant: Double) {
    twiceNLL[i] = rt.finalF(lane: lane) + constant
    converged[i] = true
    iterations[i] = Int32(rt.lane.iterations[lane])
    decrement[i] = rt.lane.decrement[lane]
    let row = values + i * stored.count
    if storesAll {
      rt.parameters(lane: lane, data: data, into: row)
    } else {
      rt.otherParameters(lane: lane, data: data, into: row)
    }
    if let h = hessians, G == rt.G {
      let out = h + i * G * G
      for k in 0..<(G * G) { out[k] = rt.lane.S[k][lane] }
    }
  }
}
