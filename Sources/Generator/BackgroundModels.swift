import Experiment
import Foundation
import GSL

/// e+e− → µ+µ−(γ) after the selection (paper): a single undetected photon at M² ≈ 0, and for
/// 1–50 GeV² two photons, one collinear with a beam (outside the acceptance), one into a gap
/// between the ECL barrel and an endcap; the recoil is their sum, which draws two bands in the
/// θ_cm–M² plane.
///
/// Band kinematics (c.m. frame): the gap photon has lab angle θ_g uniform inside a gap, hence
/// c.m. angle θ₂* = arccos((cosθ_g − β)/(1 − β cosθ_g)), and energy b (dN/db ∝ 1/b in the
/// configured range); the beam photon runs along the beam of the opposite hemisphere (−z for the
/// forward gap, +z for the backward gap: the same-hemisphere pairing cannot reach M² of tens of
/// GeV² within the kinematic limit). With α the angle between the photons, M² = 2ab(1 − cosα)
/// fixes the beam photon's energy a, and the recoil direction obeys
/// tanθ_r = b·sinθ₂*/(∓a + b·cosθ₂*): at M² → 0 each band starts at its gap's c.m. angle
/// (≈ 41° and ≈ 141°) and swings towards 90° as M² grows — two bands, whose width comes from the
/// spread of b and of the gap angles.
public struct MuMuSampler: TruthSampler {
  let single: ExperimentConfig.SinglePhotonModel
  let bands: ExperimentConfig.GapBandModel
  let kin: Kinematics
  /// Probability of the gap-band component.
  public let bandFraction: Double
  let gapsLab: [ClosedRange<Double>]

  public init(config: ExperimentConfig) {
    single = config.processes.mumu.singlePhoton
    bands = config.processes.mumu.gapBands
    kin = Kinematics(beams: config.beams)
    let total = single.yield + bands.yield
    bandFraction = total > 0 ? bands.yield / total : 0
    let c = config.calorimeter
    gapsLab = [c.forwardEndcap.upperBound...c.barrel.lowerBound, c.barrel.upperBound...c.backwardEndcap.lowerBound]
  }

  public func draw(_ rng: RandomStream) -> TruthRecoil {
    if rng.uniform() >= bandFraction { return drawSinglePhoton(rng) }
    return drawBand(rng)
  }

  /// One photon: M² = 0, energy dN/dE ∝ 1/E, direction ∝ 1/(1 − b²cos²θ*).
  func drawSinglePhoton(_ rng: RandomStream) -> TruthRecoil {
    let lo = single.energyRange.lowerBound, hi = single.energyRange.upperBound
    let e = lo * exp(rng.uniform() * log(hi / lo))
    return TruthRecoil(m2: 0, cosTheta: drawCollinear(rng, b: single.collinearityB), energy: e, momentum: e, component: 0)
  }

  func drawBand(_ rng: RandomStream) -> TruthRecoil {
    let blo = bands.gapPhotonEnergyRange.lowerBound, bhi = bands.gapPhotonEnergyRange.upperBound
    for _ in 0..<1000 {
      let m2 = drawTruncatedExponential(rng, range: bands.m2Range, slope: bands.m2Slope, rising: false)
      let b = blo * exp(rng.uniform() * log(bhi / blo))  // gap photon energy, dN/dE ∝ 1/E
      let forwardGap = rng.uniform() < 0.5
      let gap = gapsLab[forwardGap ? 0 : 1]
      let thetaLab = rng.uniform(gap.lowerBound, gap.upperBound) * Double.pi / 180
      let cl = cos(thetaLab)
      let c2 = (cl - kin.beta) / (1 - kin.beta * cl)  // c.m. cosθ₂* of the gap photon
      let s2 = (max(0, 1 - c2 * c2)).squareRoot()
      // The beam photon runs into the opposite hemisphere (−z for the forward gap, +z for the
      // backward one): only then can M² reach tens of GeV² within the kinematic limit.
      let sign: Double = forwardGap ? -1 : 1
      let oneMinusCosAlpha = 1 - sign * c2
      let a = m2 / (2 * b * oneMinusCosAlpha)
      let e = a + b
      guard e <= (kin.s + m2) / (2 * kin.sqrtS) else { continue }  // the muons need E ≥ 0
      let px = b * s2, pz = sign * a + b * c2
      let p = (px * px + pz * pz).squareRoot()
      guard p > 0 else { continue }
      return TruthRecoil(m2: m2, cosTheta: pz / p, energy: e, momentum: p, component: 1)
    }
    // Unreachable for validated configurations.
    return drawSinglePhoton(rng)
  }
}

/// Draws the recoil's c.m. energy and momentum for recoil mass² `m2` against a µµ system of mass
/// uniform in `range`; nil when unphysical (E* < M).

func recoilMomentum(_ rng: RandomStream, m2: Double, mumuMass range: ClosedRange<Double>, kin: Kinematics) -> (Double, Double)? {
  let mmm = rng.uniform(range.lowerBound, range.upperBound)
  let e = kin.recoilEnergy(m2: m2, m2mumu: mmm * mmm)
  let p2 = e * e - m2
  guard e > 0, p2 > 0 else { return nil }
  return (e, p2.squareRoot())
}

/// e+e− → τ+τ−(γ), τ → µνν: a broad residual below ≈ 50 GeV² after the Punzi-net (paper).
/// M² ∝ M²·exp(−M²/λ) (a Γ(2, λ) shape) truncated to the range; dN/dcosθ* ∝ 1 + cos²θ*; µµ
/// invariant mass uniform in its range.
public struct TauTauSampler: TruthSampler {
  let model: ExperimentConfig.TauTauModel
  let kin: Kinematics

  public init(config: ExperimentConfig) {
    model = config.processes.tautau
    kin = Kinematics(beams: config.beams)
  }

  public func draw(_ rng: RandomStream) -> TruthRecoil {
    while true {
      let m2 = rng.gamma(shape: 2, scale: model.m2Slope)
      guard model.m2Range.contains(m2) else { continue }
      guard let (e, p) = recoilMomentum(rng, m2: m2, mumuMass: model.mumuMassRange, kin: kin) else { continue }
      return TruthRecoil(m2: m2, cosTheta: drawOnePlusACos2(rng, a: 1), energy: e, momentum: p)
    }
  }
}

/// e+e− → e+e−µ+µ− (two-photon), electrons lost along the beams: the irreducible background
/// above 50 GeV² (paper). M² ∝ exp(+M²/λ) on its range (rising to the kinematic limit),
/// dN/dcosθ* ∝ 1/(1 − b²cos²θ*), low µµ invariant mass.
public struct EEMuMuSampler: TruthSampler {
  let model: ExperimentConfig.EEMuMuModel
  let kin: Kinematics

  public init(config: ExperimentConfig) {
    model = config.processes.eemumu
    kin = Kinematics(beams: config.beams)
  }

  public func draw(_ rng: RandomStream) -> TruthRecoil {
    while true {
      let m2 = drawTruncatedExponential(rng, range: model.m2Range, slope: model.m2Slope, rising: true)
      guard let (e, p) = recoilMomentum(rng, m2: m2, mumuMass: model.mumuMassRange, kin: kin) else { continue }
      return TruthRecoil(m2: m2, cosTheta: drawCollinear(rng, b: model.collinearityB), energy: e, momentum: p)
    }
  }
}
