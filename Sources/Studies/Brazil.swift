import Experiment
import Foundation
import GSL
import Generator
import Inference
import Likelihood
import _Support

/// Expected-limit ("Brazil") bands over the mass hypotheses (DESIGN.md, studies): per hypothesis
/// the asymptotic expected band, the band from N background-only pseudo-experiments with a limit
/// each (the paper's "median limits from background-only simulated samples"), and the observed
/// limit when data are given.
public struct BrazilStudy: Sendable {
  public struct Settings: Sendable {
    public var masses: MassSelection = MassSelection("all")
    public var toys: Int = 1000
    public var rule: LimitRule = .cls
    public var cl: Double = 0.9
    /// The calculator for the observed limit: asymptotic or toys (per-toy limits in the band are
    /// always asymptotic: toys within toys would cost N² fits).
    public var calculator: String = "asymptotic"
    public var hypotestToys: Int = 1000
    public var widthFraction: Double = 0
    public var keepToyLimits: Bool = false
    public init() {}

    var dictionary: [String: String] {
      ["masses": masses.spec, "toys": "\(toys)", "rule": rule.rawValue, "cl": "\(cl)", "calculator": calculator,
       "hypotest_toys": calculator == "toys" ? "\(hypotestToys)" : "-", "width_fraction": "\(widthFraction)",
       "keep_toy_limits": "\(keepToyLimits)"]
    }
  }

  public struct Point: Codable, Sendable, Equatable {
    public var index: Int
    public var mass: Double
    public var m2: Double
    public var observed: Double?
    public var observedLower: Double?
    public var expectedAsymptotic: ExpectedBand
    public var expectedToys: ExpectedBand?
    public var toys: Int
    public var failedToys: [FailedToy]
    public var toyLimits: [Double]?
    public var signalPerFb: Double
    public var background: Double

    enum CodingKeys: String, CodingKey {
      case index, mass = "mass_gev", m2 = "m2_gev2", observed, observedLower = "observed_lower"
      case expectedAsymptotic = "expected_asymptotic", expectedToys = "expected_toys", toys, failedToys = "failed_toys"
      case toyLimits = "toy_limits", signalPerFb = "signal_events_per_fb", background = "background_events"
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(index, forKey: .index)
      try c.encode(mass, forKey: .mass)
      try c.encode(m2, forKey: .m2)
      try c.encode(observed, forKey: .observed)  // null when no data were given
      try c.encodeIfPresent(observedLower, forKey: .observedLower)
      try c.encode(expectedAsymptotic, forKey: .expectedAsymptotic)
      try c.encode(expectedToys, forKey: .expectedToys)
      try c.encode(toys, forKey: .toys)
      try c.encode(failedToys, forKey: .failedToys)
      try c.encodeIfPresent(toyLimits.map { $0.map { $0.isFinite ? $0 : -1 } }, forKey: .toyLimits)
      try c.encode(signalPerFb, forKey: .signalPerFb)
      try c.encode(background, forKey: .background)
    }
  }

  public let analysis: Analysis
  public let settings: Settings
  public let data: SpectrumData?
  public let indices: [Int]

  public init(analysis: Analysis, settings: Settings, data: SpectrumData?) throws {
    self.analysis = analysis
    self.settings = settings
    self.data = data
    indices = try settings.masses.indices(in: analysis.grid)
  }

