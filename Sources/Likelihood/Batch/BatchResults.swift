import Foundation

/// Data sets of one model, stored one after the other: main then auxiliary data of each
/// (``Model/mainBinCount`` + ``Model/auxCount`` values per data set, as ``Fitter`` takes them).
public struct DataBatch: Sendable {
  /// Values per data set.
  public let stride: Int
  /// The data sets, flat.
  public private(set) var values: [Double] = []

  public init(model: Model, capacity: Int = 0) {
    stride = model.mainBinCount + model.auxCount
    values.reserveCapacity(capacity * stride)
  }

  public init(model: Model, dataSets: [[Double]]) {
    self.init(model: model, capacity: dataSets.count)
    for d in dataSets { append(d) }
  }

  public var count: Int { values.count / stride }

  public mutating func append(_ data: [Double]) {
    precondition(data.count == stride, "expected \(stride) data (main + aux), got \(data.count)")
    values += data
  }

  /// Data set i.
  public subscript(i: Int) -> ArraySlice<Double> { values[(i * stride)..<((i + 1) * stride)] }

  public mutating func removeAll() { values.removeAll(keepingCapacity: true) }
}

/// The results of a ``BatchFitter`` run, one per data set in order, stored flat.
public struct BatchResults: Sendable {
  /// Parameters per result.
  public let parameterCount: Int
  /// −2 ln L at each best fit.
  public private(set) var twiceNLL: [Double]
  /// Whether each fit converged (``FitResult/converged``).
  public private(set) var converged: [Bool]
  /// All best-fit parameters, flat: result i's at `i * parameterCount ..< (i + 1) * parameterCount`
  /// (the layout ``BatchFitter/fit(_:fixed:initial:)`` takes as starting values).
  public private(set) var parameters: [Double]
  var iterations: [Int32]
  var decrement: [Double]
  /// Results of data sets that were fitted on the general engine (their lane left the fast
  /// structure), with everything a ``FitResult`` has.
  var general: [Int: FitResult] = [:]

  init(count: Int, parameterCount: Int) {
    self.parameterCount = parameterCount
    twiceNLL = [Double](repeating: .nan, count: count)
    converged = [Bool](repeating: false, count: count)
    parameters = [Double](repeating: .nan, count: count * parameterCount)
    iterations = [Int32](repeating: 0, count: count)
    decrement = [Double](repeating: .nan, count: count)
  }

  public var count: Int { twiceNLL.count }

  /// No results.
  public static func empty(model: Model) -> BatchResults { BatchResults(count: 0, parameterCount: model.parameterCount) }

  /// Parameter p of result i.
  public func parameter(_ p: Int, of i: Int) -> Double { parameters[i * parameterCount + p] }

  /// Results that went to the general engine (the rest took the batched fast path).
  public var generalCount: Int { general.count }

  /// Result i as a ``FitResult`` (uncertainties NaN unless the fit went to the general engine
  /// with uncertainties on).
  public subscript(i: Int) -> FitResult {
    if let r = general[i] { return r }
    let p = Array(parameters[(i * parameterCount)..<((i + 1) * parameterCount)])
    return FitResult(
      parameters: p, twiceNLL: twiceNLL[i], uncertainties: [Double](repeating: .nan, count: parameterCount),
      converged: converged[i], iterations: Int(iterations[i]), newtonDecrement: decrement[i], method: "newton (batched)")
  }

  /// The results through raw slots (``ResultSlots``) for `body`, which may hand copies of the
  /// slots to several threads, each writing its own results; the results of the general
  /// engine the copies collected (`body` returns them) are merged.
  mutating func withSlots(_ body: (ResultSlots) -> [[Int: FitResult]]) {
    let n = parameterCount
    var parts: [[Int: FitResult]] = []
    twiceNLL.withUnsafeMutableBufferPointer { t in
      converged.withUnsafeMutableBufferPointer { c in
        parameters.withUnsafeMutableBufferPointer { p in
          iterations.withUnsafeMutableBufferPointer { it in
            decrement.withUnsafeMutableBufferPointer { d in
              parts = body(ResultSlots(
                twiceNLL: t.baseAddress!, converged: c.baseAddress!, parameters: p.baseAddress!, iterations: it.baseAddress!,
                decrement: d.baseAddress!, parameterCount: n))
            }
          }
        }
      }
    }
    for part in parts { general.merge(part) { a, _ in a } }
  }
}

/// Raw slots of a new ``BatchResults`` (from ``BatchResults/withSlots(_:)``; parameters NaN): a
/// part of a batch writes the results of its data sets through them, its general-engine results
/// into its own `general`. Copies on different threads write disjoint data sets (hence
/// `@unchecked Sendable`).
struct ResultSlots: @unchecked Sendable {
  let twiceNLL: UnsafeMutablePointer<Double>
  let converged: UnsafeMutablePointer<Bool>
  let parameters: UnsafeMutablePointer<Double>
  let iterations: UnsafeMutablePointer<Int32>
  let decrement: UnsafeMutablePointer<Double>
  let parameterCount: Int
  var general: [Int: FitResult] = [:]

  /// Result i from the general engine.
  mutating func store(_ r: FitResult, at i: Int) {
    general[i] = r
    twiceNLL[i] = r.twiceNLL
    converged[i] = r.converged
    iterations[i] = Int32(clamping: r.iterations)
    decrement[i] = r.newtonDecrement
    r.parameters.withUnsafeBufferPointer { (parameters + i * parameterCount).update(from: $0.baseAddress!, count: parameterCount) }
  }

  /// Result i from lane `lane` of `rt` (converged on the fast path).
  func storeLane(_ rt: FastRuntime, lane: Int, at i: Int, data: UnsafePointer<Double>, locals: Bool) {
    twiceNLL[i] = rt.finalF(lane: lane) + rt.dataConstant[lane]
    converged[i] = true
    iterations[i] = Int32(rt.lane.iterations[lane])
    decrement[i] = rt.lane.decrement[lane]
    rt.parameters(lane: lane, data: data, into: parameters + i * parameterCount, locals: locals, nanLocals: true)
  }
}

