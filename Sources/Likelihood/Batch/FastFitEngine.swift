import CLaneMath
import Foundation

/// How a lane's fit ended.
enum LaneEnd {
  /// A minimum: read the result from the lane.
  case converged
  /// Refit on the general engine (a closed form failed at the start, no descent, too many
  /// iterations, or data the fast structure cannot take).
  case fallback
}

/// The fits of windows with the fast structure (``FastStructure``) on lanes of Lanes: every lane
/// fits its own data set; a lane whose fit ends takes the next data set at once, so a data set
/// that needs more iterations never holds the others back. Keeps the runtimes of the last few
/// sets of free parameters and fixed values (free and conditional fits alternate). One per
/// thread.
final class FastFitEngine {
  let m: CompiledModel
  private var cache: [(free: [Bool], values: [Double], runtime: FastRuntime?)] = []
  private static var cacheSize: Int { 4 }

  init(model: CompiledModel) { m = model }

  /// The runtime of the fast structure for free parameters `free` and values `x` of the fixed
  /// ones; nil when the fit does not have the fast structure.
  func runtime(free: UnsafePointer<Bool>, values x: UnsafePointer<Double>) -> FastRuntime? {
    let n = m.parameterCount
    let f = Array(UnsafeBufferPointer(start: free, count: n))
    // The key: which parameters are free, and the values of the fixed ones folded into the
    // structure (fixed parameters of several bins are set per fit instead).
    var values = [Double](repeating: .nan, count: n)
    for p in 0..<n where !f[p] && !m.isGlobal[p] { values[p] = x[p] }
    var base = Array(UnsafeBufferPointer(start: x, count: n))
    for p in 0..<n where f[p] { base[p] = m.initialValues[p] }
    if let i = cache.firstIndex(where: { $0.free == f && Self.sameValues($0.values, values) }) {
      let entry = cache.remove(at: i)
      cache.insert(entry, at: 0)
      entry.runtime?.setFixedValues(base)
      return entry.runtime
    }
    let runtime = FastStructure(model: m, free: f, values: base).map { FastRuntime(model: m, structure: $0) }
    cache.insert((f, values, runtime), at: 0)
    if cache.count > Self.cacheSize { cache.removeLast() }
    return runtime
  }

  private static func sameValues(_ a: [Double], _ b: [Double]) -> Bool {
    for i in a.indices where !(a[i] == b[i] || (a[i].isNaN && b[i].isNaN)) { return false }
    return true
  }

  /// Fits data sets 0 ..< count through the lanes. `data(i)` gives data set i (main then
  /// auxiliary data), `start(i)` its starting parameter values; `finish(i, lane, end)` is called
  /// once per data set as soon as its lane ends (before the lane is reused: read the result
  /// from `runtime` then).
  ///
  /// With `extrapolate` the last Newton step of a fit is taken without a pass (fits whose
  /// per-bin parameters are not recorded; see ``LaneNewtonState``).
  func run(
    _ rt: FastRuntime, count: Int, options: FitOptions, extrapolate: Bool = false, data: (Int) -> UnsafePointer<Double>,
    constant: (Int) -> Double, start: (Int) -> UnsafePointer<Double>, finish: (Int, Int, LaneEnd) -> Void
  ) {
    let lanes = Lanes.scalarCount
    var job = [Int](repeating: -1, count: lanes)
    var next = 0
    let bytes = (m.mainCount + m.auxCount) * MemoryLayout<Double>.stride
    func fill(_ j: Int) {
      while next < count {
        let i = next
        next += 1
        // The next data set's lines are fetched while this one is fitted.
        if next < count { clm_prefetch(data(next), bytes) }
        if rt.load(lane: j, data: data(i), start: start(i), constant: constant(i)) {
          rt.restart(lane: j)
          job[j] = i
          return
        }
        finish(i, j, .fallback)
      }
      job[j] = -1
      rt.idle(lane: j)
    }
    for j in 0..<lanes { fill(j) }
    while anyLane(rt.live) {
      rt.pass(log: rt.needsLogarithms)
      let outcome = rt.newtonStep(tolerance: options.tolerance, maxIterations: options.maxIterations, extrapolate: extrapolate)
      guard anyLane(outcome.converged .| outcome.fallback) else { continue }
      for j in 0..<lanes where job[j] >= 0 && (outcome.converged[j] || outcome.fallback[j]) {
        finish(job[j], j, outcome.converged[j] ? .converged : .fallback)
        fill(j)
      }
    }
  }

  /// A fit of the data and start loaded in `general` on one lane; nil when the fit does not
  /// have the fast structure or the lane falls back (the general fitter then fits it), or the
  /// end point needs the convergence check's restarts.
  func fitOne(general g: GeneralFitter) -> FitResult? {
    guard let rt = runtime(free: g.free, values: g.x) else { return nil }
    let nMain = m.mainCount
    var d = [Double](repeating: 0, count: nMain + m.auxCount)
    for b in 0..<nMain { d[b] = g.n[b] }
    for a in 0..<m.auxCount { d[nMain + a] = g.aux[a] }
    var result: FitResult?
    d.withUnsafeBufferPointer { dp in
      let data = dp.baseAddress!
      let constant = m.dataConstant(data)
      run(rt, count: 1, options: g.options, data: { _ in data }, constant: { _ in constant }, start: { _ in UnsafePointer(g.x) }) { _, lane, end in
        guard end == .converged, rt.lane.positiveDefinite[lane] else { return }
        rt.parameters(lane: lane, data: data, into: g.x)
        result = rt.result(lane: lane, parameters: Array(UnsafeBufferPointer(start: g.x, count: m.parameterCount)))
      }
    }
    guard var r = result else { return nil }
    if g.options.computeUncertainties {
      g.prepareStructure()
      r.uncertainties = g.computeUncertainties()
    }
    return r
  }
}

extension FastRuntime {
  /// Starts lane j's fit at its loaded start (the next pass evaluates it).
  func restart(lane j: Int) {
    lane.starting[j] = true
    lane.searching[j] = false
    lane.needBase[j] = false
    lane.fValid[j] = false
    lane.F[j] = .infinity
    lane.fNoLog[j] = .infinity
    lane.shift[j] = 0
    lane.alpha[j] = 1
    lane.decrement[j] = .infinity
    lane.iterations[j] = 0
    for i in 0..<G { xt[i][j] = lane.x[i][j] }
  }

  /// Lane j without a data set: empty bins keep its passes cheap and harmless.
  func idle(lane j: Int) {
    live[j] = false
    let n = scalars(laneN), w = scalars(laneW)
    for i in 0..<mainLoads {
      n[i &* Lanes.scalarCount &+ j] = 0
      w[i &* Lanes.scalarCount &+ j] = 1
    }
    lane.starting[j] = true
    lane.searching[j] = false
    lane.needBase[j] = false
  }

  /// The fit result of lane j (converged), with its parameters.
  func result(lane j: Int, parameters: [Double]) -> FitResult {
    FitResult(
      parameters: parameters, twiceNLL: finalF(lane: j) + dataConstant[j],
      uncertainties: [Double](repeating: .nan, count: m.parameterCount), converged: true,
      iterations: Int(lane.iterations[j]), newtonDecrement: lane.decrement[j], method: "newton (batched)")
  }
}
