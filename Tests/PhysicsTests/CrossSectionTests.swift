import Foundation
import GSL
import Testing
@testable import Physics

/// Small VEGAS runs for the tests (debug builds are ~10× slower): 5 × 5000 warm-up and 5 × 5000
/// measured calls, ≈ 1–2·10⁻⁴ precision.
let testVegas = Vegas.Options(warmUpCalls: 5_000, calls: 5_000)

func stream(_ n: Int) -> RandomStream { RandomStream(StreamKey(seed: 2024, study: .test, massIndex: n)) }

@Suite("σ(e+e− → µ+µ−Z′)")
struct CrossSectionTests {
  let born = BornCrossSection()

  @Test("Phase-space mapping: ∫dΦ₃ equals the two-step formula ∫dQ²/2π · β̄₁/8π · β̄₂/8π")
  func phaseSpaceVolume() throws {
    for M in [0.01, 1.0, 9.0] {
      let ps = RadiativePhaseSpace(sqrtS: 10.58, zPrimeMass: M)
      let r = ps.energyRange
      // Mapped: ∫dE ∫dy (dc/dy) · density: QAGS in ln E (the β̄₂ cut-off near E_max is steep),
      // Gauss–Legendre in y (the mapping is analytic in y).
      let rule = try Integration.GaussLegendre(points: 48)
      let mapped = try Integration.adaptive(over: log(r.lowerBound)...log(r.upperBound), relativeTolerance: 1e-9) { t in
        let slice = ps.slice(energy: exp(t))
        var sum = 0.0
        for (y, wy) in rule.points(over: -slice.yMax...slice.yMax) {
          sum += wy * exp(t) * slice.phaseSpaceDensity * ps.point(in: slice, y: y).jacobian
        }
        return sum
      }.value
      // Reference: Q² from 4m² to (√s − M)².
      let s = 10.58 * 10.58, m = PhysicalConstants.muonMass
      func lambda(_ a: Double, _ b: Double, _ c: Double) -> Double { a * a + b * b + c * c - 2 * (a * b + a * c + b * c) }
      let reference = try Integration.adaptive(over: (4 * m * m)...((10.58 - M) * (10.58 - M))) { q2 in
        let b1 = max(0, lambda(1, q2 / s, M * M / s)).squareRoot()
        let b2 = max(0, 1 - 4 * m * m / q2).squareRoot()
        return b1 * b2 / (2 * Double.pi * 64 * Double.pi * Double.pi)
      }.value
      #expect(abs(mapped / reference - 1) < 1e-6, "M = \(M): \(mapped) vs \(reference)")
    }
  }

  @Test("Massless-muon limit: VEGAS σ with m_µ = 10⁻⁵ GeV equals the integrated analytic formula within 4σ")
  func masslessLimitIntegrated() throws {
    // Tolerance: 4 VEGAS standard deviations (≈ 10⁻⁴); the muon-mass corrections, O(m²/M²) ≤ 10⁻⁹,
    // and the quadrature error of the reference (10⁻¹¹) are negligible.
    let tiny = BornCrossSection(muonMass: 1e-5)
    for (i, M) in [0.05, 1.0, 4.0, 8.0].enumerated() {
      let v = try tiny.sigma(mass: M, options: testVegas, using: stream(i))
      let a = try MasslessMuonLimit.crossSection(mass: M)
      #expect(abs(v.sigma - a) < 4 * v.uncertainty, "M = \(M): VEGAS \(v.sigma) ± \(v.uncertainty) vs analytic \(a) fb")
      #expect(v.uncertainty / v.sigma < 3e-4)
    }
  }

  @Test("VEGAS agrees with the deterministic product Gauss–Legendre rule (muon mass kept)")
  func vegasAgainstQuadrature() throws {
    for (i, M) in [0.01, 0.3, 2.0, 8.5].enumerated() {
      let v = try born.sigma(mass: M, options: testVegas, using: stream(10 + i))
      let q = try born.sigmaByQuadrature(mass: M, panels: 8, points: 16)
      #expect(abs(v.sigma - q) < 4 * v.uncertainty + 1e-5 * q, "M = \(M): VEGAS \(v.sigma) ± \(v.uncertainty) vs quadrature \(q)")
      #expect(abs(v.chiSquaredPerDegreeOfFreedom - 1) < 2)
    }
  }

  @Test("Expected size: ~10⁶ fb at low mass, tens of fb at 8 GeV (paper's g′ and σ limits)")
  func expectedSize() throws {
    let low = try born.sigma(mass: 0.01, options: testVegas, using: stream(20)).sigma
    let high = try born.sigma(mass: 8, options: testVegas, using: stream(21)).sigma
    // g′ ≈ 3e-3 ↔ σ_UL ≈ 5–10 fb: σ(g′=1) ≈ 0.6–1.1e6 fb; g′ ≈ 1 at 8 GeV ↔ σ_UL ≈ 20–50 fb.
    #expect(low > 5e5 && low < 3e6, "σ(0.01 GeV) = \(low) fb")
    #expect(high > 10 && high < 100, "σ(8 GeV) = \(high) fb")
  }

