import Experiment
import Foundation
import Inference
import Results
import _Support

/// The Brazil-band table as CSV and as HEPData YAML (a HEPData data file: one independent
/// variable, the Z′ mass, and the observed and expected limits as dependent variables with the
/// ±1σ and ±2σ bands as asymmetric errors; `hepdata-validator`'s DataFileValidator accepts it).
public enum LimitTables {
  public static func writeCSV(_ b: BrazilFile, to path: String) throws {
    var s = "index,mass_gev,m2_gev2,observed_fb,expected_asymptotic_minus2_fb,expected_asymptotic_minus1_fb,expected_asymptotic_median_fb,expected_asymptotic_plus1_fb,expected_asymptotic_plus2_fb,expected_toys_minus2_fb,expected_toys_minus1_fb,expected_toys_median_fb,expected_toys_plus1_fb,expected_toys_plus2_fb,toys,failed_toys\n"
    func f(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
    for p in b.masses {
      let a = p.expectedAsymptotic.values.map(f).joined(separator: ",")
      let t = (p.expectedToys?.values.map(f) ?? Array(repeating: "", count: 5)).joined(separator: ",")
      s += "\(p.index),\(p.mass),\(p.m2),\(f(p.observed)),\(a),\(t),\(p.toys),\(p.failedToys.count)\n"
    }
    try AtomicFile.write(s, to: path)
  }

  static func yamlNumber(_ x: Double) -> String {
    x.isFinite ? String(format: "%.6g", x) : "'-'"
  }

  /// A HEPData data file (YAML) of the limits.
  public static func hepdataYAML(_ b: BrazilFile, config: ExperimentConfig) -> String {
    let limit = b.settings.limit
    let clText = "\(limit.clText) \(limit.rule.ascii)"
    var y = "independent_variables:\n- header: {name: \"$M_{Z'}$\", units: GEV}\n  values:\n"
    for p in b.masses { y += "  - {value: \(yamlNumber(p.mass))}\n" }
    y += "dependent_variables:\n"
    let qualifiers = """
        qualifiers:
        - {name: RE, value: "E+ E- --> MU+ MU- Z', Z' --> INVISIBLE"}
        - {name: SQRT(S), units: GEV, value: \(yamlNumber(config.beams.sqrtS))}
        - {name: LUMINOSITY, units: FB-1, value: \(yamlNumber(b.lumiFb))}

      """
    func band(_ name: String, _ pick: (BrazilPoint) -> Band?) {
      y += "- header: {name: \"\(name)\", units: FB}\n" + qualifiers + "  values:\n"
      for p in b.masses {
        guard let e = pick(p), e.median.isFinite else { y += "  - {value: '-'}\n"; continue }
        y += "  - value: \(yamlNumber(e.median))\n    errors:\n"
        y += "    - {asymerror: {minus: \(yamlNumber(e.minus1 - e.median)), plus: \(yamlNumber(e.plus1 - e.median))}, label: 1 sigma}\n"
        y += "    - {asymerror: {minus: \(yamlNumber(e.minus2 - e.median)), plus: \(yamlNumber(e.plus2 - e.median))}, label: 2 sigma}\n"
      }
    }
    if b.masses.contains(where: { $0.observed != nil }) {
      y += "- header: {name: \"Observed \(clText) upper limit on $\\\\sigma \\\\times B$\", units: FB}\n" + qualifiers + "  values:\n"
      for p in b.masses { y += "  - {value: \(p.observed.map(yamlNumber) ?? "'-'")}\n" }
    }
    band("Expected \(clText) upper limit on $\\\\sigma \\\\times B$ (asymptotic)") { $0.expectedAsymptotic }
    if b.masses.contains(where: { $0.expectedToys != nil }) {
      band("Expected \(clText) upper limit on $\\\\sigma \\\\times B$ (background-only pseudo-experiments)") { $0.expectedToys }
    }
    return y
  }

  public static func writeHEPData(_ b: BrazilFile, config: ExperimentConfig, to path: String) throws {
    try AtomicFile.write(hepdataYAML(b, config: config), to: path)
  }

  /// A HEPData submission.yaml describing one table (the data file written beside it).
  public static func submissionYAML(dataFile: String, description: String, sqrtS: Double) -> String {
    """
    ---
    comment: "ZPrimeToys \(ToolInfo.version): limits on sigma(e+e- -> mu+mu- Z', Z' -> invisible) from pseudo-experiments; configuration in the result JSON."
    ---
    name: "Cross-section limits"
    description: "\(description)"
    keywords:
    - {name: observables, values: [SIG]}
    - {name: reactions, values: [E+ E- --> MU+ MU- Z']}
    - {name: cmenergies, values: [\(yamlNumber(sqrtS))]}
    data_file: \(dataFile)

    """
  }
}
