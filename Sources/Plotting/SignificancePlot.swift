import Foundation
import Results

/// Local significance against M_Z′ from a mass scan (Z = √q0 per hypothesis, arXiv:1007.1727
/// Eq. 12), with dotted reference lines at local 1, 2, 3σ and — when a look-elsewhere file is
/// given — dashed red lines at the local Z that corresponds to a global 1σ and 2σ by the
/// Gross–Vitells estimate of that file (``GaussianTail/localZ(forGlobalP:meanUpcrossings:u0:)``).
public enum SignificancePlot {
  public static func figure(_ scan: ScanFile, options: PlotOptions) throws -> Figure {
    let pts = scan.masses.sorted { $0.mass < $1.mass }
    guard !pts.isEmpty else { throw PlotError("the scan file has no mass points") }
    let xs = pts.map(\.mass)
    let zs = pts.map(\.localZ)
    var globalLines: [(Double, String)] = []
    if let lee = options.lee, let (n, u0) = LookElsewherePlot.upcrossings(lee) {
      for (k, name) in [(1.0, "global 1σ"), (2.0, "global 2σ")] {
        if let z = GaussianTail.localZ(forGlobalP: GaussianTail.p(k), meanUpcrossings: n, u0: u0) { globalLines.append((z, name)) }
      }
    }
    let top = max(3.5, (zs.max() ?? 0), globalLines.map(\.0).max() ?? 0)
    let (ylo, yhi) = Axis.linearRangeWithHeadroom([top], lower: 0, dataFraction: 0.8)
    let xmax = xs.max()!
    let xRange: (Double, Double) = xs.min()! < 0.15 * xmax ? (0, (xmax * 1.02 / 0.5).rounded(.up) * 0.5) : Axis.range(xs, scale: .linear, pad: 0.03)
    var fig = Figure(title: "Local significance of the mass scan", x: Axis(label: "M_{Z′} [GeV]", lower: xRange.0, upper: xRange.1),
                     y: Axis(label: "Local significance Z_{local} [σ]", lower: ylo, upper: yhi))
    var p = fig[0]
    for k in 1...3 { p.hline(Double(k), colour: "#888", width: 1, dash: "2 3", label: "\(k)σ local", labelSide: "end") }
    for (z, name) in globalLines { p.hline(z, colour: "#c00", width: 1.4, dash: "8 4", label: name, labelSide: "start") }
    p.line(xs, zs, colour: "#000", width: 1.4)
    if let best = scan.largest ?? pts.max(by: { $0.localZ < $1.localZ }), best.localZ > 0 {
      p.points([best.mass], [best.localZ], colour: "#c00", radius: 4.5)
      let right = best.mass > 0.6 * xRange.1
      p.text(String(format: "Z_{local} = %.2f at %.3f GeV", best.localZ, best.mass),
             x: best.mass + (right ? -1 : 1) * 0.015 * (xRange.1 - xRange.0), y: best.localZ + 0.015 * (yhi - ylo),
             size: 14, anchor: right ? "end" : "start", colour: "#c00")
    }
    let data = scan.header.identity.inputs.data
    p.notes.append(data == "toy" ? "Background-only pseudo-data (seed \(scan.header.identity.seed))"
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
