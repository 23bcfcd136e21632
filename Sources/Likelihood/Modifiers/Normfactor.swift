import Foundation

/// normfactor (pyhf `modifiers/normfactor.py`): a free multiplicative factor shared by every
/// sample that names it; one unconstrained parameter, init 1, bounds [0, 10].
public struct Normfactor: NullDataModifier, Equatable {
  public static let typeName = "normfactor"

  public init() {}

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
