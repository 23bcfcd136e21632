import Foundation
import Testing

/// Replays the fuzzing corpus and every finding of the fuzz campaigns (Validation/fuzz.sh keeps
/// them in Tests/Fuzz/regressions/<kind>/) through the command that reads such a file: each must
/// be read or refused with a clear error ("Error: …", non-zero exit) — never a crash.
@Suite("Fuzzing regressions")
struct FuzzRegressionTests {
  static let fuzzDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fuzz").path

  /// The inputs of one kind: the seed corpus and the findings.
  static func inputs(_ kind: String) -> [String] {
    ["corpus", "regressions"].flatMap { sub -> [String] in
      let dir = "\(fuzzDir)/\(sub)/\(kind)"
      let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
      return names.sorted().map { "\(dir)/\($0)" }
    }
  }

  /// The commands that read a file of each kind (FILE is the input, copied with a fitting suffix).
  static let readers: [(kind: String, suffix: String, commands: [[String]])] = [
    ("json", ".json", [["fit", "FILE", "--json"]]),
    ("yaml", ".yaml", [["config", "check", "FILE"]]),
    ("csv", ".csv", [["plot", "FILE", "--out", "OUT.svg"]]),
    ("results", ".json", [["merge", "FILE", "--out", "OUT.json"], ["plot", "FILE", "--out", "OUT.svg"]]),
    ("couplings", ".json", [["couplings", "FILE", "--model", "invisible", "--json"]]),
  ]

  @Test("Every fuzzing input and finding is read or refused cleanly", arguments: 0..<FuzzRegressionTests.readers.count)
  func replay(_ k: Int) throws {
    let (kind, suffix, commands) = Self.readers[k]
    let files = Self.inputs(kind)
    #expect(!files.isEmpty, "no inputs for \(kind) in \(Self.fuzzDir)")
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for (i, file) in files.enumerated() {
      let input = "\(dir)/input\(i)\(suffix)"
      try FileManager.default.copyItem(atPath: file, toPath: input)
      for command in commands {
        let args = command.map { $0 == "FILE" ? input : $0.replacingOccurrences(of: "OUT", with: "\(dir)/out\(i)") }
        let r = try CLI.run(args)
        let name = (file as NSString).lastPathComponent
        #expect(r.status == 0 || r.stderr.hasPrefix("Error:"), "\(kind)/\(name): \(args[0]) exit \(r.status): \(r.stderr.prefix(600))")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("runtime failure"), "\(kind)/\(name): \(args[0]) crashed")
      }
    }
  }
}
