import Foundation

/// The collision frame: √s and the boost from the c.m. frame to the laboratory along +z (the
/// electron direction, the detector axis).
public struct Kinematics: Sendable, Equatable {
  public let sqrtS: Double
  public let s: Double
  /// The boost's β and γ (βγ = 0.28 for Belle II).
  public let beta: Double
  public let gamma: Double

  public init(beams: ExperimentConfig.Beams) {
    sqrtS = beams.sqrtS
    s = beams.sqrtS * beams.sqrtS
    gamma = (1 + beams.boostBetaGamma * beams.boostBetaGamma).squareRoot()
    beta = beams.boostBetaGamma / gamma
  }

  /// The recoil's c.m. energy for recoil mass² `m2` against a µµ system of mass² `m2mumu`:
  /// E* = (s + M²_recoil − M²_µµ) / (2√s).
  @inlinable
  public func recoilEnergy(m2: Double, m2mumu: Double) -> Double {
    (s + m2 - m2mumu) / (2 * sqrtS)
  }

  /// Lab polar angle (degrees) of a c.m. momentum with energy `e`, magnitude `p` and polar angle
  /// cosθ* = `cosTheta`: p_z,lab = γ(p cosθ* + βE), p_T unchanged.
  @inlinable
  public func labTheta(energy e: Double, momentum p: Double, cosTheta: Double) -> Double {
    let sinTheta = (max(0, 1 - cosTheta * cosTheta)).squareRoot()
    let pz = gamma * (p * cosTheta + beta * e)
    return atan2(p * sinTheta, pz) * (180 / Double.pi)
  }

  /// cosθ_lab of a c.m. momentum with energy `e`, magnitude `p`, cosθ* = `cosTheta` and
  /// sinθ* = `sinTheta` (≥ 0).
  @inlinable
  public func labCosTheta(energy e: Double, momentum p: Double, cosTheta: Double, sinTheta: Double) -> Double {
    let pz = gamma * (p * cosTheta + beta * e)
    let pt = p * sinTheta
    let norm = (pz * pz + pt * pt).squareRoot()
    return norm > 0 ? pz / norm : 1
  }

  /// The c.m. polar angle (degrees) of a massless particle at lab angle `thetaLab` (degrees):
  /// cosθ* = (cosθ − β) / (1 − β cosθ).
  public func cmThetaOfMassless(labTheta thetaLab: Double) -> Double {
    let c = cos(thetaLab * Double.pi / 180)
    return acos((c - beta) / (1 - beta * c)) * 180 / Double.pi
  }
}
