/// The shape families a background component can take: truth-level densities in
/// (M²_recoil, θ_cm_recoil) with the recoil's c.m. energy and momentum. Their samplers are in
/// `Generator/ShapeSamplers.swift`; each family's kinematics is documented there.
public enum ShapeFamily: Sendable, Equatable {
  /// A single undetected photon: M² = 0, dN/dE ∝ 1/E in `energyRange`, dN/dcosθ* ∝
  /// 1/(1 − b²cos²θ*).
  case singlePhoton(SinglePhoton)
  /// Two photons, one along a beam and one into a barrel–endcap gap of the calorimeter: the two
  /// bands of µµ(γ) in the θ_cm–M² plane.
  case gapBands(GapBands)
  /// A recoil of M² drawn from a law on a range, a µµ system of mass uniform in a range (which
  /// fixes the recoil's momentum), and an angular law.
  case continuum(Continuum)

  public struct SinglePhoton: Sendable, Equatable {
    public var energyRange: ClosedRange<Double>
    public var collinearityB: Double
  }

  public struct GapBands: Sendable, Equatable {
    public var m2Range: ClosedRange<Double>
    public var m2Slope: Double
    public var gapPhotonEnergyRange: ClosedRange<Double>
  }

  public struct Continuum: Sendable, Equatable {
    public var m2Law: M2Law
    public var m2Range: ClosedRange<Double>
    public var m2Slope: Double
    public var angular: AngularLaw
    public var mumuMassRange: ClosedRange<Double>
  }

  /// The M² density of a continuum on its range.
  public enum M2Law: String, Sendable, Equatable, CaseIterable {
    /// M²·e^(−M²/slope) (a Γ(2, slope) law), drawn until it falls inside the range.
    case gamma2
    /// e^(+M²/slope), rising to the top of the range (inverse CDF).
    case risingExponential = "rising-exponential"
    /// e^(−M²/slope), falling from the bottom of the range (inverse CDF).
    case fallingExponential = "falling-exponential"
  }

  /// The c.m. polar-angle density of the recoil.
  public enum AngularLaw: Sendable, Equatable {
    /// dN/dcosθ* ∝ 1/(1 − b²cos²θ*): peaked along the beams (`collinearity_b: b`).
    case collinear(b: Double)
    /// dN/dcosθ* ∝ 1 + a·cos²θ* (`theta_cm_a: a`).
    case onePlusACos2(a: Double)
  }

  public static let names = ["single-photon", "gap-bands", "continuum"]

  static func read(_ r: YAMLReader) throws -> ShapeFamily {
    let shapeReader = try r.at("shape")
    switch try shapeReader.string() {
    case "single-photon":
      let b = try r.at("collinearity_b")
      return .singlePhoton(SinglePhoton(energyRange: try positiveRange(r, "energy_range_gev"), collinearityB: try collinearity(b)))
    case "gap-bands":
      return .gapBands(GapBands(m2Range: try r.range("m2_range_gev2"), m2Slope: try positive(r, "m2_slope_gev2"),
                                gapPhotonEnergyRange: try positiveRange(r, "gap_photon_energy_range_gev")))
    case "continuum":
      let lawReader = try r.at("m2_law")
      let lawText = try lawReader.string()
      guard let law = M2Law(rawValue: lawText) else {
        throw lawReader.error("must be one of \(M2Law.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(lawText)\"")
      }
      return .continuum(Continuum(m2Law: law, m2Range: try r.range("m2_range_gev2"), m2Slope: try positive(r, "m2_slope_gev2"),
                                  angular: try angular(r), mumuMassRange: try r.range("mumu_mass_range_gev")))
    case let other:
      throw shapeReader.error("unknown shape family \"\(other)\" (known: \(names.joined(separator: ", ")))")
    }
  }

  /// Exactly one of `collinearity_b` and `theta_cm_a`.
  static func angular(_ r: YAMLReader) throws -> AngularLaw {
    switch (r.has("collinearity_b"), r.has("theta_cm_a")) {
    case (true, false): return .collinear(b: try collinearity(try r.at("collinearity_b")))
    case (false, true):
      let a = try r.at("theta_cm_a")
      let v = try a.double()
      guard v >= -1, v <= 10 else { throw a.error("must be in [−1, 10] so that 1 + a·cos²θ stays non-negative, got \(v)") }
      return .onePlusACos2(a: v)
    default: throw r.error("give exactly one angular law: collinearity_b (1/(1 − b²cos²θ*)) or theta_cm_a (1 + a·cos²θ*)")
    }
  }

  static func collinearity(_ r: YAMLReader) throws -> Double {
    let b = try r.double()
    guard b >= 0, b < 1 else { throw r.error("must be in [0, 1), got \(b)") }
    return b
  }

  static func positive(_ r: YAMLReader, _ key: String) throws -> Double {
    let x = try r.at(key)
    let v = try x.double()
    guard v > 0 else { throw x.error("must be positive, got \(v)") }
    return v
  }

  static func positiveRange(_ r: YAMLReader, _ key: String) throws -> ClosedRange<Double> {
    let v = try r.range(key)
    guard v.lowerBound > 0 else { throw r.error("energies must be positive", at: r.path + "." + key) }
    return v
  }
}
