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

  mutating func store(_ r: FitResult, at i: Int) {
    general[i] = r
    twiceNLL[i] = r.twiceNLL
    converged[i] = r.converged
    iterations[i] = Int32(clamping: r.iterations)
    decrement[i] = r.newtonDecrement
    for p in 0..<parameterCount { parameters[i * parameterCount + p] = r.parameters[p] }
  }

  /// Appends `other`'s results after these.
  mutating func append(_ other: BatchResults) {
    let offset = count
    twiceNLL += other.twiceNLL
    converged += other.converged
    parameters += other.parameters
    iterations += other.iterations
    decrement += other.decrement
    for (i, r) in other.general { general[offset + i] = r }
  }
}

/// Which engine fits of a model with given fixed parameters take.
public enum FitPath: String, Sendable {
  /// The fast structure on SIMD lanes (closed-form per-bin profiling).
  case batched
  /// The general engine (per-bin Newton where no closed form applies).
  case general
}

/// Maximum-likelihood fits of many data sets of one model with the same fixed parameters —
/// the toys of a hypothesis test, of a limit band, of a look-elsewhere scan.
///
/// When the fits have the fast structure (``FastStructure``: the reference window, the search
/// windows, the wide-Z′ windows), the data sets run on the lanes of SIMD8<Double> vectors:
/// every per-bin operation works on eight data sets at once, the per-bin locals are profiled in
/// closed form, and the Newton iteration over the globals runs per lane in vector form. A lane
/// whose fit ends takes the next data set at once, so a data set that needs more iterations
/// holds no other back; a lane that leaves the closed forms (a local at its bound, no descent)
/// is refitted exactly on the general engine. Every operation is element-wise, so a data set's
/// result does not depend on which data sets shared its vector: results are the same for any
/// batch size, order or thread count, and equal to ``Fitter``'s (which runs the same engine on
/// one lane). Other models go to the general engine, one data set after the other.
///
/// ```swift
/// var toys = DataBatch(model: model)
/// for t in toyData { toys.append(t) }
/// let batch = BatchFitter(model: model)
/// let free = batch.fit(toys)
/// let conditional = batch.fit(toys, fixed: [model.poiIndex!: 1], initial: free.parameters)
/// let q = (0..<toys.count).map { conditional.twiceNLL[$0] - free.twiceNLL[$0] }
/// ```
///
/// A `BatchFitter` owns scratch space: use one per thread, or let
/// ``fit(_:fixed:initial:threads:)`` split a batch over threads.
public final class BatchFitter {
  public let model: Model
  public var options: FitOptions {
    didSet { single.options = options }
  }
  let engine: FastFitEngine
  let single: Fitter
  /// Record the per-bin local parameters of fits on the batched path (default true). Off, their
  /// entries in ``BatchResults/parameters`` are NaN — toys of a test statistic need only −2 ln L
  /// and the globals, and skip the reconstruction.
  public var recordsLocals = true
  /// Fitters of the other threads of ``fit(_:fixed:initial:threads:)``, kept between calls.
  private var helpers: [BatchFitter] = []

  /// A batch fitter; uncertainties are off by default (toys do not need them).
  public init(model: Model, options: FitOptions = FitOptions(computeUncertainties: false)) {
    self.model = model
    self.options = options
    engine = FastFitEngine(model: model.compiled)
    single = Fitter(model: model, options: options)
  }

  /// The engine fits with these fixed parameters take.
  public func path(fixed: [Int: Double] = [:]) -> FitPath {
    single.fastStructure(fixed: fixed) == nil ? .general : .batched
  }

  /// Fits every data set of `data` with the parameters `fixed` held (in addition to the
  /// model's fixed-by-default ones, which stay at their initial values).
  ///
  /// - Parameters:
  ///   - initial: starting values, flat (`data.count × model.parameterCount`, e.g. the
  ///     ``BatchResults/parameters`` of a previous fit of the same data); nil: the model's
  ///     initial values. On the batched path only the free global parameters' starting values
  ///     matter (the per-bin parameters are profiled exactly at every step); fixed parameters
  ///     always take their values from `fixed` or the model.
  /// - Returns: one result per data set, in order.
  public func fit(_ data: DataBatch, fixed: [Int: Double] = [:], initial: [Double]? = nil) -> BatchResults {
    let nPar = model.parameterCount
    if let initial { precondition(initial.count == data.count * nPar, "expected \(data.count * nPar) initial values, got \(initial.count)") }
    for p in fixed.keys { precondition(p >= 0 && p < nPar, "fixed parameter index \(p) out of range") }
    return fit(data, range: 0..<data.count, fixed: fixed, initial: initial)
  }

