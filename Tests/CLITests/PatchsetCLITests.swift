import Foundation
import Testing

/// The studies over a published likelihood's patches from the command line (issue 15, item 4).
@Suite("zptoys over a pyhf patchset")
struct PatchsetCLITests {
  /// A small background-only workspace; its pyhf digest (`pyhf.utils.digest`, computed with
  /// Python 3.11's json.dumps(sort_keys=True, ensure_ascii=False) and hashlib) is below.
  static let workspace = #"{"channels": [{"name": "sr", "samples": [{"name": "bkg", "data": [50.0, 40.0, 30.0], "modifiers": [{"name": "bkg_norm", "type": "normsys", "data": {"hi": 1.1, "lo": 0.9}}, {"name": "stat_sr", "type": "staterror", "data": [2.5, 2.0, 1.5]}]}]}], "observations": [{"name": "sr", "data": [53, 38, 33]}], "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": [{"name": "mu", "bounds": [[0, 20]], "inits": [1]}]}}], "version": "1.0.0"}"#
  static let digest = "96e0351e627a54d21992982d2da96005bd2a1956bce3a8a88106f6e1fd0c7f55"

  static func patchset(digest: String = digest) -> String {
    let signals = [("sig_100", 100, "[8.0, 1.0, 0.5]"), ("sig_200", 200, "[1.0, 8.0, 1.0]"), ("sig_300", 300, "[0.5, 1.0, 8.0]")]
    let patches = signals.map { name, m, data in
      #"{"metadata": {"name": "\#(name)", "values": [\#(m)]}, "patch": [{"op": "add", "path": "/channels/0/samples/-", "value": {"name": "signal", "data": \#(data), "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]}}]}"#
    }
    return #"{"metadata": {"description": "three signals", "digests": {"sha256": "\#(digest)"}, "labels": ["m_x"], "references": {"hepdata": "ins0000002"}}, "patches": [\#(patches.joined(separator: ", "))], "version": "1.0.0"}"#
  }

  static func files() throws -> String {
    let d = try CLI.tempDir()
    try workspace.write(toFile: d + "/bkg.json", atomically: true, encoding: .utf8)
    try patchset().write(toFile: d + "/ps.json", atomically: true, encoding: .utf8)
    return d
  }

  func json(_ path: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
  }

  @Test("brazil over the patches: per patch the observed limit and the bands, with its name and values; CSV, HEPData and the plot")
  func brazil() throws {
    let d = try Self.files()
    let r = try CLI.run(["brazil", "--workspace", "bkg.json", "--patchset", "ps.json", "--toys", "20", "--belt-toys", "100", "--out", "b.json",
                         "--csv", "b.csv", "--hepdata", "b.yaml", "--no-progress"], cwd: d)
    #expect(r.status == 0, "\(r.stderr)")
    let b = try json(d + "/b.json")
    let points = b["masses"] as! [[String: Any]]
    #expect(points.count == 3)
    #expect((points[1]["patch"] as! [String: Any])["name"] as? String == "sig_200")
    #expect(points.allSatisfy { $0["observed"] is Double && $0["mass_gev"] is NSNull && $0["expected_toys"] is [String: Any] })
    let inputs = (b["identity"] as! [String: Any])["inputs"] as! [String: Any]
    #expect(inputs["data"] as? String == "published" && inputs["lumi_fb"] is NSNull)
    #expect((inputs["likelihood"] as! [String: Any])["labels"] as? [String] == ["m_x"])
    #expect(try String(contentsOfFile: d + "/b.csv", encoding: .utf8).contains(",sig_300,300,"))
    #expect(try String(contentsOfFile: d + "/b.yaml", encoding: .utf8).contains("name: \"m_x\""))
    let plot = try CLI.run(["plot", "b.json", "--out", "b.svg"], cwd: d)
    #expect(plot.status == 0, "\(plot.stderr)")
    #expect(try String(contentsOfFile: d + "/b.svg", encoding: .utf8).contains("m_x"))
    // One patch only, and by name.
    let one = try CLI.run(["brazil", "--workspace", "bkg.json", "--patchset", "ps.json", "--patches", "sig_300", "--toys", "0", "--calculator", "asymptotic", "--json", "--no-progress"], cwd: d)
    #expect(one.status == 0 && one.stdout.contains("sig_300") && !one.stdout.contains("sig_100"))
  }

  @Test("scan, lee (global significance over the patches) and coverage over the patches")
  func otherStudies() throws {
    let d = try Self.files()
    let scan = try CLI.run(["scan", "--workspace", "bkg.json", "--patchset", "ps.json", "--belt-toys", "100", "--out", "s.json", "--no-progress"], cwd: d)
    #expect(scan.status == 0 && scan.stdout.contains("largest local excess"), "\(scan.stderr)")
    let lee = try CLI.run(["lee", "--workspace", "bkg.json", "--patchset", "ps.json", "--toys", "20", "--block-size", "5", "--out", "l.json", "--no-progress"], cwd: d)
    #expect(lee.status == 0 && lee.stdout.contains("local Z ="), "\(lee.stderr)")
    let l = try json(d + "/l.json")
    #expect((l["toys"] as! [Any]).count == 20 && l["global_p"] is Double)
    let cov = try CLI.run(["coverage", "--workspace", "bkg.json", "--patchset", "ps.json", "--patches", "0", "--signal", "0,5", "--toys", "20",
                           "--rule", "cls", "--calculator", "asymptotic", "--out", "c.json", "--no-progress"], cwd: d)
    #expect(cov.status == 0, "\(cov.stderr)")
    let points = try json(d + "/c.json")["points"] as! [[String: Any]]
    #expect(points.count == 2 && (points[0]["patch"] as! [String: Any])["name"] as? String == "sig_100")
    for (file, kind) in [("s.json", "s.svg"), ("l.json", "l.svg"), ("c.json", "c.svg")] {
      let p = try CLI.run(["plot", file, "--out", kind], cwd: d)
      #expect(p.status == 0, "\(file): \(p.stderr)")
    }
  }

  @Test("Bad use is refused with the reason", arguments: [
    (["brazil", "--patchset", "ps.json", "--out", "x.json"], "--workspace and --patchset go together"),
    (["brazil", "--workspace", "bkg.json", "--patchset", "ps.json", "--data", "toy", "--out", "x.json"], "--data applies to the configuration's search windows"),
    (["scan", "--workspace", "bkg.json", "--patchset", "ps.json", "--lumi", "100", "--out", "x.json"], "--lumi applies to the configuration's search windows"),
    (["brazil", "--workspace", "bkg.json", "--patchset", "ps.json", "--patches", "sig_9", "--out", "x.json"], "\"sig_9\" is neither a patch name nor a position"),
    (["coverage", "--workspace", "bkg.json", "--patchset", "ps.json", "--mass", "2", "--out", "x.json"], "--mass applies to the configuration's search windows"),
    (["brazil", "--workspace", "ps.json", "--patchset", "ps.json", "--out", "x.json"], "is not the background-only workspace of ps.json"),
  ])
  func refused(args: [String], message: String) throws {
    let d = try Self.files()
    let r = try CLI.run(args + ["--no-progress"], cwd: d)
    #expect(r.status != 0 && r.stderr.contains(message), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: d + "/x.json"))
  }
}
