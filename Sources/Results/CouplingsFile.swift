/// A range of masses or couplings.
public struct ValueRange: Codable, Sendable, Equatable {
  public var lower: Double
  public var upper: Double
  public init(lower: Double, upper: Double) {
    self.lower = lower
    self.upper = upper
  }
}

/// Where a couplings file's cross-section limits come from: the brazil file and its identity.
public struct CouplingsSource: Codable, Sendable, Equatable {
  public var file: String
  public var configurationSHA256: String
  public var seed: UInt64
  public var data: String
  public var widthFraction: Double

  public init(file: String, configurationSHA256: String, seed: UInt64, data: String, widthFraction: Double) {
    self.file = file
    self.configurationSHA256 = configurationSHA256
    self.seed = seed
    self.data = data
    self.widthFraction = widthFraction
  }

  enum CodingKeys: String, CodingKey {
    case file, configurationSHA256 = "configuration_sha256", seed, data, widthFraction = "width_fraction"
  }
}

/// One mass of a couplings file: g′ limits and the (g−2)µ band.
public struct CouplingPoint: Codable, Sendable, Equatable {
  public var index: Int
  public var mass: Double
  /// σ(e+e− → µ+µ−Z′) at g′ = 1, fb.
  public var sigmaAtUnitCoupling: Double
  public var branchingInvisible: Double
  @Nullable public var observed: Double?
  /// From the brazil file's asymptotic observed limit (beside `observed`, which is by the σ
  /// limits' method).
  @Nullable public var observedAsymptotic: Double?
  /// From the toys when the brazil file has them, else asymptotic (``expectedSource``).
  public var expected: Band
  /// "toys" or "asymptotic".
  public var expectedSource: String
  public var expectedAsymptotic: Band
  @Nullable public var expectedToys: Band?
  /// The g′ range favoured by (g−2)µ (Δaµ ± 2σ).
  public var gMinus2: ValueRange
  public var excludesGMinus2: Bool
  /// Fully invisible model: whether B(Z′ → χχ̄) ≥ 0.9 with a width below the resolution is
  /// possible at this mass (null for the vanilla model).
  @Nullable public var narrowWidthValid: Bool?

  public init(index: Int, mass: Double, sigmaAtUnitCoupling: Double, branchingInvisible: Double, observed: Double?,
              observedAsymptotic: Double? = nil, expected: Band, expectedSource: String, expectedAsymptotic: Band, expectedToys: Band?,
              gMinus2: ValueRange, excludesGMinus2: Bool, narrowWidthValid: Bool?) {
    self.index = index
    self.mass = mass
    self.sigmaAtUnitCoupling = sigmaAtUnitCoupling
    self.branchingInvisible = branchingInvisible
    self.observed = observed
    self.observedAsymptotic = observedAsymptotic
    self.expected = expected
    self.expectedSource = expectedSource
    self.expectedAsymptotic = expectedAsymptotic
    self.expectedToys = expectedToys
    self.gMinus2 = gMinus2
    self.excludesGMinus2 = excludesGMinus2
    self.narrowWidthValid = narrowWidthValid
  }

  enum CodingKeys: String, CodingKey {
    case index, mass = "mass_gev", sigmaAtUnitCoupling = "sigma_g1_fb", branchingInvisible = "branching_invisible"
    case observed = "g_prime_observed", observedAsymptotic = "g_prime_observed_asymptotic", expected = "g_prime_expected"
    case expectedSource = "g_prime_expected_source"
    case expectedAsymptotic = "g_prime_expected_asymptotic", expectedToys = "g_prime_expected_toys", gMinus2 = "g_minus_2_band"
    case excludesGMinus2 = "excludes_g_minus_2", narrowWidthValid = "narrow_width_b_chichi_valid"
  }

}

