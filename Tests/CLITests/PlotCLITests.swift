import Foundation
import Testing

@Suite("zptoys plot and report, end to end")
struct PlotCLITests {
  @Test("A brazil result, an event file and a scan become SVG plots; report.html inlines them")
  func plots() throws {
    let d = try CLI.tempDir()
    let light = ["--mc-background-events", "20000", "--mc-signal-events", "2000", "--no-progress"]
    // The default method: every limit from a toy Neyman belt per hypothesis (small belts here).
    let b = try CLI.run(["brazil", "--masses", "100-104", "--toys", "5", "--belt-toys", "100", "--data", "toy", "--out", "\(d)/brazil.json"] + light)
    #expect(b.status == 0, "\(b.stderr)")
    let brazil = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(d)/brazil.json"))) as? [String: Any])
    for p in try #require(brazil["masses"] as? [[String: Any]]) {
      let belt = try #require(p["belt"] as? [String: Any], "a toy limit names its belt")
      #expect(p["method"] as? String == "toys" && belt["toys_per_point"] as? Int == 100 && (belt["mu_points"] as? Int ?? 0) >= 20)
      #expect(p["observed"] is Double && p["observed_asymptotic"] is Double && p["expected_toys"] is [String: Any])
    }
    let s = try CLI.run(["scan", "--data", "toy", "--masses", "100-104", "--belt-toys", "100", "--out", "\(d)/scan.json"] + light)
    #expect(s.status == 0, "\(s.stderr)")
    let g = try CLI.run(["generate", "--process", "background", "--events", "2000", "--out", "\(d)/events.csv"])
    #expect(g.status == 0, "\(g.stderr)")
    for (input, out) in [("brazil.json", "brazil.svg"), ("scan.json", "scan.svg"), ("events.csv", "spectrum.svg")] {
      let r = try CLI.run(["plot", "\(d)/\(input)", "--out", "\(d)/\(out)"])
      #expect(r.status == 0, "\(input): \(r.stderr)")
      let svg = try String(contentsOfFile: "\(d)/\(out)", encoding: .utf8)
      #expect(svg.hasPrefix("<?xml") || svg.hasPrefix("<svg"), "\(out) is not SVG")
      #expect(svg.contains("</svg>"))
    }
    // A file that is no result: a clear error and no output.
    try "{\"hello\": 1}".write(toFile: "\(d)/other.json", atomically: true, encoding: .utf8)
    let bad = try CLI.run(["plot", "\(d)/other.json", "--out", "\(d)/other.svg"])
    #expect(bad.status != 0 && bad.stderr.contains("other.json"), "\(bad.stderr)")
    #expect(!FileManager.default.fileExists(atPath: "\(d)/other.svg"))
    let rep = try CLI.run(["report", "--dir", d])
    #expect(rep.status == 0, "\(rep.stderr)")
    let html = try String(contentsOfFile: "\(d)/report.html", encoding: .utf8)
    #expect(html.contains("<svg") && html.contains("brazil.json"))
  }
}
