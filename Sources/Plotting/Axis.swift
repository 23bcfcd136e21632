import Foundation

/// One axis of a plot: its range, scale, label and ticks.
///
/// Ticks follow matplotlib's defaults, which physicists read without thinking:
/// - linear: major steps of 1, 2, 2.5 or 5 × 10ⁿ, the smallest that gives at most `maxMajor`
///   ticks; minor ticks split each step into 5 (steps 1, 5) or 4 (2, 2.5) parts;
/// - log: a labelled major tick at every decade (every k-th decade when there are more than
///   `maxMajor`), minor ticks at 2…9 × 10ⁿ; when the range spans less than about two decades
///   the 2× and 5× minors are labelled too, so that no axis has fewer than two labels.
public struct Axis: Sendable {
  public enum Scale: Sendable { case linear, log }

  public var label: String
  public var scale: Scale
  public var lower: Double
  public var upper: Double
  /// Custom major ticks (position, label), e.g. categories; replaces the generated ones.
  public var customTicks: [(Double, String)]?
  public var maxMajor: Int = 8

  public init(label: String, scale: Scale = .linear, lower: Double, upper: Double) {
    self.label = label
    self.scale = scale
    self.lower = lower
    self.upper = upper
  }

  /// Position of `v` in [0, 1] along the axis (outside for values beyond the range; nil for
  /// values a log axis cannot show).
  public func fraction(_ v: Double) -> Double? {
    switch scale {
    case .linear:
      guard v.isFinite else { return nil }
      return (v - lower) / (upper - lower)
    case .log:
      guard v > 0, v.isFinite else { return nil }
      return (log10(v) - log10(lower)) / (log10(upper) - log10(lower))
    }
  }

  public struct Tick: Equatable, Sendable {
    public var value: Double
    public var label: String?
    public var major: Bool
  }

  /// Major (labelled) and minor ticks inside the range.
  public var ticks: [Tick] {
    if let c = customTicks { return c.map { Tick(value: $0.0, label: $0.1, major: true) } }
    switch scale {
    case .linear: return Self.linearTicks(lower, upper, maxMajor: maxMajor)
    case .log: return Self.logTicks(lower, upper, maxMajor: maxMajor)
    }
  }

  /// The "nice" major step for a linear range: 1, 2, 2.5 or 5 × 10ⁿ, the smallest giving at
  /// most `maxMajor` ticks.
  public static func niceStep(_ lo: Double, _ hi: Double, maxMajor: Int) -> Double {
    let span = abs(hi - lo)
    guard span > 0, span.isFinite else { return 1 }
    let raw = span / Double(max(1, maxMajor - 1))
    let p = pow(10, floor(log10(raw)))
    for m in [1.0, 2, 2.5, 5, 10] where m * p >= raw * (1 - 1e-9) { return m * p }
    return 10 * p
  }

  public static func linearTicks(_ lo: Double, _ hi: Double, maxMajor: Int = 8) -> [Tick] {
    guard lo < hi, lo.isFinite, hi.isFinite else { return [] }
    let step = niceStep(lo, hi, maxMajor: maxMajor)
    let mantissa = step / pow(10, floor(log10(step)))
    let minorParts = (abs(mantissa - 2) < 1e-9 || abs(mantissa - 2.5) < 1e-9) ? 4 : 5
    let minor = step / Double(minorParts)
    let eps = step * 1e-9
    let decimals = max(0, -Int(floor(log10(step) + 1e-9)) + (abs(mantissa - 2.5) < 1e-9 ? 1 : 0))
    var out: [Tick] = []
    var k = (lo / minor).rounded(.up)
    while k * minor <= hi + eps {
      let v = k * minor
      let isMajor = abs((v / step).rounded() * step - v) < eps * 10
      let value = abs(v) < eps ? 0 : v
      out.append(Tick(value: value, label: isMajor ? formatLinear(value, decimals: decimals) : nil, major: isMajor))
      k += 1
    }
    return out
  }

  /// A linear tick label: fixed decimals, U+2212 for the minus sign (as matplotlib).
  public static func formatLinear(_ v: Double, decimals: Int) -> String {
    let s = String(format: "%.\(decimals)f", abs(v) < 1e-12 ? 0 : v)
    return s.hasPrefix("-") ? "−" + s.dropFirst() : s
  }

