import ArgumentParser
import Experiment
import Foundation
import Inference
import Likelihood
import Results
import Studies
import _Support

struct LimitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "limit",
    abstract: "Upper limit (or Feldman–Cousins-style interval) on the POI, observed and expected.",
    discussion: """
      Give a pyhf workspace, or --mass M to build the search window of that hypothesis \
      (observations from --data: asimov, toy or an event CSV). The limit is the POI value where \
      CLs (--rule cls) or CLs+b (--rule clsb) falls to 1 − CL, found by bracketing and Brent's \
      method; --rule fc gives both ends of the Neyman construction ordered by t̃µ. The expected \
      band (−2σ … +2σ) comes from the asymptotic formulae (or the toy calculator's expected CLs); \
      --band-toys N adds the band from N background-only pseudo-data sets, each with its own \
      limit (the paper's method).
      Examples:  zptoys limit w.json --cl 0.9
                 zptoys limit --mass 2.352 --data toy --rule fc --band-toys 500
      """
  )

  @OptionGroup var common: CommonOptions
  @OptionGroup var inference: InferenceOptions
  @OptionGroup var limits: LimitOptions
  @OptionGroup var mc: TemplateOptions
  @OptionGroup var lumi: LumiOptions

  @Argument(help: ArgumentHelp("A pyhf workspace (JSON); or use --mass.", valueName: "workspace"))
  var workspace: String?

  @Option(help: "Z′ mass in GeV: build the search window of the nearest hypothesis instead of reading a workspace.")
  var mass: Double?

  @Option(help: "With --mass: observations (asimov, toy or an event CSV).")
  var data: String = "asimov"

  @Option(name: .customLong("band-toys"), help: "Background-only pseudo-data sets for the toy expected band (0: none).")
  var bandToys: Int = 0

  @Option(help: "Measurement to use (default: the first).")
  var measurement: String?

  func validate() throws {
    guard (workspace == nil) != (mass == nil) else { throw ValidationError("give a workspace file or --mass M, not both") }
    if let m = mass, !(m.isFinite && m > 0) { throw ValidationError("--mass must be a positive number of GeV") }
    guard (0...10_000_000).contains(bandToys) else { throw ValidationError("--band-toys must be between 0 and 10,000,000") }
    if lumi.lumi != nil && workspace != nil { throw ValidationError("--lumi scales the search window of --mass; a workspace file is taken as it is") }
  }

  struct Output: Encodable {
    let poi: String
    let rule: String
    let cl: Double
    let test_stat: String
    let calculator: String
    let observed: Double?
    let observed_lower: Double?
    let expected: ExpectedBand
    let expected_toys: ExpectedBand?
    let band_toys: Int?
    let failed_band_toys: Int?
    let hypotests: Int
    /// The search window's integrated luminosity (null for a workspace file).
    let lumi_fb: Double?
    let seconds: Double
  }

  func run() throws {
    let model: Model
    var massIndex = 0
    var lumiFb: Double? = nil
    if let path = workspace {
      model = try loadModel(path, measurement: measurement)
    } else {
      let config = try common.loadConfiguration()
      let analysis = try mc.analysis(config, threads: common.threadCount, lumi: lumi)
      let h = try MassInput.hypothesis(nearest: mass!, in: analysis.grid)
      massIndex = h.index
      lumiFb = analysis.luminosity
      let window = try analysis.window(h.index)
      let source = WindowData.parse(data)
      model = try Model(workspace: window.workspace(observations: try source.observations(for: window, analysis: analysis, seed: common.seed)))
    }
    let t0 = Date()
    let rule = limits.limitRule
    let stat = inference.statistic(default: rule.defaultTestStatistic)
    let result: LimitResult
    var band: ToyLimitBand? = nil
    do {
      let calc = try inference.makeCalculator(model: model, data: model.observedData, statistic: stat, seed: common.seed,
                                              threads: common.threadCount, massIndex: massIndex)
      result = try LimitSetter(calculator: calc, rule: rule, cl: limits.cl).compute()
      if bandToys > 0 {
        band = try ToyLimitBand.compute(model: model, data: model.observedData, rule: rule, cl: limits.cl,
                                        settings: ToySettings(toys: bandToys, seed: common.seed, study: .brazil, massIndex: massIndex, threads: common.threadCount))
      }
    } catch let e as InferenceError {
      throw CLIError(e.description)
    }
    let seconds = Date().timeIntervalSince(t0)
    if common.json {
      print(try JSONOutput.string(Output(
        poi: model.poiName ?? "", rule: rule.rawValue, cl: limits.cl, test_stat: stat.rawValue, calculator: inference.calculator,
        observed: finiteOrNil(result.observed), observed_lower: result.observedLower.flatMap(finiteOrNil),
        expected: result.expectedBand, expected_toys: band?.band, band_toys: band.map { _ in bandToys },
        failed_band_toys: band?.failed.count, hypotests: result.hypotests, lumi_fb: lumiFb, seconds: seconds)))
    } else {
      let cl = LimitSettings.percent(limits.cl)
      let what = rule == .fc ? "\(cl)% CL interval (t̃µ Neyman construction)" : "\(cl)% CL upper limit (\(IntervalRule(rule).text))"
      let at = lumiFb.map { " at \(fmt($0)) fb⁻¹" } ?? ""
      print("\(what) on \(model.poiName ?? "the POI")\(at), \(inference.calculator) calculator, \(result.hypotests) hypothesis tests, \(String(format: "%.3f", seconds)) s")
      if let lo = result.observedLower {
        print("  observed: [\(fmt(lo)), \(fmt(result.observed))]")
      } else {
        print("  observed: \(fmt(result.observed))")
      }
      let e = result.expectedBand
      print("  expected: median \(fmt(e.median)), ±1σ [\(fmt(e.minus1)), \(fmt(e.plus1))], ±2σ [\(fmt(e.minus2)), \(fmt(e.plus2))]")
      if let b = band {
        let t = b.band
        print("  expected from \(bandToys) b-only toys: median \(fmt(t.median)), ±1σ [\(fmt(t.minus1)), \(fmt(t.plus1))], ±2σ [\(fmt(t.minus2)), \(fmt(t.plus2))]\(b.failed.isEmpty ? "" : " (\(b.failed.count) failed toys)")")
      }
    }
  }
}
