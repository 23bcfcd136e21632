import Experiment
import Foundation
import GSL
import Generator
import Inference
import Likelihood
import Results
import _Support

/// The look-elsewhere effect: N background-only toys, each one data set of the observations the
/// hypotheses share (the full spectrum: Poisson counts in every global cell, binned into every
/// search window; or the main bins of a published likelihood, which every patch fits) fitted by
/// every hypothesis; the distribution of the largest local significance Z = √q0 gives the global
/// p-value of an observed local significance, and the up-crossings of q0 above a low threshold
/// u0 along the hypotheses' order give the Gross–Vitells estimate (arXiv:1005.1891, one degree
/// of freedom):
///
///     p_global ≈ p_local + ⟨N(u0)⟩ · e^(−(u − u0)/2),   u = Z²,
///
/// with ⟨N(u0)⟩ the mean number of up-crossings of u0 per toy. The auxiliary data of the
/// likelihoods stay at their nominal values (they are constraints of the model, not measured
/// spectra).
public struct LookElsewhereStudy: Sendable {
  public let hypotheses: any HypothesisSet
  public private(set) var settings: LookElsewhereSettings
  /// One model per hypothesis (data are replaced per toy).
  public let models: [Model]
  let expectedCells: PoissonTables

  public init(hypotheses: any HypothesisSet, settings: LookElsewhereSettings, threads: Int) throws {
    self.hypotheses = hypotheses
    self.settings = settings
    let set = hypotheses
    models = try Parallel.map(count: set.count, threads: threads, makeState: { () }) { j, _ in try set.model(j, data: nil).model }
    expectedCells = PoissonTables(means: try hypotheses.sharedExpectation())
  }

  /// The search windows of `analysis` that `settings.masses` selects.
  public init(analysis: Analysis, settings: LookElsewhereSettings, threads: Int) throws {
    try self.init(hypotheses: try WindowHypotheses(analysis: analysis, masses: settings.masses), settings: settings, threads: threads)
  }

  public var taskCount: Int { (settings.toys + settings.blockSize - 1) / settings.blockSize }

  /// Per-thread state: per hypothesis a batch fitter (the toys of a task), a ProfileLikelihood
  /// (single data sets, and the rare refits), and scratch.
  public final class State {
    let profiles: [ProfileLikelihood]
    let fitters: [BatchFitter]
    var batches: [DataBatch]
    var data: [[Double]]
    init(models: [Model]) throws {
      profiles = try models.map { try ProfileLikelihood(model: $0) }
      fitters = models.map { m in
        let f = BatchFitter(model: m)
        f.recordsLocals = false
        return f
      }
      batches = models.map { DataBatch(model: $0) }
      data = models.map(\.observedData)
    }
  }

  public func makeState() throws -> State { try State(models: models) }

  /// Local q0 of every hypothesis for one shared data set.
  public func scanQ0(_ spectrum: SpectrumData, state: State) throws -> (q0: [Double], muHat: [Double], failed: Int) {
    var q = [Double](repeating: 0, count: models.count)
    var mu = [Double](repeating: 0, count: models.count)
    var failed = 0
    for j in 0..<models.count {
      let counts = try hypotheses.observations(j, shared: spectrum)
      for b in 0..<models[j].mainBinCount { state.data[j][b] = counts[b] }
      let p = state.profiles[j]
      let free = p.freeFit(state.data[j])
      let muHat = free.parameters[p.poiIndex]
      mu[j] = muHat
      if !free.converged { failed += 1 }
      // q0 = 0 when µ̂ ≤ 0 (Eq. 12); with the POI bounded at 0 the free fit is then the µ = 0 fit.
      if muHat <= 0 { continue }
      let v = p.evaluate(.q0, poi: 0, data: state.data[j], free: free)
      if !v.conditional.converged || !v.value.isFinite { failed += 1 }
      q[j] = v.value.isFinite ? v.value : 0
    }
    return (q, mu, failed)
  }

  /// Up-crossings of `threshold` by the sequence q0 over the mass-ordered windows.
  public static func upcrossings(_ q: [Double], threshold u0: Double) -> Int {
    var n = 0
    for k in 1..<max(q.count, 1) where q[k - 1] < u0 && q[k] >= u0 { n += 1 }
    return n
  }

