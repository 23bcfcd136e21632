/// GSL's `gsl_rng_taus2` generator as a value: L'Ecuyer's maximally equidistributed combined
/// Tausworthe generator (P. L'Ecuyer, "Maximally equidistributed combined Tausworthe
/// generators", Math. Comp. 65 (1996) 203–213; the seeding constraints from the erratum, Math.
/// Comp. 68 (1999) 261–269), stepped inline by Swift on the same three state words GSL keeps.
///
/// Why this generator for toys: its state is three 32-bit words, so "one stream per toy" costs
/// a two-word hash to start (MT19937's 624 words cost ~15,000 instructions per toy); a step is
/// ~15 shift/xor instructions with no memory traffic; the period is ≈ 2^88 (a toy draws < 10^4
/// numbers); it is maximally equidistributed (in every dimension up to 32/ℓ for ℓ-bit
/// outputs). Like MT19937 it is F2-linear, so it fails only the linear-complexity and
/// matrix-rank tests of TestU01's BigCrush, which no Monte Carlo integral here resembles.
///
/// The step is bit-for-bit `gsl_rng_get` on a `gsl_rng_taus2` in the same state (a test checks
/// it), so ``RandomStream`` can hand the same state to GSL's own distributions and integrators.
public struct Taus2: Sendable, Equatable {
  public var s1: UInt32
  public var s2: UInt32
  public var s3: UInt32

  /// A state from three words; words too small for their component (fewer significant bits
  /// than the recurrence keeps: s1 < 2, s2 < 8, s3 < 16) are lifted as GSL's `taus2_set` does.
  @inlinable
  public init(s1: UInt32, s2: UInt32, s3: UInt32) {
    self.s1 = s1 < 2 ? s1 + 2 : s1
    self.s2 = s2 < 8 ? s2 + 8 : s2
    self.s3 = s3 < 16 ? s3 + 16 : s3
  }

  /// The stream of a 64-bit key: the state words are the first two outputs of SplitMix64
  /// started at the key (a bijection of the key into 64 of the state bits, the third word from
  /// the next output), so distinct keys give distinct, unrelated states. No warm-up is needed:
  /// the words are already full-avalanche hashes of the key.
  @inlinable
  public init(key: UInt64) {
    let a = SplitMix64.mix(key &+ 0x9E37_79B9_7F4A_7C15)
    let b = SplitMix64.mix(key &+ 0x9E37_79B9_7F4A_7C15 &* 2)
    self.init(s1: UInt32(truncatingIfNeeded: a), s2: UInt32(truncatingIfNeeded: a >> 32), s3: UInt32(truncatingIfNeeded: b))
  }

  /// The next 32-bit output (GSL's `taus_get`):
  ///
  ///     s1 ← ((s1 & 0xFFFFFFFE) << 12) ^ (((s1 << 13) ^ s1) >> 19)
  ///     s2 ← ((s2 & 0xFFFFFFF8) <<  4) ^ (((s2 <<  2) ^ s2) >> 25)
  ///     s3 ← ((s3 & 0xFFFFFFF0) << 17) ^ (((s3 <<  3) ^ s3) >> 11)
  ///     x  = s1 ^ s2 ^ s3              (all modulo 2^32)
  @inlinable @inline(__always)
  public mutating func next32() -> UInt32 {
    s1 = ((s1 & 0xFFFF_FFFE) &<< 12) ^ (((s1 &<< 13) ^ s1) &>> 19)
    s2 = ((s2 & 0xFFFF_FFF8) &<< 4) ^ (((s2 &<< 2) ^ s2) &>> 25)
    s3 = ((s3 & 0xFFFF_FFF0) &<< 17) ^ (((s3 &<< 3) ^ s3) &>> 11)
    return s1 ^ s2 ^ s3
  }

  /// 64 random bits: two consecutive outputs, the first in the high half.
  @inlinable @inline(__always)
  public mutating func next64() -> UInt64 {
    let hi = UInt64(next32())
    return hi &<< 32 | UInt64(next32())
  }

  /// A uniform double in [0, 1) on the 2^−32 lattice: `gsl_rng_uniform` for taus2.
  @inlinable @inline(__always)
  public mutating func uniform32() -> Double { Double(next32()) * 0x1p-32 }

  /// A uniform double in (0, 1) with 53 random bits: (⌊w/2^11⌋ + ½)·2^−53 for 64 random bits w
  /// (never 0, so its logarithm is finite).
  @inlinable @inline(__always)
  public mutating func uniformOpen() -> Double { (Double(next64() &>> 11) + 0.5) * 0x1p-53 }
}
