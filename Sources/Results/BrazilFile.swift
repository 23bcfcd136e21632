/// The settings of a Brazil-band study (`zptoys brazil`).
public struct BrazilSettings: StudySettings {
  public static let study: StudyKind = "brazil"

  /// The hypotheses: all, indices (100-105, 3,7,9) or a mass range in GeV (1.5:2.5).
  public var masses: String
  /// Background-only pseudo-experiments per hypothesis for the toy band (0: none).
  public var toys: Int
  /// The limits' procedure (CL, rule, method). With method toys every limit of a hypothesis —
  /// observed and each band toy's — comes from its toy Neyman belt; with asymptotic from the
  /// asymptotic formulae. The asymptotic band (and observed limit) is recorded either way.
  public var limit: LimitSettings
  /// With method toys: pseudo-experiments per µ point of each belt (else null).
  @Nullable public var beltToys: Int?
  /// With method toys: where belt and band toys are generated, "profiled" (the nuisances'
  /// conditional MLE on the data) or "nominal" (else null).
  @Nullable public var toyNuisances: String?
  /// Γ/M of the signal (0: narrow).
  public var widthFraction: Double
  /// Whether every per-toy limit is kept in the file.
  public var keepToyLimits: Bool

  public init(masses: String = "all", toys: Int = 1000, limit: LimitSettings, beltToys: Int? = nil, toyNuisances: String? = nil,
              widthFraction: Double = 0, keepToyLimits: Bool = false) {
    self.masses = masses
    self.toys = toys
    self.limit = limit
    self.beltToys = beltToys
    self.toyNuisances = toyNuisances
    self.widthFraction = widthFraction
    self.keepToyLimits = keepToyLimits
  }

  enum CodingKeys: String, CodingKey {
    case masses, toys, limit, beltToys = "belt_toys", toyNuisances = "toy_nuisances", widthFraction = "width_fraction"
    case keepToyLimits = "keep_toy_limits"
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
  /// How this hypothesis' observed limit and `expected_toys` were set (the settings' method).
  public var method: LimitMethod
  /// The observed upper limit (null without data), by `method`.
  @Nullable public var observed: Double?
  /// Feldman–Cousins only: the lower end of the observed interval (else null).
  @Nullable public var observedLower: Double?
  /// The observed upper limit (and fc lower end) from the asymptotic formulae, beside it.
  @Nullable public var observedAsymptotic: Double?
  @Nullable public var observedLowerAsymptotic: Double?
  public var expectedAsymptotic: Band
  /// From the background-only pseudo-experiments, each with its limit by `method` (from the
  /// belt with toys): null with toys = 0.
  @Nullable public var expectedToys: Band?
  /// The toy Neyman belt behind the limits (method toys; else null).
  @Nullable public var belt: BeltRecord?
  public var toys: Int
  public var failedToys: [FailedToyRecord]
  /// Every per-toy limit (with keep_toy_limits, else null; −1 for a failed toy).
  @Nullable public var toyLimits: [Double]?
  /// Expected signal events per unit of the POI (per fb for a window), and background events.
  public var signalPerFb: Double
  public var background: Double

  /// The hypothesis' label.
  public var label: HypothesisLabel { HypothesisLabel(index: index, mass: mass, m2: m2, patch: patch) }

  public init(index: Int, mass: Double?, m2: Double?, method: LimitMethod = .asymptotic, observed: Double?, observedLower: Double?,
              observedAsymptotic: Double? = nil, observedLowerAsymptotic: Double? = nil, expectedAsymptotic: Band,
              expectedToys: Band?, belt: BeltRecord? = nil, toys: Int, failedToys: [FailedToyRecord], toyLimits: [Double]?, signalPerFb: Double,
              background: Double, patch: PatchLabel? = nil) {
    self.index = index
    self.mass = mass
    self.m2 = m2
    self.patch = patch
    self.method = method
    self.observed = observed
    self.observedLower = observedLower
    self.observedAsymptotic = observedAsymptotic
    self.observedLowerAsymptotic = observedLowerAsymptotic
    self.expectedAsymptotic = expectedAsymptotic
    self.expectedToys = expectedToys
    self.belt = belt
    self.toys = toys
    self.failedToys = failedToys
    self.toyLimits = toyLimits
    self.signalPerFb = signalPerFb
    self.background = background
  }

