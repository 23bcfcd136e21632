import Foundation
import Results

/// Exact against asymptotic limits over the spectrum, from a brazil file of method toys: per
/// hypothesis the ratio of the toy band's median expected limit (each background-only toy's
/// limit from the hypothesis' toy Neyman belt) to the asymptotic median, with the ratios of the
/// ±1σ edges and of the observed limits beside it; the dashed lines mark ±20%, where the run's
/// summary counts a hypothesis as differing.
public enum MethodsPlot {
  public static let threshold = 0.2

  public static func figure(_ file: BrazilFile, options: PlotOptions) throws -> Figure {
    guard file.settings.limit.method == .toys, file.masses.contains(where: { $0.expectedToys != nil }) else {
      throw PlotError("--kind methods needs a brazil file whose limits come from toy Neyman belts (method toys, --toys ≥ 1)")
    }
    let axis = try HypothesisAxis.make(file.masses.map(\.label), likelihood: file.header.identity.inputs.likelihood, patchValue: options.patchValue)
    let points = file.masses.sorted { axis.x($0.label) < axis.x($1.label) }
    let xs = points.map { axis.x($0.label) }
    func ratio(_ a: Double?, _ b: Double?) -> Double? {
      guard let a, let b, a.isFinite, b.isFinite, b > 0 else { return nil }
      return a / b
    }
    let median = points.map { ratio($0.expectedToys?.median, $0.expectedAsymptotic.median) }
    let minus1 = points.map { ratio($0.expectedToys?.minus1, $0.expectedAsymptotic.minus1) }
    let plus1 = points.map { ratio($0.expectedToys?.plus1, $0.expectedAsymptotic.plus1) }
    let observed = points.map { ratio($0.observed, $0.observedAsymptotic) }
    let all = (median + minus1 + plus1 + observed).compactMap { $0 } + [1 + threshold]
    let (_, yhi) = Axis.linearRangeWithHeadroom(all, lower: 0, dataFraction: 0.8)
    let xRange = axis.range(xs)
    var fig = Figure(title: "Exact (toy Neyman belt) against asymptotic limits", x: Axis(label: axis.title, lower: xRange.0, upper: xRange.1),
                     y: Axis(label: "Limit ratio: toys / asymptotic", lower: 0, upper: yhi))
    var p = fig[0]
    p.hline(1, colour: "#555", width: 1.2, dash: nil)
    for v in [1 - threshold, 1 + threshold] { p.hline(v, colour: "#888", width: 1, dash: "6 4") }
    p.line(xs, minus1, colour: Style.sigma1, width: 1.4)
    p.line(xs, plus1, colour: "#008800", width: 1.4)
    if observed.contains(where: { $0 != nil }) { p.line(xs, observed, colour: "#777", width: 1.2, dash: "2 3") }
    p.line(xs, median, colour: "#000", width: 2)
    p.legend.append(LegendEntry("median expected", .line("#000", width: 2, dash: nil)))
    p.legend.append(LegendEntry("−1σ expected", .line(Style.sigma1, width: 1.4, dash: nil)))
    p.legend.append(LegendEntry("+1σ expected", .line("#008800", width: 1.4, dash: nil)))
    if observed.contains(where: { $0 != nil }) { p.legend.append(LegendEntry("observed", .line("#777", width: 1.2, dash: "2 3"))) }
    let limit = file.settings.limit
    p.notes.append("\(limit.clText) \(limit.rule.isInterval ? "intervals" : "upper limits"), \(limit.rule.markup)")
    p.notes.append("\(points.map(\.toys).max() ?? 0) b-only toys / hypothesis; belts of \(file.settings.beltToys ?? 0) toys / µ point")
    p.legendPlacement = .upperRight
    fig[0] = p
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }
}
