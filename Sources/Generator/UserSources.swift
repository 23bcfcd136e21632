import Experiment
import Foundation
import GSL
import _Support

/// A process taken from a user's file instead of a model: reconstructed-level (already smeared
/// and selected) simulation in (M²_recoil, θ_cm_recoil), so the generator neither smears nor
/// applies the acceptance again. Its template is the file itself, binned into the global cells
/// (``WindowBinning``) without resampling: the file's Monte Carlo statistics are the template's.
///
/// - A **2D histogram** CSV with columns `m2_low_gev2, m2_high_gev2, theta_low_deg,
///   theta_high_deg, content` and optionally `sumw2` (non-negative contents: expected events after
///   selection; `sumw2`: the content's Monte Carlo variance Σw²). A cell that straddles global
///   cells is shared among them in proportion to the overlapping area in (M², θ) (a uniform
///   density inside the cell): content and Σw² both by the area fraction, the expected Σw² of the
///   cell's events that fall in each part.
/// - An **event** CSV with columns `m2_recoil_gev2, theta_cm_recoil_deg` (as `zptoys generate`
///   writes, whose other columns are allowed) and optionally `weight` (expected events per
///   simulated event, negative weights allowed): the template's yield per cell is Σw and its
///   variance Σw². Without `weight` every event counts as one expected event.
///
/// A column the format does not know is an error, as is a template cell whose total is negative.
public struct UserSource: Sendable {
  public enum Kind: Sendable { case histogram, events }
  public let kind: Kind
  /// The file as the user named it (for messages).
  public let path: String
  /// The file read (a converted CSV for a ROOT input; else `path`).
  public let csvPath: String
  /// Expected events after the selection at the configured luminosity: Σ content, or Σ weight.
  public let totalYield: Double
  /// Whether the file states its Monte Carlo variance (a `sumw2` column, or events, whose
  /// variance is Σw²).
  public let hasVariances: Bool
  /// Whether an event file has a `weight` column.
  public let isWeighted: Bool
  /// SHA-256 of what was read (the file's bytes; for a converted input, of the source file and
  /// the conversion), recorded in results.
  public let sha256: String
  let cells: [Cell]
  /// Event-file points.
  let points: [Point]

  struct Cell: Sendable {
    let m2: ClosedRange<Double>
    let theta: ClosedRange<Double>
    let content: Double
    let sumw2: Double
    let line: Int
  }

  struct Point: Sendable {
    let m2: Double
    let cosTheta: Double
    let weight: Double
  }

  public static let histogramColumns = ["m2_low_gev2", "m2_high_gev2", "theta_low_deg", "theta_high_deg", "content"]
  public static let histogramOptional = ["sumw2"]
  public static let eventColumns = ["m2_recoil_gev2", "theta_cm_recoil_deg"]
  /// The columns `zptoys generate` writes besides the reconstructed ones (allowed, not used).
  public static let eventExtras = ["theta_lab_recoil_deg", "true_m2_gev2", "true_theta_cm_deg", "process"]
  public static let weightColumn = "weight"

  /// Reads a histogram or event file, telling them apart by the header.
  ///
  /// - Parameters:
  ///   - path: the file as named in messages.
  ///   - csvPath: the CSV to read when it is not `path` (a ROOT input converted to CSV).
  ///   - sha256: the input's fingerprint when it is not the CSV's bytes (a converted input).
  public init(path: String, csvPath: String? = nil, sha256: String? = nil) throws {
    self.path = path
    self.csvPath = csvPath ?? path
    let probe = try NumericCSV(path: self.csvPath, required: [])
    let display = { (e: NumericCSV.ReadError) in NumericCSV.ReadError(path: path, line: e.line, reason: e.reason) }
    do {
      if UserSource.histogramColumns.allSatisfy(probe.header.contains) {
        try Self.checkColumns(probe, known: Self.histogramColumns + Self.histogramOptional, what: "a histogram")
        let hasSumw2 = probe.header.contains("sumw2")
        let csv = try NumericCSV(path: self.csvPath, required: Self.histogramColumns + (hasSumw2 ? ["sumw2"] : []))
        cells = try Self.readCells(csv)
        points = []
        kind = .histogram
        hasVariances = hasSumw2
        isWeighted = false
        totalYield = cells.reduce(0) { $0 + $1.content }
        guard totalYield > 0 else { throw NumericCSV.ReadError(path: path, line: nil, reason: "the histogram is empty (all contents zero)") }
      } else if UserSource.eventColumns.allSatisfy(probe.header.contains) {
        try Self.checkColumns(probe, known: Self.eventColumns + [Self.weightColumn] + Self.eventExtras, what: "an event file")
        let weighted = probe.header.contains(Self.weightColumn)
        let csv = try NumericCSV(path: self.csvPath, required: Self.eventColumns + (weighted ? [Self.weightColumn] : []))
        points = try Self.readPoints(csv)
        guard !points.isEmpty else { throw NumericCSV.ReadError(path: path, line: nil, reason: "has no events") }
        cells = []
        kind = .events
        hasVariances = true
        isWeighted = weighted
        totalYield = points.reduce(0) { $0 + $1.weight }
        guard totalYield > 0 else {
          throw NumericCSV.ReadError(path: path, line: nil, reason: "the weights sum to \(totalYield): the expected yield must be positive")
        }
      } else {
        throw NumericCSV.ReadError(path: path, line: 1, reason: "neither a histogram (columns \(Self.histogramColumns.joined(separator: ", ")), optional sumw2) nor an event file (columns \(Self.eventColumns.joined(separator: ", ")), optional weight)")
      }
    } catch let e as NumericCSV.ReadError {
      throw display(e)
    }
    // After the reader's checks (a file over its size limit is refused unread).
    self.sha256 = sha256 ?? SHA256.hex(FileManager.default.contents(atPath: self.csvPath) ?? Data())
  }

