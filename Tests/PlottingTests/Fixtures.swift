import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

@testable import Plotting

/// Small synthetic result files in the layouts of the Studies module and `zptoys couplings`.
enum Fixtures {
  static func header(_ study: String, settings: [String: String]) -> String {
    let s = settings.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ")
    return """
      "format": "zptoys-study-1", "study": "\(study)",
      "identity": {"study": "\(study)", "configuration": "test-config", "configuration_sha256": "abc123", "seed": 7,
                   "settings": {\(s)}, "total_tasks": 3},
      "shard": null, "tasks": [0, 1, 2], "merged_from": [],
      "run": {"tool": "zptoys 0.1.0", "started": "2026-01-01T00:00:00Z", "seconds": 1.5, "threads": 2, "host": "h", "resumed_tasks": 0}
      """
  }

  static func band(_ m: Double) -> String {
    "{\"minus2\": \(0.5 * m), \"minus1\": \(0.7 * m), \"median\": \(m), \"plus1\": \(1.4 * m), \"plus2\": \(2 * m)}"
  }

  static let brazil = """
    {\(header("brazil", settings: ["data": "toy", "rule": "cls", "cl": "0.9", "toys": "20", "width_fraction": "0.0"])),
     "masses": [
       {"index": 0, "mass_gev": 0.5, "m2_gev2": 0.25, "observed": 0.9, "expected_asymptotic": \(band(1)), "expected_toys": \(band(1.1)), "toys": 20, "failed_toys": []},
       {"index": 1, "mass_gev": 2.0, "m2_gev2": 4.0, "observed": 0.4, "expected_asymptotic": \(band(0.3)), "expected_toys": \(band(0.35)), "toys": 20, "failed_toys": []},
       {"index": 2, "mass_gev": 8.0, "m2_gev2": 64.0, "observed": null, "expected_asymptotic": \(band(30)), "expected_toys": null, "toys": 20, "failed_toys": []}
     ]}
    """

  static let scan = """
    {\(header("scan", settings: ["data": "toy"])),
     "masses": [
       {"index": 0, "mass_gev": 0.5, "local_z": 0.0, "local_p0": 0.5, "sigma_hat_fb": 0, "fit_failed": false},
       {"index": 1, "mass_gev": 2.0, "local_z": 2.1, "local_p0": 0.018, "sigma_hat_fb": 0.3, "fit_failed": false},
       {"index": 2, "mass_gev": 8.0, "local_z": 0.7, "local_p0": 0.24, "sigma_hat_fb": 3, "fit_failed": false}
     ],
     "largest_local_excess": {"index": 1, "mass_gev": 2.0, "local_z": 2.1, "local_p0": 0.018}}
    """

  static let lee = """
    {\(header("lee", settings: ["toys": "6", "thresholds": "0.5,1.0", "observed_z": "2.8", "block_size": "2"])),
     "toys": [
       {"toy": 0, "max_local_z": 2.1, "max_index": 3, "upcrossings": [9, 6], "failed_fits": 0},
       {"toy": 1, "max_local_z": 2.6, "max_index": 9, "upcrossings": [8, 7], "failed_fits": 0},
       {"toy": 2, "max_local_z": 1.9, "max_index": 1, "upcrossings": [7, 5], "failed_fits": 0},
       {"toy": 3, "max_local_z": 3.1, "max_index": 4, "upcrossings": [10, 6], "failed_fits": 0},
       {"toy": 4, "max_local_z": 2.4, "max_index": 2, "upcrossings": [9, 5], "failed_fits": 0},
       {"toy": 5, "max_local_z": 2.2, "max_index": 8, "upcrossings": [8, 6], "failed_fits": 0}
     ],
     "observed": {"local_z": 2.8, "local_p": 0.00256, "global_p": 0.1667, "global_p_uncertainty": 0.15, "global_z": 0.97,
                  "global_z_range": [0.5, 1.5], "trials_factor": 65, "toys": 6, "toys_above": 1, "global_z_is_lower_bound": false,
                  "gross_vitells": {"u0": 1.0, "mean_upcrossings": 5.83, "mean_upcrossings_uncertainty": 0.3, "global_p": 0.1, "global_p_uncertainty": 0.01, "global_z": 1.28},
                  "gross_vitells_by_threshold": []},
     "max_local_z_edges": [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4],
     "max_local_z_counts": [0, 0, 0, 1, 3, 1, 1, 0],
     "thresholds": [0.5, 1.0]}
    """

