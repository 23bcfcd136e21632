import ArgumentParser
import Foundation
import Results
import Studies
import _Support

/// The points of the toy studies at chosen hypotheses (`coverage`, `pulls`): masses of the
/// configuration's grid (or a published likelihood's patches) × true signals.
struct PointOptions: ParsableArguments {
  @Option(help: "Masses in GeV (comma-separated; nearest hypotheses). Default: 2.352.")
  var mass: String?

  @Option(help: "True (injected) cross sections in fb, comma-separated (with --patchset: values of the POI).")
  var signal: String = "0,1,5"

  static func numbers(_ s: String, _ option: String) throws -> [Double] {
    let v = s.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard !v.isEmpty, v.allSatisfy({ $0 != nil && $0!.isFinite }) else { throw ValidationError("\(option) takes numbers separated by commas, got \"\(s)\"") }
    return v.map { $0! }
  }

  var masses: [Double] { (try? Self.numbers(mass ?? "2.352", "--mass")) ?? [] }
  var signals: [Double] { (try? Self.numbers(signal, "--signal")) ?? [] }

  func validate() throws {
    guard try Self.numbers(mass ?? "2.352", "--mass").allSatisfy({ $0 > 0 }) else { throw ValidationError("--mass values must be positive") }
    guard try Self.numbers(signal, "--signal").allSatisfy({ $0 >= 0 }) else { throw ValidationError("--signal values must not be negative") }
  }

  /// The hypotheses: the published likelihood's patches, or the grid's hypotheses nearest the
  /// masses (built with `analysis`); and the masses (the hypotheses' own) and patches to record.
  func hypotheses(published: PublishedOptions, analysis: () throws -> Analysis) throws -> (any HypothesisSet, [Double], [PatchLabel]) {
    if published.isSet {
      let set = try published.hypotheses()
      return (set, [], (0..<set.count).map { set.label($0).patch! })
    }
    let a = try analysis()
    let hs = try masses.map { try MassInput.hypothesis(nearest: $0, in: a.grid) }
    return (WindowHypotheses(analysis: a, indices: hs.map(\.index)), hs.map(\.mass), [])
  }
}

/// `--require` and `--junit`: a check a user's CI runs.
struct CheckOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Exit with status 1 unless every point passes (coverage: covers or no-undercoverage; pulls: unbiased or calibrated).", valueName: "condition"))
  var require: String?

  @Option(help: ArgumentHelp("Write a JUnit XML report (GitLab, GitHub, Jenkins): one test case per point, failing where the condition fails (--require, else covers / unbiased).", valueName: "file.xml"))
  var junit: String?

  /// A check judges complete results: not a shard's.
  func validate(shard: String?) throws {
    if (require != nil || junit != nil), let s = shard, s != "1/1" {
      throw ValidationError("--require and --junit judge a complete result, not shard \(s): run the check unsharded")
    }
  }

  /// Writes the report and exits 1 when `--require` was given and a case fails.
  func finish(_ report: JUnitReport, what: String) throws {
    if let path = junit { try AtomicFile.write(report.xml(), to: path) }
    guard require != nil, report.failures > 0 else { return }
    let failing = report.cases.filter { $0.failure != nil }
    FileHandle.standardError.write(Data("\(what) check failed: \(failing.count) of \(report.cases.count) cases\n".utf8))
    for c in failing.prefix(20) { FileHandle.standardError.write(Data("  \(c.name): \(c.failure!)\n".utf8)) }
    throw ExitCode(1)
  }
}
