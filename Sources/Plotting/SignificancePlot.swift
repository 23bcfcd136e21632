import Foundation
import Results

/// Local significance against M_Z′ from a mass scan (Z = √q0 per hypothesis, arXiv:1007.1727
/// Eq. 12), with dotted reference lines at local 1, 2, 3σ and — when a look-elsewhere file is
/// given — dashed red lines at the local Z that corresponds to a global 1σ and 2σ by the
/// Gross–Vitells estimate of that file (``GaussianTail/localZ(forGlobalP:meanUpcrossings:u0:)``).
public enum SignificancePlot {
  public static func figure(_ scan: ScanFile, options: PlotOptions) throws -> Figure {
    guard !scan.masses.isEmpty else { throw PlotError("the scan file has no mass points") }
    let axis = try HypothesisAxis.make(scan.masses.map(\.label), likelihood: scan.header.identity.inputs.likelihood, patchValue: options.patchValue)
    let pts = scan.masses.sorted { axis.x($0.label) < axis.x($1.label) }
    let xs = pts.map { axis.x($0.label) }
    let zs = pts.map(\.localZ)
    var globalLines: [(Double, String)] = []
    if let lee = options.lee, let (n, u0) = LookElsewherePlot.upcrossings(lee) {
      for (k, name) in [(1.0, "global 1σ"), (2.0, "global 2σ")] {
        if let z = GaussianTail.localZ(forGlobalP: GaussianTail.p(k), meanUpcrossings: n, u0: u0) { globalLines.append((z, name)) }
      }
    }
    let top = max(3.5, (zs.max() ?? 0), globalLines.map(\.0).max() ?? 0)
    let (ylo, yhi) = Axis.linearRangeWithHeadroom([top], lower: 0, dataFraction: 0.8)
    let xRange = axis.range(xs)
    let title = axis.isMass ? "Local significance of the mass scan" : "Local significance of the patches"
    var fig = Figure(title: title, x: Axis(label: axis.title, lower: xRange.0, upper: xRange.1),
                     y: Axis(label: "Local significance Z_{local} [σ]", lower: ylo, upper: yhi))
    var p = fig[0]
    for k in 1...3 { p.hline(Double(k), colour: "#888", width: 1, dash: "2 3", label: "\(k)σ local", labelSide: "end") }
    for (z, name) in globalLines { p.hline(z, colour: "#c00", width: 1.4, dash: "8 4", label: name, labelSide: "start") }
    p.line(xs, zs, colour: "#000", width: 1.4)
    if let best = scan.largest ?? pts.max(by: { $0.localZ < $1.localZ }), best.localZ > 0 {
      let bx = axis.x(best.label)
      p.points([bx], [best.localZ], colour: "#c00", radius: 4.5)
      let right = bx > 0.6 * xRange.1
      let at = best.mass.map { String(format: "%.3f GeV", $0) } ?? best.patch?.name ?? ""
      p.text(String(format: "Z_{local} = %.2f at %@", best.localZ, at),
             x: bx + (right ? -1 : 1) * 0.015 * (xRange.1 - xRange.0), y: best.localZ + 0.015 * (yhi - ylo),
             size: 14, anchor: right ? "end" : "start", colour: "#c00")
    }
    let data = scan.header.identity.inputs.data
    p.notes.append(data == "toy" ? "Background-only pseudo-data (seed \(scan.header.identity.seed))"
      : data == "published" ? "Data: the published likelihood's observations"
      : data.hasPrefix("events:") ? "Data: event file (SHA-256 \(data.dropFirst(7).prefix(12))…)" : "Data: \(data)")
    if let lee = options.lee, let (n, u0) = LookElsewherePlot.upcrossings(lee) {
      p.notes.append(String(format: "Gross–Vitells: ⟨N(u_{0} = %g)⟩ = %.2f, %d toy scans", u0, n, lee.toys.count))
    }
    fig[0] = p
    fig.label = options.label
    fig.footnote = options.footnote
    return fig
  }
}