  /// Refuses columns the format does not know (a misspelt `weight` must not be ignored).
  static func checkColumns(_ csv: NumericCSV, known: [String], what: String) throws {
    for (j, name) in csv.header.enumerated() where !known.contains(name) {
      throw NumericCSV.ReadError(path: csv.path, line: csv.headerLine, reason: "unknown column \"\(name)\" (column \(j + 1)); \(what) has the columns \(known.joined(separator: ", "))")
    }
    let repeated = Dictionary(grouping: csv.header, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
    if let r = repeated.first { throw NumericCSV.ReadError(path: csv.path, line: csv.headerLine, reason: "column \"\(r)\" appears twice") }
  }

  static func readCells(_ csv: NumericCSV) throws -> [Cell] {
    let ix = Self.histogramColumns.map { csv.column($0)! }
    let iw = csv.column("sumw2")
    var cells: [Cell] = []
    cells.reserveCapacity(csv.rows.count)
    for (r, row) in csv.rows.enumerated() {
      let (a, b, c, d, n) = (row[ix[0]], row[ix[1]], row[ix[2]], row[ix[3]], row[ix[4]])
      guard a < b else { throw csv.error(row: r, "m2_low_gev2 (\(a)) must be below m2_high_gev2 (\(b))") }
      guard c < d, c >= 0, d <= 180 else { throw csv.error(row: r, "theta bounds must satisfy 0 ≤ low < high ≤ 180, got [\(c), \(d)]") }
      guard n >= 0 else { throw csv.error(row: r, "bin M² [\(a), \(b)] GeV², θ [\(c), \(d)]°: content must not be negative, got \(n)") }
      let s = iw.map { row[$0] } ?? 0
      guard s >= 0 else { throw csv.error(row: r, "bin M² [\(a), \(b)] GeV², θ [\(c), \(d)]°: sumw2 must not be negative, got \(s)") }
      cells.append(Cell(m2: a...b, theta: c...d, content: n, sumw2: s, line: csv.lines[r]))
    }
    return cells
  }

  static func readPoints(_ csv: NumericCSV) throws -> [Point] {
    let im = csv.column("m2_recoil_gev2")!, it = csv.column("theta_cm_recoil_deg")!
    let iw = csv.column(Self.weightColumn)
    var pts: [Point] = []
    pts.reserveCapacity(csv.rows.count)
    for (r, row) in csv.rows.enumerated() {
      guard row[it] >= 0, row[it] <= 180 else { throw csv.error(row: r, "theta_cm_recoil_deg must be in [0, 180], got \(row[it])") }
      pts.append(Point(m2: row[im], cosTheta: cos(row[it] * Double.pi / 180), weight: iw.map { row[$0] } ?? 1))
    }
    return pts
  }

  /// The template in the global cells of `binning`: yields and Monte Carlo variances (Σw²; 0
  /// for a histogram without `sumw2`). Simulation outside every window is left out.
  ///
  /// - Throws: ``GeneratorError/invalidRequest(_:)`` naming the cell (its M² and θ ranges) when
  ///   a cell's total is negative (negative weights outweigh the positive ones there).
  public func globalCells(_ binning: WindowBinning) throws -> (yields: [Double], sumw2: [Double]) {
    var y = [Double](repeating: 0, count: binning.globalCellCount)
    var s = [Double](repeating: 0, count: binning.globalCellCount)
    switch kind {
    case .events:
      for p in points {
        guard let k = binning.globalCell(m2: p.m2, cosThetaCM: p.cosTheta) else { continue }
        y[k] += p.weight
        s[k] += p.weight * p.weight
      }
    case .histogram:
      for c in cells { Self.share(c, binning: binning, yields: &y, sumw2: &s) }
    }
    // Sums of many positive and negative weights leave rounding residues: a cell is negative
    // when its total is below −1e-12 of the file's yield.
    if let k = y.indices.first(where: { y[$0] < -1e-12 * totalYield }) {
      throw GeneratorError.invalidRequest("\(path): the template bin \(Self.cellText(k, binning)) has a negative total (\(y[k]) events): negative weights must not outweigh the positive ones in any bin (more events, or coarser bins)")
    }
    for k in y.indices where y[k] < 0 { y[k] = 0 }
    return (y, s)
  }

  /// "M² [a, b) GeV², θ_cm [c, d)°" of global cell `k`.
  public static func cellText(_ k: Int, _ binning: WindowBinning) -> String {
    let nt = binning.fineThetaCount
    let (i, j) = (k / nt, k % nt)
    let e = binning.grid.edges, t = binning.fineThetaEdges
    return "M² [\(e[i]), \(e[i + 1])) GeV², θ_cm [\(t[j]), \(t[j + 1]))°"
  }

  /// Adds a histogram cell to the global cells it overlaps, by area fraction.
  static func share(_ c: Cell, binning: WindowBinning, yields y: inout [Double], sumw2 s: inout [Double]) {
    let e = binning.grid.edges, t = binning.fineThetaEdges
    let nt = binning.fineThetaCount
    let dm = c.m2.upperBound - c.m2.lowerBound, dt = c.theta.upperBound - c.theta.lowerBound
    // The first M² bin that can overlap: the last edge at or below the cell's lower edge.
    var lo = 0, hi = e.count - 1
    while hi - lo > 1 {
      let mid = (lo + hi) >> 1
      if e[mid] <= c.m2.lowerBound { lo = mid } else { hi = mid }
    }
    let firstM = lo
    for i in firstM..<(e.count - 1) where e[i] < c.m2.upperBound {
      let fm = (min(e[i + 1], c.m2.upperBound) - max(e[i], c.m2.lowerBound)) / dm
      guard fm > 0 else { continue }
      for j in 0..<nt where t[j] < c.theta.upperBound && t[j + 1] > c.theta.lowerBound {
        let f = fm * (min(t[j + 1], c.theta.upperBound) - max(t[j], c.theta.lowerBound)) / dt
        y[i * nt + j] += f * c.content
        s[i * nt + j] += f * c.sumw2
      }
    }
  }

  /// How many histogram cells straddle a global cell boundary (and are shared by area).
  public func straddlingCells(_ binning: WindowBinning) -> Int {
    guard kind == .histogram else { return 0 }
    let e = binning.grid.edges, t = binning.fineThetaEdges
    func inside(_ r: ClosedRange<Double>, _ edges: [Double]) -> Bool {
      !edges.contains { $0 > r.lowerBound + 1e-12 * max(1, abs($0)) && $0 < r.upperBound - 1e-12 * max(1, abs($0)) }
    }
    return cells.filter { c in
      c.m2.upperBound > e[0] && c.m2.lowerBound < e[e.count - 1] && !(inside(c.m2, e) && inside(c.theta, t))
    }.count
  }

  /// A sampler over this source's content (one per thread: it holds no stream).
  ///
  /// - Throws: ``GeneratorError/invalidRequest(_:)`` for an event file with negative weights
  ///   (events are drawn with probability ∝ weight).
  public func makeSampler() throws -> UserSourceSampler {
    if kind == .events, let k = points.firstIndex(where: { $0.weight < 0 }) {
      let n = points.filter { $0.weight < 0 }.count
      throw GeneratorError.invalidRequest("\(path): \(n) events have negative weights (the first is event \(k + 1)); events are drawn with probability ∝ weight, so a file with negative weights can be a template (--input on templates and the studies) but cannot be sampled")
    }
    return try UserSourceSampler(source: self)
  }
}

/// Draws reconstructed events from a ``UserSource``: a histogram cell with probability ∝ its
/// content, then a point uniformly inside it; an event with probability ∝ its weight (uniformly
/// for an unweighted file).
public final class UserSourceSampler: @unchecked Sendable {
  let source: UserSource
  let table: DiscreteSampler?

  init(source: UserSource) throws {
    self.source = source
    switch source.kind {
    case .histogram: table = try DiscreteSampler(weights: source.cells.map(\.content))
    case .events: table = source.isWeighted ? try DiscreteSampler(weights: source.points.map(\.weight)) : nil
    }
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
      let i = table.map { $0.sample(rng) } ?? min(n - 1, Int(rng.uniform() * Double(n)))
      let p = source.points[i]
      return Event(m2: p.m2, cosThetaCM: p.cosTheta, cosThetaLab: .nan, trueM2: p.m2, trueCosThetaCM: p.cosTheta, component: 0)
    }
  }
}
