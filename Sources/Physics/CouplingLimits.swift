import Foundation

/// The Lµ−Lτ interpretations of a cross-section limit.
public enum ZPrimeModel: String, Sendable, CaseIterable, Codable {
  /// Z′ decays to SM leptons only: B(Z′ → invisible) = B(Z′ → νν̄) (``VanillaWidths``).
  case vanilla
  /// Z′ → χχ̄ dominates: B(Z′ → invisible) ≈ 1 (``FullyInvisibleModel``).
  case invisible

  /// B(Z′ → invisible) at `mass` in this model (independent of g′ in both).
  public func branchingInvisible(mass: Double) -> Double {
    switch self {
    case .vanilla: ZPrimeDecays.vanilla(mass: mass).branchingInvisible
    case .invisible: 1
    }
  }
}

/// Cross-section limits → coupling limits (paper, Figs. 3 and 4).
///
/// σ(e⁺e⁻ → µ⁺µ⁻Z′, Z′ → invisible) = σ(g′ = 1)·g′²·B, so a 90% CL limit σ_UL gives
///
///     g′_UL = √(σ_UL / (σ(g′ = 1) · B)),
///
/// B = B(Z′ → invisible): the vanilla value, or 1 in the fully invisible model. In the fully
/// invisible model the narrow-width, B ≈ 1 hypothesis holds only for M ≲ 6.5 GeV (paper;
/// ``FullyInvisibleModel/hasNarrowInvisibleSolution(mass:coupling:resolutionM2:minimumBranching:kappa:)``);
/// above, the numbers still apply after rescaling by 1/√B(Z′ → χχ̄), which depends on αD.
public enum CouplingLimits {
  /// g′_UL = √(σ_UL/(σ(g′ = 1)·B)).
  ///
  /// - Throws: ``PhysicsError`` unless σ_UL ≥ 0 and σ(g′ = 1), B are positive and all are finite.
  public static func upperLimit(sigmaLimit: Double, sigmaAtUnitCoupling: Double, branching: Double) throws -> Double {
    guard sigmaLimit.isFinite, sigmaLimit >= 0 else { throw PhysicsError("the cross-section limit must be finite and ≥ 0, got \(sigmaLimit) fb") }
    guard sigmaAtUnitCoupling.isFinite, sigmaAtUnitCoupling > 0 else {
      throw PhysicsError("σ(g′ = 1) must be positive, got \(sigmaAtUnitCoupling) fb (mass above the kinematic limit?)")
    }
    guard branching.isFinite, branching > 0, branching <= 1 else { throw PhysicsError("B(Z′ → invisible) must be in (0, 1], got \(branching)") }
    return (sigmaLimit / (sigmaAtUnitCoupling * branching)).squareRoot()
  }

  /// The mass intervals where a coupling limit lies below the lower edge of the (g−2)µ band
  /// (``MuonAnomaly/favouredCouplings(mass:sigmas:)``), i.e. where the Z′ is excluded as the
  /// explanation. The edges are where ln(g′_UL/g′_band) crosses zero, interpolated linearly in ln M
  /// between neighbouring masses; an interval touching the first or last mass ends there.
  ///
  /// - Parameters:
  ///   - masses: increasing masses in GeV.
  ///   - limits: g′_UL at those masses (nil where there is none; it breaks intervals).
  /// - Returns: the excluded intervals, increasing.
  public static func excludedGMinus2Ranges(masses: [Double], limits: [Double?], sigmas: Double = 2) throws -> [ClosedRange<Double>] {
    guard masses.count == limits.count else { throw PhysicsError("masses and limits differ in length (\(masses.count) vs \(limits.count))") }
    // r > 0: excluded.
    let r: [Double?] = try zip(masses, limits).map { m, g in
      guard let g, g > 0 else { return nil }
      let band = try MuonAnomaly.favouredCouplings(mass: m, sigmas: sigmas)
      return log(band.lowerBound / g)
    }
    var ranges: [ClosedRange<Double>] = []
    var start: Double?
    for i in masses.indices {
      guard let ri = r[i] else {
        if let s = start { ranges.append(s...masses[i - 1]); start = nil }
        continue
      }
      if ri > 0 {
        if start == nil {
          if i > 0, let rp = r[i - 1] {
            let f = rp / (rp - ri)
            start = exp(log(masses[i - 1]) + f * (log(masses[i]) - log(masses[i - 1])))
          } else {
            start = masses[i]
          }
        }
      } else if let s = start {
        let rp = r[i - 1]!
        let f = rp / (rp - ri)
        ranges.append(s...exp(log(masses[i - 1]) + f * (log(masses[i]) - log(masses[i - 1]))))
        start = nil
      }
    }
    if let s = start { ranges.append(s...masses[masses.count - 1]) }
    return ranges
  }
}
