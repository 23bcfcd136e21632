import Foundation
import GSL

/// The Z′ contribution to the muon anomalous magnetic moment and the (g−2)µ-favoured couplings.
///
/// One-loop vector exchange (Leveille, Nucl. Phys. B137 (1978) 63):
///
///     Δaµ = (g′²/8π²) ∫₀¹ dz 2m_µ² z(1−z)² / (m_µ²(1−z)² + M²z).
///
/// Limits: M → 0 gives g′²/8π² = α′/2π (Schwinger's term with α → α′ = g′²/4π); M ≫ m_µ gives
/// g′²m_µ²/(12π²M²).
///
/// The favoured band is the discrepancy Δaµ = 251(59)×10⁻¹¹ (Muon g−2, PRL 126 (2021) 141801,
/// with the 2020 theory initiative's SM value; the paper's ref. [2]) within ±2σ, i.e.
/// 133×10⁻¹¹ ≤ Δaµ ≤ 369×10⁻¹¹.
public enum MuonAnomaly {
  /// Δaµ central value.
  public static let discrepancy = 251e-11
  /// Its standard uncertainty.
  public static let discrepancyUncertainty = 59e-11

  /// Δaµ(g′, M) by adaptive quadrature (QAGS, relative precision 10⁻¹⁰).
  ///
  /// - Throws: ``PhysicsError`` for a negative or non-finite mass; ``GSLError`` if QAGS fails.
  public static func contribution(mass: Double, coupling: Double = 1, muonMass: Double = PhysicalConstants.muonMass) throws -> Double {
    guard mass.isFinite, mass >= 0 else { throw PhysicsError("the Z′ mass must be non-negative and finite, got \(mass) GeV") }
    let m2 = muonMass * muonMass
    let M2 = mass * mass
    let f: (Double) -> Double = { z in
      let w = 1 - z
      let d = m2 * w * w + M2 * z
      return d > 0 ? 2 * m2 * z * w * w / d : 0
    }
    // For M ≫ m_µ the integrand lives at z ≲ m_µ²/M²: give QAGS that break point.
    let knee = min(0.5, max(1e-12, 10 * m2 / max(M2, 1e-300)))
    let low = try Integration.adaptive(over: 0...knee, relativeTolerance: 1e-10, f).value
    let high = try Integration.adaptive(over: knee...1, relativeTolerance: 1e-10, f).value
    return coupling * coupling / (8 * Double.pi * Double.pi) * (low + high)
  }

  /// The g′ that gives Δaµ = `target`: √(target/Δaµ(g′ = 1, M)).
  public static func coupling(forContribution target: Double, mass: Double) throws -> Double {
    (target / (try contribution(mass: mass))).squareRoot()
  }

  /// The g′ range that explains the discrepancy within ±`sigmas` standard deviations (2 for the
  /// paper's red band): [g′(Δaµ − nσ), g′(Δaµ + nσ)]; the lower end is 0 when Δaµ − nσ ≤ 0.
  public static func favouredCouplings(mass: Double, sigmas: Double = 2) throws -> ClosedRange<Double> {
    let unit = try contribution(mass: mass)
    let lo = max(0, discrepancy - sigmas * discrepancyUncertainty)
    let hi = discrepancy + sigmas * discrepancyUncertainty
    return (lo / unit).squareRoot()...(hi / unit).squareRoot()
  }
}
