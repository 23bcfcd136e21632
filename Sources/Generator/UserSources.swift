import Experiment
import Foundation
import GSL
import _Support

/// A process taken from a user's file instead of a model: reconstructed-level (already smeared
/// and selected) events in (M²_recoil, θ_cm_recoil), so the generator neither smears nor applies
/// the acceptance again.
///
/// - A **2D histogram** CSV with columns `m2_low_gev2, m2_high_gev2, theta_low_deg, theta_high_deg,
///   content` (non-negative contents, expected events after selection): a cell is drawn with
///   Walker's alias method (`gsl_ran_discrete`), then a point uniformly inside it.
/// - An **event** CSV with columns `m2_recoil_gev2, theta_cm_recoil_deg` (as `zptoys generate`
///   writes): events are drawn uniformly with replacement (a bootstrap of the sample).
public struct UserSource: Sendable {
  public enum Kind: Sendable { case histogram, events }
  public let kind: Kind
  public let path: String
  /// Expected events after the selection at the configured luminosity: the histogram's total
  /// content, or the number of events in an event file.
  public let totalYield: Double
  let cells: [(m2: ClosedRange<Double>, theta: ClosedRange<Double>)]
  let weights: [Double]
  /// Event-file points as (M², cosθ_cm).
  let points: [(Double, Double)]

  public static let histogramColumns = ["m2_low_gev2", "m2_high_gev2", "theta_low_deg", "theta_high_deg", "content"]
  public static let eventColumns = ["m2_recoil_gev2", "theta_cm_recoil_deg"]

  /// Reads a histogram or event file, telling them apart by the header.
  public init(path: String) throws {
    self.path = path
    let probe = try NumericCSV(path: path, required: [])
    if UserSource.histogramColumns.allSatisfy(probe.header.contains) {
      let csv = try NumericCSV(path: path, required: UserSource.histogramColumns)
      let ix = UserSource.histogramColumns.map { csv.column($0)! }
      var cells: [(ClosedRange<Double>, ClosedRange<Double>)] = []
      var w: [Double] = []
      for (r, row) in csv.rows.enumerated() {
        let (a, b, c, d, n) = (row[ix[0]], row[ix[1]], row[ix[2]], row[ix[3]], row[ix[4]])
        guard a < b else { throw csv.error(row: r, "m2_low_gev2 (\(a)) must be below m2_high_gev2 (\(b))") }
        guard c < d, c >= 0, d <= 180 else { throw csv.error(row: r, "theta bounds must satisfy 0 ≤ low < high ≤ 180, got [\(c), \(d)]") }
        guard n >= 0 else { throw csv.error(row: r, "content must not be negative, got \(n)") }
        cells.append((a...b, c...d))
        w.append(n)
      }
      let total = w.reduce(0, +)
      guard total > 0 else { throw NumericCSV.ReadError(path: path, line: nil, reason: "the histogram is empty (all contents zero)") }
      kind = .histogram
      self.cells = cells
      weights = w
      points = []
      totalYield = total
    } else if UserSource.eventColumns.allSatisfy(probe.header.contains) {
      let csv = try NumericCSV(path: path, required: UserSource.eventColumns)
      let im = csv.column("m2_recoil_gev2")!, it = csv.column("theta_cm_recoil_deg")!
      var pts: [(Double, Double)] = []
      pts.reserveCapacity(csv.rows.count)
      for (r, row) in csv.rows.enumerated() {
        guard row[it] >= 0, row[it] <= 180 else { throw csv.error(row: r, "theta_cm_recoil_deg must be in [0, 180], got \(row[it])") }
        pts.append((row[im], cos(row[it] * Double.pi / 180)))
      }
      guard !pts.isEmpty else { throw NumericCSV.ReadError(path: path, line: nil, reason: "has no events") }
      kind = .events
      cells = []
      weights = []
      points = pts
      totalYield = Double(pts.count)
    } else {
      throw NumericCSV.ReadError(path: path, line: 1, reason: "neither a histogram (columns \(UserSource.histogramColumns.joined(separator: ", "))) nor an event file (columns \(UserSource.eventColumns.joined(separator: ", ")))")
    }
  }

  /// A sampler over this source's content (one per thread: it holds no stream).
  public func makeSampler() throws -> UserSourceSampler {
    try UserSourceSampler(source: self)
  }
}

/// Draws reconstructed events from a ``UserSource``.
public final class UserSourceSampler: @unchecked Sendable {
  let source: UserSource
  let table: DiscreteSampler?

  init(source: UserSource) throws {
    self.source = source
    table = source.kind == .histogram ? try DiscreteSampler(weights: source.weights) : nil
  }

  public func draw(_ rng: RandomStream) -> Event {
    switch source.kind {
    case .histogram:
      let c = source.cells[table!.sample(rng)]
      let m2 = rng.uniform(c.m2.lowerBound, c.m2.upperBound)
      let t = cos(rng.uniform(c.theta.lowerBound, c.theta.upperBound) * Double.pi / 180)
      return Event(m2: m2, cosThetaCM: t, cosThetaLab: .nan, trueM2: m2, trueCosThetaCM: t, component: 0)
    case .events:
      let n = source.points.count
      let i = min(n - 1, Int(rng.uniform() * Double(n)))
      let (m2, t) = source.points[i]
      return Event(m2: m2, cosThetaCM: t, cosThetaLab: .nan, trueM2: m2, trueCosThetaCM: t, component: 0)
    }
  }
}
