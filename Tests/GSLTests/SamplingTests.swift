import Foundation
import Testing
@testable import GSL

/// Frequency tests of the samplers toys use. Every test draws from fixed keys, so its outcome
/// is deterministic; the tolerances say how often a correct sampler would fail with other keys.
///
/// Chi-square tests (Pearson's X² = Σ (O − E)²/E over cells with E ≥ 20, tails merged) pass when
/// the p-value P(χ²_dof ≥ X²) exceeds 10^−4: with the ~40 such tests here, a correct sampler
/// would fail one of them for about 0.4% of key choices, while a mistake in a probability of
/// ≥ 1% in any cell holding ≥ 1% of the mass shows at p < 10^−10 with the sample sizes used.
@Suite("Samplers: Poisson tables and PTRS, ziggurat Gaussian, stream independence")
struct SamplingTests {
  /// Pearson's X² and its p-value for observed counts against expected probabilities; cells
  /// are merged from both ends until every expected count is ≥ 20.
  static func chiSquare(observed: [Int], probabilities: [Double], total: Int) -> (x2: Double, dof: Int, p: Double) {
    var cells: [(o: Double, e: Double)] = []
    var o = 0.0, e = 0.0
    for (k, p) in probabilities.enumerated() {
      o += Double(observed[k])
      e += p * Double(total)
      if e >= 20 {
        cells.append((o, e))
        o = 0
        e = 0
      }
    }
    // The remainder (upper tail) joins the last cell.
    if !cells.isEmpty { cells[cells.count - 1].o += o; cells[cells.count - 1].e += e }
    let x2 = cells.reduce(0) { $0 + ($1.o - $1.e) * ($1.o - $1.e) / $1.e }
    let dof = cells.count - 1
    return (x2, dof, ChiSquared.survival(x2, dof: Double(dof)))
  }

  /// Exact Poisson probabilities P(k), k = 0…kMax, the last entry holding P(N ≥ kMax).
  static func poissonProbabilities(mean mu: Double, upTo kMax: Int) -> [Double] {
    var p = (0..<kMax).map { exp(Double($0) * log(mu) - mu - lgamma(Double($0) + 1)) }
    p.append(max(0, 1 - PoissonDistribution.cdf(kMax - 1, mu: mu)))
    return p
  }

  /// Counts of `n` draws, the last cell holding all values ≥ kMax; and the sample mean and variance.
  static func histogram(n: Int, upTo kMax: Int, _ draw: () -> Double) -> (counts: [Int], mean: Double, variance: Double) {
    var counts = [Int](repeating: 0, count: kMax + 1)
    var s = 0.0, s2 = 0.0
    for _ in 0..<n {
      let k = draw()
      counts[min(Int(k), kMax)] += 1
      s += k
      s2 += k * k
    }
    let mean = s / Double(n)
    return (counts, mean, s2 / Double(n) - mean * mean)
  }

  /// Draws 200,000 variates of mean µ and checks the frequencies (X², see the suite), the mean
  /// (within 5 standard errors √(µ/n)) and the variance (within 5 of its standard errors
  /// √((2µ² + µ)/n), the variance of the sample variance of a Poisson).
  static func checkPoisson(mean mu: Double, key: UInt64, label: String, _ draw: (inout Taus2) -> Double) {
    let n = 200_000
    let kMax = Int(mu + 12 * mu.squareRoot() + 30)
    var g = Taus2(key: key)
    let h = histogram(n: n, upTo: kMax) { draw(&g) }
    let chi = chiSquare(observed: h.counts, probabilities: poissonProbabilities(mean: mu, upTo: kMax), total: n)
    #expect(chi.p > 1e-4, "\(label) µ = \(mu): X² = \(chi.x2) for \(chi.dof) dof (p = \(chi.p))")
    #expect(chi.dof >= 1 || mu < 0.001, "\(label) µ = \(mu): too few cells")
    let nd = Double(n)
    #expect(abs(h.mean - mu) < 5 * (mu / nd).squareRoot(), "\(label) µ = \(mu): mean \(h.mean)")
    #expect(abs(h.variance - mu) < 5 * ((2 * mu * mu + mu) / nd).squareRoot(), "\(label) µ = \(mu): variance \(h.variance)")
  }

