import Foundation

/// normsys (pyhf `modifiers/normsys.py`): a normalisation systematic, the factors `hi` and `lo`
/// at α = ±1 interpolated by code 4 (``Code4Interpolation``); one Gaussian-constrained
/// parameter (aux 0, init 0, bounds [−5, 5]), which a histosys of the same name shares.
public struct Normsys: ModifierType, Equatable {
  public static let typeName = "normsys"
  public static let sharesParametersWith: Set<String> = ["histosys"]

  public let hi: Double
  public let lo: Double

  public init(hi: Double, lo: Double) {
    self.hi = hi
    self.lo = lo
  }

  enum Keys: String, CodingKey, CaseIterable { case hi, lo }

  public init(name: String, data container: KeyedDecodingContainer<ModifierKey>) throws {
    let d = try container.superDecoder(forKey: .data)
    try d.rejectUnknownKeys(Keys.self)
    let c = try d.container(keyedBy: Keys.self)
    self.init(hi: try c.decode(Double.self, forKey: .hi), lo: try c.decode(Double.self, forKey: .lo))
  }

  public func encodeData(to container: inout KeyedEncodingContainer<ModifierKey>) throws {
    var d = container.nestedContainer(keyedBy: Keys.self, forKey: .data)
    try d.encode(hi, forKey: .hi)
    try d.encode(lo, forKey: .lo)
  }

  public func validate(bins: Int, path: String) throws {
    for (v, k) in [(hi, "hi"), (lo, "lo")] where !(v.isFinite && v > 0) {
      throw WorkspaceError(
        path: path + ".data.\(k)",
        message: "normsys factors must be positive and finite (code-4 interpolation takes their logarithm), got \(v)")
    }
  }

  public static func parameterSet(name: String, uses: [ModifierUse], in context: ModelContext) throws -> ParameterSetSpec {
    var s = ParameterSetSpec(name: name, types: [typeName], uses: uses)
    s.scalar(init: 0, bounds: (-5, 5), constraint: .gaussian)
    s.auxdata = [0]
    s.accepts.formUnion(["auxdata"])
    return s
  }

  public func effect(bin: Int, nominal: Double) -> Effect { .code4(Code4Interpolation(hi: hi, lo: lo)) }
}

extension Modifier {
  public static func normsys(_ name: String, hi: Double, lo: Double) -> Modifier {
    Modifier(name: name, Normsys(hi: hi, lo: lo))
  }
}
