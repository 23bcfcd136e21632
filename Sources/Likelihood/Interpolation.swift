import Foundation

/// pyhf's interpolation code 4 for `normsys` (pyhf `interpolators/code4.py`, α₀ = 1): a
/// multiplicative factor
///
///     I(α) = (hi)^α                    for α ≥ 1
///          = 1 + Σ_{i=1…6} aᵢ αⁱ        for −1 < α < 1
///          = (lo)^(−α)                 for α ≤ −1
///
/// with the aᵢ fixed by continuity of I, I′ and I″ at α = ±1 (the 6×6 inverse matrix is pyhf's
/// `A_inverse`; "polynomial interpolation and exponential extrapolation", ROOT HistFactory code 4).
/// `hi` and `lo` are the factors at α = +1 and −1 and must be positive.
public struct Code4Interpolation: Equatable, Sendable {
  public let hi: Double
  public let lo: Double
  let logHi: Double
  let logLo: Double
  /// a₁ … a₆.
  let a: (Double, Double, Double, Double, Double, Double)

  public init(hi: Double, lo: Double) {
    self.hi = hi
    self.lo = lo
    logHi = Foundation.log(hi)
    logLo = Foundation.log(lo)
    // b as in pyhf code4.py (alpha0 = 1): [hi-1, lo-1, ln(hi) hi, -ln(lo) lo, ln²(hi) hi, ln²(lo) lo]
    let b0 = hi - 1.0
    let b1 = lo - 1.0
    let b2 = logHi * hi
    let b3 = -logLo * lo
    let b4 = logHi * logHi * hi
    let b5 = logLo * logLo * lo
    // rows of pyhf's A_inverse at alpha0 = 1
    let a1 = 15.0 / 16 * b0 - 15.0 / 16 * b1 - 7.0 / 16 * b2 - 7.0 / 16 * b3 + 1.0 / 16 * b4 - 1.0 / 16 * b5
    let a2 = 3.0 / 2 * b0 + 3.0 / 2 * b1 - 9.0 / 16 * b2 + 9.0 / 16 * b3 + 1.0 / 16 * b4 + 1.0 / 16 * b5
    let a3 = -5.0 / 8 * b0 + 5.0 / 8 * b1 + 5.0 / 8 * b2 + 5.0 / 8 * b3 - 1.0 / 8 * b4 + 1.0 / 8 * b5
    let a4 = -3.0 / 2 * b0 - 3.0 / 2 * b1 + 7.0 / 8 * b2 - 7.0 / 8 * b3 - 1.0 / 8 * b4 - 1.0 / 8 * b5
    let a5 = 3.0 / 16 * b0 - 3.0 / 16 * b1 - 3.0 / 16 * b2 - 3.0 / 16 * b3 + 1.0 / 16 * b4 - 1.0 / 16 * b5
    let a6 = 1.0 / 2 * b0 + 1.0 / 2 * b1 - 5.0 / 16 * b2 + 5.0 / 16 * b3 + 1.0 / 16 * b4 + 1.0 / 16 * b5
    a = (a1, a2, a3, a4, a5, a6)
  }

  public static func == (l: Code4Interpolation, r: Code4Interpolation) -> Bool { l.hi == r.hi && l.lo == r.lo }

  /// I(α).
  @inlinable public func value(_ alpha: Double) -> Double { jet(alpha).value }

  /// I(α), dI/dα and d²I/dα².
  @usableFromInline
  func jet(_ alpha: Double) -> Jet {
    if alpha >= 1 {
      let v = Foundation.pow(hi, alpha)
      return Jet(value: v, d1: logHi * v, d2: logHi * logHi * v)
    } else if alpha > -1 {
      let (a1, a2, a3, a4, a5, a6) = a
      let x = alpha
      let v = 1 + x * (a1 + x * (a2 + x * (a3 + x * (a4 + x * (a5 + x * a6)))))
      let d1 = a1 + x * (2 * a2 + x * (3 * a3 + x * (4 * a4 + x * (5 * a5 + x * 6 * a6))))
      let d2 = 2 * a2 + x * (6 * a3 + x * (12 * a4 + x * (20 * a5 + x * 30 * a6)))
      return Jet(value: v, d1: d1, d2: d2)
    } else {
      let v = Foundation.pow(lo, -alpha)
      return Jet(value: v, d1: -logLo * v, d2: logLo * logLo * v)
    }
  }

  /// Whether the curve has two minima-producing shapes: hi and lo on the same side of 1 (a
  /// one-sided systematic) makes I(α) non-monotonic, and the likelihood can be double-welled.
  public var isOneSided: Bool { (hi - 1) * (lo - 1) > 0 }
}

/// pyhf's interpolation code 4p for `histosys` (pyhf `interpolators/code4p.py`): an additive
/// change of the nominal yield ν₀ of one bin,
///
///     Δ(α) = (ν₊ − ν₀)·α                         for α > 1
///          = (ν₀ − ν₋)·α                         for α < −1
///          = α·S + α²·A·(15 − 10α² + 3α⁴)        for |α| ≤ 1,
///
/// S = (Δ₊ + Δ₋)/2, A = (Δ₊ − Δ₋)/16 with Δ₊ = ν₊ − ν₀, Δ₋ = ν₀ − ν₋: piecewise linear outside
/// ±1, a polynomial inside with continuous first and second derivatives.
public struct Code4pInterpolation: Equatable, Sendable {
  public static func == (l: Code4pInterpolation, r: Code4pInterpolation) -> Bool {
    l.deltaUp == r.deltaUp && l.deltaDown == r.deltaDown
  }

  /// Δ₊ = ν₊ − ν₀.
  public let deltaUp: Double
  /// Δ₋ = ν₀ − ν₋.
  public let deltaDown: Double
  let s: Double
  let a: Double

  public init(nominal: Double, hi: Double, lo: Double) {
    self.init(deltaUp: hi - nominal, deltaDown: nominal - lo)
  }

  public init(deltaUp: Double, deltaDown: Double) {
    self.deltaUp = deltaUp
    self.deltaDown = deltaDown
    s = 0.5 * (deltaUp + deltaDown)
    a = 0.0625 * (deltaUp - deltaDown)
  }

  /// Δ(α).
  @inlinable public func value(_ alpha: Double) -> Double { jet(alpha).value }

  /// Δ(α), dΔ/dα and d²Δ/dα².
  @usableFromInline
  func jet(_ alpha: Double) -> Jet {
    if alpha > 1 { return Jet(value: deltaUp * alpha, d1: deltaUp, d2: 0) }
    if alpha < -1 { return Jet(value: deltaDown * alpha, d1: deltaDown, d2: 0) }
    let x2 = alpha * alpha
    // pyhf: alpha * (S + alpha * A * (15 + alpha^2 * (-10 + alpha^2 * 3)))
    let v = alpha * (s + alpha * a * (15 + x2 * (-10 + x2 * 3)))
    let d1 = s + a * alpha * (30 + x2 * (-40 + x2 * 18))
    let d2 = a * (30 + x2 * (-120 + x2 * 90))
    return Jet(value: v, d1: d1, d2: d2)
  }
}
