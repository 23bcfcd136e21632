import Foundation

/// The selection's geometric rules on the reconstructed recoil (paper, "offline analysis"):
/// the first region whose `m2_below_gev2` exceeds the recoil's M² applies; the recoil's lab
/// polar angle must be inside its range and outside its excluded intervals, and the recoil's
/// c.m. transverse momentum above `min_recoil_pt_cm_gev`.
public struct AcceptanceRules: Sendable {
  @usableFromInline let below: [Double]
  @usableFromInline let lo: [Double]
  @usableFromInline let hi: [Double]
  @usableFromInline let excluded: [[ClosedRange<Double>]]
  /// The same rules in cosθ_lab (cos decreases with θ: θ ∈ [a, b] ⟺ cosθ ∈ [cos b, cos a]).
  @usableFromInline let cosLo: [Double]
  @usableFromInline let cosHi: [Double]
  @usableFromInline let cosExcluded: [[ClosedRange<Double>]]
  public let minPtCM: Double

  public init(_ a: ExperimentConfig.Acceptance) {
    below = a.regions.map(\.m2Below)
    lo = a.regions.map(\.thetaLabRange.lowerBound)
    hi = a.regions.map(\.thetaLabRange.upperBound)
    excluded = a.regions.map(\.thetaLabExcluded)
    func c(_ deg: Double) -> Double { cos(deg * Double.pi / 180) }
    cosLo = a.regions.map { c($0.thetaLabRange.upperBound) }
    cosHi = a.regions.map { c($0.thetaLabRange.lowerBound) }
    cosExcluded = a.regions.map { $0.thetaLabExcluded.map { c($0.upperBound)...c($0.lowerBound) } }
    minPtCM = a.minRecoilPtCM
  }

  /// The same test in cosθ_lab: no inverse trigonometric function on the hot path.
  @inlinable
  public func accepts(m2: Double, cosThetaLab: Double, ptCM: Double) -> Bool {
    guard ptCM > minPtCM else { return false }
    var r = 0
    while r < below.count - 1 && m2 >= below[r] { r += 1 }
    guard cosThetaLab >= cosLo[r], cosThetaLab <= cosHi[r] else { return false }
    for ex in cosExcluded[r] where ex.contains(cosThetaLab) { return false }
    return true
  }

  /// Whether a recoil of reconstructed `m2`, lab angle `thetaLab` (degrees) and c.m. transverse
  /// momentum `ptCM` (GeV) passes.
  @inlinable
  public func accepts(m2: Double, thetaLab: Double, ptCM: Double) -> Bool {
    guard ptCM > minPtCM else { return false }
    var r = 0
    while r < below.count - 1 && m2 >= below[r] { r += 1 }
    guard thetaLab >= lo[r], thetaLab <= hi[r] else { return false }
    for ex in excluded[r] where ex.contains(thetaLab) { return false }
    return true
  }
}
