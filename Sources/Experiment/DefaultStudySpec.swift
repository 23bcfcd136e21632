/// The `default_study:` section: what `zptoys run` does with this configuration (the library's
/// `DefaultStudy` in `Studies` runs it). `full` is the default scale, `quick` the one of
/// `zptoys run --quick`.
public struct DefaultStudySpec: Sendable, Equatable {
  /// Toy counts and template Monte Carlo sizes of one scale.
  public struct Scale: Sendable, Equatable {
    public var brazilToys: Int
    /// Pseudo-experiments per µ point of each toy Neyman belt (method toys).
    public var beltToys: Int
    public var leeToys: Int
    public var coverageToys: Int
    public var templateBackgroundEvents: Int
    public var templateSignalEvents: Int
    /// Whether the wide-Z′ benchmark (asymptotic, all hypotheses) runs.
    public var wideBenchmark: Bool
  }

  public var cl: Double
  /// cls, clsb or fc (checked by the study that runs it).
  public var rule: String
  /// toys (a toy Neyman belt per hypothesis) or asymptotic (checked by the study that runs it).
  public var method: String
  /// The observed local significance the look-elsewhere study assesses (the paper's 2.8σ).
  public var observedLocalZ: Double
  /// The masses of the summary tables (nearest hypotheses).
  public var summaryMasses: [Double]
  public var coverageMasses: [Double]
  public var coverageSignals: [Double]
  /// Γ/M of the wide-Z′ benchmark.
  public var wideWidthFraction: Double
  public var full: Scale
  public var quick: Scale

  static func read(_ r: YAMLReader) throws -> DefaultStudySpec {
    let spec = DefaultStudySpec(
      cl: try r.double("cl"), rule: try r.string("rule"), method: try r.string("method"), observedLocalZ: try r.double("observed_local_z"),
      summaryMasses: try r.doubles("summary_masses_gev"), coverageMasses: try r.doubles("coverage_masses_gev"),
      coverageSignals: try r.doubles("coverage_signals_fb"), wideWidthFraction: try r.double("wide_width_fraction"),
      full: try readScale(try r.at("full")), quick: try readScale(try r.at("quick")))
    try r.rejectUnknownKeys()
    try spec.check(r)
    return spec
  }

  static func readScale(_ r: YAMLReader) throws -> Scale {
    func count(_ key: String, _ range: ClosedRange<Int>) throws -> Int {
      let x = try r.at(key)
      let v = try x.int()
      guard range.contains(v) else { throw x.error("must be between \(range.lowerBound) and \(range.upperBound), got \(v)") }
      return v
    }
    let s = Scale(
      brazilToys: try count("brazil_toys", 0...1_000_000), beltToys: try count("belt_toys", 10...10_000_000), leeToys: try count("lee_toys", 1...10_000_000),
      coverageToys: try count("coverage_toys", 1...10_000_000),
      templateBackgroundEvents: try count("template_background_events", 1_000...1_000_000_000),
      templateSignalEvents: try count("template_signal_events", 1_000...100_000_000), wideBenchmark: try r.bool("wide_benchmark"))
    try r.rejectUnknownKeys()
    return s
  }

  func check(_ r: YAMLReader) throws {
    func fail(_ key: String, _ reason: String) -> ConfigError { r.error(reason, at: r.path + "." + key) }
    guard cl > 0, cl < 1 else { throw fail("cl", "must be in (0, 1), got \(cl)") }
    guard observedLocalZ >= 0, observedLocalZ < 40 else { throw fail("observed_local_z", "must be in [0, 40), got \(observedLocalZ)") }
    guard wideWidthFraction > 0, wideWidthFraction <= 1 else { throw fail("wide_width_fraction", "must be in (0, 1], got \(wideWidthFraction)") }
    for (key, list) in [("summary_masses_gev", summaryMasses), ("coverage_masses_gev", coverageMasses)] {
      guard !list.isEmpty, list.allSatisfy({ $0 > 0 }) else { throw fail(key, "needs positive masses") }
    }
    guard !coverageSignals.isEmpty, coverageSignals.allSatisfy({ $0 >= 0 }) else {
      throw fail("coverage_signals_fb", "needs cross sections ≥ 0")
    }
  }
}
