import Experiment
import Foundation
import GSL
import Physics
import Results
import _Support

/// Cross-section limits → limits on the Lµ−Lτ coupling g′ (paper, Figs. 3 and 4):
///
///     g′_UL = √(σ_UL / (σ(e+e− → µ+µ−Z′; g′ = 1) · B)),
///
/// with B = B(Z′ → invisible) of the vanilla model (νν̄ only: ≈ 1 below 2m_µ, ≈ ½ between, ≈ ⅓
/// above 2m_τ) or 1 in the fully invisible model (Z′ → χχ̄). σ(g′ = 1) comes from the committed
/// table (Born, or with initial-state radiation); at another √s than the table's it is computed
/// by VEGAS per mass, from the stream (seed, physics, hypothesis index, 0 Born / 1 ISR).
///
/// Beside the limits: the (g−2)µ-favoured band (Δaµ = 251(59)×10⁻¹¹, ±2σ) in g′ at each mass, the
/// mass ranges where the observed limit (the median expected when there is no observed) excludes
/// it, and for the fully invisible model whether some αD gives both B(Z′ → χχ̄) ≥ 0.9 and a width
/// below the resolution at the probed g′.
public struct CouplingTranslation: Sendable {
  public let config: ExperimentConfig
  public let model: ZPrimeModel
  public let isr: Bool
  public let seed: UInt64
  let table: CrossSectionTable?
  let born: BornCrossSection
  let isrModel: InitialStateRadiation

  public init(config: ExperimentConfig, model: ZPrimeModel, isr: Bool, seed: UInt64) {
    GSLRuntime.install()
    self.config = config
    self.model = model
    self.isr = isr
    self.seed = seed
    let rootS = config.beams.sqrtS
    table = CrossSectionTable.standard(sqrtS: rootS)
    born = BornCrossSection(sqrtS: rootS)
    isrModel = InitialStateRadiation(sqrtS: rootS)
  }

  /// Whether σ comes from the table (else VEGAS, which takes seconds per mass).
  public var usesTable: Bool { table != nil }

  /// σ(e+e− → µ+µ−Z′) at g′ = 1 in fb for hypothesis `index` of mass `mass`.
  public func sigmaAtUnitCoupling(mass: Double, index: Int) throws -> Double {
    if let t = table { return try t.sigma(mass: mass, isr: isr) }
    let stream = RandomStream(StreamKey(seed: seed, study: .physics, massIndex: index, toyIndex: isr ? 1 : 0))
    return isr ? try isrModel.sigma(mass: mass, born: born, using: stream).sigma : try born.sigma(mass: mass, using: stream).sigma
  }

  /// Refuses σ limits that are not finite and non-negative, and masses that are not positive
  /// (a brazil file edited by hand, or written by other software).
  static func check(_ brazil: BrazilFile, path: String) throws {
    guard !brazil.masses.isEmpty else { throw StudyError("\(path): \"masses\" is empty") }
    if let l = brazil.header.identity.inputs.likelihood {
      throw StudyError("\(path): the limits are on the patches of the published likelihood \(l.name), not on Z′ masses: g′ limits need the search windows' σ limits")
    }
    guard let lumi = brazil.lumiFb, lumi.isFinite, lumi > 0 else { throw StudyError("\(path): identity.inputs.lumi_fb must be a positive luminosity") }
    for (i, m) in brazil.masses.enumerated() {
      let at = "\(path): masses[\(i)]"
      guard let mass = m.mass, mass.isFinite, mass > 0 else { throw StudyError("\(at).mass_gev must be positive, got \(m.mass.map { "\($0)" } ?? "null")") }
      guard m.index >= 0 else { throw StudyError("\(at).index must be ≥ 0, got \(m.index)") }
      for (name, value) in [("observed", m.observed), ("observed_asymptotic", m.observedAsymptotic)] {
        if let o = value, !(o.isFinite && o >= 0) { throw StudyError("\(at).\(name) must be a finite σ limit ≥ 0 fb, got \(o)") }
      }
      for (name, band) in [("expected_asymptotic", m.expectedAsymptotic), ("expected_toys", m.expectedToys)] {
        for (k, v) in band?.named ?? [] where !(v.isFinite && v >= 0) {
          throw StudyError("\(at).\(name).\(k) must be a finite σ limit ≥ 0 fb, got \(v)")
        }
      }
    }
  }

