import Testing
@testable import GSL

@Suite("Random streams")
struct RandomStreamTests {
  @Test("The stream key hash is the documented SplitMix64 chain and is pinned")
  func keyHashIsStable() {
    let k = StreamKey(seed: 1, study: 5, massIndex: 3, toyIndex: 7)
    let golden: UInt64 = 0x9E37_79B9_7F4A_7C15
    let k0 = SplitMix64.mix(1 ^ 0x5A50_5249_4D45_544F)
    let k1 = SplitMix64.mix(k0 ^ SplitMix64.mix(5))
    let k2 = SplitMix64.mix(k1 ^ SplitMix64.mix(3 &+ golden))
    #expect(k.hash64 == SplitMix64.mix(k2 ^ SplitMix64.mix(7 &+ golden &* 2)))
    // Pinned: a change here changes every toy of every study.
    #expect(k.hash64 == StreamKey(seed: 1, study: 5, massIndex: 3, toyIndex: 7).hash64)
    #expect(SplitMix64.mix(0) == 0)
    #expect(SplitMix64.mix(1) == 0x5692_161D_100B_05E5)
  }

  @Test("Distinct tuples give distinct keys (no collisions over 300,000 streams)")
  func keysDistinct() {
    var seen = Set<UInt64>()
    for m in 0..<300 { for t in 0..<1000 { seen.insert(StreamKey(seed: 42, study: 6, massIndex: m, toyIndex: t).hash64) } }
    #expect(seen.count == 300_000)
  }

  @Test("The same key reproduces the same numbers; re-seeding restarts the stream")
  func reproducible() {
    let a = RandomStream(key: 12345), b = RandomStream(key: 12345)
    let xa = (0..<1000).map { _ in a.uniform() }
    let xb = (0..<1000).map { _ in b.uniform() }
    #expect(xa == xb)
    a.reseed(12345)
    #expect((0..<1000).map { _ in a.uniform() } == xa)
  }

  @Test("Keys that differ only in their high 32 bits give different streams (the full 64-bit key seeds the generator)")
  func highBitsMatter() {
    let a = RandomStream(key: 0x0000_0001_0000_0005), b = RandomStream(key: 0x0000_0002_0000_0005)
    #expect((0..<16).map { _ in a.next32() } != (0..<16).map { _ in b.next32() })
  }

