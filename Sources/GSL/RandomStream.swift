import CGSL

/// A GSL random-number stream: `gsl_rng_mt19937`, seeded from a 64-bit ``StreamKey``.
///
/// Why MT19937: period 2^19937 − 1, 623-dimensional equidistribution, no known failures of
/// the tests that matter for Monte Carlo integration, and one of GSL's fastest generators
/// (a few ns per draw). GSL's own `gsl_rng_set` takes only the low 32 bits of a seed, so two of
/// the ~600,000 streams of a paper-scale study would be expected to collide; instead the whole
/// 624-word state is filled from SplitMix64 started at the 64-bit key (the approach of
/// Matsumoto & Nishimura's `init_by_array`: distinct keys give unrelated states); the
/// generator's first twist then mixes every word before the first output.
///
/// A stream is not thread-safe: give each task its own (they are cheap to re-seed with
/// ``reseed(_:)``).
public final class RandomStream {
  @usableFromInline let rng: UnsafeMutablePointer<gsl_rng>

  /// The key the stream was last seeded with.
  public private(set) var key: UInt64

  public init(key: UInt64) {
    GSLRuntime.install()
    guard let r = gsl_rng_alloc(zpt_rng_mt19937()) else {
      // Allocation of ~5 kB failed: the process is out of memory; nothing sensible remains.
      fatalError("gsl_rng_alloc failed: out of memory")
    }
    rng = r
    self.key = key
    reseed(key)
  }

  public convenience init(_ key: StreamKey) { self.init(key: key.hash64) }

  deinit { gsl_rng_free(rng) }

  /// Restarts the stream at `key`, as if newly made.
  public func reseed(_ key: UInt64) {
    self.key = key
    let state = gsl_rng_state(rng)!.assumingMemoryBound(to: zpt_mt19937_state.self)
    var sm = SplitMix64(state: key)
    withUnsafeMutablePointer(to: &state.pointee.mt) { tuple in
      tuple.withMemoryRebound(to: UInt.self, capacity: 624) { words in
        var allZero = true
        for i in 0..<624 {
          let w = UInt(truncatingIfNeeded: sm.next() & 0xFFFF_FFFF)
          words[i] = w
          if w != 0 { allZero = false }
        }
        if allZero { words[0] = 0x8000_0000 }  // MT's only forbidden state
      }
    }
    // mti = N forces a full twist before the first output, so every output mixes all words.
    state.pointee.mti = 624
  }

  public func reseed(_ key: StreamKey) { reseed(key.hash64) }

  /// A uniform double in [0, 1).
  @inlinable public func uniform() -> Double { gsl_rng_uniform(rng) }

  /// A uniform double in (0, 1).
  @inlinable public func uniformPositive() -> Double { gsl_rng_uniform_pos(rng) }

  /// A uniform double in [a, b).
  @inlinable public func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * gsl_rng_uniform(rng) }

  /// A 32-bit random integer (MT19937's native output).
  @inlinable public func next32() -> UInt32 { UInt32(truncatingIfNeeded: gsl_rng_get(rng)) }

  /// A normal variate with mean 0 and standard deviation `sigma` (Marsaglia–Tsang ziggurat,
  /// `gsl_ran_gaussian_ziggurat`).
  @inlinable public func gaussian(sigma: Double = 1) -> Double { gsl_ran_gaussian_ziggurat(rng, sigma) }

  /// A Poisson variate with mean `mu` (`gsl_ran_poisson`); 0 for `mu <= 0`.
  @inlinable public func poisson(_ mu: Double) -> Int {
    mu > 0 ? Int(gsl_ran_poisson(rng, mu)) : 0
  }

  /// An exponential variate with mean `mu`.
  @inlinable public func exponential(mean mu: Double) -> Double { gsl_ran_exponential(rng, mu) }

  /// A Cauchy (non-relativistic Breit–Wigner) variate with half-width `a`.
  @inlinable public func cauchy(halfWidth a: Double) -> Double { gsl_ran_cauchy(rng, a) }

  /// A gamma variate (`gsl_ran_gamma`, Marsaglia–Tsang).
  @inlinable public func gamma(shape a: Double, scale b: Double) -> Double { gsl_ran_gamma(rng, a, b) }

  /// A binomial variate.
  @inlinable public func binomial(p: Double, n: Int) -> Int {
    Int(gsl_ran_binomial(rng, p, UInt32(clamping: n)))
  }
}

/// Walker's alias table over a discrete distribution (`gsl_ran_discrete`): O(1) per draw.
public final class DiscreteSampler {
  @usableFromInline let table: UnsafeMutablePointer<gsl_ran_discrete_t>
  public let count: Int

  /// - Parameter weights: non-negative weights, not all zero, all finite.
  public init(weights: [Double]) throws {
    GSLRuntime.install()
    guard !weights.isEmpty else { throw GSLError(status: Int32(GSL_EINVAL), context: "discrete sampler: no weights") }
    guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }), weights.contains(where: { $0 > 0 }) else {
      throw GSLError(status: Int32(GSL_EINVAL), context: "discrete sampler: weights must be finite, non-negative and not all zero")
    }
    guard let t = weights.withUnsafeBufferPointer({ gsl_ran_discrete_preproc($0.count, $0.baseAddress) }) else {
      throw GSLError(status: Int32(GSL_ENOMEM), context: "gsl_ran_discrete_preproc")
    }
    table = t
    count = weights.count
  }

  deinit { gsl_ran_discrete_free(table) }

  /// An index drawn with probability proportional to its weight.
  @inlinable public func sample(_ stream: RandomStream) -> Int { Int(gsl_ran_discrete(stream.rng, table)) }
}
