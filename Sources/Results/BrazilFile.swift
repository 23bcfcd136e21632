/// The settings of a Brazil-band study (`zptoys brazil`).
public struct BrazilSettings: StudySettings {
  public static let study: StudyKind = "brazil"

  /// The hypotheses: all, indices (100-105, 3,7,9) or a mass range in GeV (1.5:2.5).
  public var masses: String
  /// Background-only pseudo-experiments per hypothesis for the toy band (0: none).
  public var toys: Int
  /// The observed limit's procedure (the expected bands use the same CL and rule; the asymptotic
  /// band and the per-toy limits of the toy band are asymptotic).
  public var limit: LimitSettings
  /// Pseudo-experiments per hypothesis test when `limit.method` is toys (else nil).
  @Nullable public var hypotestToys: Int?
  /// Γ/M of the signal (0: narrow).
  public var widthFraction: Double
  /// Whether every per-toy limit is kept in the file.
  public var keepToyLimits: Bool

  public init(masses: String = "all", toys: Int = 1000, limit: LimitSettings, hypotestToys: Int? = nil, widthFraction: Double = 0,
              keepToyLimits: Bool = false) {
    self.masses = masses
    self.toys = toys
    self.limit = limit
    self.hypotestToys = hypotestToys
    self.widthFraction = widthFraction
    self.keepToyLimits = keepToyLimits
  }

  enum CodingKeys: String, CodingKey {
    case masses, toys, limit, hypotestToys = "hypotest_toys", widthFraction = "width_fraction", keepToyLimits = "keep_toy_limits"
  }

}

/// One hypothesis of a Brazil study: limits on σ in fb (on the POI, for a patch).
public struct BrazilPoint: Codable, Sendable, Equatable {
  /// The hypothesis index in the grid, or the patch's position in the patchset.
  public var index: Int
  /// The window's Z′ mass and M² (null for a patch).
  @Nullable public var mass: Double?
  @Nullable public var m2: Double?
  /// The patch of a published likelihood (null for a search window).
  @Nullable public var patch: PatchLabel?
  /// The observed upper limit (null without data).
  @Nullable public var observed: Double?
  /// Feldman–Cousins only: the lower end of the observed interval (else null).
  @Nullable public var observedLower: Double?
  public var expectedAsymptotic: Band
  /// From the background-only pseudo-experiments (null with toys = 0).
  @Nullable public var expectedToys: Band?
  public var toys: Int
  public var failedToys: [FailedToyRecord]
  /// Every per-toy limit (with keep_toy_limits, else null; −1 for a failed toy).
  @Nullable public var toyLimits: [Double]?
  /// Expected signal events per unit of the POI (per fb for a window), and background events.
  public var signalPerFb: Double
  public var background: Double

  /// The hypothesis' label.
  public var label: HypothesisLabel { HypothesisLabel(index: index, mass: mass, m2: m2, patch: patch) }

  public init(index: Int, mass: Double?, m2: Double?, observed: Double?, observedLower: Double?, expectedAsymptotic: Band,
              expectedToys: Band?, toys: Int, failedToys: [FailedToyRecord], toyLimits: [Double]?, signalPerFb: Double, background: Double,
              patch: PatchLabel? = nil) {
    self.index = index
    self.mass = mass
    self.m2 = m2
    self.patch = patch
    self.observed = observed
    self.observedLower = observedLower
    self.expectedAsymptotic = expectedAsymptotic
    self.expectedToys = expectedToys
    self.toys = toys
    self.failedToys = failedToys
    self.toyLimits = toyLimits
    self.signalPerFb = signalPerFb
    self.background = background
  }

  enum CodingKeys: String, CodingKey {
    case index, mass = "mass_gev", m2 = "m2_gev2", patch, observed, observedLower = "observed_lower"
    case expectedAsymptotic = "expected_asymptotic", expectedToys = "expected_toys", toys, failedToys = "failed_toys"
    case toyLimits = "toy_limits", signalPerFb = "signal_events_per_fb", background = "background_events"
  }

}

/// The `zptoys brazil` result file: the header and `masses`, one point per hypothesis, in task
/// (= mass) order.
public struct BrazilFile: StudyFile {
  public typealias Settings = BrazilSettings
  public var header: StudyHeader
  public var masses: [BrazilPoint]
  public var taskResults: [BrazilPoint] { masses }

  public init(header: StudyHeader, masses: [BrazilPoint]) {
    self.header = header
    self.masses = masses
  }

  /// The study's settings.

  enum CodingKeys: String, CodingKey { case masses }

  // The header's fields sit at the top level of the file, beside `masses`.
  public init(from decoder: any Decoder) throws {
    header = try StudyHeader(from: decoder, settings: BrazilSettings.self)
    masses = try decoder.container(keyedBy: CodingKeys.self).decode([BrazilPoint].self, forKey: .masses)
  }

  public func encode(to encoder: any Encoder) throws {
    try header.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(masses, forKey: .masses)
  }
}
