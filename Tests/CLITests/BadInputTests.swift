import Foundation
import Testing

/// The corpus of malformed inputs (Tests/CLITests/Corpus/cases.tsv): every reader — configuration
/// YAML, pyhf JSON, event and histogram CSV, result files — must answer each with a message naming
/// the file (and the place in it) and the reason, a non-zero exit, and no output file.
@Suite("Bad input corpus")
struct BadInputTests {
  static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

  struct Case: CustomTestStringConvertible, Sendable {
    let file: String
    let reader: String
    let expected: String
    var testDescription: String { "\(reader): \(file)" }
  }

  static let cases: [Case] = {
    let text = (try? String(contentsOf: corpus.appendingPathComponent("cases.tsv"), encoding: .utf8)) ?? ""
    return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
      let f = $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      return Case(file: f[0], reader: f[1], expected: f[2])
    }
  }()

  /// The command that reads a file of each kind, and the output it would write.
  static func command(_ c: Case, input: String, out: String) -> [String] {
    let light = ["--mc-background-events", "1000", "--mc-signal-events", "1000"]
    switch c.reader {
    case "config": return ["workspace", "--mass", "1", "--config", input, "--out", out]
    case "fit": return ["fit", input]
    case "events": return ["scan", "--data", input, "--masses", "0", "--out", out] + light
    case "histogram": return ["generate", "--process", "mumu", "--events", "10", "--input", input, "--out", out]
    case "merge": return ["merge", input, input, "--out", out]
    default: return []
    }
  }

  @Test("Each malformed input gives its error, a non-zero exit and no output", arguments: BadInputTests.cases)
  func corpusCase(_ c: Case) throws {
    let dir = try CLI.tempDir()
    let out = dir + "/out.json"
    let r = try CLI.run(Self.command(c, input: Self.corpus.appendingPathComponent(c.file).path, out: out))
    #expect(r.status != 0, "accepted \(c.file)")
    #expect(r.stderr.contains(c.expected), "\(c.file): expected «\(c.expected)», got «\(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))»")
    #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"), "crashed on \(c.file)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty, "output left behind for \(c.file)")
  }

  @Test("Very large files are refused before they are read")
  func largeFiles() throws {
    let dir = try CLI.tempDir()
    // Sparse files: no disk is used, but their size is over the readers' limits.
    let yaml = dir + "/huge.yaml", csv = dir + "/huge.csv"
    for (p, size) in [(yaml, 17 << 20), (csv, (1 << 30) + 1)] {
      _ = FileManager.default.createFile(atPath: p, contents: nil)
      let h = try FileHandle(forWritingTo: URL(fileURLWithPath: p))
      try h.truncate(atOffset: UInt64(size))
      try h.close()
    }
    let a = try CLI.run(["grid", "--config", yaml])
    #expect(a.status != 0 && a.stderr.contains("huge.yaml") && a.stderr.contains("at most 16 MiB"), "\(a.stderr)")
    let b = try CLI.run(["generate", "--process", "mumu", "--events", "10", "--input", csv, "--out", dir + "/o.csv"])
    #expect(b.status != 0 && b.stderr.contains("huge.csv") && b.stderr.contains("at most"), "\(b.stderr)")
  }

  @Test("An unwritable output is a clear error and leaves the previous file intact")
  func unwritableOutput() throws {
    let dir = try CLI.tempDir()
    let missing = dir + "/no/such/folder/out.csv"
    let r = try CLI.run(["generate", "--process", "mumu", "--events", "10", "--out", missing])
    #expect(r.status != 0 && r.stderr.contains("does not exist"), "\(r.stderr)")
    // A previous result survives a failed rewrite (here: the input is bad).
    let out = dir + "/keep.csv"
    try "previous\n".write(toFile: out, atomically: true, encoding: .utf8)
    let bad = try CLI.run(["generate", "--process", "mumu", "--events", "10", "--input", Self.corpus.appendingPathComponent("events-nan.csv").path, "--out", out])
    #expect(bad.status != 0)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "previous\n")
  }
}
