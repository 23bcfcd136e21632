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

  @Option(name: .customLong("band-toys"), help: "Background-only pseudo-data sets for the toy expected band, each with its own limit (default: 1,000 with --calculator toys, else 0).")
  var bandToys: Int?

  @Option(name: .customLong("belt-toys"), help: "With --calculator toys: pseudo-experiments per µ point of the Neyman belt.")
  var beltToys: Int = 2000

  @Flag(name: .customLong("print-belt"), help: "With --calculator toys: print the belt (µ, k(µ) and its 68% Monte Carlo interval per point).")
  var printBelt = false

  @Option(help: "Measurement to use (default: the first).")
  var measurement: String?

  func validate() throws {
    guard (workspace == nil) != (mass == nil) else { throw ValidationError("give a workspace file or --mass M, not both") }
    if let m = mass, !(m.isFinite && m > 0) { throw ValidationError("--mass must be a positive number of GeV") }
    if let n = bandToys, !(0...10_000_000).contains(n) { throw ValidationError("--band-toys must be between 0 and 10,000,000") }
    guard (10...10_000_000).contains(beltToys) else { throw ValidationError("--belt-toys must be between 10 and 10,000,000") }
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
    /// The method's expected band (the belt's band with --calculator toys).
    let expected: ExpectedBand?
    let expected_asymptotic: ExpectedBand
    let expected_toys: ExpectedBand?
    let band_toys: Int?
    let failed_band_toys: Int?
    let hypotests: Int
    /// The search window's integrated luminosity (null for a workspace file).
    let lumi_fb: Double?
    let belt: BeltOutput?
    let seconds: Double
  }

  /// The toy Neyman belt behind the limits.
  struct BeltOutput: Encodable {
    let mu_points: Int
    let toys_per_point: Int
    let mu_max: Double
    let refined_points: Int
    let extensions: Int
    let max_critical_value_error: Double
    let failed_toys: Int
    /// The observed upper end with k(µ) shifted by ∓1 Monte Carlo σ.
    let observed_upper_range: [Double]?
    let observed_multiple_crossings: Bool?
    /// The largest rejection between the observed interval's stretches, in MC σ of k.
    let observed_gap_significance: Double?
    let multiple_crossing_toys: [Int]
    /// Of those, the toys rejected between their stretches by more than 2 MC σ of k.
    let significant_gap_toys: [Int]
  }

  /// The model of a workspace, or of the window of --mass with its data; the mass index (the
  /// toys' stream index) and the window's luminosity.
  func windowModel() throws -> (Model, Int, Double?) {
    if let path = workspace { return (try loadModel(path, measurement: measurement), 0, nil) }
    let config = try common.loadConfiguration()
    let analysis = try mc.analysis(config, threads: common.threadCount, lumi: lumi)
    let h = try MassInput.hypothesis(nearest: mass!, in: analysis.grid)
    let window = try analysis.window(h.index)
    let source = WindowData.parse(data)
    let model = try Model(workspace: window.workspace(observations: try source.observations(for: window, analysis: analysis, seed: common.seed)))
    return (model, h.index, analysis.luminosity)
  }

  func run() throws {
    let (model, massIndex, lumiFb) = try windowModel()
    let t0 = Date()
    let byMass = mass != nil
    let rule = limits.limitRule(default: byMass ? .fc : .cls)
    let calculator = inference.calculator(default: byMass ? "toys" : "asymptotic")
    let stat = inference.statistic(default: rule.defaultTestStatistic)
    let bandToys = self.bandToys ?? (calculator == "toys" ? 1000 : 0)
    let asymptotic: LimitResult
    var belt: BeltLimits? = nil
    var band: ToyLimitBand? = nil
    do {
      let asym = try AsymptoticCalculator(model: model, data: model.observedData, testStatistic: stat)
      if let poi = model.poiIndex, let warning = tildeBoundWarning(model: model, poiIndex: poi, stat) {
        FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
      }
      asymptotic = try LimitSetter(calculator: asym, rule: rule, cl: limits.cl).compute()
      if calculator == "toys" {
        let b = BeltSettings(cl: limits.cl, toysPerPoint: beltToys, seed: common.seed, study: .belt, streamIndex: massIndex,
                             threads: common.threadCount, nuisances: inference.nuisances)
        belt = try BeltLimits.compute(model: model, data: model.observedData,
                                      settings: BeltLimitSettings(belt: b, rule: rule, bandToys: bandToys, bandStudy: .brazil))
      } else if bandToys > 0 {
        band = try ToyLimitBand.compute(model: model, data: model.observedData, rule: rule, cl: limits.cl,
                                        settings: ToySettings(toys: bandToys, seed: common.seed, study: .brazil, massIndex: massIndex, threads: common.threadCount))
      }
    } catch let e as InferenceError {
      throw CLIError(e.description)
    }
    let out = output(model: model, rule: rule, stat: stat, calculator: calculator, asymptotic: asymptotic, belt: belt, band: band,
                     bandToys: bandToys, lumiFb: lumiFb, seconds: Date().timeIntervalSince(t0))
    if printBelt, let b = belt?.neymanBelt {
      print("         µ         k(µ)   68% MC interval of k   toys")
      for p in b.points {
        print(String(format: "  %10.5g  %9.4f   [%8.4f, %8.4f]   %d", p.mu, p.critical, p.criticalRange.lowerBound, p.criticalRange.upperBound, p.t.count))
      }
    }
    if common.json {
      print(try JSONOutput.string(out))
    } else {
      printText(out, observedError: belt?.observed.flatMap { r in if case .failure(let e) = r { e.description } else { nil } })
    }
  }

  func output(model: Model, rule: LimitRule, stat: TestStatistic, calculator: String, asymptotic: LimitResult, belt: BeltLimits?,
              band: ToyLimitBand?, bandToys: Int, lumiFb: Double?, seconds: Double) -> Output {
    let observed = belt.map { (try? $0.observed?.get()) ?? nil }
    let beltOut = belt.map { b in
      BeltOutput(mu_points: b.belt.muPoints, toys_per_point: b.belt.toysPerPoint, mu_max: b.belt.top, refined_points: b.belt.refinedPoints,
                 extensions: b.belt.extensions, max_critical_value_error: b.belt.maxCriticalError, failed_toys: b.belt.failedToys.count,
                 observed_upper_range: observed?.map { [$0.upperRange.lowerBound, $0.upperRange.upperBound] },
                 observed_multiple_crossings: observed?.map(\.multipleCrossings),
                 observed_gap_significance: observed?.map(\.gapSignificance).flatMap(finiteOrNil),
                 multiple_crossing_toys: b.multipleCrossingToys, significant_gap_toys: b.significantGapToys)
    }
    let toyBand = belt.map(\.band) ?? band?.band
    let obsUpper = belt == nil ? finiteOrNil(asymptotic.observed) : observed??.upper
    let obsLower = belt == nil ? asymptotic.observedLower.flatMap(finiteOrNil) : (rule == .fc ? observed??.lower : nil)
    return Output(
      poi: model.poiName ?? "", rule: rule.rawValue, cl: limits.cl, test_stat: stat.rawValue, calculator: calculator, observed: obsUpper,
      observed_lower: obsLower, expected: belt == nil ? asymptotic.expectedBand : toyBand ?? nil, expected_asymptotic: asymptotic.expectedBand,
      expected_toys: toyBand ?? nil, band_toys: bandToys > 0 ? bandToys : nil,
      failed_band_toys: belt.map(\.bandFailed.count) ?? band?.failed.count, hypotests: asymptotic.hypotests, lumi_fb: lumiFb, belt: beltOut,
      seconds: seconds)
  }

  func printText(_ o: Output, observedError: String?) {
    let cl = LimitSettings.percent(o.cl)
    let rule = LimitRule(rawValue: o.rule)!
    let what = rule == .fc ? "\(cl)% CL interval (t̃µ Neyman construction)" : "\(cl)% CL upper limit (\(IntervalRule(rule).text))"
    let method = o.belt.map { "toy Neyman belt: \($0.mu_points) µ points × \($0.toys_per_point) toys" } ?? "asymptotic formulae"
    let at = o.lumi_fb.map { " at \(fmt($0)) fb⁻¹" } ?? ""
    print("\(what) on \(o.poi.isEmpty ? "the POI" : o.poi)\(at), \(method), \(String(format: "%.3f", o.seconds)) s")
    if let e = observedError { print("  observed: none (\(e))") }
    if let hi = o.observed {
      let range = o.belt?.observed_upper_range.map { " (upper end ±1 MC σ: [\(fmt($0[0])), \(fmt($0[1]))])" } ?? ""
      print("  observed: " + (o.observed_lower.map { "[\(fmt($0)), \(fmt(hi))]" } ?? fmt(hi)) + range)
      if o.belt?.observed_multiple_crossings == true {
        let g = o.belt?.observed_gap_significance.map { String(format: "%.1f", $0) } ?? "∞"
        print("  note: t̃µ(data) crosses the belt more than twice (rejected between by up to \(g) MC σ of k); the interval is the hull")
      }
    }
    func line(_ label: String, _ e: ExpectedBand) {
      print("  \(label): median \(fmt(e.median)), ±1σ [\(fmt(e.minus1)), \(fmt(e.plus1))], ±2σ [\(fmt(e.minus2)), \(fmt(e.plus2))]")
    }
    line("expected (asymptotic)", o.expected_asymptotic)
    if let t = o.expected_toys {
      line("expected (\(o.band_toys ?? 0) b-only toys)", t)
      if let f = o.failed_band_toys, f > 0 { print("    \(f) toys without a limit") }
    }
    if let b = o.belt, !b.multiple_crossing_toys.isEmpty {
      print("  \(b.multiple_crossing_toys.count) band toys cross the belt more than twice (their hull is used; \(b.significant_gap_toys.count) rejected between by > 2 MC σ of k): toys \(b.multiple_crossing_toys.prefix(10).map(String.init).joined(separator: ", "))\(b.multiple_crossing_toys.count > 10 ? ", …" : "")")
    }
  }
}
