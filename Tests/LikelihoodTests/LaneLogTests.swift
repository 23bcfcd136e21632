import Foundation
import Testing
@testable import Likelihood

/// The batched fitter's vector logarithm against Foundation's `log` (glibc: correctly rounded
/// in practice) over the whole range of doubles. The tolerance is 1 ulp of the exact result
/// (fdlibm's bound for its algorithm); both are deterministic, so the test cannot flake.
@Suite("Vector logarithm")
struct LaneLogTests {
  /// |laneLog(x) − log(x)| in units of the last place of log(x), for each value.
  static func ulpErrors(_ values: [Double]) -> [Double] {
    var out: [Double] = []
    var i = 0
    while i < values.count {
      var v = Lanes(repeating: 1)
      for j in 0..<Lanes.scalarCount where i + j < values.count { v[j] = values[i + j] }
      let r = laneLog(v)
      for j in 0..<Lanes.scalarCount where i + j < values.count {
        let exact = Foundation.log(values[i + j])
        out.append(exact == 0 ? abs(r[j]) / Double.leastNonzeroMagnitude : abs(r[j] - exact) / exact.ulp)
      }
      i += Lanes.scalarCount
    }
    return out
  }

  @Test("Within 1 ulp from the smallest subnormal to the largest double")
  func wholeRange() {
    var values: [Double] = [.leastNonzeroMagnitude, .leastNormalMagnitude, .leastNormalMagnitude.nextDown, .greatestFiniteMagnitude]
    // Logarithmically spaced over all binades, with a seeded jitter of the mantissa.
    var rng = TestRNG(seed: 31)
    for e in -1074...1023 {
      for _ in 0..<8 { values.append(Foundation.pow(2, Double(e)) * (1 + rng.uniform())) }
    }
    values = values.filter { $0.isFinite && $0 > 0 }
    let errors = Self.ulpErrors(values)
    let worst = errors.indices.max { errors[$0] < errors[$1] }!
    #expect(errors[worst] <= 1, "x = \(values[worst]): \(errors[worst]) ulp")
  }

  @Test("Within 1 ulp at every power of two, around 1 (1 ± tiny) and at √2")
  func specialPoints() {
    let powers = (-1074...1023).map { Foundation.pow(2, Double($0)) }
    for (x, e) in zip(powers, Self.ulpErrors(powers)) { #expect(e <= 1, "2^\(Int(Foundation.log2(x))): \(e) ulp") }
    var near: [Double] = [1, 1.0.nextUp, 1.0.nextDown, 2.0.squareRoot(), 2.0.squareRoot().nextUp, 0.5.squareRoot()]
    for k in 1...200 {
      near.append(1 + Double(k) * Double.ulpOfOne)
      near.append(1 - Double(k) * Double.ulpOfOne / 2)
      near.append(1 + Double(k) * 1e-9)
      near.append(1 - Double(k) * 1e-9)
    }
    for (x, e) in zip(near, Self.ulpErrors(near)) { #expect(e <= 1, "x = \(x): \(e) ulp") }
    #expect(laneLog(Lanes(repeating: 1))[0] == 0)
  }

  @Test("Zero, negatives, infinity and NaN: −∞, NaN, +∞, NaN")
  func specialValues() {
    let inputs: [Double] = [0, -0.0, -1, .infinity, -.infinity, .nan, -.leastNonzeroMagnitude, 1]
    let expected: [Double] = [-.infinity, -.infinity, .nan, .infinity, .nan, .nan, .nan, 0]
    for i in inputs.indices {
      let r = laneLog(Lanes(repeating: inputs[i]))
      for j in 0..<Lanes.scalarCount {
        #expect(r[j] == expected[i] || (r[j].isNaN && expected[i].isNaN), "log(\(inputs[i])) = \(r[j])")
      }
    }
  }
}
