import Foundation
import GSL
import Testing
@testable import Physics

@Suite("Signal kinematics sampler")
struct SignalKinematicsTests {
  @Test("The table's σ equals VEGAS within 10⁻⁴ + 4σ; probabilities sum to 1; a(E) in [−1, 1]")
  func tableIntegral() throws {
    let born = BornCrossSection()
    for (i, M) in [0.01, 0.5, 3.0, 8.5].enumerated() {
      let k = try SignalKinematics(mass: M)
      let v = try born.sigma(mass: M, options: testVegas, using: stream(200 + i))
      #expect(abs(k.crossSection / v.sigma - 1) < 1e-4 + 4 * v.uncertainty / v.sigma, "M = \(M): table \(k.crossSection) vs VEGAS \(v.sigma)")
      #expect(abs(k.energyProbabilities.reduce(0, +) - 1) < 1e-12)
      #expect(abs(k.cellProbabilities.joined().reduce(0, +) - 1) < 1e-12)
      #expect(k.angularCoefficients.allSatisfy { $0 >= -1 && $0 <= 1 })
    }
  }

  @Test("Sampled E* and cosθ* follow the table (χ² over its cells, 2·10⁵ draws)")
  func samplingFollowsTable() throws {
    let k = try SignalKinematics(mass: 2.0, energyBins: 10, angleBins: 10)
    let rows = k.energyEdges.count - 1
    let s = stream(210)
    let n = 200_000
    var counts = [[Int]](repeating: [Int](repeating: 0, count: 10), count: rows)
    var inRange = true
    for _ in 0..<n {
      let p = k.draw(using: s)
      inRange = inRange && p.energy >= k.energyEdges[0] && p.energy <= k.energyEdges[rows]
      let i = min(rows - 1, k.energyEdges.lastIndex { $0 <= p.energy }!)
      let j = min(9, Int((p.cosTheta + 1) / 0.2))
      counts[i][j] += 1
    }
    #expect(inRange)
    var chi2 = 0.0
    var cells = 0
    for i in 0..<rows {
      for j in 0..<10 {
        let e = Double(n) * k.cellProbability(energyBin: i, angleBin: j)
        if e > 5 {
          chi2 += pow(Double(counts[i][j]) - e, 2) / e
          cells += 1
        }
      }
    }
    // χ² with ν ≈ cells − 1 has sd √(2ν): allow 5 sd.
    let nu = Double(cells - 1)
    #expect(chi2 < nu + 5 * (2 * nu).squareRoot(), "χ² = \(chi2) for \(cells) cells")
  }

  @Test("Angular inversion is exact: F(c(u)) = u for a ∈ {−1, −0.4, 0, 0.7, 1}")
  func angularInversion() {
    for a in [-1.0, -0.4, 0, 0.7, 1] {
      for u in stride(from: 0.0, through: 1.0, by: 0.05) {
        let c = SignalKinematics.invertAngular(a, u)
        let f = ((c + 1) + a * (c * c * c + 1) / 3) / (2 + 2 * a / 3)
        #expect(abs(f - u) < 1e-11, "a = \(a), u = \(u)")
      }
    }
  }

  @Test("Acceptance: 1 for an always-true predicate; |cosθ*| < 0.5 matches the analytic angular integral")
  func acceptance() throws {
    let k = try SignalKinematics(mass: 1.0)
    #expect(abs(k.acceptance { _ in true } - 1) < 1e-12)
    let central = k.acceptance(anglePoints: 400) { abs($0.cosTheta) < 0.5 }
    var expected = 0.0
    for i in k.energyProbabilities.indices {
      let a = k.angularCoefficients[i]
      expected += k.energyProbabilities[i] * (1 + a * 0.25 / 3) / (2 + 2 * a / 3)
    }
    #expect(abs(central - expected) < 2e-3)
  }

  @Test("Near one-photon limits: light Z′ follows the muons, a(E) ≈ 1 where it is hard")
  func angularShape() throws {
    let k = try SignalKinematics(mass: 0.05)
    // The hardest bins: Z′ recoiling against a collinear dimuon, distribution ≈ 1 + cos²θ*.
    #expect(k.angularCoefficients.last! > 0.8)
  }

  @Test("Construction stays fast and is deterministic; the cache returns the same table")
  func construction() throws {
    let start = Date()
    let a = try SignalKinematics(mass: 4.0)
    let elapsed = Date().timeIntervalSince(start)
    let b = try SignalKinematics(mass: 4.0)
    #expect(a.energyProbabilities == b.energyProbabilities)
    // Release builds take ≈ 20 ms; debug builds are ~10× slower.
    #expect(elapsed < 2.0)
    let cached = try SignalKinematicsCache.shared.table(mass: 4.0)
    #expect(cached.angularCoefficients == a.angularCoefficients)
    #expect(throws: PhysicsError.self) { try SignalKinematics(mass: 10.5) }
  }
}