  static let coverage = """
    {\(header("coverage", settings: ["cl": "0.9", "verdict_cl": "0.95", "masses": "1.0,6.0", "signals": "0,5"])),
     "blocks": [],
     "points": [
       {"index": 0, "mass_gev": 1.0, "signal_fb": 0, "rules": [
         {"rule": "cls", "coverage": 1.0, "lower": 0.97, "upper": 1.0, "verdict_interval": [0.95, 1], "covered": 60, "toys": 60, "failed_toys": 0, "verdict": "over-covers"},
         {"rule": "fc", "coverage": 0.9, "lower": 0.85, "upper": 0.94, "verdict_interval": [0.8, 0.96], "covered": 54, "toys": 60, "failed_toys": 0, "verdict": "covers"}]},
       {"index": 1, "mass_gev": 1.0, "signal_fb": 5, "rules": [
         {"rule": "cls", "coverage": 0.93, "lower": 0.88, "upper": 0.96, "verdict_interval": [0.84, 0.98], "covered": 56, "toys": 60, "failed_toys": 0, "verdict": "covers"},
         {"rule": "fc", "coverage": 0.8, "lower": 0.74, "upper": 0.85, "verdict_interval": [0.68, 0.89], "covered": 48, "toys": 60, "failed_toys": 1, "verdict": "under-covers"}]},
       {"index": 2, "mass_gev": 6.0, "signal_fb": 0, "rules": [
         {"rule": "cls", "coverage": 1.0, "lower": 0.97, "upper": 1.0, "verdict_interval": [0.95, 1], "covered": 60, "toys": 60, "failed_toys": 0, "verdict": "over-covers"}]}
     ]}
    """

  static let couplings = """
    {"input": "brazil.json", "model": "invisible", "isr": false, "sigma_source": "table",
     "masses": [
       {"index": 0, "mass_gev": 0.01, "sigma_g1_fb": 1e6, "branching_invisible": 1, "g_prime_observed": 0.002,
        "g_prime_expected": \(band(0.002)), "g_prime_expected_source": "toys", "g_prime_expected_asymptotic": \(band(0.002)),
        "g_prime_expected_toys": \(band(0.002)), "g_minus_2_band": {"lower": 0.0004, "upper": 0.0006}, "excludes_g_minus_2": false,
        "narrow_width_b_chichi_valid": true},
       {"index": 1, "mass_gev": 1.0, "sigma_g1_fb": 1e5, "branching_invisible": 1, "g_prime_observed": 0.0015,
        "g_prime_expected": \(band(0.0015)), "g_prime_expected_source": "toys", "g_prime_expected_asymptotic": \(band(0.0015)),
        "g_prime_expected_toys": null, "g_minus_2_band": {"lower": 0.002, "upper": 0.003}, "excludes_g_minus_2": true,
        "narrow_width_b_chichi_valid": true},
       {"index": 2, "mass_gev": 8.0, "sigma_g1_fb": 10, "branching_invisible": 1, "g_prime_observed": null,
        "g_prime_expected": \(band(0.9)), "g_prime_expected_source": "toys", "g_prime_expected_asymptotic": \(band(0.9)),
        "g_prime_expected_toys": null, "g_minus_2_band": {"lower": 0.02, "upper": 0.03}, "excludes_g_minus_2": false,
        "narrow_width_b_chichi_valid": false}
     ],
     "g_minus_2_exclusion_basis": "observed", "g_minus_2_excluded_ranges_gev": [{"lower": 0.5, "upper": 4.0}],
     "narrow_width_valid_below_gev": 6.5, "notes": []}
    """