  /// One hypothesis (task `t` is the t-th selected hypothesis).
  public func run(task t: Int, seed: UInt64, threads: Int) throws -> Point {
    let index = indices[t]
    let window = try analysis.window(index, widthFraction: settings.widthFraction)
    let asimovObs = window.totalBackground
    let obs = data?.observations(window, binning: analysis.detector.binning)
    let model = try Model(workspace: window.workspace(observations: obs ?? asimovObs))
    let stat: TestStatistic = settings.rule == .fc ? .ttilde : .qtilde
    // Asymptotic band (and the observed limit when asymptotic).
    let asym = try AsymptoticCalculator(model: model, data: model.observedData, testStatistic: stat)
    let asymResult = try LimitSetter(calculator: asym, rule: settings.rule, cl: settings.cl).compute()
    var observed: Double? = nil
    var observedLower: Double? = nil
    if obs != nil {
      if settings.calculator == "toys" {
        let calc = try ToyCalculator(model: model, data: model.observedData, testStatistic: stat, settings: ToySettings(
          toys: settings.hypotestToys, seed: seed, study: .hypotestToys, massIndex: index, threads: threads))
        let r = try LimitSetter(calculator: calc, rule: settings.rule, cl: settings.cl).compute(expected: false)
        observed = r.observed
        observedLower = r.observedLower
      } else {
        observed = asymResult.observed
        observedLower = asymResult.observedLower
      }
    }
    var band: ToyLimitBand? = nil
    if settings.toys > 0 {
      band = try ToyLimitBand.compute(model: model, data: model.observedData, rule: settings.rule, cl: settings.cl,
                                      settings: ToySettings(toys: settings.toys, seed: seed, study: .brazil, massIndex: index, threads: threads))
    }
    let h = window.window.hypothesis
    return Point(index: index, mass: h.mass, m2: h.m2, observed: observed.flatMap { $0.isFinite ? $0 : nil },
                 observedLower: observedLower, expectedAsymptotic: asymResult.expectedBand,
                 expectedToys: band?.band, toys: settings.toys, failedToys: band?.failed ?? [],
                 toyLimits: settings.keepToyLimits ? band?.limits : nil,
                 signalPerFb: window.signalPerFb.reduce(0, +), background: window.totalBackground.reduce(0, +))
  }

  public func identity(config: ExperimentConfig, seed: UInt64, dataLabel: String?) -> StudyIdentity {
    var s = settings.dictionary
    s["data"] = dataLabel ?? "none"
    s["mc_seed"] = "\(analysis.settings.seed)"
    s["mc_signal_events"] = "\(analysis.settings.signalEvents)"
    s["mc_background_events"] = "\(analysis.settings.backgroundEvents)"
    return StudyIdentity(study: "brazil", configuration: config.name, configurationSHA256: SHA256.hex(config.sourceText),
                         seed: seed, settings: s, totalTasks: indices.count)
  }
}

/// The `zptoys brazil` result file: the header (identity, shard, tasks, run) and `masses`, one
/// point per hypothesis, in task (= mass) order.
public struct BrazilOutput: StudyOutput {
  public static let studyName = "brazil"
  public var header: StudyHeader
  public var masses: [BrazilStudy.Point]
  public var taskResults: [BrazilStudy.Point] { masses }

  public static func assemble(header: StudyHeader, results: [BrazilStudy.Point]) throws -> BrazilOutput {
    BrazilOutput(header: header, masses: results)
  }

  enum CodingKeys: String, CodingKey { case header, masses }

  public init(header: StudyHeader, masses: [BrazilStudy.Point]) {
    self.header = header
    self.masses = masses
  }

  // The header's fields sit at the top level of the file, beside `masses`.
  public init(from decoder: any Decoder) throws {
    header = try StudyHeader(from: decoder)
    masses = try decoder.container(keyedBy: CodingKeys.self).decode([BrazilStudy.Point].self, forKey: .masses)
  }

  public func encode(to encoder: any Encoder) throws {
    try header.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(masses, forKey: .masses)
  }
}

/// Runs a study's shard with checkpoints and assembles its file.
public enum StudyDriver {
  public static func run<S: StudyOutput, State>(
    _ type: S.Type, identity: StudyIdentity, shard: Shard, output: String?, threads: Int, resume: Bool, restart: Bool = false,
    progress: ProgressReporter?, makeState: @Sendable () throws -> State, task: @Sendable (Int, inout State) throws -> S.TaskResult
  ) throws -> S {
    let started = Date()
    // Resuming a run that already finished: its result file is the answer.
    if resume, let path = output, let data = FileManager.default.contents(atPath: path),
       let done = try? JSONDecoder().decode(S.self, from: data), done.header.identity == identity,
       done.header.shard == (shard.count > 1 ? shard : nil) {
      return done
    }
    let runner = StudyRunner<S.TaskResult>(identity: identity, shard: shard, output: output, threads: threads, label: S.studyName)
    let results = try runner.run(resume: resume, restart: restart, progress: progress, makeState: makeState, task)
    let tasks = runner.ownTasks
    let header = StudyHeader(study: S.studyName, identity: identity, shard: shard.count > 1 ? shard : nil, tasks: tasks,
                             run: StudyFiles.runInfo(started: started, threads: threads, resumed: runner.resumed), mergedFrom: [])
    let out = try S.assemble(header: header, results: tasks.map { results[$0]! })
    if let path = output {
      try StudyFiles.write(out, to: path)
      runner.removeCheckpoint()
    }
    return out
  }
}
