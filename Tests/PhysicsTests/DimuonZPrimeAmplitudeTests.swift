import Foundation
import Testing
@testable import Physics

/// Momenta of µ⁻(x₁), µ⁺(x₂), Z′ in the c.m. frame for given energy fractions, Z′ along +z.
func dalitzMomenta(x1: Double, x2: Double, sqrtS: Double, muonMass m: Double, zMass M: Double)
  -> (k1: FourVector, k2: FourVector, k: FourVector)
{
  let e1 = x1 * sqrtS / 2, e2 = x2 * sqrtS / 2, eZ = sqrtS - e1 - e2
  let p1 = (e1 * e1 - m * m).squareRoot(), p2 = (e2 * e2 - m * m).squareRoot()
  let kz = (eZ * eZ - M * M).squareRoot()
  let c = (p2 * p2 - p1 * p1 - kz * kz) / (2 * p1 * kz)
  let s = (1 - c * c).squareRoot()
  let k1 = FourVector(e1, p1 * s, 0, p1 * c)
  let k = FourVector(eZ, 0, 0, kz)
  let k2 = FourVector(e2, -p1 * s, 0, -p1 * c - kz)
  return (k1, k2, k)
}

/// A point well inside the Dalitz region y₁y₂ ≥ µ, y₁ + y₂ ≤ 1 + µ (yᵢ = 1 − xᵢ), off the symmetry line.
func interiorPoint(mu: Double) -> (Double, Double) {
  let y = 0.5 * (mu.squareRoot() + (1 + mu) / 2)
  let (y1, y2) = (y * 1.01, y / 1.01)
  return (1 - y1, 1 - y2)
}

@Suite("Matrix element of e+e- → µ+µ-Z′")
struct DimuonZPrimeAmplitudeTests {
  let sqrtS = 10.58

  @Test("Massless-muon limit reproduces the analytic d²σ/dx₁dx₂ point by point")
  func masslessLimitPointByPoint() throws {
    // W = −g_{αβ}H^{αβ} relates to the formula by dσ/dx₁dx₂ = ⟨|M|²⟩/(256π³), ⟨|M|²⟩ = e⁴g′²W/(3s):
    // W = 8·F with F the bracket of the formula. Tolerance 1e-7: the corrections are O(m²/s) = 1e-14
    // for m = 1e-6 GeV; rounding in the near-cancelling propagators costs far less than 1e-7.
    let m = 1e-6
    for M in [0.3, 1.0, 4.0, 8.0] {
      let mu = M * M / (sqrtS * sqrtS)
      let amplitude = DimuonZPrimeAmplitude(muonMass: m, zPrimeMass: M)
      var checked = 0
      for x1 in stride(from: 0.005, through: 0.995, by: 0.01) {
        for x2 in stride(from: 0.005, through: 0.995, by: 0.01) {
          // Away from the edges of the Dalitz region.
          let y1 = 1 - x1, y2 = 1 - x2
          guard y1 * y2 > 1.02 * mu, y1 + y2 < 0.995 * (1 + mu) else { continue }
          let (k1, k2, k) = dalitzMomenta(x1: x1, x2: x2, sqrtS: sqrtS, muonMass: m, zMass: M)
          let w = amplitude.hadronicTensor(k1: k1, k2: k2, k: k).minusMetricTrace
          let f = MasslessMuonLimit.normalizedDoubleDifferential(x1: x1, x2: x2, mu: mu) / (1 / (8 * Double.pi * Double.pi))
          #expect(abs(w / (8 * f) - 1) < 1e-7, "M=\(M) x1=\(x1) x2=\(x2): W=\(w) 8F=\(8 * f)")
          checked += 1
        }
      }
      #expect(checked >= 5, "M=\(M): only \(checked) points")
    }
  }

  @Test("Orientation average of the full |M|² equals e⁴W/(3s)")
  func orientationAverage() {
    let M = 1.3, m = PhysicalConstants.muonMass
    let amplitude = DimuonZPrimeAmplitude(muonMass: m, zPrimeMass: M)
    let (k1, k2, k) = dalitzMomenta(x1: 0.6, x2: 0.7, sqrtS: sqrtS, muonMass: m, zMass: M)
    let e = sqrtS / 2
    var sum = 0.0
    // ⟨nⁱnʲ⟩ = δⁱʲ/3 is reproduced exactly by the three axes (|M|² is quadratic in the beam direction).
    for axis in 1...3 {
      let n = FourVector.unit(axis)
      let p1 = FourVector(e, e * n.x, e * n.y, e * n.z)
      let p2 = FourVector(e, -e * n.x, -e * n.y, -e * n.z)
      sum += amplitude.squaredAmplitude(p1: p1, p2: p2, k1: k1, k2: k2, k: k)
    }
    let w = amplitude.hadronicTensor(k1: k1, k2: k2, k: k).minusMetricTrace
    let e2 = 4 * Double.pi * PhysicalConstants.fineStructure
    #expect(abs((sum / 3) / (e2 * e2 * w / (3 * sqrtS * sqrtS)) - 1) < 1e-12)
  }

