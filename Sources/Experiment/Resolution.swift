/// The detector's recoil resolution.
///
/// σ(M²) is the Gaussian width of the reconstructed M²_recoil for a recoil of true M²
/// (paper: 0.06 GeV² at 80 GeV² to 0.23 GeV² at 9 GeV²); the same curve sets the mass-grid step
/// and the search-window bin widths. For M² below the first knot (negative reconstructed M² in
/// particular) the first knot's value holds.
public struct Resolution: Sendable, Equatable {
  public var curve: PiecewiseLinear
  /// Gaussian width of θ_cm_recoil, in degrees.
  public var thetaCMSigma: Double

  public init(curve: PiecewiseLinear, thetaCMSigma: Double) {
    self.curve = curve
    self.thetaCMSigma = thetaCMSigma
  }

  /// σ(M²) in GeV².
  @inlinable public func sigma(m2: Double) -> Double { curve(m2) }
}
