/// The tree-level amplitude of e⁺(p₂) e⁻(p₁) → γ* → µ⁻(k₁) µ⁺(k₂) Z′(k), with the Z′ (a massive
/// vector with vector coupling g′ to muons, the Lµ−Lτ boson) radiated off either muon and the muon
/// mass m kept:
///
///     M = (e² g′ / q²) · [v̄(p₂) γ_α u(p₁)] · T^α,       q = p₁ + p₂,
///     T^α = ū(k₁) [ ε̸* (k̸₁ + k̸ + m) γ^α / D₁  +  γ^α (−k̸₂ − k̸ + m) ε̸* / D₂ ] v(k₂),
///     D₁ = (k₁ + k)² − m² = M² + 2k₁·k,   D₂ = (k₂ + k)² − m² = M² + 2k₂·k.
///
/// Both diagrams carry the same charges (the muon has charge −1 under the photon and +1 under
/// Lµ−Lτ on the same fermion line), so they add with a relative plus sign; overall phases drop
/// out of |M|².
///
/// The muon side is evaluated numerically with explicit Dirac spinors (``DiracSpinor``) into the
/// hadronic tensor H^{αβ} = Σ_{spins, pol} T^α T^{β*}; the electron side is the analytic trace
/// L_{αβ} = Σ [v̄γ_α u][v̄γ_β u]* = 4[p₁_α p₂_β + p₂_α p₁_β − g_{αβ}(p₁·p₂ + m_e²)].
///
/// The Z′ polarisation sum is Σ ε_µ ε*_ν = −g_µν + k_µk_ν/M². Because the muon current is
/// conserved, k_µ T^{µ…} = 0 and the k_µk_ν/M² term does not contribute; ``PolarizationSum/metric``
/// uses −g_µν (numerically stable at small M), ``PolarizationSum/physical`` the three explicit
/// polarisation vectors (two transverse, one longitudinal ∝ (|k⃗|, E k̂)/M). The tests check that
/// the two agree and that T vanishes when ε is replaced by k (Z′ current conservation) and when T is
/// contracted with q (photon current conservation, so that T⁰ = 0 in the c.m. frame).
public struct DimuonZPrimeAmplitude: Sendable {
  /// m_µ in GeV (a tiny value gives the massless-muon limit).
  public let muonMass: Double
  /// M_Z′ in GeV.
  public let zPrimeMass: Double

  /// How the Z′ polarisations are summed.
  public enum PolarizationSum: Sendable {
    /// −g_µν (the k_µk_ν/M² term dropped by current conservation).
    case metric
    /// The three physical polarisation vectors of the massive Z′.
    case physical
  }

  public init(muonMass: Double = PhysicalConstants.muonMass, zPrimeMass: Double) {
    self.muonMass = muonMass
    self.zPrimeMass = zPrimeMass
  }

  /// T^α (contravariant, α = 0…3) for the muon spin `muonSpin`, antimuon spin `antimuonSpin`
  /// (0 or 1 each, see ``DiracSpinor``) and a real Z′ polarisation vector `epsilon` (ε* = ε).
  public func current(k1: FourVector, k2: FourVector, k: FourVector, polarization epsilon: FourVector,
                      muonSpin: Int, antimuonSpin: Int) -> [Complex] {
    let m = muonMass
    let d1 = (k1 + k) * (k1 + k) - m * m
    let d2 = (k2 + k) * (k2 + k) - m * m
    let ubar = DiracSpinor.u(k1, mass: m, spin: muonSpin)
    let v = DiracSpinor.v(k2, mass: m, spin: antimuonSpin)
    let x = v.slash(epsilon).propagated(-(k2 + k), mass: m, denominator: d2)
    return (0..<4).map { alpha in
      let w = v.gamma(alpha).propagated(k1 + k, mass: m, denominator: d1)
      return ubar.barDot(w.slash(epsilon) + x.gamma(alpha))
    }
  }

