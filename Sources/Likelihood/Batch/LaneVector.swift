import CLaneMath
import Foundation

/// The lanes of the batched fitter: eight doubles, one per data set (one AVX-512 register, two
/// AVX2 registers). Every operation on them is element by element, so a lane's result never
/// depends on the other lanes. The type is concrete on purpose: Swift's generic SIMD code
/// (through the `SIMD` protocol) compiles comparisons and blends lane by lane, the concrete
/// Lanes operations to vector instructions.
#if LANES8
typealias Lanes = SIMD8<Double>
typealias LaneMask = SIMDMask<SIMD8<Int64>>
typealias LaneBits = SIMD8<UInt64>
typealias LaneVectorType = SIMD8
@inline(__always) func laneSqrt(_ x: Lanes) -> Lanes { clm_sqrt8(x) }
/// Whether any lane of `m` is set (one instruction on AVX-512; see ``clm_any8``).
@inline(__always) func anyLane(_ m: LaneMask) -> Bool { clm_any8(unsafeBitCast(m, to: SIMD8<Int64>.self)) != 0 }
#else
typealias Lanes = SIMD4<Double>
typealias LaneMask = SIMDMask<SIMD4<Int64>>
typealias LaneBits = SIMD4<UInt64>
typealias LaneVectorType = SIMD4
@inline(__always) func laneSqrt(_ x: Lanes) -> Lanes { clm_sqrt4(x) }
/// Whether any lane of `m` is set (one instruction on AVX; see ``clm_any4``).
@inline(__always) func anyLane(_ m: LaneMask) -> Bool { clm_any4(unsafeBitCast(m, to: SIMD4<Int64>.self)) != 0 }
#endif

extension LaneVectorType where Scalar == Double {
  @inline(__always) static func splat(_ v: Double) -> Lanes { Lanes(repeating: v) }

  /// self + a·b with one rounding (a fused multiply-add). Swift does not contract a·b + c by
  /// itself: every kernel writes its fused operations out.
  @inline(__always) func fma(_ a: Lanes, _ b: Lanes) -> Lanes { addingProduct(a, b) }

  /// self − a·b with one rounding (LLVM folds the negation into vfnmadd).
  @inline(__always) func fms(_ a: Lanes, _ b: Lanes) -> Lanes { addingProduct(-a, b) }

  /// √self, correctly rounded, as one vector instruction (``clm_sqrt8``; Swift's SIMD
  /// squareRoot() is one libm call per lane).
  @inline(__always) func root() -> Lanes { laneSqrt(self) }

  /// Lane-wise choice: `other` where `mask`, else self.
  @inline(__always) func or(_ other: Lanes, where mask: LaneMask) -> Lanes {
    replacing(with: other, where: mask)
  }

  @inline(__always) var bits: LaneBits { unsafeBitCast(self, to: LaneBits.self) }
  @inline(__always) init(bits: LaneBits) { self = unsafeBitCast(bits, to: Lanes.self) }

  /// |self| (the sign bit cleared).
  @inline(__always) var magnitude: Lanes { Lanes(bits: bits & LaneBits(repeating: 0x7fff_ffff_ffff_ffff)) }

  /// Lane-wise maximum (`other` where self is NaN).
  @inline(__always) func maximum(_ other: Lanes) -> Lanes { replacing(with: other, where: .!(self .>= other)) }

  /// self clamped into [lo, hi].
  @inline(__always) func clamped(_ lo: Lanes, _ hi: Lanes) -> Lanes {
    replacing(with: lo, where: self .< lo).replacing(with: hi, where: self .> hi)
  }
}

/// ln x for lanes holding positive normal numbers (2^−1022 ≤ x < ∞), to within 1 ulp; other
/// inputs give garbage. The method of fdlibm's `e_log.c` (Sun Microsystems, 1993), branch-free:
/// x = 2^k·(1 + f) with 1 + f in [√2/2, √2) (the exponent split of musl's 32-bit `log.c`, on
/// 64-bit words: adding 0x3ff0…0 − bits(√2/2) carries into the exponent exactly when the
/// mantissa is ≥ √2, so the exponent field becomes k + 1023 and the mantissa field plus
/// bits(√2/2) is 1 + f); s = f/(2 + f), hfsq = f²/2, R = fdlibm's degree-7 minimax polynomial
/// Lg1…Lg7 in z = s²; ln x = k·ln2_hi + (f − (hfsq − (s(hfsq + R) + k·ln2_lo))).
@inline(__always)
func laneLogNormal(_ x: Lanes) -> Lanes {
  let sqrtHalf: UInt64 = 0x3fe6_a09e_667f_3bcd
  let shifted = x.bits &+ LaneBits(repeating: 0x3ff0_0000_0000_0000 &- sqrtHalf)
  let m = Lanes(bits: (shifted & LaneBits(repeating: 0x000f_ffff_ffff_ffff)) &+ LaneBits(repeating: sqrtHalf))
  // k as a double: the exponent field placed in a double's mantissa, (2^52 + field) − 2^52 − 1023.
  let k = Lanes(bits: (shifted &>> 52) | LaneBits(repeating: 0x4330_0000_0000_0000)) - .splat(0x1p52 + 1023)
  let f = m - .splat(1)
  let s = f / (.splat(2) + f)
  let z = s * s
  let w = z * z
  // fdlibm: t1 = w(Lg2 + w(Lg4 + w Lg6)), t2 = z(Lg1 + w(Lg3 + w(Lg5 + w Lg7))).
  let t1 = w * Lanes.splat(3.999999999940941908e-01).fma(w, Lanes.splat(2.222219843214978396e-01).fma(w, .splat(1.531383769920937332e-01)))
  let t2 = z * Lanes.splat(6.666666666666735130e-01)
    .fma(w, Lanes.splat(2.857142874366239149e-01).fma(w, Lanes.splat(1.818357216161805012e-01).fma(w, .splat(1.479819860511658591e-01))))
  let hfsq = Lanes.splat(0.5) * f * f
  return k * .splat(6.93147180369123816490e-01) + (f - (hfsq - (s * (hfsq + (t2 + t1)) + k * .splat(1.90821492927058770002e-10))))
}

/// ln x of every lane over the whole range of doubles, to within 1 ulp: ``laneLogNormal(_:)``
/// with subnormals scaled by 2^54 first; 0 → −∞, negative or NaN → NaN, +∞ → +∞.
func laneLog(_ x: Lanes) -> Lanes {
  let tiny = x .< .splat(0x1p-1022)
  var result = laneLogNormal(x.or(x * .splat(0x1p54), where: tiny))
  result = result.or(result - .splat(54 * 6.93147180559945309417e-01), where: tiny)
  result = result.or(.splat(-.infinity), where: x .== .splat(0))
  result = result.or(x, where: .!(x .< .splat(.infinity)) .& .!(x .< .splat(0)))  // +∞ and NaN pass through
  return result.or(.splat(.nan), where: x .< .splat(0))
}
