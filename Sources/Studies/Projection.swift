import Experiment
import Foundation
import GSL
import Generator
import Inference
import Likelihood
import Physics
import Results
import _Support

/// Luminosity projections (`zptoys project`): per hypothesis, the expected limits (median and
/// band) on σ and on g′ at every projected integrated luminosity, with the (g−2)µ band, and per
/// luminosity and model where the median expected g′ limit excludes the band — Belle II's
/// question, which luminosity closes the (g−2)µ window.
///
/// The model at luminosity L is the configuration's at L (``Analysis/at(luminosity:scaleSystematics:)``:
/// signal and backgrounds × L/L_config, relative systematics kept or × √(L_config/L)); one signal
/// template per hypothesis serves every L. Expected limits are asymptotic on the background-only
/// Asimov data set (arXiv:1007.1727), with the band from `toys` background-only
/// pseudo-experiments when asked (streams (seed, projection, hypothesis, toy), the same toys'
/// random numbers at every L). g′_UL = √(σ_UL/(σ(g′ = 1)·B)) as ``CouplingTranslation``.
public struct ProjectionStudy: Sendable {
  public let analysis: Analysis
  public let settings: ProjectionSettings
  public let indices: [Int]
  let analyses: [Analysis]
  let translation: CouplingTranslation
  let rule: LimitRule

  /// - Throws: ``StudyError`` for luminosities that are not positive and increasing (or that
  ///   ``Analysis/at(luminosity:scaleSystematics:)`` refuses), ``MassSelection/ParseError``.
  public init(analysis: Analysis, settings: ProjectionSettings, seed: UInt64) throws {
    guard !settings.lumis.isEmpty, zip(settings.lumis, settings.lumis.dropFirst()).allSatisfy({ $0 < $1 }) else {
      throw StudyError("--lumi needs increasing luminosities, got \(settings.lumis)")
    }
    self.analysis = analysis
    self.settings = settings
    indices = try MassSelection(settings.masses).indices(in: analysis.grid)
    analyses = try settings.lumis.map { try analysis.at(luminosity: $0, scaleSystematics: settings.scaleSystematics) }
    translation = CouplingTranslation(config: analysis.config, model: .invisible, isr: false, seed: seed)
    rule = LimitRule(settings.limit.rule)
  }

  public var taskCount: Int { indices.count }

  /// The settings of a projection with asymptotic limits by `rule` at `cl`.
  public static func settings(lumis: [Double], masses: String = "all", cl: Double = 0.9, rule: LimitRule = .cls, toys: Int = 0,
                              scaleSystematics: Bool = false) -> ProjectionSettings {
    ProjectionSettings(lumis: lumis, masses: masses, limit: LimitSettings(cl: cl, rule: rule, method: .asymptotic), toys: toys,
                       scaleSystematics: scaleSystematics)
  }

  /// One hypothesis at every luminosity.
  public func run(task t: Int, seed: UInt64, threads: Int) throws -> ProjectionPoint {
    let index = indices[t]
    let mass = analysis.grid.hypotheses[index].mass
    let template = try analysis.signalTemplate(index)
    let sigma1 = try translation.sigmaAtUnitCoupling(mass: mass, index: index)
    let bVanilla = ZPrimeModel.vanilla.branchingInvisible(mass: mass)
    let band = try MuonAnomaly.favouredCouplings(mass: mass)
    let limits = try analyses.map { a -> ProjectedLimits in
      let w = try a.window(index, signal: template)
      let model = try Model(workspace: w.workspace(observations: w.totalBackground))
      let calc = try AsymptoticCalculator(model: model, data: model.observedData, testStatistic: rule.defaultTestStatistic)
      let sigma = Band(try LimitSetter(calculator: calc, rule: rule, cl: settings.limit.cl).compute().expected)
      var toys: Band?
      if settings.toys > 0 {
        toys = Band(try ToyLimitBand.compute(model: model, data: model.observedData, rule: rule, cl: settings.limit.cl, settings: ToySettings(
          toys: settings.toys, seed: seed, study: .projection, massIndex: index, threads: threads)).band.values)
      }
      let basis = toys ?? sigma
      func g(_ b: Double) throws -> Band {
        try basis.map { try CouplingLimits.upperLimit(sigmaLimit: $0, sigmaAtUnitCoupling: sigma1, branching: b) }
      }
      return ProjectedLimits(lumiFb: a.luminosity, sigma: sigma, sigmaToys: toys, gPrimeInvisible: try g(1), gPrimeVanilla: try g(bVanilla))
    }
    let required = ["invisible", "vanilla"].map { m in
      Self.requiredLumi(model: m, lumis: settings.lumis, medians: limits.map { $0.gPrime(m).median }, lower: band.lowerBound)
    }
    return ProjectionPoint(index: index, mass: mass, sigmaAtUnitCoupling: sigma1, branchingVanilla: bVanilla,
                           gMinus2: ValueRange(lower: band.lowerBound, upper: band.upperBound), limits: limits, required: required)
  }

