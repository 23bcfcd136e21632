import Foundation
import Testing

/// Inputs in range (issue 16 item 5): masses outside the kinematic range or the grid are errors,
/// negative numbers are values, ranges that leave the grid warn, and every command that works on
/// one hypothesis snaps to the same one.
@Suite("Masses and numbers in range")
struct InputRangeTests {
  static let smallMC = ["--mc-background-events", "100000", "--mc-signal-events", "10000"]

  static func json(_ r: CLI.Result) throws -> [String: Any] {
    try #require(r.status == 0, "exit \(r.status): \(r.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
  }

  @Test("xsec: a mass above √s − 2mµ is an error, not σ = 0")
  func aboveKinematicLimit() throws {
    for m in ["11", "10.4"] {
      let r = try CLI.run(["xsec", "--mass", m, "--calls", "2000"])
      #expect(r.status != 0 && r.stderr.contains("kinematic limit √s − 2mµ = 10.3687"), "--mass \(m): \(r.stderr)")
      #expect(r.stdout.isEmpty)
    }
  }

  @Test("Negative numbers are read as values (and then judged), not as missing values")
  func negativeNumbers() throws {
    let r = try CLI.run(["xsec", "--mass", "-1"])
    #expect(r.status != 0 && r.stderr.contains("got -1") && !r.stderr.contains("Missing value"), "\(r.stderr)")
    let c = try CLI.run(["coverage", "--signal", "-1,2", "--toys", "2"])
    #expect(c.status != 0 && c.stderr.contains("--signal values must not be negative"), "\(c.stderr)")
    // A negative POI value where the measurement allows one.
    let ws = ConventionTests.counting(observed: 45, poiBounds: "[-5.0, 10.0]")
    let path = try ConventionTests.write(ws)
    let h = try Self.json(try CLI.run(["hypotest", path, "--poi-value", "-0.5", "--test-stat", "q", "--json"]))
    #expect(h["poi_value"] as? Double == -0.5)
    let f = try Self.json(try CLI.run(["fit", path, "--fix", "mu=-0.5", "--json"]))
    #expect((f["bestfit"] as? [String: Double])?["mu"] == -0.5)
  }

  @Test("--masses LOW:HIGH beyond the grid warns naming what is left out")
  func clippedRange() throws {
    let r = try CLI.run(["brazil", "--masses", "8.4:9.5", "--toys", "0", "--calculator", "asymptotic", "--no-progress", "--json"] + Self.smallMC)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("warning: --masses 8.4:9.5") && r.stderr.contains("above the last hypothesis"), "\(r.stderr)")
    let outside = try CLI.run(["brazil", "--masses", "9:10", "--toys", "0", "--no-progress"] + Self.smallMC)
    #expect(outside.status != 0 && outside.stderr.contains("no hypothesis between"), "\(outside.stderr)")
  }

  @Test("limit, workspace and coverage --mass 2.01 use the same, nearest hypothesis and say so")
  func sameHypothesis() throws {
    let dir = try CLI.tempDir()
    let w = try CLI.run(["workspace", "--mass", "2.01", "--out", dir + "/w.json", "--json"] + Self.smallMC)
    let hypothesis = try #require(try Self.json(w)["hypothesis"] as? [String: Any])
    let mass = try #require(hypothesis["mass"] as? Double ?? hypothesis["mass_gev"] as? Double)
    #expect(abs(mass - 2.01) > 1e-3, "the grid has no hypothesis at exactly 2.01 GeV; this test needs one that differs")
    #expect(w.stderr.contains("note: --mass 2.01 GeV: using the nearest hypothesis"), "\(w.stderr)")
    let l = try CLI.run(["limit", "--mass", "2.01", "--calculator", "asymptotic", "--json"] + Self.smallMC)
    #expect(l.status == 0 && l.stderr.contains(String(format: "M = %.4f GeV", mass)), "\(l.stderr)")
    let c = try CLI.run(["coverage", "--mass", "2.01", "--signal", "1", "--toys", "2", "--calculator", "asymptotic", "--no-progress",
                         "--out", dir + "/c.json", "--json"] + Self.smallMC)
    #expect(c.status == 0, "\(c.stderr)")
    let file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/c.json"))) as? [String: Any])
    let points = try #require(file["points"] as? [[String: Any]])
    #expect(points.first?["mass_gev"] as? Double == mass, "coverage records \(points.first?["mass_gev"] ?? "nothing"), the hypothesis is at \(mass)")
    let outside = try CLI.run(["limit", "--mass", "9.5"] + Self.smallMC)
    #expect(outside.status != 0 && outside.stderr.contains("outside the mass grid"), "\(outside.stderr)")
  }
}
