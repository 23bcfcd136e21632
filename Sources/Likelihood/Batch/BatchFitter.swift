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
    fit(data, fixed: fixed, initial: initial, threads: 1)
  }

  /// ``fit(_:fixed:initial:)`` with the data sets split in contiguous parts over `threads`
  /// threads (see ``fit(_:fixed:start:threads:)``).
  public func fit(_ data: DataBatch, fixed: [Int: Double] = [:], initial: [Double]? = nil, threads: Int) -> BatchResults {
    let nPar = model.parameterCount
    if let initial { precondition(initial.count == data.count * nPar, "expected \(data.count * nPar) initial values, got \(initial.count)") }
    return fit(data, fixed: fixed, starts: initial.map { .each($0) } ?? .model, threads: threads)
  }

  /// Fits every data set of `data` from the same starting values `start` (one value per
  /// parameter; e.g. the parameters toys were generated at), with `fixed` held, on `threads`
  /// threads.
  public func fit(_ data: DataBatch, fixed: [Int: Double] = [:], start: [Double], threads: Int = 1) -> BatchResults {
    precondition(start.count == model.parameterCount, "expected \(model.parameterCount) starting values, got \(start.count)")
    return fit(data, fixed: fixed, starts: .common(start), threads: threads)
  }

  /// Fits the data sets of `previous` (a fit of the same `data`) again with `fixed` held —
  /// e.g. the conditional fits of test statistics after the free fits — each from its previous
  /// best fit. Where the previous fit took the batched path, the start is one Newton step
  /// ahead: the other globals move by the linear response −S_oo⁻¹S_of Δ_f of the previous
  /// profile Hessian S to the change Δ_f of the newly fixed parameters (the first step of the
  /// new fit, without a pass).
  public func fit(_ data: DataBatch, fixed: [Int: Double] = [:], from previous: BatchResults, threads: Int = 1) -> BatchResults {
    precondition(previous.count == data.count, "expected the results of \(data.count) data sets, got \(previous.count)")
    return fit(data, fixed: fixed, starts: .previous(previous), threads: threads)
  }

  /// The data sets split in contiguous parts over `threads` threads; the first part runs on
  /// this fitter, the others on helper fitters kept for the next call (same options). Every
  /// part writes into the one result allocated here. The results are in order and do not
  /// depend on `threads`.
  func fit(_ data: DataBatch, fixed: [Int: Double], starts: BatchStart, threads: Int) -> BatchResults {
    let nPar = model.parameterCount
    for p in fixed.keys { precondition(p >= 0 && p < nPar, "fixed parameter index \(p) out of range") }
    let parts = max(1, min(threads, data.count / 64 + 1))
    while helpers.count < parts - 1 { helpers.append(BatchFitter(model: model, options: options)) }
    for h in helpers {
      h.options = options
      h.recordsLocals = recordsLocals
    }
    let bounds = (0...parts).map { $0 * data.count / parts }
    let fitters = UncheckedFitters([self] + helpers)
    let (free, _) = freeAndValues(fixed)
    let m = model.compiled
    var results = BatchResults(
      count: data.count, parameterCount: nPar, stored: recordsLocals ? nil : m.otherParameters,
      hessianGlobals: (0..<nPar).filter { free[$0] && m.isGlobal[$0] })
    results.withSlots { slots in
      if parts == 1 {
        var own = slots
        fit(data, range: 0..<data.count, fixed: fixed, starts: starts, into: &own)
        return [own.general]
      }
      let general = PartResults(parts)
      DispatchQueue.concurrentPerform(iterations: parts) { k in
        var own = slots
        fitters.list[k].fit(data, range: bounds[k]..<bounds[k + 1], fixed: fixed, starts: starts, into: &own)
        general.set(k, own.general)
      }
      return general.all
    }
    return results
  }

  /// Data sets `range` of `data` into `slots` (result i at `i`), on this fitter.
  func fit(_ data: DataBatch, range: Range<Int>, fixed: [Int: Double], starts: BatchStart, into slots: inout ResultSlots) {
    guard !range.isEmpty else { return }
    let (free, values) = freeAndValues(fixed)
    let starting = StartValues(starts, model: model.compiled, fixed: fixed, values: values)
    let rt = free.withUnsafeBufferPointer { f in values.withUnsafeBufferPointer { engine.runtime(free: f.baseAddress!, values: $0.baseAddress!) } }
    guard let rt else {
      for i in range { slots.store(fitGeneral(data, i, fixed: fixed, start: starting.full(i)), at: i) }
      return
    }
    data.values.withUnsafeBufferPointer { d in
      let dp = d.baseAddress! + range.lowerBound * data.stride
      let first = range.lowerBound
      engine.run(
        rt, count: range.count, options: options, extrapolate: !recordsLocals, data: { dp + $0 * data.stride },
        constant: { data.constants[first + $0] }, start: { starting.pointer(first + $0) }
      ) { i, lane, end in
        if end == .converged && rt.lane.positiveDefinite[lane] {
          slots.storeLane(rt, lane: lane, at: first + i, data: dp + i * data.stride, constant: data.constants[first + i])
        } else {
          slots.store(fitGeneral(data, first + i, fixed: fixed, start: starting.full(first + i)), at: first + i)
        }
      }
    }
  }

  /// ``fit(data:fixed:initial:)`` for data sets given as arrays; full ``FitResult``s.
  public func fit(data: [[Double]], fixed: [Int: Double] = [:], initial: [[Double]]? = nil) -> [FitResult] {
    let r = fit(DataBatch(model: model, dataSets: data), fixed: fixed, initial: initial.map { $0.flatMap { $0 } })
    return (0..<r.count).map { r[$0] }
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

  /// Data set i on the general engine, from `start` (NaN entries, parameters a batch did not
  /// record, from the model's initial values).
  func fitGeneral(_ data: DataBatch, _ i: Int, fixed: [Int: Double], start: [Double]?) -> FitResult {
    let start = start.map { s in s.indices.map { s[$0].isFinite ? s[$0] : model.initialValues[$0] } }
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
