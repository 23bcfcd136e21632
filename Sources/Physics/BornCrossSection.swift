import Foundation
import GSL

/// σ(e⁺e⁻ → γ* → µ⁺µ⁻Z′) at tree level, from the matrix element of ``DimuonZPrimeAmplitude``
/// integrated over ``RadiativePhaseSpace`` with VEGAS.
///
///     σ = 1/(2s) ∫ dΦ₃ ⟨|M|²⟩,    ⟨|M|²⟩ = e⁴g′²/(3s) · W,   W = −g_{αβ}H^{αβ},
///
/// where ⟨…⟩ is the average over the orientation of the event relative to the beams (done
/// exactly: the electron tensor averaged over the beam direction is (4s/3)·diag(0,1,1,1) in the c.m.
/// frame, and H^{0β} = 0 there by current conservation). The integral left is two-dimensional,
/// over t = ln E_Z′ and the collinear-flattening y; VEGAS (``GSL/Vegas``) integrates it.
///
/// Conventions: e² = 4πα with α = 1/137.036 (the Thomson limit, the project's convention for the tree-level σ; α(s) ≈ 1/132 would give +7%), massless
/// electrons, muon mass kept, g′ = 1 unless given (σ ∝ g′²). No initial-state radiation: see
/// ``InitialStateRadiation`` for the convolution on top. No vacuum polarisation, no Z⁰ exchange
/// (O(s/m_Z²) ≈ 1% at 10.58 GeV, neglected in the paper's σ as well).
public struct BornCrossSection: Sendable {
  /// √s in GeV.
  public var sqrtS: Double
  /// α (Thomson limit by default).
  public var alpha: Double
  /// m_µ in GeV.
  public var muonMass: Double

  public init(sqrtS: Double = PhysicalConstants.belleIISqrtS, alpha: Double = PhysicalConstants.fineStructure,
              muonMass: Double = PhysicalConstants.muonMass) {
    self.sqrtS = sqrtS
    self.alpha = alpha
    self.muonMass = muonMass
  }

  /// The kinematic limit √s − 2m_µ of the Z′ mass.
  public var massLimit: Double { sqrtS - 2 * muonMass }

  /// σ₀ = 4πα²/(3s), the point-like σ(e⁺e⁻ → µ⁺µ⁻) for massless muons, in GeV⁻².
  public var pointCrossSection: Double { 4 * Double.pi * alpha * alpha / (3 * sqrtS * sqrtS) }

  /// The integrand at one phase-space point: W, H^{zz} along the Z′ direction, and
  /// dσ/(dE dy) in GeV⁻³ at g′ = 1.
  public struct Density: Sendable {
    public let point: RadiativePhaseSpace.Point
    /// W = −g_{αβ}H^{αβ} (the orientation-averaged |M|² is e⁴g′²W/(3s)).
    public let trace: Double
    /// H^{zz}, z along the Z′: the Z′ polar-angle distribution about the beam is
    /// ∝ (W + H^{zz})/2 + cos²θ·(W − 3H^{zz})/2 (one-photon annihilation, see ``SignalKinematics``).
    public let zz: Double
    /// dσ/(dE dy) at g′ = 1 in GeV⁻³.
    public let sigmaPerEnergyPerY: Double
  }

  /// The integrand at Z′ energy slice `slice`, mapped variable y.
  public func density(_ phaseSpace: RadiativePhaseSpace, slice: RadiativePhaseSpace.Slice, y: Double) -> Density {
    let p = phaseSpace.point(in: slice, y: y)
    let amplitude = DimuonZPrimeAmplitude(muonMass: phaseSpace.muonMass, zPrimeMass: phaseSpace.zPrimeMass)
    let h = amplitude.hadronicTensor(k1: p.muon, k2: p.antimuon, k: p.zPrime)
    let w = h.minusMetricTrace
    let zz = h[3, 3].re
    let s = sqrtS * sqrtS
    let e2 = 4 * Double.pi * alpha
    let squared = e2 * e2 * w / (3 * s)
    let d = squared / (2 * s) * slice.phaseSpaceDensity * p.jacobian
    return Density(point: p, trace: w, zz: zz, sigmaPerEnergyPerY: d.isFinite ? d : 0)
  }

  /// The Born integrand on the unit square: u₀ ↦ t = ln E, u₁ ↦ y; returns dσ/du₀du₁ in GeV⁻².
  ///
  /// With `smoothstep`, u₀ goes through ũ = u₀²(3 − 2u₀) first: the phase-space factors vanish like
  /// square roots at both ends of the energy range, |k⃗| ∝ √(E − M) and p* ∝ √(E_max − E); with
  /// E − M ∝ u₀² and E_max − E ∝ (1 − u₀)² the integrand is smooth there, which fixed-node rules
  /// need. VEGAS does better without it (its grid adapts to the end points; the smoothstep doubles
  /// its variance).
  func unitSquareDensity(_ ps: RadiativePhaseSpace, _ u0: Double, _ u1: Double, smoothstep: Bool = false) -> Double {
    let r = ps.energyRange
    let t0 = log(r.lowerBound), t1 = log(r.upperBound)
    let v = smoothstep ? u0 * u0 * (3 - 2 * u0) : u0
    let dv = smoothstep ? 6 * u0 * (1 - u0) : 1
    let e = exp(t0 + (t1 - t0) * v)
    let slice = ps.slice(energy: e)
    let y = slice.yMax * (2 * u1 - 1)
    let d = density(ps, slice: slice, y: y)
    return d.sigmaPerEnergyPerY * slice.energy * (t1 - t0) * dv * 2 * slice.yMax
  }

