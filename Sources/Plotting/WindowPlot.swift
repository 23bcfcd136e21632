import Foundation
import Results

/// One search window's templates (`zptoys templates`): the M² projection (summed over the θ_cm
/// bins) of every background stacked, the Monte Carlo uncertainty of their sum as a hatched band
/// (√Σ sumw2), and the signal for a cross section `options.signalFb` drawn on top, with the
/// hypothesis' M² marked.
public enum WindowPlot {
  public static func figure(_ t: TemplatesFile, options: PlotOptions) throws -> Figure {
    guard let anyHist = t.backgrounds.values.first ?? Optional(t.signalPerFb), anyHist.m2Edges.count >= 2 else {
      throw PlotError("the templates file has no M² bins")
    }
    let edges = t.signalPerFb.m2Edges.count >= 2 ? t.signalPerFb.m2Edges : anyHist.m2Edges
    let n = edges.count - 1
    let names = t.backgroundOrder.filter { t.backgrounds[$0] != nil } + t.backgrounds.keys.filter { !t.backgroundOrder.contains($0) }.sorted()
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
    var fig = Figure(title: "Search-window templates", x: Axis(label: "M^{2}_{recoil} [\(Units.markup(t.units.massSquared))]", lower: edges[0], upper: edges[n]),
                     y: Axis(label: "Expected events / bin", lower: ylo, upper: yhi))
    var p = fig[0]
    for k in stride(from: cumulative.count - 1, through: 0, by: -1) {
      p.steps(edges: edges, values: cumulative[k], fill: Style.processColour(names[k], position: k), edge: "#222", width: 0.6)
    }
    for i in 0..<n where variance[i] > 0 {
      let s = variance[i].squareRoot()
      p.cell(x0: edges[i], x1: edges[i + 1], y0: max(0, running[i] - s), y1: running[i] + s, fill: "#333", opacity: 0.4)
    }
    p.steps(edges: edges, values: top, fill: nil, edge: Style.processColours["signal"]!, width: 2.2)
    p.vline(t.hypothesis.m2, colour: "#444", width: 1.2, dash: "4 3")
    p.legend.append(LegendEntry("Z′ signal, σ = \(ExperimentLabel.trim(options.signalFb)) fb (stacked)", .line(Style.processColours["signal"]!, width: 2.2, dash: nil)))
    for (k, name) in names.enumerated().reversed() {
      p.legend.append(LegendEntry(t.backgroundLabels[name] ?? options.label(process: name), .fill(Style.processColour(name, position: k), edge: "#222")))
    }
    p.legend.append(LegendEntry("MC stat. uncertainty", .hatch("#333")))
    let nt = max(1, (t.signalPerFb.thetaEdges.count) - 1)
    p.notes.append(String(format: "M_{Z′} = %.3f GeV (hypothesis %d)", t.hypothesis.mass, t.hypothesis.index))
    p.notes.append("\(n) M² bins × \(nt) θ_{cm} bins, summed over θ")
    if t.widthFraction > 0 { p.notes.append("Γ_{Z′} = \(ExperimentLabel.trim(t.widthFraction)) M_{Z′}") }
    fig[0] = p
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }
}
