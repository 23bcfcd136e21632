import Foundation
import Testing
@testable import Experiment

/// The repository root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite("Experiment configuration")
struct ConfigurationTests {
  @Test("The embedded default is identical to toys/belle2-2019-2020.yaml (run `make embed-config` after editing it)")
  func embeddedEqualsFile() throws {
    let file = try String(contentsOf: repositoryRoot.appendingPathComponent("toys/belle2-2019-2020.yaml"), encoding: .utf8)
    #expect(file == EmbeddedConfiguration.belle2_2019_2020)
    let a = try ExperimentConfig.embeddedDefault()
    let b = try ExperimentConfig.load(path: repositoryRoot.appendingPathComponent("toys/belle2-2019-2020.yaml").path)
    #expect(a.beams == b.beams && a.processes == b.processes && a.systematics == b.systematics)
  }

  @Test("The default encodes the paper's numbers")
  func paperNumbers() throws {
    let c = try ExperimentConfig.embeddedDefault()
    #expect(c.beams.electronEnergy == 7 && c.beams.positronEnergy == 4)
    #expect(c.beams.sqrtS == 10.58 && c.beams.boostBetaGamma == 0.28)
    #expect(c.luminosity.integrated == 79.7 && c.luminosity.relativeUncertainty == 0.01)
    #expect(c.resolution.sigma(m2: 9) == 0.23)
    #expect(c.resolution.sigma(m2: 80) == 0.06)
    #expect(c.systematics.signalEfficiency == [0.027, 0.065, 0.083])
    #expect(c.systematics.backgroundShape == [0.032, 0.086, 0.25])
    #expect(c.systematics.m2RangeEdges == [-0.5, 9, 36, 81])
    #expect(c.systematics.signalShape == 0.10 && c.systematics.luminosity == 0.01)
    #expect(c.systematics.photonVeto(m2: 0.5) == 0.34 && c.systematics.photonVeto(m2: 2) == 0.05)
    #expect(c.efficiency.trigger(0) == 0.89 && c.efficiency.trigger(80) == 0.93)
    #expect(c.window.m2Bins == 20)
    #expect(c.window.thetaBinning.first!.edges.count == 6 && c.window.thetaBinning.last!.edges.count == 2)
  }

  /// Replaces `old` by `new` in the default YAML and parses it.
  func parseModified(_ old: String, _ new: String) throws -> ExperimentConfig {
    let text = EmbeddedConfiguration.belle2_2019_2020
    precondition(text.contains(old), "test fixture: \(old) not in the default")
    return try ExperimentConfig.parse(yaml: text.replacingOccurrences(of: old, with: new), source: "test.yaml")
  }

  func expectError(_ old: String, _ new: String, field: String, reasonContains: String) {
    do {
      _ = try parseModified(old, new)
      Issue.record("expected an error at \(field)")
    } catch let e as ConfigError {
      #expect(e.source == "test.yaml")
      #expect(e.field == field, "\(e)")
      #expect(e.reason.contains(reasonContains), "\(e)")
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test("Bad values name the field and the reason")
  func fieldErrors() {
    expectError("integrated_fb: 79.7", "integrated_fb: -1", field: "luminosity.integrated_fb", reasonContains: "positive")
    expectError("integrated_fb: 79.7", "integrated_fb: lots", field: "luminosity.integrated_fb", reasonContains: "expected a number")
    expectError("integrated_fb: 79.7", "integrated_fb: .nan", field: "luminosity.integrated_fb", reasonContains: "finite")
    expectError("integrated_fb: 79.7", "integrated_fb: .inf", field: "luminosity.integrated_fb", reasonContains: "finite")
    expectError("  integrated_fb: 79.7\n", "", field: "luminosity.integrated_fb", reasonContains: "missing")
    expectError("  integrated_fb: 79.7\n", "  integrated_fb: 79.7\n  integrated_pb: 3\n", field: "luminosity.integrated_pb", reasonContains: "unknown field")
    expectError("sigma_gev2: [0.045, 0.23, 0.0618, 0.06]", "sigma_gev2: [0.045, 0.23, -0.0618, 0.06]", field: "resolution.sigma_gev2[2]", reasonContains: "positive")
    expectError("sigma_gev2: [0.045, 0.23, 0.0618, 0.06]", "sigma_gev2: [0.045, 0.23, 0.06]", field: "resolution.sigma_gev2", reasonContains: "same")
    expectError("    yield: 120000.0", "    yield: -5", field: "processes.eemumu.yield", reasonContains: "between 0 and 1e9")
    expectError("    yield: 120000.0", "    yield: 1e12", field: "processes.eemumu.yield", reasonContains: "between 0 and 1e9")
    expectError("  m2_bins: 20", "  m2_bins: 7", field: "window.m2_bins", reasonContains: "even")
    expectError("  max_gev: 8.5", "  max_gev: 11", field: "mass_grid.max_gev", reasonContains: "below √s")
    expectError("sqrt_s_gev: 10.58", "sqrt_s_gev: 20", field: "beams.sqrt_s_gev", reasonContains: "inconsistent")
    expectError("signal_efficiency: [0.027, 0.065, 0.083]", "signal_efficiency: [0.027, 0.065]", field: "systematics.signal_efficiency", reasonContains: "one value per M² range")
    expectError("schema_version: 1", "schema_version: 2", field: "schema_version", reasonContains: "unsupported")
    expectError("      theta_cm_edges_deg: [0, 90, 180]", "      theta_cm_edges_deg: [0, 90, 80, 180]", field: "window.theta_binning[4].theta_cm_edges_deg[2]", reasonContains: "increase")
  }

  @Test("Malformed documents and files are errors, not crashes")
  func malformed() throws {
    for text in ["", "a: [1, 2", "- 1\n- 2\n", "\u{0}\u{1}binary", "schema_version: 1\n"] {
      #expect(throws: ConfigError.self) { try ExperimentConfig.parse(yaml: text, source: "x.yaml") }
    }
    #expect(throws: ConfigError.self) { try ExperimentConfig.load(path: "/nonexistent/file.yaml") }
    #expect(throws: ConfigError.self) { try ExperimentConfig.load(path: "/tmp") }
    // A truncated copy of the default.
    let text = EmbeddedConfiguration.belle2_2019_2020
    let truncated = String(text.prefix(text.count / 2))
    #expect(throws: ConfigError.self) { try ExperimentConfig.parse(yaml: truncated, source: "x.yaml") }
  }
}
