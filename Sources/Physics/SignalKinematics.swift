import Foundation
import GSL

/// The Z′ (recoil) kinematics of signal events e⁺e⁻ → µ⁺µ⁻Z′ in the e⁺e⁻ c.m. frame, from the
/// matrix element (``DimuonZPrimeAmplitude``): a sampler of the Z′ energy E* and polar angle θ*
/// with respect to the e⁻ beam (+z), and acceptances of predicates on them.
///
/// **What is tabulated.** For one-photon annihilation of unpolarised beams the distribution of one
/// final-state particle's direction, at fixed energy, is exactly ∝ 1 + a·cos²θ* (the hadronic
/// tensor integrated over everything else has two structures). Here, with W = −g_{αβ}H^{αβ} and
/// H^{zz} along the Z′:
///
///     d²σ/dE dcosθ* ∝ ∫dy [(W + H^{zz}) + (W − 3H^{zz}) cos²θ*],   a(E) = (W − 3H^{zz})/(W + H^{zz}) ∈ [−1, 1].
///
/// So the table holds, for `energyBins` bins in ln E between M and E_max (bins in the variable that
/// flattens the soft-Z′ spectrum; the hardest one split geometrically towards E_max into up to six
/// more, where the spectrum is cut off within ≈ 2m_µ²/√s by the muon mass), the bin probability and
/// its a(E); the 2D cell probabilities over (x = 2E*/√s, cosθ*) follow analytically and are exposed
/// for histogram templates (``cellProbabilities``, `energyEdges.count − 1` rows).
///
/// **How.** Each bin is integrated by a product Gauss–Legendre rule (4 nodes in ln E through a
/// smoothstep that removes the square-root end points of the spectrum, 2 panels of 16
/// in the collinear-flattening variable y of ``RadiativePhaseSpace``), so a table is deterministic
/// and costs ≈ 8000 matrix-element evaluations: ≈ 20 ms in a release build. The sum of the bins
/// is the Born σ (``crossSection``), checked against VEGAS in the tests.
///
/// **Sampling** (``sample(_:_:_:)``): u₁ picks the energy bin (binary search of the cumulative
/// probabilities), u₂ the energy inside it from a linear density in ln E through the densities at
/// the bin edges (normalised to the bin's probability), u₃ the angle by inverting the cumulative
/// distribution of 1 + a·c² (Newton with bisection safeguard, 10⁻¹² in c). The azimuth is uniform
/// and independent. The beams are symmetric: the distribution is even in cosθ* at tree level.
///
/// Not included: initial-state radiation (which boosts the µ⁺µ⁻Z′ system along the beam; see
/// ``InitialStateRadiation/sampleEnergyFraction(maximum:using:)``), the Z′ width.
public struct SignalKinematics: Sendable {
  /// M_Z′, √s and m_µ in GeV.
  public let mass: Double, sqrtS: Double, muonMass: Double
  /// Bin edges in Z′ c.m. energy E* (GeV), log-spaced from M to E_max, the last bin refined.
  public let energyEdges: [Double]
  /// Bin edges in cosθ*, uniform on [−1, 1]: `angleBins` + 1 values.
  public let cosThetaEdges: [Double]
  /// The probability of each energy bin (sums to 1).
  public let energyProbabilities: [Double]
  /// a(E) of each energy bin: the angular density there is ∝ 1 + a·cos²θ*.
  public let angularCoefficients: [Double]
  /// dσ/d ln E at the energy edges (fb), for the within-bin linear shape.
  public let edgeDensities: [Double]
  /// Born σ(g′ = 1) in fb from the same quadrature.
  public let crossSection: Double

  private let cumulative: [Double]
  /// ln of `energyEdges` (sampling works in ln E).
  private let logEdges: [Double]
  /// Per energy bin, the inverse angular CDF c(u) at u = k/`angularNodes` (a starting point for
  /// two Newton steps, which then reach machine precision).
  private let angularInverse: [Double]
  static let angularNodes = 64

  /// A sampled Z′.
  public struct Point: Sendable, Equatable {
    /// E* in GeV (c.m. frame).
    public var energy: Double
    /// cosθ* with respect to the e⁻ beam (+z).
    public var cosTheta: Double
    /// |p⃗*| = √(E*² − M²) in GeV.
    public var momentum: Double
    /// x = 2E*/√s.
    public var x: Double
  }

