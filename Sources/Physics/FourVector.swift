import Foundation

/// A real Lorentz four-vector (E, px, py, pz), metric (+, −, −, −).
public struct FourVector: Hashable, Sendable, CustomStringConvertible {
  public var t: Double
  public var x: Double
  public var y: Double
  public var z: Double

  @inlinable public init(_ t: Double, _ x: Double, _ y: Double, _ z: Double) {
    self.t = t
    self.x = x
    self.y = y
    self.z = z
  }

  public static let zero = FourVector(0, 0, 0, 0)

  /// The unit vector e_(µ) with contravariant components δ^ν_µ.
  public static func unit(_ mu: Int) -> FourVector {
    switch mu {
    case 0: FourVector(1, 0, 0, 0)
    case 1: FourVector(0, 1, 0, 0)
    case 2: FourVector(0, 0, 1, 0)
    default: FourVector(0, 0, 0, 1)
    }
  }

  /// A particle of mass `m` with 3-momentum (px, py, pz).
  @inlinable public static func onShell(mass m: Double, _ px: Double, _ py: Double, _ pz: Double) -> FourVector {
    FourVector((m * m + px * px + py * py + pz * pz).squareRoot(), px, py, pz)
  }

  /// The contravariant component µ.
  @inlinable public subscript(mu: Int) -> Double {
    switch mu {
    case 0: t
    case 1: x
    case 2: y
    default: z
    }
  }

  /// The Minkowski product a·b = a⁰b⁰ − a⃗·b⃗.
  @inlinable public static func * (a: FourVector, b: FourVector) -> Double { a.t * b.t - a.x * b.x - a.y * b.y - a.z * b.z }
  @inlinable public static func + (a: FourVector, b: FourVector) -> FourVector { FourVector(a.t + b.t, a.x + b.x, a.y + b.y, a.z + b.z) }
  @inlinable public static func - (a: FourVector, b: FourVector) -> FourVector { FourVector(a.t - b.t, a.x - b.x, a.y - b.y, a.z - b.z) }
  @inlinable public static prefix func - (a: FourVector) -> FourVector { FourVector(-a.t, -a.x, -a.y, -a.z) }
  @inlinable public static func * (c: Double, a: FourVector) -> FourVector { FourVector(c * a.t, c * a.x, c * a.y, c * a.z) }

  /// p² (the invariant mass squared).
  @inlinable public var invariantMassSquared: Double { self * self }
  /// |p⃗|.
  @inlinable public var momentum: Double { (x * x + y * y + z * z).squareRoot() }
  /// cos θ of p⃗ with respect to +z.
  @inlinable public var cosTheta: Double { let p = momentum; return p > 0 ? z / p : 1 }

  /// This vector seen from a frame moving with velocity β along +z (a boost by −β applied to the
  /// vector): E' = γ(E − βp_z), p_z' = γ(p_z − βE).
  @inlinable public func boostedAlongZ(beta: Double) -> FourVector {
    let gamma = 1 / ((1 - beta) * (1 + beta)).squareRoot()
    return FourVector(gamma * (t - beta * z), x, y, gamma * (z - beta * t))
  }

  /// This vector rotated so that +z goes to the direction (θ, φ) (rotation about y by θ, then
  /// about z by φ), given as cos θ and φ.
  @inlinable public func rotated(cosTheta c: Double, phi: Double) -> FourVector {
    let s = ((1 - c) * (1 + c)).squareRoot()
    let x1 = c * x + s * z
    let z1 = -s * x + c * z
    let cp = cos(phi), sp = sin(phi)
    return FourVector(t, cp * x1 - sp * y, sp * x1 + cp * y, z1)
  }

  public var description: String { "(\(t), \(x), \(y), \(z))" }
}
