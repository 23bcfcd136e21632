import Foundation
import Results

/// The look-elsewhere histogram: the largest local significance of each background-only toy scan
/// of the whole spectrum, the Gross–Vitells prediction (arXiv:1005.1891, one degree of freedom)
/// and the observed value.
///
/// The prediction is drawn as a density in the histogram's units, expected toys per bin
/// = N_toys · Δz · (−dp_global/dZ), with p_global(Z) = p_local(Z) + ⟨N(u0)⟩ e^(−(Z² − u0)/2)
/// (``GaussianTail/grossVitellsDensity(_:meanUpcrossings:u0:)``), shown where p_global < 1 and
/// Z² ≥ u0 (the estimate is an asymptotic tail formula). The `lee-survival` kind shows the same
/// as a survival curve: the fraction of toys with Z_max ≥ Z (binomial errors) against p_global(Z).
public enum LookElsewherePlot {
  /// ⟨N(u0)⟩ and u0 of a file: its headline Gross–Vitells when it has an observed value, else the
  /// highest threshold with at least 5 up-crossings per scan (as the study does), from the toys.
  static func upcrossings(_ lee: LookElsewhereFile) -> (Double, Double)? {
    if let gv = lee.observed?.grossVitells { return (gv.meanUpcrossings, gv.threshold) }
    guard !lee.toys.isEmpty, !lee.thresholds.isEmpty else { return nil }
    let means = lee.thresholds.indices.map { k in
      Double(lee.toys.map { $0.upcrossings.count > k ? $0.upcrossings[k] : 0 }.reduce(0, +)) / Double(lee.toys.count)
    }
    let pick = lee.thresholds.indices.filter { means[$0] >= 5 }.max { lee.thresholds[$0] < lee.thresholds[$1] }
      ?? lee.thresholds.indices.min { lee.thresholds[$0] < lee.thresholds[$1] }!
    return (means[pick], lee.thresholds[pick])
  }

  /// The histogram of the largest local Z: the file's when present, else made from the toys.
  static func histogram(_ lee: LookElsewhereFile) -> (edges: [Double], counts: [Double]) {
    let (e, c) = (lee.maxZEdges, lee.maxZCounts)
    if e.count == c.count + 1, !c.isEmpty { return (e, c.map(Double.init)) }
    let edges = stride(from: 0.0, through: 6.0, by: 0.1).map { $0 }
    var counts = [Double](repeating: 0, count: edges.count - 1)
    for t in lee.toys { counts[min(counts.count - 1, max(0, Int(t.maxZ / 0.1)))] += 1 }
    return (edges, counts)
  }

  public static func figure(_ lee: LookElsewhereFile, options: PlotOptions) throws -> Figure {
    let (edges, counts) = histogram(lee)
    let total = counts.reduce(0, +)
    guard total > 0 else { throw PlotError("the lee file has no toy scans") }
    let nonEmpty = counts.indices.filter { counts[$0] > 0 }
    let obsZ = lee.observed?.localZ
    let zmax = max(edges[nonEmpty.last! + 1] + 0.3, (obsZ ?? 0) + 0.5, 4)
    let xhi = (zmax / 0.5).rounded(.up) * 0.5
    let xlo = max(0, (edges[nonEmpty.first!] / 0.5).rounded(.down) * 0.5 - 0.5)
    let width = edges[1] - edges[0]
    let gv = upcrossings(lee)
    var curveX: [Double] = [], curveY: [Double?] = []
    if let (n, u0) = gv {
      var z = max(xlo, u0.squareRoot())
      while z <= xhi {
        curveX.append(z)
        let d = GaussianTail.grossVitellsDensity(z, meanUpcrossings: n, u0: u0) * total * width
        curveY.append(d > 0 ? d : nil)
        z += 0.02
      }
    }
    let ys = counts.filter { $0 > 0 } + curveY.compactMap { $0 }.filter { $0 >= 0.05 }
    let (ylo, yhi) = Axis.logRangeWithHeadroom(ys + [0.5], dataFraction: 0.65, floorAt: 0.1)
    var fig = Figure(title: "Largest local significance in background-only toy scans",
                     x: Axis(label: "Largest local significance Z_{max} [σ]", lower: xlo, upper: xhi),
                     y: Axis(label: "Toy scans / \(ExperimentLabel.trim(width))σ", scale: .log, lower: ylo, upper: yhi))
    var p = fig[0]
    p.steps(edges: edges, values: counts, fill: "#a6c8ff", edge: "#1f4e9c", width: 1.6)
    if !curveX.isEmpty { p.line(curveX, curveY, colour: "#c00", width: 2.2) }
    p.legend.append(LegendEntry("Toy scans (\(Int(total)))", .fill("#a6c8ff", edge: "#1f4e9c")))
    if let (n, u0) = gv {
      p.legend.append(LegendEntry(String(format: "Gross–Vitells, ⟨N(u_{0}=%g)⟩ = %.2f", u0, n), .line("#c00", width: 2.2, dash: nil)))
    }
    if let o = lee.observed {
      p.vline(o.localZ, colour: "#000", width: 2, dash: "6 3")
      p.legend.append(LegendEntry(String(format: "Observed Z_{local} = %.2f", o.localZ), .line("#000", width: 2, dash: "6 3")))
      let bound = o.globalZIsLowerBound ? ">" : ""
      p.notes.append(String(format: "p_{global} = %.3f ± %.3f → Z_{global} = %@%.2fσ (toys)", o.globalP, o.globalPUncertainty, bound, o.globalZ))
      p.notes.append(String(format: "p_{global} = %.3f → Z_{global} = %.2fσ (Gross–Vitells)", o.grossVitells.globalP, o.grossVitells.globalZ))
    }
    p.legendPlacement = .upperRight
    fig[0] = p
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }

