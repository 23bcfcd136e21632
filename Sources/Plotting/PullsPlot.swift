import Foundation
import Results

/// The pull distributions of a bias and pull study (`zptoys pulls`), one panel per point (up to
/// six, in the file's order): the histogram of (σ̂ − σ)/Δσ̂ over the toys, the unit Gaussian a
/// calibrated fit gives (dashed) and the Gaussian of the toys' mean and width (solid), both
/// scaled to the toys per bin; the mean, width and verdict in each panel.
public enum PullsPlot {
  public static func figure(_ file: PullsFile, options: PlotOptions) throws -> Figure {
    let points = Array(file.points.prefix(6))
    guard !points.isEmpty else { throw PlotError("the pulls file has no points") }
    let edges = points[0].pullEdges
    guard edges.count >= 2 else { throw PlotError("the pulls file has no pull histogram") }
    let width = edges[1] - edges[0]
    let top = points.map { p in max(Double(p.pullCounts.max() ?? 0), Double(p.pull.pull.count) * width / (2 * Double.pi).squareRoot()) }.max() ?? 1
    let yAxis = Axis(label: "Toys / \(ExperimentLabel.trim(width))", lower: 0, upper: max(1, top) * 1.7)
    let xs = points.map { _ in Axis(label: "(σ̂ − σ)/Δσ̂", lower: edges.first!, upper: edges.last!) }
    var fig = Figure(title: "Pulls of the best-fit signal", xs: xs, y: yAxis, width: max(560, 110 + 330 * Double(points.count)))
    let grid = stride(from: edges.first!, through: edges.last!, by: 0.05).map { $0 }
    for (k, pt) in points.enumerated() {
      var p = fig[k]
      let m = pt.pull.pull
      let n = Double(m.count) * width
      p.steps(edges: pt.pullEdges, values: pt.pullCounts.map(Double.init), fill: "#a6c8ff", edge: "#1f4e9c", width: 1.4)
      p.line(grid, grid.map { n * exp(-0.5 * $0 * $0) / (2 * Double.pi).squareRoot() }, colour: "#555", width: 1.4, dash: "6 4")
      if m.width > 0 {
        p.line(grid, grid.map { n * exp(-0.5 * pow(($0 - m.mean) / m.width, 2)) / ((2 * Double.pi).squareRoot() * m.width) }, colour: "#c00", width: 1.8)
      }
      let what = pt.mass.map { "M_{Z′} = \(ExperimentLabel.trim($0)) GeV" } ?? pt.patch?.name ?? "\(pt.index)"
      p.notes.append("\(what), σ = \(ExperimentLabel.trim(pt.signal))")
      p.notes.append(String(format: "mean %.2f ± %.2f", m.mean, m.meanUncertainty))
      p.notes.append(String(format: "width %.2f ± %.2f", m.width, m.widthUncertainty))
      p.notes.append(pt.pull.verdict)
      if pt.toysAtLowerBound > 0 { p.notes.append("\(pt.toysAtLowerBound) toys at the bound") }
      if k == 0 {
        p.legend.append(LegendEntry("toys", .fill("#a6c8ff", edge: "#1f4e9c")))
        p.legend.append(LegendEntry("N(0, 1)", .line("#555", width: 1.4, dash: "6 4")))
        p.legend.append(LegendEntry("N(mean, width)", .line("#c00", width: 1.8, dash: nil)))
      }
      p.legendPlacement = .upperRight
      fig[k] = p
    }
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }
}

extension Report {
  var pulls: PullsFile? { if case .pulls(let p)? = contents["pulls.json"] { p } else { nil } }

  /// The bias and pull study (`pulls.json`, when the folder has one).
  func pullsSection() -> String {
    guard let f = pulls else { return "" }
    let s = f.settings
    var h = "<h2>Bias and pulls</h2>\n<p>\(s.toys) pseudo-experiments per point with the signal injected; pull = (σ̂ − σ)/Δσ̂. Verdict at \(LimitSettings.percent(s.verdictCL))% with tolerance \(Self.fmt(s.tolerance, "%g")): biased when the pull mean is outside ±t, too wide / too narrow when the width is outside 1 ± t, bounded when over 1% of the toys end at the signal's lower bound.</p>\n"
    h += "<table>\n<tr><th class=\"l\">hypothesis</th><th>σ injected</th><th>mean σ̂</th><th>pull mean</th><th>pull width</th><th>toys</th><th>failed / at bound</th><th class=\"l\">verdict</th></tr>\n"
    for p in f.points {
      let m = p.pull.pull
      h += "<tr><td class=\"l\">\(Self.esc(p.label.text))</td><td>\(Self.fmt(p.signal, "%g"))</td><td>\(Self.fmt(p.sigmaHat.mean)) ± \(Self.fmt(p.sigmaHat.meanUncertainty, "%.2g"))</td>"
      h += "<td>\(Self.fmt(m.mean, "%.3f")) ± \(Self.fmt(m.meanUncertainty, "%.3f"))</td><td>\(Self.fmt(m.width, "%.3f")) ± \(Self.fmt(m.widthUncertainty, "%.3f"))</td>"
      h += "<td>\(m.count)</td><td>\(p.failedToys) / \(p.toysAtLowerBound)</td><td class=\"l \(p.pull.verdict == "unbiased" ? "covers" : "under-covers")\">\(Self.esc(p.pull.verdict))</td></tr>\n"
    }
    return h + "</table>\n"
  }
}
