import Foundation

/// normfactor (pyhf `modifiers/normfactor.py`): a free multiplicative factor shared by every
/// sample that names it; one unconstrained parameter, init 1, bounds [0, 10].
public struct Normfactor: ModifierType, Equatable {
  public static let typeName = "normfactor"

  public init() {}

  public init(name: String, data container: KeyedDecodingContainer<ModifierKey>) throws {
    try Self.requireNullData(container)
  }

  public func encodeData(to container: inout KeyedEncodingContainer<ModifierKey>) throws {
    try container.encodeNil(forKey: .data)
  }

  public static func parameterSet(name: String, uses: [ModifierUse], in context: ModelContext) throws -> ParameterSetSpec {
    var s = ParameterSetSpec(name: name, types: [typeName], uses: uses)
    s.scalar(init: 1, bounds: (0, 10))
    return s
  }

  public func effect(bin: Int, nominal: Double) -> Effect { .linear }
}

extension Modifier {
  public static func normfactor(_ name: String) -> Modifier { Modifier(name: name, Normfactor()) }
}