  /// Builds the table for Z′ mass `mass`.
  ///
  /// - Parameters:
  ///   - energyBins: bins in ln E (40 by default: the density varies by < 10% across a bin).
  ///   - angleBins: bins in cosθ* for ``cellProbabilities`` (40).
  /// - Throws: ``PhysicsError`` when M ≤ 0 or M + 2m_µ ≥ √s (no phase space).
  /// - Complexity: O(energyBins × 130) matrix-element evaluations.
  public init(mass: Double, sqrtS: Double = PhysicalConstants.belleIISqrtS, muonMass: Double = PhysicalConstants.muonMass,
              alpha: Double = PhysicalConstants.fineStructure, energyBins: Int = 40, angleBins: Int = 40) throws {
    try PhysicsError.checkMass(mass)
    guard energyBins >= 1, angleBins >= 1 else { throw PhysicsError("signal kinematics needs at least one bin per axis") }
    let ps = RadiativePhaseSpace(sqrtS: sqrtS, muonMass: muonMass, zPrimeMass: mass)
    let range = ps.energyRange
    guard ps.isOpen, range.upperBound > range.lowerBound else {
      throw PhysicsError("no phase space for M = \(mass) GeV at √s = \(sqrtS) GeV (M + 2m_µ must be below √s)")
    }
    self.mass = mass
    self.sqrtS = sqrtS
    self.muonMass = muonMass
    let born = BornCrossSection(sqrtS: sqrtS, alpha: alpha, muonMass: muonMass)
    let edges = Self.energyEdges(range: range, bins: energyBins, sqrtS: sqrtS, muonMass: muonMass)
    energyEdges = edges
    let energyBins = edges.count - 1
    cosThetaEdges = (0...angleBins).map { -1 + 2 * Double($0) / Double(angleBins) }
    let slice = try SliceIntegral(ps: ps, born: born)
    let (probabilities, coefficients) = try Self.binIntegrals(edges: edges, slice: slice)
    let fb = PhysicalConstants.hbarCSquaredGeV2fb
    edgeDensities = energyEdges.map { e in e * slice(e).0 * fb }
    let total = probabilities.reduce(0, +)
    guard total > 0, total.isFinite else { throw PhysicsError("signal kinematics: σ = \(total) fb at M = \(mass) GeV") }
    crossSection = total
    energyProbabilities = probabilities.map { $0 / total }
    angularCoefficients = coefficients
    var c = [Double](repeating: 0, count: energyBins + 1)
    for i in 0..<energyBins { c[i + 1] = c[i] + energyProbabilities[i] }
    c[energyBins] = 1
    cumulative = c
    logEdges = edges.map { log($0) }
    angularInverse = Self.angularInverseTable(coefficients)
  }

  /// Bin edges uniform in ln E over the energy range, the hardest bin refined geometrically
  /// towards E_max: there the dimuon mass √Q² reaches 2m_µ and β̄₂ = √(1 − 4m²/Q²) cuts the
  /// spectrum off within E_max − E ≈ 2m_µ²/√s (≈ 2 MeV), a step the uniform bins cannot resolve
  /// (it cost 0.3% of the last bin's weight).
  static func energyEdges(range: ClosedRange<Double>, bins energyBins: Int, sqrtS: Double, muonMass: Double) -> [Double] {
    let t0 = log(range.lowerBound), t1 = log(range.upperBound)
    var edges = (0...energyBins).map { exp(t0 + (t1 - t0) * Double($0) / Double(energyBins)) }
    edges[0] = range.lowerBound
    edges[energyBins] = range.upperBound
    let width = edges[energyBins] - edges[energyBins - 1]
    let cutoffScale = 2 * muonMass * muonMass / sqrtS
    var refined: [Double] = []
    var d = width / 10
    while d > 0.01 * cutoffScale && refined.count < 6 {
      refined.append(range.upperBound - d)
      d /= 10
    }
    edges.insert(contentsOf: refined, at: energyBins)
    return edges
  }

  /// ∫dy over [−Y, Y] in two panels (16-point Gauss–Legendre each), of W·J and H^{zz}·J at Z′
  /// energy e: (dσ/dE in GeV⁻³, the same for zz).
  struct SliceIntegral {
    let ps: RadiativePhaseSpace
    let born: BornCrossSection
    let yRule: Integration.GaussLegendre

    init(ps: RadiativePhaseSpace, born: BornCrossSection) throws {
      self.ps = ps
      self.born = born
      yRule = try Integration.GaussLegendre(points: 16)
    }

    func callAsFunction(_ e: Double) -> (Double, Double) {
      let slice = ps.slice(energy: e)
      let Y = slice.yMax
      var w = 0.0, zz = 0.0
      for panel in [(-Y)...0, 0...Y] {
        for (y, wy) in yRule.points(over: panel) {
          let d = born.density(ps, slice: slice, y: y)
          w += wy * d.sigmaPerEnergyPerY
          // H^{zz} enters with the same weight relative to W.
          zz += d.trace > 0 ? wy * d.sigmaPerEnergyPerY * d.zz / d.trace : 0
        }
      }
      return (w, zz)
    }
  }

