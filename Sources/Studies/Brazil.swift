import Experiment
import Foundation
import GSL
import Generator
import Inference
import Likelihood
import Results
import _Support

/// Expected-limit ("Brazil") bands over a set of hypotheses (the search windows of the mass grid,
/// or the patches of a published likelihood): per hypothesis the asymptotic expected band, the
/// band from N background-only pseudo-experiments with a limit each (the paper's "median limits
/// from background-only simulated samples"), and the observed limit when there are data (given,
/// or the published likelihood's own).
public struct BrazilStudy: Sendable {
  public let hypotheses: any HypothesisSet
  public let settings: BrazilSettings
  public let data: SpectrumData?
  let rule: LimitRule

  public init(hypotheses: any HypothesisSet, settings: BrazilSettings, data: SpectrumData?) {
    self.hypotheses = hypotheses
    self.settings = settings
    self.data = data
    rule = LimitRule(settings.limit.rule)
  }

  /// The search windows of `analysis` that `settings.masses` selects.
  public init(analysis: Analysis, settings: BrazilSettings, data: SpectrumData?) throws {
    self.init(hypotheses: try WindowHypotheses(analysis: analysis, masses: settings.masses, widthFraction: settings.widthFraction),
              settings: settings, data: data)
  }

  /// The settings of a study with the given limit procedure (the test statistic is the rule's
  /// default).
  public static func settings(masses: String = "all", toys: Int = 1000, cl: Double = 0.9, rule: LimitRule = .cls,
                              method: LimitMethod = .asymptotic, hypotestToys: Int = 1000, widthFraction: Double = 0,
                              keepToyLimits: Bool = false) -> BrazilSettings {
    BrazilSettings(masses: masses, toys: toys, limit: LimitSettings(cl: cl, rule: rule, method: method), hypotestToys: method == .toys ? hypotestToys : nil,
                   widthFraction: widthFraction, keepToyLimits: keepToyLimits)
  }

  /// The observed limit (and lower end) on `model`'s data, by the settings' method.
  func observedLimit(model: Model, asymptotic: LimitResult, index: Int, seed: UInt64, threads: Int) throws -> (Double?, Double?) {
    switch settings.limit.method {
    case .asymptotic:
      return (asymptotic.observed, asymptotic.observedLower)
    case .toys:
      let calc = try ToyCalculator(model: model, data: model.observedData, testStatistic: rule.defaultTestStatistic, settings: ToySettings(
        toys: settings.hypotestToys ?? 1000, seed: seed, study: .hypotestToys, massIndex: index, threads: threads))
      let r = try LimitSetter(calculator: calc, rule: rule, cl: settings.limit.cl).compute(expected: false)
      return (r.observed, r.observedLower)
    }
  }

  /// One hypothesis (task `t` is the t-th hypothesis of the set).
  public func run(task t: Int, seed: UInt64, threads: Int) throws -> BrazilPoint {
    let h = try hypotheses.model(t, data: data)
    let model = h.model
    let stream = hypotheses.streamIndex(t)
    // Asymptotic band (and the observed limit when asymptotic).
    let asym = try AsymptoticCalculator(model: model, data: model.observedData, testStatistic: rule.defaultTestStatistic)
    let asymResult = try LimitSetter(calculator: asym, rule: rule, cl: settings.limit.cl).compute()
    let (observed, observedLower) = h.hasObservations
      ? try observedLimit(model: model, asymptotic: asymResult, index: stream, seed: seed, threads: threads) : (nil, nil)
    var band: ToyLimitBand? = nil
    if settings.toys > 0 {
      band = try ToyLimitBand.compute(model: model, data: model.observedData, rule: rule, cl: settings.limit.cl,
                                      settings: ToySettings(toys: settings.toys, seed: seed, study: .brazil, massIndex: stream, threads: threads))
    }
    return BrazilPoint(index: h.label.index, mass: h.label.mass, m2: h.label.m2, observed: observed.flatMap { $0.isFinite ? $0 : nil },
                       observedLower: observedLower, expectedAsymptotic: Band(asymResult.expected),
                       expectedToys: band.map { Band($0.band.values) }, toys: settings.toys, failedToys: (band?.failed ?? []).map(FailedToyRecord.init),
                       toyLimits: settings.keepToyLimits ? band?.limits.map { $0.isFinite ? $0 : -1 } : nil,
                       signalPerFb: h.signalPerPOI, background: h.background, patch: h.label.patch)
  }

  public func identity(seed: UInt64, data: String) -> StudyIdentity {
    hypotheses.identity(settings, seed: seed, data: data, tasks: hypotheses.count)
  }

  /// The tasks of the study (one per hypothesis).
  public var taskCount: Int { hypotheses.count }
}

extension BrazilFile: StudyOutput {
  public static func assemble(header: StudyHeader, results: [BrazilPoint]) throws -> BrazilFile {
    BrazilFile(header: header, masses: results)
  }
}

extension StreamKey.Study {
  /// Background-only pseudo-experiments of the Brazil bands (one stream per hypothesis and toy).
  public static let brazil: StreamKey.Study = 5
}
