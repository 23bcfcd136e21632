import Foundation

/// The recoil-mass spectrum (paper, Fig. 1): candidates per 0.5 GeV² against M²_recoil on a log
/// y axis, the backgrounds stacked in the paper's order (µµ(γ), ττ(γ), eeµµ; a signal is drawn
/// as a line on top, not stacked), and data points with Poisson error bars.
///
/// The stack comes from the event file's `process` column, each event weighted by `mcScale`;
/// the data points from `options.data` when given, else from the same file (a pseudo-data set
/// drawn with `zptoys generate --lumi` is then its own stack, and the points sit on its top).
/// Error bars: the 68% Garwood interval, approximated by n + ½ ∓ √(n + ¼) (within 2% of the
/// exact interval for n ≥ 1).
public enum SpectrumPlot {
  static let order = ["mumu", "tautau", "eemumu"]

  public static func figure(_ events: EventTable, options: PlotOptions) throws -> Figure {
    let w = options.binWidth
    guard w > 0, w.isFinite else { throw PlotError("the bin width must be positive, got \(w)") }
    let all = events.m2 + (options.data?.m2 ?? [])
    let lo = (all.min()! / w).rounded(.down) * w
    let hi0 = (all.max()! / w).rounded(.up) * w
    let hi = hi0 > lo ? hi0 : lo + w
    let n = Int(((hi - lo) / w).rounded())
    guard n <= 100_000 else { throw PlotError("the M² range [\(lo), \(hi)] GeV² at \(w) GeV² per bin needs \(n) bins; choose a wider --bin-width") }
    let edges = (0...n).map { lo + Double($0) * w }
    let hist = events.histogram(edges: edges, scale: options.mcScale)
    var stackNames = order.filter { name in hist.contains { $0.process == name } }
    stackNames += hist.map(\.process).filter { !order.contains($0) && $0 != "signal" }
    let signal = hist.first { $0.process == "signal" }
    let dataCounts = (options.data ?? events).histogram(edges: edges).reduce(into: [Double](repeating: 0, count: n)) { acc, h in
      for i in 0..<n { acc[i] += h.counts[i] }
    }
    // Cumulative sums from the bottom of the stack.
    var cumulative: [[Double]] = []
    var running = [Double](repeating: 0, count: n)
    for name in stackNames {
      let c = hist.first { $0.process == name }!.counts
      for i in 0..<n { running[i] += c[i] }
      cumulative.append(running)
    }
    let positives = (running + dataCounts + (signal?.counts ?? [])).filter { $0 > 0 }
    let minPositive = positives.min() ?? 1
    let (ylo, yhi) = Axis.logRangeWithHeadroom(positives + [max(minPositive, 0.1)], dataFraction: 0.72, floorAt: 0.1)
    var fig = Figure(title: "Recoil-mass spectrum",
                     x: Axis(label: "M^{2}_{recoil} [GeV^{2}]", lower: lo, upper: hi),
                     y: Axis(label: "Candidates / (\(ExperimentLabel.trim(w)) GeV^{2})", scale: .log, lower: ylo, upper: yhi))
    var p = fig[0]
    for k in stride(from: cumulative.count - 1, through: 0, by: -1) {
      let name = stackNames[k]
      let colour = Style.processColours[name] ?? Style.cycle[k % Style.cycle.count]
      p.steps(edges: edges, values: cumulative[k], fill: colour, edge: "#222", width: 0.6)
    }
    if let s = signal {
      p.steps(edges: edges, values: zip(s.counts, running).map { $0 + $1 }, fill: nil, edge: Style.processColours["signal"]!, width: 2)
    }
    let centres = (0..<n).map { lo + (Double($0) + 0.5) * w }
    let shown = (0..<n).filter { dataCounts[$0] > 0 }
    p.points(shown.map { centres[$0] }, shown.map { dataCounts[$0] },
             low: shown.map { let c = dataCounts[$0]; return max(c + 0.5 - (c + 0.25).squareRoot(), 1e-9) },
             high: shown.map { let c = dataCounts[$0]; return c + 0.5 + (c + 0.25).squareRoot() }, radius: 2.6)
    let dataName = options.dataLabel ?? (options.data == nil ? "Pseudo-data (this file)" : "Data")
    p.legend.append(LegendEntry(dataName, .marker("#000")))
    for (k, name) in stackNames.enumerated().reversed() {
      p.legend.append(LegendEntry(Style.processLabel(name), .fill(Style.processColours[name] ?? Style.cycle[k % Style.cycle.count], edge: "#222")))
    }
    if signal != nil { p.legend.append(LegendEntry(Style.processLabel("signal"), .line(Style.processColours["signal"]!, width: 2, dash: nil))) }
    if options.mcScale != 1 { p.notes.append("Simulation × \(ExperimentLabel.trim(options.mcScale))") }
    fig[0] = p
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }
}

