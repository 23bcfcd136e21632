import Foundation
import Results

/// The Brazil plot (paper, Fig. 2 and S4): upper limits at the file's CL on σ(e⁺e⁻ → µ⁺µ⁻Z′, Z′ → invisible)
/// against M_Z′ on a log y axis; the expected ±2σ (yellow) and ±1σ (green) bands, the dashed
/// median and the observed line; the wide-Z′ benchmark's observed limit alongside when given.
/// The legend says which method drew each curve; when the band comes from toy Neyman belts, the
/// asymptotic median is drawn beside it (grey, dotted).
public enum BrazilPlot {
  public static func figure(_ file: BrazilFile, options: PlotOptions) throws -> Figure {
    guard !file.masses.isEmpty else { throw PlotError("the brazil file has no mass points") }
    let axis = try HypothesisAxis.make(file.masses.map(\.label), likelihood: file.header.identity.inputs.likelihood, patchValue: options.patchValue)
    let points = file.masses.sorted { axis.x($0.label) < axis.x($1.label) }
    let hasToys = points.contains { $0.expectedToys != nil }
    let useToys: Bool
    switch options.band {
    case .auto: useToys = hasToys
    case .toys:
      guard hasToys else { throw PlotError("--band toys: this brazil file has no toy band (it was run with --toys 0); use --band asymptotic") }
      useToys = true
    case .asymptotic: useToys = false
    }
    let xs = points.map { axis.x($0.label) }
    let band: [Band?] = points.map { useToys ? $0.expectedToys : $0.expectedAsymptotic }
    let observed = points.map(\.observed)
    let wide = axis.isMass ? options.wide.map { $0.masses.filter { $0.mass != nil }.sorted { $0.mass! < $1.mass! } } ?? [] : []

    let allY = band.flatMap { $0.map { [$0.minus2, $0.plus2] } ?? [] } + observed.compactMap { $0 } + wide.compactMap { $0.observed ?? $0.expectedAsymptotic.median }
    let (ylo, yhi) = Axis.logRangeWithHeadroom(allY, dataFraction: 0.7)
    let xRange = axis.range(xs + wide.compactMap(\.mass))
    let published = file.header.identity.inputs.likelihood
    let title = published.map { "Upper limits on the POI: \($0.name)" } ?? "Upper limits on σ(e+e− → µ+µ−Z′, Z′ → invisible)"
    let yLabel = published == nil ? "σ(e^{+}e^{−} → µ^{+}µ^{−}Z′, Z′ → inv.) [\(file.units.crossSection)]" : "Upper limit on the POI"
    var fig = Figure(title: title, x: Axis(label: axis.title, lower: xRange.0, upper: xRange.1),
                     y: Axis(label: yLabel, scale: .log, lower: ylo, upper: yhi))
    var p = fig[0]
    p.band(xs, lower: band.map { $0?.minus2 }, upper: band.map { $0?.plus2 }, fill: Style.sigma2)
    p.band(xs, lower: band.map { $0?.minus1 }, upper: band.map { $0?.plus1 }, fill: Style.sigma1)
    p.line(xs, band.map { $0?.median }, colour: "#000", width: 1.8, dash: "7 5")
    let hasObserved = observed.contains { $0 != nil }
    if hasObserved { p.line(xs, observed, colour: "#000", width: 2) }
    if !wide.isEmpty {
      let wideObserved = wide.contains { $0.observed != nil }
      p.line(wide.map { $0.mass ?? .nan }, wide.map { wideObserved ? $0.observed : $0.expectedAsymptotic.median }, colour: Style.cycle[0], width: 2,
             dash: wideObserved ? nil : "3 3")
    }
    let settings = file.settings
    let method = settings.limit.method
    let compare = useToys && method == .toys
    if compare { p.line(xs, points.map(\.expectedAsymptotic.median), colour: "#777", width: 1.4, dash: "2 3") }
    let obsName = (file.header.identity.inputs.data == "toy" ? "Observed (pseudo-data, " : "Observed (") + method.text + ")"
    if hasObserved { p.legend.append(LegendEntry(obsName, .line("#000", width: 2, dash: nil))) }
    let toyCount = points.map(\.toys).max() ?? 0
    let median = useToys ? "Median expected (\(toyCount) toys, \(method == .toys ? "each from the belt" : "asymptotic limits"))" : "Median expected (asymptotic)"
    p.legend.append(LegendEntry(median, .line("#000", width: 1.8, dash: "7 5")))
    if compare { p.legend.append(LegendEntry("Median expected (asymptotic)", .line("#777", width: 1.4, dash: "2 3"))) }
    p.legend.append(LegendEntry("±1σ expected", .fill(Style.sigma1, edge: nil)))
    p.legend.append(LegendEntry("±2σ expected", .fill(Style.sigma2, edge: nil)))
    if let w = options.wide {
      let f = w.settings.widthFraction
      let obs = wide.contains { $0.observed != nil }
      p.legend.append(LegendEntry("\(obs ? "Observed" : "Expected"), Γ_{Z′} = \(ExperimentLabel.trim(f)) M_{Z′}", .line(Style.cycle[0], width: 2, dash: obs ? nil : "3 3")))
    }
    let limit = settings.limit
    p.notes.append("\(limit.clText) \(limit.rule.isInterval ? "intervals" : "upper limits"), \(limit.rule.markup)")
    if method == .toys, let n = settings.beltToys { p.notes.append("toy Neyman belts: \(n) toys per µ point") }
    if settings.widthFraction > 0 { p.notes.append("Γ_{Z′} = \(ExperimentLabel.trim(settings.widthFraction)) M_{Z′}") }
    p.legendPlacement = .upperRight
    fig[0] = p
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }
}
