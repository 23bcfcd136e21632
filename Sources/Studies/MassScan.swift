import Experiment
import Foundation
import GSL
import Generator
import Inference
import Likelihood
import Results
import _Support

/// The mass scan of one data set (the paper's "squared-mass scan"): one full-spectrum data set —
/// a user's events or a background-only pseudo-data set drawn with a seed — binned into every
/// window; per hypothesis the best-fit cross section, the local p0 and significance
/// (asymptotic q0, arXiv:1007.1727 Eq. 12 and 52–53: Z = √q0, p0 = 1 − Φ(Z)), and the observed
/// upper limit.
public struct MassScan: Sendable {
  public let analysis: Analysis
  public let data: SpectrumData
  public let settings: ScanSettings
  public let indices: [Int]
  let rule: LimitRule

  public init(analysis: Analysis, data: SpectrumData, settings: ScanSettings) throws {
    self.analysis = analysis
    self.data = data
    self.settings = settings
    indices = try MassSelection(settings.masses).indices(in: analysis.grid)
    rule = LimitRule(settings.limit.rule)
  }

  /// Settings with an asymptotic observed limit by `rule` at `cl`.
  public static func settings(masses: String = "all", rule: LimitRule = .cls, cl: Double = 0.9) -> ScanSettings {
    ScanSettings(masses: masses, limit: LimitSettings(cl: cl, rule: rule, method: .asymptotic))
  }

  public func run(task t: Int) throws -> ScanPoint {
    let index = indices[t]
    let window = try analysis.window(index)
    let obs = data.observations(window, binning: analysis.detector.binning)
    let model = try Model(workspace: window.workspace(observations: obs))
    let fitter = Fitter(model: model)
    let free = fitter.fit(data: model.observedData)
    let poi = model.poiIndex!
    let profile = try ProfileLikelihood(model: model)
    let v = profile.evaluate(.q0, poi: 0, data: model.observedData, free: free)
    let failed = !v.value.isFinite || !free.parameters[poi].isFinite
    let z = failed ? 0 : v.value.squareRoot()
    var observed: Double? = nil
    do {
      let calc = try AsymptoticCalculator(profile: profile, data: model.observedData, testStatistic: rule.defaultTestStatistic)
      observed = try LimitSetter(calculator: calc, rule: rule, cl: settings.limit.cl).compute(expected: false).observed
    } catch {
      observed = nil
    }
    let u = free.uncertainties[poi]
    return ScanPoint(index: index, mass: window.window.hypothesis.mass, sigmaHat: failed ? 0 : free.parameters[poi],
                     sigmaHatUncertainty: u.isFinite ? u : nil, localP0: Normal.survival(z), localZ: z,
                     observed: observed.flatMap { $0.isFinite ? $0 : nil }, observedCount: obs.reduce(0, +),
                     background: window.totalBackground.reduce(0, +), fitFailed: failed)
  }

  public func identity(seed: UInt64, data: String) -> StudyIdentity {
    analysis.identity(settings, seed: seed, data: data, tasks: indices.count)
  }
}

extension ScanFile: StudyOutput {
  public static func assemble(header: StudyHeader, results: [ScanPoint]) throws -> ScanFile {
    ScanFile(header: header, masses: results, largest: results.max { $0.localZ < $1.localZ })
  }
}