/// The θ_cm,recoil–M²_recoil map: a 2D histogram with a logarithmic colour scale (viridis), which
/// shows the µµ(γ) bands (one photon along the beam, one into a barrel–endcap gap) when made from
/// µµ(γ) events (`--process mumu`).
public enum RecoilMapPlot {
  /// Cells of `options.binWidth` (0.5 GeV², the spectrum's binning; wider when that would need
  /// more than 400 columns) by 2° in θ.
  public static func figure(_ events: EventTable, options: PlotOptions, thetaBins: Int = 90) throws -> Figure {
    guard let theta = events.thetaCM else {
      throw PlotError("the map needs a theta_cm_recoil_deg column (an event CSV as written by `zptoys generate`)")
    }
    var idx = Array(events.m2.indices)
    if let p = options.process {
      guard let pr = events.process else { throw PlotError("--process \(p): the event file has no process column") }
      idx = idx.filter { pr[$0] == p }
      guard !idx.isEmpty else {
        throw PlotError("--process \(p): no such events (the file has \(events.processes.joined(separator: ", ")))")
      }
    }
    let m2 = idx.map { events.m2[$0] }
    let lo = min(0, m2.min()!.rounded(.down)), hi = max(lo + 5, (m2.max()! / 5).rounded(.up) * 5)
    var dx = options.binWidth > 0 ? options.binWidth : 0.5
    while (hi - lo) / dx > 400 { dx *= 2 }
    let m2Bins = Int(((hi - lo) / dx).rounded(.up)), dy = 180.0 / Double(thetaBins)
    var h = [Double](repeating: 0, count: m2Bins * thetaBins)
    for (k, i) in idx.enumerated() {
      let a = Int((m2[k] - lo) / dx), b = Int(theta[i] / dy)
      guard a >= 0, a < m2Bins, b >= 0, b < thetaBins else { continue }
      h[b * m2Bins + a] += events.weight?[i] ?? 1
    }
    let maxCount = h.max() ?? 1
    let minCount = h.filter { $0 > 0 }.min() ?? 1
    let cLo = pow(10, floor(log10(minCount) + 1e-9)), cHi = pow(10, ceil(log10(max(maxCount, cLo * 10)) - 1e-9))
    var fig = Figure(title: "θ_cm,recoil versus M²_recoil", x: Axis(label: "M^{2}_{recoil} [GeV^{2}]", lower: lo, upper: hi),
                     y: Axis(label: "θ^{cm}_{recoil} [deg]", lower: 0, upper: 180), colorbar: true)
    fig.colorbar = Colorbar(axis: Axis(label: "Events / (\(ExperimentLabel.trim(dx)) GeV^{2} × \(ExperimentLabel.trim(dy))°)", scale: .log, lower: cLo, upper: cHi))
    var p = fig[0]
    p.y.customTicks = stride(from: 0.0, through: 180, by: 30).map { ($0, String(format: "%.0f", $0)) }
    // Cells of one row with the same (quantised) colour are merged into one rectangle.
    let levels = 96.0
    for b in 0..<thetaBins {
      var a = 0
      while a < m2Bins {
        let c = h[b * m2Bins + a]
        guard c > 0 else { a += 1; continue }
        let level = (min(1, max(0, log10(c / cLo) / log10(cHi / cLo))) * levels).rounded(.down)
        var e = a + 1
        while e < m2Bins, h[b * m2Bins + e] > 0,
              (min(1, max(0, log10(h[b * m2Bins + e] / cLo) / log10(cHi / cLo))) * levels).rounded(.down) == level { e += 1 }
        p.cell(x0: lo + Double(a) * dx, x1: lo + Double(e) * dx, y0: Double(b) * dy, y1: Double(b + 1) * dy,
               fill: Style.viridis(min(level, levels - 1) / (levels - 1)))
        a = e
      }
    }
    let what = options.process.map { Style.processLabel($0) } ?? (events.processes.count == 1 ? Style.processLabel(events.processes[0]) : "all events")
    p.notes.append("\(what), \(idx.count) events")
    fig[0] = p
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }
}