  @Test("Gauge invariance: T·k = 0 (Z′ current) and T·q = 0 (photon current) to machine precision")
  func currentConservation() {
    let m = PhysicalConstants.muonMass
    for M in [0.01, 0.5, 3.0, 9.0] {
      let amplitude = DimuonZPrimeAmplitude(muonMass: m, zPrimeMass: M)
      let (x1, x2) = interiorPoint(mu: M * M / (sqrtS * sqrtS))
      var (k1, k2, k) = dalitzMomenta(x1: x1, x2: x2, sqrtS: sqrtS, muonMass: m, zMass: M)
      // A generic frame: rotate the event away from the axes.
      k1 = k1.rotated(cosTheta: 0.3, phi: 1.1); k2 = k2.rotated(cosTheta: 0.3, phi: 1.1); k = k.rotated(cosTheta: 0.3, phi: 1.1)
      let q = k1 + k2 + k
      for s1 in 0..<2 {
        for s2 in 0..<2 {
          // Scale of the individual terms: the current with a unit transverse polarisation.
          let reference = amplitude.current(k1: k1, k2: k2, k: k, polarization: .unit(1), muonSpin: s1, antimuonSpin: s2)
          let scale = reference.map(\.length).max()! * k.t
          // ε → k: every component of T must vanish.
          let tk = amplitude.current(k1: k1, k2: k2, k: k, polarization: k, muonSpin: s1, antimuonSpin: s2)
          for c in tk { #expect(c.length < 1e-12 * scale, "M=\(M): T(ε=k) = \(c)") }
          // q_α T^α = 0 for any ε.
          for pol in 0..<4 {
            let t = amplitude.current(k1: k1, k2: k2, k: k, polarization: .unit(pol), muonSpin: s1, antimuonSpin: s2)
            let qt = q.t * t[0] - q.x * t[1] - q.y * t[2] - q.z * t[3]
            #expect(qt.length < 1e-12 * scale * q.t, "M=\(M): q·T = \(qt)")
          }
        }
      }
    }
  }

  @Test("The k^µk^ν/M² term of the polarisation sum does not contribute: physical sum = −g sum")
  func polarizationSums() {
    let m = PhysicalConstants.muonMass
    for M in [0.05, 1.0, 6.0] {
      let amplitude = DimuonZPrimeAmplitude(muonMass: m, zPrimeMass: M)
      let (x1, x2) = interiorPoint(mu: M * M / (sqrtS * sqrtS))
      let (k1, k2, k) = dalitzMomenta(x1: x1, x2: x2, sqrtS: sqrtS, muonMass: m, zMass: M)
      let a = amplitude.hadronicTensor(k1: k1, k2: k2, k: k, polarizationSum: .metric)
      let b = amplitude.hadronicTensor(k1: k1, k2: k2, k: k, polarizationSum: .physical)
      // The longitudinal vector has components E/M: at M = 0.05 GeV rounding is amplified by (E/M)².
      let tol = 1e-13 * pow(k.t / M, 2) + 1e-13
      for i in 0..<16 {
        #expect((a.components[i] - b.components[i]).length <= tol * a.minusMetricTrace, "M=\(M) component \(i)")
      }
    }
  }

  @Test("Spinors solve the Dirac equation and have the Bjorken–Drell normalisation")
  func spinors() {
    let m = 0.1056583755
    let p = FourVector.onShell(mass: m, 0.3, -1.2, 2.5)
    for s in 0..<2 {
      let u = DiracSpinor.u(p, mass: m, spin: s)
      let v = DiracSpinor.v(p, mass: m, spin: s)
      let du = u.slash(p) - m * u
      let dv = v.slash(p) + m * v
      for i in 0..<4 {
        #expect(du[i].length < 1e-13 * p.t)
        #expect(dv[i].length < 1e-13 * p.t)
      }
      #expect(abs(u.barDot(u).re - 2 * m) < 1e-13)
      #expect(abs(v.barDot(v).re + 2 * m) < 1e-13)
    }
  }
}