  /// σ(e⁺e⁻ → µ⁺µ⁻Z′) in fb at coupling g′ (default 1), by VEGAS.
  ///
  /// - Parameters:
  ///   - mass: M_Z′ in GeV, 0 < M; at or above ``massLimit`` σ = 0 exactly.
  ///   - coupling: g′ (σ ∝ g′²).
  ///   - options: VEGAS calls; the default (10⁵ calls after warm-up) gives ≈ 0.02–0.05% precision.
  ///   - stream: the random stream (reproducible results).
  /// - Returns: σ and its VEGAS uncertainty in fb.
  /// - Throws: ``PhysicsError`` for a non-positive or non-finite mass; ``GSLError`` from VEGAS.
  /// - Complexity: O(calls), about 2–3 µs per call.
  public func sigma(mass: Double, coupling: Double = 1, options: Vegas.Options = Vegas.Options(),
                    using stream: RandomStream) throws -> CrossSectionEstimate {
    try PhysicsError.checkMass(mass)
    let ps = RadiativePhaseSpace(sqrtS: sqrtS, muonMass: muonMass, zPrimeMass: mass)
    guard ps.isOpen, ps.energyRange.upperBound > ps.energyRange.lowerBound else {
      return CrossSectionEstimate(mass: mass, sigma: 0, uncertainty: 0, chiSquaredPerDegreeOfFreedom: 0, evaluations: 0)
    }
    let r = try Vegas.integrate(over: [0...1, 0...1], options: options, using: stream) { u in
      unitSquareDensity(ps, u[0], u[1])
    }
    let scale = PhysicalConstants.hbarCSquaredGeV2fb * coupling * coupling
    return CrossSectionEstimate(mass: mass, sigma: r.value * scale, uncertainty: r.error * scale,
                                chiSquaredPerDegreeOfFreedom: r.chiSquaredPerDegreeOfFreedom, evaluations: r.evaluations)
  }

  /// σ in fb by a deterministic product Gauss–Legendre rule over (t, y) (`panels` panels of
  /// `points` nodes per axis): no error estimate, used to cross-check VEGAS and to build tables.
  public func sigmaByQuadrature(mass: Double, coupling: Double = 1, panels: Int = 8, points: Int = 16) throws -> Double {
    try PhysicsError.checkMass(mass)
    let ps = RadiativePhaseSpace(sqrtS: sqrtS, muonMass: muonMass, zPrimeMass: mass)
    guard ps.isOpen, ps.energyRange.upperBound > ps.energyRange.lowerBound else { return 0 }
    let rule = try Integration.GaussLegendre(points: points)
    var total = 0.0
    for i in 0..<panels {
      let lo = Double(i) / Double(panels), hi = Double(i + 1) / Double(panels)
      for (u0, w0) in rule.points(over: lo...hi) {
        for j in 0..<panels {
          let lo1 = Double(j) / Double(panels), hi1 = Double(j + 1) / Double(panels)
          for (u1, w1) in rule.points(over: lo1...hi1) {
            total += w0 * w1 * unitSquareDensity(ps, u0, u1, smoothstep: true)
          }
        }
      }
    }
    return total * PhysicalConstants.hbarCSquaredGeV2fb * coupling * coupling
  }
}

/// A cross section with its Monte Carlo uncertainty.
public struct CrossSectionEstimate: Sendable, Equatable, Codable {
  /// M_Z′ in GeV.
  public var mass: Double
  /// σ in fb.
  public var sigma: Double
  /// Its one-standard-deviation integration uncertainty in fb.
  public var uncertainty: Double
  /// VEGAS χ²/dof of the iterations (≈ 1 when the grid had converged).
  public var chiSquaredPerDegreeOfFreedom: Double
  /// Integrand evaluations.
  public var evaluations: Int

  public init(mass: Double, sigma: Double, uncertainty: Double, chiSquaredPerDegreeOfFreedom: Double, evaluations: Int) {
    self.mass = mass
    self.sigma = sigma
    self.uncertainty = uncertainty
    self.chiSquaredPerDegreeOfFreedom = chiSquaredPerDegreeOfFreedom
    self.evaluations = evaluations
  }
}

/// Invalid input to a physics function, with a message a user can act on.
public struct PhysicsError: Error, CustomStringConvertible, Equatable, Sendable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }

  static func checkMass(_ mass: Double) throws {
    guard mass.isFinite, mass > 0 else { throw PhysicsError("the Z′ mass must be positive and finite, got \(mass) GeV") }
  }
}
