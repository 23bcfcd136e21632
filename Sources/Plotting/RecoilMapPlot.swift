import Foundation

/// The θ_cm,recoil–M²_recoil map: a 2D histogram with a logarithmic colour scale (viridis), which
/// shows the µµ(γ) bands (one photon along the beam, one into a barrel–endcap gap) when made from
/// µµ(γ) events (`--process mumu`).
public enum RecoilMapPlot {
  /// Cells of `options.binWidth` (0.5 GeV², the spectrum's binning; wider when that would need
  /// more than 400 columns) by 2° in θ.
  public static func figure(_ events: EventTable, options: PlotOptions, thetaBins: Int = 90) throws -> Figure {
    guard let theta = events.thetaCM else {
      throw PlotError("the map needs a theta_cm_recoil_deg column (an event CSV as written by `zptoys generate`)")
    }
    var idx = Array(events.m2.indices)
    if let p = options.process {
      guard let pr = events.process else { throw PlotError("--process \(p): the event file has no process column") }
      idx = idx.filter { pr[$0] == p }
      guard !idx.isEmpty else {
        throw PlotError("--process \(p): no such events (the file has \(events.processes.joined(separator: ", ")))")
      }
    }
    let m2 = idx.map { events.m2[$0] }
    let lo = min(0, m2.min()!.rounded(.down)), hi = max(lo + 5, (m2.max()! / 5).rounded(.up) * 5)
    var dx = options.binWidth > 0 ? options.binWidth : 0.5
    while (hi - lo) / dx > 400 { dx *= 2 }
    let m2Bins = Int(((hi - lo) / dx).rounded(.up)), dy = 180.0 / Double(thetaBins)
    var h = [Double](repeating: 0, count: m2Bins * thetaBins)
    for (k, i) in idx.enumerated() {
      let a = Int((m2[k] - lo) / dx), b = Int(theta[i] / dy)
      guard a >= 0, a < m2Bins, b >= 0, b < thetaBins else { continue }
      h[b * m2Bins + a] += events.weight?[i] ?? 1
    }
    let maxCount = h.max() ?? 1
    let minCount = h.filter { $0 > 0 }.min() ?? 1
    let cLo = pow(10, floor(log10(minCount) + 1e-9)), cHi = pow(10, ceil(log10(max(maxCount, cLo * 10)) - 1e-9))
    var fig = Figure(title: "θ_cm,recoil versus M²_recoil", x: Axis(label: "M^{2}_{recoil} [GeV^{2}]", lower: lo, upper: hi),
                     y: Axis(label: "θ^{cm}_{recoil} [deg]", lower: 0, upper: 180), colorbar: true)
    fig.colorbar = Colorbar(axis: Axis(label: "Events / (\(ExperimentLabel.trim(dx)) GeV^{2} × \(ExperimentLabel.trim(dy))°)", scale: .log, lower: cLo, upper: cHi))
    var p = fig[0]
    p.y.customTicks = stride(from: 0.0, through: 180, by: 30).map { ($0, String(format: "%.0f", $0)) }
    // Cells of one row with the same (quantised) colour are merged into one rectangle.
    let levels = 96.0
    for b in 0..<thetaBins {
      var a = 0
      while a < m2Bins {
        let c = h[b * m2Bins + a]
        guard c > 0 else { a += 1; continue }
        let level = (min(1, max(0, log10(c / cLo) / log10(cHi / cLo))) * levels).rounded(.down)
        var e = a + 1
        while e < m2Bins, h[b * m2Bins + e] > 0,
              (min(1, max(0, log10(h[b * m2Bins + e] / cLo) / log10(cHi / cLo))) * levels).rounded(.down) == level { e += 1 }
        p.cell(x0: lo + Double(a) * dx, x1: lo + Double(e) * dx, y0: Double(b) * dy, y1: Double(b + 1) * dy,
               fill: Style.viridis(min(level, levels - 1) / (levels - 1)))
        a = e
      }
    }
    let what = options.process.map { options.label(process: $0) } ?? (events.processes.count == 1 ? options.label(process: events.processes[0]) : "all events")
    p.notes.append("\(what), \(idx.count) events")
    fig[0] = p
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }
}
