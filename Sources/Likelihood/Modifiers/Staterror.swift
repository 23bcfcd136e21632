import Foundation

/// staterror (pyhf `modifiers/staterror.py`, `staterror_builder.finalize`): the Monte Carlo
/// statistical uncertainty, one Gaussian-constrained factor per bin of the channels the name
/// appears in, shared by the samples carrying the name, with width
/// σ_b = √(Σ_s δ_sb²) / Σ_s ν⁰_sb over those samples; σ = 0 bins are fixed (σ set to 1).
/// Init 1, bounds [1e-10, 10], aux 1. Sets are ordered by name.
public struct Staterror: UncertaintyModifier, Equatable {
  public static let typeName = "staterror"
  public static let setsSortedByName = true

  /// Absolute uncertainties per bin.
  public let uncertainties: [Double]

  public init(uncertainties: [Double]) { self.uncertainties = uncertainties }

  public static func parameterSet(name: String, uses: [ModifierUse], in context: ModelContext) throws -> ParameterSetSpec {
    try checkSameChannels(name: name, uses: uses, in: context)
    var s = ParameterSetSpec(name: name, types: [typeName], uses: uses)
    s.isScalar = false
    s.constraint = .gaussian
    let positions = Set(uses.map(\.channelPosition)).sorted()
    var offset = 0
    for pos in positions {
      s.channelOffset[pos] = offset
      let sigmas = widths(name: name, channel: context.workspace.channels[context.channelOrder[pos]])
      for sigma in sigmas {
        s.fixed.append(sigma == 0)
        s.sigmas.append(sigma == 0 ? 1.0 : sigma)
      }
      offset += sigmas.count
    }
    s.count = offset
    s.inits = Array(repeating: 1, count: offset)
    s.bounds = Array(repeating: (1e-10, 10), count: offset)
    s.auxdata = Array(repeating: 1, count: offset)
    s.accepts.formUnion(["auxdata", "sigmas"])
    return s
  }

  /// pyhf asserts that every sample carrying the name does so in the same channels.
  static func checkSameChannels(name: String, uses: [ModifierUse], in context: ModelContext) throws {
    var channelsOfSample: [String: Set<Int>] = [:]
    for u in uses { channelsOfSample[context.sample(u).name, default: []].insert(u.channel) }
    let reference = channelsOfSample[context.sample(uses[0]).name]!
    for u in uses where channelsOfSample[context.sample(u).name]! != reference {
      throw WorkspaceError(
        path: u.path,
        message: "staterror \"\(name)\" covers different channels on different samples; pyhf needs the same channels for every sample carrying it")
    }
  }

  /// σ_b of one channel: √(Σ_s δ_sb²)/Σ_s ν⁰_sb over the samples carrying `name` (in pyhf's
  /// sorted sample order, so the sums round as pyhf's).
  static func widths(name: String, channel: Channel) -> [Double] {
    let carrying: [(Sample, Staterror)] = channel.samples.compactMap { sample in
      guard let m = sample.modifiers.first(where: { $0.name == name && $0.type == typeName }),
            let d = m.definition as? Staterror else { return nil }
      return (sample, d)
    }.sorted { pythonLess($0.0.name, $1.0.name) }
    return (0..<channel.samples[0].data.count).map { bin in
      var total = 0.0
      for (sample, _) in carrying { total += sample.data[bin] }
      var relative2 = 0.0
      if total > 0 {
        for (_, d) in carrying {
          let r = d.uncertainties[bin] / total
          relative2 += r * r
        }
      }
      return relative2.squareRoot()
    }
  }

  public func effect(bin: Int, nominal: Double) -> Effect { .linear }
}

extension Modifier {
  public static func staterror(_ name: String, _ uncertainties: [Double]) -> Modifier {
    Modifier(name: name, Staterror(uncertainties: uncertainties))
  }
}
