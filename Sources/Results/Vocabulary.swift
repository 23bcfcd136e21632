/// The statistical vocabulary of result files: bands, interval rules, methods.

/// −2σ … +2σ values (expected limits, their translations to g′), in the order of the keys.
public struct Band: Codable, Sendable, Equatable {
  public var minus2: Double
  public var minus1: Double
  public var median: Double
  public var plus1: Double
  public var plus2: Double

  public init(minus2: Double, minus1: Double, median: Double, plus1: Double, plus2: Double) {
    self.minus2 = minus2
    self.minus1 = minus1
    self.median = median
    self.plus1 = plus1
    self.plus2 = plus2
  }

  /// From five values in the order −2σ, −1σ, median, +1σ, +2σ.
  public init(_ v: [Double]) {
    self.init(minus2: v[0], minus1: v[1], median: v[2], plus1: v[3], plus2: v[4])
  }

  /// −2σ, −1σ, median, +1σ, +2σ.
  public var values: [Double] { [minus2, minus1, median, plus1, plus2] }
  /// The keys with their values, in order.
  public var named: [(String, Double)] { zip(["minus2", "minus1", "median", "plus1", "plus2"], values).map { ($0, $1) } }

  public func map(_ f: (Double) throws -> Double) rethrows -> Band { Band(try values.map(f)) }
}

/// How an interval is set (`--rule`).
public enum IntervalRule: String, Codable, Sendable, CaseIterable {
  /// Upper limit: the smallest µ with CLs(µ) ≤ 1 − CL.
  case cls
  /// Upper limit: the smallest µ with CLs+b(µ) ≤ 1 − CL.
  case clsb
  /// Feldman–Cousins-style interval: Neyman construction ordered by t̃µ.
  case fc

  /// "CLs", "CLs+b", "Feldman–Cousins (t̃µ)".
  public var text: String {
    switch self {
    case .cls: "CLs"
    case .clsb: "CLs+b"
    case .fc: "Feldman–Cousins (t̃µ)"
    }
  }

  /// The same in ASCII (HEPData tables).
  public var ascii: String {
    switch self {
    case .cls: "CLs"
    case .clsb: "CLs+b"
    case .fc: "Feldman-Cousins"
    }
  }

  /// The same in the plots' markup (sub- and superscripts).
  public var markup: String {
    switch self {
    case .cls: "CL_{s}"
    case .clsb: "CL_{s+b}"
    case .fc: "t̃_{µ} (Feldman–Cousins)"
    }
  }

  /// Whether the rule gives a two-sided interval (else an upper limit).
  public var isInterval: Bool { self == .fc }
}

/// Where p-values (and so limits) come from.
public enum LimitMethod: String, Codable, Sendable, CaseIterable {
  /// The asymptotic formulae (arXiv:1007.1727) on the Asimov data set.
  case asymptotic
  /// Pseudo-experiments: a toy Neyman belt per hypothesis (t̃µ critical values on a µ grid for
  /// Feldman–Cousins intervals; the q̃µ of the same toys for CLs and CLs+b) — the paper's
  /// method, every limit exact up to its Monte Carlo error.
  case toys

  public var text: String {
    switch self {
    case .asymptotic: "asymptotic"
    case .toys: "toy Neyman belt"
    }
  }

  /// The same in the plots' legends: "asymptotic", "toys".
  public var short: String {
    switch self {
    case .asymptotic: "asymptotic"
    case .toys: "toys"
    }
  }
}

/// The limit procedure of a result: confidence level, rule, method and test statistic.
public struct LimitSettings: Codable, Sendable, Equatable {
  public var cl: Double
  public var rule: IntervalRule
  public var method: LimitMethod
  /// The test statistic's name (q0, q, qtilde, t, ttilde).
  public var testStatistic: String

  public init(cl: Double, rule: IntervalRule, method: LimitMethod, testStatistic: String) {
    self.cl = cl
    self.rule = rule
    self.method = method
    self.testStatistic = testStatistic
  }

  enum CodingKeys: String, CodingKey { case cl, rule, method, testStatistic = "test_statistic" }

  /// "90% CL" (the percentage without trailing zeros).
  public var clText: String { "\(Self.percent(cl))% CL" }

  /// 0.9 → "90", 0.955 → "95.5".
  public static func percent(_ x: Double) -> String {
    var s = String(format: "%.3f", x * 100)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s
  }
}

/// A pseudo-experiment whose fit or limit failed: its index, the hypothesis it was drawn under,
/// and its stream key (enough to regenerate it alone).
public struct FailedToyRecord: Codable, Sendable, Equatable {
  public var toy: Int
  public var hypothesis: String
  public var streamKey: UInt64

  public init(toy: Int, hypothesis: String, streamKey: UInt64) {
    self.toy = toy
    self.hypothesis = hypothesis
    self.streamKey = streamKey
  }

  enum CodingKeys: String, CodingKey { case toy, hypothesis, streamKey = "stream_key" }
}
