import Foundation

/// A value with its first and second derivative in one parameter.
public struct Jet: Equatable, Sendable {
  public var value: Double
  public var d1: Double
  public var d2: Double

  @inlinable
  public init(value: Double, d1: Double, d2: Double) {
    self.value = value
    self.d1 = d1
    self.d2 = d2
  }
}

/// A curve a modifier type defines for itself (its own interpolation), used through
/// ``Effect/custom(_:)``: adding such a modifier touches only its own file and the registry.
public protocol EffectCurve: Sendable {
  /// Whether the curve adds to the nominal yield (like histosys) instead of multiplying it.
  var isAdditive: Bool { get }
  /// The curve's value and derivatives at parameter value θ.
  func jet(_ theta: Double) -> Jet
  /// Whether two curves are the same function (terms with equal curves share work).
  func isSame(as other: any EffectCurve) -> Bool
}

/// A user-defined curve in an ``Effect`` (a reference, so that effects stay cheap to copy).
public final class CustomEffect: Sendable {
  public let curve: any EffectCurve
  public init(_ curve: any EffectCurve) { self.curve = curve }
}

/// What one modifier does to one (sample, bin) term, as a function of its parameter θ:
///
///     ν_t(θ) = Π_factors f(θ) · (ν⁰_t + Σ_additive Δ(θ))
///
/// (pyhf `pdf.py`: multiplicative modifiers multiply, histosys adds to the nominal). This is the
/// one place where a modifier's effect and its derivatives are evaluated: the model's expected
/// data, the general fitter's per-bin derivatives and the batched fitter's class products all
/// call ``jet(_:)``.
public enum Effect: Sendable {
  /// f(θ) = θ: normfactor, lumi, shapefactor, shapesys, staterror.
  case linear
  /// f(θ) = code-4 interpolation of (hi, lo) (pyhf `interpolators/code4.py`): normsys.
  case code4(Code4Interpolation)
  /// Δ(θ) = code-4p interpolation (pyhf `interpolators/code4p.py`): histosys.
  case code4p(Code4pInterpolation)
  /// A modifier type's own curve.
  case custom(CustomEffect)

  /// Whether the effect adds to the nominal (otherwise it multiplies the term).
  @inlinable
  public var isAdditive: Bool {
    switch self {
    case .linear, .code4: false
    case .code4p: true
    case .custom(let c): c.curve.isAdditive
    }
  }

  /// Whether the effect is f(θ) = θ (a factor linear in its parameter).
  @inlinable
  public var isLinear: Bool {
    if case .linear = self { return true }
    return false
  }

  /// The effect's value and first and second derivatives at θ.
  @inlinable
  public func jet(_ theta: Double) -> Jet {
    switch self {
    case .linear: Jet(value: theta, d1: 1, d2: 0)
    case .code4(let c): c.jet(theta)
    case .code4p(let c): c.jet(theta)
    case .custom(let c): c.curve.jet(theta)
    }
  }

  /// The effect's value at θ.
  @inlinable
  public func value(_ theta: Double) -> Double {
    switch self {
    case .linear: theta
    default: jet(theta).value
    }
  }

  /// Whether two effects are the same function of their parameter.
  func isSame(as other: Effect) -> Bool {
    switch (self, other) {
    case (.linear, .linear): true
    case (.code4(let a), .code4(let b)): a == b
    case (.code4p(let a), .code4p(let b)): a == b
    case (.custom(let a), .custom(let b)): a.curve.isSame(as: b.curve)
    default: false
    }
  }
}
