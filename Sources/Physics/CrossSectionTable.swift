import Foundation
import GSL

/// σ(e⁺e⁻ → µ⁺µ⁻Z′) at g′ = 1 tabulated over the Z′ mass and interpolated: what the rest of the
/// toolkit uses (limits → couplings, signal yields), at nanoseconds per look-up.
///
/// The table ``belleII`` (√s = 10.58 GeV, α = 1/137.036) is generated once by
/// `zptoys xsec --table --out Sources/Physics/CrossSectionTable+Data.swift` (VEGAS, about 10⁶ calls
/// per mass and per column, a few minutes) and committed as a Swift array literal, so that no run
/// pays for it. Columns: the Born σ and σ with initial-state radiation (``InitialStateRadiation``),
/// each with its VEGAS uncertainty.
///
/// **Interpolation.** Near the kinematic limit M → √s − 2m_µ, σ vanishes like Δ³ (Δ = √s − 2m_µ − M:
/// non-relativistic three-body phase space ∝ Δ² times |M|² ∝ Δ, a P-wave at threshold; measured
/// exponent 3.01 between Δ = 3 and 1 MeV), so the smooth function tabulated is ln(σ/Δ³), against
/// u = ln(M/Δ) — like ln M at low mass, where σ varies with ln²M, and like −ln Δ near the limit, so
/// that nodes uniform in u are dense where σ falls fast (a node every ≈ 0.3 GeV at 8 GeV). It is
/// interpolated by a cubic Hermite spline with slopes from the three-point formula (error O(h³);
/// the tests bound it by 0.1% against direct VEGAS at mid-points). Beyond the end nodes the end
/// slopes extrapolate linearly; masses at or above the limit give 0.
public struct CrossSectionTable: Sendable {
  /// One tabulated mass.
  public struct Entry: Sendable, Equatable, Codable {
    /// M_Z′ in GeV.
    public var mass: Double
    /// Born σ and its VEGAS uncertainty, fb.
    public var sigmaBorn: Double, uncertaintyBorn: Double
    /// σ with ISR and its VEGAS uncertainty, fb.
    public var sigmaISR: Double, uncertaintyISR: Double

    public init(mass: Double, sigmaBorn: Double, uncertaintyBorn: Double, sigmaISR: Double, uncertaintyISR: Double) {
      self.mass = mass
      self.sigmaBorn = sigmaBorn
      self.uncertaintyBorn = uncertaintyBorn
      self.sigmaISR = sigmaISR
      self.uncertaintyISR = uncertaintyISR
    }
  }

  /// √s in GeV, α and m_µ the table was made with.
  public let sqrtS: Double, alpha: Double, muonMass: Double
  /// The nodes, by increasing mass.
  public let entries: [Entry]

  /// u = ln(M/Δ) at the nodes.
  private let nodeU: [Double]
  private let bornValues: [Double]
  private let isrValues: [Double]

  /// - Throws: ``PhysicsError`` unless the masses increase strictly, lie below √s − 2m_µ, and every
  ///   σ is positive and finite (at least two entries).
  public init(sqrtS: Double, alpha: Double, muonMass: Double, entries: [Entry]) throws {
    guard entries.count >= 2 else { throw PhysicsError("a cross-section table needs at least two masses") }
    let limit = sqrtS - 2 * muonMass
    for (i, e) in entries.enumerated() {
      guard e.mass > 0, e.mass < limit, e.sigmaBorn > 0, e.sigmaBorn.isFinite, e.sigmaISR > 0, e.sigmaISR.isFinite else {
        throw PhysicsError("cross-section table entry \(i) (M = \(e.mass) GeV) is invalid: masses in (0, \(limit)) GeV and positive σ needed")
      }
      if i > 0, e.mass <= entries[i - 1].mass {
        throw PhysicsError("cross-section table masses must increase: entry \(i) has \(e.mass) GeV after \(entries[i - 1].mass) GeV")
      }
    }
    self.sqrtS = sqrtS
    self.alpha = alpha
    self.muonMass = muonMass
    self.entries = entries
    nodeU = entries.map { log($0.mass / (limit - $0.mass)) }
    let delta3 = entries.map { pow(limit - $0.mass, 3) }
    bornValues = zip(entries, delta3).map { log($0.sigmaBorn / $1) }
    isrValues = zip(entries, delta3).map { log($0.sigmaISR / $1) }
  }

  /// The kinematic limit √s − 2m_µ.
  public var massLimit: Double { sqrtS - 2 * muonMass }

  /// σ(g′ = 1) in fb at `mass`, interpolated (Born, or with ISR).
  ///
  /// - Throws: ``PhysicsError`` for a non-positive or non-finite mass.
  /// - Complexity: O(log n).
  public func sigma(mass: Double, isr: Bool = false) throws -> Double {
    try PhysicsError.checkMass(mass)
    guard mass < massLimit else { return 0 }
    let v = Self.hermite(nodeU, isr ? isrValues : bornValues, log(mass / (massLimit - mass)))
    return exp(v) * pow(massLimit - mass, 3)
  }

  /// The relative VEGAS uncertainty of the nearest node (the interpolation adds ≲ 10⁻³).
  public func relativeUncertainty(mass: Double, isr: Bool = false) -> Double {
    let i = entries.indices.min { abs(entries[$0].mass - mass) < abs(entries[$1].mass - mass) }!
    let e = entries[i]
    return isr ? e.uncertaintyISR / e.sigmaISR : e.uncertaintyBorn / e.sigmaBorn
  }

