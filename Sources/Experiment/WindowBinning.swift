import Foundation

/// The binning of the search windows and of the full spectrum.
///
/// Each window has `m2_bins` M² bins (``MassGrid/windowEdges(_:)``) × the θ_cm bins of the row of
/// `window.theta_binning` that covers its hypothesis. The full spectrum is binned once into
/// global cells: the global M² bins × the *fine* θ cells, whose edges are the union of every
/// row's edges. Every window bin is then a union of global cells, so one full-spectrum data set
/// (events or Poisson counts) serves every overlapping window exactly.
public struct WindowBinning: Sendable {
  public let grid: MassGrid
  /// The union of every row's θ_cm edges (degrees), sorted.
  public let fineThetaEdges: [Double]
  /// Per theta_binning row: its edges, and for each of its bins the fine cells [from, to).
  public let rows: [Row]
  @usableFromInline let rowBelow: [Double]
  /// cos of the fine θ edges (decreasing).
  @usableFromInline let fineCosEdges: [Double]

  public struct Row: Sendable {
    public let edges: [Double]
    public let fineRanges: [Range<Int>]
  }

  /// One window: hypothesis, M² edges, θ edges, and the map window bin → global cells.
  public struct Window: Sendable {
    public let hypothesis: MassHypothesis
    public let m2Edges: [Double]
    public let thetaEdges: [Double]
    /// The first global M² bin of the window.
    public let firstGlobalM2Bin: Int
    /// For each θ bin, the fine θ cells it spans.
    public let thetaFineRanges: [Range<Int>]
    /// cos of `thetaEdges` (decreasing).
    public let cosThetaEdges: [Double]

    public var m2BinCount: Int { m2Edges.count - 1 }

    /// The window bin of a reconstructed event (M², cosθ_cm), or nil outside the window's M²
    /// range. θ = arccos(cosθ) ∈ [edge_j, edge_j+1) selects θ bin j.
    @inlinable
    public func bin(m2: Double, cosTheta: Double) -> Int? {
      guard m2 >= m2Edges[0], m2 < m2Edges[m2Edges.count - 1] else { return nil }
      var lo = 0, hi = m2Edges.count - 1
      while hi - lo > 1 {
        let mid = (lo + hi) >> 1
        if m2Edges[mid] <= m2 { lo = mid } else { hi = mid }
      }
      let nt = thetaEdges.count - 1
      var j = 0
      while j < nt - 1 && cosTheta < cosThetaEdges[j + 1] { j += 1 }
      return lo * nt + j
    }
    public var thetaBinCount: Int { thetaEdges.count - 1 }
    /// Bins in the window, M²-major: bin = m2Bin · thetaBinCount + thetaBin.
    public var binCount: Int { m2BinCount * thetaBinCount }
  }

  public init(config: ExperimentConfig, grid: MassGrid) {
    self.grid = grid
    var all = Set<Double>()
    for row in config.window.thetaBinning { all.formUnion(row.edges) }
    let fine = all.sorted()
    fineThetaEdges = fine
    fineCosEdges = fine.map { cos($0 * Double.pi / 180) }
    rows = config.window.thetaBinning.map { row in
      let idx = row.edges.map { e in fine.firstIndex(of: e)! }
      return Row(edges: row.edges, fineRanges: (0..<(idx.count - 1)).map { idx[$0]..<idx[$0 + 1] })
    }
    rowBelow = config.window.thetaBinning.map(\.m2Below)
  }

  public var fineThetaCount: Int { fineThetaEdges.count - 1 }
  public var globalM2BinCount: Int { grid.edges.count - 1 }
  public var globalCellCount: Int { globalM2BinCount * fineThetaCount }

  /// The θ-binning row of a window centred at `m2`.
  @inlinable public func rowIndex(m2: Double) -> Int {
    var r = 0
    while r < rowBelow.count - 1 && m2 >= rowBelow[r] { r += 1 }
    return r
  }

  public func window(_ index: Int) -> Window {
    let h = grid.hypotheses[index]
    let row = rows[rowIndex(m2: h.m2)]
    return Window(hypothesis: h, m2Edges: Array(grid.windowEdges(index)), thetaEdges: row.edges,
                  firstGlobalM2Bin: index, thetaFineRanges: row.fineRanges,
                  cosThetaEdges: row.edges.map { cos($0 * Double.pi / 180) })
  }

