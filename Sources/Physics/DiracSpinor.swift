/// A four-component Dirac spinor in the Dirac (Bjorken–Drell) representation,
///
///     γ⁰ = ( 1  0 )      γⁱ = (  0   σⁱ )
///          ( 0 −1 ),           ( −σⁱ  0  ),
///
/// with the Dirac matrices applied to it by explicit formulas (no 4×4 matrix products), which is
/// all the numerical amplitudes of ``DimuonZPrimeAmplitude`` need.
///
/// Spinors are normalised to ūu = 2m, v̄v = −2m, so that the spin sums are
/// Σ u ū = p̸ + m and Σ v v̄ = p̸ − m (Bjorken & Drell; Peskin & Schroeder eq. (3.66) in the chiral
/// representation): with the two-component basis ξ ∈ {(1,0), (0,1)},
///
///     u(p, ξ) = ( √(E+m) ξ ; (σ⃗·p⃗) ξ / √(E+m) ),   v(p, ξ) = ( (σ⃗·p⃗) ξ / √(E+m) ; √(E+m) ξ ).
///
/// Any orthonormal ξ basis gives the same spin sums; helicity states are not needed because every
/// cross section here is summed over spins.
public struct DiracSpinor: Hashable, Sendable {
  public var c0: Complex
  public var c1: Complex
  public var c2: Complex
  public var c3: Complex

  @inlinable public init(_ c0: Complex, _ c1: Complex, _ c2: Complex, _ c3: Complex) {
    self.c0 = c0
    self.c1 = c1
    self.c2 = c2
    self.c3 = c3
  }

  public static let zero = DiracSpinor(.zero, .zero, .zero, .zero)

  /// The component i (0…3).
  public subscript(i: Int) -> Complex {
    switch i {
    case 0: c0
    case 1: c1
    case 2: c2
    default: c3
    }
  }

  /// σ⃗·p⃗ applied to the two-component (a, b).
  @inlinable static func sigmaDot(_ p: FourVector, _ a: Complex, _ b: Complex) -> (Complex, Complex) {
    // σ·p = [[pz, px − i py], [px + i py, −pz]]
    let m = Complex(p.x, -p.y)
    let n = Complex(p.x, p.y)
    return (p.z * a + m * b, n * a - p.z * b)
  }

  /// The particle spinor u(p, s) for a fermion of mass m, spin index s ∈ {0, 1} (ξ = e_s).
  @inlinable public static func u(_ p: FourVector, mass m: Double, spin s: Int) -> DiracSpinor {
    let n = (p.t + m).squareRoot()
    let (a, b) = s == 0 ? (Complex.one, Complex.zero) : (Complex.zero, Complex.one)
    let (l0, l1) = sigmaDot(p, a, b)
    return DiracSpinor(n * a, n * b, (1 / n) * l0, (1 / n) * l1)
  }

  /// The antiparticle spinor v(p, s) for a fermion of mass m, spin index s ∈ {0, 1} (η = e_s).
  @inlinable public static func v(_ p: FourVector, mass m: Double, spin s: Int) -> DiracSpinor {
    let n = (p.t + m).squareRoot()
    let (a, b) = s == 0 ? (Complex.one, Complex.zero) : (Complex.zero, Complex.one)
    let (u0, u1) = sigmaDot(p, a, b)
    return DiracSpinor((1 / n) * u0, (1 / n) * u1, n * a, n * b)
  }

  /// γ^µ ψ (upper index µ ∈ 0…3).
  @inlinable public func gamma(_ mu: Int) -> DiracSpinor {
    switch mu {
    case 0: return DiracSpinor(c0, c1, -c2, -c3)
    case 1: return DiracSpinor(c3, c2, -c1, -c0)
    case 2: return DiracSpinor(-c3.timesI, c2.timesI, c1.timesI, -c0.timesI)
    default: return DiracSpinor(c2, -c3, -c0, c1)
    }
  }

  /// p̸ ψ = (γ^µ p_µ) ψ = (p⁰γ⁰ − p¹γ¹ − p²γ² − p³γ³) ψ for a real four-vector p.
  @inlinable public func slash(_ p: FourVector) -> DiracSpinor {
    let ip2 = Complex(0, p.y)
    return DiracSpinor(
      p.t * c0 - p.x * c3 + ip2 * c3 - p.z * c2,
      p.t * c1 - p.x * c2 - ip2 * c2 + p.z * c3,
      -p.t * c2 + p.x * c1 - ip2 * c1 + p.z * c0,
      -p.t * c3 + p.x * c0 + ip2 * c0 - p.z * c1)
  }

  /// ψ̄ χ = ψ† γ⁰ χ (the Dirac adjoint of `self` times `other`).
  @inlinable public func barDot(_ other: DiracSpinor) -> Complex {
    c0.conjugate * other.c0 + c1.conjugate * other.c1 - c2.conjugate * other.c2 - c3.conjugate * other.c3
  }

  @inlinable public static func + (a: DiracSpinor, b: DiracSpinor) -> DiracSpinor {
    DiracSpinor(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2, a.c3 + b.c3)
  }
  @inlinable public static func - (a: DiracSpinor, b: DiracSpinor) -> DiracSpinor {
    DiracSpinor(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2, a.c3 - b.c3)
  }
  @inlinable public static func * (k: Double, a: DiracSpinor) -> DiracSpinor {
    DiracSpinor(k * a.c0, k * a.c1, k * a.c2, k * a.c3)
  }
  @inlinable public static func * (k: Complex, a: DiracSpinor) -> DiracSpinor {
    DiracSpinor(k * a.c0, k * a.c1, k * a.c2, k * a.c3)
  }

  /// (p̸ + m) ψ / d: a fermion propagator numerator over its denominator d = p² − m².
  @inlinable public func propagated(_ p: FourVector, mass m: Double, denominator d: Double) -> DiracSpinor {
    (1 / d) * (slash(p) + m * self)
  }
}