/// The `zptoys couplings` result file: limits on g′ from a brazil file's σ limits, with the CL,
/// rule and method of those limits.
public struct CouplingsFile: InfoFile {
  public static let kind: ResultKind = "couplings"
  public var info: ResultInfo
  /// The brazil file as given on the command line.
  public var input: String
  public var source: CouplingsSource
  /// The σ limits' procedure (CL, rule, method), from the brazil file.
  public var limit: LimitSettings
  /// "vanilla" or "invisible".
  public var model: String
  public var isr: Bool
  /// "table" or "vegas".
  public var sigmaSource: String
  public var masses: [CouplingPoint]
  /// "observed" or "median expected".
  public var exclusionBasis: String
  /// Where the basis' g′ limit (by the σ limits' method) excludes the (g−2)µ band, and the same
  /// from the asymptotic limits (the asymptotic observed, or the asymptotic median).
  public var excludedRanges: [ValueRange]
  public var excludedRangesAsymptotic: [ValueRange]
  public var narrowWidthValidBelow: Double?
  public var notes: [String]

  public init(info: ResultInfo, input: String, source: CouplingsSource, limit: LimitSettings, model: String, isr: Bool, sigmaSource: String,
              masses: [CouplingPoint], exclusionBasis: String, excludedRanges: [ValueRange], excludedRangesAsymptotic: [ValueRange] = [],
              narrowWidthValidBelow: Double?, notes: [String]) {
    self.info = info
    self.input = input
    self.source = source
    self.limit = limit
    self.model = model
    self.isr = isr
    self.sigmaSource = sigmaSource
    self.masses = masses
    self.exclusionBasis = exclusionBasis
    self.excludedRanges = excludedRanges
    self.excludedRangesAsymptotic = excludedRangesAsymptotic
    self.narrowWidthValidBelow = narrowWidthValidBelow
    self.notes = notes
  }

  enum CodingKeys: String, CodingKey {
    case input, source, limit, model, isr, sigmaSource = "sigma_source", masses, exclusionBasis = "g_minus_2_exclusion_basis"
    case excludedRanges = "g_minus_2_excluded_ranges_gev", excludedRangesAsymptotic = "g_minus_2_excluded_ranges_asymptotic_gev"
    case narrowWidthValidBelow = "narrow_width_valid_below_gev", notes
  }

  public init(from decoder: any Decoder) throws {
    info = try ResultInfo(from: decoder)
    try info.require(Self.kind)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    input = try c.decode(String.self, forKey: .input)
    source = try c.decode(CouplingsSource.self, forKey: .source)
    limit = try c.decode(LimitSettings.self, forKey: .limit)
    model = try c.decode(String.self, forKey: .model)
    isr = try c.decode(Bool.self, forKey: .isr)
    sigmaSource = try c.decode(String.self, forKey: .sigmaSource)
    masses = try c.decode([CouplingPoint].self, forKey: .masses)
    exclusionBasis = try c.decode(String.self, forKey: .exclusionBasis)
    excludedRanges = try c.decode([ValueRange].self, forKey: .excludedRanges)
    excludedRangesAsymptotic = try c.decode([ValueRange].self, forKey: .excludedRangesAsymptotic)
    narrowWidthValidBelow = try c.decodeIfPresent(Double.self, forKey: .narrowWidthValidBelow)
    notes = try c.decode([String].self, forKey: .notes)
  }

  public func encode(to encoder: any Encoder) throws {
    try info.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(input, forKey: .input)
    try c.encode(source, forKey: .source)
    try c.encode(limit, forKey: .limit)
    try c.encode(model, forKey: .model)
    try c.encode(isr, forKey: .isr)
    try c.encode(sigmaSource, forKey: .sigmaSource)
    try c.encode(masses, forKey: .masses)
    try c.encode(exclusionBasis, forKey: .exclusionBasis)
    try c.encode(excludedRanges, forKey: .excludedRanges)
    try c.encode(excludedRangesAsymptotic, forKey: .excludedRangesAsymptotic)
    try c.encode(narrowWidthValidBelow, forKey: .narrowWidthValidBelow)
    try c.encode(notes, forKey: .notes)
  }
}
