import Foundation
import GSL
import Testing
@testable import Physics

@Suite("Z′ widths, branching fractions and dark matter")
struct ZPrimeDecaysTests {
  let mmu = PhysicalConstants.muonMass
  let mtau = PhysicalConstants.tauMass

  @Test("Widths by hand at M = 1 GeV and 5 GeV, g′ = 0.1")
  func widthsByHand() {
    // M = 1 GeV: r_µ = m_µ²/M² = 0.011163; Γµµ = 0.01·1/(12π)·(1+2r)·√(1−4r).
    let r = mmu * mmu
    let expectedMuMu = 0.01 / (12 * Double.pi) * (1 + 2 * r) * (1 - 4 * r).squareRoot()
    let w1 = ZPrimeDecays.vanilla(mass: 1, coupling: 0.1)
    #expect(abs(w1.mumu / expectedMuMu - 1) < 1e-14)
    #expect(abs(w1.mumu - 2.6506e-4) < 1e-8)  // 2.65258e-4 · 1.022327 · 0.977419 by hand
    #expect(w1.tautau == 0)
    #expect(abs(w1.nunu - 2 * 0.01 / (24 * Double.pi)) < 1e-18)
    // M = 5 GeV: τ open.
    let w5 = ZPrimeDecays.vanilla(mass: 5, coupling: 0.1)
    let rt = mtau * mtau / 25
    #expect(abs(w5.tautau - 0.01 * 5 / (12 * Double.pi) * (1 + 2 * rt) * (1 - 4 * rt).squareRoot()) < 1e-16)
    #expect(abs(w5.total - (w5.mumu + w5.tautau + w5.nunu)) < 1e-18)
  }

  @Test("B(Z′ → invisible) of the vanilla model: 1, ½ and ⅓ in the three regimes, g′-independent")
  func vanillaBranching() {
    #expect(ZPrimeDecays.vanilla(mass: 0.2).branchingInvisible == 1)  // below 2m_µ = 0.2113 GeV
    #expect(abs(ZPrimeDecays.vanilla(mass: 3.0).branchingInvisible - 0.5) < 0.001)
    #expect(abs(ZPrimeDecays.vanilla(mass: 1000).branchingInvisible - 1.0 / 3) < 1e-5)
    #expect(abs(ZPrimeDecays.vanilla(mass: 9.0).branchingInvisible - 1.0 / 3) < 0.002)
    // Just above 2m_µ: Γ(νν̄, two flavours) = g′²M/(12π) is Γµµ's prefactor, so B = 1/(1 + (1+2r)√(1−4r));
    // at M = 0.212 GeV, r = 0.248391: (1.496782)(0.080222) = 0.120073, B = 0.892799 by hand.
    #expect(abs(ZPrimeDecays.vanilla(mass: 0.212).branchingInvisible - 0.892799) < 2e-6)
    #expect(ZPrimeDecays.vanilla(mass: 2, coupling: 0.3).branchingInvisible == ZPrimeDecays.vanilla(mass: 2, coupling: 1).branchingInvisible)
  }

  @Test("The paper's benchmark Γ = 0.1·M ↔ αD = 2.9 is a complex scalar with m_χ = M/3")
  func darkMatterBenchmark() throws {
    let dm = DarkMatter.paperBenchmark
    #expect(abs(dm.widthOverMass(alphaD: 2.9) - 0.1) < 2e-4)
    #expect(abs(dm.alphaD(forWidthFraction: 0.1) - 2.9) < 0.01)
    // A light Dirac fermion is ten times too wide.
    #expect(abs(DarkMatter.diracFermion(massRatio: 0).widthOverMass(alphaD: 2.9) - 2.9 / 3) < 1e-12)
    // The Dirac mass that would give 0.1 sits at the threshold: m_χ/M = 0.4988.
    let x = try RootFinding.brent(in: 0...0.4999999) { DarkMatter.diracFermion(massRatio: $0).widthOverMass(alphaD: 2.9) - 0.1 }
    #expect(abs(x - 0.4988) < 0.0005)
  }

