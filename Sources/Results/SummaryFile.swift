/// The limits of one selected mass in a run summary, fb.
public struct SelectedLimit: Codable, Sendable, Equatable {
  public var mass: Double
  /// By the limits' method, and from the asymptotic formulae.
  @Nullable public var observed: Double?
  @Nullable public var observedAsymptotic: Double?
  public var expectedAsymptoticMedian: Double
  @Nullable public var expectedToysMedian: Double?

  public init(mass: Double, observed: Double?, observedAsymptotic: Double? = nil, expectedAsymptoticMedian: Double, expectedToysMedian: Double?) {
    self.mass = mass
    self.observed = observed
    self.observedAsymptotic = observedAsymptotic
    self.expectedAsymptoticMedian = expectedAsymptoticMedian
    self.expectedToysMedian = expectedToysMedian
  }

  enum CodingKeys: String, CodingKey {
    case mass = "mass_gev", observed = "observed_fb", observedAsymptotic = "observed_asymptotic_fb"
    case expectedAsymptoticMedian = "expected_asymptotic_median_fb", expectedToysMedian = "expected_toys_median_fb"
  }
}

/// A limit and where it is reached.
public struct LimitAtMass: Codable, Sendable, Equatable {
  public var value: Double
  public var mass: Double

  public init(value: Double, mass: Double) {
    self.value = value
    self.mass = mass
  }

  enum CodingKeys: String, CodingKey { case value, mass = "mass_gev" }
}

/// The extremes of a run's limits by its method (exact: toy Neyman belts) and from the
/// asymptotic formulae, side by side (null where a run has none).
public struct LimitExtremes: Codable, Sendable, Equatable {
  @Nullable public var smallestObserved: LimitAtMass?
  @Nullable public var smallestObservedAsymptotic: LimitAtMass?
  /// The smallest median expected limit of the toy band (null without toys), and of the
  /// asymptotic band.
  @Nullable public var smallestMedianExpected: LimitAtMass?
  public var smallestMedianExpectedAsymptotic: LimitAtMass

  public init(smallestObserved: LimitAtMass?, smallestObservedAsymptotic: LimitAtMass?, smallestMedianExpected: LimitAtMass?,
              smallestMedianExpectedAsymptotic: LimitAtMass) {
    self.smallestObserved = smallestObserved
    self.smallestObservedAsymptotic = smallestObservedAsymptotic
    self.smallestMedianExpected = smallestMedianExpected
    self.smallestMedianExpectedAsymptotic = smallestMedianExpectedAsymptotic
  }

  enum CodingKeys: String, CodingKey {
    case smallestObserved = "smallest_observed_fb", smallestObservedAsymptotic = "smallest_observed_asymptotic_fb"
    case smallestMedianExpected = "smallest_median_expected_fb", smallestMedianExpectedAsymptotic = "smallest_median_expected_asymptotic_fb"
  }
}

/// The median expected limits of the toy band (each toy's limit by the run's method) against
/// the asymptotic ones over the hypotheses: the ratio exact/asymptotic, and where it differs from
/// 1 by more than `threshold`.
public struct MethodComparison: Codable, Sendable, Equatable {
  public var hypotheses: Int
  public var threshold: Double
  public var ratioMin: LimitAtMass
  public var ratioMax: LimitAtMass
  public var ratioMedian: Double
  /// Hypotheses whose ratio differs from 1 by more than the threshold, and the mass ranges
  /// they make (neighbouring hypotheses joined).
  public var differing: Int
  public var differingRanges: [ValueRange]

  public init(hypotheses: Int, threshold: Double, ratioMin: LimitAtMass, ratioMax: LimitAtMass, ratioMedian: Double, differing: Int,
              differingRanges: [ValueRange]) {
    self.hypotheses = hypotheses
    self.threshold = threshold
    self.ratioMin = ratioMin
    self.ratioMax = ratioMax
    self.ratioMedian = ratioMedian
    self.differing = differing
    self.differingRanges = differingRanges
  }

  enum CodingKeys: String, CodingKey {
    case hypotheses, threshold, ratioMin = "ratio_min", ratioMax = "ratio_max", ratioMedian = "ratio_median", differing
    case differingRanges = "differing_ranges_gev"
  }
}