  @Test("Stable near the kinematic limit (σ ∝ Δ³: phase space Δ² times a P-wave |M|² ∝ Δ) and at small masses; zero beyond")
  func thresholdAndSmallMass() throws {
    let limit = born.massLimit
    let a = try born.sigma(mass: limit - 1e-2, options: testVegas, using: stream(30))
    let b = try born.sigma(mass: limit - 1e-3, options: testVegas, using: stream(31))
    #expect(a.sigma > 0 && b.sigma > 0 && a.sigma.isFinite && b.sigma.isFinite)
    #expect(a.uncertainty / a.sigma < 1e-3 && b.uncertainty / b.sigma < 1e-3)
    let exponent = log(a.sigma / b.sigma) / log(10)
    #expect(abs(exponent - 3) < 0.1, "σ ∝ Δ^\(exponent)")
    #expect(try born.sigma(mass: limit, using: stream(32)).sigma == 0)
    #expect(try born.sigma(mass: 11, using: stream(33)).sigma == 0)
    let small = try born.sigma(mass: 1e-3, options: testVegas, using: stream(34))
    #expect(small.sigma > 1e6 && small.uncertainty / small.sigma < 1e-3)
    #expect(throws: PhysicsError.self) { try born.sigma(mass: 0, using: stream(35)) }
    #expect(throws: PhysicsError.self) { try born.sigma(mass: .nan, using: stream(36)) }
  }

  @Test("Reproducible: the same stream gives the same σ bit for bit")
  func reproducible() throws {
    let a = try born.sigma(mass: 1, options: testVegas, using: stream(40))
    let b = try born.sigma(mass: 1, options: testVegas, using: stream(40))
    #expect(a == b)
  }
}

@Suite("Initial-state radiation")
struct InitialStateRadiationTests {
  let isr = InitialStateRadiation()

  @Test("β = (2α/π)(ln(s/m_e²) − 1) ≈ 0.0877 at 10.58 GeV, and ∫₀¹ f(x) dx = 1")
  func radiator() throws {
    #expect(abs(isr.beta - 0.08770) < 1e-4)
    // In U = x^β: ∫₀¹ weightPerU(U^{1/β}) dU = 1 exactly.
    let norm = try Integration.adaptive(over: 0...1) { u in isr.weightPerU(pow(u, 1 / isr.beta)) }.value
    #expect(abs(norm - 1) < 1e-9)
  }

  @Test("Sampled x has the radiator's mean (10⁵ draws, 5σ)")
  func sampling() throws {
    let s = stream(50)
    let n = 100_000
    var sum = 0.0, sum2 = 0.0
    for _ in 0..<n {
      let x = isr.sampleEnergyFraction(using: s)
      sum += x
      sum2 += x * x
    }
    let b = isr.beta
    // ⟨x⟩ = ∫x f dx = (1 + 3β/4)·β/(β+1) − β(1/2 − 1/6).
    let mean = (1 + 0.75 * b) * b / (b + 1) - b / 3
    let sd = (sum2 / Double(n) - pow(sum / Double(n), 2)).squareRoot()
    #expect(abs(sum / Double(n) - mean) < 5 * sd / Double(n).squareRoot())
  }

  @Test("σ_ISR/σ_Born: above 1 at low mass, below 1 at high mass")
  func ratio() throws {
    let born = BornCrossSection()
    let low = try isr.sigma(mass: 0.1, options: testVegas, using: stream(60)).sigma / born.sigma(mass: 0.1, options: testVegas, using: stream(61)).sigma
    let high = try isr.sigma(mass: 8, options: testVegas, using: stream(62)).sigma / born.sigma(mass: 8, options: testVegas, using: stream(63)).sigma
    #expect(low > 1.0 && low < 1.3, "σ_ISR/σ at 0.1 GeV = \(low)")
    #expect(high > 0.6 && high < 1.0, "σ_ISR/σ at 8 GeV = \(high)")
  }
}

@Suite("Cross-section table")
struct CrossSectionTableTests {
  let table = CrossSectionTable.belleII

  @Test("The committed table is the standard one, with increasing masses to near the limit")
  func committed() throws {
    #expect(CrossSectionTable.standard() != nil)
    #expect(CrossSectionTable.standard(sqrtS: 10.0) == nil)
    #expect(table.entries.count == 64)
    #expect(abs(table.entries.first!.mass - 0.005) < 1e-9 && table.entries.last!.mass > 10.3)
    for e in table.entries { #expect(e.uncertaintyBorn / e.sigmaBorn < 1e-4) }
  }

  @Test("Nodes reproduce a fresh VEGAS run (other seed) within 5σ")
  func nodes() throws {
    let born = BornCrossSection()
    for i in [0, 20, 40, 55, 63] {
      let e = table.entries[i]
      let v = try born.sigma(mass: e.mass, options: testVegas, using: stream(70 + i))
      let sd = (v.uncertainty * v.uncertainty + e.uncertaintyBorn * e.uncertaintyBorn).squareRoot()
      #expect(abs(v.sigma - e.sigmaBorn) < 5 * sd, "M = \(e.mass)")
      #expect(abs(try table.sigma(mass: e.mass) / e.sigmaBorn - 1) < 1e-12)
    }
  }

  @Test("Interpolation between nodes: within 0.1% of direct VEGAS at the mid-points")
  func interpolation() throws {
    let born = BornCrossSection()
    for i in [0, 15, 30, 45, 54, 56, 58, 62] {
      let m = (table.entries[i].mass * table.entries[i + 1].mass).squareRoot()
      let v = try born.sigma(mass: m, options: testVegas, using: stream(90 + i))
      let t = try table.sigma(mass: m)
      #expect(abs(t / v.sigma - 1) < 1e-3 + 4 * v.uncertainty / v.sigma, "M = \(m): table \(t) vs VEGAS \(v.sigma)")
    }
    #expect(try table.sigma(mass: table.massLimit) == 0)
    #expect(try table.sigma(mass: 0.003) > table.entries[0].sigmaBorn)
  }
}
