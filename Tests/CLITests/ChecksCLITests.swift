import Foundation
import FoundationXML
import Testing

/// Checks in a user's CI (issue 15, item 6): pass conditions, JUnit XML reports, the ready CI
/// job of toys/ci/; and the projection and pull commands end to end.
@Suite("Checks in CI, projections and pulls from the command line")
struct ChecksCLITests {
  static let light = ["--mc-background-events", "20000", "--mc-signal-events", "4000", "--no-progress"]

  /// The test cases of a JUnit report and which of them fail; the XML must parse.
  func junit(_ path: String) throws -> (cases: Int, failures: Int) {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let doc = try XMLDocument(data: data)
    return (try doc.nodes(forXPath: "//testcase").count, try doc.nodes(forXPath: "//testcase/failure").count)
  }

  @Test("coverage --require: CLs over-covers at σ = 0, so `covers` fails (exit 1) and `no-undercoverage` passes; one JUnit case per point and rule")
  func coverageCheck() throws {
    let d = try CLI.tempDir()
    let args = ["coverage", "--mass", "6", "--signal", "0,20", "--toys", "60", "--rule", "cls,fc", "--calculator", "asymptotic"] + Self.light
    let fail = try CLI.run(args + ["--require", "covers", "--junit", "strict.xml", "--out", "c1.json"], cwd: d)
    #expect(fail.status == 1 && fail.stderr.contains("coverage check failed"), "\(fail.stderr)")
    let strict = try junit(d + "/strict.xml")
    #expect(strict.cases == 4 && strict.failures >= 1)
    let pass = try CLI.run(args + ["--require", "no-undercoverage", "--junit", "lenient.xml", "--out", "c2.json"], cwd: d)
    let lenient = try junit(d + "/lenient.xml")
    #expect(lenient.cases == 4)
    #expect((pass.status == 0) == (lenient.failures == 0), "\(pass.stderr)")
    let bad = try CLI.run(args + ["--require", "perfect", "--out", "c3.json"], cwd: d)
    #expect(bad.status != 0 && bad.stderr.contains("--require: coverage checks covers or no-undercoverage"))
    let shard = try CLI.run(args + ["--require", "covers", "--shard", "1/2", "--out", "c4.json"], cwd: d)
    #expect(shard.status != 0 && shard.stderr.contains("judge a complete result"))
  }

  @Test("pulls over a published likelihood's patch with a JUnit report; its plot; a bad condition is refused")
  func pulls() throws {
    let d = try PatchsetCLITests.files()
    let r = try CLI.run(["pulls", "--workspace", "bkg.json", "--patchset", "ps.json", "--patches", "sig_200", "--signal", "0,20", "--toys", "100",
                         "--nuisances", "--require", "calibrated", "--junit", "p.xml", "--out", "p.json", "--no-progress"], cwd: d)
    let report = try junit(d + "/p.xml")
    #expect(report.cases == 2)
    #expect((r.status == 0) == (report.failures == 0), "\(r.stdout)\(r.stderr)")
    let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: d + "/p.json"))) as! [String: Any]
    let points = file["points"] as! [[String: Any]]
    #expect(points.count == 2 && (points[1]["patch"] as! [String: Any])["name"] as? String == "sig_200")
    #expect(((points[0]["nuisances"] as? [Any])?.count ?? 0) >= 4)  // bkg_norm and three stat_sr
    let plot = try CLI.run(["plot", "p.json", "--out", "p.svg"], cwd: d)
    #expect(plot.status == 0, "\(plot.stderr)")
    let bad = try CLI.run(["pulls", "--mass", "2", "--require", "covers", "--toys", "10"], cwd: d)
    #expect(bad.status != 0 && bad.stderr.contains("pull checks unbiased or calibrated"))
  }

  @Test("project: limits on σ and g′ against luminosity, the answer, its plots and the report section")
  func project() throws {
    let d = try CLI.tempDir()
    let r = try CLI.run(["project", "--lumi", "79.7,797,7970", "--masses", "40-41", "--out", "projection.json"] + Self.light, cwd: d)
    #expect(r.status == 0 && r.stdout.contains("fully invisible model:"), "\(r.stderr)")
    let f = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: d + "/projection.json"))) as! [String: Any]
    #expect((f["masses"] as! [Any]).count == 2 && (f["g_minus_2_windows"] as! [Any]).count == 6 && (f["answers"] as! [Any]).count == 2)
    for kind in ["projection", "projection-couplings"] {
      let p = try CLI.run(["plot", "projection.json", "--kind", kind, "--out", "\(kind).svg"], cwd: d)
      #expect(p.status == 0, "\(kind): \(p.stderr)")
    }
    let report = try CLI.run(["report", "--dir", "."], cwd: d)
    #expect(report.status == 0, "\(report.stderr)")
    let html = try String(contentsOfFile: d + "/report.html", encoding: .utf8)
    #expect(html.contains("Luminosity projection") && html.contains("projection_couplings.svg"))
    let bad = try CLI.run(["project", "--lumi", "500,100"], cwd: d)
    #expect(bad.status != 0 && bad.stderr.contains("must increase"))
  }

  @Test("The CI job of toys/ci/ runs a seeded coverage check of a configuration and leaves its JUnit report")
  func ciJob() throws {
    let d = try CLI.tempDir()
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let config = try CLI.run(["config", "show"])
    try config.stdout.write(toFile: d + "/zptoys.yaml", atomically: true, encoding: .utf8)
    let env = ["ZPTOYS": CLI.binary, "MASSES": "6", "SIGNALS": "20", "TOYS": "40", "RULES": "clsb",
               "EXTRA": "--calculator asymptotic --mc-background-events 20000 --mc-signal-events 4000"]
    func job(_ extra: [String: String]) throws -> CLI.Result {
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/bin/bash")
      p.arguments = [root.appendingPathComponent("toys/ci/coverage-check.sh").path]
      p.currentDirectoryURL = URL(fileURLWithPath: d)
      p.environment = ProcessInfo.processInfo.environment.merging(env.merging(extra) { $1 }) { $1 }
      let out = Pipe(), err = Pipe()
      p.standardOutput = out
      p.standardError = err
      try p.run()
      let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
      p.waitUntilExit()
      return CLI.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
    let r = try job([:])
    let report = try junit(d + "/coverage-junit.xml")
    #expect(report.cases == 1)
    #expect((r.status == 0) == (report.failures == 0), "\(r.stdout)\(r.stderr)")
    // The same seed, the same verdict.
    let again = try job([:])
    let second = try junit(d + "/coverage-junit.xml")
    #expect(again.status == r.status && second == report)
    let broken = try job(["CONFIG": "missing.yaml"])
    #expect(broken.status != 0 && broken.stderr.contains("missing.yaml"))
  }
}
