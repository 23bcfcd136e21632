import ArgumentParser
import Foundation
import Inference
import Likelihood
import _Support

struct HypotestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hypotest",
    abstract: "Test one value of the parameter of interest (pyhf's hypotest).",
    discussion: """
      Prints CLs, CLs+b, CLb and the expected CLs set (−2σ … +2σ, pyhf's order) for the \
      observations in the workspace. The asymptotic calculator follows arXiv:1007.1727 as pyhf \
      does; --calculator toys generates --toys pseudo-experiments under s+b and under b-only \
      (in parallel; identical results for any --threads).
      Example:  zptoys hypotest w.json --poi-value 1.5 --json
      """
  )

  @OptionGroup var common: CommonOptions
  @OptionGroup var inference: InferenceOptions

  @Argument(help: ArgumentHelp("The pyhf workspace (JSON).", valueName: "workspace"))
  var workspace: String

  @Option(name: .customLong("poi-value"), help: "The POI value to test.")
  var poiValue: Double

  @Option(help: "Measurement to use (default: the first).")
  var measurement: String?

  func validate() throws {
    guard poiValue.isFinite else { throw ValidationError("--poi-value must be a finite number") }
  }

  func run() throws {
    let model = try FitChecks.loadEvaluable(workspace, measurement: measurement)
    let stat = inference.statistic(default: .qtilde)
    let calc = try inference.makeCalculator(model: model, data: model.observedData, statistic: stat, seed: common.seed, threads: common.threadCount)
    let t0 = Date()
    let r: HypoTestResult
    do { r = try calc.hypotest(poi: poiValue) } catch let e as InferenceError { throw CLIError(e.description) }
    if common.json {
      print(try JSONOutput.string(r))
    } else {
      print("POI \(model.poiName ?? "?") = \(fmt(poiValue)), test statistic \(stat.rawValue), \(inference.calculator(default: "asymptotic")) calculator (\(String(format: "%.3f", Date().timeIntervalSince(t0))) s)")
      print("  CLs = \(fmt(r.cls, 6))   CLs+b = \(fmt(r.clsb, 6))   CLb = \(fmt(r.clb, 6))")
      print("  expected CLs (−2σ … +2σ): " + r.expectedCLs.map { fmt($0, 5) }.joined(separator: "  "))
      if let t = r.toys {
        print("  toys: \(t.signalPlusBackground) s+b, \(t.backgroundOnly) b-only, \(t.failedFits) failed fits")
      }
    }
  }
}
