import Experiment
import Foundation

/// Which hypotheses a study runs over (`--masses`): `all`, hypothesis indices (`100-105`,
/// `3,7,9`, or a mix), or a mass range in GeV (`1.5:2.5`, inclusive).
public struct MassSelection: Sendable, Equatable, Codable, CustomStringConvertible {
  public let spec: String

  public init(_ spec: String) { self.spec = spec.trimmingCharacters(in: .whitespaces) }

  public var description: String { spec }

  public struct ParseError: Error, CustomStringConvertible {
    public let description: String
  }

  /// The selected hypothesis indices, sorted and unique.
  public func indices(in grid: MassGrid) throws -> [Int] {
    let n = grid.count
    if spec == "all" { return Array(0..<n) }
    if spec.contains(":") {
      let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
      guard parts.count == 2, let lo = Double(parts[0]), let hi = Double(parts[1]), lo.isFinite, hi.isFinite, lo <= hi else {
        throw ParseError(description: "--masses \"\(spec)\": a mass range is LOW:HIGH in GeV with LOW ≤ HIGH, e.g. 1.5:2.5")
      }
      let r = grid.hypotheses.filter { $0.mass >= lo && $0.mass <= hi }.map(\.index)
      guard !r.isEmpty else {
        throw ParseError(description: "--masses \(spec): no hypothesis between \(lo) and \(hi) GeV (the grid spans \(grid.hypotheses.first!.mass)–\(grid.hypotheses.last!.mass) GeV)")
      }
      return r
    }
    var out = Set<Int>()
    for item in spec.split(separator: ",") {
      let t = item.trimmingCharacters(in: .whitespaces)
      if let dash = t.firstIndex(of: "-"), dash != t.startIndex {
        guard let a = Int(t[..<dash]), let b = Int(t[t.index(after: dash)...]), a <= b else {
          throw ParseError(description: "--masses: \"\(t)\" is not a range of indices like 100-105")
        }
        guard a >= 0, b < n else { throw ParseError(description: "--masses: indices \(a)-\(b) outside the grid (0 to \(n - 1))") }
        out.formUnion(a...b)
      } else {
        guard let i = Int(t) else {
          throw ParseError(description: "--masses: \"\(t)\" is not a hypothesis index; use all, indices (3,7,100-105) or a mass range in GeV (1.5:2.5)")
        }
        guard i >= 0, i < n else { throw ParseError(description: "--masses: index \(i) outside the grid (0 to \(n - 1))") }
        out.insert(i)
      }
    }
    guard !out.isEmpty else { throw ParseError(description: "--masses: empty selection") }
    return out.sorted()
  }
}

