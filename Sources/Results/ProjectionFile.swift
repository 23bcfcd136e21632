/// The settings of a luminosity projection (`zptoys project`).
public struct ProjectionSettings: StudySettings {
  public static let study: StudyKind = "projection"

  /// The integrated luminosities projected to, fb⁻¹, increasing.
  public var lumis: [Double]
  /// The hypotheses: all, indices or a mass range in GeV.
  public var masses: String
  /// The expected limits' procedure (asymptotic, on the background-only Asimov data set).
  public var limit: LimitSettings
  /// Background-only pseudo-experiments per hypothesis and luminosity for a toy band (0: none).
  public var toys: Int
  /// Whether the relative systematic sizes shrink as 1/√L.
  public var scaleSystematics: Bool

  public init(lumis: [Double], masses: String = "all", limit: LimitSettings, toys: Int = 0, scaleSystematics: Bool = false) {
    self.lumis = lumis
    self.masses = masses
    self.limit = limit
    self.toys = toys
    self.scaleSystematics = scaleSystematics
  }

  enum CodingKeys: String, CodingKey { case lumis = "lumis_fb", masses, limit, toys, scaleSystematics = "scale_systematics" }
}

/// The expected limits of one hypothesis at one luminosity.
public struct ProjectedLimits: Codable, Sendable, Equatable {
  public var lumiFb: Double
  /// On σ(e+e− → µ+µ−Z′) × B, fb: asymptotic, and from toys (null without toys).
  public var sigma: Band
  @Nullable public var sigmaToys: Band?
  /// On g′ (from the toy band when there is one, else the asymptotic band), per model.
  public var gPrimeInvisible: Band
  public var gPrimeVanilla: Band

  public init(lumiFb: Double, sigma: Band, sigmaToys: Band?, gPrimeInvisible: Band, gPrimeVanilla: Band) {
    self.lumiFb = lumiFb
    self.sigma = sigma
    self.sigmaToys = sigmaToys
    self.gPrimeInvisible = gPrimeInvisible
    self.gPrimeVanilla = gPrimeVanilla
  }

  enum CodingKeys: String, CodingKey {
    case lumiFb = "lumi_fb", sigma = "sigma_fb", sigmaToys = "sigma_toys_fb", gPrimeInvisible = "g_prime_invisible", gPrimeVanilla = "g_prime_vanilla"
  }

  /// The g′ band of `model` ("invisible" or "vanilla").
  public func gPrime(_ model: String) -> Band { model == "vanilla" ? gPrimeVanilla : gPrimeInvisible }
}

/// One hypothesis of a projection: its expected limits at every luminosity, the (g−2)µ band and
/// the luminosity at which the median expected g′ limit reaches the band's lower edge.
public struct ProjectionPoint: Codable, Sendable, Equatable {
  public var index: Int
  public var mass: Double
  /// σ(e+e− → µ+µ−Z′) at g′ = 1, fb, and B(Z′ → invisible) of the vanilla model.
  public var sigmaAtUnitCoupling: Double
  public var branchingVanilla: Double
  public var gMinus2: ValueRange
  /// In the order of the settings' luminosities.
  public var limits: [ProjectedLimits]
  /// Per model, the luminosity its median expected g′ limit needs to exclude the band.
  public var required: [RequiredLumi]

  public init(index: Int, mass: Double, sigmaAtUnitCoupling: Double, branchingVanilla: Double, gMinus2: ValueRange, limits: [ProjectedLimits],
              required: [RequiredLumi]) {
    self.index = index
    self.mass = mass
    self.sigmaAtUnitCoupling = sigmaAtUnitCoupling
    self.branchingVanilla = branchingVanilla
    self.gMinus2 = gMinus2
    self.limits = limits
    self.required = required
  }

  enum CodingKeys: String, CodingKey {
    case index, mass = "mass_gev", sigmaAtUnitCoupling = "sigma_g1_fb", branchingVanilla = "branching_invisible_vanilla"
    case gMinus2 = "g_minus_2_band", limits, required = "required_lumi"
  }
}

/// The luminosity at which a model's median expected g′ limit reaches the lower edge of the
/// (g−2)µ band at one mass: interpolated linearly in ln g′ against ln L between the projected
/// luminosities; null when it is not reached within them; the smallest projected luminosity,
/// with `is_upper_bound`, when the band is excluded there already.
public struct RequiredLumi: Codable, Sendable, Equatable {
  public var model: String
  @Nullable public var lumiFb: Double?
  public var isUpperBound: Bool

