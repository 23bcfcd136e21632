import Experiment
import Foundation
import GSL
import Generator
import Inference
import Likelihood
import Results
import _Support

/// Bias and pull studies: for chosen hypotheses and injected signals σ, pseudo-experiments drawn
/// from the model at σ (nuisance parameters nominal, auxiliary data fluctuated, as the coverage
/// study draws them) are fitted with the signal free; over the toys, the best-fit σ̂ (its mean −
/// σ is the bias) and the pull (σ̂ − σ)/Δσ̂ (Δσ̂ from the inverse Hessian), mean and width with
/// their uncertainties, and a verdict; with `nuisances`, the same pull for every other free
/// parameter, (θ̂ − θ₀)/Δθ̂ about its nominal value.
///
/// A bias study needs negative signals: the fit lets σ go down to just above the value where a
/// bin's expectation would vanish, −0.99 · min_b(B_b/S_b) over the main bins (B background, S
/// signal per unit σ, nuisances nominal), instead of the limits' lower bound 0.
///
/// A toy whose σ̂ sits at that bound is counted apart (its pull is not defined: the Hessian's
/// error does not describe a minimum on the boundary); windows with bins of (floored) zero
/// background allow hardly any negative signal, and at σ = 0 many toys end there.
///
/// Verdict (at confidence `verdictCL`, Gaussian intervals): "biased" when the pull mean's
/// interval lies entirely outside [−t, t]; "too wide" / "too narrow" when the width's interval
/// lies entirely above 1 + t / below 1 − t; "bounded" when over 1% of the toys sit at the lower
/// bound (the distribution is truncated); else "unbiased". t = `tolerance` (default 0.1): a bias
/// of a tenth of the statistical error is not worth failing a check for.
public struct PullStudy: Sendable {
  public let hypotheses: any HypothesisSet
  public let settings: PullSettings

  public init(hypotheses: any HypothesisSet, settings: PullSettings) {
    self.hypotheses = hypotheses
    self.settings = settings
  }

  public var pointCount: Int { hypotheses.count * settings.signals.count }
  public var blocksPerPoint: Int { (settings.toys + settings.blockSize - 1) / settings.blockSize }
  public var taskCount: Int { pointCount * blocksPerPoint }

  /// The model of hypothesis `t` (for generation) and the same with the POI free to go negative
  /// (for the fits).
  func models(_ t: Int) throws -> (nominal: Model, free: Model) {
    let (ws, measurement) = try hypotheses.workspace(t, data: nil)
    let nominal = try Model(workspace: ws, measurement: measurement)
    guard let poi = nominal.poiIndex else { throw StudyError("\(hypotheses.label(t).text): the model has no parameter of interest") }
    var p = nominal.initialValues
    p[poi] = 0
    let b = nominal.expectedMainData(p)
    p[poi] = 1
    let s = zip(nominal.expectedMainData(p), b).map { $0 - $1 }
    let upper = nominal.bounds[poi].upperBound
    let ratio = zip(b, s).filter { $0.1 > 0 }.map { $0.0 / $0.1 }.min() ?? upper
    let lower = max(-upper, -0.99 * ratio)
    var relaxed = ws
    let m = measurement.flatMap { name in relaxed.measurements.firstIndex { $0.name == name } } ?? 0
    let name = nominal.parameterNames[poi]
    if let k = relaxed.measurements[m].config.parameters.firstIndex(where: { $0.name == name }) {
      relaxed.measurements[m].config.parameters[k].bounds = [[lower, upper]]
    } else {
      relaxed.measurements[m].config.parameters.append(ParameterConfig(name: name, bounds: [[lower, upper]]))
    }
    return (nominal, try Model(workspace: relaxed, measurement: measurement))
  }

  /// Task t: one block of toys at one point.
  public func run(task t: Int, seed: UInt64) throws -> PullBlock {
    let p = t / blocksPerPoint, b = t % blocksPerPoint
    let k = p / settings.signals.count, j = p % settings.signals.count
    let signal = settings.signals[j]
    let (nominal, free) = try models(k)
    let poi = nominal.poiIndex!
    var truth = nominal.initialValues
    truth[poi] = signal
    guard free.bounds[poi].contains(signal) else {
      throw StudyError("\(hypotheses.label(k).text): the injected signal \(signal) is outside the POI's range \(free.bounds[poi])")
    }
    let gen = ToySampler(model: nominal, parameters: truth)
    let fitter = Fitter(model: free)
    let rng = RandomStream(key: 0)
    var data: [Double] = []
    let first = b * settings.blockSize, last = min(settings.toys, first + settings.blockSize)
    var hats: [Double] = [], pulls: [Double] = [], failed: [FailedToyRecord] = [], atBound = 0
    let lower = free.bounds[poi].lowerBound
    let nuisanceIndices = settings.nuisances ? (0..<free.parameterCount).filter { $0 != poi && !free.fixedByDefault[$0] } : []
    var sums = nuisanceIndices.map { PullSums(name: free.parameterNames[$0]) }
    for toy in first..<last {
      let key = StreamKey(seed: seed, study: .pulls, massIndex: hypotheses.streamIndex(k), toyIndex: j << 32 | toy).hash64
      rng.reseed(key)
      gen.sample(rng, into: &data)
      let fit = fitter.fit(data: data)
      if fit.parameters[poi] <= lower + 1e-6 * max(1, abs(lower)) {
        atBound += 1
        continue
      }
      let error = fit.uncertainties[poi]
      guard fit.converged, fit.parameters[poi].isFinite, error.isFinite, error > 0 else {
        failed.append(FailedToyRecord(toy: toy, hypothesis: "σ=\(signal)", streamKey: key))
        continue
      }
      hats.append(fit.parameters[poi])
      pulls.append((fit.parameters[poi] - signal) / error)
      for (n, i) in nuisanceIndices.enumerated() where fit.uncertainties[i].isFinite && fit.uncertainties[i] > 0 {
        sums[n].add((fit.parameters[i] - truth[i]) / fit.uncertainties[i])
      }
    }
    return PullBlock(point: p, firstToy: first, toys: last - first, sigmaHat: hats, pulls: pulls, failed: failed, poiLowerBound: lower,
                     atLowerBound: atBound, nuisances: sums)
  }