/// The g′ figures of one model in a run summary: the smallest observed g′ limit and the
/// (g−2)µ exclusion, by the run's method and from the asymptotic limits.
public struct CouplingSummary: Codable, Sendable, Equatable {
  public var model: String
  @Nullable public var smallestGPrime: LimitAtMass?
  @Nullable public var smallestGPrimeAsymptotic: LimitAtMass?
  public var excludedGMinus2: [ValueRange]
  public var excludedGMinus2Asymptotic: [ValueRange]
  /// "observed" or "median expected".
  public var basis: String

  public init(model: String, smallestGPrime: LimitAtMass?, smallestGPrimeAsymptotic: LimitAtMass?, excludedGMinus2: [ValueRange],
              excludedGMinus2Asymptotic: [ValueRange], basis: String) {
    self.model = model
    self.smallestGPrime = smallestGPrime
    self.smallestGPrimeAsymptotic = smallestGPrimeAsymptotic
    self.excludedGMinus2 = excludedGMinus2
    self.excludedGMinus2Asymptotic = excludedGMinus2Asymptotic
    self.basis = basis
  }

  enum CodingKeys: String, CodingKey {
    case model, smallestGPrime = "smallest_g_prime", smallestGPrimeAsymptotic = "smallest_g_prime_asymptotic"
    case excludedGMinus2 = "g_minus_2_excluded_ranges_gev", excludedGMinus2Asymptotic = "g_minus_2_excluded_ranges_asymptotic_gev", basis
  }
}

/// `summary.json` of `zptoys run`: the numbers it prints at the end, with timings.
public struct SummaryFile: InfoFile {
  public static let kind: ResultKind = "summary"
  public var info: ResultInfo
  public var seed: UInt64
  /// The σ limits' procedure.
  public var limit: LimitSettings
  /// Toys per µ point of the belts (method toys; else null).
  public var beltToys: Int?
  public var hypotheses: Int
  public var brazilToys: Int
  public var leeToys: Int
  public var coverageToys: Int
  public var limitsAtSelectedMasses: [SelectedLimit]
  public var smallestMedianExpectedLimit: Double
  public var smallestMedianExpectedLimitMass: Double
  /// The smallest observed and median expected limits, exact and asymptotic.
  public var extremes: LimitExtremes
  /// The exact against the asymptotic median expected limits (null without a toy band).
  public var methodComparison: MethodComparison?
  public var couplings: [CouplingSummary]
  /// The global significance of the local excess the configuration's default study assesses.
  public var assessedExcess: GlobalSignificance?
  public var pseudoDataLargestExcess: GlobalSignificance?
  public var pseudoDataLargestExcessMass: Double?
  public var coverage: [String]
  /// Seconds per step, and in total.
  public var seconds: [String: Double]

  public init(info: ResultInfo, seed: UInt64, limit: LimitSettings, beltToys: Int?, hypotheses: Int, brazilToys: Int, leeToys: Int,
              coverageToys: Int, limitsAtSelectedMasses: [SelectedLimit], smallestMedianExpectedLimit: Double, smallestMedianExpectedLimitMass: Double,
              extremes: LimitExtremes, methodComparison: MethodComparison?, couplings: [CouplingSummary], assessedExcess: GlobalSignificance?, pseudoDataLargestExcess: GlobalSignificance?, pseudoDataLargestExcessMass: Double?,
              coverage: [String], seconds: [String: Double]) {
    self.info = info
    self.seed = seed
    self.limit = limit
    self.beltToys = beltToys
    self.hypotheses = hypotheses
    self.brazilToys = brazilToys
    self.leeToys = leeToys
    self.coverageToys = coverageToys
    self.limitsAtSelectedMasses = limitsAtSelectedMasses
    self.smallestMedianExpectedLimit = smallestMedianExpectedLimit
    self.smallestMedianExpectedLimitMass = smallestMedianExpectedLimitMass
    self.extremes = extremes
    self.methodComparison = methodComparison
    self.couplings = couplings
    self.assessedExcess = assessedExcess
    self.pseudoDataLargestExcess = pseudoDataLargestExcess
    self.pseudoDataLargestExcessMass = pseudoDataLargestExcessMass
    self.coverage = coverage
    self.seconds = seconds
  }