  /// Per energy bin: σ in fb (4-point Gauss–Legendre in ln E) and the angular coefficient a of
  /// 1 + a·cos²θ*, a = (W − 3H^{zz})/(W + H^{zz}) clamped to [−1, 1].
  static func binIntegrals(edges: [Double], slice: SliceIntegral) throws -> ([Double], [Double]) {
    let tRule = try Integration.GaussLegendre(points: 4)
    let edgesT = edges.map { log($0) }
    let energyBins = edges.count - 1
    let fb = PhysicalConstants.hbarCSquaredGeV2fb
    var probabilities = [Double](repeating: 0, count: energyBins)
    var coefficients = [Double](repeating: 0, count: energyBins)
    for i in 0..<energyBins {
      var w = 0.0, zz = 0.0
      // Smoothstep inside the bin (see BornCrossSection.unitSquareDensity(_:_:_:smoothstep:)): the √ end points of
      // the energy range, in the first and last bins, become smooth for the fixed rule.
      let h = edgesT[i + 1] - edgesT[i]
      for (v, wv) in tRule.points(over: 0...1) {
        let t = edgesT[i] + h * v * v * (3 - 2 * v)
        let wt = wv * h * 6 * v * (1 - v)
        let e = exp(t)
        let (a, b) = slice(e)
        w += wt * e * a
        zz += wt * e * b
      }
      probabilities[i] = w * fb
      coefficients[i] = w > 0 ? min(1, max(-1, (w - 3 * zz) / (w + zz))) : 0
    }
    return (probabilities, coefficients)
  }

  /// The inverse CDFs of 1 + a·cos²θ* per energy bin at ``angularNodes`` + 1 nodes.
  static func angularInverseTable(_ coefficients: [Double]) -> [Double] {
    let n = angularNodes
    var inv = [Double](repeating: 0, count: coefficients.count * (n + 1))
    for i in coefficients.indices {
      for k in 0...n { inv[i * (n + 1) + k] = invertAngular(coefficients[i], Double(k) / Double(n)) }
    }
    return inv
  }

  /// The probability of cell (energy bin i, angle bin j): P_i·∫(1 + a_i c²)dc / (2 + 2a_i/3).
  public func cellProbability(energyBin i: Int, angleBin j: Int) -> Double {
    let a = angularCoefficients[i]
    let lo = cosThetaEdges[j], hi = cosThetaEdges[j + 1]
    let integral = (hi - lo) + a * (hi * hi * hi - lo * lo * lo) / 3
    return energyProbabilities[i] * integral / (2 + 2 * a / 3)
  }

  /// The `energyBins` × `angleBins` cell probabilities, row-major by energy bin (sums to 1).
  public var cellProbabilities: [[Double]] {
    (0..<energyProbabilities.count).map { i in (0..<(cosThetaEdges.count - 1)).map { cellProbability(energyBin: i, angleBin: $0) } }
  }

