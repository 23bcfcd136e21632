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
/// or the published likelihood's own). With method toys (the default) the observed limit and
/// every band toy's limit come from the hypothesis' toy Neyman belt (``Inference/BeltLimits``);
/// the asymptotic band and observed limit are recorded beside them.
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
  /// default): with method toys, `beltToys` per µ point of each hypothesis' belt, generated as
  /// `nuisances` says.
  public static func settings(masses: String = "all", toys: Int = 1000, cl: Double = 0.9, rule: LimitRule = .fc,
                              method: LimitMethod = .toys, beltToys: Int = 2000, nuisances: ToySettings.Nuisances = .profiled,
                              widthFraction: Double = 0, keepToyLimits: Bool = false) -> BrazilSettings {
    let toyMethod = method == .toys
    return BrazilSettings(masses: masses, toys: toys, limit: LimitSettings(cl: cl, rule: rule, method: method),
                          beltToys: toyMethod ? beltToys : nil, toyNuisances: toyMethod ? nuisances.rawValue : nil,
                          widthFraction: widthFraction, keepToyLimits: keepToyLimits)
  }

  /// The belt settings of hypothesis stream `stream` (method toys).
  func beltSettings(stream: Int, seed: UInt64, threads: Int) -> BeltLimitSettings {
    let belt = BeltSettings(cl: settings.limit.cl, toysPerPoint: settings.beltToys ?? 2000, seed: seed, study: .belt, streamIndex: stream,
                            threads: threads, nuisances: settings.toyNuisances.flatMap(ToySettings.Nuisances.init(rawValue:)) ?? .profiled)
    return BeltLimitSettings(belt: belt, rule: rule, bandToys: settings.toys, bandStudy: .brazil)
  }

  /// One hypothesis (task `t` is the t-th hypothesis of the set): the asymptotic band and
  /// observed limit, then by the settings' method the band of background-only toys with a limit
  /// each (and with toys the observed limit), from one toy Neyman belt or the asymptotic formulae.
  public func run(task t: Int, seed: UInt64, threads: Int) throws -> BrazilPoint {
    let h = try hypotheses.model(t, data: data)
    let model = h.model
    let stream = hypotheses.streamIndex(t)
    let asym = try AsymptoticCalculator(model: model, data: model.observedData, testStatistic: rule.defaultTestStatistic)
    let asymResult = try LimitSetter(calculator: asym, rule: rule, cl: settings.limit.cl).compute()
    var point = BrazilPoint(
      index: h.label.index, mass: h.label.mass, m2: h.label.m2, method: settings.limit.method, observed: nil, observedLower: nil,
      observedAsymptotic: h.hasObservations ? finite(asymResult.observed) : nil,
      observedLowerAsymptotic: h.hasObservations ? asymResult.observedLower.flatMap(finite) : nil,
      expectedAsymptotic: Band(asymResult.expected), expectedToys: nil, toys: settings.toys, failedToys: [], toyLimits: nil,
      signalPerFb: h.signalPerPOI, background: h.background, patch: h.label.patch)
    switch settings.limit.method {
    case .asymptotic:
      point.observed = point.observedAsymptotic
      point.observedLower = point.observedLowerAsymptotic
      guard settings.toys > 0 else { return point }
      let band = try ToyLimitBand.compute(model: model, data: model.observedData, rule: rule, cl: settings.limit.cl,
                                          settings: ToySettings(toys: settings.toys, seed: seed, study: .brazil, massIndex: stream, threads: threads))
      point.expectedToys = Band(band.band.values)
      point.failedToys = band.failed.map(FailedToyRecord.init)
      point.toyLimits = settings.keepToyLimits ? band.limits.map { $0.isFinite ? $0 : -1 } : nil
    case .toys:
      var s = beltSettings(stream: stream, seed: seed, threads: threads)
      s.observed = h.hasObservations
      let r = try BeltLimits.compute(model: model, data: model.observedData, settings: s)
      let observed = try r.observed.map { try $0.get() }
      point.observed = observed.map(\.upper)
      point.observedLower = rule == .fc ? observed.map(\.lower) : nil
      point.expectedToys = r.band.map { Band($0.values) }
      point.failedToys = r.bandFailed.map(FailedToyRecord.init)
      point.toyLimits = settings.keepToyLimits ? r.bandUpper.map { $0.isFinite ? $0 : -1 } : nil
      point.belt = BeltRecord(r, observed: observed)
    }
    return point
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
