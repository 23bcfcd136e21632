import Foundation
import GSL

/// The massless-muon limit of σ(e⁺e⁻ → µ⁺µ⁻Z′): the analytic double-differential cross section
/// that the numerical matrix element must reproduce (the Lµ−Lτ radiation function; the
/// same form as e⁺e⁻ → qq̄g with a massive gluon):
///
///     (1/σ₀) d²σ/dx₁dx₂ = (α′/2π) [ ((x₁+µ)² + (x₂+µ)²) / ((1−x₁)(1−x₂)) − µ/(1−x₁)² − µ/(1−x₂)² ],
///
/// σ₀ = 4πα²/(3s), α′ = g′²/4π, µ = M²/s, xᵢ = 2Eᵢ/√s the muon energy fractions. The Dalitz
/// region for massless muons and a Z′ of mass M is, with yᵢ = 1 − xᵢ,
///
///     y₁y₂ ≥ µ   and   y₁ + y₂ ≤ 1 + µ
///
/// (the triangle inequalities of the three momenta), so the integral is finite for M > 0 — the
/// collinear singularity is regulated by M, not by m_µ; the muon mass matters when m_µ ≳ M.
public enum MasslessMuonLimit {
  /// (1/σ₀) d²σ/dx₁dx₂ at coupling g′ (0 outside the Dalitz region).
  public static func normalizedDoubleDifferential(x1: Double, x2: Double, mu: Double, coupling: Double = 1) -> Double {
    guard isInside(x1: x1, x2: x2, mu: mu) else { return 0 }
    let alphaPrime = coupling * coupling / (4 * Double.pi)
    let y1 = 1 - x1, y2 = 1 - x2
    let f = ((x1 + mu) * (x1 + mu) + (x2 + mu) * (x2 + mu)) / (y1 * y2) - mu / (y1 * y1) - mu / (y2 * y2)
    return alphaPrime / (2 * Double.pi) * f
  }

  /// Whether (x₁, x₂) is in the Dalitz region for µ = M²/s.
  public static func isInside(x1: Double, x2: Double, mu: Double) -> Bool {
    let y1 = 1 - x1, y2 = 1 - x2
    return y1 > 0 && y2 > 0 && y1 * y2 >= mu && y1 + y2 <= 1 + mu
  }

  /// σ(e⁺e⁻ → µ⁺µ⁻Z′) for massless muons, in fb: the formula integrated analytically over x₂ and
  /// numerically (QAGS) over x₁.
  ///
  /// With yᵢ = 1 − xᵢ, A = 1 + µ − y₁, L = µ/y₁ and U = A, the inner integral over y₂ ∈ [L, U] is
  ///
  ///     A² ln(U/L)/y₁ + [(1+µ)² ln(U/L) − 2(1+µ)(U−L) + (U²−L²)/2]/y₁ − µ(U−L)/y₁² − µ(1/L − 1/U).
  ///
  /// - Throws: ``PhysicsError`` for a mass outside (0, √s); ``GSLError`` if QAGS fails.
  public static func crossSection(mass: Double, sqrtS: Double = PhysicalConstants.belleIISqrtS,
                                  alpha: Double = PhysicalConstants.fineStructure, coupling: Double = 1) throws -> Double {
    try PhysicsError.checkMass(mass)
    let s = sqrtS * sqrtS
    let mu = mass * mass / s
    guard mu < 1 else { return 0 }
    let inner: (Double) -> Double = { y1 in
      let a = 1 + mu - y1
      let l = mu / y1, u = a
      guard u > l else { return 0 }
      let log = Foundation.log(u / l)
      return a * a * log / y1
        + ((1 + mu) * (1 + mu) * log - 2 * (1 + mu) * (u - l) + (u * u - l * l) / 2) / y1
        - mu * (u - l) / (y1 * y1)
        - mu * (1 / l - 1 / u)
    }
    // The y₁ integrand is smooth on [µ, 1] but varies on the scale µ near y₁ = µ: split there.
    let split = min(1, max(mu * 1e3, 1e-3))
    var total = 0.0
    if split > mu {
      total += try Integration.adaptive(over: mu...split, relativeTolerance: 1e-11, inner).value
    }
    if split < 1 {
      total += try Integration.adaptive(over: split...1, relativeTolerance: 1e-11, inner).value
    }
    let alphaPrime = coupling * coupling / (4 * Double.pi)
    let sigma0 = 4 * Double.pi * alpha * alpha / (3 * s)
    return sigma0 * alphaPrime / (2 * Double.pi) * total * PhysicalConstants.hbarCSquaredGeV2fb
  }
}
