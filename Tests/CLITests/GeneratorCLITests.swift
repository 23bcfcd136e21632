import Foundation
import Testing

@Suite("zptoys config, grid, generate, templates")
struct GeneratorCLITests {
  @Test("grid --json lists 582 ± 5 hypotheses with the contract's keys")
  func grid() throws {
    let r = try CLI.run(["grid", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    let h = obj["hypotheses"] as! [[String: Any]]
    #expect(abs(h.count - 582) <= 5)
    for key in ["index", "mass_gev", "m2_gev2", "resolution_gev2"] { #expect(h[0][key] != nil) }
  }

  @Test("config show prints the embedded default; config check validates a user's file")
  func config() throws {
    let d = try CLI.tempDir()
    let show = try CLI.run(["config", "show"])
    #expect(show.status == 0 && show.stdout.contains("integrated_fb: 79.7"))
    let good = d + "/good.yaml"
    try show.stdout.write(toFile: good, atomically: true, encoding: .utf8)
    let ok = try CLI.run(["config", "check", good])
    #expect(ok.status == 0 && ok.stdout.contains("582 mass hypotheses"), "\(ok.stdout)\(ok.stderr)")
    let bad = d + "/bad.yaml"
    try show.stdout.replacingOccurrences(of: "boost_beta_gamma: 0.28", with: "boost_beta_gamma: fast").write(toFile: bad, atomically: true, encoding: .utf8)
    let r = try CLI.run(["grid", "--config", bad])
    #expect(r.status != 0)
    #expect(r.stderr.contains("bad.yaml: beams.boost_beta_gamma: expected a number"), "\(r.stderr)")
  }

  @Test("generate writes the contract's columns; the same seed gives the same file, another seed another")
  func generate() throws {
    let d = try CLI.tempDir()
    for (name, seed) in [("a", "3"), ("b", "3"), ("c", "4")] {
      let r = try CLI.run(["generate", "--process", "signal", "--mass", "2.0", "--events", "500", "--seed", seed, "--out", "\(d)/\(name).csv"])
      #expect(r.status == 0, "\(r.stderr)")
    }
    let a = try String(contentsOfFile: "\(d)/a.csv", encoding: .utf8)
    let b = try String(contentsOfFile: "\(d)/b.csv", encoding: .utf8)
    let c = try String(contentsOfFile: "\(d)/c.csv", encoding: .utf8)
    #expect(a == b && a != c)
    #expect(a.hasPrefix("m2_recoil_gev2,theta_cm_recoil_deg,"))
    #expect(a.split(separator: "\n").count == 501)
    let bg = try CLI.run(["generate", "--process", "background", "--lumi", "1", "--out", "\(d)/bg.csv", "--json"])
    #expect(bg.status == 0, "\(bg.stderr)")
    #expect(bg.stdout.contains("eemumu"))
  }

  @Test("Bad input: a clear message, a non-zero exit, and no output file", arguments: [
    (["--process", "zprime", "--events", "10"], "unknown process"),
    (["--process", "signal", "--events", "10"], "needs --mass"),
    (["--process", "signal", "--mass", "9.9", "--events", "10"], "outside the mass grid"),
    (["--process", "signal", "--mass", "2", "--events=-5"], "--events must be between"),
    (["--process", "signal", "--mass", "2", "--events", "0"], "--events must be between"),
    (["--process", "signal", "--mass", "2", "--events", "100000000000"], "--events must be between"),
    (["--process", "mumu", "--lumi", "nan"], "--lumi must be"),
    (["--process", "mumu", "--events", "10", "--lumi", "1"], "not both"),
    (["--process", "signal", "--mass", "2", "--width-fraction", "2", "--events", "10"], "--width-fraction"),
    (["--process", "mumu", "--events", "10", "--input", "/nonexistent.csv"], "no such file"),
    (["--process", "mumu", "--events", "10", "--config", "/nonexistent.yaml"], "no such file"),
  ])
  func badInput(args: [String], message: String) throws {
    let d = try CLI.tempDir()
    let out = "\(d)/out.csv"
    let r = try CLI.run(["generate"] + args + ["--out", out])
    #expect(r.status != 0)
    #expect(r.stderr.contains(message), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(try FileManager.default.contentsOfDirectory(atPath: d).isEmpty, "temporary files left behind")
  }

  @Test("An unreadable histogram file is a clear error")
  func unreadableHistogram() throws {
    let d = try CLI.tempDir()
    let h = "\(d)/h.csv"
    try Data([0x00, 0xFF, 0x13, 0x37]).write(to: URL(fileURLWithPath: h))
    let r = try CLI.run(["generate", "--process", "mumu", "--events", "10", "--input", h, "--out", "\(d)/o.csv"])
    #expect(r.status != 0 && r.stderr.contains("h.csv") && r.stderr.contains("binary"), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: "\(d)/o.csv"))
  }

  @Test("templates writes every process' window histogram with MC variances")
  func templates() throws {
    let d = try CLI.tempDir()
    let r = try CLI.run(["templates", "--mass", "2.352", "--mc-background-events", "20000", "--mc-signal-events", "5000", "--out", "\(d)/t.json"])
    #expect(r.status == 0, "\(r.stderr)")
    let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(d)/t.json"))) as! [String: Any]
    let sig = obj["signal_per_fb"] as! [String: Any]
    #expect((sig["m2_edges_gev2"] as! [Double]).count == 21)
    #expect((sig["yields"] as! [Double]).count == 20 * ((sig["theta_cm_edges_deg"] as! [Double]).count - 1))
    let bkg = obj["backgrounds"] as! [String: Any]
    #expect(Set(bkg.keys) == ["mumu", "tautau", "eemumu"])
    let outside = try CLI.run(["templates", "--mass", "12", "--out", "\(d)/x.json"])
    #expect(outside.status != 0 && outside.stderr.contains("outside the mass grid"))
    #expect(!FileManager.default.fileExists(atPath: "\(d)/x.json"))
  }
}
