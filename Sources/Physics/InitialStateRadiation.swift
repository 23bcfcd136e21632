import Foundation
import GSL

/// Initial-state radiation on top of the Born cross section, by the leading-order electron
/// structure-function (radiator) convolution of Kuraev & Fadin (Sov. J. Nucl. Phys. 41 (1985) 466,
/// eq. (28) at O(β)):
///
///     σ_ISR(s) = ∫₀^{x_max} dx f(x, s) σ_Born(s(1 − x)),
///     f(x, s) = β x^{β−1} (1 + 3β/4) − β (1 − x/2),    β = (2α/π)(ln(s/m_e²) − 1),
///
/// x the fraction of √s² lost to photons radiated by both beams (collinear to them), so that the
/// hard process runs at √s′ = √(s(1 − x)); x_max = 1 − (M + 2m_µ)²/s. The factor (1 + 3β/4)
/// carries the soft+virtual corrections; ∫₀¹ f dx = 1 exactly, so ISR only moves events to lower
/// √s′ (σ_Born(s′) grows like 1/s′ there, so σ_ISR/σ_Born > 1 except near threshold).
/// At √s = 10.58 GeV, β = 0.0877. Neglected: O(β²) terms (≈ β²/4 ≈ 0.2%), the photon's transverse
/// momentum, final-state radiation off the muons, vacuum polarisation.
///
/// For the integration the x^{β−1} peak is removed by U = x^β: f dx = [(1 + 3β/4) − (1 − x/2)x^{1−β}] dU.
public struct InitialStateRadiation: Sendable {
  /// √s in GeV.
  public var sqrtS: Double
  /// α.
  public var alpha: Double
  /// m_e in GeV.
  public var electronMass: Double

  public init(sqrtS: Double = PhysicalConstants.belleIISqrtS, alpha: Double = PhysicalConstants.fineStructure,
              electronMass: Double = PhysicalConstants.electronMass) {
    self.sqrtS = sqrtS
    self.alpha = alpha
    self.electronMass = electronMass
  }

  /// β = (2α/π)(ln(s/m_e²) − 1).
  public var beta: Double {
    2 * alpha / Double.pi * (log(sqrtS * sqrtS / (electronMass * electronMass)) - 1)
  }

  /// The radiator f(x, s) (per unit x; integrable singularity x^{β−1} at 0).
  public func radiator(_ x: Double) -> Double {
    guard x > 0, x < 1 else { return 0 }
    let b = beta
    return b * pow(x, b - 1) * (1 + 0.75 * b) - b * (1 - x / 2)
  }

  /// f(x) dx / dU with U = x^β: (1 + 3β/4) − (1 − x/2)x^{1−β}; positive on [0, 1].
  public func weightPerU(_ x: Double) -> Double {
    let b = beta
    return (1 + 0.75 * b) - (1 - x / 2) * pow(x, 1 - b)
  }

  /// σ_ISR in fb at coupling g′ = 1: VEGAS over (U, t, y), the Born integrand of `born` (whose
  /// √s is replaced by √s′ point by point).
  ///
  /// - Throws: ``PhysicsError`` for an invalid mass, ``GSLError`` from VEGAS.
  public func sigma(mass: Double, born: BornCrossSection = BornCrossSection(), coupling: Double = 1,
                    options: Vegas.Options = Vegas.Options(), using stream: RandomStream) throws -> CrossSectionEstimate {
    try PhysicsError.checkMass(mass)
    let s = sqrtS * sqrtS
    let threshold = mass + 2 * born.muonMass
    guard threshold < sqrtS else {
      return CrossSectionEstimate(mass: mass, sigma: 0, uncertainty: 0, chiSquaredPerDegreeOfFreedom: 0, evaluations: 0)
    }
    let xMax = 1 - threshold * threshold / s
    let b = beta
    let uMax = pow(xMax, b)
    let r = try Vegas.integrate(over: [0...1, 0...1, 0...1], options: options, using: stream) { u in
      let x = pow(u[0] * uMax, 1 / b)
      var reduced = born
      reduced.sqrtS = sqrtS * (1 - x).squareRoot()
      let ps = RadiativePhaseSpace(sqrtS: reduced.sqrtS, muonMass: born.muonMass, zPrimeMass: mass)
      guard ps.isOpen, ps.energyRange.upperBound > ps.energyRange.lowerBound else { return 0 }
      return uMax * weightPerU(x) * reduced.unitSquareDensity(ps, u[1], u[2])
    }
    let scale = PhysicalConstants.hbarCSquaredGeV2fb * coupling * coupling
    return CrossSectionEstimate(mass: mass, sigma: r.value * scale, uncertainty: r.error * scale,
                                chiSquaredPerDegreeOfFreedom: r.chiSquaredPerDegreeOfFreedom, evaluations: r.evaluations)
  }

  /// Draws the radiated fraction x from f(x, s) restricted to [0, `maximum`]: x = U^{1/β} for
  /// the leading term, accepted with probability weightPerU(x)/(1 + 3β/4) (efficiency > 95%).
  /// The photons go along the beams; the hard process then runs at √(s(1 − x)).
  public func sampleEnergyFraction(maximum: Double = 1, using stream: RandomStream) -> Double {
    let b = beta
    let uMax = pow(min(max(maximum, 0), 1), b)
    let envelope = 1 + 0.75 * b
    while true {
      let x = pow(stream.uniform() * uMax, 1 / b)
      if stream.uniform() * envelope <= weightPerU(x) { return x }
    }
  }
}
