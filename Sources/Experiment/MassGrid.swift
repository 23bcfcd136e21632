/// One mass hypothesis of the scan.
public struct MassHypothesis: Sendable, Equatable, Codable {
  public let index: Int
  public let mass: Double
  public let m2: Double
  public let resolution: Double

  enum CodingKeys: String, CodingKey {
    case index, mass = "mass_gev", m2 = "m2_gev2", resolution = "resolution_gev2"
  }
}

/// The mass hypotheses and the M² bin edges of the search windows.
///
/// Hypotheses start at `min_gev` and step by one resolution unit in M² (paper: "in steps
/// corresponding to one unit of signal M²_recoil resolution"):
///
///     M²₀ = M²_min,   M²ᵢ₊₁ = M²ᵢ + k·σ(M²ᵢ)        (k = step_resolution_units)
///
/// up to `max_gev`. The same sequence, continued by `m2_bins/2` steps beyond both ends, gives the
/// M² bin edges: the window of hypothesis i has the `m2_bins` bins between edges i − m2_bins/2 and
/// i + m2_bins/2, each one resolution wide, centred on M²ᵢ. Below M²₀ the sequence is continued
/// backwards by solving x + k·σ(x) = M²ⱼ (σ is continuous and 1 + k·σ′ > 0 for the curves
/// accepted, so the solution is unique), into negative M² where resolution smears events.
public struct MassGrid: Sendable {
  public let hypotheses: [MassHypothesis]
  /// All M² edges, from `edges[0]` = hypothesis 0's edge − m2_bins/2 steps.
  public let edges: [Double]
  /// Number of extra edges below hypothesis 0 (= m2_bins/2).
  public let halfWindow: Int

  public init(config: ExperimentConfig) {
    let res = config.resolution
    let k = config.massGrid.stepResolutionUnits
    let m2max = config.massGrid.maxMass * config.massGrid.maxMass
    var m2s: [Double] = [config.massGrid.minMass * config.massGrid.minMass]
    while true {
      let next = m2s.last! + k * res.sigma(m2: m2s.last!)
      // The top hypothesis is the last one not above max_gev (1e-12 relative: rounding).
      if next > m2max * (1 + 1e-12) { break }
      m2s.append(next)
    }
    hypotheses = m2s.enumerated().map { i, m2 in
      MassHypothesis(index: i, mass: m2.squareRoot(), m2: m2, resolution: res.sigma(m2: m2))
    }
    let half = config.window.m2Bins / 2
    halfWindow = half
    var below: [Double] = []
    var x = m2s[0]
    for _ in 0..<half {
      // Solve y + k σ(y) = x for y < x by bisection (monotone in y).
      var lo = x - 10 * k * (res.curve.values.max()! + 1), hi = x
      for _ in 0..<200 {
        let mid = 0.5 * (lo + hi)
        if mid + k * res.sigma(m2: mid) > x { hi = mid } else { lo = mid }
      }
      x = 0.5 * (lo + hi)
      below.append(x)
    }
    var above: [Double] = []
    var y = m2s.last!
    for _ in 0..<half {
      y += k * res.sigma(m2: y)
      above.append(y)
    }
    edges = below.reversed() + m2s + above
  }

  public var count: Int { hypotheses.count }

  /// The `m2_bins + 1` M² edges of hypothesis `index`'s window.
  public func windowEdges(_ index: Int) -> ArraySlice<Double> {
    edges[index..<(index + 2 * halfWindow + 1)]
  }

  /// The index of the global M² bin [edges[j], edges[j+1]) holding `m2`, or nil outside.
  @inlinable
  public func globalBin(m2: Double) -> Int? {
    guard m2 >= edges[0], m2 < edges[edges.count - 1] else { return nil }
    var lo = 0
    var hi = edges.count - 1
    while hi - lo > 1 {
      let mid = (lo + hi) >> 1
      if edges[mid] <= m2 { lo = mid } else { hi = mid }
    }
    return lo
  }

  /// The hypothesis nearest in M² to `mass` (GeV), or nil outside the grid's range by more
  /// than one step.
  public func nearest(mass: Double) -> MassHypothesis? {
    guard mass.isFinite, mass > 0 else { return nil }
    let m2 = mass * mass
    let first = hypotheses.first!, last = hypotheses.last!
    if m2 < first.m2 - first.resolution || m2 > last.m2 + last.resolution { return nil }
    var best = first
    var lo = 0, hi = hypotheses.count - 1
    while hi - lo > 1 {
      let mid = (lo + hi) >> 1
      if hypotheses[mid].m2 <= m2 { lo = mid } else { hi = mid }
    }
    best = abs(hypotheses[lo].m2 - m2) <= abs(hypotheses[hi].m2 - m2) ? hypotheses[lo] : hypotheses[hi]
    return best
  }
}