/// One search window's templates (`zptoys templates`): the M² projection (summed over the θ_cm
/// bins) of every background stacked, the Monte Carlo uncertainty of their sum as a hatched band
/// (√Σ sumw2), and the signal for a cross section `options.signalFb` drawn on top, with the
/// hypothesis' M² marked.
public enum WindowPlot {
  public static func figure(_ t: ResultFile.Templates, options: PlotOptions) throws -> Figure {
    guard let anyHist = t.backgrounds.values.first ?? Optional(t.signalPerFb), anyHist.m2Edges.count >= 2 else {
      throw PlotError("the templates file has no M² bins")
    }
    let edges = t.signalPerFb.m2Edges.count >= 2 ? t.signalPerFb.m2Edges : anyHist.m2Edges
    let n = edges.count - 1
    let names = SpectrumPlot.order.filter { t.backgrounds[$0] != nil } + t.backgrounds.keys.filter { !SpectrumPlot.order.contains($0) }.sorted()
    var cumulative: [[Double]] = []
    var running = [Double](repeating: 0, count: n)
    var variance = [Double](repeating: 0, count: n)
    for name in names {
      let (y, v) = t.backgrounds[name]!.m2Projection
      guard y.count == n else { throw PlotError("templates: \(name) has \(y.count) M² bins, the signal \(n)") }
      for i in 0..<n { running[i] += y[i]; variance[i] += v[i] }
      cumulative.append(running)
    }
    let signal = t.signalPerFb.m2Projection.yields.map { $0 * options.signalFb }
    let top = zip(running, signal).map { $0 + $1 }
    let (ylo, yhi) = Axis.linearRangeWithHeadroom(top + running.indices.map { running[$0] + variance[$0].squareRoot() }, lower: 0, dataFraction: 0.62)
    var fig = Figure(title: "Search-window templates", x: Axis(label: "M^{2}_{recoil} [GeV^{2}]", lower: edges[0], upper: edges[n]),
                     y: Axis(label: "Expected events / bin", lower: ylo, upper: yhi))
    var p = fig[0]
    for k in stride(from: cumulative.count - 1, through: 0, by: -1) {
      p.steps(edges: edges, values: cumulative[k], fill: Style.processColours[names[k]] ?? Style.cycle[k % Style.cycle.count], edge: "#222", width: 0.6)
    }
    for i in 0..<n where variance[i] > 0 {
      let s = variance[i].squareRoot()
      p.cell(x0: edges[i], x1: edges[i + 1], y0: max(0, running[i] - s), y1: running[i] + s, fill: "#333", opacity: 0.4)
    }
    p.steps(edges: edges, values: top, fill: nil, edge: Style.processColours["signal"]!, width: 2.2)
    p.vline(t.hypothesis.m2, colour: "#444", width: 1.2, dash: "4 3")
    p.legend.append(LegendEntry("Z′ signal, σ = \(ExperimentLabel.trim(options.signalFb)) fb (stacked)", .line(Style.processColours["signal"]!, width: 2.2, dash: nil)))
    for (k, name) in names.enumerated().reversed() {
      p.legend.append(LegendEntry(Style.processLabel(name), .fill(Style.processColours[name] ?? Style.cycle[k % Style.cycle.count], edge: "#222")))
    }
    p.legend.append(LegendEntry("MC stat. uncertainty", .hatch("#333")))
    let nt = max(1, (t.signalPerFb.thetaEdges.count) - 1)
    p.notes.append(String(format: "M_{Z′} = %.3f GeV (hypothesis %d)", t.hypothesis.mass, t.hypothesis.index))
    p.notes.append("\(n) M² bins × \(nt) θ_{cm} bins, summed over θ")
    if let f = t.widthFraction, f > 0 { p.notes.append("Γ_{Z′} = \(ExperimentLabel.trim(f)) M_{Z′}") }
    fig[0] = p
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }
}
