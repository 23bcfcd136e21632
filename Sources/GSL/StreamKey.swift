/// The 64-bit key that names one random stream.
///
/// Every pseudo-experiment in ZPrimeToys draws from its own stream, named by the tuple
/// (seed, study, mass index, toy index). The key is a hash of that tuple built from the
/// SplitMix64 finaliser (Steele, Lea & Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014), a bijection of 64-bit words with full avalanche:
///
///     k0 = mix(seed ⊕ 0x5A50_5249_4D45_544F)          // "ZPRIMETO"
///     k1 = mix(k0 ⊕ mix(study))
///     k2 = mix(k1 ⊕ mix(massIndex + 0x9E37_79B9_7F4A_7C15))
///     key = mix(k2 ⊕ mix(toyIndex + 2·0x9E37_79B9_7F4A_7C15))
///
/// Because the key depends only on the tuple, any single toy can be regenerated alone, and a
/// study gives the same numbers whatever the thread count or sharding.
public struct StreamKey: Hashable, Sendable, CustomStringConvertible {
  public let seed: UInt64
  public let study: UInt64
  public let massIndex: UInt64
  public let toyIndex: UInt64

  public init(seed: UInt64, study: Study, massIndex: Int = 0, toyIndex: Int = 0) {
    self.init(seed: seed, study: study.rawValue, massIndex: UInt64(truncatingIfNeeded: massIndex),
              toyIndex: UInt64(truncatingIfNeeded: toyIndex))
  }

  public init(seed: UInt64, study: UInt64, massIndex: UInt64, toyIndex: UInt64) {
    self.seed = seed
    self.study = study
    self.massIndex = massIndex
    self.toyIndex = toyIndex
  }

  /// The documented hash of the tuple (see the type's description).
  public var hash64: UInt64 {
    let golden: UInt64 = 0x9E37_79B9_7F4A_7C15
    let k0 = SplitMix64.mix(seed ^ 0x5A50_5249_4D45_544F)
    let k1 = SplitMix64.mix(k0 ^ SplitMix64.mix(study))
    let k2 = SplitMix64.mix(k1 ^ SplitMix64.mix(massIndex &+ golden))
    return SplitMix64.mix(k2 ^ SplitMix64.mix(toyIndex &+ golden &* 2))
  }

  public var description: String {
    "seed=\(seed) study=\(study) mass=\(massIndex) toy=\(toyIndex)"
  }

  /// A family of streams: a number that names what draws from it. The application's studies
  /// declare their families where they are defined (as `static let` members of this type);
  /// numbers are part of the result files' reproducibility and are never reused.
  public struct Study: RawRepresentable, Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt64) { rawValue = value }
    public var description: String { "\(rawValue)" }

    /// For tests and benchmarks.
    public static let test: Study = 99
  }
}

/// SplitMix64 (Steele, Lea & Flood 2014): the mixing function and the sequence it generates.
public struct SplitMix64: Sendable {
  public private(set) var state: UInt64

  public init(state: UInt64) { self.state = state }

  /// The SplitMix64 finaliser: a bijection on 64-bit words with full avalanche.
  @inlinable
  public static func mix(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return SplitMix64.mix(state)
  }
}
