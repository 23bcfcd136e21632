import Detector
import Foundation
import GSL

/// One reconstructed event: the smeared recoil and its truth.
public struct Event: Sendable, Equatable {
  /// Reconstructed M²_recoil [GeV²] and θ_cm_recoil [degrees].
  public var m2: Double
  public var thetaCM: Double
  /// Reconstructed lab polar angle of the recoil [degrees].
  public var thetaLab: Double
  /// Truth.
  public var trueM2: Double
  public var trueThetaCM: Double
  public var component: Int
}

/// Truth → detector: M² smeared by a Gaussian of width σ(M²_true), θ_cm by a Gaussian of width
/// `resolution.theta_cm_sigma_deg` (reflected into [0°, 180°]); the lab angle follows from the
/// smeared direction and the truth c.m. momentum; then the acceptance rules.
public struct EventGenerator: Sendable {
  public let detector: DetectorModel
  public let sampler: any TruthSampler
  /// When false, every smeared event is returned (acceptance not applied).
  public let applyAcceptance: Bool

  public init(detector: DetectorModel, sampler: any TruthSampler, applyAcceptance: Bool = true) {
    self.detector = detector
    self.sampler = sampler
    self.applyAcceptance = applyAcceptance
  }

  /// Smears one truth recoil; nil when it fails the acceptance.

  public func reconstruct(_ t: TruthRecoil, _ rng: RandomStream) -> Event? {
    let res = detector.resolution
    let m2 = t.m2 + rng.gaussian(sigma: res.sigma(m2: t.m2))
    let trueTheta = acos(min(1, max(-1, t.cosTheta))) * (180 / Double.pi)
    var theta = trueTheta
    if res.thetaCMSigma > 0 {
      theta += rng.gaussian(sigma: res.thetaCMSigma)
      if theta < 0 { theta = -theta }
      if theta > 180 { theta = 360 - theta }
    }
    let c = cos(theta * Double.pi / 180)
    let thetaLab = detector.kinematics.labTheta(energy: t.energy, momentum: t.momentum, cosTheta: c)
    if applyAcceptance {
      let pt = t.momentum * (max(0, 1 - c * c)).squareRoot()
      guard detector.acceptance.accepts(m2: m2, thetaLab: thetaLab, ptCM: pt) else { return nil }
    }
    return Event(m2: m2, thetaCM: theta, thetaLab: thetaLab, trueM2: t.m2, trueThetaCM: trueTheta, component: t.component)
  }

  /// Draws until `count` events pass, calling `sink` with each; returns the number of truth
  /// events drawn (so acceptance = count / drawn).
  ///
  /// - Throws: ``GeneratorError/acceptanceTooLow`` when over `maxTries` truth events give none.
  @discardableResult
  public func generate(count: Int, rng: RandomStream, maxTries: Int = 1_000_000, _ sink: (Event) -> Void) throws -> Int {
    var drawn = 0
    var kept = 0
    var sinceLast = 0
    while kept < count {
      let t = sampler.draw(rng)
      drawn += 1
      sinceLast += 1
      if let e = reconstruct(t, rng) {
        sink(e)
        kept += 1
        sinceLast = 0
      } else if sinceLast > maxTries {
        throw GeneratorError.acceptanceTooLow(tries: maxTries)
      }
    }
    return drawn
  }
}

public enum GeneratorError: Error, CustomStringConvertible, Equatable {
  case acceptanceTooLow(tries: Int)
  case invalidRequest(String)

  public var description: String {
    switch self {
    case .acceptanceTooLow(let n):
      "no event passed the acceptance in \(n) consecutive tries: the process does not reach the selected region"
    case .invalidRequest(let s): s
    }
  }
}
