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

  @Test("Keys that differ only in their high 32 bits give different streams (the full 64-bit key seeds MT19937)")
  func highBitsMatter() {
    let a = RandomStream(key: 0x0000_0001_0000_0005), b = RandomStream(key: 0x0000_0002_0000_0005)
    #expect((0..<16).map { _ in a.next32() } != (0..<16).map { _ in b.next32() })
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
