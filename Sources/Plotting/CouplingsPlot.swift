import Foundation
import Results

/// Limits on the Lµ−Lτ coupling g′ against M_Z′ on log–log axes (paper, Figs. 3, 4, S3, S5): the
/// observed limit, the expected band, the (g−2)µ-favoured region (Δaµ ± 2σ) in red and, for the
/// fully invisible model, the dashed vertical line beyond which B(Z′ → χχ̄) ≈ 1 with a negligible
/// width is not possible.
public enum CouplingsPlot {
  public static func figure(_ file: CouplingsFile, options: PlotOptions) throws -> Figure {
    let points = file.masses.sorted { $0.mass < $1.mass }.filter { $0.mass > 0 }
    guard !points.isEmpty else { throw PlotError("the couplings file has no mass points") }
    let xs = points.map(\.mass)
    let ys = points.flatMap { [$0.expected.minus2, $0.expected.plus2, $0.gMinus2.lower, $0.gMinus2.upper] } + points.compactMap(\.observed)
    let (ylo, yhi) = Axis.logRangeWithHeadroom(ys, dataFraction: 0.74)
    let xlo = pow(10, floor(log10(xs.min()!) + 1e-9)), xhi = pow(10, ceil(log10(xs.max()!) - 1e-9))
    let invisible = file.model == "invisible"
    var fig = Figure(title: "Upper limits on g′, \(invisible ? "fully invisible" : "vanilla") Lµ−Lτ model",
                     x: Axis(label: "M_{Z′} [GeV]", scale: .log, lower: xlo, upper: xhi),
                     y: Axis(label: "g′", scale: .log, lower: ylo, upper: yhi))
    var p = fig[0]
    p.band(xs, lower: points.map { $0.expected.minus2 }, upper: points.map { $0.expected.plus2 }, fill: Style.sigma2)
    p.band(xs, lower: points.map { $0.expected.minus1 }, upper: points.map { $0.expected.plus1 }, fill: Style.sigma1)
    p.band(xs, lower: points.map { $0.gMinus2.lower > 0 ? $0.gMinus2.lower : nil }, upper: points.map { $0.gMinus2.upper },
           fill: Style.gMinus2, opacity: 0.45)
    p.line(xs, points.map { $0.expected.median }, colour: "#000", width: 1.8, dash: "7 5")
    let hasObserved = points.contains { $0.observed != nil }
    if hasObserved { p.line(xs, points.map(\.observed), colour: "#000", width: 2.2) }
    if invisible, let v = file.narrowWidthValidBelow, v < xs.max()! * 0.999 {
      p.vline(v, colour: "#000", width: 1.6, dash: "8 5")
      p.text("← B(Z′→χχ̄) ≈ 1", x: v * 0.95, y: pow(10, log10(ylo) + 0.06 * log10(yhi / ylo)), size: 13, anchor: "end")
    }
    let src = points[0].expectedSource
    if hasObserved { p.legend.append(LegendEntry("Observed", .line("#000", width: 2.2, dash: nil))) }
    p.legend.append(LegendEntry("Median expected (\(src))", .line("#000", width: 1.8, dash: "7 5")))
    p.legend.append(LegendEntry("±1σ expected", .fill(Style.sigma1, edge: nil)))
    p.legend.append(LegendEntry("±2σ expected", .fill(Style.sigma2, edge: nil)))
    p.legend.append(LegendEntry("(g−2)_{µ} ± 2σ", .hatch(Style.gMinus2)))
    p.notes.append(invisible ? "Fully invisible L_{µ}−L_{τ}, B(Z′→χχ̄) = 1" : "Vanilla L_{µ}−L_{τ}, B(Z′→νν̄)")
    p.notes.append("\(file.limit.clText) \(file.limit.rule.isInterval ? "intervals" : "upper limits"), \(file.limit.rule.markup)")
    if !file.excludedRanges.isEmpty {
      let ex = file.excludedRanges
      // Statistical fluctuations cut the range into pieces: name them when few, else the span.
      let r = ex.count <= 2 ? ex.map { String(format: "%.2f–%.2f", $0.lower, $0.upper) }.joined(separator: ", ")
        : String(format: "%.2f–%.2f GeV in %d pieces", ex.map(\.lower).min()!, ex.map(\.upper).max()!, ex.count)
      p.notes.append("(g−2)_{µ} excluded: M_{Z′} = \(r)\(ex.count <= 2 ? " GeV" : "") (\(file.exclusionBasis))")
    }
    p.legendPlacement = .upperLeft
    fig[0] = p
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }
}