  /// Where the median g′ limit `medians` (at `lumis`) crosses the band's lower edge `lower`:
  /// ln(g′/lower) interpolated linearly in ln L between the projected luminosities.
  static func requiredLumi(model: String, lumis: [Double], medians: [Double], lower: Double) -> RequiredLumi {
    guard lower > 0 else { return RequiredLumi(model: model, lumiFb: nil, isUpperBound: false) }
    let r = medians.map { log($0 / lower) }
    if let first = r.first, first <= 0 { return RequiredLumi(model: model, lumiFb: lumis[0], isUpperBound: true) }
    guard let k = r.firstIndex(where: { $0 <= 0 }) else { return RequiredLumi(model: model, lumiFb: nil, isUpperBound: false) }
    let f = r[k - 1] / (r[k - 1] - r[k])
    return RequiredLumi(model: model, lumiFb: exp(log(lumis[k - 1]) + f * (log(lumis[k]) - log(lumis[k - 1]))), isUpperBound: false)
  }

  public func identity(seed: UInt64) -> StudyIdentity {
    analysis.identity(settings, seed: seed, data: "none", tasks: taskCount)
  }
}

extension ProjectionFile: StudyOutput {
  public static func assemble(header: StudyHeader, results: [ProjectionPoint]) throws -> ProjectionFile {
    guard let s = header.identity.settings.value(as: ProjectionSettings.self) else { throw StudyError("not a projection header") }
    let points = results.sorted { $0.mass < $1.mass }
    var windows: [WindowAtLuminosity] = []
    for (k, l) in s.lumis.enumerated() {
      for model in ["invisible", "vanilla"] {
        let medians: [Double?] = points.map { k < $0.limits.count ? $0.limits[k].gPrime(model).median : nil }
        let ranges = try CouplingLimits.excludedGMinus2Ranges(masses: points.map(\.mass), limits: medians)
        let excluded = zip(points, medians).filter { p, g in g.map { $0 < p.gMinus2.lower } ?? false }.count
        windows.append(WindowAtLuminosity(lumiFb: l, model: model, excludedRanges: ranges.map { ValueRange(lower: $0.lowerBound, upper: $0.upperBound) },
                                          excludedHypotheses: excluded, hypotheses: points.count, closed: !points.isEmpty && excluded == points.count))
      }
    }
    let answers = ["invisible", "vanilla"].map { answer(model: $0, points: points, windows: windows, lumis: s.lumis) }
    return ProjectionFile(header: header, masses: results, windows: windows, answers: answers)
  }

  /// Which projected luminosity closes the window of `model`, and where it stays open.
  static func answer(model: String, points: [ProjectionPoint], windows: [WindowAtLuminosity], lumis: [Double]) -> WindowAnswer {
    let closing = windows.first { $0.model == model && $0.closed }?.lumiFb
    let required = points.map { p in p.required.first { $0.model == model }?.lumiFb }
    let needed = required.contains(nil) || points.isEmpty ? nil : required.compactMap { $0 }.max()
    // Runs of hypotheses not excluded at the largest luminosity.
    var open: [ValueRange] = []
    for p in points {
      let excluded = p.limits.last.map { $0.gPrime(model).median < p.gMinus2.lower } ?? false
      if excluded { continue }
      if let last = open.last, let prev = points.last(where: { $0.mass < p.mass }), last.upper == prev.mass {
        open[open.count - 1].upper = p.mass
      } else {
        open.append(ValueRange(lower: p.mass, upper: p.mass))
      }
    }
    let name = model == "invisible" ? "fully invisible" : "vanilla"
    let span = points.isEmpty ? "" : String(format: "%.3g–%.3g GeV", points.first!.mass, points.last!.mass)
    let text: String
    if let c = closing {
      let n = needed.map { String(format: "; interpolated, %.3g fb⁻¹ suffice", $0) } ?? ""
      text = "\(name) model: the median expected g′ limit excludes the (g−2)µ band at every mass from \(span) from \(LumiText.format(c)) fb⁻¹ on (of the projected luminosities)\(n)"
    } else {
      func range(_ r: ValueRange) -> String { r.lower == r.upper ? String(format: "%.3g", r.lower) : String(format: "%.3g–%.3g", r.lower, r.upper) }
      let where_ = open.count <= 3 ? open.map(range).joined(separator: ", ")
        : "\(range(open[0])) and in \(open.count - 1) ranges from \(String(format: "%.3g", open[1].lower)) to \(String(format: "%.3g", open.last!.upper))"
      text = "\(name) model: no projected luminosity up to \(LumiText.format(lumis.last ?? 0)) fb⁻¹ closes the (g−2)µ window over \(span); at \(LumiText.format(lumis.last ?? 0)) fb⁻¹ it stays open at M = \(where_) GeV"
    }
    return WindowAnswer(model: model, closingLumiFb: closing, requiredLumiFb: needed, openAtLargestLumi: open, text: text)
  }
}

/// Luminosities as people write them: 79.7, 500, 10,000.
public enum LumiText {
  public static func format(_ l: Double) -> String {
    if l >= 1000, l == l.rounded() {
      let f = NumberFormatter()
      f.numberStyle = .decimal
      f.groupingSeparator = ","
      f.maximumFractionDigits = 0
      return f.string(from: NSNumber(value: l)) ?? "\(l)"
    }
    return String(format: "%g", l)
  }
}

extension StreamKey.Study {
  /// Background-only pseudo-experiments of a luminosity projection (one stream per hypothesis
  /// and toy, shared by the luminosities).
  public static let projection: StreamKey.Study = 10
}