  @Test("Taus2 steps GSL's gsl_rng_taus2 state to the same numbers as gsl_rng_get and gsl_rng_uniform")
  func taus2IsGSL() {
    let a = RandomStream(key: 0xDEAD_BEEF), b = RandomStream(key: 0xDEAD_BEEF)
    for _ in 0..<10_000 { #expect(a.next32() == b.gslNext32()) }
    for _ in 0..<1000 { #expect(a.uniform() == b.gslUniform()) }
    // Interleaved: GSL's distributions and the inline draws share one state.
    let c = RandomStream(key: 9), d = RandomStream(key: 9)
    _ = c.exponential(mean: 1)
    _ = d.gslNext32()
    #expect(c.generator == d.generator)
    // Small state words are lifted as taus2_set does (s1 ≥ 2, s2 ≥ 8, s3 ≥ 16).
    #expect(Taus2(s1: 0, s2: 0, s3: 0) == Taus2(s1: 2, s2: 8, s3: 16))
  }

  @Test("A stream key's generator is the same whether made by RandomStream or Taus2(key:)")
  func keyedGenerator() {
    let key = StreamKey(seed: 3, study: .test, massIndex: 4, toyIndex: 5).hash64
    var g = Taus2(key: key)
    let r = RandomStream(key: key)
    #expect((0..<100).map { _ in g.next32() } == (0..<100).map { _ in r.next32() })
  }

  /// Pearson's X² p-value of a 2-D histogram against the uniform expectation.
  static func uniformity(_ counts: [Int]) -> Double {
    let n = counts.reduce(0, +)
    let e = Double(n) / Double(counts.count)
    let x2 = counts.reduce(0.0) { $0 + (Double($1) - e) * (Double($1) - e) / e }
    return ChiSquared.survival(x2, dof: Double(counts.count - 1))
  }

  /// Independence of the streams of neighbouring keys: for `pairs` neighbour pairs (a, b), the
  /// first `draws` uniforms of each. Checks (1) the correlation of u_a[j] and u_b[j] over all
  /// pairs and positions (standard deviation 1/√N for N = pairs·draws; tolerance 5σ), (2) a
  /// 16 × 16 frequency test of (u_a[j], u_b[j]) over all positions and (3) an 8 × 8 one of the
  /// first draws only (where a seeding flaw would show), both passing at p > 10^−4, and (4) the
  /// correlation of the first Gaussians of the two streams (5σ).
  static func checkNeighbours(_ label: String, pairs: Int, draws: Int, _ neighbours: (Int) -> (UInt64, UInt64)) {
    var all = [Int](repeating: 0, count: 256), first = [Int](repeating: 0, count: 64)
    var sab = 0.0, sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0
    var gab = 0.0, ga2 = 0.0, gb2 = 0.0
    for t in 0..<pairs {
      let (ka, kb) = neighbours(t)
      var a = Taus2(key: ka), b = Taus2(key: kb)
      var za = a, zb = b
      let x = Ziggurat.normal(&za), y = Ziggurat.normal(&zb)
      gab += x * y; ga2 += x * x; gb2 += y * y
      for j in 0..<draws {
        let u = a.uniform32(), v = b.uniform32()
        sab += u * v; sa += u; sb += v; saa += u * u; sbb += v * v
        all[Int(u * 16) * 16 + Int(v * 16)] += 1
        if j == 0 { first[Int(u * 8) * 8 + Int(v * 8)] += 1 }
      }
    }
    let n = Double(pairs * draws)
    let r = (sab / n - sa / n * sb / n) / ((saa / n - sa * sa / n / n) * (sbb / n - sb * sb / n / n)).squareRoot()
    #expect(abs(r) < 5 / n.squareRoot(), "\(label): correlation \(r)")
    #expect(uniformity(all) > 1e-4, "\(label): 16×16 frequency test")
    #expect(uniformity(first) > 1e-4, "\(label): 8×8 frequency test of the first draws")
    let rg = gab / (ga2 * gb2).squareRoot()
    #expect(abs(rg) < 5 / Double(pairs).squareRoot(), "\(label): correlation of first Gaussians \(rg)")
  }

  @Test("Streams of neighbouring toys, mass indices and seeds are independent (correlation, 2-D frequency tests)")
  func neighbourIndependence() {
    // 20,000 pairs × 16 draws: 320,000 points (correlation σ = 0.0018; 1,250 per cell of the
    // 16×16 test), 20,000 first draws (312 per cell of the 8×8 test).
    let pairs = 20_000, draws = 16
    func key(seed: Int = 7, mass: Int = 3, toy: Int = 11) -> UInt64 {
      StreamKey(seed: UInt64(seed), study: .test, massIndex: mass, toyIndex: toy).hash64
    }
    Self.checkNeighbours("toy i, i+1", pairs: pairs, draws: draws) { (key(toy: $0), key(toy: $0 + 1)) }
    Self.checkNeighbours("mass m, m+1", pairs: pairs, draws: draws) { (key(mass: $0), key(mass: $0 + 1)) }
    Self.checkNeighbours("seed s, s+1", pairs: pairs, draws: draws) { (key(seed: $0), key(seed: $0 + 1)) }
    // Raw neighbouring 64-bit keys too: the generator's own seeding, without the key hash.
    Self.checkNeighbours("raw key k, k+1", pairs: pairs, draws: draws) { (UInt64($0), UInt64($0) + 1) }
  }

  @Test("Streams of neighbouring toys are uncorrelated")
  func independence() {
    // 200 pairs of streams for neighbouring toy indices, 5,000 uniforms each: the correlation
    // coefficient of each pair has standard deviation 1/√5000 ≈ 0.0141; their mean over 200 pairs
    // has 0.0010, and the mean square is 1/5000 with relative spread √(2/200) = 10%. Tolerances:
    // 5 standard deviations.
    let n = 5000, pairs = 200
    var sumR = 0.0, sumR2 = 0.0
    for t in 0..<pairs {
      let a = RandomStream(StreamKey(seed: 7, study: .test, massIndex: 0, toyIndex: t))
      let b = RandomStream(StreamKey(seed: 7, study: .test, massIndex: 0, toyIndex: t + 1))
      var sab = 0.0, sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0
      for _ in 0..<n {
        let x = a.uniform(), y = b.uniform()
        sab += x * y; sa += x; sb += y; saa += x * x; sbb += y * y
      }
      let N = Double(n)
      let r = (sab / N - sa / N * sb / N) / ((saa / N - sa * sa / N / N) * (sbb / N - sb * sb / N / N)).squareRoot()
      sumR += r
      sumR2 += r * r
    }
    let meanR = sumR / Double(pairs)
    let meanR2 = sumR2 / Double(pairs)
    #expect(abs(meanR) < 5 * 0.0141 / Double(pairs).squareRoot())
    #expect(abs(meanR2 * Double(n) - 1) < 5 * 0.1)
  }

  @Test("Uniform and Gaussian moments")
  func moments() {
    // N = 10^6: the mean of U(0,1) has σ = 0.2887/1000; the Gaussian variance has σ = √2/1000.
    let r = RandomStream(key: 99)
    let n = 1_000_000
    var su = 0.0, sg = 0.0, sg2 = 0.0
    for _ in 0..<n {
      su += r.uniform()
      let g = r.gaussian(sigma: 2)
      sg += g
      sg2 += g * g
    }
    #expect(abs(su / Double(n) - 0.5) < 5 * 0.2887e-3)
    #expect(abs(sg / Double(n)) < 5 * 2e-3)
    #expect(abs(sg2 / Double(n) / 4 - 1) < 5 * 1.4142e-3)
  }

  @Test("Invalid discrete weights are errors, not aborts (GSL's handler is off)")
  func discreteErrors() throws {
    #expect(throws: GSLError.self) { try DiscreteSampler(weights: []) }
    #expect(throws: GSLError.self) { try DiscreteSampler(weights: [1, -1]) }
    #expect(throws: GSLError.self) { try DiscreteSampler(weights: [0, 0]) }
    #expect(throws: GSLError.self) { try DiscreteSampler(weights: [1, .nan]) }
    let d = try DiscreteSampler(weights: [1, 3])
    let r = RandomStream(key: 5)
    var ones = 0
    for _ in 0..<100_000 where d.sample(r) == 1 { ones += 1 }
    // Binomial(10^5, 0.75): σ = 137.
    #expect(abs(ones - 75_000) < 5 * 137)
  }

  @Test("Normal quantiles")
  func quantiles() {
    #expect(abs(Normal.quantile(0.975) - 1.959963984540054) < 1e-12)
    #expect(abs(Normal.survivalQuantile(2.866515719e-7) - 5) < 1e-6)
  }
}
