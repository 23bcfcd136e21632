/// The settings of a mass scan of one data set (`zptoys scan`).
public struct ScanSettings: StudySettings {
  public static let study: StudyKind = "scan"

  public var masses: String
  /// The observed limit's procedure (method toys: from a toy Neyman belt per hypothesis).
  public var limit: LimitSettings
  /// With method toys: pseudo-experiments per µ point of each belt, and where they are
  /// generated ("profiled" or "nominal"); else null.
  @Nullable public var beltToys: Int?
  @Nullable public var toyNuisances: String?

  public init(masses: String = "all", limit: LimitSettings, beltToys: Int? = nil, toyNuisances: String? = nil) {
    self.masses = masses
    self.limit = limit
    self.beltToys = beltToys
    self.toyNuisances = toyNuisances
  }

  enum CodingKeys: String, CodingKey { case masses, limit, beltToys = "belt_toys", toyNuisances = "toy_nuisances" }
}

/// One hypothesis of a mass scan: the fit, the local significance and the observed limit.
public struct ScanPoint: Codable, Sendable, Equatable {
  /// The hypothesis index in the grid, or the patch's position in the patchset.
  public var index: Int
  /// The window's Z′ mass (null for a patch).
  @Nullable public var mass: Double?
  /// The patch of a published likelihood (null for a search window).
  @Nullable public var patch: PatchLabel?
  /// Best-fit cross section, fb.
  public var sigmaHat: Double
  @Nullable public var sigmaHatUncertainty: Double?
  public var localP0: Double
  /// Z = √q0 (arXiv:1007.1727 Eq. 52–53).
  public var localZ: Double
  /// The observed upper limit in fb (null when it could not be set), by the settings' method.
  @Nullable public var observed: Double?
  /// Feldman–Cousins only: the observed interval's lower end (else null).
  @Nullable public var observedLower: Double?
  /// Method toys: the µ points of the hypothesis' belt and whether the data's t̃µ crosses it
  /// more than twice (the interval is then the hull); else null.
  @Nullable public var beltPoints: Int?
  @Nullable public var multipleCrossings: Bool?
  public var observedCount: Double
  public var background: Double
  /// True when a fit failed (non-finite likelihood): σ̂ and Z are then 0.
  public var fitFailed: Bool

  /// The hypothesis' label.
  public var label: HypothesisLabel { HypothesisLabel(index: index, mass: mass, m2: nil, patch: patch) }

  public init(index: Int, mass: Double?, sigmaHat: Double, sigmaHatUncertainty: Double?, localP0: Double, localZ: Double,
              observed: Double?, observedLower: Double? = nil, beltPoints: Int? = nil, multipleCrossings: Bool? = nil, observedCount: Double,
              background: Double, fitFailed: Bool, patch: PatchLabel? = nil) {
    self.observedLower = observedLower
    self.beltPoints = beltPoints
    self.multipleCrossings = multipleCrossings
    self.index = index
    self.mass = mass
    self.patch = patch
    self.sigmaHat = sigmaHat
    self.sigmaHatUncertainty = sigmaHatUncertainty
    self.localP0 = localP0
    self.localZ = localZ
    self.observed = observed
    self.observedCount = observedCount
    self.background = background
    self.fitFailed = fitFailed
  }

  enum CodingKeys: String, CodingKey {
    case index, mass = "mass_gev", patch, sigmaHat = "sigma_hat_fb", sigmaHatUncertainty = "sigma_hat_uncertainty_fb"
    case localP0 = "local_p0", localZ = "local_z", observed = "observed_limit_fb", observedLower = "observed_lower_fb"
    case beltPoints = "belt_points", multipleCrossings = "multiple_crossings", observedCount = "observed_events"
    case background = "background_events", fitFailed = "fit_failed"
  }

}

/// The `zptoys scan` result file: per hypothesis the fit, the local significance and the limit,
/// and the largest local excess.
public struct ScanFile: StudyFile {
  public typealias Settings = ScanSettings
  public var header: StudyHeader
  public var masses: [ScanPoint]
  public var largest: ScanPoint?
  public var taskResults: [ScanPoint] { masses }

  public init(header: StudyHeader, masses: [ScanPoint], largest: ScanPoint?) {
    self.header = header
    self.masses = masses
    self.largest = largest
  }


  enum CodingKeys: String, CodingKey { case masses, largest = "largest_local_excess" }

  public init(from decoder: any Decoder) throws {
    header = try StudyHeader(from: decoder, settings: ScanSettings.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    masses = try c.decode([ScanPoint].self, forKey: .masses)
    largest = try c.decodeIfPresent(ScanPoint.self, forKey: .largest)
  }

  public func encode(to encoder: any Encoder) throws {
    try header.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(masses, forKey: .masses)
    try c.encode(largest, forKey: .largest)
  }
}