  /// The Z′ for three uniform numbers in [0, 1) (see the type's description).
  public func sample(_ u1: Double, _ u2: Double, _ u3: Double) -> Point {
    // Energy bin.
    var lo = 0, hi = cumulative.count - 1
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if cumulative[mid] <= u1 { lo = mid } else { hi = mid }
    }
    let i = lo
    // ln E inside the bin from the linear density through the edge densities.
    let a = max(edgeDensities[i], 0), b = max(edgeDensities[i + 1], 0)
    let v: Double
    if a + b <= 0 || abs(b - a) < 1e-9 * (a + b) {
      v = u2
    } else {
      // ∫₀^v ((1−w)a + wb) dw = u·(a + b)/2  ⇒  v = (−a + √(a² + (b² − a²)u))/(b − a)
      v = (-a + (a * a + (b * b - a * a) * u2).squareRoot()) / (b - a)
    }
    let t0 = logEdges[i], t1 = logEdges[i + 1]
    let energy = min(max(exp(t0 + (t1 - t0) * v), energyEdges[i]), energyEdges[i + 1])
    let cosTheta = fastInvertAngular(bin: i, u3)
    let momentum = ((energy - mass) * (energy + mass)).squareRoot()
    return Point(energy: energy, cosTheta: cosTheta, momentum: momentum, x: 2 * energy / sqrtS)
  }

  /// A Z′ drawn with three uniforms from `stream`.
  public func draw(using stream: RandomStream) -> Point {
    sample(stream.uniform(), stream.uniform(), stream.uniform())
  }

  /// ``invertAngular(_:_:)`` from the tabulated inverse and two Newton steps (the CDF is a cubic
  /// with positive slope 1 + a·c² ≥ 0 for a ≥ −1; the table puts the start within ~1e-4).
  @inline(__always)
  func fastInvertAngular(bin i: Int, _ u: Double) -> Double {
    let n = Self.angularNodes
    let x = u * Double(n)
    let k = min(n - 1, Int(x))
    let base = i * (n + 1) + k
    var c = angularInverse[base] + (x - Double(k)) * (angularInverse[base + 1] - angularInverse[base])
    let a = angularCoefficients[i]
    let norm = 2 + 2 * a / 3
    for _ in 0..<2 {
      let f = ((c + 1) + a * (c * c * c + 1) / 3) / norm - u
      let slope = (1 + a * c * c) / norm
      guard slope > 1e-12 else { break }
      c -= f / slope
    }
    return min(1, max(-1, c))
  }

  /// The c in [−1, 1] with F(c) = u for the density ∝ 1 + a·c².
  static func invertAngular(_ a: Double, _ u: Double) -> Double {
    let norm = 2 + 2 * a / 3
    func f(_ c: Double) -> Double { ((c + 1) + a * (c * c * c + 1) / 3) / norm - u }
    var lo = -1.0, hi = 1.0
    var c = 2 * u - 1
    for _ in 0..<60 {
      let fc = f(c)
      if fc > 0 { hi = c } else { lo = c }
      let slope = (1 + a * c * c) / norm
      var next = slope > 0 ? c - fc / slope : 0.5 * (lo + hi)
      if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
      if abs(next - c) < 1e-13 { return next }
      c = next
    }
    return c
  }

  /// The fraction of signal events whose Z′ satisfies `predicate` (e.g. a lab-frame angular
  /// acceptance), by a deterministic midpoint rule of `energyPoints` × `anglePoints` points per
  /// energy bin, weighted by the tabulated density.
  ///
  /// - Complexity: O(energyBins × energyPoints × anglePoints) predicate calls.
  public func acceptance(energyPoints: Int = 4, anglePoints: Int = 64, where predicate: (Point) -> Bool) -> Double {
    var accepted = 0.0
    for i in 0..<energyProbabilities.count where energyProbabilities[i] > 0 {
      let a = angularCoefficients[i]
      let norm = 2 + 2 * a / 3
      let t0 = log(energyEdges[i]), t1 = log(energyEdges[i + 1])
      let ea = max(edgeDensities[i], 0), eb = max(edgeDensities[i + 1], 0)
      var binWeight = 0.0, binAccepted = 0.0
      for p in 0..<energyPoints {
        let v = (Double(p) + 0.5) / Double(energyPoints)
        let we = (1 - v) * ea + v * eb + (ea + eb == 0 ? 1 : 0)
        let energy = exp(t0 + (t1 - t0) * v)
        let momentum = ((energy - mass) * (energy + mass)).squareRoot()
        for q in 0..<anglePoints {
          let c = -1 + 2 * (Double(q) + 0.5) / Double(anglePoints)
          let w = we * (1 + a * c * c) / norm
          binWeight += w
          if predicate(Point(energy: energy, cosTheta: c, momentum: momentum, x: 2 * energy / sqrtS)) { binAccepted += w }
        }
      }
      if binWeight > 0 { accepted += energyProbabilities[i] * binAccepted / binWeight }
    }
    return accepted
  }
}

/// A thread-safe cache of ``SignalKinematics`` tables by (mass, √s), for generators that visit
/// hundreds of masses from several threads.
public final class SignalKinematicsCache: @unchecked Sendable {
  private var tables: [Key: SignalKinematics] = [:]
  private let lock = NSLock()

  private struct Key: Hashable {
    let mass: UInt64
    let sqrtS: UInt64
  }

  public init() {}

  /// The shared process-wide cache.
  public static let shared = SignalKinematicsCache()

  /// The table for `mass` at `sqrtS`, built on first use (outside the lock; a race builds it twice,
  /// harmlessly, since tables are deterministic).
  public func table(mass: Double, sqrtS: Double = PhysicalConstants.belleIISqrtS) throws -> SignalKinematics {
    let key = Key(mass: mass.bitPattern, sqrtS: sqrtS.bitPattern)
    lock.lock()
    if let t = tables[key] {
      lock.unlock()
      return t
    }
    lock.unlock()
    let t = try SignalKinematics(mass: mass, sqrtS: sqrtS)
    lock.lock()
    tables[key] = t
    lock.unlock()
    return t
  }
}
