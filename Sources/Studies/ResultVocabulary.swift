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

/// A finite number, or nil (a NaN or an infinity never reaches a result file).
func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }

extension BeltRecord {
  /// The record of a belt and of the intervals taken from it (`observed`: the data's own).
  public init(_ r: BeltLimits, observed: BeltInterval?) {
    let b = r.belt
    self.init(muPoints: b.muPoints, toysPerPoint: b.toysPerPoint, muMax: b.top, refinedPoints: b.refinedPoints, extensions: b.extensions,
              maxCriticalValueError: b.maxCriticalError.isFinite ? b.maxCriticalError : 0, failedToys: b.failedToys.count,
              observedUpperRange: observed.map { [$0.upperRange.lowerBound, $0.upperRange.upperBound] },
              observedMultipleCrossings: observed.map(\.multipleCrossings), observedGapSignificance: observed.flatMap { finite($0.gapSignificance) },
              multipleCrossingToys: r.multipleCrossingToys, significantGapToys: r.significantGapToys)
  }
}