  /// Means across the regimes: tiny, small, the search windows' range, the table limit from
  /// both sides (the boundary between inversion and PTRS), and large.
  static let tableMeans: [Double] = [0.003, 0.37, 1, 4.5, 9.99, 10, 37.2, 300, 999.9, 1000]
  static let rejectionMeans: [Double] = [1000.1, 3000, 100_000]

  @Test("Poisson from tables: frequencies, mean and variance for means 0.003 … 1000 (table regime)")
  func poissonTables() {
    let tables = PoissonTables(means: Self.tableMeans)
    for (i, mu) in Self.tableMeans.enumerated() {
      #expect(tables.usesTable(i))
      Self.checkPoisson(mean: mu, key: 1000 + UInt64(i), label: "table") { tables.sample(i, &$0) }
    }
  }

  @Test("Poisson by PTRS above the table limit: frequencies, mean and variance for means 1000.1 … 10^5")
  func poissonRejection() {
    let tables = PoissonTables(means: Self.rejectionMeans)
    for (i, mu) in Self.rejectionMeans.enumerated() {
      #expect(!tables.usesTable(i))
      Self.checkPoisson(mean: mu, key: 2000 + UInt64(i), label: "PTRS") { tables.sample(i, &$0) }
    }
  }

  @Test("Poisson of a one-off mean (sequential inversion below 10, PTRS above)")
  func poissonOneOff() {
    for (i, mu) in [0.05, 2.5, 9.999, 10, 23.7, 480].enumerated() {
      Self.checkPoisson(mean: mu, key: 3000 + UInt64(i), label: "one-off") { $0.poisson(mu) }
    }
    var g = Taus2(key: 1)
    #expect(g.poisson(0) == 0 && g.poisson(-3) == 0 && g.poisson(.nan).isNaN && g.poisson(.infinity).isNaN)
  }

  @Test("The tables' probabilities are the Poisson probabilities to 5e-12 relative, tails included")
  func tableProbabilitiesExact() throws {
    // The thresholds are 64-bit: each P(k) is represented to 2^−64 ≈ 5e−20 (1e−19 absolute).
    // The table's own probabilities are good to ~1e−14 (normalised recursion from the mode); the
    // reference exp(k ln µ − µ − ln k!) loses up to ~3e−12 relative at µ ≈ 1000 (terms of ~7000
    // in the exponent, each rounded to 1.1e−16 relative), hence 5e−12 relative.
    let means = [0.003, 0.37, 4.5, 37.2, 999.9]
    let tables = PoissonTables(means: means)
    for (i, mu) in means.enumerated() {
      let (first, p) = try #require(tables.tableProbabilities(i))
      #expect(abs(p.reduce(0, +) - 1) < 1e-15)
      for (j, pj) in p.enumerated() {
        let k = Double(first + j)
        let exact = exp(k * log(mu) - mu - lgamma(k + 1))
        #expect(abs(pj - exact) <= max(1e-19, 5e-12 * exact), "µ = \(mu), k = \(Int(k)): \(pj) vs \(exact)")
      }
      // The table covers every value of probability ≥ 1e−19 (it ends where the upper tail
      // rounds to 0 in units of 2^−64).
      let below = first > 0 ? exp(Double(first - 1) * log(mu) - mu - lgamma(Double(first))) : 0
      let pastEnd = Double(first + p.count)
      #expect(below < 1e-19 && exp(pastEnd * log(mu) - mu - lgamma(pastEnd + 1)) < 1e-19)
    }
  }

  @Test("Constant means: ≤ 0 gives 0, non-finite gives NaN")
  func poissonConstants() {
    let tables = PoissonTables(means: [0, -1, .nan, .infinity])
    var g = Taus2(key: 3)
    #expect(tables.sample(0, &g) == 0 && tables.sample(1, &g) == 0)
    #expect(tables.sample(2, &g).isNaN && tables.sample(3, &g).isNaN)
  }

  @Test("Inversion is monotone in the mean: the same stream never gives fewer counts at a larger mean")
  func inversionMonotone() {
    let tables = PoissonTables(means: [4.0, 4.2, 40, 41])
    for t in 0..<20_000 {
      let key = StreamKey(seed: 5, study: .test, massIndex: 0, toyIndex: t).hash64
      var a = Taus2(key: key), b = a, c = a, d = a
      #expect(tables.sample(0, &a) <= tables.sample(1, &b))
      #expect(tables.sample(2, &c) <= tables.sample(3, &d))
    }
  }