  /// The window of a wide Z′ (Γ = F·M, the paper's benchmark F = 0.1): one-dimensional in M² (a
  /// single θ bin) and enlarged to cover the Breit–Wigner — at least `m2_bins`/2 bins on each side,
  /// and as many as needed to reach ±`coverage`·γ with γ = M·Γ = F·M² the half-width in M²
  /// (±5γ hold 87% of a Cauchy distribution), clipped to the binned range.
  public func wideWindow(_ index: Int, widthFraction f: Double, coverage: Double = 5) -> Window {
    let h = grid.hypotheses[index]
    let gamma = f * h.m2
    let centre = grid.halfWindow + index  // position of the hypothesis in `grid.edges`
    var lo = centre - grid.halfWindow, hi = centre + grid.halfWindow
    while lo > 0 && grid.edges[centre] - grid.edges[lo] < coverage * gamma { lo -= 1 }
    while hi < grid.edges.count - 1 && grid.edges[hi] - grid.edges[centre] < coverage * gamma { hi += 1 }
    let edges = Array(grid.edges[lo...hi])
    return Window(hypothesis: h, m2Edges: edges, thetaEdges: [0, 180], firstGlobalM2Bin: lo,
                  thetaFineRanges: [0..<fineThetaCount], cosThetaEdges: [1, -1])
  }

  /// The window of hypothesis `index` for a Z′ of width fraction `widthFraction`: the narrow
  /// search window for 0, the enlarged one-dimensional window otherwise.
  public func window(_ index: Int, widthFraction: Double) -> Window {
    widthFraction > 0 ? wideWindow(index, widthFraction: widthFraction) : window(index)
  }

  /// The fine θ cell of `thetaCM` (degrees, clamped to [0, 180]).
  @inlinable public func fineThetaCell(_ thetaCM: Double) -> Int {
    let t = min(max(thetaCM, 0), 180)
    var lo = 0, hi = fineThetaEdges.count - 1
    while hi - lo > 1 {
      let mid = (lo + hi) >> 1
      if fineThetaEdges[mid] <= t { lo = mid } else { hi = mid }
    }
    return lo
  }

  /// The fine θ cell of a direction given by its cosθ_cm (θ = arccos c ∈ [edge_j, edge_j+1)).
  @inlinable public func fineThetaCell(cosTheta c: Double) -> Int {
    var lo = 0, hi = fineCosEdges.count - 1
    while hi - lo > 1 {
      let mid = (lo + hi) >> 1
      if fineCosEdges[mid] >= c { lo = mid } else { hi = mid }
    }
    return lo
  }

  /// The global cell of an event, or nil when its M² is outside every window.
  @inlinable public func globalCell(m2: Double, thetaCM: Double) -> Int? {
    guard let b = grid.globalBin(m2: m2) else { return nil }
    return b * fineThetaCount + fineThetaCell(thetaCM)
  }

  /// The global cell of an event given cosθ_cm.
  @inlinable public func globalCell(m2: Double, cosThetaCM: Double) -> Int? {
    guard let b = grid.globalBin(m2: m2) else { return nil }
    return b * fineThetaCount + fineThetaCell(cosTheta: cosThetaCM)
  }

  /// Sums global cells (`cells`, M²-major, `fineThetaCount` per M² bin) into the bins of a window.
  public func windowCounts(_ w: Window, cells: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
    let nt = fineThetaCount
    var k = 0
    for i in 0..<w.m2BinCount {
      let base = (w.firstGlobalM2Bin + i) * nt
      for r in w.thetaFineRanges {
        var s = 0.0
        for c in r { s += cells[base + c] }
        out[k] = s
        k += 1
      }
    }
  }

  public func windowCounts(_ w: Window, cells: [Double]) -> [Double] {
    var out = [Double](repeating: 0, count: w.binCount)
    cells.withUnsafeBufferPointer { c in out.withUnsafeMutableBufferPointer { windowCounts(w, cells: c, into: $0) } }
    return out
  }
}
