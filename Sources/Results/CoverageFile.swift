/// The settings of a coverage study (`zptoys coverage`).
public struct CoverageSettings: StudySettings {
  public static let study: StudyKind = "coverage"

  /// Masses in GeV (the hypotheses' own; empty for a published likelihood).
  public var masses: [Double]
  /// The patches of a published likelihood (empty for search windows).
  public var patches: [PatchLabel]
  /// True cross sections in fb.
  public var signals: [Double]
  /// Pseudo-experiments per (mass, signal) point.
  public var toys: Int
  public var rules: [IntervalRule]
  public var cl: Double
  /// How each toy's interval is set: every rule is checked with every method (the rows of a
  /// point: methods × rules, in this order).
  public var methods: [LimitMethod]
  /// Confidence of the Clopper–Pearson interval behind the verdict.
  public var verdictCL: Double
  /// Toys per task.
  public var blockSize: Int
  /// With method toys: pseudo-experiments per µ point of the belts (else null).
  @Nullable public var beltToys: Int?
  /// With method toys: which belt a toy's interval comes from — "truth": one belt per point,
  /// generated at the point's true nuisance parameters (nominal; the construction as applied);
  /// "per-toy": a belt for each toy at its own conditional fits (the strict construction, one
  /// belt per pseudo-experiment). Null without toys.
  @Nullable public var belts: String?

  public init(masses: [Double] = [1.0, 2.352, 6.0], patches: [PatchLabel] = [], signals: [Double] = [0, 1, 5], toys: Int = 500,
              rules: [IntervalRule] = [.cls, .clsb, .fc], cl: Double = 0.9, methods: [LimitMethod] = [.toys, .asymptotic],
              verdictCL: Double = 0.95, blockSize: Int = 50, beltToys: Int? = 2000, belts: String? = "truth") {
    self.masses = masses
    self.patches = patches
    self.signals = signals
    self.toys = toys
    self.rules = rules
    self.cl = cl
    self.methods = methods
    self.verdictCL = verdictCL
    self.blockSize = blockSize
    let toyMethod = methods.contains(.toys)
    self.beltToys = toyMethod ? beltToys : nil
    self.belts = toyMethod ? belts : nil
  }

  enum CodingKeys: String, CodingKey {
    case masses, patches, signals, toys, rules, cl, methods, verdictCL = "verdict_cl", blockSize = "block_size", beltToys = "belt_toys", belts
  }

  /// The rows of a point: (method, rule), methods outer.
  public var rows: [(method: LimitMethod, rule: IntervalRule)] { methods.flatMap { m in rules.map { (m, $0) } } }
}

/// Results of one block of toys at one (mass, signal) point.
public struct CoverageBlock: Codable, Sendable, Equatable {
  public var point: Int
  public var firstToy: Int
  public var toys: Int
  /// Per row (``CoverageSettings/rows``: methods × rules): intervals that contain the truth,
  /// and valid intervals.
  public var covered: [Int]
  public var valid: [Int]
  public var failed: [FailedToyRecord]

  public init(point: Int, firstToy: Int, toys: Int, covered: [Int], valid: [Int], failed: [FailedToyRecord]) {
    self.point = point
    self.firstToy = firstToy
    self.toys = toys
    self.covered = covered
    self.valid = valid
    self.failed = failed
  }
}

/// The coverage of one rule by one method at one point.
public struct RuleCoverage: Codable, Sendable, Equatable {
  public var rule: IntervalRule
  public var method: LimitMethod
  public var coverage: Double
  /// Clopper–Pearson 68% interval of the coverage.
  public var lower: Double
  public var upper: Double
  /// Clopper–Pearson interval at the verdict's confidence.
  public var verdictInterval: [Double]
  public var covered: Int
  public var toys: Int
  public var failedToys: Int
  /// covers, over-covers or under-covers.
  public var verdict: String

  public init(rule: IntervalRule, method: LimitMethod = .asymptotic, coverage: Double, lower: Double, upper: Double, verdictInterval: [Double],
              covered: Int, toys: Int, failedToys: Int, verdict: String) {
    self.rule = rule
    self.method = method
    self.coverage = coverage
    self.lower = lower
    self.upper = upper
    self.verdictInterval = verdictInterval
    self.covered = covered
    self.toys = toys
    self.failedToys = failedToys
    self.verdict = verdict
  }

  enum CodingKeys: String, CodingKey {
    case rule, method, coverage, lower, upper, verdictInterval = "verdict_interval", covered, toys, failedToys = "failed_toys", verdict
  }
}

/// One (hypothesis, true signal) point with the coverage of every rule.
public struct CoveragePoint: Codable, Sendable, Equatable {
  /// The point's number: hypothesis k, signal j give k · (signals) + j.
  public var index: Int
  /// The window's Z′ mass (null for a patch).
  @Nullable public var mass: Double?
  /// The patch of a published likelihood (null for a search window).
  @Nullable public var patch: PatchLabel?
  /// The true signal: σ in fb (the POI's value, for a patch).
  public var signal: Double
  public var rules: [RuleCoverage]

  /// The hypothesis' label (its index is the point's).
  public var label: HypothesisLabel { HypothesisLabel(index: index, mass: mass, m2: nil, patch: patch) }

  public init(index: Int, mass: Double?, signal: Double, rules: [RuleCoverage], patch: PatchLabel? = nil) {
    self.index = index
    self.mass = mass
    self.patch = patch
    self.signal = signal
    self.rules = rules
  }

  enum CodingKeys: String, CodingKey { case index, mass = "mass_gev", patch, signal = "signal_fb", rules }
}

/// The `zptoys coverage` result file: the blocks of toys (the tasks) and the points computed
/// from them.
public struct CoverageFile: StudyFile {
  public typealias Settings = CoverageSettings
  public var header: StudyHeader
  public var blocks: [CoverageBlock]
  public var points: [CoveragePoint]
  public var taskResults: [CoverageBlock] { blocks }

  public init(header: StudyHeader, blocks: [CoverageBlock], points: [CoveragePoint]) {
    self.header = header
    self.blocks = blocks
    self.points = points
  }


  enum CodingKeys: String, CodingKey { case blocks, points }

  public init(from decoder: any Decoder) throws {
    header = try StudyHeader(from: decoder, settings: CoverageSettings.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    blocks = try c.decode([CoverageBlock].self, forKey: .blocks)
    points = try c.decode([CoveragePoint].self, forKey: .points)
  }

  public func encode(to encoder: any Encoder) throws {
    try header.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(blocks, forKey: .blocks)
    try c.encode(points, forKey: .points)
  }
}