  /// The g′ limits of every mass of `brazil` (read from `path`).
  public func translate(_ brazil: BrazilFile, path: String) throws -> CouplingsFile {
    try Self.check(brazil, path: path)
    let useObserved = brazil.masses.contains { $0.observed != nil }
    let points = try brazil.masses.map { try point($0, useObserved: useObserved, path: path) }
    let order = points.indices.sorted { points[$0].mass < points[$1].mass }
    let basis = points.map { useObserved ? $0.observed : $0.expected.median }
    let excluded = try CouplingLimits.excludedGMinus2Ranges(masses: order.map { points[$0].mass }, limits: order.map { basis[$0] })
    let asymptoticBasis = points.map { useObserved ? $0.observedAsymptotic : $0.expectedAsymptotic.median }
    let excludedAsymptotic = try CouplingLimits.excludedGMinus2Ranges(masses: order.map { points[$0].mass },
                                                                      limits: order.map { asymptoticBasis[$0] })
    var validBelow: Double?
    if model == .invisible {
      let firstInvalid = order.first { points[$0].narrowWidthValid == false }
      validBelow = firstInvalid.map { points[$0].mass } ?? order.last.map { points[$0].mass }
    }
    let h = brazil.header.identity
    return CouplingsFile(
      info: ResultInfo(kind: CouplingsFile.kind, tool: ToolInfo.nameAndVersion, configuration: h.configuration, lumiFb: h.inputs.lumiFb ?? .nan),
      input: path,
      source: CouplingsSource(file: path, configurationSHA256: h.configurationSHA256, seed: h.seed, data: h.inputs.data,
                              widthFraction: brazil.settings.widthFraction),
      limit: brazil.settings.limit, model: model.rawValue, isr: isr, sigmaSource: usesTable ? "table" : "vegas", masses: points,
      exclusionBasis: useObserved ? "observed" : "median expected",
      excludedRanges: excluded.map { ValueRange(lower: $0.lowerBound, upper: $0.upperBound) },
      excludedRangesAsymptotic: excludedAsymptotic.map { ValueRange(lower: $0.lowerBound, upper: $0.upperBound) },
      narrowWidthValidBelow: validBelow, notes: notes(useObserved: useObserved))
  }

  /// One mass: σ(g′ = 1), B, the g′ limits and the (g−2)µ band.
  func point(_ x: BrazilPoint, useObserved: Bool, path: String) throws -> CouplingPoint {
    let mass = x.mass ?? .nan  // positive (check)
    let sigma = try sigmaAtUnitCoupling(mass: mass, index: x.index)
    guard sigma > 0 else {
      throw StudyError("\(path): masses[\(x.index)] M = \(mass) GeV is at or above the kinematic limit \(String(format: "%.4g", born.massLimit)) GeV (σ = 0)")
    }
    let b = model.branchingInvisible(mass: mass)
    func g(_ limit: Double) throws -> Double {
      try CouplingLimits.upperLimit(sigmaLimit: limit, sigmaAtUnitCoupling: sigma, branching: b)
    }
    let asymptotic = try x.expectedAsymptotic.map(g)
    let toys = try x.expectedToys.map { try $0.map(g) }
    let observed = try x.observed.map(g)
    let observedAsymptotic = try x.observedAsymptotic.map(g)
    let band = try MuonAnomaly.favouredCouplings(mass: mass)
    let basis = useObserved ? observed : (toys ?? asymptotic).median
    var valid: Bool?
    if model == .invisible, let gp = basis {
      valid = FullyInvisibleModel.hasNarrowInvisibleSolution(mass: mass, coupling: gp, resolutionM2: config.resolution.sigma(m2: mass * mass))
    }
    return CouplingPoint(
      index: x.index, mass: mass, sigmaAtUnitCoupling: sigma, branchingInvisible: b, observed: observed, observedAsymptotic: observedAsymptotic,
      expected: toys ?? asymptotic,
      expectedSource: toys == nil ? "asymptotic" : "toys", expectedAsymptotic: asymptotic, expectedToys: toys,
      gMinus2: ValueRange(lower: band.lowerBound, upper: band.upperBound), excludesGMinus2: basis.map { $0 < band.lowerBound } ?? false,
      narrowWidthValid: valid)
  }

  func notes(useObserved: Bool) -> [String] {
    var notes: [String] = []
    if model == .invisible {
      notes.append("Fully invisible: B(Z′→χχ̄) ≈ 1 with a negligible width needs some αD with Γ_SM(g′)/(1−0.9) ≤ σ(M²)/(2M); "
        + "where narrow_width_b_chichi_valid is false (paper: M ≳ 6.5 GeV), rescale g′ by 1/√B(Z′→χχ̄), which depends on αD.")
    } else {
      notes.append("Vanilla: B(Z′→invisible) = Γ(νν̄)/Γ_tot, independent of g′; the Z′ width is negligible.")
    }
    notes.append("g−2 band: Δaµ = 251(59)×10⁻¹¹ ± 2σ; excluded where the \(useObserved ? "observed" : "median expected") g′ limit is below the band's lower edge"
      + " (g_minus_2_excluded_ranges_asymptotic_gev: the same from the asymptotic limits).")
    return notes
  }
}