  static let grid = """
    {"configuration": "test-config", "count": 3, "hypotheses": [
      {"index": 0, "mass_gev": 0.01, "m2_gev2": 0.0001, "resolution_gev2": 0.045},
      {"index": 1, "mass_gev": 0.2, "m2_gev2": 0.04, "resolution_gev2": 0.05},
      {"index": 2, "mass_gev": 0.3, "m2_gev2": 0.09, "resolution_gev2": 0.06}]}
    """

  /// Two M² bins × two θ bins per process.
  static let templates = """
    {"configuration": "test-config", "hypothesis": {"index": 5, "mass_gev": 1.0, "m2_gev2": 1.0, "resolution_gev2": 0.1},
     "mc_seed": 1, "signal_acceptance": 0.7, "signal_efficiency": 0.05, "signal_events_per_fb": 4, "tool": "zptoys 0.1.0", "width_fraction": 0,
     "signal_per_fb": {"m2_edges_gev2": [0.9, 1.0, 1.1], "theta_cm_edges_deg": [0, 90, 180], "yields": [1, 1, 1, 1], "sumw2": [0, 0, 0, 0]},
     "backgrounds": {
       "mumu": {"m2_edges_gev2": [0.9, 1.0, 1.1], "theta_cm_edges_deg": [0, 90, 180], "yields": [2, 1, 0.5, 0.5], "sumw2": [0.1, 0.1, 0.1, 0.1]},
       "eemumu": {"m2_edges_gev2": [0.9, 1.0, 1.1], "theta_cm_edges_deg": [0, 90, 180], "yields": [0, 0, 0.2, 0], "sumw2": [0, 0, 0.01, 0]}}}
    """

  static let summary = """
    {"configuration": "test-config", "seed": 7, "hypotheses": 3, "brazil_toys_per_hypothesis": 20, "lee_toys": 6, "coverage_toys": 60,
     "limits_at_selected_masses": [{"mass_gev": 0.5, "observed_fb": 0.9, "expected_asymptotic_median_fb": 1.0, "expected_toys_median_fb": 1.1}],
     "smallest_median_expected_limit_fb": 0.3, "smallest_median_expected_limit_mass_gev": 2.0,
     "paper_excess_2p8_sigma": null, "pseudo_data_largest_excess": null, "pseudo_data_largest_excess_mass_gev": 2.0,
     "coverage": [], "seconds": {"templates": 1.0, "brazil": 2.0, "total": 5.0}, "tool": "zptoys 0.1.0"}
    """

  /// Events of three processes with a θ column, deterministic.
  static var events: String {
    var s = "m2_recoil_gev2,theta_cm_recoil_deg,theta_lab_recoil_deg,true_m2_gev2,true_theta_cm_deg,process\n"
    for i in 0..<600 {
      let x = Double(i)
      let process = i % 10 == 0 ? "mumu" : (i % 10 == 1 ? "tautau" : "eemumu")
      let m2 = process == "mumu" ? (x.truncatingRemainder(dividingBy: 40)) * 0.5 : 20 + (x * 7).truncatingRemainder(dividingBy: 60)
      let theta = 40 + (x * 13).truncatingRemainder(dividingBy: 100)
      s += "\(m2),\(theta),\(theta),\(m2),\(theta),\(process)\n"
    }
    return s
  }

  static func content(_ json: String, path: String = "test.json") throws -> ResultFile.Content {
    try ResultFile.decode(Data(json.utf8), path: path)
  }

  /// A temporary folder.
  static func tempDir() throws -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("zptoys-plot-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }

  /// Parses XML; returns the error, if any, and the element names seen.
  static func parseXML(_ s: String) -> (error: String?, elements: [String: Int]) {
    final class Delegate: NSObject, XMLParserDelegate {
      var elements: [String: Int] = [:]
      func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements[name, default: 0] += 1
      }
    }
    let p = XMLParser(data: Data(s.utf8))
    let d = Delegate()
    p.delegate = d
    let ok = p.parse()
    return (ok ? nil : (p.parserError.map { "\($0)" } ?? "parse failed"), d.elements)
  }
}
