import Foundation

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
    return fit(data, fixed: fixed, initial: initial, threads: 1)
  }

  /// Data sets `range` of `data` into `slots` (result i at `i`), on this fitter.
  func fit(_ data: DataBatch, range: Range<Int>, fixed: [Int: Double], initial: [Double]?, into slots: inout ResultSlots) {
    let nPar = model.parameterCount
    guard !range.isEmpty else { return }
    let (free, values) = freeAndValues(fixed)
    let rt = free.withUnsafeBufferPointer { f in values.withUnsafeBufferPointer { engine.runtime(free: f.baseAddress!, values: $0.baseAddress!) } }
    guard let rt else {
      for i in range { slots.store(fitGeneral(data, i, fixed: fixed, initial: initial), at: i) }
      return
    }
    data.values.withUnsafeBufferPointer { d in
      let dp = d.baseAddress! + range.lowerBound * data.stride
      let starts = initial ?? model.initialValues
      starts.withUnsafeBufferPointer { s in
        let stride = initial == nil ? 0 : nPar
        let sp = s.baseAddress! + range.lowerBound * stride
        let first = range.lowerBound
        engine.run(
          rt, count: range.count, options: options, extrapolate: !recordsLocals, data: { dp + $0 * data.stride }, start: { sp + $0 * stride }
        ) { i, lane, end in
          if end == .converged && rt.lane.positiveDefinite[lane] {
            slots.storeLane(rt, lane: lane, at: first + i, data: dp + i * data.stride, locals: recordsLocals)
          } else {
            slots.store(fitGeneral(data, first + i, fixed: fixed, initial: initial), at: first + i)
          }
        }
      }
    }
  }

  /// ``fit(data:fixed:initial:)`` for data sets given as arrays; full ``FitResult``s.
  public func fit(data: [[Double]], fixed: [Int: Double] = [:], initial: [[Double]]? = nil) -> [FitResult] {
    let r = fit(DataBatch(model: model, dataSets: data), fixed: fixed, initial: initial.map { $0.flatMap { $0 } })
    return (0..<r.count).map { r[$0] }
  }

  /// ``fit(_:fixed:initial:)`` with the data sets split in contiguous parts over `threads`
  /// threads; the first part runs on this fitter, the others on helper fitters kept for the
  /// next call (same options). Every part writes into the one result allocated here. The
  /// results are in order and do not depend on `threads`.
  public func fit(_ data: DataBatch, fixed: [Int: Double] = [:], initial: [Double]? = nil, threads: Int) -> BatchResults {
    let nPar = model.parameterCount
    if let initial { precondition(initial.count == data.count * nPar, "expected \(data.count * nPar) initial values, got \(initial.count)") }
    for p in fixed.keys { precondition(p >= 0 && p < nPar, "fixed parameter index \(p) out of range") }
    let parts = max(1, min(threads, data.count / 64 + 1))
    while helpers.count < parts - 1 { helpers.append(BatchFitter(model: model, options: options)) }
    for h in helpers {
      h.options = options
      h.recordsLocals = recordsLocals
    }
    let bounds = (0...parts).map { $0 * data.count / parts }
    let fitters = UncheckedFitters([self] + helpers)
    var results = BatchResults(count: data.count, parameterCount: nPar)
    results.withSlots { slots in
      if parts == 1 {
        var own = slots
        fit(data, range: 0..<data.count, fixed: fixed, initial: initial, into: &own)
        return [own.general]
      }
      let general = PartResults(parts)
      DispatchQueue.concurrentPerform(iterations: parts) { k in
        var own = slots
        fitters.list[k].fit(data, range: bounds[k]..<bounds[k + 1], fixed: fixed, initial: initial, into: &own)
        general.set(k, own.general)
      }
      return general.all
    }
    return results
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

/// The fitters of a threaded batch: each thread uses only its own (hence `@unchecked`).
private struct UncheckedFitters: @unchecked Sendable {
  let list: [BatchFitter]
  init(_ list: [BatchFitter]) { self.list = list }
}

/// The general-engine results of the parts of a threaded batch, each written by one thread.
private final class PartResults: @unchecked Sendable {
  private var parts: [[Int: FitResult]]
  private let lock = NSLock()

  init(_ n: Int) { parts = Array(repeating: [:], count: n) }

  func set(_ k: Int, _ r: [Int: FitResult]) {
    lock.lock()
    parts[k] = r
    lock.unlock()
  }

  var all: [[Int: FitResult]] {
    lock.lock()
    defer { lock.unlock() }
    return parts
  }
}
