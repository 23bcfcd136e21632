import Foundation
import Results

/// The plots of a luminosity projection (`zptoys project`).
///
/// - `projection` (the reach): the median expected g′ limit of the fully invisible model against
///   the integrated luminosity (log–log) at up to six masses spread over the file, each with its
///   ±1σ band and, dotted in the same colour, the lower edge of its (g−2)µ band — where a line
///   crosses its dotted line, that luminosity excludes the g−2 explanation at that mass.
/// - `projection-couplings`: the median expected g′ limit against M_Z′ (log–log) at every
///   projected luminosity, with the (g−2)µ band (Δaµ ± 2σ), for the fully invisible model (or
///   the vanilla one with ``PlotOptions/projectionModel``).
public enum ProjectionPlot {
  /// Up to `n` points spread evenly in ln M over the masses (each the nearest to its target).
  static func spread(_ points: [ProjectionPoint], _ n: Int) -> [ProjectionPoint] {
    guard points.count > n, let lo = points.first?.mass, let hi = points.last?.mass, lo > 0 else { return points }
    let targets = (0..<n).map { exp(log(lo) + Double($0) * log(hi / lo) / Double(n - 1)) }
    let picked = targets.map { t in points.min { abs(log($0.mass / t)) < abs(log($1.mass / t)) }! }
    return picked.reduce(into: [ProjectionPoint]()) { if !$0.contains($1) { $0.append($1) } }
  }

  /// The label: the configuration, without a luminosity (the plot spans several), and a note
  /// saying which one the model was scaled from.
  static func label(_ file: ProjectionFile, _ options: PlotOptions) -> ExperimentLabel {
    var l = options.label
    l.luminosity = nil
    return l
  }

  static func modelName(_ m: String) -> String { m == "vanilla" ? "vanilla" : "fully invisible" }

  public static func reach(_ file: ProjectionFile, options: PlotOptions) throws -> Figure {
    let points = spread(file.masses.sorted { $0.mass < $1.mass }, 6)
    guard !points.isEmpty else { throw PlotError("the projection file has no mass points") }
    let model = options.projectionModel
    let lumis = file.settings.lumis
    let ys = points.flatMap { p in p.limits.flatMap { [$0.gPrime(model).minus1, $0.gPrime(model).plus1] } + [p.gMinus2.lower] }.filter { $0 > 0 }
    let (ylo, yhi) = Axis.logRangeWithHeadroom(ys, dataFraction: 0.7)
    let xlo = pow(10, floor(log10(lumis.min()!) + 1e-9)), xhi = pow(10, ceil(log10(lumis.max()!) - 1e-9))
    var fig = Figure(title: "Reach in g′ against luminosity, \(modelName(model)) Lµ−Lτ model",
                     x: Axis(label: "∫L dt [fb^{−1}]", scale: .log, lower: xlo, upper: max(xhi, xlo * 10)),
                     y: Axis(label: "g′ (median expected limit)", scale: .log, lower: ylo, upper: yhi))
    var p = fig[0]
    for (k, pt) in points.enumerated() {
      let c = Style.cycle[k % Style.cycle.count]
      let bands = pt.limits.map { $0.gPrime(model) }
      p.band(lumis, lower: bands.map(\.minus1), upper: bands.map(\.plus1), fill: c, opacity: 0.18)
      p.line(lumis, bands.map(\.median), colour: c, width: 2)
      p.line([xlo, max(xhi, xlo * 10)], [pt.gMinus2.lower, pt.gMinus2.lower], colour: c, width: 1.2, dash: "2 3")
      p.legend.append(LegendEntry(String(format: "M_{Z′} = %.3g GeV", pt.mass), .line(c, width: 2, dash: nil)))
    }
    p.legend.append(LegendEntry("(g−2)_{µ} band, lower edge", .line("#555", width: 1.2, dash: "2 3")))
    p.notes.append("\(file.settings.limit.clText) \(file.settings.limit.rule.markup), median ±1σ (\(file.settings.toys > 0 ? "\(file.settings.toys) toys" : "asymptotic"))")
    p.notes.append("scaled from \(ExperimentLabel.trim(file.lumiFb ?? 0)) fb^{−1}" + (file.settings.scaleSystematics ? ", systematics × √(L_{0}/L)" : ""))
    p.legendPlacement = .upperRight
    fig[0] = p
    fig.label = label(file, options)
    fig.footnote = options.footnote
    return fig
  }

  public static func couplings(_ file: ProjectionFile, options: PlotOptions) throws -> Figure {
    let points = file.masses.sorted { $0.mass < $1.mass }.filter { $0.mass > 0 }
    guard !points.isEmpty else { throw PlotError("the projection file has no mass points") }
    let model = options.projectionModel
    let xs = points.map(\.mass)
    let ys = points.flatMap { p in p.limits.map { $0.gPrime(model).median } + [p.gMinus2.lower, p.gMinus2.upper] }.filter { $0 > 0 }
    let (ylo, yhi) = Axis.logRangeWithHeadroom(ys, dataFraction: 0.74)
    let xlo = pow(10, floor(log10(xs.min()!) + 1e-9)), xhi = pow(10, ceil(log10(xs.max()!) - 1e-9))
    var fig = Figure(title: "Expected limits on g′ by luminosity, \(modelName(model)) Lµ−Lτ model",
                     x: Axis(label: "M_{Z′} [GeV]", scale: .log, lower: xlo, upper: max(xhi, xlo * 10)),
                     y: Axis(label: "g′", scale: .log, lower: ylo, upper: yhi))
    var p = fig[0]
    p.band(xs, lower: points.map { $0.gMinus2.lower > 0 ? $0.gMinus2.lower : nil }, upper: points.map(\.gMinus2.upper), fill: Style.gMinus2, opacity: 0.45)
    for (k, l) in file.settings.lumis.enumerated() {
      let c = Style.cycle[k % Style.cycle.count]
      p.line(xs, points.map { k < $0.limits.count ? $0.limits[k].gPrime(model).median : nil }, colour: c, width: 2)
      let closed = file.windows.first { $0.model == model && $0.lumiFb == l }?.closed == true
      p.legend.append(LegendEntry("\(ExperimentLabel.trim(l)) fb^{−1}\(closed ? " (closes the window)" : "")", .line(c, width: 2, dash: nil)))
    }
    p.legend.append(LegendEntry("(g−2)_{µ} ± 2σ", .hatch(Style.gMinus2)))
    p.notes.append("Median expected \(file.settings.limit.clText) \(file.settings.limit.rule.markup) limits")
    p.notes.append("scaled from \(ExperimentLabel.trim(file.lumiFb ?? 0)) fb^{−1}" + (file.settings.scaleSystematics ? ", systematics × √(L_{0}/L)" : ""))
    p.legendPlacement = .upperLeft
    fig[0] = p
    fig.label = label(file, options)
    fig.footnote = options.footnote
    return fig
  }
}