  /// The table for (√s, α, m_µ) if the committed one was made with them (to 10⁻⁹), else nil.
  public static func standard(sqrtS: Double = PhysicalConstants.belleIISqrtS, alpha: Double = PhysicalConstants.fineStructure,
                              muonMass: Double = PhysicalConstants.muonMass) -> CrossSectionTable? {
    let t = belleII
    func same(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * abs(b) }
    return same(t.sqrtS, sqrtS) && same(t.alpha, alpha) && same(t.muonMass, muonMass) ? t : nil
  }

  /// Cubic Hermite interpolation with three-point (non-uniform) slopes; linear extrapolation of
  /// the end intervals' cubics beyond the nodes.
  static func hermite(_ x: [Double], _ y: [Double], _ at: Double) -> Double {
    let n = x.count
    var i: Int
    if at <= x[0] { i = 0 } else if at >= x[n - 1] { i = n - 2 } else {
      var lo = 0, hi = n - 1
      while hi - lo > 1 {
        let mid = (lo + hi) / 2
        if x[mid] <= at { lo = mid } else { hi = mid }
      }
      i = lo
    }
    func slope(_ k: Int) -> Double {
      if k == 0 { return (y[1] - y[0]) / (x[1] - x[0]) }
      if k == n - 1 { return (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2]) }
      let h0 = x[k] - x[k - 1], h1 = x[k + 1] - x[k]
      let d0 = (y[k] - y[k - 1]) / h0, d1 = (y[k + 1] - y[k]) / h1
      return (h1 * d0 + h0 * d1) / (h0 + h1)
    }
    let h = x[i + 1] - x[i]
    let t = (at - x[i]) / h
    if at < x[0] { return y[0] + slope(0) * (at - x[0]) }
    if at > x[n - 1] { return y[n - 1] + slope(n - 1) * (at - x[n - 1]) }
    let t2 = t * t, t3 = t2 * t
    return (2 * t3 - 3 * t2 + 1) * y[i] + (t3 - 2 * t2 + t) * h * slope(i)
      + (-2 * t3 + 3 * t2) * y[i + 1] + (t3 - t2) * h * slope(i + 1)
  }

  // MARK: - Generation

  /// The generator's mass nodes: `count` (64) masses uniform in u = ln(M/Δ) from 5 MeV to
  /// 30 MeV below the kinematic limit (10.339 GeV at √s = 10.58 GeV).
  public static func defaultMasses(sqrtS: Double = PhysicalConstants.belleIISqrtS,
                                   muonMass: Double = PhysicalConstants.muonMass, count: Int = 64) -> [Double] {
    let limit = sqrtS - 2 * muonMass
    let lo = log(0.005 / (limit - 0.005)), hi = log((limit - 0.03) / 0.03)
    return (0..<count).map { i in
      let u = lo + (hi - lo) * Double(i) / Double(count - 1)
      return limit * exp(u) / (1 + exp(u))  // M/Δ = e^u ⇒ M = limit·e^u/(1 + e^u)
    }
  }

  /// Computes a table by VEGAS (Born and ISR columns), one random stream per mass and column
  /// (keys from `seed`, study `.physics`, mass index i, toy index 0 for Born and 1 for ISR), so each
  /// entry is reproducible alone.
  public static func generate(masses: [Double], born: BornCrossSection = BornCrossSection(),
                              options: Vegas.Options = Vegas.Options().scaled(by: 5), seed: UInt64 = 1,
                              progress: ((Entry) -> Void)? = nil) throws -> CrossSectionTable {
    let isr = InitialStateRadiation(sqrtS: born.sqrtS, alpha: born.alpha)
    var entries: [Entry] = []
    for (i, m) in masses.enumerated() {
      let b = try born.sigma(mass: m, options: options,
                             using: RandomStream(StreamKey(seed: seed, study: .physics, massIndex: i, toyIndex: 0)))
      let r = try isr.sigma(mass: m, born: born, options: options.scaled(by: 2),
                            using: RandomStream(StreamKey(seed: seed, study: .physics, massIndex: i, toyIndex: 1)))
      let e = Entry(mass: m, sigmaBorn: b.sigma, uncertaintyBorn: b.uncertainty, sigmaISR: r.sigma, uncertaintyISR: r.uncertainty)
      progress?(e)
      entries.append(e)
    }
    return try CrossSectionTable(sqrtS: born.sqrtS, alpha: born.alpha, muonMass: born.muonMass, entries: entries)
  }

  /// The Swift source of `CrossSectionTable+Data.swift` holding this table as ``belleII``.
  public func swiftSource(command: String) -> String {
    func g(_ x: Double) -> String { String(format: "%.9e", x) }
    var s = """
      // Generated by `\(command)`: do not edit by hand.
      // σ(e+e- → µ+µ-Z′) at g′ = 1 in fb: (mass GeV, Born σ, ±, ISR σ, ±), VEGAS uncertainties.

      extension CrossSectionTable {
        /// The committed table: √s = \(sqrtS) GeV, α = 1/\(String(format: "%.3f", 1 / alpha)), m_µ = \(muonMass) GeV.
        public static let belleII: CrossSectionTable = {
          let rows: [(Double, Double, Double, Double, Double)] = [

      """
    for e in entries {
      s += "      (\(g(e.mass)), \(g(e.sigmaBorn)), \(g(e.uncertaintyBorn)), \(g(e.sigmaISR)), \(g(e.uncertaintyISR))),\n"
    }
    s += """
          ]
          // The literal is checked by the tests (PhysicsTests); a failure here is a corrupted file.
          return try! CrossSectionTable(
            sqrtS: \(sqrtS), alpha: 1 / \(String(format: "%.3f", 1 / alpha)), muonMass: \(muonMass),
            entries: rows.map { Entry(mass: $0.0, sigmaBorn: $0.1, uncertaintyBorn: $0.2, sigmaISR: $0.3, uncertaintyISR: $0.4) })
        }()
      }

      """
    return s
  }
}