  /// P(Z_max ≥ Z) from the toys against the Gross–Vitells p_global(Z).
  public static func survivalFigure(_ lee: LookElsewhereFile, options: PlotOptions) throws -> Figure {
    let z = lee.toys.map(\.maxZ).sorted()
    guard !z.isEmpty else { throw PlotError("the lee file has no per-toy list (\"toys\"); the survival curve needs it") }
    let n = Double(z.count)
    let obsZ = lee.observed?.localZ
    let xhi = (max(z.last! + 0.5, (obsZ ?? 0) + 0.5, 4) / 0.5).rounded(.up) * 0.5
    let ylo = pow(10, floor(log10(0.5 / n)))
    // Room above p = 1 for the legend (its four rows take ≈ 27% of the height).
    let yhi = pow(10, -log10(ylo) * 0.27 / 0.73)
    var fig = Figure(title: "Global p-value of the largest local significance",
                     x: Axis(label: "Local significance Z [σ]", lower: 0, upper: xhi),
                     y: Axis(label: "p_{global} = P(Z_{max} ≥ Z)", scale: .log, lower: ylo, upper: yhi))
    var p = fig[0]
    // The empirical survival function at a fine grid, with binomial 1σ errors.
    var xs: [Double] = [], ys: [Double?] = [], lo: [Double?] = [], hi: [Double?] = []
    var k = 0
    var x = 0.0
    while x <= xhi {
      while k < z.count, z[k] < x { k += 1 }
      let s = Double(z.count - k) / n
      let e = (s * (1 - s) / n).squareRoot()
      xs.append(x); ys.append(s > 0 ? s : nil); lo.append(s > 0 ? max(s - e, ylo / 10) : nil); hi.append(s > 0 ? s + e : nil)
      x += 0.02
    }
    p.band(xs, lower: lo, upper: hi, fill: "#a6c8ff")
    p.line(xs, ys, colour: "#1f4e9c", width: 2)
    var gxs: [Double] = [], gys: [Double?] = [], pl: [Double?] = []
    let gv = LookElsewherePlot.upcrossings(lee)
    x = 0
    while x <= xhi {
      gxs.append(x)
      pl.append(GaussianTail.p(x))
      if let (m, u0) = gv { gys.append(x * x >= u0 ? GaussianTail.grossVitells(x, meanUpcrossings: m, u0: u0) : nil) }
      x += 0.02
    }
    p.line(gxs, pl, colour: "#666", width: 1.4, dash: "2 3")
    if gv != nil { p.line(gxs, gys, colour: "#c00", width: 2.2) }
    p.legend.append(LegendEntry("Toy scans (\(z.count)), ±1σ", .fill("#a6c8ff", edge: "#1f4e9c")))
    if let (m, u0) = gv { p.legend.append(LegendEntry(String(format: "Gross–Vitells, ⟨N(u_{0}=%g)⟩ = %.2f", u0, m), .line("#c00", width: 2.2, dash: nil))) }
    p.legend.append(LegendEntry("p_{local} (no look-elsewhere)", .line("#666", width: 1.4, dash: "2 3")))
    if let o = lee.observed {
      p.vline(o.localZ, colour: "#000", width: 2, dash: "6 3")
      p.legend.append(LegendEntry(String(format: "Observed Z_{local} = %.2f", o.localZ), .line("#000", width: 2, dash: "6 3")))
    }
    p.legendPlacement = .upperRight
    fig[0] = p
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }
}