  public static func logTicks(_ lo: Double, _ hi: Double, maxMajor: Int = 8) -> [Tick] {
    guard lo > 0, hi > lo, lo.isFinite, hi.isFinite else { return [] }
    let e0 = Int(floor(log10(lo) + 1e-9)), e1 = Int(ceil(log10(hi) - 1e-9))
    let decades = e1 - e0
    let every = max(1, Int((Double(decades) / Double(maxMajor)).rounded(.up)))
    let labelMinors = log10(hi / lo) < 1.9
    var out: [Tick] = []
    for e in e0...e1 {
      for m in 1...9 {
        let v = Double(m) * pow(10, Double(e))
        guard v >= lo * (1 - 1e-9), v <= hi * (1 + 1e-9) else { continue }
        if m == 1 {
          let labelled = ((e - e0) % every) == 0 || every == 1
          out.append(Tick(value: v, label: labelled ? decadeLabel(e) : nil, major: true))
        } else {
          let label = labelMinors && (m == 2 || m == 5) ? plainLabel(v) : nil
          out.append(Tick(value: v, label: label, major: false))
        }
      }
    }
    return out
  }

  /// "10^{−3}" in the label markup (rendered as a superscript).
  public static func decadeLabel(_ e: Int) -> String {
    e < 0 ? "10^{−\(-e)}" : "10^{\(e)}"
  }

  /// A short plain number (0.02, 5, 200) for labelled minor ticks of a log axis.
  public static func plainLabel(_ v: Double) -> String {
    if v >= 1, v < 1e5 { return String(format: "%.0f", v) }
    if v < 1, v >= 1e-4 {
      let d = max(0, -Int(floor(log10(v) + 1e-9)))
      return String(format: "%.\(d)f", v)
    }
    return String(format: "%g", v)
  }

  /// A range for data values: linear ranges padded by `pad` of the span; log ranges widened to
  /// whole decades (or by a factor when they span less than one).
  public static func range(_ values: [Double], scale: Scale, pad: Double = 0.05, wholeDecades: Bool = true) -> (Double, Double) {
    switch scale {
    case .linear:
      let v = values.filter(\.isFinite)
      guard let lo = v.min(), let hi = v.max() else { return (0, 1) }
      if hi == lo { return (lo - 1, hi + 1) }
      return (lo - pad * (hi - lo), hi + pad * (hi - lo))
    case .log:
      let v = values.filter { $0.isFinite && $0 > 0 }
      guard let lo = v.min(), let hi = v.max() else { return (0.1, 10) }
      if wholeDecades {
        let a = pow(10, floor(log10(lo) + 1e-9)), b = pow(10, ceil(log10(hi) - 1e-9))
        return (a, b > a ? b : a * 10)
      }
      return (lo / 2, hi * 2)
    }
  }

  /// A log range whose data fill the lower `dataFraction` of the axis (room above for the legend),
  /// with whole decades at both ends.
  public static func logRangeWithHeadroom(_ values: [Double], dataFraction: Double = 0.65, floorAt: Double? = nil) -> (Double, Double) {
    let v = values.filter { $0.isFinite && $0 > 0 }
    guard let lo0 = v.min(), let hi0 = v.max() else { return (0.1, 10) }
    var lo = pow(10, floor(log10(lo0) + 1e-9))
    if let f = floorAt { lo = max(lo, f) }
    let span = max(log10(hi0 / lo), 1)
    // The upper end on 1, 2 or 5 × 10ⁿ.
    let target = pow(10, log10(lo) + span / dataFraction)
    let e = pow(10, floor(log10(target) + 1e-9))
    let m = [1.0, 2, 5, 10].first { $0 * e >= target * (1 - 1e-9) }!
    return (lo, m * e)
  }

  /// A linear range from `lower` whose data fill the lower `dataFraction`, ending on a round value.
  public static func linearRangeWithHeadroom(_ values: [Double], lower: Double = 0, dataFraction: Double = 0.7) -> (Double, Double) {
    let hi0 = values.filter(\.isFinite).max() ?? 1
    let target = lower + max(hi0 - lower, 1e-9) / dataFraction
    let step = niceStep(lower, target, maxMajor: 6)
    return (lower, (target / step).rounded(.up) * step)
  }
}
