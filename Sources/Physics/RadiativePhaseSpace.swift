import Foundation

/// Three-body phase space of e⁺e⁻ → µ⁻(k₁) µ⁺(k₂) Z′(k) at c.m. energy √s, in the variables that
/// flatten the peaks of the Z′-radiation matrix element.
///
/// Factorisation through the dimuon system Q = k₁ + k₂ (PDG, "Kinematics", eq. (49.21)):
///
///     dΦ₃ = dΦ₂(P; k, Q) · dQ²/2π · dΦ₂(Q; k₁, k₂),   dΦ₂ = β̄/(8π) · dΩ/4π,
///
/// with β̄ = λ^{1/2}(1, m_a²/ŝ, m_b²/ŝ). Q² = s + M² − 2√s E_Z′ trades Q² for the Z′ c.m. energy
/// E (dQ² = 2√s dE), and the dimuon-frame polar angle θ* of the µ⁻ about the Z′ direction is the
/// second variable. After the (trivial, or exactly averaged) orientation angles:
///
///     dΦ₃ = √s β̄₁ β̄₂ / (128π³) · dE · dcosθ* · dΩ_Z′/4π · dφ*/2π,
///     β̄₁ = 2|k⃗|/√s,   β̄₂ = √(1 − 4m²/Q²).
///
/// **Peak mappings.** The propagator denominators are linear in c = cosθ*:
/// D₁ = M² + 2k₁·k = a − bc, D₂ = a + bc with a = M² + 2E*E*_Z′, b = 2p*|k⃗*| (dimuon-frame
/// quantities). The variable y = (1/2b)·ln((a + bc)/(a − bc)) has dc/dy = D₁D₂/a, so the
/// collinear peaks 1/(D₁D₂) become flat in y ∈ [−Y, Y], Y = (1/2b)·ln((a + b)/(a − b)); and
/// D₁ = 2a/(1 + e^{2by}), D₂ = 2a/(1 + e^{−2by}) are computed without cancellation. The soft-Z′
/// peak dE/E is flattened by t = ln E. ``BornCrossSection`` integrates over (t, y) with VEGAS.
public struct RadiativePhaseSpace: Sendable {
  public let sqrtS: Double
  public let muonMass: Double
  public let zPrimeMass: Double

  /// - Precondition: checked by ``isOpen``: M + 2m < √s for a non-empty phase space.
  public init(sqrtS: Double, muonMass: Double = PhysicalConstants.muonMass, zPrimeMass: Double) {
    self.sqrtS = sqrtS
    self.muonMass = muonMass
    self.zPrimeMass = zPrimeMass
  }

  /// Whether the process is kinematically allowed: M + 2m < √s.
  public var isOpen: Bool { zPrimeMass > 0 && muonMass >= 0 && zPrimeMass + 2 * muonMass < sqrtS }

  /// The Z′ c.m. energy range [M, (s + M² − 4m²)/(2√s)].
  public var energyRange: ClosedRange<Double> {
    let M = zPrimeMass, m = muonMass
    let upper = (sqrtS * sqrtS + M * M - 4 * m * m) / (2 * sqrtS)
    return M...max(M, upper)
  }

  /// The quantities that depend on the Z′ energy only.
  public struct Slice: Sendable {
    /// E, the Z′ c.m. energy.
    public let energy: Double
    /// |k⃗|, the Z′ c.m. momentum.
    public let momentum: Double
    /// Q², the dimuon invariant mass squared.
    public let q2: Double
    /// E* = √Q²/2 and p* = √(Q²/4 − m²): muon energy and momentum in the dimuon frame.
    public let muonEnergyStar: Double, muonMomentumStar: Double
    /// a = M² + 2E*E*_Z′ and b = 2p*|k⃗*| (see the type's description), and a − b without cancellation.
    public let a: Double, b: Double, aMinusB: Double
    /// Y: y runs over [−Y, Y].
    public let yMax: Double
    /// √s β̄₁ β̄₂ / (128π³): dΦ₃ per dE dcosθ* (orientation integrated).
    public let phaseSpaceDensity: Double
    /// Velocity of the c.m. frame seen from the dimuon frame (the dimuon system moves along −z).
    let dimuonBeta: Double
  }