  enum CodingKeys: String, CodingKey {
    case index, mass = "mass_gev", m2 = "m2_gev2", patch, method, observed, observedLower = "observed_lower"
    case observedAsymptotic = "observed_asymptotic", observedLowerAsymptotic = "observed_lower_asymptotic"
    case expectedAsymptotic = "expected_asymptotic", expectedToys = "expected_toys", belt, toys, failedToys = "failed_toys"
    case toyLimits = "toy_limits", signalPerFb = "signal_events_per_fb", background = "background_events"
  }

}

/// The toy Neyman belt of one hypothesis (`belt` of a brazil point, and of the scan's): its
/// grid, its toys, and the data sets that cross it more than twice.
public struct BeltRecord: Codable, Sendable, Equatable {
  /// µ points of the grid, and toys at each.
  public var muPoints: Int
  public var toysPerPoint: Int
  /// The largest µ with toys.
  public var muMax: Double
  /// Points added where linear interpolation of the critical value failed, and extensions of
  /// the grid above its first top.
  public var refinedPoints: Int
  public var extensions: Int
  /// The largest Monte Carlo error (68%, order statistics) of a critical value.
  public var maxCriticalValueError: Double
  /// Belt toys whose fits failed (left out of their point).
  public var failedToys: Int
  /// The observed upper end with the critical values shifted by ∓1 Monte Carlo σ (null
  /// without an observed interval).
  @Nullable public var observedUpperRange: [Double]?
  /// Whether the observed t̃µ crosses the belt more than twice (the interval is then the hull),
  /// and how strongly it is rejected between the stretches, in Monte Carlo σ of k (null without).
  @Nullable public var observedMultipleCrossings: Bool?
  @Nullable public var observedGapSignificance: Double?
  /// Band toys whose t̃µ crosses the belt more than twice, and those among them rejected
  /// between their stretches by more than 2 Monte Carlo σ of k.
  public var multipleCrossingToys: [Int]
  public var significantGapToys: [Int]

  public init(muPoints: Int, toysPerPoint: Int, muMax: Double, refinedPoints: Int, extensions: Int, maxCriticalValueError: Double,
              failedToys: Int, observedUpperRange: [Double]?, observedMultipleCrossings: Bool?, observedGapSignificance: Double?,
              multipleCrossingToys: [Int], significantGapToys: [Int]) {
    self.muPoints = muPoints
    self.toysPerPoint = toysPerPoint
    self.muMax = muMax
    self.refinedPoints = refinedPoints
    self.extensions = extensions
    self.maxCriticalValueError = maxCriticalValueError
    self.failedToys = failedToys
    self.observedUpperRange = observedUpperRange
    self.observedMultipleCrossings = observedMultipleCrossings
    self.observedGapSignificance = observedGapSignificance
    self.multipleCrossingToys = multipleCrossingToys
    self.significantGapToys = significantGapToys
  }

  enum CodingKeys: String, CodingKey {
    case muPoints = "mu_points", toysPerPoint = "toys_per_point", muMax = "mu_max", refinedPoints = "refined_points", extensions
    case maxCriticalValueError = "max_critical_value_error", failedToys = "failed_toys", observedUpperRange = "observed_upper_range"
    case observedMultipleCrossings = "observed_multiple_crossings", observedGapSignificance = "observed_gap_significance"
    case multipleCrossingToys = "multiple_crossing_toys", significantGapToys = "significant_gap_toys"
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
