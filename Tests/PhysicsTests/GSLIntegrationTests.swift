import Foundation
import GSL
import Testing

/// The GSL wrappers Physics relies on (Sources/GSL/Vegas.swift, Integration.swift).
@Suite("GSL integration wrappers")
struct GSLIntegrationTests {
  @Test("VEGAS: ∫ over [0,1]³ of a product of normalised Gaussians, within 4σ of the exact value")
  func vegasGaussian() throws {
    // Each factor: exp(−(x−½)²/(2·0.1²))/(0.1√2π), whose integral over [0, 1] is erf(5/√2) = 0.99999943.
    let exact = pow(erf(5 / 2.squareRoot()), 3)
    let r = try Vegas.integrate(over: [0...1, 0...1, 0...1], options: Vegas.Options(warmUpCalls: 5000, calls: 20_000),
                                using: RandomStream(key: 11)) { x in
      var p = 1.0
      for i in 0..<3 { p *= exp(-pow(x[i] - 0.5, 2) / 0.02) / (0.1 * (2 * Double.pi).squareRoot()) }
      return p
    }
    #expect(abs(r.value - exact) < 4 * r.error, "\(r.value) ± \(r.error)")
    #expect(r.error < 2e-3)
    // GSL rounds the calls of an iteration down to whole stratification boxes.
    #expect(r.evaluations > 8 * (5 * 5000 + 5 * 20_000) / 10)
  }

  @Test("VEGAS refuses bad boxes and non-finite integrands with a GSLError")
  func vegasErrors() {
    #expect(throws: GSLError.self) { try Vegas.integrate(over: [1...1], using: RandomStream(key: 1)) { _ in 1 } }
    #expect(throws: GSLError.self) { try Vegas.integrate(over: [], using: RandomStream(key: 1)) { _ in 1 } }
    #expect(throws: GSLError.self) {
      try Vegas.integrate(over: [0...1], options: Vegas.Options(warmUpCalls: 200, calls: 200), using: RandomStream(key: 1)) { x in
        x[0] < 0.5 ? .nan : 1
      }
    }
  }

  @Test("QAGS, QAG and QAGIU against closed forms")
  func quadrature() throws {
    // ∫₀¹ ln x / √x dx = −4 (end-point singularity: QAGS's extrapolation).
    let a = try Integration.adaptive(over: 0...1) { log($0) / $0.squareRoot() }
    #expect(abs(a.value + 4) < 1e-9)
    let b = try Integration.gaussKronrod(over: 0...Double.pi) { sin($0) }
    #expect(abs(b.value - 2) < 1e-12)
    let c = try Integration.upperHalfLine(from: 0) { exp(-$0 * $0) }
    #expect(abs(c.value - Double.pi.squareRoot() / 2) < 1e-10)
    #expect(throws: GSLError.self) { try Integration.adaptive(over: 0...1) { _ in .infinity } }
  }

  @Test("Gauss–Legendre n points integrates x^(2n−1) exactly; Brent finds √2")
  func fixedRuleAndRoot() throws {
    let rule = try Integration.GaussLegendre(points: 5)
    #expect(abs(rule.weights.reduce(0, +) - 2) < 1e-14)
    #expect(abs(rule.integrate(over: 0...2) { pow($0, 9) } - 102.4) < 1e-11)
    let root = try RootFinding.brent(in: 0...2) { $0 * $0 - 2 }
    #expect(abs(root - 2.squareRoot()) < 1e-11)
    #expect(throws: GSLError.self) { try RootFinding.brent(in: 0...1) { $0 + 1 } }
  }
}