  /// Local q0 of every hypothesis for several data sets at once: per hypothesis, the data sets
  /// are fitted together on the batched fitter (free fits from the model's initial values, fits
  /// at µ = 0 from the free ones), so that the SIMD lanes are filled with toys rather than one
  /// data set per fit. A data set whose µ = 0 fit ends below its free fit has its free fit redone
  /// (``Inference/ProfileLikelihood/consistentFree(_:_:_:)``), as in ``scanQ0(_:state:)``.
  /// Element-wise fits: each data set's q0 does not depend on the others in the batch.
  public func scanQ0(batch spectra: [SpectrumData], state: State) throws -> [(q0: [Double], failed: Int)] {
    var q = [[Double]](repeating: [Double](repeating: 0, count: models.count), count: spectra.count)
    var failed = [Int](repeating: 0, count: spectra.count)
    for j in 0..<models.count {
      let main = models[j].mainBinCount, p = state.profiles[j]
      state.batches[j].removeAll()
      for s in spectra {
        let counts = try hypotheses.observations(j, shared: s)
        for b in 0..<main { state.data[j][b] = counts[b] }
        state.batches[j].append(state.data[j])
      }
      let fits = p.fits(state.batches[j], fitter: state.fitters[j], poi: 0)
      for i in spectra.indices {
        if !fits.freeOK[i] { failed[i] += 1 }
        // q0 = 0 when µ̂ ≤ 0 (Eq. 12); with the POI bounded at 0 the free fit is then the µ = 0 fit.
        guard fits.muHat[i] > 0 else { continue }
        let v = fits.value(.q0, i)
        if !fits.conditional.converged[i] || !v.isFinite { failed[i] += 1 }
        q[i][j] = v.isFinite ? v : 0
      }
    }
    return zip(q, failed).map { ($0, $1) }
  }

  /// Task t: toys [t·block, min((t+1)·block, toys)), scanned together (``scanQ0(batch:state:)``).
  public func run(task t: Int, seed: UInt64, state: State) throws -> [ToyScan] {
    let lo = t * settings.blockSize, hi = min(settings.toys, lo + settings.blockSize)
    let spectra = (lo..<hi).map { SpectrumData.pseudoData(cells: expectedCells, seed: seed, study: .lee, toy: $0) }
    return try zip(lo..<hi, scanQ0(batch: spectra, state: state)).map { toy, scan in
      let q = scan.q0
      var best = 0
      for k in q.indices where q[k] > q[best] { best = k }
      return ToyScan(toy: toy, maxZ: q[best].squareRoot(), maxIndex: hypotheses.label(best).index,
                     upcrossings: settings.thresholds.map { Self.upcrossings(q, threshold: $0) }, failedFits: scan.failed)
    }
  }

  public func identity(seed: UInt64, data: String) -> StudyIdentity {
    hypotheses.identity(settings, seed: seed, data: data, tasks: taskCount)
  }

  /// The same study assessing another observed local significance (the models are shared).
  public func assessing(observedZ z: Double?) -> LookElsewhereStudy {
    var copy = self
    copy.settings.observedZ = z
    return copy
  }

  /// The largest local significance of one data set over the hypotheses, and where it is.
  public func largestExcess(_ data: SpectrumData) throws -> (z: Double, at: HypothesisLabel) {
    let (q, _, _) = try scanQ0(data, state: try makeState())
    var best = 0
    for k in q.indices where q[k] > q[best] { best = k }
    return (q[best].squareRoot(), hypotheses.label(best))
  }

  /// The largest local significance of the hypotheses' own data (a published likelihood's), and
  /// where it is.
  public func largestOwnExcess() throws -> (z: Double, at: HypothesisLabel) {
    let state = try makeState()
    var best = (z: 0.0, at: hypotheses.label(0))
    for j in 0..<models.count {
      let p = state.profiles[j]
      let free = p.freeFit(models[j].observedData)
      guard free.parameters[p.poiIndex] > 0 else { continue }
      let v = p.evaluate(.q0, poi: 0, data: models[j].observedData, free: free)
      if v.value.isFinite, v.value.squareRoot() > best.z { best = (v.value.squareRoot(), hypotheses.label(j)) }
    }
    return best
  }
}

