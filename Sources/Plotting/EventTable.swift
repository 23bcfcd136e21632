import Foundation

/// Events from a CSV file as `zptoys generate` writes it: a header line, then one event per
/// line. The plots need `m2_recoil_gev2`; the map also `theta_cm_recoil_deg`; the stack the
/// `process` column (mumu, tautau, eemumu, signal; all events count as one sample without it);
/// an optional `weight` column weights each event.
public struct EventTable: Sendable {
  public var m2: [Double]
  /// nil when the file has no `theta_cm_recoil_deg` column.
  public var thetaCM: [Double]?
  public var process: [String]?
  public var weight: [Double]?
  public var count: Int { m2.count }

  public init(m2: [Double], thetaCM: [Double]? = nil, process: [String]? = nil, weight: [Double]? = nil) {
    self.m2 = m2
    self.thetaCM = thetaCM
    self.process = process
    self.weight = weight
  }

  /// Process names in the order of first appearance.
  public var processes: [String] {
    guard let p = process else { return [] }
    var seen: [String] = []
    var set = Set<String>()
    for x in p where !set.contains(x) {
      set.insert(x)
      seen.append(x)
    }
    return seen
  }

  public static func parse(_ data: Data, path: String) throws -> EventTable {
    guard let text = String(data: data, encoding: .utf8) else { throw PlotError("\(path): not UTF-8 text") }
    var lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
    while let f = lines.first, f.hasPrefix("#") { lines.removeFirst() }
    guard let headerLine = lines.first else { throw PlotError("\(path): empty file (expected a CSV header and events)") }
    let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    guard let im2 = header.firstIndex(of: "m2_recoil_gev2") else {
      if header.contains("m2_low_gev2") {
        throw PlotError("\(path) is a 2D histogram CSV; the spectrum and map plots take an event CSV (column m2_recoil_gev2)")
      }
      throw PlotError("\(path): no m2_recoil_gev2 column (header: \(header.prefix(8).joined(separator: ","))); expected an event CSV as written by `zptoys generate`")
    }
    let ith = header.firstIndex(of: "theta_cm_recoil_deg")
    let ip = header.firstIndex(of: "process")
    let iw = header.firstIndex(of: "weight")
    var m2: [Double] = [], th: [Double] = [], pr: [String] = [], w: [Double] = []
    m2.reserveCapacity(lines.count)
    for (n, line) in lines.dropFirst().enumerated() {
      let f = line.split(separator: ",", omittingEmptySubsequences: false)
      let lineNo = n + 2
      func number(_ i: Int, _ name: String) throws -> Double {
        guard i < f.count, let v = Double(f[i].trimmingCharacters(in: .whitespaces)), v.isFinite else {
          throw PlotError("\(path):\(lineNo): \(name) is not a finite number (\(i < f.count ? "\"\(f[i])\"" : "missing column"))")
        }
        return v
      }
      m2.append(try number(im2, "m2_recoil_gev2"))
      if let i = ith { th.append(try number(i, "theta_cm_recoil_deg")) }
      if let i = ip {
        guard i < f.count else { throw PlotError("\(path):\(lineNo): missing process column") }
        pr.append(f[i].trimmingCharacters(in: .whitespaces))
      }
      if let i = iw { w.append(try number(i, "weight")) }
    }
    guard !m2.isEmpty else { throw PlotError("\(path): no events (only a header)") }
    return EventTable(m2: m2, thetaCM: ith == nil ? nil : th, process: ip == nil ? nil : pr, weight: iw == nil ? nil : w)
  }

  /// A 1D histogram of M² over `edges` (uniform), per process (or one "all" entry), weighted.
  public func histogram(edges: [Double], scale: Double = 1) -> [(process: String, counts: [Double])] {
    let names = process == nil ? ["all"] : processes
    var index: [String: Int] = [:]
    for (k, n) in names.enumerated() { index[n] = k }
    var h = [[Double]](repeating: [Double](repeating: 0, count: edges.count - 1), count: names.count)
    guard edges.count >= 2 else { return [] }
    let lo = edges[0], width = (edges[edges.count - 1] - lo) / Double(edges.count - 1)
    for i in m2.indices {
      let b = Int(floor((m2[i] - lo) / width))
      guard b >= 0, b < edges.count - 1 else { continue }
      let k = process.map { index[$0[i]]! } ?? 0
      h[k][b] += (weight?[i] ?? 1) * scale
    }
    return zip(names, h).map { ($0, $1) }
  }
}
