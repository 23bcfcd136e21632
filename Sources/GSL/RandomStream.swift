import CGSL

/// A GSL random-number stream: `gsl_rng_taus2` (see ``Taus2`` for why), seeded from a 64-bit
/// ``StreamKey``.
///
/// GSL's own `gsl_rng_set` takes only the low 32 bits of a seed, so two of the ~600,000 streams
/// of a paper-scale study would be expected to collide; instead the three state words are set
/// from the 64-bit key (``Taus2/init(key:)``), which costs a few instructions — cheap enough
/// for one stream per toy. The uniform, Gaussian and Poisson draws step the generator inline
/// (``Taus2``, bit-identical to `gsl_rng_get`); GSL's own distributions and integrators
/// (`exponential`, `gamma`, VEGAS, …) step the same state through the `gsl_rng`.
///
/// A stream is not thread-safe: give each task its own (they are cheap to re-seed with
/// ``reseed(_:)``). Hot loops run on a ``Taus2`` value directly (``withGenerator(_:)``).
public final class RandomStream {
  @usableFromInline let rng: UnsafeMutablePointer<gsl_rng>
  @usableFromInline let state: UnsafeMutablePointer<zpt_taus_state>

  /// The key the stream was last seeded with.
  public private(set) var key: UInt64

  public init(key: UInt64) {
    GSLRuntime.install()
    guard let r = gsl_rng_alloc(zpt_rng_taus2()) else {
      // Allocation of a few bytes failed: the process is out of memory; nothing sensible remains.
      fatalError("gsl_rng_alloc failed: out of memory")
    }
    rng = r
    state = gsl_rng_state(r)!.assumingMemoryBound(to: zpt_taus_state.self)
    self.key = key
    reseed(key)
  }

  public convenience init(_ key: StreamKey) { self.init(key: key.hash64) }

  deinit { gsl_rng_free(rng) }

  /// Restarts the stream at `key`, as if newly made.
  public func reseed(_ key: UInt64) {
    self.key = key
    generator = Taus2(key: key)
  }

  public func reseed(_ key: StreamKey) { reseed(key.hash64) }

  /// The generator's state as a value (read from and written to GSL's state words).
  @inlinable public var generator: Taus2 {
    get { Taus2(s1: UInt32(truncatingIfNeeded: state.pointee.s1), s2: UInt32(truncatingIfNeeded: state.pointee.s2),
                s3: UInt32(truncatingIfNeeded: state.pointee.s3)) }
    set {
      state.pointee.s1 = UInt(newValue.s1)
      state.pointee.s2 = UInt(newValue.s2)
      state.pointee.s3 = UInt(newValue.s3)
    }
  }

  /// Runs `body` on the generator held in a local value (registers, not memory), then stores
  /// it back: the fast way to draw many numbers.
  @inlinable public func withGenerator<R>(_ body: (inout Taus2) throws -> R) rethrows -> R {
    var g = generator
    defer { generator = g }
    return try body(&g)
  }

  /// A uniform double in [0, 1) (32 random bits, as `gsl_rng_uniform`).
  @inlinable public func uniform() -> Double { withGenerator { $0.uniform32() } }

  /// A uniform double in (0, 1) (as `gsl_rng_uniform_pos`: 0 is drawn again).
  @inlinable public func uniformPositive() -> Double {
    withGenerator { g in
      var x = g.next32()
      while x == 0 { x = g.next32() }
      return Double(x) * 0x1p-32
    }
  }

  /// A uniform double in [a, b).
  @inlinable public func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }

  /// A 32-bit random integer (the generator's native output).
  @inlinable public func next32() -> UInt32 { withGenerator { $0.next32() } }

  /// A normal variate with mean 0 and standard deviation `sigma` (``Ziggurat``).
  @inlinable public func gaussian(sigma: Double = 1) -> Double { withGenerator { sigma * Ziggurat.normal(&$0) } }

  /// A Poisson variate with mean `mu` (``Taus2/poisson(_:)``); 0 for `mu <= 0`. For many draws
  /// at the same means, ``PoissonTables`` is several times faster.
  @inlinable public func poisson(_ mu: Double) -> Int {
    let k = withGenerator { $0.poisson(mu) }
    return k.isFinite ? Int(k) : 0
  }

  /// The next output stepped by GSL itself (`gsl_rng_get` through the generator type), for
  /// checking that ``Taus2`` steps the same state to the same numbers.
  func gslNext32() -> UInt32 { UInt32(truncatingIfNeeded: gsl_rng_get(rng)) }

  /// `gsl_rng_uniform` stepped by GSL itself (see ``gslNext32()``).
  func gslUniform() -> Double { gsl_rng_uniform(rng) }

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
