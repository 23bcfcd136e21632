import Foundation

/// The result of one hypothesis test at POI = µ, with pyhf's keys and conventions
/// (`pyhf.infer.hypotest`): p-values of the observed data under s+b (CLs+b) and b-only (CLb),
/// CLs = CLs+b / CLb, and the expected CLs (and CLs+b) when the data are b-like at
/// −2σ, −1σ, 0, +1σ, +2σ — ordered as pyhf orders its expected set, from the most
/// excluding (the −2σ edge of the expected-limit band) to the least.
///
/// For the discovery statistic q0, `cls` and `expectedCLs` hold CLs+b — the p-value p0 of the
/// background-only hypothesis — and its expected set, because that is what pyhf's `hypotest`
/// returns for q0 (`CLsb_obs if is_q0 else CLs_obs`; CLs is not a discovery quantity).
public struct HypoTestResult: Sendable, Codable, Equatable {
  public var poi: Double
  public var testStatistic: TestStatistic
  /// The observed value of the calculator's test statistic (asymptotic: in the √q − √q_A
  /// space, as pyhf's `teststatistic`; toys: the statistic itself).
  public var observedTestStatistic: Double
  public var cls: Double
  public var clsb: Double
  public var clb: Double
  public var expectedCLs: [Double]
  public var expectedCLsb: [Double]
  /// Toys only: how many toys were generated under s+b and b, and how many fits failed.
  public var toys: ToyCounts?

  enum CodingKeys: String, CodingKey {
    case poi = "poi_value", testStatistic = "test_stat", observedTestStatistic = "observed_test_statistic"
    case cls, clsb, clb, expectedCLs = "expected_cls", expectedCLsb = "expected_clsb", toys
  }

  public init(poi: Double, testStatistic: TestStatistic, observedTestStatistic: Double, cls: Double, clsb: Double, clb: Double,
              expectedCLs: [Double], expectedCLsb: [Double], toys: ToyCounts? = nil) {
    self.poi = poi
    self.testStatistic = testStatistic
    self.observedTestStatistic = observedTestStatistic
    let discovery = testStatistic == .q0  // pyhf's hypotest convention for q0 (above)
    self.cls = discovery ? clsb : cls
    self.clsb = clsb
    self.clb = clb
    self.expectedCLs = discovery ? expectedCLsb : expectedCLs
    self.expectedCLsb = expectedCLsb
    self.toys = toys
  }

  /// Non-finite numbers (a CLs of 0/0 when the observation lies beyond every toy) are written
  /// as null: a NaN never reaches a result file.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
    try c.encode(poi, forKey: .poi)
    try c.encode(testStatistic, forKey: .testStatistic)
    try c.encode(finite(observedTestStatistic), forKey: .observedTestStatistic)
    try c.encode(finite(cls), forKey: .cls)
    try c.encode(finite(clsb), forKey: .clsb)
    try c.encode(finite(clb), forKey: .clb)
    try c.encode(expectedCLs.map(finite), forKey: .expectedCLs)
    try c.encode(expectedCLsb.map(finite), forKey: .expectedCLsb)
    try c.encodeIfPresent(toys, forKey: .toys)
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    func value(_ k: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: k) ?? .nan }
    poi = try c.decode(Double.self, forKey: .poi)
    testStatistic = try c.decode(TestStatistic.self, forKey: .testStatistic)
    observedTestStatistic = try value(.observedTestStatistic)
    cls = try value(.cls)
    clsb = try value(.clsb)
    clb = try value(.clb)
    expectedCLs = try c.decode([Double?].self, forKey: .expectedCLs).map { $0 ?? .nan }
    expectedCLsb = try c.decode([Double?].self, forKey: .expectedCLsb).map { $0 ?? .nan }
    toys = try c.decodeIfPresent(ToyCounts.self, forKey: .toys)
  }

  /// The value a limit rule compares with α: CLs or CLs+b.
  public func value(for rule: LimitRule) -> Double { rule == .clsb ? clsb : cls }
  public func expected(for rule: LimitRule) -> [Double] { rule == .clsb ? expectedCLsb : expectedCLs }
}

public struct ToyCounts: Sendable, Codable, Equatable {
  public var signalPlusBackground: Int
  public var backgroundOnly: Int
  public var failedFits: Int
  /// The (toy index, hypothesis) of failed toys, for regenerating them alone.
  public var failedToys: [FailedToy]

  enum CodingKeys: String, CodingKey {
    case signalPlusBackground = "signal_plus_background", backgroundOnly = "background_only"
    case failedFits = "failed_fits", failedToys = "failed_toys"
  }
}

public struct FailedToy: Sendable, Codable, Equatable {
  public var toy: Int
  public var hypothesis: String
  public var streamKey: UInt64

  /// A failed pseudo-experiment: its index, the hypothesis it was drawn under, and its stream
  /// key (enough to regenerate it alone).
  public init(toy: Int, hypothesis: String, streamKey: UInt64) {
    self.toy = toy
    self.hypothesis = hypothesis
    self.streamKey = streamKey
  }

  enum CodingKeys: String, CodingKey { case toy, hypothesis, streamKey = "stream_key" }
}

/// How an upper limit is set: CLs = α (the modified frequentist method) or CLs+b = α, or a
/// Feldman–Cousins-style interval from t̃µ (``NeymanConstruction``).
public enum LimitRule: String, CaseIterable, Sendable, Codable {
  case cls, clsb, fc
}

/// Something that tests POI values: the asymptotic and the toy calculators.
public protocol HypoTestCalculator: AnyObject {
  var testStatistic: TestStatistic { get }
  /// The POI's bounds in the model.
  var poiBounds: ClosedRange<Double> { get }
  /// The POI's maximum-likelihood estimate µ̂ on the observed data (where a two-sided p(µ) peaks).
  var muHat: Double { get }
  func hypotest(poi: Double) throws -> HypoTestResult
}

/// pyhf's percentiles of the normal distribution for −2σ … +2σ (`ToyCalculator.expected_pvalues`).
let normalPercentiles = [2.27501319, 15.86552539, 50.0, 84.13447461, 97.72498681]

/// The p-th percentile (0–100) of sorted values with linear interpolation (numpy's default).
func percentile(sorted v: [Double], _ p: Double) -> Double {
  guard !v.isEmpty else { return .nan }
  let pos = p / 100 * Double(v.count - 1)
  let lo = Int(pos.rounded(.down))
  let hi = min(lo + 1, v.count - 1)
  let t = pos - Double(lo)
  return v[lo] + t * (v[hi] - v[lo])
}
