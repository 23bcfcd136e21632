import Foundation

/// Poisson variates for means known in advance (the bins of a toy set: every toy of one
/// generation point has the same mean per bin), by the fastest exact method for each mean:
///
/// - **mean ≤ ``tableLimit``: inversion from a table** (L. Devroye, "Non-Uniform Random Variate
///   Generation", Springer 1986, §III.2.4 and §X.3; the guide table of H. C. Chen & Y. Asau,
///   J. Chin. Inst. Eng. 3 (1974) 91): the cumulative distribution as 64-bit thresholds
///   t_k = round(2^64·F(k)) − 1, and a guide table that maps the top bits of a 64-bit uniform u to
///   the first candidate k; the result is the smallest k with u ≤ t_k. One draw of 64 bits,
///   one to two comparisons on average. P(k) is exact to 2^−64 — the lower cumulative F(k) and
///   the upper tail 1 − F(k) are each summed from their small end, so tails far below double
///   precision of F near 1 keep their probabilities (the table stops where the remaining tail
///   is below 10^−22). Inversion is monotone in the mean: a toy drawn at a slightly larger mean
///   from the same stream never has fewer counts (common random numbers across tested points).
/// - **mean > ``tableLimit``: PTRS**, Hörmann's transformed rejection with squeeze (W. Hörmann,
///   "The transformed rejection method for generating Poisson random variables", Insurance:
///   Mathematics and Economics 12 (1993) 39–45), exact, ~1.1 pairs of 32-bit uniforms per
///   variate, ln k! only in the ~10% of draws the squeeze does not settle. Its constants are
///   precomputed per mean.
///
/// A mean ≤ 0 gives 0; a non-finite mean gives NaN (so a fit on it fails visibly).
public struct PoissonTables: Sendable {
  /// Means up to this use a table (memory per mean ≈ 8·(21√µ + 30) bytes of thresholds plus a
  /// guide table of the next power of two in 4-byte entries: ~10 kB at the limit).
  public static let tableLimit = 1000.0

  /// How one mean is sampled: a table (thresholds from `base`, values from `first`, guide
  /// entries from `guideBase`, indexed by the top 64 − `shift` bits), PTRS (`base` indexes the
  /// constants), or a constant 0 or NaN. A plain 16-byte record, read through a pointer.
  @usableFromInline
  struct Entry: Sendable {
    @usableFromInline var base: Int32
    @usableFromInline var first: Int32
    @usableFromInline var guideBase: Int32
    @usableFromInline var shift: UInt8
    @usableFromInline var kind: Kind

    @usableFromInline
    enum Kind: UInt8, Sendable { case table, ptrs, zero, nan }
  }

  @usableFromInline let entries: [Entry]
  @usableFromInline let thresholds: [UInt64]
  @usableFromInline let guide: [Int32]
  @usableFromInline let rejection: [PTRS]

  /// The means, in the order given.
  public let means: [Double]

  public init(means: [Double]) {
    self.means = means
    var entries: [Entry] = []
    var thresholds: [UInt64] = [.max]  // never empty (a pointer to it always exists)
    var guide: [Int32] = [0]
    var rejection: [PTRS] = [PTRS(mean: 10)]
    entries.reserveCapacity(means.count)
    for mu in means {
      if !mu.isFinite {
        entries.append(Entry(base: 0, first: 0, guideBase: 0, shift: 0, kind: .nan))
      } else if mu <= 0 {
        entries.append(Entry(base: 0, first: 0, guideBase: 0, shift: 0, kind: .zero))
      } else if mu <= Self.tableLimit {
        entries.append(Self.appendTable(mean: mu, thresholds: &thresholds, guide: &guide))
      } else {
        entries.append(Entry(base: Int32(rejection.count), first: 0, guideBase: 0, shift: 0, kind: .ptrs))
        rejection.append(PTRS(mean: mu))
      }
    }
    self.entries = entries
    self.thresholds = thresholds
    self.guide = guide
    self.rejection = rejection
  }

  public var count: Int { means.count }

  /// Whether mean `i` is sampled from a table (false: PTRS or a constant).
  public func usesTable(_ i: Int) -> Bool { entries[i].kind == .table }

