import Inference
import Results

// The result files' vocabulary (Results, which depends on nothing) and the statistics' own
// types (Inference) name the same things: these are the conversions between them.

extension LimitRule {
  public init(_ rule: IntervalRule) {
    switch rule {
    case .cls: self = .cls
    case .clsb: self = .clsb
    case .fc: self = .fc
    }
  }
}

extension IntervalRule {
  public init(_ rule: LimitRule) {
    switch rule {
    case .cls: self = .cls
    case .clsb: self = .clsb
    case .fc: self = .fc
    }
  }
}

extension LimitSettings {
  /// The procedure with the rule's default test statistic.
  public init(cl: Double, rule: LimitRule, method: LimitMethod) {
    self.init(cl: cl, rule: IntervalRule(rule), method: method, testStatistic: rule.defaultTestStatistic.rawValue)
  }
}

extension FailedToyRecord {
  public init(_ f: FailedToy) { self.init(toy: f.toy, hypothesis: f.hypothesis, streamKey: f.streamKey) }
}
