/// The limits of one selected mass in a run summary, fb.
public struct SelectedLimit: Codable, Sendable, Equatable {
  public var mass: Double
  @Nullable public var observed: Double?
  public var expectedAsymptoticMedian: Double
  @Nullable public var expectedToysMedian: Double?

  public init(mass: Double, observed: Double?, expectedAsymptoticMedian: Double, expectedToysMedian: Double?) {
    self.mass = mass
    self.observed = observed
    self.expectedAsymptoticMedian = expectedAsymptoticMedian
    self.expectedToysMedian = expectedToysMedian
  }

  enum CodingKeys: String, CodingKey {
    case mass = "mass_gev", observed = "observed_fb", expectedAsymptoticMedian = "expected_asymptotic_median_fb"
    case expectedToysMedian = "expected_toys_median_fb"
  }

}

/// `summary.json` of `zptoys run`: the numbers it prints at the end, with timings.
public struct SummaryFile: InfoFile {
  public static let kind: ResultKind = "summary"
  public var info: ResultInfo
  public var seed: UInt64
  /// The σ limits' procedure.
  public var limit: LimitSettings
  public var hypotheses: Int
  public var brazilToys: Int
  public var leeToys: Int
  public var coverageToys: Int
  public var limitsAtSelectedMasses: [SelectedLimit]
  public var smallestMedianExpectedLimit: Double
  public var smallestMedianExpectedLimitMass: Double
  /// The global significance of the local excess the configuration's default study assesses.
  public var assessedExcess: GlobalSignificance?
  public var pseudoDataLargestExcess: GlobalSignificance?
  public var pseudoDataLargestExcessMass: Double?
  public var coverage: [String]
  /// Seconds per step, and in total.
  public var seconds: [String: Double]

  public init(info: ResultInfo, seed: UInt64, limit: LimitSettings, hypotheses: Int, brazilToys: Int, leeToys: Int, coverageToys: Int,
              limitsAtSelectedMasses: [SelectedLimit], smallestMedianExpectedLimit: Double, smallestMedianExpectedLimitMass: Double,
              assessedExcess: GlobalSignificance?, pseudoDataLargestExcess: GlobalSignificance?, pseudoDataLargestExcessMass: Double?,
              coverage: [String], seconds: [String: Double]) {
    self.info = info
    self.seed = seed
    self.limit = limit
    self.hypotheses = hypotheses
    self.brazilToys = brazilToys
    self.leeToys = leeToys
    self.coverageToys = coverageToys
    self.limitsAtSelectedMasses = limitsAtSelectedMasses
    self.smallestMedianExpectedLimit = smallestMedianExpectedLimit
    self.smallestMedianExpectedLimitMass = smallestMedianExpectedLimitMass
    self.assessedExcess = assessedExcess
    self.pseudoDataLargestExcess = pseudoDataLargestExcess
    self.pseudoDataLargestExcessMass = pseudoDataLargestExcessMass
    self.coverage = coverage
    self.seconds = seconds
  }

  enum CodingKeys: String, CodingKey {
    case seed, limit, hypotheses, brazilToys = "brazil_toys_per_hypothesis", leeToys = "lee_toys", coverageToys = "coverage_toys"
    case limitsAtSelectedMasses = "limits_at_selected_masses", smallestMedianExpectedLimit = "smallest_median_expected_limit_fb"
    case smallestMedianExpectedLimitMass = "smallest_median_expected_limit_mass_gev", assessedExcess = "assessed_excess"
    case pseudoDataLargestExcess = "pseudo_data_largest_excess", pseudoDataLargestExcessMass = "pseudo_data_largest_excess_mass_gev"
    case coverage, seconds
  }

  public init(from decoder: any Decoder) throws {
    info = try ResultInfo(from: decoder)
    try info.require(Self.kind)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    seed = try c.decode(UInt64.self, forKey: .seed)
    limit = try c.decode(LimitSettings.self, forKey: .limit)
    hypotheses = try c.decode(Int.self, forKey: .hypotheses)
    brazilToys = try c.decode(Int.self, forKey: .brazilToys)
    leeToys = try c.decode(Int.self, forKey: .leeToys)
    coverageToys = try c.decode(Int.self, forKey: .coverageToys)
    limitsAtSelectedMasses = try c.decode([SelectedLimit].self, forKey: .limitsAtSelectedMasses)
    smallestMedianExpectedLimit = try c.decode(Double.self, forKey: .smallestMedianExpectedLimit)
    smallestMedianExpectedLimitMass = try c.decode(Double.self, forKey: .smallestMedianExpectedLimitMass)
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
    try c.encode(hypotheses, forKey: .hypotheses)
    try c.encode(brazilToys, forKey: .brazilToys)
    try c.encode(leeToys, forKey: .leeToys)
    try c.encode(coverageToys, forKey: .coverageToys)
    try c.encode(limitsAtSelectedMasses, forKey: .limitsAtSelectedMasses)
    try c.encode(smallestMedianExpectedLimit, forKey: .smallestMedianExpectedLimit)
    try c.encode(smallestMedianExpectedLimitMass, forKey: .smallestMedianExpectedLimitMass)
    try c.encode(assessedExcess, forKey: .assessedExcess)
    try c.encode(pseudoDataLargestExcess, forKey: .pseudoDataLargestExcess)
    try c.encode(pseudoDataLargestExcessMass, forKey: .pseudoDataLargestExcessMass)
    try c.encode(coverage, forKey: .coverage)
    try c.encode(seconds, forKey: .seconds)
  }
}
