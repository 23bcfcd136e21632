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
    #expect(a == b.withSource(of: a))
  }

  @Test("The default encodes the paper's numbers")
  func paperNumbers() throws {
    let c = try ExperimentConfig.embeddedDefault()
    #expect(c.beams.electronEnergy == 7 && c.beams.positronEnergy == 4)
    #expect(c.beams.sqrtS == 10.58 && c.beams.boostBetaGamma == 0.28)
    #expect(c.luminosity.integrated == 79.7 && c.luminosity.relativeUncertainty == 0.01)
    #expect(c.resolution.sigma(m2: 9) == 0.23)
    #expect(c.resolution.sigma(m2: 80) == 0.06)
    func size(_ name: String) -> M2StepFunction { c.systematics.first { $0.name == name }!.size! }
    #expect(size("signal_efficiency").values == [0.027, 0.065, 0.083])
    #expect(size("background_shape").values == [0.032, 0.086, 0.25])
    #expect(size("background_shape").edges == [-0.5, 9, 36, 81] && size("signal_efficiency").edges == [-0.5, 9, 36, 81])
    #expect(size("signal_shape")(5) == 0.10)
    #expect(size("photon_veto")(0.5) == 0.34 && size("photon_veto")(2) == 0.05)
    // Values outside the edges take the nearest range.
    #expect(size("background_shape")(-3) == 0.032 && size("background_shape")(100) == 0.25)
    #expect(c.backgrounds.map(\.name) == ["mumu", "tautau", "eemumu"])
    #expect(c.backgrounds.map(\.sample) == ["mumu", "other_background", "other_background"])
    #expect(c.backgrounds[0].systematics.contains("photon_veto") && !c.backgrounds[1].systematics.contains("photon_veto"))
    #expect(c.backgrounds.map(\.totalYield) == [100, 60, 120_000])
    #expect(c.defaultStudy.observedLocalZ == 2.8 && c.defaultStudy.coverageMasses == [0.5, 2.352, 8.0])
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
    expectError("        yield: 120000.0", "        yield: -5", field: "backgrounds[2].components[0].yield", reasonContains: "between 0 and 1e9")
    expectError("        yield: 120000.0", "        yield: 1e12", field: "backgrounds[2].components[0].yield", reasonContains: "between 0 and 1e9")
    expectError("  m2_bins: 20", "  m2_bins: 7", field: "window.m2_bins", reasonContains: "even")
    expectError("  max_gev: 8.5", "  max_gev: 11", field: "mass_grid.max_gev", reasonContains: "below √s")
    expectError("sqrt_s_gev: 10.58", "sqrt_s_gev: 20", field: "beams.sqrt_s_gev", reasonContains: "inconsistent")
    expectError("values: [0.027, 0.065, 0.083]", "values: [0.027, 0.065]", field: "systematics.signal_efficiency.values", reasonContains: "one value per M² range")
    expectError("schema_version: 2", "schema_version: 3", field: "schema_version", reasonContains: "unsupported")
    expectError("schema_version: 2", "schema_version: 1", field: "schema_version", reasonContains: "backgrounds:")
    expectError("      theta_cm_edges_deg: [0, 90, 180]", "      theta_cm_edges_deg: [0, 90, 80, 180]", field: "window.theta_binning[4].theta_cm_edges_deg[2]", reasonContains: "increase")
  }

  @Test("Malformed documents and files are errors, not crashes")
  func malformed() throws {
    for text in ["", "a: [1, 2", "- 1\n- 2\n", "\u{0}\u{1}binary", "schema_version: 2\n"] {
      #expect(throws: ConfigError.self) { try ExperimentConfig.parse(yaml: text, source: "x.yaml") }
    }
    #expect(throws: ConfigError.self) { try ExperimentConfig.load(path: "/nonexistent/file.yaml") }
    #expect(throws: ConfigError.self) { try ExperimentConfig.load(path: "/tmp") }
    // A truncated copy of the default.
    let text = EmbeddedConfiguration.belle2_2019_2020
    let truncated = String(text.prefix(text.count / 2))
    #expect(throws: ConfigError.self) { try ExperimentConfig.parse(yaml: truncated, source: "x.yaml") }
  }

  @Test("Processes and systematics as data: names, references and sample mixes are checked")
  func processErrors() {
    expectError("  - name: tautau", "  - name: mumu", field: "backgrounds[1].name", reasonContains: "appears twice")
    expectError("  - name: tautau", "  - name: background", field: "backgrounds[1].name", reasonContains: "reserved")
    expectError("  - name: tautau", "  - name: Tau Tau", field: "backgrounds[1].name", reasonContains: "lower-case")
    expectError("    systematics: [background_norm, background_shape]\n    components:\n      # Residual",
                "    systematics: [background_norm, background_shap]\n    components:\n      # Residual",
                field: "backgrounds[1].systematics[1]", reasonContains: "unknown systematic \"background_shap\"")
    expectError("    systematics: [background_norm, background_shape]\n    components:\n      # Residual",
                "    systematics: [background_norm, background_shape, photon_veto]\n    components:\n      # Residual",
                field: "backgrounds[2].systematics", reasonContains: "same systematics")
    expectError("      - shape: continuum\n        yield: 60.0", "      - shape: spline\n        yield: 60.0",
                field: "backgrounds[1].components[0].shape", reasonContains: "unknown shape family")
    expectError("        m2_law: gamma2", "        m2_law: gamma3", field: "backgrounds[1].components[0].m2_law", reasonContains: "must be one of")
    expectError("        theta_cm_a: 1.0\n        mumu", "        theta_cm_a: 1.0\n        collinearity_b: 0.5\n        mumu",
                field: "backgrounds[1].components[0]", reasonContains: "exactly one angular law")
    expectError("    modifier: staterror\n    value: 0.10", "    modifier: histosys\n    value: 0.10",
                field: "systematics.signal_shape.modifier", reasonContains: "must be one of")
    expectError("  systematics: [signal_shape, signal_efficiency, lumi]", "  systematics: [signal_shape, signal_efficiency, luminosity]",
                field: "signal.systematics[2]", reasonContains: "unknown systematic")
    expectError("  rule: fc ", "  rule: fc\n  colour: red ", field: "default_study.colour", reasonContains: "unknown field")
    expectError("    brazil_toys: 100", "    brazil_toys: -1", field: "default_study.full.brazil_toys", reasonContains: "between 0 and")
  }

  @Test("A new background process is a configuration change: a fourth process is read with its components")
  func newProcess() throws {
    let extra = """
        - name: radiative_bhabha
          label: "e^{+}e^{−}(γ)"
          sample: other_background
          systematics: [background_norm, background_shape]
          components:
            - shape: continuum
              yield: 5.0
              m2_law: falling-exponential
              m2_range_gev2: [0.0, 30.0]
              m2_slope_gev2: 5.0
              collinearity_b: 0.8
              mumu_mass_range_gev: [0.2, 3.0]

      """
    let c = try parseModified("# What `zptoys run` does", extra + "# What `zptoys run` does")
    #expect(c.backgrounds.map(\.name) == ["mumu", "tautau", "eemumu", "radiative_bhabha"])
    #expect(c.backgrounds[3].components[0].shape == .continuum(.init(
      m2Law: .fallingExponential, m2Range: 0...30, m2Slope: 5, angular: .collinear(b: 0.8), mumuMassRange: 0.2...3)))
  }
}

extension ExperimentConfig {
  /// The same configuration with another's source text and name (to compare contents only).
  func withSource(of other: ExperimentConfig) -> ExperimentConfig {
    var c = self
    c.sourceText = other.sourceText
    c.sourceName = other.sourceName
    return c
  }
}
