import Foundation
import Results

/// The x axis of a study's hypotheses: the Z′ mass of search windows; for the patches of a
/// published likelihood one of their values (``PlotOptions/patchValue``; by default the first,
/// when every patch has a number there) or, when the values are not numbers, the patch's
/// position in the patchset.
struct HypothesisAxis {
  /// The axis title.
  let title: String
  /// Whether x is the Z′ mass in GeV.
  let isMass: Bool
  let x: @Sendable (HypothesisLabel) -> Double

  /// - Throws: ``PlotError`` when `patchValue` names a value the patches do not all have as a
  ///   number, or when a window has no mass.
  static func make(_ labels: [HypothesisLabel], likelihood: PublishedLikelihood?, patchValue: Int?) throws -> HypothesisAxis {
    guard labels.contains(where: { $0.patch != nil }) else {
      guard labels.allSatisfy({ $0.mass != nil }) else { throw PlotError("a search-window point has no mass_gev") }
      return HypothesisAxis(title: "M_{Z′} [GeV]", isMass: true) { $0.mass ?? .nan }
    }
    let names = likelihood?.labels ?? []
    func numeric(_ k: Int) -> Bool { labels.allSatisfy { ($0.patch?.values.count ?? 0) > k && $0.patch!.values[k].number != nil } }
    if let k = patchValue {
      guard k >= 0, numeric(k) else { throw PlotError("--patch-value \(k): not every patch has a number as value \(k) (values count from 0)") }
      return HypothesisAxis(title: k < names.count ? names[k] : "value \(k)", isMass: false) { $0.patch?.values[k].number ?? .nan }
    }
    if numeric(0) { return HypothesisAxis(title: names.first ?? "value 0", isMass: false) { $0.patch?.values[0].number ?? .nan } }
    return HypothesisAxis(title: "patch (position in the patchset)", isMass: false) { Double($0.index) }
  }

  /// The axis range: from 0 when the values start near it (masses), else padded.
  func range(_ xs: [Double]) -> (Double, Double) {
    let xmax = xs.max()!, xmin = xs.min()!
    if isMass && xmin < 0.15 * xmax { return (0, (xmax * 1.02 / 0.5).rounded(.up) * 0.5) }
    if xmin == xmax { return (xmin - 0.5 * max(1, abs(xmin)), xmax + 0.5 * max(1, abs(xmax))) }
    return Axis.range(xs, scale: .linear, pad: 0.03)
  }
}
