import Experiment
import Foundation
import GSL
import Physics

/// The energy spectrum of the Z′ in e+e− → µ+µ−Z′ at fixed M, from the massless-muon
/// double-differential cross section (the Lµ−Lτ radiation function; Physics/MasslessMuonLimit.swift):
///
///     (1/σ0) d²σ/dx1dx2 = (α′/2π) [((x1+µ)² + (x2+µ)²)/((1−x1)(1−x2)) − µ/(1−x1)² − µ/(1−x2)²]
///
/// with µ = M²/s and xi = 2Ei/√s. On the line x_Z′ = 2 − x1 − x2 the Dalitz region is
/// u(x_Z′ − u) ≥ µ with u = 1 − x1, i.e. u ∈ [u−, u+], u± = (x_Z′ ± √(x_Z′² − 4µ))/2. The marginal
/// dσ/dx_Z′ is integrated in v = ln(u/(x_Z′ − u)), which flattens the collinear peaks
/// (du/(u(x_Z′−u)) = dv/x_Z′), by Simpson's rule, and tabulated on a grid in x_Z′ that is uniform
/// in ln(x_Z′ − 2√µ + ε); draws invert the tabulated CDF with linear interpolation.
public struct ZPrimeEnergySpectrum: Sendable {
  public let mass: Double
  public let sqrtS: Double
  /// Grid of x_Z′ and the CDF at each point (0 … 1).
  let x: [Double]
  let cdf: [Double]

  public init(mass: Double, sqrtS: Double, points: Int = 256) {
    self.mass = mass
    self.sqrtS = sqrtS
    let mu = mass * mass / (sqrtS * sqrtS)
    let xmin = 2 * mu.squareRoot()
    let xmax = 1 + mu
    // Grid dense near the lower edge (soft Z′ is the collinear peak).
    let eps = max(1e-6, 1e-3 * (xmax - xmin))
    let a = log(eps), b = log(xmax - xmin + eps)
    var xs = [Double](repeating: 0, count: points)
    for i in 0..<points {
      xs[i] = xmin + exp(a + (b - a) * Double(i) / Double(points - 1)) - eps
    }
    xs[0] = xmin
    xs[points - 1] = xmax
    var dens = [Double](repeating: 0, count: points)
    for i in 0..<points { dens[i] = ZPrimeEnergySpectrum.marginal(xZ: xs[i], mu: mu) }
    var c = [Double](repeating: 0, count: points)
    for i in 1..<points { c[i] = c[i - 1] + 0.5 * (dens[i] + dens[i - 1]) * (xs[i] - xs[i - 1]) }
    let total = c[points - 1]
    if total > 0 { for i in 0..<points { c[i] /= total } } else {
      for i in 0..<points { c[i] = Double(i) / Double(points - 1) }
    }
    x = xs
    cdf = c
  }

  /// dσ/dx_Z′ up to a constant.
  static func marginal(xZ: Double, mu: Double) -> Double {
    let disc = xZ * xZ - 4 * mu
    guard disc > 0 else { return 0 }
    let r = disc.squareRoot()
    let um = 0.5 * (xZ - r), up = 0.5 * (xZ + r)
    guard um > 0 else { return 0 }
    let vlo = log(um / (xZ - um)), vhi = log(up / (xZ - up))
    let n = 64
    let h = (vhi - vlo) / Double(n)
    var sum = 0.0
    for k in 0...n {
      let v = vlo + h * Double(k)
      let u = xZ / (1 + exp(-v))  // u/(xZ−u) = e^v
      let w = xZ - u
      let x1 = 1 - u, x2 = 1 - w
      let f = ((x1 + mu) * (x1 + mu) + (x2 + mu) * (x2 + mu)) / (u * w) - mu / (u * u) - mu / (w * w)
      let jac = u * w / xZ  // du = (u w / xZ) dv
      let wt: Double = (k == 0 || k == n) ? 1 : (k % 2 == 1 ? 4 : 2)
      sum += wt * max(f, 0) * jac
    }
    return sum * h / 3
  }

  /// Draws x_Z′ = 2E*/√s.

  public func drawX(_ rng: RandomStream) -> Double {
    let u = rng.uniform()
    var lo = 0, hi = cdf.count - 1
    while hi - lo > 1 {
      let mid = (lo + hi) >> 1
      if cdf[mid] <= u { lo = mid } else { hi = mid }
    }
    let span = cdf[hi] - cdf[lo]
    let t = span > 0 ? (u - cdf[lo]) / span : 0
    return x[lo] + t * (x[hi] - x[lo])
  }
}

/// The Z′ signal: narrow (M² = M²_Z′) or, with a width fraction F > 0, a relativistic
/// Breit–Wigner in M², f(M²) ∝ 1/((M² − M²_Z′)² + M²_Z′Γ²) with Γ = F·M_Z′ (a Cauchy distribution
/// in M² of half-width M_Z′Γ, truncated to the physical range [0, (√s − 2mµ)²]).
///
/// The Z′ (recoil) c.m. energy and polar angle come from the production kinematics:
/// - `kinematics: matrix-element` (default): Physics' ``SignalKinematics``, tabulated from the
///   tree-level e+e− → µ+µ−Z′ matrix element with the muon mass kept (energy spectrum, and the
///   exact 1 + a(E)·cos²θ* angular law of one-photon annihilation);
/// - `kinematics: parametric`: the energy spectrum of the massless-muon formula
///   (``ZPrimeEnergySpectrum``) and dN/dcosθ* ∝ 1 + a·cos²θ* with a = `theta_cm_a`.
/// For a wide Z′ the energy is drawn at the nominal mass and kept, with E* ≥ M.
public struct SignalSampler: TruthSampler {
  public let mass: Double
  public let widthFraction: Double
  public let thetaA: Double
  let spectrum: ZPrimeEnergySpectrum
  let kinematics: SignalKinematics?
  let sqrtS: Double
  let m2Max: Double

  public static let muonMass = 0.1056583755

  public init(mass: Double, widthFraction: Double, config: ExperimentConfig) throws {
    self.mass = mass
    self.widthFraction = widthFraction
    thetaA = config.signal.thetaCMA
    sqrtS = config.beams.sqrtS
    spectrum = ZPrimeEnergySpectrum(mass: mass, sqrtS: sqrtS)
    kinematics = config.signal.kinematics == .matrixElement
      ? try SignalKinematicsCache.shared.table(mass: mass, sqrtS: sqrtS) : nil
    let mmax = sqrtS - 2 * SignalSampler.muonMass
    m2Max = mmax * mmax
  }

  public func draw(_ rng: RandomStream) -> TruthRecoil {
    let m2Nominal = mass * mass
    var m2 = m2Nominal
    if widthFraction > 0 {
      let halfWidth = m2Nominal * widthFraction  // M·Γ = F·M²
      repeat { m2 = m2Nominal + rng.cauchy(halfWidth: halfWidth) } while m2 <= 0 || m2 >= m2Max
    }
    let energy: Double, cosTheta: Double
    if let k = kinematics {
      let p = k.draw(using: rng)
      energy = p.energy
      cosTheta = p.cosTheta
    } else {
      energy = 0.5 * spectrum.drawX(rng) * sqrtS
      cosTheta = drawOnePlusACos2(rng, a: thetaA)
    }
    let e = max(energy, m2.squareRoot())  // the recoil stays physical for the drawn mass
    let p = (max(0, e * e - m2)).squareRoot()
    return TruthRecoil(m2: m2, cosTheta: cosTheta, energy: e, momentum: p)
  }
}
