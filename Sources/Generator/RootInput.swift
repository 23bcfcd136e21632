import Foundation
import _Support

/// A process' simulation in a ROOT file (`--input PROCESS=FILE.root:PATH`): a TH2 (x = M²_recoil
/// in GeV², y = θ_cm,recoil in degrees, with its Σw²) or a TTree (branches for M², θ and an
/// optional weight). uproot (PyPI) reads it: the tool runs its embedded converter
/// (`toys/root_input.py`) with Python — `$ZPTOYS_PYTHON`, else `python3` — which writes the
/// histogram or event CSV that ``UserSource`` reads, so a ROOT TH2D and the same histogram as
/// CSV give identical templates.
public enum RootInput {
  /// The branches of a TTree input.
  public struct Branches: Sendable, Equatable {
    public var m2 = "m2_recoil_gev2"
    public var theta = "theta_cm_recoil_deg"
    public var weight: String?
    public init(m2: String = "m2_recoil_gev2", theta: String = "theta_cm_recoil_deg", weight: String? = nil) {
      self.m2 = m2
      self.theta = theta
      self.weight = weight
    }
  }

  /// The install command a user is told when Python or uproot is missing.
  public static let installHint = "python3 -m pip install uproot numpy (or set ZPTOYS_PYTHON to a Python that has them)"

  /// `FILE.root:PATH` split into the file and the object's path (nil for another input).
  public static func split(_ spec: String) -> (file: String, path: String)? {
    guard let r = spec.range(of: ".root:", options: .backwards) else { return nil }
    let file = String(spec[..<r.upperBound].dropLast())
    let path = String(spec[r.upperBound...])
    return path.isEmpty ? nil : (file, path)
  }

  /// The Python the converter runs with.
  public static var python: String { ProcessInfo.processInfo.environment["ZPTOYS_PYTHON"] ?? "python3" }

  /// Reads the TH2 or TTree `path` of the ROOT file `file` as a user source.
  ///
  /// - Throws: ``GeneratorError/invalidRequest(_:)`` with the converter's reason (a missing
  ///   file, object or branch; another class), or with the install command when Python or
  ///   uproot is missing.
  public static func source(file: String, path: String, branches: Branches = Branches()) throws -> UserSource {
    let spec = "\(file):\(path)"
    guard let bytes = FileManager.default.contents(atPath: file) else {
      throw GeneratorError.invalidRequest("\(spec): no such file \(file)")
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zptoys-root-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let csv = dir.appendingPathComponent("input.csv").path
    var args = ["-c", RootInputScript.text, file, path, csv, "--m2", branches.m2, "--theta", branches.theta]
    if let w = branches.weight { args += ["--weight", w] }
    try run(args, spec: spec)
    // The fingerprint: the ROOT file's bytes, the object and the branches read.
    let what = "\(path)\u{0}\(branches.m2)\u{0}\(branches.theta)\u{0}\(branches.weight ?? "")"
    return try UserSource(path: spec, csvPath: csv, sha256: SHA256.hex(bytes + Data(what.utf8)))
  }

  /// Runs the converter; its failures become errors a user can act on.
  static func run(_ args: [String], spec: String) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [python] + args
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    do { try p.run() } catch {
      throw GeneratorError.invalidRequest("\(spec): ROOT input needs Python 3 with uproot, and \(python) cannot be run (\(error.localizedDescription)); install: \(installHint)")
    }
    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    p.waitUntilExit()
    switch p.terminationStatus {
    case 0: return
    case 3: throw GeneratorError.invalidRequest("\(spec): \(message); install: \(installHint)")
    case 127: throw GeneratorError.invalidRequest("\(spec): ROOT input needs Python 3 with uproot, and \(python) is not installed; install Python 3, then: \(installHint)")
    case 2 where !message.isEmpty: throw GeneratorError.invalidRequest("\(spec): \(message)")
    default:
      throw GeneratorError.invalidRequest("\(spec): the ROOT converter (\(python)) failed with status \(p.terminationStatus): \(message.isEmpty ? "no message" : message)")
    }
  }
}

extension UserSource {
  /// A user's input as named on the command line: a CSV file, or `FILE.root:PATH`.
  public static func load(_ spec: String, branches: RootInput.Branches = RootInput.Branches()) throws -> UserSource {
    if let (file, path) = RootInput.split(spec) { return try RootInput.source(file: file, path: path, branches: branches) }
    return try UserSource(path: spec)
  }
}