  /// The probabilities the table of mean `i` gives each value (the differences of its
  /// thresholds over 2^64), from the first value it can return; nil for PTRS or a constant.
  func tableProbabilities(_ i: Int) -> (first: Int, p: [Double])? {
    let e = entries[i]
    guard e.kind == .table else { return nil }
    var p: [Double] = []
    var previous: UInt64? = nil
    for j in Int(e.base)..<thresholds.count {
      // A table ends at its first threshold 2^64 − 1 (where the walk always stops).
      let t = thresholds[j]
      p.append(previous.map { Double(t - $0) * 0x1p-64 } ?? (Double(t) + 1) * 0x1p-64)
      previous = t
      if t == .max { break }
    }
    return (Int(e.first), p)
  }

  /// The tables seen through pointers, valid inside ``withSampler(_:)``: the fast way to draw.
  public struct Sampler {
    @usableFromInline let entries: UnsafePointer<Entry>
    @usableFromInline let thresholds: UnsafePointer<UInt64>
    @usableFromInline let guide: UnsafePointer<Int32>
    @usableFromInline let rejection: UnsafePointer<PTRS>

    @usableFromInline
    init(entries: UnsafePointer<Entry>, thresholds: UnsafePointer<UInt64>, guide: UnsafePointer<Int32>, rejection: UnsafePointer<PTRS>) {
      self.entries = entries
      self.thresholds = thresholds
      self.guide = guide
      self.rejection = rejection
    }

    /// A Poisson variate with mean `means[i]` (no bounds check on `i`).
    @inlinable @inline(__always)
    public func sample(_ i: Int, _ g: inout Taus2) -> Double {
      let e = entries[i]
      switch e.kind {
      case .table:
        let u = g.next64()
        var j = Int(guide[Int(e.guideBase) &+ Int(truncatingIfNeeded: u &>> UInt64(e.shift))])
        while u > thresholds[j] { j &+= 1 }
        return Double(j &- Int(e.base) &+ Int(e.first))
      case .ptrs: return rejection[Int(e.base)].sample(&g)
      case .zero: return 0
      case .nan: return .nan
      }
    }
  }

  /// Runs `body` with a ``Sampler`` over these tables.
  @inlinable
  public func withSampler<R>(_ body: (Sampler) throws -> R) rethrows -> R {
    try entries.withUnsafeBufferPointer { e in
      try thresholds.withUnsafeBufferPointer { t in
        try guide.withUnsafeBufferPointer { g in
          try rejection.withUnsafeBufferPointer { r in
            // Empty `entries` (no means) still has a valid pointer to hand out.
            try body(Sampler(entries: e.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Entry>.alignment)!,
                             thresholds: t.baseAddress!, guide: g.baseAddress!, rejection: r.baseAddress!))
          }
        }
      }
    }
  }

  /// A Poisson variate with mean `means[i]`.
  @inlinable
  public func sample(_ i: Int, _ g: inout Taus2) -> Double {
    precondition(i >= 0 && i < entries.count, "PoissonTables: index \(i) out of 0..<\(entries.count)")
    return withSampler { $0.sample(i, &g) }
  }

  /// One variate per mean, in order.
  public func sampleAll(_ g: inout Taus2) -> [Double] {
    withSampler { s in (0..<count).map { s.sample($0, &g) } }
  }

  /// Builds the inversion table of mean µ: probabilities from the mode outwards (recursion
  /// p_{k±1} from p_k, p_mode = exp(m ln µ − µ − ln m!)), normalised by their sum, cut where the
  /// remaining tail is below 10^−22.
  static func appendTable(mean mu: Double, thresholds: inout [UInt64], guide: inout [Int32]) -> Entry {
    let mode = floor(mu)
    let pMode = exp(mode * log(mu) - mu - lgamma(mode + 1))
    var below: [Double] = []  // p_{mode−1}, p_{mode−2}, …
    var p = pMode, k = mode
    while k > 0 && p > 1e-24 {
      p *= k / mu
      k -= 1
      below.append(p)
    }
    var above: [Double] = [pMode]  // p_mode, p_{mode+1}, …
    p = pMode
    k = mode
    while p > 1e-24 || k < mu {
      k += 1
      p *= mu / k
      above.append(p)
    }
    let probabilities = Array(below.reversed()) + above
    let first = Int(mode) - below.count
    let total = probabilities.reduce(0, +)
    let n = probabilities.count
    // Lower cumulative up to the mode, upper tail beyond it, each summed from its small end.
    var t = [UInt64](repeating: 0, count: n)
    var lower = 0.0
    for j in 0..<below.count {
      lower += probabilities[j]
      t[j] = Self.threshold(lower / total)
    }
    var upper = 0.0
    for j in stride(from: n - 1, through: below.count, by: -1) {
      t[j] = Self.threshold(complement: upper / total)  // t[n − 1] = 2^64 − 1: the walk always stops
      upper += probabilities[j]
    }
    for j in 1..<n where t[j] < t[j - 1] { t[j] = t[j - 1] }
    // Guide table: 2^g ≥ n entries; entry m = the first j with t_j ≥ m·2^(64−g).
    var bits = 1
    while (1 << bits) < n { bits += 1 }
    let base = thresholds.count, guideBase = guide.count
    var j = 0
    for m in 0..<(1 << bits) {
      let start = UInt64(m) &<< UInt64(64 - bits)
      while t[j] < start { j += 1 }
      guide.append(Int32(base + j))
    }
    thresholds.append(contentsOf: t)
    return Entry(base: Int32(base), first: Int32(first), guideBase: Int32(guideBase), shift: UInt8(64 - bits), kind: .table)
  }

  /// round(2^64·F) − 1 clamped to [0, 2^64 − 1].
  static func threshold(_ f: Double) -> UInt64 {
    let scaled = (f * 0x1p64).rounded()
    if scaled < 1 { return 0 }
    return scaled >= 0x1p64 ? .max : UInt64(scaled) - 1
  }

  /// The same from the upper tail q = 1 − F, exact down to q = 2^−64: 2^64 − round(2^64·q) − 1,
  /// which is ~round(2^64·q) in two's complement.
  static func threshold(complement q: Double) -> UInt64 {
    let scaled = (q * 0x1p64).rounded()
    return scaled >= 0x1p64 ? 0 : ~UInt64(scaled)
  }
}

