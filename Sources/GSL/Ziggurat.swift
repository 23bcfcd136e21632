import Foundation

/// Standard normal variates by the ziggurat method (G. Marsaglia & W. W. Tsang, "The ziggurat
/// method for generating random variables", J. Stat. Softw. 5(8), 2000), with 128 layers and the
/// layer, sign and abscissa taken from disjoint bits of one 64-bit draw (J. A. Doornik, "An
/// improved ziggurat method to generate normal random samples", 2005: reusing the layer bits in
/// the abscissa correlates them).
///
/// The density f(x) = e^(−x²/2) (unnormalised) is covered by 128 layers of equal area v: the
/// base layer is the rectangle [0, x₀]×[0, f(r)] with x₀ = v/f(r) — its part beyond r stands for
/// the tail x > r — and layer i ≥ 1 the rectangle [0, x_i]×[f(x_i), f(x_{i+1})], with x₁ = r,
/// x_{i+1} = f⁻¹(f(x_i) + v/x_i), x₁₂₈ = 0. A draw picks a layer uniformly and a point x uniformly
/// in [0, x_i): below x_{i+1} it lies under the curve (accepted at once: 98.8% of draws); else
/// the wedge is tested with one more uniform, or, in the base layer, x is drawn from the tail
/// by Marsaglia's method (x = r + e₁/r with e₁, e₂ exponential, accepted when 2e₂ > (e₁/r)²).
///
/// r and v are solved here to double precision (the top layer must close exactly at f(0) = 1),
/// rather than taken from the paper's 10-digit constants, so every layer has area v to within
/// rounding: the layers' equal area is what makes the method exact.
public enum Ziggurat {
  /// The tables: x_i scaled by 2^−53 (`w`), the acceptance bounds ⌊2^53·x_{i+1}/x_i⌋ (`k`),
  /// f(x_i) (`f`) and the edges x_i; made once per process in memory that is never freed
  /// (3 kB), so a draw reads them through plain pointers (no reference counting).
  @usableFromInline
  final class Tables: @unchecked Sendable {  // immutable after init
    @usableFromInline let w: UnsafeMutablePointer<Double>
    @usableFromInline let k: UnsafeMutablePointer<UInt64>
    @usableFromInline let f: UnsafeMutablePointer<Double>
    let x: [Double]
    @usableFromInline let r: Double
    let v: Double

    init(x: [Double], v: Double) {
      w = .allocate(capacity: layers)
      k = .allocate(capacity: layers)
      f = .allocate(capacity: layers + 1)
      for i in 0..<layers {
        w[i] = x[i] * 0x1p-53
        k[i] = UInt64(x[i + 1] / x[i] * 0x1p53)
      }
      for i in 0...layers { f[i] = density(x[i]) }
      self.x = x
      r = x[1]
      self.v = v
    }
  }

  /// Layers; a power of two (the layer index is 7 bits of the draw).
  public static let layers = 128

  @usableFromInline
  static let tables: Tables = makeTables()

  /// The tail start r and the layer area v of the 128-layer ziggurat.
  public static var parameters: (r: Double, v: Double) { (tables.r, tables.v) }

  /// Fills `count` values `mean[i] + sigma[i]·z` at `out[row[i]·stride]` (the Gaussian
  /// auxiliary data of a toy), the tables fetched once.
  @inlinable
  public static func fill(
    _ g: inout Taus2, count: Int, rows: UnsafePointer<Int>, mean: UnsafePointer<Double>, sigma: UnsafePointer<Double>,
    into out: UnsafeMutablePointer<Double>, stride: Int
  ) {
    let t = tables
    for i in 0..<count { out[rows[i] &* stride] = mean[i] + sigma[i] * normal(&g, t) }
  }

  /// The layer edges x_i (x₀ = v/f(r) > r, x₁ = r, …, x₁₂₈ = 0).
  public static var edges: [Double] { tables.x }

  static func density(_ x: Double) -> Double { exp(-0.5 * x * x) }

  /// Layer edges for a trial r: the area v(r) = r·f(r) + ∫_r^∞ f, then the recursion; returns the
  /// edges and the mismatch of the top layer's area (positive when r is too small).
  static func layerEdges(r: Double) -> (x: [Double], v: Double, topExcess: Double) {
    let v = r * density(r) + (Double.pi / 2).squareRoot() * erfc(r / 2.0.squareRoot())
    var x = [Double](repeating: 0, count: layers + 1)
    x[0] = v / density(r)
    x[1] = r
    for i in 1..<(layers - 1) {
      let y = density(x[i]) + v / x[i]
      if y >= 1 { return (x, v, .infinity) }
      x[i + 1] = (-2 * log(y)).squareRoot()
    }
    // The top layer [0, x₁₂₇]×[f(x₁₂₇), 1] must have area v.
    return (x, v, v - x[layers - 1] * (1 - density(x[layers - 1])))
  }

  static func makeTables() -> Tables {
    // Bisection on r: a larger r gives thinner layers and a top layer too large.
    var lo = 3.0, hi = 4.0
    for _ in 0..<200 {
      let mid = 0.5 * (lo + hi)
      if mid == lo || mid == hi { break }
      if layerEdges(r: mid).topExcess > 0 { lo = mid } else { hi = mid }
    }
    let (x, v, _) = layerEdges(r: hi)
    return Tables(x: x, v: v)
  }

  /// A standard normal variate from `g`: two 32-bit outputs per draw in 98.8% of cases.
  @inlinable @inline(__always)
  public static func normal(_ g: inout Taus2) -> Double { normal(&g, tables) }

  /// The same with the tables fetched once by the caller (`Ziggurat.tables`), for hot loops.
  @inlinable @inline(__always)
  static func normal(_ g: inout Taus2, _ t: Tables) -> Double {
    while true {
      let bits = g.next64()
      let i = Int(truncatingIfNeeded: bits & 0x7F)
      let j = bits &>> 11  // 53 bits, disjoint from the layer (0–6) and sign (7) bits
      let x = Double(j) * t.w[i]
      if j < t.k[i] { return bits & 0x80 == 0 ? x : -x }
      // The generator goes by value (and comes back) so that it can stay in registers on the
      // fast path.
      let (y, state) = slowPath(g, layer: i, x: x)
      g = state
      if let y { return bits & 0x80 == 0 ? y : -y }
    }
  }

  /// The 1.2% of draws outside the layer's inner rectangle: the tail (base layer) or the wedge
  /// test; nil means "rejected, draw again".
  @usableFromInline @inline(never)
  static func slowPath(_ start: Taus2, layer i: Int, x: Double) -> (Double?, Taus2) {
    let t = tables
    var g = start
    if i == 0 {
      // Tail beyond r (Marsaglia 1964).
      while true {
        let e1 = -log(g.uniformOpen()) / t.r
        let e2 = -log(g.uniformOpen())
        if e2 + e2 > e1 * e1 { return (t.r + e1, g) }
      }
    }
    // Wedge: a uniform height in [f(x_i), f(x_{i+1})] below f(x).
    let y = t.f[i] + g.uniform32() * (t.f[i + 1] - t.f[i])
    return (y < density(x) ? x : nil, g)
  }
}
