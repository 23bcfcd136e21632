import Experiment
import Foundation
import GSL

/// The sampler of a background process: a mixture of its components' shape samplers, each
/// chosen with probability yield / total yield. One uniform number picks the component; the
/// components share the unit interval from the last one down (the last takes [0, y_last/Y)),
/// so that a process of one component draws no extra number.
public struct BackgroundSampler: TruthSampler {
  public let process: BackgroundProcess
  let samplers: [any TruthSampler]
  /// thresholds[k] = Σ_{j ≥ k} y_j / Y: component k is chosen when u < thresholds[k] and
  /// u ≥ thresholds[k + 1].
  let thresholds: [Double]

  public init(process: BackgroundProcess, config: ExperimentConfig) {
    self.process = process
    samplers = process.components.enumerated().map { k, c in shapeSampler(c.shape, component: k, config: config) }
    let total = process.totalYield
    var t = [Double](repeating: 0, count: process.components.count)
    var above = 0.0
    for k in stride(from: process.components.count - 1, through: 0, by: -1) {
      above += process.components[k].yield
      t[k] = total > 0 ? above / total : (k == 0 ? 1 : 0)
    }
    thresholds = t
  }

  public func draw(_ rng: RandomStream) -> TruthRecoil {
    if samplers.count == 1 { return samplers[0].draw(rng) }
    let u = rng.uniform()
    for k in stride(from: samplers.count - 1, to: 0, by: -1) where u < thresholds[k] { return samplers[k].draw(rng) }
    return samplers[0].draw(rng)
  }
}

/// The sampler of one shape family (the registry of families: one case each).
func shapeSampler(_ shape: ShapeFamily, component: Int, config: ExperimentConfig) -> any TruthSampler {
  switch shape {
  case .singlePhoton(let p): SinglePhotonSampler(parameters: p, component: component)
  case .gapBands(let p): GapBandSampler(parameters: p, component: component, config: config)
  case .continuum(let p): ContinuumSampler(parameters: p, component: component, beams: config.beams)
  }
}

/// A single undetected photon (µµ(γ) below 1 GeV²): M² = 0, energy dN/dE ∝ 1/E, direction
/// dN/dcosθ* ∝ 1/(1 − b²cos²θ*).
public struct SinglePhotonSampler: TruthSampler {
  let parameters: ShapeFamily.SinglePhoton
  let component: Int

  public func draw(_ rng: RandomStream) -> TruthRecoil {
    let lo = parameters.energyRange.lowerBound, hi = parameters.energyRange.upperBound
    let e = lo * exp(rng.uniform() * log(hi / lo))
    return TruthRecoil(m2: 0, cosTheta: drawCollinear(rng, b: parameters.collinearityB), energy: e, momentum: e, component: component)
  }
}

/// e+e− → µ+µ−γγ with one photon collinear with a beam (outside the acceptance) and one into a
/// gap between the ECL barrel and an endcap (paper): the recoil is their sum, which draws two
/// bands in the θ_cm–M² plane.
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
public struct GapBandSampler: TruthSampler {
  let parameters: ShapeFamily.GapBands
  let component: Int
  let kin: Kinematics
  let gapsLab: [ClosedRange<Double>]

  init(parameters: ShapeFamily.GapBands, component: Int, config: ExperimentConfig) {
    self.parameters = parameters
    self.component = component
    kin = Kinematics(beams: config.beams)
    let c = config.calorimeter
    gapsLab = [c.forwardEndcap.upperBound...c.barrel.lowerBound, c.barrel.upperBound...c.backwardEndcap.lowerBound]
  }

  public func draw(_ rng: RandomStream) -> TruthRecoil {
    let blo = parameters.gapPhotonEnergyRange.lowerBound, bhi = parameters.gapPhotonEnergyRange.upperBound
    for _ in 0..<1000 {
      let m2 = drawTruncatedExponential(rng, range: parameters.m2Range, slope: parameters.m2Slope, rising: false)
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
      return TruthRecoil(m2: m2, cosTheta: pz / p, energy: e, momentum: p, component: component)
    }
    // No physical configuration in 1000 tries (the parameters put the bands beyond the kinematic
    // limit): a recoil at rest, which the acceptance (transverse momentum > minimum ≥ 0) always
    // rejects, so that the generator reports that the process does not reach the selection.
    return TruthRecoil(m2: 0, cosTheta: 1, energy: 0, momentum: 0, component: component)
  }
}

/// A recoil continuum (ττ(γ) τ → µνν, two-photon e+e−µ+µ−): M² from its law on the range, the
/// recoil's c.m. energy from a µµ system of invariant mass uniform in its range (unphysical draws
/// are redrawn), the c.m. angle from the angular law.
public struct ContinuumSampler: TruthSampler {
  let parameters: ShapeFamily.Continuum
  let component: Int
  let kin: Kinematics

  init(parameters: ShapeFamily.Continuum, component: Int, beams: ExperimentConfig.Beams) {
    self.parameters = parameters
    self.component = component
    kin = Kinematics(beams: beams)
  }

  public func draw(_ rng: RandomStream) -> TruthRecoil {
    let p = parameters
    while true {
      let m2: Double
      switch p.m2Law {
      case .gamma2:
        m2 = rng.gamma(shape: 2, scale: p.m2Slope)
        guard p.m2Range.contains(m2) else { continue }
      case .risingExponential: m2 = drawTruncatedExponential(rng, range: p.m2Range, slope: p.m2Slope, rising: true)
      case .fallingExponential: m2 = drawTruncatedExponential(rng, range: p.m2Range, slope: p.m2Slope, rising: false)
      }
      guard let (e, momentum) = recoilMomentum(rng, m2: m2, mumuMass: p.mumuMassRange, kin: kin) else { continue }
      let cosTheta: Double = switch p.angular {
      case .collinear(let b): drawCollinear(rng, b: b)
      case .onePlusACos2(let a): drawOnePlusACos2(rng, a: a)
      }
      return TruthRecoil(m2: m2, cosTheta: cosTheta, energy: e, momentum: momentum, component: component)
    }
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
