import Experiment
import Foundation
import GSL
import Generator
import Inference
import Likelihood
import Results
import _Support

/// The scan of one data set over a set of hypotheses (the paper's "squared-mass scan" over the
/// search windows: one full-spectrum data set — a user's events or a background-only
/// pseudo-data set drawn with a seed — binned into every window; or a published likelihood's
/// data over its patches): per hypothesis the best-fit signal, the local p0 and significance
/// (asymptotic q0, arXiv:1007.1727 Eq. 12 and 52–53: Z = √q0, p0 = 1 − Φ(Z)), and the observed
/// limit (by default the Feldman–Cousins interval from the hypothesis' toy Neyman belt).
public struct MassScan: Sendable {
  public let hypotheses: any HypothesisSet
  /// The data set (nil: the hypotheses' own, a published likelihood's).
  public let data: SpectrumData?
  public let settings: ScanSettings
  let rule: LimitRule

  public init(hypotheses: any HypothesisSet, data: SpectrumData?, settings: ScanSettings) throws {
    guard data != nil || hypotheses.hasOwnData else { throw StudyError("a scan needs data: an event file, or toy for a pseudo-data set") }
    self.hypotheses = hypotheses
    self.data = data
    self.settings = settings
    rule = LimitRule(settings.limit.rule)
  }

  /// The search windows of `analysis` that `settings.masses` selects.
  public init(analysis: Analysis, data: SpectrumData, settings: ScanSettings) throws {
    try self.init(hypotheses: try WindowHypotheses(analysis: analysis, masses: settings.masses), data: data, settings: settings)
  }

  /// Settings with the observed limit by `rule` at `cl` and `method` (toys: from a belt of
  /// `beltToys` per µ point).
  public static func settings(masses: String = "all", rule: LimitRule = .fc, cl: Double = 0.9, method: LimitMethod = .toys,
                              beltToys: Int = 2000, nuisances: ToySettings.Nuisances = .profiled) -> ScanSettings {
    let toys = method == .toys
    return ScanSettings(masses: masses, limit: LimitSettings(cl: cl, rule: rule, method: method), beltToys: toys ? beltToys : nil,
                        toyNuisances: toys ? nuisances.rawValue : nil)
  }

  /// The observed limit from the hypothesis' toy Neyman belt (CLs and CLs+b take CLb from as
  /// many background-only toys as the belt has per point): (upper, lower, belt points, crossings).
  func beltLimit(_ model: Model, stream: Int, seed: UInt64) throws -> (Double, Double?, Int, Bool) {
    let n = settings.beltToys ?? 2000
    let belt = BeltSettings(cl: settings.limit.cl, toysPerPoint: n, seed: seed, study: .belt, streamIndex: stream,
                            nuisances: settings.toyNuisances.flatMap(ToySettings.Nuisances.init(rawValue:)) ?? .profiled)
    let r = try BeltLimits.compute(model: model, data: model.observedData, settings: BeltLimitSettings(
      belt: belt, rule: rule, bandToys: rule == .fc ? 0 : n, bandStudy: .brazil))
    let i = try r.observed!.get()
    return (i.upper, rule == .fc ? i.lower : nil, r.belt.muPoints, i.multipleCrossings)
  }

  public func run(task t: Int, seed: UInt64 = 1) throws -> ScanPoint {
    let h = try hypotheses.model(t, data: data)
    let model = h.model
    let fitter = Fitter(model: model)
    let free = fitter.fit(data: model.observedData)
    let poi = model.poiIndex!
    let profile = try ProfileLikelihood(model: model)
    let v = profile.evaluate(.q0, poi: 0, data: model.observedData, free: free)
    let failed = !v.value.isFinite || !free.parameters[poi].isFinite
    let z = failed ? 0 : v.value.squareRoot()
    var observed: Double? = nil, lower: Double? = nil, points: Int? = nil, crossings: Bool? = nil
    do {
      switch settings.limit.method {
      case .asymptotic:
        let calc = try AsymptoticCalculator(profile: profile, data: model.observedData, testStatistic: rule.defaultTestStatistic)
        let r = try LimitSetter(calculator: calc, rule: rule, cl: settings.limit.cl).compute(expected: false)
        (observed, lower) = (r.observed, r.observedLower)
      case .toys:
        let r = try beltLimit(model, stream: hypotheses.streamIndex(t), seed: seed)
        (observed, lower, points, crossings) = (r.0, r.1, r.2, r.3)
      }
    } catch {
      observed = nil
    }
    let u = free.uncertainties[poi]
    return ScanPoint(index: h.label.index, mass: h.label.mass, sigmaHat: failed ? 0 : free.parameters[poi],
                     sigmaHatUncertainty: u.isFinite ? u : nil, localP0: Normal.survival(z), localZ: z,
                     observed: observed.flatMap(finite), observedLower: lower.flatMap(finite), beltPoints: points, multipleCrossings: crossings,
                     observedCount: h.observedEvents,
                     background: h.background, fitFailed: failed, patch: h.label.patch)
  }

  public func identity(seed: UInt64, data: String) -> StudyIdentity {
    hypotheses.identity(settings, seed: seed, data: data, tasks: hypotheses.count)
  }

  public var taskCount: Int { hypotheses.count }
}

extension ScanFile: StudyOutput {
  public static func assemble(header: StudyHeader, results: [ScanPoint]) throws -> ScanFile {
    ScanFile(header: header, masses: results, largest: results.max { $0.localZ < $1.localZ })
  }
}
