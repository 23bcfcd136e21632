import Experiment
import Foundation

/// Masses a user gives on the command line, checked the same way by every command.
///
/// - A command that works on one hypothesis (`limit --mass`, `coverage --mass`, `workspace
///   --mass`, `templates --mass`) uses the hypothesis nearest in M² (``MassGrid/nearest(mass:)``)
///   and says so on stderr when that is not the mass given; outside the grid it is an error.
///   `generate --mass` and `xsec --mass` do not snap: they work at exactly the mass given.
/// - A `--masses LOW:HIGH` range that reaches beyond the grid is a warning naming what is left out.
/// - Negative numbers are values: `--mass -1` reads −1 (and is then refused as a mass), not a
///   missing value (``joiningNegativeNumbers(_:)``).
enum MassInput {
  /// The hypothesis nearest `mass` (GeV); a note on stderr when it is not `mass` to the 4 decimals
  /// results print; an error naming the grid's range outside it.
  static func hypothesis(nearest mass: Double, in grid: MassGrid, option: String = "--mass") throws -> MassHypothesis {
    let lo = grid.hypotheses.first!.mass, hi = grid.hypotheses.last!.mass
    guard mass.isFinite, mass > 0, let h = grid.nearest(mass: mass) else {
      throw CLIError("\(option) \(mass) GeV is outside the mass grid [\(fmt(lo)), \(fmt(hi))] GeV (see `zptoys grid`)")
    }
    if abs(h.mass - mass) > 5e-5 {
      FileHandle.standardError.write(Data(
        "note: \(option) \(mass) GeV: using the nearest hypothesis, index \(h.index) at M = \(fmt(h.mass)) GeV\n".utf8))
    }
    return h
  }

  /// Warns when a `--masses LOW:HIGH` range reaches beyond the grid, naming the part left out.
  static func warnIfClipped(_ spec: String, grid: MassGrid) {
    let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    guard parts.count == 2, let a = Double(parts[0]), let b = Double(parts[1]), a <= b else { return }
    let lo = grid.hypotheses.first!.mass, hi = grid.hypotheses.last!.mass
    var dropped: [String] = []
    if a < lo { dropped.append("\(fmt(a))–\(fmt(min(b, lo))) GeV is below the first hypothesis (\(fmt(lo)) GeV)") }
    if b > hi { dropped.append("\(fmt(max(a, hi)))–\(fmt(b)) GeV is above the last hypothesis (\(fmt(hi)) GeV)") }
    guard !dropped.isEmpty else { return }
    let kept = grid.hypotheses.filter { $0.mass >= a && $0.mass <= b }
    let using = kept.isEmpty ? "no hypothesis is left" :
      "using the \(kept.count) hypotheses from \(fmt(kept.first!.mass)) to \(fmt(kept.last!.mass)) GeV (indices \(kept.first!.index)-\(kept.last!.index))"
    FileHandle.standardError.write(Data("warning: --masses \(spec): \(dropped.joined(separator: "; ")); \(using)\n".utf8))
  }

  /// The arguments with every negative number that follows a long option joined to it
  /// (`--mass -1` → `--mass=-1`), so the argument parser reads it as the option's value rather
  /// than as an unknown short option. No command takes a negative number as a positional
  /// argument, and after a flag the joined form is an error as the separate one was.
  static func joiningNegativeNumbers(_ args: [String]) -> [String] {
    var out: [String] = []
    for a in args {
      if let last = out.last, last.hasPrefix("--"), !last.contains("="), last != "--", isNegativeNumber(a) {
        out[out.count - 1] = last + "=" + a
      } else {
        out.append(a)
      }
    }
    return out
  }

  /// "-1", "-2.5e-3", and lists or ranges that start with one ("-1,2", "-1:3").
  static func isNegativeNumber(_ s: String) -> Bool {
    guard s.hasPrefix("-"), s.count > 1 else { return false }
    return s.split(separator: ",", omittingEmptySubsequences: false)
      .flatMap { $0.split(separator: ":", omittingEmptySubsequences: false) }
      .allSatisfy { Double($0.trimmingCharacters(in: .whitespaces)) != nil }
  }

  private static func fmt(_ v: Double) -> String { String(format: "%.4f", v) }
}
