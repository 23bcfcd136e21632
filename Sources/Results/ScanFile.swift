/// The settings of a mass scan of one data set (`zptoys scan`).
public struct ScanSettings: StudySettings {
  public static let study: StudyKind = "scan"

  public var masses: String
  /// The observed limit's procedure (asymptotic).
  public var limit: LimitSettings

  public init(masses: String = "all", limit: LimitSettings) {
    self.masses = masses
    self.limit = limit
  }
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
  /// The observed upper limit in fb (null when it could not be set).
  @Nullable public var observed: Double?
  public var observedCount: Double
  public var background: Double
  /// True when a fit failed (non-finite likelihood): σ̂ and Z are then 0.
  public var fitFailed: Bool

  /// The hypothesis' label.
  public var label: HypothesisLabel { HypothesisLabel(index: index, mass: mass, m2: nil, patch: patch) }

  public init(index: Int, mass: Double?, sigmaHat: Double, sigmaHatUncertainty: Double?, localP0: Double, localZ: Double,
              observed: Double?, observedCount: Double, background: Double, fitFailed: Bool, patch: PatchLabel? = nil) {
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
    case localP0 = "local_p0", localZ = "local_z", observed = "observed_limit_fb", observedCount = "observed_events"
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
