import Foundation

/// The recoil-mass spectrum (paper, Fig. 1): candidates per 0.5 GeV² against M²_recoil on a log
/// y axis, the backgrounds stacked in the order they first appear in the file (the
/// configuration's order, as `zptoys generate` writes them; a signal is drawn as a line on top,
/// not stacked), and data points with Poisson error bars.
///
/// The stack comes from the event file's `process` column, each event weighted by `mcScale`;
/// the data points from `options.data` when given, else from the same file (a pseudo-data set
/// drawn with `zptoys generate --lumi` is then its own stack, and the points sit on its top).
/// Error bars: the 68% Garwood interval, approximated by n + ½ ∓ √(n + ¼) (within 2% of the
/// exact interval for n ≥ 1).
public enum SpectrumPlot {
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
    let stackNames = events.processes.filter { name in name != "signal" && hist.contains { $0.process == name } }
      + (events.process == nil ? hist.map(\.process) : [])
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
      let colour = Style.processColour(name, position: k)
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
      p.legend.append(LegendEntry(options.label(process: name), .fill(Style.processColour(name, position: k), edge: "#222")))
    }
    if signal != nil { p.legend.append(LegendEntry(options.label(process: "signal"), .line(Style.processColours["signal"]!, width: 2, dash: nil))) }
    if options.mcScale != 1 { p.notes.append("Simulation × \(ExperimentLabel.trim(options.mcScale))") }
    fig[0] = p
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }
}
