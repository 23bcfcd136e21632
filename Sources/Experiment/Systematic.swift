/// A systematic uncertainty of the search-window likelihood: one pyhf modifier, named, carried by
/// the samples that list it (the signal's and the backgrounds' `systematics:`).
///
/// - `normsys`: one Gaussian-constrained parameter per window; the factors at α = ±1 are 1 ± u
///   with u = ``size`` at the hypothesis' M².
/// - `staterror`: one Gaussian-constrained parameter per window bin; its relative width is
///   ``size`` at the bin's centre, relative to the summed yield of the samples that carry it
///   (pyhf's `staterror`: σ_b = √(Σ_s u_s²)/Σ_s n_s over the samples carrying the name). With
///   `value: mc` (``fromMonteCarlo``) the width is instead the templates' own Monte Carlo
///   statistics: u_s = √(Σw²) of each carrying sample's template in the bin.
/// - `lumi`: pyhf's luminosity parameter, Gaussian with the width
///   `luminosity.relative_uncertainty`.
/// - `normfactor`: a free factor within ``bounds`` (initial value 1).
public struct Systematic: Sendable, Equatable {
  public enum Modifier: String, Sendable, Equatable, CaseIterable {
    case normsys, staterror, lumi, normfactor
  }

  public var name: String
  public var modifier: Modifier
  /// The relative size (normsys, staterror).
  public var size: M2StepFunction?
  /// The allowed range (normfactor).
  public var bounds: ClosedRange<Double>?
  /// A staterror whose per-bin uncertainties are the templates' Monte Carlo statistics, √(Σw²)
  /// (`value: mc`); ``size`` is then nil.
  public var fromMonteCarlo: Bool

  public init(name: String, modifier: Modifier, size: M2StepFunction? = nil, bounds: ClosedRange<Double>? = nil, fromMonteCarlo: Bool = false) {
    self.name = name
    self.modifier = modifier
    self.size = size
    self.bounds = bounds
    self.fromMonteCarlo = fromMonteCarlo
  }

  /// The value of `value:` that asks for the templates' Monte Carlo statistics.
  public static let monteCarloValue = "mc"

  /// The `systematics:` mapping, in the document's order.
  static func readAll(_ r: YAMLReader) throws -> [Systematic] {
    let all = try r.entries().map { try read(name: $0.key, $0.value) }
    guard !all.isEmpty else { throw r.error("needs at least one systematic (the signal needs its normalisation's constraints)") }
    return all
  }

  static func read(name: String, _ r: YAMLReader) throws -> Systematic {
    guard ProcessNames.isValid(name) else { throw r.error(ProcessNames.rule) }
    let kindReader = try r.at("modifier")
    let text = try kindReader.string()
    guard let modifier = Modifier(rawValue: text) else {
      throw kindReader.error("must be one of \(Modifier.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
    }
    var s = Systematic(name: name, modifier: modifier)
    switch modifier {
    case .staterror where r.has("value") && (try? r.at("value").string()) == Systematic.monteCarloValue:
      s.fromMonteCarlo = true
    case .normsys, .staterror:
      let size = try M2StepFunction.read(r)
      for (i, v) in size.values.enumerated() where !(v >= 0 && v <= 10) {
        throw r.error("a relative uncertainty must be between 0 and 10, got \(v)", at: r.path + (size.edges.isEmpty ? ".value" : ".values[\(i)]"))
      }
      if modifier == .normsys, let big = size.values.first(where: { $0 >= 1 }) {
        throw r.error("a normsys factor 1 − u must stay positive, got u = \(big)", at: r.path + (size.edges.isEmpty ? ".value" : ".values"))
      }
      s.size = size
    case .normfactor:
      let b = try r.range("bounds")
      guard b.lowerBound >= 0, b.contains(1) else { throw r.error("bounds must be ≥ 0 and contain 1 (the initial value)", at: r.path + ".bounds") }
      s.bounds = b
    case .lumi:
      break
    }
    try r.rejectUnknownKeys()
    return s
  }
}

/// A step function of M²: `values[j]` on [edges[j], edges[j+1]); below the first edge the first
/// value, above the last edge the last (the nearest range). A constant has no edges and one value.
public struct M2StepFunction: Sendable, Equatable {
  public let edges: [Double]
  public let values: [Double]

  public init(edges: [Double], values: [Double]) {
    self.edges = edges
    self.values = values
  }

  public static func constant(_ v: Double) -> M2StepFunction { M2StepFunction(edges: [], values: [v]) }

  /// The index of the range holding `m2` (nearest range outside the edges).
  public func rangeIndex(m2: Double) -> Int {
    let n = values.count
    for j in 0..<n - 1 where m2 < edges[j + 1] { return j }
    return n - 1
  }

  public func callAsFunction(_ m2: Double) -> Double { values[rangeIndex(m2: m2)] }

  /// `value: v`, or `m2_edges_gev2` (increasing) with one value per range in `values`.
  static func read(_ r: YAMLReader) throws -> M2StepFunction {
    if r.has("value") {
      return .constant(try r.double("value"))
    }
    let edges = try r.doubles("m2_edges_gev2")
    let values = try r.doubles("values")
    guard edges.count >= 2 else { throw r.error("needs at least two edges (or `value:` for a constant)", at: r.path + ".m2_edges_gev2") }
    for j in 1..<edges.count where edges[j] <= edges[j - 1] {
      throw r.error("edges must increase strictly", at: r.path + ".m2_edges_gev2[\(j)]")
    }
    guard values.count == edges.count - 1 else {
      throw r.error("needs one value per M² range (\(edges.count - 1)), got \(values.count)", at: r.path + ".values")
    }
    return M2StepFunction(edges: edges, values: values)
  }
}