  @Test("Narrow-width criterion reproduces the paper's αD < 1 at 1.5 GeV and < 0.1 at 4.5 GeV within rounding")
  func narrowWidth() {
    // With σ(M²) ≈ 0.15 GeV² (the paper's resolution range is 0.06–0.23 GeV²).
    let a15 = NarrowWidth.maximumAlphaD(mass: 1.5, resolutionM2: 0.15)
    let a45 = NarrowWidth.maximumAlphaD(mass: 4.5, resolutionM2: 0.15)
    #expect(a15 > 0.8 && a15 < 1.2, "αD_max(1.5) = \(a15)")
    #expect(a45 > 0.08 && a45 < 0.13, "αD_max(4.5) = \(a45)")
    #expect(NarrowWidth.isNegligible(width: 0.01, mass: 2, resolutionM2: 0.1))
    #expect(!NarrowWidth.isNegligible(width: 0.2, mass: 2, resolutionM2: 0.1))
  }

  @Test("The fully invisible hypothesis fails at high mass for the couplings probed there")
  func fullyInvisibleValidity() {
    // g′ ~ 0.02 at 5 GeV: fine; g′ ~ 0.3 at 7.5 GeV: Γ_SM/(1 − 0.9) far above σ_M.
    #expect(FullyInvisibleModel.hasNarrowInvisibleSolution(mass: 5, coupling: 0.02, resolutionM2: 0.18))
    #expect(!FullyInvisibleModel.hasNarrowInvisibleSolution(mass: 7.5, coupling: 0.3, resolutionM2: 0.1))
    let model = FullyInvisibleModel(coupling: 0.01, alphaD: 0.1)
    #expect(model.branchingInvisible(mass: 3) > 0.99)
  }
}

@Suite("Muon g−2")
struct MuonAnomalyTests {
  @Test("M → 0 gives the Schwinger-like α′/2π = g′²/8π²")
  func masslessLimit() throws {
    let a = try MuonAnomaly.contribution(mass: 1e-7, coupling: 1)
    #expect(abs(a / (1 / (8 * Double.pi * Double.pi)) - 1) < 1e-5)
  }

  @Test("M ≫ m_µ gives g′²m_µ²/(12π²M²)")
  func heavyLimit() throws {
    let M = 200.0, m = PhysicalConstants.muonMass
    let a = try MuonAnomaly.contribution(mass: M, coupling: 1)
    let heavy = m * m / (12 * Double.pi * Double.pi * M * M)
    // Next order is O(m²/M² · ln(M²/m²)) ≈ 4e-6 relative.
    #expect(abs(a / heavy - 1) < 1e-4)
  }

  @Test("Band edges scale as √Δaµ; the ±2σ band is [133, 369]×10⁻¹¹ in Δaµ")
  func band() throws {
    let m = 0.5
    let range = try MuonAnomaly.favouredCouplings(mass: m)
    let unit = try MuonAnomaly.contribution(mass: m)
    #expect(abs(range.lowerBound * range.lowerBound * unit - 133e-11) < 1e-16)
    #expect(abs(range.upperBound * range.upperBound * unit - 369e-11) < 1e-16)
  }

  @Test("Exclusion ranges: interpolated crossings of the limit with the band's lower edge")
  func exclusionRanges() throws {
    let masses = [0.5, 0.7, 1.0, 2.0, 4.0, 6.0]
    // A limit 0.5× the band's lower edge between 0.7 and 4 GeV, 2× elsewhere.
    let limits: [Double?] = try masses.map { m in
      let lower = try MuonAnomaly.favouredCouplings(mass: m).lowerBound
      return (0.7...4.0).contains(m) ? 0.5 * lower : 2 * lower
    }
    let ranges = try CouplingLimits.excludedGMinus2Ranges(masses: masses, limits: limits)
    #expect(ranges.count == 1)
    // ln-ratio goes from −ln2 to +ln2: the crossing is half way in ln M.
    #expect(abs(ranges[0].lowerBound - (0.5 * 0.7).squareRoot()) < 1e-12)
    #expect(abs(ranges[0].upperBound - (4.0 * 6.0).squareRoot()) < 1e-12)
  }

  @Test("g′_UL = √(σ_UL/(σ·B)); bad input throws")
  func couplingLimit() throws {
    #expect(try CouplingLimits.upperLimit(sigmaLimit: 4, sigmaAtUnitCoupling: 1e6, branching: 0.25) == (4 / 2.5e5).squareRoot())
    #expect(throws: PhysicsError.self) { try CouplingLimits.upperLimit(sigmaLimit: .nan, sigmaAtUnitCoupling: 1, branching: 1) }
    #expect(throws: PhysicsError.self) { try CouplingLimits.upperLimit(sigmaLimit: 1, sigmaAtUnitCoupling: 0, branching: 1) }
  }
}