/// Hörmann's PTRS for one mean µ ≥ 10 (constants of Algorithm PTRS, Hörmann 1993, Table 1 and
/// §3): b = 0.931 + 2.53√µ, a = −0.059 + 0.02483·b, 1/α = 1.1239 + 1.1328/(b − 3.4),
/// v_r = 0.9277 − 3.6224/(b − 2).
@usableFromInline
struct PTRS: Sendable {
  @usableFromInline let mu: Double
  @usableFromInline let logMu: Double
  @usableFromInline let a: Double
  @usableFromInline let b: Double
  @usableFromInline let logInvAlpha: Double
  @usableFromInline let vr: Double

  @usableFromInline
  init(mean mu: Double) {
    self.mu = mu
    logMu = log(mu)
    b = 0.931 + 2.53 * mu.squareRoot()
    a = -0.059 + 0.02483 * b
    logInvAlpha = log(1.1239 + 1.1328 / (b - 3.4))
    vr = 0.9277 - 3.6224 / (b - 2)
  }

  @inlinable
  func sample(_ g: inout Taus2) -> Double {
    while true {
      // U uniform on (−½, ½), V on (0, 1), both from 32 random bits, never at the ends.
      let u = (Double(g.next32()) + 0.5) * 0x1p-32 - 0.5
      let v = (Double(g.next32()) + 0.5) * 0x1p-32
      let us = 0.5 - abs(u)
      let k = ((2 * a / us + b) * u + mu + 0.43).rounded(.down)
      if us >= 0.07 && v <= vr { return k }
      if k < 0 || (us < 0.013 && v > us) { continue }
      if log(v) + logInvAlpha - log(a / (us * us) + b) <= -mu + k * logMu - lgamma(k + 1) { return k }
    }
  }
}

extension Taus2 {
  /// A Poisson variate of a mean used once (no table): sequential inversion from 0 for µ < 10
  /// (Devroye 1986 §X.3: one 53-bit uniform, µ + 1 steps on average), PTRS above. 0 for µ ≤ 0,
  /// NaN for a non-finite µ.
  @inlinable
  public mutating func poisson(_ mu: Double) -> Double {
    guard mu.isFinite else { return .nan }
    if mu <= 0 { return 0 }
    if mu >= 10 { return PTRS(mean: mu).sample(&self) }
    let u = uniformOpen()
    var p = exp(-mu), cdf = p, k = 0.0
    // The cumulative reaches 1 − 2^−53 within ~40 terms for µ < 10; the bound guards rounding.
    while u > cdf && k < 200 {
      k += 1
      p *= mu / k
      cdf += p
    }
    return k
  }
}
