import Experiment
import Foundation
import Results
import Testing
@testable import Studies

@Suite("The default study, from the configuration's default_study section")
struct DefaultStudyTests {
  /// The embedded configuration cut to the hypotheses below 1 GeV, with a tiny quick scale and a
  /// 95% CL, so that every step runs in seconds.
  func smallConfig() throws -> ExperimentConfig {
    var text = config.sourceText
    for (old, new) in [("  max_gev: 8.5", "  max_gev: 1.0"), ("  cl: 0.9\n", "  cl: 0.95\n"),
                       ("summary_masses_gev: [0.1, 0.5, 1.0, 2.0, 2.352, 4.0, 6.0, 8.0]", "summary_masses_gev: [0.1, 0.5]"),
                       ("coverage_masses_gev: [0.5, 2.352, 8.0]", "coverage_masses_gev: [0.5]"),
                       ("    template_background_events: 300000", "    template_background_events: 20000"),
                       ("    template_signal_events: 20000", "    template_signal_events: 2000")] {
      precondition(text.contains(old), old)
      text = text.replacingOccurrences(of: old, with: new)
    }
    return try ExperimentConfig.parse(yaml: text, source: "small.yaml")
  }

  @Test("Every step writes its file; each reads back strictly and records the configured 95% CL")
  func endToEnd() throws {
    let dir = tempPath("default-study")
    try? FileManager.default.removeItem(atPath: dir)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var o = DefaultStudy.Options()
    o.quick = true
    o.brazilToys = 2
    o.leeToys = 4
    o.coverageToys = 4
    o.beltToys = 20
    o.outDir = dir
    o.threads = 2
    o.progress = false
    let study = try DefaultStudy(config: try smallConfig(), options: o)
    var steps: [String] = []
    let summary = try study.run { steps.append($0) }
    #expect(steps == ["== templates", "== grid", "== scan", "== brazil", "== lee", "== coverage", "== couplings"])
    func path(_ f: String) -> String { (dir as NSString).appendingPathComponent(f) }
    let brazil = try ResultReader.read(BrazilFile.self, path: path("brazil.json"))
    #expect(brazil.settings.limit.cl == 0.95 && brazil.settings.toys == 2 && brazil.masses.allSatisfy { $0.observed != nil })
    let lee = try ResultReader.read(LookElsewhereFile.self, path: path("lee.json"))
    #expect(lee.settings.observedZ == 2.8 && lee.toys.count == 4 && lee.observed?.localZ == 2.8)
    let coverage = try ResultReader.read(CoverageFile.self, path: path("coverage.json"))
    #expect(coverage.settings.cl == 0.95 && coverage.points.count == 3)
    for model in ["vanilla", "invisible"] {
      let c = try ResultReader.read(CouplingsFile.self, path: path("couplings_\(model).json"))
      #expect(c.limit.clText == "95% CL" && c.masses.count == brazil.masses.count)
    }
    _ = try ResultReader.read(ScanFile.self, path: path("scan.json"))
    _ = try ResultReader.read(GridFile.self, path: path("grid.json"))
    let written = try ResultReader.read(SummaryFile.self, path: path("summary.json"))
    #expect(written.limit == summary.limit && summary.limit.cl == 0.95 && summary.limitsAtSelectedMasses.count == 2)
    #expect(summary.assessedExcess?.localZ == 2.8 && summary.brazilToys == 2)
    for f in ["brazil.csv", "brazil.hepdata.yaml", "submission.yaml"] { #expect(FileManager.default.fileExists(atPath: path(f)), "\(f)") }
    #expect(try String(contentsOfFile: path("brazil.hepdata.yaml"), encoding: .utf8).contains("Observed 95% CL Feldman-Cousins upper limit on $\\\\sigma \\\\times B$ (toy Neyman belt)"))
  }

  @Test("A rule that is not a rule is refused, naming the field")
  func badRule() throws {
    let text = config.sourceText.replacingOccurrences(of: "  rule: fc ", with: "  rule: cl ")
    let c = try ExperimentConfig.parse(yaml: text, source: "x.yaml")
    #expect(throws: StudyError.self) { try DefaultStudy(config: c, options: DefaultStudy.Options()) }
  }
}