  @Test("Ziggurat constants: r and v solved to match Marsaglia & Tsang's 128-layer values; layers of equal area")
  func zigguratConstants() {
    let (r, v) = Ziggurat.parameters
    // The paper's constants (JSS 5(8), 2000, for n = 128), given to 13 and 15 digits; theirs are
    // consistent to dv/dr·δr = −r²f(r)·δr ≈ −0.03·δr.
    #expect(abs(r - 3.442619855899) < 1e-11)
    #expect(abs(v - 9.91256303526217e-3) < 1e-13)
    let x = Ziggurat.edges
    let f = { (z: Double) in exp(-0.5 * z * z) }
    #expect(abs(x[0] * f(r) - v) < 1e-15)
    for i in 1..<Ziggurat.layers {
      #expect(abs(x[i] * (f(x[i + 1]) - f(x[i])) - v) < 1e-13 * v, "layer \(i)")
    }
  }

  @Test("Gaussian (ziggurat): 200 equiprobable cells and the tails beyond r, 2 × 10^6 draws; moments")
  func gaussianFrequencies() {
    let n = 2_000_000, cells = 200
    let edges = (1..<cells).map { Normal.quantile(Double($0) / Double(cells)) }
    var counts = [Int](repeating: 0, count: cells)
    // Tail cells beyond the ziggurat's r ≈ 3.44 (its separate tail algorithm) and the wedges near it.
    let tailEdges = [3.0, 3.442619855899, 4.0, 4.5]
    var tails = [Int](repeating: 0, count: tailEdges.count)
    var g = Taus2(key: 77)
    var s = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0
    for _ in 0..<n {
      let z = Ziggurat.normal(&g)
      var lo = 0, hi = edges.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if edges[mid] <= z { lo = mid + 1 } else { hi = mid }
      }
      counts[lo] += 1
      for (j, e) in tailEdges.enumerated() where abs(z) >= e { tails[j] += 1 }
      s += z; s2 += z * z; s3 += z * z * z; s4 += z * z * z * z
    }
    let chi = Self.chiSquare(observed: counts, probabilities: [Double](repeating: 1 / Double(cells), count: cells), total: n)
    #expect(chi.p > 1e-4, "X² = \(chi.x2) for \(chi.dof) dof")
    // Two-sided tail counts: Binomial(n, 2Q(e)); 5 standard deviations.
    for (j, e) in tailEdges.enumerated() {
      let p = 2 * Normal.survival(e)
      let expected = Double(n) * p
      #expect(abs(Double(tails[j]) - expected) < 5 * (expected * (1 - p)).squareRoot(), "|z| ≥ \(e): \(tails[j]) vs \(expected)")
    }
    // Moments: standard errors 1/√n, √(2/n), √(15/n), √(96/n); 5 of them.
    let nd = Double(n)
    #expect(abs(s / nd) < 5 / nd.squareRoot())
    #expect(abs(s2 / nd - 1) < 5 * (2 / nd).squareRoot())
    #expect(abs(s3 / nd) < 5 * (15 / nd).squareRoot())
    #expect(abs(s4 / nd - 3) < 5 * (96 / nd).squareRoot())
  }

  @Test("Consecutive Gaussians and Poissons of one stream are uncorrelated (lag-1)")
  func serialCorrelation() {
    // 10^6 pairs: the correlation of independent draws has standard deviation 10^−3; 5σ.
    let n = 1_000_000
    let tables = PoissonTables(means: [3.7])
    var g = Taus2(key: 8)
    var prevZ = Ziggurat.normal(&g), prevK = tables.sample(0, &g)
    var szz = 0.0, sz = 0.0, sz2 = 0.0, skk = 0.0, sk = 0.0, sk2 = 0.0
    for _ in 0..<n {
      let z = Ziggurat.normal(&g), k = tables.sample(0, &g)
      szz += z * prevZ; sz += z; sz2 += z * z
      skk += k * prevK; sk += k; sk2 += k * k
      prevZ = z
      prevK = k
    }
    let nd = Double(n)
    let rz = (szz / nd - (sz / nd) * (sz / nd)) / (sz2 / nd - (sz / nd) * (sz / nd))
    let rk = (skk / nd - (sk / nd) * (sk / nd)) / (sk2 / nd - (sk / nd) * (sk / nd))
    #expect(abs(rz) < 5e-3 && abs(rk) < 5e-3, "lag-1 correlations \(rz), \(rk)")
  }
}