  /// The Z′ polarisation vectors for momentum k, with the sign each carries in the polarisation
  /// sum: for ``PolarizationSum/metric`` the unit vectors e₀…e₃ with −g_µµ = (−1, +1, +1, +1);
  /// for ``PolarizationSum/physical`` two transverse vectors and the longitudinal one, each +1.
  public func polarizations(of k: FourVector, sum: PolarizationSum) -> [(vector: FourVector, sign: Double)] {
    switch sum {
    case .metric:
      return [(.unit(0), -1), (.unit(1), 1), (.unit(2), 1), (.unit(3), 1)]
    case .physical:
      let p = k.momentum
      let M = zPrimeMass
      guard p > 0 else { return [(.unit(1), 1), (.unit(2), 1), (.unit(3), 1)] }
      let n = (k.x / p, k.y / p, k.z / p)
      // e1 ⟂ n: pick the axis least aligned with n.
      let a: (Double, Double, Double) = abs(n.0) < 0.6 ? (1, 0, 0) : (abs(n.1) < 0.6 ? (0, 1, 0) : (0, 0, 1))
      let dot = a.0 * n.0 + a.1 * n.1 + a.2 * n.2
      var e1 = (a.0 - dot * n.0, a.1 - dot * n.1, a.2 - dot * n.2)
      let l1 = (e1.0 * e1.0 + e1.1 * e1.1 + e1.2 * e1.2).squareRoot()
      e1 = (e1.0 / l1, e1.1 / l1, e1.2 / l1)
      let e2 = (n.1 * e1.2 - n.2 * e1.1, n.2 * e1.0 - n.0 * e1.2, n.0 * e1.1 - n.1 * e1.0)
      let longitudinal = FourVector(p / M, k.t / M * n.0, k.t / M * n.1, k.t / M * n.2)
      return [(FourVector(0, e1.0, e1.1, e1.2), 1), (FourVector(0, e2.0, e2.1, e2.2), 1), (longitudinal, 1)]
    }
  }

  /// H^{αβ} = Σ_{muon spins, Z′ polarisations} T^α T^{β*}.
  ///
  /// - Complexity: 4 spin combinations × 3–4 polarisations × 4 components, with one allocation;
  ///   about a microsecond in a release build.
  public func hadronicTensor(k1: FourVector, k2: FourVector, k: FourVector,
                             polarizationSum: PolarizationSum = .metric) -> HadronicTensor {
    let m = muonMass
    let p1 = k1 + k, p2 = -(k2 + k)
    let d1 = p1 * p1 - m * m
    let d2 = (k2 + k) * (k2 + k) - m * m
    let physical = polarizationSum == .physical ? polarizations(of: k, sum: .physical) : []
    let count = physical.isEmpty ? 4 : physical.count
    let ubar0 = DiracSpinor.u(k1, mass: m, spin: 0)
    let ubar1 = DiracSpinor.u(k1, mass: m, spin: 1)
    var h = HadronicTensor()
    h.components.withUnsafeMutableBufferPointer { c in
      for s2 in 0..<2 {
        let v = DiracSpinor.v(k2, mass: m, spin: s2)
        // S₁ γ^α v for the four α, shared by every polarisation.
        let w0 = v.gamma(0).propagated(p1, mass: m, denominator: d1)
        let w1 = v.gamma(1).propagated(p1, mass: m, denominator: d1)
        let w2 = v.gamma(2).propagated(p1, mass: m, denominator: d1)
        let w3 = v.gamma(3).propagated(p1, mass: m, denominator: d1)
        for p in 0..<count {
          // −g_µν: e₀ with −1, e₁…e₃ with +1.
          let eps = physical.isEmpty ? FourVector.unit(p) : physical[p].vector
          let sign = physical.isEmpty ? (p == 0 ? -1.0 : 1.0) : physical[p].sign
          let x = v.slash(eps).propagated(p2, mass: m, denominator: d2)
          let y0 = w0.slash(eps) + x.gamma(0)
          let y1 = w1.slash(eps) + x.gamma(1)
          let y2 = w2.slash(eps) + x.gamma(2)
          let y3 = w3.slash(eps) + x.gamma(3)
          for s1 in 0..<2 {
            let ubar = s1 == 0 ? ubar0 : ubar1
            let t = (ubar.barDot(y0), ubar.barDot(y1), ubar.barDot(y2), ubar.barDot(y3))
            HadronicTensor.accumulate(c, t, weight: sign)
          }
        }
      }
    }
    return h
  }

