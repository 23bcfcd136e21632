import Foundation
import Testing

/// pyhf's conventions where a user compares numbers (issue 16 item 1): q0's p-value, the fixed
/// parameters of a fit, tilde statistics with a POI that may go negative, and fits that cannot
/// be evaluated.
@Suite("pyhf conventions and fit errors")
struct ConventionTests {
  /// One bin: signal 10 (POI mu), background 50 with an optional normsys, `observed` events.
  static func counting(observed: Double, poiBounds: String? = nil, extraConfig: String = "", background: String = "[50.0]") -> String {
    let bounds = poiBounds.map { #"{"name": "mu", "bounds": [\#($0)]}"# }
    let params = [bounds, extraConfig.isEmpty ? nil : extraConfig].compactMap { $0 }.joined(separator: ", ")
    return """
      {"version": "1.0.0",
       "channels": [{"name": "sr", "samples": [
         {"name": "signal", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
         {"name": "background", "data": \(background), "modifiers": [
           {"name": "syst", "type": "normsys", "data": {"hi": 1.05, "lo": 0.95}}]}]}],
       "observations": [{"name": "sr", "data": [\(observed)]}],
       "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": [\(params)]}}]}
      """
  }

  static func write(_ text: String) throws -> String {
    let path = try CLI.tempDir() + "/w.json"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static func json(_ r: CLI.Result) throws -> [String: Any] {
    try #require(r.status == 0, "exit \(r.status): \(r.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
  }

  /// Φ(−z), the upper normal tail.
  static func upperTail(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

  @Test("hypotest --test-stat q0 returns p0 = CLs+b and its expected set, as pyhf's hypotest does")
  func q0IsP0() throws {
    // Nuisance fixed: a counting experiment, q0 = 2(n ln(n/b) − (n − b)) (arXiv:1007.1727,
    // Eq. 12 with the Poisson likelihood) and, asymptotically, p0 = Φ(−√q0) (Eq. 53).
    let path = try Self.write(Self.counting(observed: 70, extraConfig: #"{"name": "syst", "fixed": true}"#))
    let out = try Self.json(try CLI.run(["hypotest", path, "--poi-value", "0", "--test-stat", "q0", "--json"]))
    let q0 = 2 * (70 * log(70.0 / 50) - 20)
    let p0 = Self.upperTail(q0.squareRoot())
    let cls = try #require(out["cls"] as? Double), clsb = try #require(out["clsb"] as? Double)
    #expect(abs(clsb - p0) < 1e-7, "CLs+b \(clsb), expected p0 = \(p0)")
    #expect(cls == clsb, "for q0, cls is pyhf's first return value, CLs+b = p0 (got \(cls), CLs+b \(clsb))")
    let expected = try #require(out["expected_cls"] as? [Double]), expectedSB = try #require(out["expected_clsb"] as? [Double])
    #expect(expected == expectedSB, "for q0 the expected set is that of CLs+b")
  }

  @Test("fit --json lists the measurement's fixed parameters in `fixed`, beside --fix")
  func fixedParameters() throws {
    let path = try Self.write(Self.counting(observed: 60, extraConfig: #"{"name": "syst", "fixed": true, "inits": [0.5]}"#))
    let out = try Self.json(try CLI.run(["fit", path, "--json"]))
    let fixed = try #require(out["fixed"] as? [String: Double])
    #expect(fixed == ["syst": 0.5], "got \(fixed)")
    let both = try Self.json(try CLI.run(["fit", path, "--fix", "mu=0", "--json"]))
    #expect(both["fixed"] as? [String: Double] == ["syst": 0.5, "mu": 0])
    let best = try #require(both["bestfit"] as? [String: Double])
    #expect(best["syst"] == 0.5 && best["mu"] == 0)
  }

  @Test("qtilde with a POI bounded below at −5: a warning, and the test proceeds as in pyhf")
  func tildeWithNegativeBound() throws {
    let path = try Self.write(Self.counting(observed: 45, poiBounds: "[-5.0, 10.0]"))
    for stat in ["qtilde", "ttilde"] {
      let r = try CLI.run(["hypotest", path, "--poi-value", "1", "--test-stat", stat, "--json"])
      let out = try Self.json(r)
      #expect(r.stderr.contains("warning:") && r.stderr.contains("lower bound is -5"), "\(stat): \(r.stderr)")
      let cls = try #require(out["cls"] as? Double)
      #expect(cls > 0 && cls <= 1, "\(stat): CLs \(cls)")
    }
    let limit = try CLI.run(["limit", path, "--json"])
    #expect(limit.status == 0 && limit.stderr.contains("warning:"), "limit: \(limit.stderr)")
  }

  @Test("A fit whose likelihood cannot be evaluated is an error naming channel, bin and sample")
  func negativeYield() throws {
    // No signal in the bin: its expected yield is −2 (times the normsys factor) for every µ.
    let text = Self.counting(observed: 3, background: "[-2.0]")
      .replacingOccurrences(of: #""data": [10.0]"#, with: #""data": [0.0]"#)
    let path = try Self.write(text)
    for args in [["fit", path], ["fit", path, "--json"], ["fit", path, "--fix", "mu=1", "--json"],
                 ["hypotest", path, "--poi-value", "1", "--json"]] {
      let r = try CLI.run(args)
      #expect(r.status != 0, "\(args): exit 0 with \(r.stdout)")
      #expect(r.stdout.isEmpty, "\(args): printed \(r.stdout)")
      for part in ["channel \"sr\"", "bin 0", "sample \"background\"", "negative"] {
        #expect(r.stderr.contains(part), "\(args): the message lacks \(part): \(r.stderr)")
      }
    }
  }

  @Test("Observed events where the model expects none: an error naming the bin")
  func eventsWhereNothingIsExpected() throws {
    let text = Self.counting(observed: 4, background: "[0.0]")
      .replacingOccurrences(of: #""data": [10.0]"#, with: #""data": [0.0]"#)
    let r = try CLI.run(["fit", try Self.write(text), "--json"])
    #expect(r.status != 0 && r.stderr.contains("4 observed events but no expected events"), "\(r.stderr)")
  }
}
