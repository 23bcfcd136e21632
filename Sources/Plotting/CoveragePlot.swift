import Foundation
import Results

/// Coverage against the true cross section, one panel per mass: per interval rule (CLs, CLs+b,
/// t̃µ; the colour) and method (toy Neyman belts: circles, asymptotic formulae: diamonds) the
/// fraction of toys whose interval contains the truth, with Clopper–Pearson 68% bars, and the
/// nominal confidence level as a dashed line. The true cross sections are categories
/// (equally spaced, labelled with their value in fb): 0 and a few limits' worth do not fit one
/// linear or log axis.
public enum CoveragePlot {
  static let ruleColour: [IntervalRule: String] = [.cls: "#3f90da", .clsb: "#bd1f01", .fc: "#e76300"]
  static let methodMarker: [LimitMethod: Panel.Marker] = [.toys: .circle, .asymptotic: .diamond]

  public static func figure(_ file: CoverageFile, options: PlotOptions) throws -> Figure {
    guard !file.points.isEmpty else { throw PlotError("the coverage file has no points") }
    // One panel per hypothesis (a mass, or a patch), in the order of the points.
    let masses = file.points.map { $0.label.text }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    let signals = Array(Set(file.points.map(\.signal))).sorted()
    let rows = file.points.flatMap { $0.rules.map { RowKey(rule: $0.rule, method: $0.method) } }
      .reduce(into: [RowKey]()) { if !$0.contains($1) { $0.append($1) } }
    let cl = file.settings.cl
    let lows = file.points.flatMap { $0.rules.map(\.lower) } + [cl]
    let ylo = max(0, ((lows.min()! - 0.04) / 0.05).rounded(.down) * 0.05)
    let yAxis = Axis(label: "Coverage", lower: ylo, upper: 1 + 0.22 * (1 - ylo))
    let xs = masses.map { _ -> Axis in
      var a = Axis(label: file.header.identity.inputs.likelihood == nil ? "σ_{true} [fb]" : "POI_{true}", lower: -0.6, upper: Double(signals.count) - 0.4)
      a.customTicks = signals.enumerated().map { (Double($0.offset), ExperimentLabel.trim($0.element)) }
      return a
    }
    let width = max(560, 110 + 250 * Double(masses.count))
    let methods = file.settings.methods.map(\.text).joined(separator: " and ")
    var fig = Figure(title: "Coverage of the \(LimitSettings.percent(cl))% CL intervals (\(methods))", xs: xs, y: yAxis, width: width)
    let toys = file.points.flatMap { $0.rules.map(\.toys) }.max() ?? 0
    for (k, m) in masses.enumerated() {
      var p = fig[k]
      p.hline(cl, colour: "#555", width: 1.4, dash: "7 4", label: k == masses.count - 1 ? "nominal \(LimitSettings.percent(cl))%" : nil, labelBelow: true)
      p.hline(1, colour: "#bbb", width: 1, dash: "2 3")
      for (r, row) in rows.enumerated() {
        let colour = ruleColour[row.rule] ?? Style.cycle[r % Style.cycle.count], marker = methodMarker[row.method] ?? .square
        let offset = (Double(r) - Double(rows.count - 1) / 2) * min(0.12, 0.7 / Double(max(1, rows.count)))
        var px: [Double] = [], py: [Double] = [], lo: [Double] = [], hi: [Double] = []
        for pt in file.points where pt.label.text == m {
          guard let rc = pt.rules.first(where: { $0.rule == row.rule && $0.method == row.method }), rc.toys > 0,
                let si = signals.firstIndex(of: pt.signal) else { continue }
          px.append(Double(si) + offset); py.append(rc.coverage); lo.append(rc.lower); hi.append(rc.upper)
        }
        p.points(px, py, low: lo, high: hi, colour: colour, radius: 4.5, marker: marker)
        if k == 0 { p.legend.append(LegendEntry("\(row.rule.markup) (\(row.method.short))", .marker(colour, marker))) }
      }
      let first = file.points.first { $0.label.text == m }!
      p.notes.append(first.mass.map { "M_{Z′} = \(ExperimentLabel.trim($0)) GeV" } ?? first.patch.map { "\($0.name)" } ?? m)
      p.legendPlacement = .lowerLeft
      fig[k] = p
    }
    fig[0].notes.append("\(toys) toys / point, CP 68%" + (file.settings.beltToys.map { "; belts: \($0) toys / µ point" } ?? ""))
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }
}

/// One row of a coverage point: a rule by a method.
struct RowKey: Hashable {
  let rule: IntervalRule
  let method: LimitMethod
}
