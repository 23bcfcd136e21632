import Experiment
import Foundation
import GSL
import Generator
import Inference
import Likelihood
import _Support

/// The look-elsewhere effect (DESIGN.md): N background-only toy scans of the whole spectrum, each
/// toy one full-spectrum pseudo-data set (Poisson counts in every global cell) binned into every
/// window and fitted there; the distribution of the largest local significance Z = √q0 gives the
/// global p-value of an observed local significance, and the up-crossings of q0(M) above a low
/// threshold u0 give the Gross–Vitells estimate (arXiv:1005.1891, one degree of freedom):
///
///     p_global ≈ p_local + ⟨N(u0)⟩ · e^(−(u − u0)/2),   u = Z²,
///
/// with ⟨N(u0)⟩ the mean number of up-crossings of u0 per toy scan. The auxiliary data of the
/// window likelihoods stay at their nominal values (they are constraints of the model, not
/// measured spectra).
public struct LookElsewhereStudy: Sendable {
  public struct Settings: Sendable {
    public var toys = 1000
    /// Toys per task (checkpoint granularity).
    public var blockSize = 10
    /// Thresholds u0 = Z² for the up-crossings.
    public var thresholds: [Double] = [0.5, 1, 2]
    public var masses = MassSelection("all")
    public init() {}
  }

  /// One toy scan.
  public struct ToyScan: Codable, Sendable, Equatable {
    public var toy: Int
    /// The largest local significance and the hypothesis where it occurs.
    public var maxZ: Double
    public var maxIndex: Int
    /// Up-crossings of q0(M) above each threshold, in the order of the settings' thresholds.
    public var upcrossings: [Int]
    public var failedFits: Int

    enum CodingKeys: String, CodingKey {
      case toy, maxZ = "max_local_z", maxIndex = "max_index", upcrossings, failedFits = "failed_fits"
    }
  }

  public let analysis: Analysis
  public let settings: Settings
  public let indices: [Int]
  /// One model per window (data are replaced per toy).
  public let models: [Model]
  let windows: [WindowBinning.Window]
  let expectedCells: PoissonTables

  public init(analysis: Analysis, settings: Settings, threads: Int) throws {
    self.analysis = analysis
    self.settings = settings
    indices = try settings.masses.indices(in: analysis.grid)
    let a = analysis
    let idx = indices
    models = try Parallel.map(count: idx.count, threads: threads, makeState: { () }) { j, _ in
      let w = try a.window(idx[j])
      return try Model(workspace: w.workspace(observations: w.totalBackground))
    }
    windows = indices.map { analysis.detector.binning.window($0) }
    expectedCells = PoissonTables(means: analysis.expectedCells)
  }

  public var taskCount: Int { (settings.toys + settings.blockSize - 1) / settings.blockSize }

  /// Per-thread state: one ProfileLikelihood per window, and scratch.
  public final class State {
    let profiles: [ProfileLikelihood]
    var data: [[Double]]
    init(models: [Model]) throws {
      profiles = try models.map { try ProfileLikelihood(model: $0) }
      data = models.map(\.observedData)
    }
  }

  public func makeState() throws -> State { try State(models: models) }