  /// Σ|M|² averaged over the e⁺e⁻ spins, for couplings e² = 4πα and g′:
  /// (1/4) · e⁴ g′² / (q²)² · L_{αβ} H^{αβ}. Electron mass `electronMass` (0 by default: at
  /// √s = 10.58 GeV its effect is O(m_e²/s) ≈ 10⁻⁹).
  public func squaredAmplitude(p1: FourVector, p2: FourVector, k1: FourVector, k2: FourVector, k: FourVector,
                               alpha: Double = PhysicalConstants.fineStructure, coupling gPrime: Double = 1,
                               electronMass: Double = 0,
                               polarizationSum: PolarizationSum = .metric) -> Double {
    let h = hadronicTensor(k1: k1, k2: k2, k: k, polarizationSum: polarizationSum)
    let q = p1 + p2
    let e2 = 4 * Double.pi * alpha
    return 0.25 * e2 * e2 * gPrime * gPrime / ((q * q) * (q * q)) * h.contracted(p1: p1, p2: p2, electronMass: electronMass)
  }
}

/// The muon-side tensor H^{αβ} (contravariant indices), Hermitian: H^{βα} = (H^{αβ})*.
public struct HadronicTensor: Sendable {
  /// Row-major components H^{αβ} at index 4α + β.
  public internal(set) var components: [Complex] = Array(repeating: .zero, count: 16)

  public init() {}

  /// H^{αβ}.
  public subscript(alpha: Int, beta: Int) -> Complex { components[4 * alpha + beta] }

  /// c[4a + b] += weight · t_a t_b*.
  @inline(__always)
  static func accumulate(_ c: UnsafeMutableBufferPointer<Complex>, _ t: (Complex, Complex, Complex, Complex), weight: Double) {
    let a0 = weight * t.0, a1 = weight * t.1, a2 = weight * t.2, a3 = weight * t.3
    let b0 = t.0.conjugate, b1 = t.1.conjugate, b2 = t.2.conjugate, b3 = t.3.conjugate
    c[0] += a0 * b0; c[1] += a0 * b1; c[2] += a0 * b2; c[3] += a0 * b3
    c[4] += a1 * b0; c[5] += a1 * b1; c[6] += a1 * b2; c[7] += a1 * b3
    c[8] += a2 * b0; c[9] += a2 * b1; c[10] += a2 * b2; c[11] += a2 * b3
    c[12] += a3 * b0; c[13] += a3 * b1; c[14] += a3 * b2; c[15] += a3 * b3
  }

  /// −g_{αβ} H^{αβ} = −H⁰⁰ + H¹¹ + H²² + H³³: in the e⁺e⁻ c.m. frame, where H^{0β} = 0,
  /// the spatial trace; the orientation average of L_{αβ}H^{αβ} is (4s/3) times it.
  public var minusMetricTrace: Double {
    -components[0].re + components[5].re + components[10].re + components[15].re
  }

  /// n_i n_j H^{ij} for a unit 3-vector n.
  public func projected(onto n: (Double, Double, Double)) -> Double {
    let a = [n.0, n.1, n.2]
    var s = 0.0
    for i in 0..<3 { for j in 0..<3 { s += a[i] * a[j] * components[4 * (i + 1) + (j + 1)].re } }
    return s
  }

  /// L_{αβ} H^{αβ} with the electron tensor L_{αβ} = 4[p₁_α p₂_β + p₂_α p₁_β − g_{αβ}(p₁·p₂ + m_e²)].
  public func contracted(p1: FourVector, p2: FourVector, electronMass me: Double = 0) -> Double {
    let g: [Double] = [1, -1, -1, -1]
    var pp = Complex.zero  // p1_α p2_β H^{αβ}
    var trace = 0.0         // g_{αβ} H^{αβ}
    for a in 0..<4 {
      trace += g[a] * components[5 * a].re
      for b in 0..<4 {
        pp += (g[a] * p1[a] * g[b] * p2[b]) * components[4 * a + b]
      }
    }
    return 4 * (2 * pp.re - (p1 * p2 + me * me) * trace)
  }
}
