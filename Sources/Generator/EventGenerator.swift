import Experiment
import Foundation
import GSL

/// One reconstructed event: the smeared recoil and its truth. Angles are stored as cosines (what
/// the generator computes without inverse trigonometry); the degree values are derived.
public struct Event: Sendable, Equatable {
  /// Reconstructed M²_recoil [GeV²].
  public var m2: Double
  /// Reconstructed cosθ_cm_recoil.
  public var cosThetaCM: Double
  /// Reconstructed cosθ_lab of the recoil (NaN when unknown, e.g. for user event files).
  public var cosThetaLab: Double
  /// Truth.
  public var trueM2: Double
  public var trueCosThetaCM: Double
  public var component: Int

  public init(m2: Double, cosThetaCM: Double, cosThetaLab: Double, trueM2: Double, trueCosThetaCM: Double, component: Int) {
    self.m2 = m2
    self.cosThetaCM = cosThetaCM
    self.cosThetaLab = cosThetaLab
    self.trueM2 = trueM2
    self.trueCosThetaCM = trueCosThetaCM
    self.component = component
  }

  /// Reconstructed θ_cm_recoil [degrees].
  public var thetaCM: Double { degrees(cosThetaCM) }
  /// Reconstructed θ_lab of the recoil [degrees].
  public var thetaLab: Double { degrees(cosThetaLab) }
  /// Truth θ_cm_recoil [degrees].
  public var trueThetaCM: Double { degrees(trueCosThetaCM) }
}

@inline(__always) func degrees(_ c: Double) -> Double {
  c.isNaN ? .nan : acos(min(1, max(-1, c))) * (180 / Double.pi)
}

/// Truth → detector: M² smeared by a Gaussian of width σ(M²_true); the direction smeared in θ_cm
/// by a Gaussian δ of width `resolution.theta_cm_sigma_deg`, computed on the cosines,
/// cos(θ + δ) = cosθ·cosδ − sinθ·sinδ, which also reflects smeared angles into [0°, 180°]
/// (cos is even and 2π-periodic); the lab angle follows from the smeared direction and the
/// truth c.m. momentum; then the acceptance rules.
public struct EventGenerator: Sendable {
  public let detector: DetectorModel
  public let sampler: any TruthSampler
  /// When false, every smeared event is returned (acceptance not applied).
  public let applyAcceptance: Bool
  let resolution: PiecewiseLinear
  let thetaSigma: Double
  let kinematics: Kinematics
  let acceptance: AcceptanceRules

  public init(detector: DetectorModel, sampler: any TruthSampler, applyAcceptance: Bool = true) {
    self.detector = detector
    self.sampler = sampler
    self.applyAcceptance = applyAcceptance
    resolution = detector.resolution.curve
    thetaSigma = detector.resolution.thetaCMSigma * Double.pi / 180
    kinematics = detector.kinematics
    acceptance = detector.acceptance
  }

  /// Smears one truth recoil; nil when it fails the acceptance.
  public func reconstruct(_ t: TruthRecoil, _ rng: RandomStream) -> Event? {
    let m2 = t.m2 + rng.gaussian(sigma: resolution(t.m2))
    let c0 = min(1, max(-1, t.cosTheta))
    var c = c0
    if thetaSigma > 0 {
      let d = rng.gaussian(sigma: thetaSigma)
      let s0 = (1 - c0 * c0).squareRoot()
      let cd: Double, sd: Double
      if abs(d) < 0.05 {  // Taylor series: error < 1e-12
        let d2 = d * d
        cd = 1 - d2 * (0.5 - d2 / 24)
        sd = d * (1 - d2 / 6 * (1 - d2 / 20))
      } else {
        cd = cos(d)
        sd = sin(d)
      }
      c = min(1, max(-1, c0 * cd - s0 * sd))
    }
    let s = (1 - c * c).squareRoot()
    let cosLab = kinematics.labCosTheta(energy: t.energy, momentum: t.momentum, cosTheta: c, sinTheta: s)
    if applyAcceptance {
      guard acceptance.accepts(m2: m2, cosThetaLab: cosLab, ptCM: t.momentum * s) else { return nil }
    }
    return Event(m2: m2, cosThetaCM: c, cosThetaLab: cosLab, trueM2: t.m2, trueCosThetaCM: c0, component: t.component)
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
