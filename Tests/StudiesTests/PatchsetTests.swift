import Experiment
import Foundation
import Generator
import Inference
import Likelihood
import Results
import Testing
import _Support
@testable import Studies

/// Published likelihoods (issue 15, item 4): pyhf patchsets applied to a background-only
/// workspace, and the studies over their patches.
@Suite("Published likelihoods: patchsets")
struct PatchsetTests {
  /// A document with the cases Python's json.dumps treats specially; the expected text and
  /// digests are Python 3.11's (`json.dumps(json.load(f), sort_keys=True, ensure_ascii=False)`,
  /// hashlib).
  static let vector = #"{"b": [1, 1.0, -0, 0.0001, 1e-05, 1E16, 9999999999999998.0, 123456789012345678, 2.5e-7, 1.5E+300, -3.25, 100], "s": "ĉ\"\\\n\t\u0001/ü\ud83d\ude00", "a": 1, "c": {"z": null, "y": true, "é": false, "Z": []}, "a": "dup"}"#
  static let pythonText = #"{"a": "dup", "b": [1, 1.0, 0, 0.0001, 1e-05, 1e+16, 9999999999999998.0, 123456789012345678, 2.5e-07, 1.5e+300, -3.25, 100], "c": {"Z": [], "y": true, "z": null, "é": false}, "s": "ĉ\"\\\n\t\u0001/ü😀"}"#

  @Test("The digest text is Python's json.dumps(sort_keys=True, ensure_ascii=False); SHA-256 and MD5 as hashlib")
  func pythonDump() throws {
    let tree = try JSONTree.parse(Data(Self.vector.utf8))
    #expect(tree.pythonDump() == Self.pythonText)
    let bytes = Data(tree.pythonDump().utf8)
    #expect(SHA256.hex(bytes) == "1eb55325fee773c3d64c31437e762e0ad19304e18232afe1c332ef149d6e4f96")
    #expect(MD5.hex(bytes) == "bf7e3cf5c72da2753dadbdc248a366b6")
    #expect(MD5.hex(Data()) == "d41d8cd98f00b204e9800998ecf8427e")
    #expect(MD5.hex(Data("The quick brown fox jumps over the lazy dog".utf8)) == "9e107d9d372bb6826bd81d3542a419d6")
  }

