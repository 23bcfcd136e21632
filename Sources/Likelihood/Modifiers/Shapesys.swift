import Foundation

/// shapesys (pyhf `modifiers/shapesys.py`): an uncorrelated shape uncertainty, one factor per
/// bin with a Poisson constraint Pois(a | τγ), τ = (ν⁰/δ)² from the nominal ν⁰ and the absolute
/// uncertainty δ, a = τ at nominal; bins with ν⁰ = 0 or δ = 0 are fixed (τ = 1). Init 1, bounds
/// [1e-10, 10]. A shapesys name belongs to one sample.
public struct Shapesys: UncertaintyModifier, Equatable {
  public static let typeName = "shapesys"

  /// Absolute uncertainties per bin.
  public let uncertainties: [Double]

  public init(uncertainties: [Double]) { self.uncertainties = uncertainties }

  public static func parameterSet(name: String, uses: [ModifierUse], in context: ModelContext) throws -> ParameterSetSpec {
    if uses.count > 1 {
      throw WorkspaceError(
        path: uses[1].path, message: "shapesys \"\(name)\" is used twice (also \(uses[0].path)); pyhf does not share shapesys parameters")
    }
    var s = ParameterSetSpec(name: name, types: [typeName], uses: uses)
    let sample = context.sample(uses[0])
    guard let me = context.modifier(uses[0]).definition as? Shapesys else { preconditionFailure("shapesys use without shapesys data") }
    s.perBin(sample.data.count, init: 1, bounds: (1e-10, 10))
    s.constraint = .poisson
    s.fixed = []
    for (nominal, d) in zip(sample.data, me.uncertainties) {
      let valid = nominal > 0 && d > 0
      let tau = valid ? (nominal * nominal) / (d * d) : 1.0
      s.factors.append(tau)
      s.auxdata.append(tau)
      s.fixed.append(!valid)
    }
    s.accepts.formUnion(["auxdata", "factors"])
    return s
  }

  public func parameterOffset(bin: Int, use: ModifierUse, set: ParameterSetSpec) -> Int { bin }

  public func effect(bin: Int, nominal: Double) -> Effect { .linear }
}

extension Modifier {
  public static func shapesys(_ name: String, _ uncertainties: [Double]) -> Modifier {
    Modifier(name: name, Shapesys(uncertainties: uncertainties))
  }
}
