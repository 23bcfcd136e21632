import Experiment
import Foundation
import Inference
import Results
import _Support

/// The Brazil-band table as CSV and as HEPData YAML (a HEPData data file: the independent
/// variables — the Z′ mass, or a patchset's labels — and the observed and expected limits as
/// dependent variables with the ±1σ and ±2σ bands as asymmetric errors; `hepdata-validator`'s
/// DataFileValidator accepts it).
public enum LimitTables {
  /// One row per hypothesis. A search window fills `mass_gev` and `m2_gev2`; a patch of a
  /// published likelihood fills `patch` and `patch_values` (its values joined by `;`), and its
  /// limits are on the POI rather than in fb.
  public static func writeCSV(_ b: BrazilFile, to path: String) throws {
    var s = "index,mass_gev,m2_gev2,patch,patch_values,observed_fb,expected_asymptotic_minus2_fb,expected_asymptotic_minus1_fb,expected_asymptotic_median_fb,expected_asymptotic_plus1_fb,expected_asymptotic_plus2_fb,expected_toys_minus2_fb,expected_toys_minus1_fb,expected_toys_median_fb,expected_toys_plus1_fb,expected_toys_plus2_fb,toys,failed_toys\n"
    func f(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
    func quoted(_ t: String) -> String { t.contains(where: { $0 == "," || $0 == "\"" }) ? "\"" + t.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : t }
    for p in b.masses {
      let a = p.expectedAsymptotic.values.map(f).joined(separator: ",")
      let t = (p.expectedToys?.values.map(f) ?? Array(repeating: "", count: 5)).joined(separator: ",")
      let patch = p.patch.map { (quoted($0.name), quoted($0.values.map(\.description).joined(separator: ";"))) } ?? ("", "")
      s += "\(p.index),\(f(p.mass)),\(f(p.m2)),\(patch.0),\(patch.1),\(f(p.observed)),\(a),\(t),\(p.toys),\(p.failedToys.count)\n"
    }
    try AtomicFile.write(s, to: path)
  }

  static func yamlNumber(_ x: Double) -> String {
    x.isFinite ? String(format: "%.6g", x) : "'-'"
  }

  /// The independent variables: the Z′ mass, or one per label of a patchset (the patches'
  /// values; a string value is written as text).
  static func independentVariables(_ b: BrazilFile) -> String {
    guard let l = b.header.identity.inputs.likelihood else {
      return "independent_variables:\n- header: {name: \"$M_{Z'}$\", units: GEV}\n  values:\n"
        + b.masses.map { "  - {value: \(yamlNumber($0.mass ?? .nan))}\n" }.joined()
    }
    let n = b.masses.map { $0.patch?.values.count ?? 0 }.max() ?? 0
    var y = "independent_variables:\n"
    for k in 0..<n {
      let name = k < l.labels.count ? l.labels[k] : "value \(k + 1)"
      y += "- header: {name: \"\(name.replacingOccurrences(of: "\"", with: "'"))\"}\n  values:\n"
      for p in b.masses {
        let v = p.patch.flatMap { k < $0.values.count ? $0.values[k] : nil }
        switch v {
        case .number(let x)?: y += "  - {value: \(yamlNumber(x))}\n"
        case .string(let t)?: y += "  - {value: \"\(t.replacingOccurrences(of: "\"", with: "'"))\"}\n"
        case nil: y += "  - {value: '-'}\n"
        }
      }
    }
    return y
  }

  /// A HEPData data file (YAML) of the limits (`config`: the configuration of search windows,
  /// for the qualifiers; nil for a published likelihood).
  public static func hepdataYAML(_ b: BrazilFile, config: ExperimentConfig?) -> String {
    let limit = b.settings.limit
    let clText = "\(limit.clText) \(limit.rule.ascii)"
    let how = limit.method == .toys ? ", toy Neyman belt" : ", asymptotic"
    var y = independentVariables(b)
    y += "dependent_variables:\n"
    let qualifiers = config.map { c in """
        qualifiers:
        - {name: RE, value: "E+ E- --> MU+ MU- Z', Z' --> INVISIBLE"}
        - {name: SQRT(S), units: GEV, value: \(yamlNumber(c.beams.sqrtS))}
        - {name: LUMINOSITY, units: FB-1, value: \(yamlNumber(b.lumiFb ?? .nan))}

      """ } ?? ""
    let units = config == nil ? "" : ", units: FB"
    func band(_ name: String, _ pick: (BrazilPoint) -> Band?) {
      y += "- header: {name: \"\(name)\"\(units)}\n" + qualifiers + "  values:\n"
      for p in b.masses {
        guard let e = pick(p), e.median.isFinite else { y += "  - {value: '-'}\n"; continue }
        y += "  - value: \(yamlNumber(e.median))\n    errors:\n"
        y += "    - {asymerror: {minus: \(yamlNumber(e.minus1 - e.median)), plus: \(yamlNumber(e.plus1 - e.median))}, label: 1 sigma}\n"
        y += "    - {asymerror: {minus: \(yamlNumber(e.minus2 - e.median)), plus: \(yamlNumber(e.plus2 - e.median))}, label: 2 sigma}\n"
      }
    }
    if b.masses.contains(where: { $0.observed != nil }) {
      y += "- header: {name: \"Observed \(clText) upper limit on $\\\\sigma \\\\times B$ (\(how.dropFirst(2)))\"\(units)}\n" + qualifiers + "  values:\n"
      for p in b.masses { y += "  - {value: \(p.observed.map(yamlNumber) ?? "'-'")}\n" }
    }
    band("Expected \(clText) upper limit on $\\\\sigma \\\\times B$ (asymptotic)") { $0.expectedAsymptotic }
    if b.masses.contains(where: { $0.expectedToys != nil }) {
      band("Expected \(clText) upper limit on $\\\\sigma \\\\times B$ (background-only pseudo-experiments\(how))") { $0.expectedToys }
    }
    return y
  }

  public static func writeHEPData(_ b: BrazilFile, config: ExperimentConfig?, to path: String) throws {
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