  enum CodingKeys: String, CodingKey {
    case seed, limit, beltToys = "belt_toys_per_point", hypotheses, brazilToys = "brazil_toys_per_hypothesis", leeToys = "lee_toys", coverageToys = "coverage_toys"
    case limitsAtSelectedMasses = "limits_at_selected_masses", smallestMedianExpectedLimit = "smallest_median_expected_limit_fb"
    case smallestMedianExpectedLimitMass = "smallest_median_expected_limit_mass_gev", extremes = "limit_extremes"
    case methodComparison = "exact_vs_asymptotic_median", couplings, assessedExcess = "assessed_excess"
    case pseudoDataLargestExcess = "pseudo_data_largest_excess", pseudoDataLargestExcessMass = "pseudo_data_largest_excess_mass_gev"
    case coverage, seconds
  }

  public init(from decoder: any Decoder) throws {
    info = try ResultInfo(from: decoder)
    try info.require(Self.kind)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    seed = try c.decode(UInt64.self, forKey: .seed)
    limit = try c.decode(LimitSettings.self, forKey: .limit)
    beltToys = try c.decodeIfPresent(Int.self, forKey: .beltToys)
    hypotheses = try c.decode(Int.self, forKey: .hypotheses)
    brazilToys = try c.decode(Int.self, forKey: .brazilToys)
    leeToys = try c.decode(Int.self, forKey: .leeToys)
    coverageToys = try c.decode(Int.self, forKey: .coverageToys)
    limitsAtSelectedMasses = try c.decode([SelectedLimit].self, forKey: .limitsAtSelectedMasses)
    smallestMedianExpectedLimit = try c.decode(Double.self, forKey: .smallestMedianExpectedLimit)
    smallestMedianExpectedLimitMass = try c.decode(Double.self, forKey: .smallestMedianExpectedLimitMass)
    extremes = try c.decode(LimitExtremes.self, forKey: .extremes)
    methodComparison = try c.decodeIfPresent(MethodComparison.self, forKey: .methodComparison)
    couplings = try c.decode([CouplingSummary].self, forKey: .couplings)
    assessedExcess = try c.decodeIfPresent(GlobalSignificance.self, forKey: .assessedExcess)
    pseudoDataLargestExcess = try c.decodeIfPresent(GlobalSignificance.self, forKey: .pseudoDataLargestExcess)
    pseudoDataLargestExcessMass = try c.decodeIfPresent(Double.self, forKey: .pseudoDataLargestExcessMass)
    coverage = try c.decode([String].self, forKey: .coverage)
    seconds = try c.decode([String: Double].self, forKey: .seconds)
  }

  public func encode(to encoder: any Encoder) throws {
    try info.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(seed, forKey: .seed)
    try c.encode(limit, forKey: .limit)
    try c.encode(beltToys, forKey: .beltToys)
    try c.encode(hypotheses, forKey: .hypotheses)
    try c.encode(brazilToys, forKey: .brazilToys)
    try c.encode(leeToys, forKey: .leeToys)
    try c.encode(coverageToys, forKey: .coverageToys)
    try c.encode(limitsAtSelectedMasses, forKey: .limitsAtSelectedMasses)
    try c.encode(smallestMedianExpectedLimit, forKey: .smallestMedianExpectedLimit)
    try c.encode(smallestMedianExpectedLimitMass, forKey: .smallestMedianExpectedLimitMass)
    try c.encode(extremes, forKey: .extremes)
    try c.encode(methodComparison, forKey: .methodComparison)
    try c.encode(couplings, forKey: .couplings)
    try c.encode(assessedExcess, forKey: .assessedExcess)
    try c.encode(pseudoDataLargestExcess, forKey: .pseudoDataLargestExcess)
    try c.encode(pseudoDataLargestExcessMass, forKey: .pseudoDataLargestExcessMass)
    try c.encode(coverage, forKey: .coverage)
    try c.encode(seconds, forKey: .seconds)
  }
}