  /// Data sets `range` of `data` (results in order, indexed from 0).
  func fit(_ data: DataBatch, range: Range<Int>, fixed: [Int: Double], initial: [Double]?) -> BatchResults {
    let nPar = model.parameterCount
    var results = BatchResults(count: range.count, parameterCount: nPar)
    guard !range.isEmpty else { return results }
    let (free, values) = freeAndValues(fixed)
    let rt = free.withUnsafeBufferPointer { f in values.withUnsafeBufferPointer { engine.runtime(free: f.baseAddress!, values: $0.baseAddress!) } }
    guard let rt else {
      for i in range { results.store(fitGeneral(data, i, fixed: fixed, initial: initial), at: i - range.lowerBound) }
      return results
    }
    data.values.withUnsafeBufferPointer { d in
      let dp = d.baseAddress! + range.lowerBound * data.stride
      let starts = initial ?? model.initialValues
      starts.withUnsafeBufferPointer { s in
        let stride = initial == nil ? 0 : nPar
        let sp = s.baseAddress! + range.lowerBound * stride
        engine.run(rt, count: range.count, options: options, data: { dp + $0 * data.stride }, start: { sp + $0 * stride }) { i, lane, end in
          if end == .converged && rt.lane.positiveDefinite[lane] {
            results.storeLane(rt, lane: lane, at: i, data: dp + i * data.stride, locals: recordsLocals)
          } else {
            results.store(fitGeneral(data, range.lowerBound + i, fixed: fixed, initial: initial), at: i)
          }
        }
      }
    }
    return results
  }

  /// ``fit(data:fixed:initial:)`` for data sets given as arrays; full ``FitResult``s.
  public func fit(data: [[Double]], fixed: [Int: Double] = [:], initial: [[Double]]? = nil) -> [FitResult] {
    let r = fit(DataBatch(model: model, dataSets: data), fixed: fixed, initial: initial.map { $0.flatMap { $0 } })
    return (0..<r.count).map { r[$0] }
  }

  /// ``fit(_:fixed:initial:)`` with the data sets split in contiguous parts over `threads`
  /// threads; the first part runs on this fitter, the others on helper fitters kept for the
  /// next call (same options). The results are in order and do not depend on `threads`.
  public func fit(_ data: DataBatch, fixed: [Int: Double] = [:], initial: [Double]? = nil, threads: Int) -> BatchResults {
    let parts = max(1, min(threads, data.count / 64 + 1))
    if parts == 1 { return fit(data, fixed: fixed, initial: initial) }
    while helpers.count < parts - 1 { helpers.append(BatchFitter(model: model, options: options)) }
    for h in helpers {
      h.options = options
      h.recordsLocals = recordsLocals
    }
    let bounds = (0...parts).map { $0 * data.count / parts }
    let out = PartResults(parts)
    let fitters = UncheckedFitters([self] + helpers)
    DispatchQueue.concurrentPerform(iterations: parts) { k in
      out.set(k, fitters.list[k].fit(data, range: bounds[k]..<bounds[k + 1], fixed: fixed, initial: initial))
    }
    return out.joined(count: data.count, parameterCount: model.parameterCount)
  }

  func freeAndValues(_ fixed: [Int: Double]) -> ([Bool], [Double]) {
    var free = model.fixedByDefault.map { !$0 }
    var values = model.initialValues
    for (p, v) in fixed {
      free[p] = false
      values[p] = v
    }
    return (free, values)
  }

  /// Data set i on the general engine.
  func fitGeneral(_ data: DataBatch, _ i: Int, fixed: [Int: Double], initial: [Double]?) -> FitResult {
    let nPar = model.parameterCount
    // Starting values not recorded (NaN locals of a batch without locals) start at the model's.
    let start = initial.map { all in (0..<nPar).map { p in all[i * nPar + p].isFinite ? all[i * nPar + p] : model.initialValues[p] } }
    let saved = single.fastPath
    single.fastPath = false
    defer { single.fastPath = saved }
    return single.fit(data: Array(data[i]), fixed: fixed, initial: start)
  }
}

extension BatchResults {
  /// Stores the result of lane `lane` (converged on the fast path) as result i.
  mutating func storeLane(_ rt: FastRuntime, lane: Int, at i: Int, data: UnsafePointer<Double>, locals: Bool) {
    twiceNLL[i] = rt.lane.F[lane] + rt.dataConstant[lane]
    converged[i] = true
    iterations[i] = Int32(rt.lane.iterations[lane])
    decrement[i] = rt.lane.decrement[lane]
    let n = parameterCount
    parameters.withUnsafeMutableBufferPointer { p in rt.parameters(lane: lane, data: data, into: p.baseAddress! + i * n, locals: locals) }
  }
}

/// The fitters of a threaded batch: each thread uses only its own (hence `@unchecked`).
private struct UncheckedFitters: @unchecked Sendable {
  let list: [BatchFitter]
  init(_ list: [BatchFitter]) { self.list = list }
}

/// Results of the parts of a threaded batch, each written by one thread.
private final class PartResults: @unchecked Sendable {
  private var parts: [BatchResults?]
  private let lock = NSLock()

  init(_ n: Int) { parts = Array(repeating: nil, count: n) }

  func set(_ k: Int, _ r: BatchResults) {
    lock.lock()
    parts[k] = r
    lock.unlock()
  }

  func joined(count: Int, parameterCount: Int) -> BatchResults {
    var all = BatchResults(count: 0, parameterCount: parameterCount)
    for p in parts { all.append(p!) }
    precondition(all.count == count)
    return all
  }
}