  @Test("JSON Patch (RFC 6902): add, remove, replace, move, copy, test; errors name the operation")
  func operations() throws {
    let doc = try JSONTree.parse(Data(#"{"a": [1, 2], "b": {"c~d": 3, "e/f": 4}}"#.utf8))
    func ops(_ s: String) throws -> [JSONPatchOperation] {
      try JSONTree.parse(Data(s.utf8)).array!.enumerated().map { try JSONPatchOperation($0.element, at: "op \($0.offset)") }
    }
    let out = try doc.patched(try ops(#"""
      [{"op": "add", "path": "/a/-", "value": 3}, {"op": "add", "path": "/a/0", "value": 0}, {"op": "remove", "path": "/b/c~0d"},
       {"op": "replace", "path": "/b/e~1f", "value": "x"}, {"op": "copy", "from": "/a", "path": "/z"}, {"op": "move", "from": "/z/3", "path": "/m"},
       {"op": "test", "path": "/a/1", "value": 1.0}]
      """#))
    #expect(out == (try JSONTree.parse(Data(#"{"a": [0, 1, 2, 3], "b": {"e/f": "x"}, "z": [0, 1, 2], "m": 3}"#.utf8))))
    for (bad, fragment) in [(#"[{"op": "remove", "path": "/q"}]"#, "remove /q: no member \"q\""),
                            (#"[{"op": "add", "path": "/a/7", "value": 1}]"#, "no item 7 in a list of 2"),
                            (#"[{"op": "test", "path": "/a/0", "value": 2}]"#, "test failed"),
                            (#"[{"op": "move", "from": "/b", "path": "/b/x"}]"#, "into itself")] {
      #expect { try doc.patched(try ops(bad)) } throws: { "\($0)".contains(fragment) }
    }
    #expect { try ops(#"[{"op": "frobnicate", "path": ""}]"#) } throws: { "\($0)".contains("op 0.op: must be one of add") }
  }

  /// A patchset made of the default configuration's windows, as Validation/patchset/make_patchset.py
  /// makes it: the background-only window of hypothesis `centre` and patches adding the signal
  /// of hypothesis `centre` + shift (here without the shift: the signal of `centre` scaled).
  static func files(centre: Int, dir: String, digest: String? = nil) throws -> (String, String, Workspace) {
    let w = try analysis.window(centre)
    let full = w.workspace(observations: try WindowData.toy.observations(for: w, analysis: analysis, seed: 3))
    var bkg = full
    let signal = bkg.channels[0].samples.removeFirst()
    let bkgTree = try JSONTree.parse(try bkg.encoded())
    let sampleTree = try JSONTree.parse(try JSONEncoder().encode(signal))
    var half = signal
    half.data = signal.data.map { $0 / 2 }
    half.modifiers = signal.modifiers.map { m in
      if let u = (m.definition as? Staterror)?.uncertainties { return .staterror(m.name, u.map { $0 / 2 }) }
      return m
    }
    let halfTree = try JSONTree.parse(try JSONEncoder().encode(half))
    func patch(_ name: String, _ value: Int, _ s: JSONTree) -> String {
      #"{"metadata": {"name": "\#(name)", "values": [\#(value), "narrow"]}, "patch": [{"op": "add", "path": "/channels/0/samples/0", "value": \#(String(decoding: s.serialized(), as: UTF8.self))}]}"#
    }
    let sha = digest ?? SHA256.hex(Data(bkgTree.pythonDump().utf8))
    let ps = #"{"metadata": {"description": "test", "digests": {"sha256": "\#(sha)"}, "labels": ["point", "width"], "references": {"hepdata": "ins0000001"}}, "patches": [\#(patch("full", 1, sampleTree)), \#(patch("half", 2, halfTree))], "version": "1.0.0"}"#
    let wsPath = dir + "/BkgOnly.json", psPath = dir + "/patchset.json"
    try bkgTree.serialized().write(to: URL(fileURLWithPath: wsPath))
    try ps.write(toFile: psPath, atomically: true, encoding: .utf8)
    return (wsPath, psPath, full)
  }

  /// A directory of its own for each call: the cases of a parameterised test run in parallel,
  /// and a shared one let a case read the workspace another case was writing.
  static func tempDir(_ name: String) throws -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("zpt-patch-\(getpid())-\(name)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }

  @Test("A patch rebuilding a window gives that window's model, and the Brazil study the same limits")
  func sameAsWindow() throws {
    let centre = analysis.grid.nearest(mass: 2.352)!.index
    let (ws, ps, full) = try Self.files(centre: centre, dir: try Self.tempDir("same"))
    let set = try PatchHypotheses(patchset: try Patchset(workspace: ws, patchset: ps), selection: "all")
    #expect(set.count == 2 && set.label(1).patch == PatchLabel(name: "half", values: [.number(2), .string("narrow")]))
    #expect(try set.patchset.workspace(0) == full)
    let settings = BrazilStudy.settings(masses: "all", toys: 0, method: .asymptotic)
    let fromPatch = try BrazilStudy(hypotheses: set, settings: settings, data: nil).run(task: 0, seed: 1, threads: 1)
    let windows = WindowHypotheses(analysis: analysis, indices: [centre])
    let fromWindow = try BrazilStudy(hypotheses: windows, settings: settings,
                                     data: .pseudoData(expected: analysis.expectedCells, seed: 3, study: .scanData, toy: 0)).run(task: 0, seed: 1, threads: 1)
    #expect(fromPatch.observed == fromWindow.observed && fromPatch.expectedAsymptotic == fromWindow.expectedAsymptotic)
    #expect(fromPatch.patch?.name == "full" && fromPatch.mass == nil && fromWindow.patch == nil)
    // Half the signal per unit POI (and half its uncertainties): twice the limit (the limit
    // setter's relative tolerance is 1e-6).
    let half = try BrazilStudy(hypotheses: set, settings: settings, data: nil).run(task: 1, seed: 1, threads: 1)
    #expect(abs(half.expectedAsymptotic.median / fromPatch.expectedAsymptotic.median - 2) < 1e-5)
    #expect(abs(half.signalPerFb * 2 - fromPatch.signalPerFb) < 1e-9 * fromPatch.signalPerFb)
  }

  @Test("Studies over patches: scan, look-elsewhere and coverage run and label their points")
  func studies() throws {
    let centre = analysis.grid.nearest(mass: 6.0)!.index
    let (ws, ps, _) = try Self.files(centre: centre, dir: try Self.tempDir("studies"))
    let set = try PatchHypotheses(patchset: try Patchset(workspace: ws, patchset: ps), selection: "half,0")
    #expect(set.positions == [0, 1])
    let scan = try MassScan(hypotheses: set, data: nil, settings: MassScan.settings(method: .asymptotic))
    let p = try scan.run(task: 1)
    #expect(p.patch?.name == "half" && p.mass == nil && p.observedCount > 0)
    let lee = try LookElsewhereStudy(hypotheses: set, settings: LookElsewhereSettings(toys: 4, blockSize: 2, masses: "all"), threads: 1)
    let toys = try lee.run(task: 0, seed: 2, state: try lee.makeState())
    #expect(toys.count == 2 && toys.allSatisfy { [0, 1].contains($0.maxIndex) })
    let labels = (0..<set.count).map { set.label($0).patch! }
    let cov = CoverageStudy(hypotheses: set, settings: CoverageSettings(masses: [], patches: labels, signals: [0], toys: 4, rules: [.cls], methods: [.asymptotic], blockSize: 4))
    let block = try cov.run(task: 1, seed: 1)
    #expect(block.point == 1 && block.valid[0] + block.failed.count == 4)
  }

  @Test("Bad patchsets are refused naming the file and the key; a workspace of another digest too",
        arguments: [
          ("\"version\": \"1.0.0\"", "\"version\": \"2.0.0\"", "version must be \"1.0.0\""),
          ("\"labels\": [\"point\", \"width\"]", "\"labels\": [\"point\"]", "2 values for 1 labels"),
          ("\"name\": \"half\"", "\"name\": \"full\"", "the name full is used by another patch"),
          ("\"description\": \"test\", ", "", "metadata.description is required"),
          ("\"op\": \"add\"", "\"op\": \"ad\"", "op: must be one of add"),
          ("\"path\": \"/channels/0/samples/0\"", "\"path\": \"/channels/5/samples/0\"", "patch full does not apply"),
        ])
  func refused(from: String, to: String, fragment: String) throws {
    let dir = try Self.tempDir("bad")
    let (ws, ps, _) = try Self.files(centre: 100, dir: dir)
    let text = try String(contentsOfFile: ps, encoding: .utf8).replacingOccurrences(of: from, with: to)
    try text.write(toFile: ps, atomically: true, encoding: .utf8)
    #expect {
      let p = try Patchset(workspace: ws, patchset: ps)
      _ = try (0..<p.patches.count).map { try p.workspace($0) }
    } throws: { "\($0)".contains(fragment) && "\($0)".contains("patchset.json") }
  }

  @Test("A background-only workspace that is not the patchset's is refused by its digest")
  func digest() throws {
    let (ws, ps, _) = try Self.files(centre: 100, dir: try Self.tempDir("digest"), digest: String(repeating: "ab", count: 32))
    #expect { try Patchset(workspace: ws, patchset: ps) } throws: { "\($0)".contains("is not the background-only workspace of") }
  }
}