  public init(model: String, lumiFb: Double?, isUpperBound: Bool) {
    self.model = model
    self.lumiFb = lumiFb
    self.isUpperBound = isUpperBound
  }

  enum CodingKeys: String, CodingKey { case model, lumiFb = "lumi_fb", isUpperBound = "is_upper_bound" }
}

/// The (g−2)µ window of one model at one luminosity: the mass ranges where the median expected
/// g′ limit excludes the band, and whether it does at every hypothesis.
public struct WindowAtLuminosity: Codable, Sendable, Equatable {
  public var lumiFb: Double
  public var model: String
  public var excludedRanges: [ValueRange]
  /// The hypotheses whose median expected limit excludes the band, of all.
  public var excludedHypotheses: Int
  public var hypotheses: Int
  public var closed: Bool

  public init(lumiFb: Double, model: String, excludedRanges: [ValueRange], excludedHypotheses: Int, hypotheses: Int, closed: Bool) {
    self.lumiFb = lumiFb
    self.model = model
    self.excludedRanges = excludedRanges
    self.excludedHypotheses = excludedHypotheses
    self.hypotheses = hypotheses
    self.closed = closed
  }

  enum CodingKeys: String, CodingKey {
    case lumiFb = "lumi_fb", model, excludedRanges = "excluded_ranges_gev", excludedHypotheses = "excluded_hypotheses", hypotheses, closed
  }
}

/// Which luminosity closes the (g−2)µ window of a model over the projection's masses.
public struct WindowAnswer: Codable, Sendable, Equatable {
  public var model: String
  /// The smallest projected luminosity at which every hypothesis excludes the band (null: none).
  @Nullable public var closingLumiFb: Double?
  /// The largest per-hypothesis required luminosity (interpolated; null when some hypothesis
  /// does not reach the band within the projected luminosities).
  @Nullable public var requiredLumiFb: Double?
  /// The hypotheses' masses where the band stays open at the largest luminosity.
  public var openAtLargestLumi: [ValueRange]
  /// The answer in words.
  public var text: String

  public init(model: String, closingLumiFb: Double?, requiredLumiFb: Double?, openAtLargestLumi: [ValueRange], text: String) {
    self.model = model
    self.closingLumiFb = closingLumiFb
    self.requiredLumiFb = requiredLumiFb
    self.openAtLargestLumi = openAtLargestLumi
    self.text = text
  }

  enum CodingKeys: String, CodingKey {
    case model, closingLumiFb = "closing_lumi_fb", requiredLumiFb = "required_lumi_fb", openAtLargestLumi = "open_at_largest_lumi_gev", text
  }
}

/// The `zptoys project` result file: per hypothesis the expected limits on σ and g′ at every
/// luminosity; per luminosity and model the (g−2)µ window; the answer per model.
public struct ProjectionFile: StudyFile {
  public typealias Settings = ProjectionSettings
  public var header: StudyHeader
  public var masses: [ProjectionPoint]
  public var windows: [WindowAtLuminosity]
  public var answers: [WindowAnswer]
  public var taskResults: [ProjectionPoint] { masses }

  public init(header: StudyHeader, masses: [ProjectionPoint], windows: [WindowAtLuminosity], answers: [WindowAnswer]) {
    self.header = header
    self.masses = masses
    self.windows = windows
    self.answers = answers
  }

  enum CodingKeys: String, CodingKey { case masses, windows = "g_minus_2_windows", answers }

  public init(from decoder: any Decoder) throws {
    header = try StudyHeader(from: decoder, settings: ProjectionSettings.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    masses = try c.decode([ProjectionPoint].self, forKey: .masses)
    windows = try c.decode([WindowAtLuminosity].self, forKey: .windows)
    answers = try c.decode([WindowAnswer].self, forKey: .answers)
  }

  public func encode(to encoder: any Encoder) throws {
    try header.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(masses, forKey: .masses)
    try c.encode(windows, forKey: .windows)
    try c.encode(answers, forKey: .answers)
  }

  /// The answer for `model` ("invisible" or "vanilla").
  public func answer(_ model: String) -> WindowAnswer? { answers.first { $0.model == model } }
}
