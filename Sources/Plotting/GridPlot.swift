import Foundation
import Results

/// The mass hypotheses: the spacing of the grid against M_Z′ (one resolution unit in M² per step,
/// so ΔM ≈ σ(M²)/2M), log y.
public enum GridPlot {
  public static func figure(_ grid: GridFile, options: PlotOptions) throws -> Figure {
    let h = grid.hypotheses.sorted { $0.mass < $1.mass }
    guard h.count >= 2 else { throw PlotError("the grid file needs at least two hypotheses") }
    let xs = zip(h, h.dropFirst()).map { ($0.mass + $1.mass) / 2 }
    let steps = zip(h, h.dropFirst()).map { ($1.mass - $0.mass) * 1000 }
    let (ylo, yhi) = Axis.logRangeWithHeadroom(steps, dataFraction: 0.8)
    var fig = Figure(title: "Mass hypotheses", x: Axis(label: "M_{Z′} [GeV]", lower: 0, upper: (h.last!.mass * 1.02 / 0.5).rounded(.up) * 0.5),
                     y: Axis(label: "Step between hypotheses ΔM [MeV]", scale: .log, lower: ylo, upper: yhi))
    var p = fig[0]
    p.line(xs, steps, colour: "#1f4e9c", width: 2)
    p.notes.append("\(h.count) hypotheses, \(String(format: "%.3g", h.first!.mass))–\(String(format: "%.3g", h.last!.mass)) GeV")
    p.notes.append(String(format: "steps of %.1f to %.0f MeV", steps.min()!, steps.max()!))
    fig[0] = p
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }
}
