import Foundation
import Testing

/// Numerical safety (issue 9): extreme yields, all-zero data, huge uncertainties and a POI at its
/// bound. Every fit and limit must either succeed — with finite numbers and an honest
/// `converged` flag — or fail with a clear message; never crash, hang, or print NaN/∞.
@Suite("Numerical safety")
struct NumericalSafetyTests {
  /// A one-channel workspace: signal (POI mu) with a per-bin 10% staterror, background with a
  /// free normalisation and a per-bin relative uncertainty.
  static func workspace(signal: [Double], background: [Double], observed: [Double], backgroundUncertainty: Double) -> String {
    func list(_ v: [Double]) -> String { "[" + v.map { "\($0)" }.joined(separator: ", ") + "]" }
    return """
      {"version": "1.0.0",
       "channels": [{"name": "c", "samples": [
         {"name": "signal", "data": \(list(signal)), "modifiers": [
           {"name": "mu", "type": "normfactor", "data": null},
           {"name": "signal_shape", "type": "staterror", "data": \(list(signal.map { 0.1 * $0 }))}]},
         {"name": "background", "data": \(list(background)), "modifiers": [
           {"name": "norm", "type": "normfactor", "data": null},
           {"name": "background_shape", "type": "staterror", "data": \(list(background.map { backgroundUncertainty * $0 }))}]}]}],
       "observations": [{"name": "c", "data": \(list(observed))}],
       "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": []}}]}
      """
  }

  static let cases: [(String, String)] = [
    ("tiny yields", workspace(signal: [1e-9, 2e-9, 1e-9], background: [1e-9, 1e-9, 1e-9], observed: [0, 0, 0], backgroundUncertainty: 0.1)),
    ("huge yields", workspace(signal: [1e6, 2e6, 1e6], background: [1e9, 1e9, 1e9], observed: [1e9, 1e9, 1e9], backgroundUncertainty: 0.1)),
    ("all-zero data", workspace(signal: [1, 2, 1], background: [5, 5, 5], observed: [0, 0, 0], backgroundUncertainty: 0.1)),
    ("huge uncertainties", workspace(signal: [1, 2, 1], background: [5, 5, 5], observed: [4, 9, 6], backgroundUncertainty: 1000)),
    ("POI at its upper bound", workspace(signal: [1e-3, 2e-3, 1e-3], background: [5, 5, 5], observed: [50, 60, 55], backgroundUncertainty: 0.1)),
    ("zero background", workspace(signal: [1, 2, 1], background: [0, 0, 0], observed: [1, 0, 2], backgroundUncertainty: 0.1)),
  ]

  @Test("Fits and limits on extreme workspaces: finite numbers or a clear error", arguments: 0..<NumericalSafetyTests.cases.count)
  func extreme(_ k: Int) throws {
    let (name, text) = Self.cases[k]
    let dir = try CLI.tempDir()
    let path = dir + "/w.json"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    for args in [["fit", path, "--json"], ["fit", path, "--fix", "mu=0", "--json"], ["limit", path, "--json"], ["hypotest", path, "--poi-value", "1", "--json"]] {
      let r = try CLI.run(args)
      #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"), "\(name): \(args[0]) crashed: \(r.stderr)")
      let lower = r.stdout.lowercased()
      #expect(!lower.contains("nan") && !lower.contains("inf"), "\(name): \(args[0]) printed a non-finite number")
      if r.status == 0 {
        #expect((try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) != nil, "\(name): \(args[0]) printed invalid JSON")
      } else {
        #expect(r.stderr.hasPrefix("Error:"), "\(name): \(args[0]) failed without a message: \(r.stderr)")
      }
    }
  }
}
