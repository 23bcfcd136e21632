import Foundation
import Results

/// The run summary's figures from the result files: the smallest limits by the run's method and
/// from the asymptotic formulae, the exact against the asymptotic median over the spectrum, and
/// the g′ figures of each model.
public enum RunSummary {
  /// Relative difference between the exact and the asymptotic median beyond which a hypothesis
  /// counts as differing.
  public static let threshold = 0.2

  /// The smallest observed and median expected limits (the masses' own), exact and asymptotic.
  public static func extremes(_ b: BrazilFile) -> LimitExtremes {
    func smallest(_ value: (BrazilPoint) -> Double?) -> LimitAtMass? {
      b.masses.compactMap { p in value(p).flatMap { v in v.isFinite ? LimitAtMass(value: v, mass: p.mass ?? .nan) : nil } }
        .min { $0.value < $1.value }
    }
    let asymptotic = smallest { $0.expectedAsymptotic.median } ?? LimitAtMass(value: .nan, mass: .nan)
    return LimitExtremes(smallestObserved: smallest(\.observed), smallestObservedAsymptotic: smallest(\.observedAsymptotic),
                         smallestMedianExpected: smallest { $0.expectedToys?.median }, smallestMedianExpectedAsymptotic: asymptotic)
  }

  /// The ratio of the toy band's median (each toy's limit by the file's method) to the
  /// asymptotic median per hypothesis: its extremes, median, and the mass ranges where it differs
  /// from 1 by more than ``threshold`` (neighbouring hypotheses joined). Nil without a toy band
  /// or when its limits are not the belts' (method asymptotic).
  public static func comparison(_ b: BrazilFile) -> MethodComparison? {
    guard b.settings.limit.method == .toys else { return nil }
    let ratios = b.masses.sorted { ($0.mass ?? 0) < ($1.mass ?? 0) }.compactMap { p -> (Double, Double)? in
      guard let t = p.expectedToys?.median, t.isFinite, p.expectedAsymptotic.median > 0, let m = p.mass else { return nil }
      return (m, t / p.expectedAsymptotic.median)
    }
    guard let lo = ratios.min(by: { $0.1 < $1.1 }), let hi = ratios.max(by: { $0.1 < $1.1 }) else { return nil }
    let sorted = ratios.map(\.1).sorted()
    var ranges: [ValueRange] = []
    var open: ValueRange? = nil
    for (m, r) in ratios {
      if abs(r - 1) > threshold {
        open = ValueRange(lower: open?.lower ?? m, upper: m)
      } else if let o = open {
        ranges.append(o)
        open = nil
      }
    }
    if let o = open { ranges.append(o) }
    return MethodComparison(hypotheses: ratios.count, threshold: threshold, ratioMin: LimitAtMass(value: lo.1, mass: lo.0),
                            ratioMax: LimitAtMass(value: hi.1, mass: hi.0), ratioMedian: sorted[sorted.count / 2],
                            differing: ratios.filter { abs($0.1 - 1) > threshold }.count, differingRanges: ranges)
  }

  /// The smallest g′ limit (observed, else the median expected) and the (g−2)µ exclusion of one
  /// couplings file, by its method and asymptotic.
  public static func couplings(_ c: CouplingsFile) -> CouplingSummary {
    let observed = c.exclusionBasis == "observed"
    func smallest(_ value: (CouplingPoint) -> Double?) -> LimitAtMass? {
      c.masses.compactMap { p in value(p).flatMap { $0.isFinite ? LimitAtMass(value: $0, mass: p.mass) : nil } }.min { $0.value < $1.value }
    }
    return CouplingSummary(model: c.model, smallestGPrime: smallest { observed ? $0.observed : $0.expected.median },
                           smallestGPrimeAsymptotic: smallest { observed ? $0.observedAsymptotic : $0.expectedAsymptotic.median },
                           excludedGMinus2: c.excludedRanges, excludedGMinus2Asymptotic: c.excludedRangesAsymptotic, basis: c.exclusionBasis)
  }
}
