import Foundation
import Results

extension Report {
  var projection: ProjectionFile? { if case .projection(let p)? = contents["projection.json"] { p } else { nil } }

  /// The luminosity projection (`projection.json`, when the folder has one): per luminosity and
  /// model whether the median expected g′ limit closes the (g−2)µ window, and the answers.
  func projectionSection() -> String {
    guard let p = projection else { return "" }
    let s = p.settings
    var h = "<h2>Luminosity projection</h2>\n"
    h += "<p>Median expected \(Self.esc(s.limit.clText)) \(Self.esc(s.limit.rule.text)) limits (\(s.toys > 0 ? "\(s.toys) background-only toys" : "asymptotic")) at \(s.lumis.count) integrated luminosities, \(p.masses.count) hypotheses"
    h += s.scaleSystematics ? "; relative systematics shrunk as 1/√L." : "; relative systematics as configured."
    h += "</p>\n<ul>\n" + p.answers.map { "<li>\(Self.esc($0.text)).</li>" }.joined(separator: "\n") + "\n</ul>\n"
    h += "<table>\n<tr><th>∫L dt [fb<sup>−1</sup>]</th><th class=\"l\">model</th><th>hypotheses excluding (g−2)<sub>µ</sub></th><th class=\"l\">excluded M<sub>Z′</sub> ranges</th><th class=\"l\">window</th></tr>\n"
    for w in p.windows {
      let ranges = w.excludedRanges.count <= 3
        ? w.excludedRanges.map { String(format: "%.3g–%.3g GeV", $0.lower, $0.upper) }.joined(separator: ", ")
        : String(format: "%.3g–%.3g GeV in %d pieces", w.excludedRanges.map(\.lower).min()!, w.excludedRanges.map(\.upper).max()!, w.excludedRanges.count)
      h += "<tr><td>\(Self.fmt(w.lumiFb, "%g"))</td><td class=\"l\">\(Self.esc(w.model))</td><td>\(w.excludedHypotheses) of \(w.hypotheses)</td>"
      h += "<td class=\"l\">\(Self.esc(ranges.isEmpty ? "nowhere" : ranges))</td><td class=\"l \(w.closed ? "covers" : "over-covers")\">\(w.closed ? "closed" : "open")</td></tr>\n"
    }
    return h + "</table>\n"
  }
}
