import Foundation
import Testing
@testable import Likelihood

@Suite("Interpolation codes 4 and 4p (pyhf interpolators)")
struct InterpolationTests {
  /// pyhf 0.7.6 `interpolators.code4` with lo = 0.9, nominal 1, hi = 1.1.
  @Test("code 4 reproduces pyhf: exponential outside ±1, the 6th-order polynomial inside")
  func code4MatchesPyhf() {
    let i = Code4Interpolation(hi: 1.1, lo: 0.9)
    let pyhf: [(Double, Double)] = [
      (-2.0, 0.81), (-1.0, 0.9), (-0.5, 0.9492169057784201), (0.0, 1.0), (0.3, 1.0296931157825733),
      (1.0, 1.1), (1.5, 1.1536897329871667),
    ]
    for (alpha, expected) in pyhf {
      #expect(relativeDifference(i.value(alpha), expected) < 1e-14, "α = \(alpha)")
    }
    // by hand: hi^α above 1, lo^(−α) below −1
    #expect(relativeDifference(i.value(2.5), pow(1.1, 2.5)) < 1e-15)
    #expect(relativeDifference(i.value(-3), pow(0.9, 3)) < 1e-15)
  }

  @Test("code 4 is continuous with continuous first and second derivatives at α = ±1")
  func code4Smooth() {
    for (hi, lo) in [(1.1, 0.9), (1.3, 0.95), (0.8, 1.25), (2.0, 0.4)] {
      let i = Code4Interpolation(hi: hi, lo: lo)
      for edge in [-1.0, 1.0] {
        let inside = i.jet(edge * (1 - 1e-9))
        let outside = i.jet(edge * (1 + 1e-9))
        #expect(abs(inside.value - outside.value) < 1e-8)
        #expect(abs(inside.d1 - outside.d1) < 1e-7)
        #expect(abs(inside.d2 - outside.d2) < 1e-6)
      }
      // derivatives against central differences inside
      for alpha in [-0.7, -0.1, 0.4, 0.9, 1.7, -2.2] {
        let h = 1e-5
        let v = i.jet(alpha)
        let d1 = (i.value(alpha + h) - i.value(alpha - h)) / (2 * h)
        let d2 = (i.value(alpha + h) - 2 * v.value + i.value(alpha - h)) / (h * h)
        #expect(abs(v.d1 - d1) < 1e-8)
        #expect(abs(v.d2 - d2) < 1e-4)
      }
    }
  }

  /// pyhf `interpolators.code4p` with lo = 8, nominal 10, hi = 13: Δ₊ = 3, Δ₋ = 2.
  @Test("code 4p reproduces pyhf and the hand-computed polynomial")
  func code4pMatchesPyhf() {
    let i = Code4pInterpolation(nominal: 10, hi: 13, lo: 8)
    let pyhf: [(Double, Double)] = [
      (-2.0, -4.0), (-1.0, -2.0), (-0.5, -1.0517578125), (0.0, 0.0), (0.3, 0.8294491875), (1.0, 3.0), (1.5, 4.5),
    ]
    for (alpha, expected) in pyhf {
      #expect(abs(i.value(alpha) - expected) < 1e-14, "α = \(alpha)")
    }
    // By hand at α = −0.5: S = 2.5, A = 1/16: α(S + αA(15 + α²(−10 + 3α²))) = −1.0517578125.
    let a = -0.5
    #expect(a * (2.5 + a * 0.0625 * (15 + a * a * (-10 + 3 * a * a))) == -1.0517578125)
  }

  @Test("code 4p derivatives are continuous at ±1 and match central differences")
  func code4pSmooth() {
    let i = Code4pInterpolation(nominal: 10, hi: 13, lo: 8)
    for edge in [-1.0, 1.0] {
      let inside = i.jet(edge * (1 - 1e-9))
      let outside = i.jet(edge * (1 + 1e-9))
      #expect(abs(inside.d1 - outside.d1) < 1e-7)
      #expect(abs(inside.d2 - outside.d2) < 1e-6)
    }
    for alpha in [-0.8, -0.2, 0.5, 0.95] {
      let h = 1e-5
      let v = i.jet(alpha)
      #expect(abs(v.d1 - (i.value(alpha + h) - i.value(alpha - h)) / (2 * h)) < 1e-8)
      let d2 = (i.value(alpha + h) - 2 * v.value + i.value(alpha - h)) / (h * h)
      #expect(abs(v.d2 - d2) < 1e-4)
    }
  }
}
