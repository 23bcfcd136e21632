/// The settings of a look-elsewhere study (`zptoys lee`).
public struct LookElsewhereSettings: StudySettings {
  public static let study: StudyKind = "lee"

  /// Toy scans of the whole spectrum.
  public var toys: Int
  /// Toys per task (checkpoint and shard granularity).
  public var blockSize: Int
  /// The hypotheses scanned in every toy.
  public var masses: String
  /// Up-crossing thresholds u0 = Z² for Gross–Vitells.
  public var thresholds: [Double]
  /// The observed local significance assessed (null: none).
  @Nullable public var observedZ: Double?
  /// How the local significances are computed (asymptotic: Z = √q0).
  public var method: LimitMethod

  public init(toys: Int = 1000, blockSize: Int = 10, masses: String = "all", thresholds: [Double] = [0.5, 1, 2], observedZ: Double? = nil,
              method: LimitMethod = .asymptotic) {
    self.toys = toys
    self.blockSize = blockSize
    self.masses = masses
    self.thresholds = thresholds
    self.observedZ = observedZ
    self.method = method
  }

  enum CodingKeys: String, CodingKey { case toys, blockSize = "block_size", masses, thresholds, observedZ = "observed_z", method }

}

/// One toy scan of the whole spectrum.
public struct ToyScan: Codable, Sendable, Equatable {
  public var toy: Int
  /// The largest local significance and the hypothesis where it occurs.
  public var maxZ: Double
  public var maxIndex: Int
  /// Up-crossings of q0(M) above each threshold, in the order of the settings' thresholds.
  public var upcrossings: [Int]
  public var failedFits: Int

  public init(toy: Int, maxZ: Double, maxIndex: Int, upcrossings: [Int], failedFits: Int) {
    self.toy = toy
    self.maxZ = maxZ
    self.maxIndex = maxIndex
    self.upcrossings = upcrossings
    self.failedFits = failedFits
  }

  enum CodingKeys: String, CodingKey {
    case toy, maxZ = "max_local_z", maxIndex = "max_index", upcrossings, failedFits = "failed_fits"
  }
}

/// The Gross–Vitells estimate at one threshold (arXiv:1005.1891).
public struct GrossVitells: Codable, Sendable, Equatable {
  public var threshold: Double
  public var meanUpcrossings: Double
  public var meanUpcrossingsUncertainty: Double
  public var globalP: Double
  public var globalPUncertainty: Double
  public var globalZ: Double

  public init(threshold: Double, meanUpcrossings: Double, meanUpcrossingsUncertainty: Double, globalP: Double,
              globalPUncertainty: Double, globalZ: Double) {
    self.threshold = threshold
    self.meanUpcrossings = meanUpcrossings
    self.meanUpcrossingsUncertainty = meanUpcrossingsUncertainty
    self.globalP = globalP
    self.globalPUncertainty = globalPUncertainty
    self.globalZ = globalZ
  }

  enum CodingKeys: String, CodingKey {
    case threshold = "u0", meanUpcrossings = "mean_upcrossings", meanUpcrossingsUncertainty = "mean_upcrossings_uncertainty"
    case globalP = "global_p", globalPUncertainty = "global_p_uncertainty", globalZ = "global_z"
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

  public init(localZ: Double, localP: Double, globalP: Double, globalPUncertainty: Double, globalZ: Double, globalZRange: [Double],
              trialsFactor: Double, toys: Int, toysAbove: Int, globalZIsLowerBound: Bool, grossVitells: GrossVitells,
              grossVitellsByThreshold: [GrossVitells]) {
    self.localZ = localZ
    self.localP = localP
    self.globalP = globalP
    self.globalPUncertainty = globalPUncertainty
    self.globalZ = globalZ
    self.globalZRange = globalZRange
    self.trialsFactor = trialsFactor
    self.toys = toys
    self.toysAbove = toysAbove
    self.globalZIsLowerBound = globalZIsLowerBound
    self.grossVitells = grossVitells
    self.grossVitellsByThreshold = grossVitellsByThreshold
  }

  enum CodingKeys: String, CodingKey {
    case localZ = "local_z", localP = "local_p", globalP = "global_p", globalPUncertainty = "global_p_uncertainty"
    case globalZ = "global_z", globalZRange = "global_z_range", trialsFactor = "trials_factor", toys, toysAbove = "toys_above"
    case globalZIsLowerBound = "global_z_is_lower_bound", grossVitells = "gross_vitells"
    case grossVitellsByThreshold = "gross_vitells_by_threshold"
  }
}

/// The `zptoys lee` result file: the toy scans, the histogram of their largest local Z and the
/// global significance of the observed local Z; the contract's keys (`local_z`, `global_p`,
/// `global_z`, `trials_factor`, `gross_vitells`) also at the top level (null without an observed
/// significance).
public struct LookElsewhereFile: StudyFile {
  public typealias Settings = LookElsewhereSettings
  public var header: StudyHeader
  /// One entry per toy scan, in toy order.
  public var toys: [ToyScan]
  /// The observed local significance being assessed (nil when none was given).
  public var observed: GlobalSignificance?
  /// Histogram of the largest local Z: bin edges and counts.
  public var maxZEdges: [Double]
  public var maxZCounts: [Int]
  public var thresholds: [Double]

  public init(header: StudyHeader, toys: [ToyScan], observed: GlobalSignificance?, maxZEdges: [Double], maxZCounts: [Int], thresholds: [Double]) {
    self.header = header
    self.toys = toys
    self.observed = observed
    self.maxZEdges = maxZEdges
    self.maxZCounts = maxZCounts
    self.thresholds = thresholds
  }


  /// Tasks are blocks of consecutive toys: the toys regrouped by task.
  public var taskResults: [[ToyScan]] {
    let block = max(settings.blockSize, 1)
    var groups: [Int: [ToyScan]] = [:]
    for t in toys { groups[t.toy / block, default: []].append(t) }
    return header.tasks.map { groups[$0] ?? [] }
  }

  enum CodingKeys: String, CodingKey {
    case toys, observed, maxZEdges = "max_local_z_edges", maxZCounts = "max_local_z_counts", thresholds
    case localZ = "local_z", globalP = "global_p", globalZ = "global_z", trialsFactor = "trials_factor", grossVitells = "gross_vitells"
  }

  public init(from decoder: any Decoder) throws {
    header = try StudyHeader(from: decoder, settings: LookElsewhereSettings.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    toys = try c.decode([ToyScan].self, forKey: .toys)
    observed = try c.decodeIfPresent(GlobalSignificance.self, forKey: .observed)
    maxZEdges = try c.decode([Double].self, forKey: .maxZEdges)
    maxZCounts = try c.decode([Int].self, forKey: .maxZCounts)
    thresholds = try c.decode([Double].self, forKey: .thresholds)
  }

  public func encode(to encoder: any Encoder) throws {
    try header.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(toys, forKey: .toys)
    try c.encode(observed, forKey: .observed)
    try c.encode(maxZEdges, forKey: .maxZEdges)
    try c.encode(maxZCounts, forKey: .maxZCounts)
    try c.encode(thresholds, forKey: .thresholds)
    try c.encode(observed?.localZ, forKey: .localZ)
    try c.encode(observed?.globalP, forKey: .globalP)
    try c.encode(observed?.globalZ, forKey: .globalZ)
    try c.encode(observed?.trialsFactor, forKey: .trialsFactor)
    try c.encode(observed?.grossVitells, forKey: .grossVitells)
  }
}
