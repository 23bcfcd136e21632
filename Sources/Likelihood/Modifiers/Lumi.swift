import Foundation

/// lumi (pyhf `modifiers/lumi.py`): the luminosity, a Gaussian-constrained factor whose
/// auxiliary datum, width, initial value and bounds come from the measurement's configuration
/// (which must give them). The modifier must be named "lumi" (pyhf's schema).
public struct Lumi: NullDataModifier, Equatable {
  public static let typeName = "lumi"

  public init() {}

  public init(name: String, data container: KeyedDecodingContainer<ModifierKey>) throws {
    try Self.requireNullData(container)
    if name != "lumi" {
      throw DecodingError.dataCorrupted(.init(
        codingPath: container.codingPath + [ModifierKey.name],
        debugDescription: "a lumi modifier must be named \"lumi\" (pyhf schema), got \"\(name)\""))
    }
  }

  public static func parameterSet(name: String, uses: [ModifierUse], in context: ModelContext) throws -> ParameterSetSpec {
    var s = ParameterSetSpec(name: name, types: [typeName], uses: uses)
    s.constraint = .gaussian
    s.fixed = [false]
    s.accepts.formUnion(["auxdata", "sigmas"])
    return s
  }

  public static func checkConfigured(_ set: ParameterSetSpec, path: String) throws {
    if set.inits.isEmpty || set.bounds.isEmpty || set.auxdata.isEmpty {
      throw WorkspaceError(
        path: path,
        message: "the lumi modifier needs a parameter configuration {\"name\": \"lumi\", \"auxdata\": [...], \"inits\": [...], \"bounds\": [[lo, hi]], \"sigmas\": [...]}")
    }
  }

  public func effect(bin: Int, nominal: Double) -> Effect { .linear }
}

extension Modifier {
  public static var lumi: Modifier { Modifier(name: "lumi", Lumi()) }
}