extension GrossVitells {
  /// p_global ≈ p_local + ⟨N(u0)⟩ e^{−(u − u0)/2} (one degree of freedom: p_local = Φ(−Z)).
  public static func estimate(localZ z: Double, threshold u0: Double, upcrossings: [Int]) -> GrossVitells {
    let n = Double(upcrossings.count)
    let mean = upcrossings.reduce(0) { $0 + Double($1) } / max(n, 1)
    let variance = upcrossings.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / max(n - 1, 1)
    let se = (variance / max(n, 1)).squareRoot()
    let u = z * z
    let factor = exp(-(u - u0) / 2)
    let p = min(1, Normal.survival(z) + mean * factor)
    return GrossVitells(threshold: u0, meanUpcrossings: mean, meanUpcrossingsUncertainty: se, globalP: p,
                        globalPUncertainty: se * factor, globalZ: Normal.survivalQuantile(min(max(p, 1e-300), 1 - 1e-16)))
  }
}

extension GlobalSignificance {
  public static func compute(localZ z: Double, scans: [ToyScan], thresholds: [Double]) -> GlobalSignificance {
    let n = scans.count
    let above = scans.filter { $0.maxZ >= z }.count
    let p = Double(above) / Double(max(n, 1))
    let se = (p * (1 - p) / Double(max(n, 1))).squareRoot()
    let localP = Normal.survival(z)
    // Z of a p-value, finite for every p in [0, 1] (JSON has no infinities).
    func zOf(_ p: Double) -> Double { Normal.survivalQuantile(min(max(p, 1e-300), 1 - 1e-16)) }
    // Gross–Vitells at every threshold; the headline uses the highest threshold that still has
    // at least 5 up-crossings per scan on average (the estimate is asymptotic in u0, its
    // statistical error grows as ⟨N(u0)⟩ falls).
    let byThreshold = thresholds.indices.map { k in
      GrossVitells.estimate(localZ: z, threshold: thresholds[k], upcrossings: scans.map { $0.upcrossings.count > k ? $0.upcrossings[k] : 0 })
    }
    let gv = byThreshold.filter { $0.meanUpcrossings >= 5 }.max { $0.threshold < $1.threshold }
      ?? byThreshold.min { $0.threshold < $1.threshold }
      ?? GrossVitells.estimate(localZ: z, threshold: 1, upcrossings: [])
    let bound = above == 0
    let pForZ = bound ? 1 / Double(max(n, 1)) : p
    return GlobalSignificance(localZ: z, localP: localP, globalP: p, globalPUncertainty: se, globalZ: zOf(pForZ),
                              globalZRange: [zOf(min(1, pForZ + se)), zOf(max(0, p - se))], trialsFactor: pForZ / localP,
                              toys: n, toysAbove: above, globalZIsLowerBound: bound, grossVitells: gv,
                              grossVitellsByThreshold: byThreshold)
  }
}

extension LookElsewhereFile: StudyOutput {
  public static func assemble(header: StudyHeader, results: [[ToyScan]]) throws -> LookElsewhereFile {
    guard let settings = header.identity.settings.value(as: LookElsewhereSettings.self) else { throw StudyError("not a look-elsewhere header") }
    let scans = results.flatMap { $0 }
    let edges = stride(from: 0.0, through: 6.0, by: 0.1).map { $0 }
    var counts = [Int](repeating: 0, count: edges.count - 1)
    for s in scans {
      let b = min(counts.count - 1, max(0, Int(s.maxZ / 0.1)))
      counts[b] += 1
    }
    return LookElsewhereFile(
      header: header, toys: scans,
      observed: settings.observedZ.map { GlobalSignificance.compute(localZ: $0, scans: scans, thresholds: settings.thresholds) },
      maxZEdges: edges, maxZCounts: counts, thresholds: settings.thresholds)
  }
}

extension StreamKey.Study {
  /// The look-elsewhere toy scans: one full-spectrum pseudo-data set per toy.
  public static let lee: StreamKey.Study = 6
}