  /// The slice at Z′ energy `energy` (clamped into ``energyRange``).
  public func slice(energy: Double) -> Slice {
    let M = zPrimeMass, m = muonMass, rs = sqrtS
    let r = energyRange
    let e = min(max(energy, r.lowerBound), r.upperBound)
    let k = ((e - M) * (e + M)).squareRoot()
    let q2 = max(rs * rs + M * M - 2 * rs * e, 4 * m * m)
    let q = q2.squareRoot()
    let eStar = q / 2
    let pStar = ((eStar - m) * (eStar + m)).squareRoot()
    // Z′ in the dimuon frame: E*_Z′ = Q·k/√Q², |k⃗*| = √s|k⃗|/√Q² (λ^{1/2}(s,Q²,M²)/2 both ways).
    let eZStar = (rs * e - M * M) / q
    let kStar = rs * k / q
    let a = M * M + 2 * eStar * eZStar
    let b = 2 * pStar * kStar
    // a − b = M² + 2(E*E*_Z′ − p*k*), and E*²E*_Z′² − p*²k*² = E*²M² + m²E*_Z′² − m²M².
    let aMinusB = M * M + 2 * (eStar * eStar * M * M + m * m * eZStar * eZStar - m * m * M * M) / (eStar * eZStar + pStar * kStar)
    let yMax = b > 1e-12 * a ? log1p(2 * b / aMinusB) / (2 * b) : 1 / a
    let beta1 = 2 * k / rs
    let beta2 = 2 * pStar / q
    let density = rs * beta1 * beta2 / (128 * Double.pi * Double.pi * Double.pi)
    let eQ = rs - e
    return Slice(energy: e, momentum: k, q2: q2, muonEnergyStar: eStar, muonMomentumStar: pStar,
                 a: a, b: b, aMinusB: aMinusB, yMax: yMax, phaseSpaceDensity: density,
                 dimuonBeta: eQ > 0 ? k / eQ : 0)
  }

  /// A phase-space point with the Z′ along +z in the c.m. frame.
  public struct Point: Sendable {
    /// µ⁻, µ⁺ and Z′ momenta in the e⁺e⁻ c.m. frame; the Z′ moves along +z.
    public let muon: FourVector, antimuon: FourVector, zPrime: FourVector
    /// cos θ* of the µ⁻ about the Z′ direction in the dimuon frame.
    public let cosThetaStar: Double
    /// D₁ = (k₁ + k)² − m² and D₂ = (k₂ + k)² − m², from the mapping (no cancellation).
    public let d1: Double, d2: Double
    /// dcosθ*/dy = D₁D₂/a.
    public let jacobian: Double
  }

  /// The point of slice `slice` at mapped variable y ∈ [−Y, Y] and dimuon-frame azimuth φ*.
  public func point(in slice: Slice, y: Double, phi: Double = 0) -> Point {
    let a = slice.a, b = slice.b
    let by = b * y
    let d1 = 2 * a / (1 + exp(2 * by))
    let d2 = 2 * a / (1 + exp(-2 * by))
    let c: Double
    var sin2: Double
    if b > 1e-6 * a {
      c = a * tanh(by) / b
      // 1 ∓ c from D₁,₂ − (a − b) = b(1 ∓ c): accurate next to the collinear edges.
      let oneMinus = max(0, (d1 - slice.aMinusB) / b)
      let onePlus = max(0, (d2 - slice.aMinusB) / b)
      sin2 = oneMinus * onePlus
    } else {
      c = min(1, max(-1, a * y))
      sin2 = (1 - c) * (1 + c)
    }
    sin2 = min(1, max(0, sin2))
    let s = sin2.squareRoot()
    let cosC = min(1, max(-1, c))
    let p = slice.muonMomentumStar
    let e = slice.muonEnergyStar
    let px = p * s * cos(phi), py = p * s * sin(phi), pz = p * cosC
    let muStar = FourVector(e, px, py, pz)
    let antiStar = FourVector(e, -px, -py, -pz)
    let beta = slice.dimuonBeta
    let muon = muStar.boostedAlongZ(beta: beta)
    let antimuon = antiStar.boostedAlongZ(beta: beta)
    let zPrime = FourVector(slice.energy, 0, 0, slice.momentum)
    return Point(muon: muon, antimuon: antimuon, zPrime: zPrime, cosThetaStar: cosC, d1: d1, d2: d2,
                 jacobian: d1 * d2 / a)
  }
}