  public func identity(seed: UInt64) -> StudyIdentity {
    hypotheses.identity(settings, seed: seed, data: "none", tasks: taskCount)
  }

  /// The verdict of a pull distribution (see the type's description).
  public static func verdict(_ m: Moments, tolerance t: Double, cl: Double, bounded: Bool = false) -> String {
    guard m.count > 1 else { return "too few toys" }
    let z = Normal.survivalQuantile((1 - cl) / 2)
    var problems: [String] = []
    if bounded { problems.append("bounded") }
    if m.mean - z * m.meanUncertainty > t || m.mean + z * m.meanUncertainty < -t { problems.append("biased") }
    if m.width - z * m.widthUncertainty > 1 + t { problems.append("too wide") }
    if m.width + z * m.widthUncertainty < 1 - t { problems.append("too narrow") }
    return problems.isEmpty ? "unbiased" : problems.joined(separator: ", ")
  }

  /// The bins of the pull histograms: −5 to 5 in steps of 0.25.
  public static let pullEdges = stride(from: -5.0, through: 5.0, by: 0.25).map { $0 }
}

extension PullsFile: StudyOutput {
  public static func assemble(header: StudyHeader, results: [PullBlock]) throws -> PullsFile {
    guard let s = header.identity.settings.value(as: PullSettings.self) else { throw StudyError("not a pulls header") }
    let byPoint = Dictionary(grouping: results, by: \.point)
    let points = byPoint.keys.sorted().map { p in point(p, blocks: byPoint[p]!.sorted { $0.firstToy < $1.firstToy }, settings: s) }
    return PullsFile(header: header, blocks: results, points: points)
  }

  static func moments(_ x: [Double]) -> Moments {
    Moments(count: x.count, sum: x.reduce(0, +), sumOfSquares: x.reduce(0) { $0 + $1 * $1 })
  }

  static func point(_ p: Int, blocks: [PullBlock], settings s: PullSettings) -> PullPoint {
    let k = p / max(s.signals.count, 1)
    let hats = blocks.flatMap(\.sigmaHat), pulls = blocks.flatMap(\.pulls)
    let edges = PullStudy.pullEdges
    var counts = [Int](repeating: 0, count: edges.count - 1)
    for x in pulls { counts[min(counts.count - 1, max(0, Int(((x - edges[0]) / 0.25).rounded(.down))))] += 1 }
    let pull = moments(pulls)
    let atBound = blocks.map(\.atLowerBound).reduce(0, +), toys = blocks.map(\.toys).reduce(0, +)
    var nuisances: [PullSummary] = []
    if let names = blocks.first?.nuisances.map(\.name) {
      for (n, name) in names.enumerated() {
        let parts = blocks.compactMap { n < $0.nuisances.count ? $0.nuisances[n] : nil }
        let m = Moments(count: parts.map(\.count).reduce(0, +), sum: parts.map(\.sum).reduce(0, +), sumOfSquares: parts.map(\.sumOfSquares).reduce(0, +))
        nuisances.append(PullSummary(name: name, pull: m, verdict: PullStudy.verdict(m, tolerance: s.tolerance, cl: s.verdictCL)))
      }
    }
    return PullPoint(index: p, mass: k < s.masses.count ? s.masses[k] : nil, patch: k < s.patches.count ? s.patches[k] : nil,
                     signal: s.signals.isEmpty ? 0 : s.signals[p % s.signals.count], sigmaHat: moments(hats),
                     pull: PullSummary(name: "signal", pull: pull, verdict: PullStudy.verdict(pull, tolerance: s.tolerance, cl: s.verdictCL,
                                                                                             bounded: Double(atBound) > 0.01 * Double(max(toys, 1)))),
                     failedToys: blocks.map(\.failed.count).reduce(0, +), poiLowerBound: blocks.first?.poiLowerBound ?? 0, toysAtLowerBound: atBound, pullEdges: edges, pullCounts: counts, nuisances: nuisances)
  }
}

extension StreamKey.Study {
  /// Bias and pull pseudo-experiments (one stream per hypothesis, signal and toy).
  public static let pulls: StreamKey.Study = 11
}