  /// Local q0 in every selected window for one full-spectrum data set.
  public func scanQ0(_ spectrum: SpectrumData, state: State) -> (q0: [Double], muHat: [Double], failed: Int) {
    var q = [Double](repeating: 0, count: models.count)
    var mu = [Double](repeating: 0, count: models.count)
    var failed = 0
    let binning = analysis.detector.binning
    for j in 0..<models.count {
      let nMain = models[j].mainBinCount
      let counts: [Double]
      switch spectrum {
      case .cells(let c): counts = binning.windowCounts(windows[j], cells: c)
      case .events(let e):
        counts = e.reduce(into: [Double](repeating: 0, count: nMain)) { acc, ev in
          if let k = windows[j].bin(m2: ev.m2, cosTheta: ev.cosThetaCM) { acc[k] += 1 }
        }
      }
      for b in 0..<nMain { state.data[j][b] = counts[b] }
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

  /// Task t: toys [t·block, min((t+1)·block, toys)).
  public func run(task t: Int, seed: UInt64, state: State) -> [ToyScan] {
    let lo = t * settings.blockSize, hi = min(settings.toys, lo + settings.blockSize)
    return (lo..<hi).map { toy in
      let data = SpectrumData.pseudoData(cells: expectedCells, seed: seed, study: .lee, toy: toy)
      let (q, _, failed) = scanQ0(data, state: state)
      var best = 0
      for k in q.indices where q[k] > q[best] { best = k }
      return ToyScan(toy: toy, maxZ: q[best].squareRoot(), maxIndex: indices[best],
                     upcrossings: settings.thresholds.map { Self.upcrossings(q, threshold: $0) }, failedFits: failed)
    }
  }

  public func identity(config: ExperimentConfig, seed: UInt64) -> StudyIdentity {
    StudyIdentity(study: "lee", configuration: config.name, configurationSHA256: SHA256.hex(config.sourceText), seed: seed,
                  settings: ["toys": "\(settings.toys)", "block_size": "\(settings.blockSize)", "masses": settings.masses.spec,
                             "thresholds": settings.thresholds.map { "\($0)" }.joined(separator: ","),
                             "mc_seed": "\(analysis.settings.seed)", "mc_signal_events": "\(analysis.settings.signalEvents)",
                             "mc_background_events": "\(analysis.settings.backgroundEvents)"],
                  totalTasks: taskCount)
  }
}

/// The global significance of an observed local one.
public struct GlobalSignificance: Codable, Sendable, Equatable {
  public var localZ: Double
  public var localP: Double
  public var globalP: Double
  /// Binomial standard error of the global p-value from the toy count.
  public var globalPUncertainty: Double
  public var globalZ: Double
  /// 68% range of the global Z from the binomial uncertainty.
  public var globalZRange: [Double]
  public var trialsFactor: Double
  public var toys: Int
  public var toysAbove: Int
  /// True when no toy reached the observed Z: global_p is then below 1/toys and global_z is the
  /// lower bound Z(1/toys).
  public var globalZIsLowerBound: Bool
  public var grossVitells: GrossVitells
  public var grossVitellsByThreshold: [GrossVitells]

  enum CodingKeys: String, CodingKey {
    case localZ = "local_z", localP = "local_p", globalP = "global_p", globalPUncertainty = "global_p_uncertainty"
    case globalZ = "global_z", globalZRange = "global_z_range", trialsFactor = "trials_factor", toys, toysAbove = "toys_above"
    case globalZIsLowerBound = "global_z_is_lower_bound", grossVitells = "gross_vitells"
    case grossVitellsByThreshold = "gross_vitells_by_threshold"
  }
}

public struct GrossVitells: Codable, Sendable, Equatable {
  public var threshold: Double
  public var meanUpcrossings: Double
  public var meanUpcrossingsUncertainty: Double
  public var globalP: Double
  public var globalPUncertainty: Double
  public var globalZ: Double

  enum CodingKeys: String, CodingKey {
    case threshold = "u0", meanUpcrossings = "mean_upcrossings", meanUpcrossingsUncertainty = "mean_upcrossings_uncertainty"
    case globalP = "global_p", globalPUncertainty = "global_p_uncertainty", globalZ = "global_z"
  }

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
  public static func compute(localZ z: Double, scans: [LookElsewhereStudy.ToyScan], thresholds: [Double]) -> GlobalSignificance {
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

/// The `zptoys lee` result file.
public struct LookElsewhereOutput: StudyOutput {
  public static let studyName = "lee"
  public var header: StudyHeader
  /// One entry per toy scan, in toy order.
  public var toys: [LookElsewhereStudy.ToyScan]
  public var taskBlocks: [[LookElsewhereStudy.ToyScan]]
  /// The observed local significance being assessed (nil when none was given).
  public var observed: GlobalSignificance?
  /// Histogram of the largest local Z: bin edges and counts.
  public var maxZEdges: [Double]
  public var maxZCounts: [Int]
  public var thresholds: [Double]

  public var taskResults: [[LookElsewhereStudy.ToyScan]] { taskBlocks }

  public static func assemble(header: StudyHeader, results: [[LookElsewhereStudy.ToyScan]]) throws -> LookElsewhereOutput {
    let scans = results.flatMap { $0 }
    let thresholds = (header.identity.settings["thresholds"] ?? "").split(separator: ",").compactMap { Double($0) }
    let z = header.identity.settings["observed_z"].flatMap(Double.init)
    let edges = stride(from: 0.0, through: 6.0, by: 0.1).map { $0 }
    var counts = [Int](repeating: 0, count: edges.count - 1)
    for s in scans {
      let b = min(counts.count - 1, max(0, Int(s.maxZ / 0.1)))
      counts[b] += 1
    }
    return LookElsewhereOutput(
      header: header, toys: scans, taskBlocks: results,
      observed: z.map { GlobalSignificance.compute(localZ: $0, scans: scans, thresholds: thresholds) },
      maxZEdges: edges, maxZCounts: counts, thresholds: thresholds)
  }

  enum CodingKeys: String, CodingKey {
    case toys, observed, maxZEdges = "max_local_z_edges", maxZCounts = "max_local_z_counts", thresholds
    case localZ = "local_z", globalP = "global_p", globalZ = "global_z", trialsFactor = "trials_factor", grossVitells = "gross_vitells"
    case blockSize = "block_size"
  }

  public init(header: StudyHeader, toys: [LookElsewhereStudy.ToyScan], taskBlocks: [[LookElsewhereStudy.ToyScan]],
              observed: GlobalSignificance?, maxZEdges: [Double], maxZCounts: [Int], thresholds: [Double]) {
    self.header = header
    self.toys = toys
    self.taskBlocks = taskBlocks
    self.observed = observed
    self.maxZEdges = maxZEdges
    self.maxZCounts = maxZCounts
    self.thresholds = thresholds
  }

  public init(from decoder: any Decoder) throws {
    header = try StudyHeader(from: decoder)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    toys = try c.decode([LookElsewhereStudy.ToyScan].self, forKey: .toys)
    observed = try c.decodeIfPresent(GlobalSignificance.self, forKey: .observed)
    maxZEdges = try c.decode([Double].self, forKey: .maxZEdges)
    maxZCounts = try c.decode([Int].self, forKey: .maxZCounts)
    thresholds = try c.decode([Double].self, forKey: .thresholds)
    // Tasks are blocks of consecutive toys: regroup them by task.
    let block = Int(header.identity.settings["block_size"] ?? "") ?? 1
    var groups: [Int: [LookElsewhereStudy.ToyScan]] = [:]
    for t in toys { groups[t.toy / max(block, 1), default: []].append(t) }
    taskBlocks = header.tasks.map { groups[$0] ?? [] }
  }

  public func encode(to encoder: any Encoder) throws {
    try header.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(toys, forKey: .toys)
    try c.encode(observed, forKey: .observed)
    try c.encode(maxZEdges, forKey: .maxZEdges)
    try c.encode(maxZCounts, forKey: .maxZCounts)
    try c.encode(thresholds, forKey: .thresholds)
    // The contract's keys at the top level (null without an observed significance).
    try c.encode(observed?.localZ, forKey: .localZ)
    try c.encode(observed?.globalP, forKey: .globalP)
    try c.encode(observed?.globalZ, forKey: .globalZ)
    try c.encode(observed?.trialsFactor, forKey: .trialsFactor)
    try c.encode(observed?.grossVitells, forKey: .grossVitells)
  }
}
