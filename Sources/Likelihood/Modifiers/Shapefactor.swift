import Foundation

/// shapefactor (pyhf `modifiers/shapefactor.py`): a free factor per bin, shared by every sample
/// (and channel of the same binning) that names it; init 1, bounds [0, 10].
public struct Shapefactor: NullDataModifier, Equatable {
  public static let typeName = "shapefactor"

  public init() {}

  public static func parameterSet(name: String, uses: [ModifierUse], in context: ModelContext) throws -> ParameterSetSpec {
    var s = ParameterSetSpec(name: name, types: [typeName], uses: uses)
    let n = context.bins(uses[0])
    for u in uses where context.bins(u) != n {
      throw WorkspaceError(
        path: u.path,
        message: "shapefactor \"\(name)\" spans \(n) bins in \(uses[0].path) but \(context.bins(u)) here; pyhf needs the same number of bins")
    }
    s.perBin(n, init: 1, bounds: (0, 10))
    return s
  }

  public func parameterOffset(bin: Int, use: ModifierUse, set: ParameterSetSpec) -> Int { bin }

  public func effect(bin: Int, nominal: Double) -> Effect { .linear }
}

extension Modifier {
  public static func shapefactor(_ name: String) -> Modifier { Modifier(name: name, Shapefactor()) }
}
