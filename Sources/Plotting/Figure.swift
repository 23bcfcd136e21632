import Foundation

/// A rectangle in SVG pixels (y downwards).
public struct Rect: Sendable, Equatable {
  public var x, y, width, height: Double
  public init(x: Double, y: Double, width: Double, height: Double) {
    self.x = x; self.y = y; self.width = width; self.height = height
  }
  public var right: Double { x + width }
  public var bottom: Double { y + height }
}

/// A legend entry: its label (``RichText`` markup) and the swatch that stands for the series.
public struct LegendEntry: Sendable {
  public enum Swatch: Sendable {
    case fill(String, edge: String?)
    case line(String, width: Double, dash: String?)
    case marker(String, Panel.Marker = .circle)
    case hatch(String)
  }
  public var label: String
  public var swatch: Swatch
  public init(_ label: String, _ swatch: Swatch) {
    self.label = label
    self.swatch = swatch
  }
}

public enum LegendPlacement: Sendable { case upperRight, upperLeft, lowerRight, lowerLeft }

/// One set of axes: the frame, the two axes, what is drawn inside (clipped to the frame) and on
/// top (annotations, not clipped), the legend and text notes. Drawing methods take data
/// coordinates; values a log axis cannot show (≤ 0) break lines and are skipped.
public struct Panel {
  public var x: Axis
  public var y: Axis
  public let frame: Rect
  var content = SVGWriter()
  var overlay = SVGWriter()
  public var legend: [LegendEntry] = []
  public var legendPlacement: LegendPlacement = .upperRight
  /// Lines of text in the top-left corner inside the frame.
  public var notes: [String] = []
  public var showYLabel = true
  public var showYTickLabels = true

  public init(x: Axis, y: Axis, frame: Rect) {
    self.x = x
    self.y = y
    self.frame = frame
  }

  /// Pixel position of a data x (nil when the axis cannot show it); far-away values are clamped
  /// so that clipped geometry keeps small coordinates.
  public func px(_ v: Double) -> Double? {
    guard let f = x.fraction(v) else { return nil }
    return frame.x + min(3, max(-2, f)) * frame.width
  }

  public func py(_ v: Double) -> Double? {
    guard let f = y.fraction(v) else { return nil }
    return frame.bottom - min(3, max(-2, f)) * frame.height
  }

  /// The y pixel of a value, with values the axis cannot show (0 on a log axis) at the bottom edge.
  func pyOrBottom(_ v: Double) -> Double { py(v) ?? frame.bottom + 2 }

  // MARK: Series

  static func pathData(_ pts: [(Double, Double)?]) -> String {
    var d = ""
    var pen = false
    for p in pts {
      guard let (a, b) = p else { pen = false; continue }
      d += (pen ? "L" : "M") + SVGWriter.num(a) + " " + SVGWriter.num(b)
      pen = true
    }
    return d
  }

  /// A line through (xs[i], ys[i]); nil or unshowable values break it.
  public mutating func line(_ xs: [Double], _ ys: [Double?], colour: String = "#000", width: Double = 2, dash: String? = nil) {
    let pts: [(Double, Double)?] = zip(xs, ys).map { a, b in
      guard let b, let u = px(a), let v = py(b) else { return nil }
      return (u, v)
    }
    content.path(Self.pathData(pts), stroke: colour, width: width, dash: dash)
  }

  /// The area between `lower` and `upper` (a band); a missing value splits the band.
  public mutating func band(_ xs: [Double], lower: [Double?], upper: [Double?], fill: String, opacity: Double = 1) {
    var start = 0
    func flush(_ a: Int, _ b: Int) {
      guard b - a >= 1 else { return }
      var top: [(Double, Double)] = []
      var bottom: [(Double, Double)] = []
      for i in a..<b {
        guard let u = px(xs[i]), let hi = upper[i], let lo = lower[i] else { continue }
        top.append((u, py(hi) ?? frame.bottom + 2))
        bottom.append((u, pyOrBottom(lo)))
      }
      guard top.count >= 2 || (top.count == 1 && b - a == 1) else { return }
      let pts = top + bottom.reversed()
      var d = ""
      for (k, p) in pts.enumerated() { d += (k == 0 ? "M" : "L") + SVGWriter.num(p.0) + " " + SVGWriter.num(p.1) }
      content.path(d + "Z", fill: fill, extra: opacity < 1 ? [("fill-opacity", SVGWriter.num(opacity))] : [])
    }
    for i in xs.indices where lower[i] == nil || upper[i] == nil || px(xs[i]) == nil {
      flush(start, i)
      start = i + 1
    }
    flush(start, xs.count)
  }

  /// A histogram as steps over `edges` (n + 1 edges, n values): filled to the bottom and/or
  /// outlined.
  public mutating func steps(edges: [Double], values: [Double], fill: String?, edge: String?, width: Double = 1.5,
                             dash: String? = nil) {
    guard edges.count == values.count + 1, !values.isEmpty else { return }
    let base = frame.bottom + 2
    var d = ""
    if let x0 = px(edges[0]) { d = "M" + SVGWriter.num(x0) + " " + SVGWriter.num(base) }
    for i in values.indices {
      guard let a = px(edges[i]), let b = px(edges[i + 1]) else { continue }
      let v = values[i] > 0 || y.scale == .linear ? pyOrBottom(values[i]) : base
      d += (d.isEmpty ? "M" : "L") + SVGWriter.num(a) + " " + SVGWriter.num(v) + "H" + SVGWriter.num(b)
    }
    if let xn = px(edges[values.count]) { d += "L" + SVGWriter.num(xn) + " " + SVGWriter.num(base) }
    if let f = fill { content.path(d + "Z", fill: f) }
    if let e = edge { content.path(d, stroke: e, width: width, dash: dash) }
  }

  /// Points with vertical (and optional horizontal) error bars: black dots as for data.
  public mutating func points(_ xs: [Double], _ ys: [Double], low: [Double]? = nil, high: [Double]? = nil,
                              xHalfWidth: [Double]? = nil, colour: String = "#000", radius: Double = 3.5,
                              marker: Marker = .circle) {
    for i in xs.indices {
      guard let u = px(xs[i]), let v = py(ys[i]) else { continue }
      if let lo = low?[i], let hi = high?[i] {
        content.line(u, pyOrBottom(lo), u, py(hi) ?? v, stroke: colour, width: 1.5)
      }
      if let w = xHalfWidth?[i], let a = px(xs[i] - w), let b = px(xs[i] + w) {
        content.line(a, v, b, v, stroke: colour, width: 1.5)
      }
      Self.drawMarker(&content, marker, at: u, v, radius: radius, colour: colour)
    }
  }

  public enum Marker: Sendable { case circle, square, triangle, diamond }

  static func drawMarker(_ w: inout SVGWriter, _ m: Marker, at u: Double, _ v: Double, radius r: Double, colour: String) {
    switch m {
    case .circle: w.circle(u, v, r: r, fill: colour)
    case .square: w.rect(u - r * 0.9, v - r * 0.9, 1.8 * r, 1.8 * r, fill: colour)
    case .triangle:
      w.path("M\(SVGWriter.num(u)) \(SVGWriter.num(v - 1.2 * r))L\(SVGWriter.num(u + 1.1 * r)) \(SVGWriter.num(v + 0.8 * r))L\(SVGWriter.num(u - 1.1 * r)) \(SVGWriter.num(v + 0.8 * r))Z", fill: colour)
    case .diamond:
      w.path("M\(SVGWriter.num(u)) \(SVGWriter.num(v - 1.3 * r))L\(SVGWriter.num(u + 1.1 * r)) \(SVGWriter.num(v))L\(SVGWriter.num(u)) \(SVGWriter.num(v + 1.3 * r))L\(SVGWriter.num(u - 1.1 * r)) \(SVGWriter.num(v))Z", fill: colour)
    }
  }

  /// A horizontal line across the frame at data y, with an optional label at its right end.
  public mutating func hline(_ v: Double, colour: String = "#555", width: Double = 1.2, dash: String? = "6 4",
                             label: String? = nil, labelSide: String = "end", labelBelow: Bool = false) {
    guard let p = py(v), p >= frame.y - 0.5, p <= frame.bottom + 0.5 else { return }
    content.line(frame.x, p, frame.right, p, stroke: colour, width: width, dash: dash)
    if let l = label {
      let atEnd = labelSide == "end"
      overlay.text(l, x: atEnd ? frame.right - 14 : frame.x + 14, y: labelBelow ? p + 16 : p - 5, size: 13, anchor: atEnd ? "end" : "start", fill: colour)
    }
  }

  /// A vertical line across the frame at data x, with an optional label along it.
  public mutating func vline(_ v: Double, colour: String = "#555", width: Double = 1.5, dash: String? = "6 4", label: String? = nil) {
    guard let p = px(v), p >= frame.x - 0.5, p <= frame.right + 0.5 else { return }
    content.line(p, frame.y, p, frame.bottom, stroke: colour, width: width, dash: dash)
    if let l = label {
      overlay.text(l, x: p - 6, y: frame.y + frame.height * 0.45, size: 13, anchor: "middle", rotate: -90, fill: colour)
    }
  }

  /// Filled rectangles in data coordinates (a 2D histogram's cells).
  public mutating func cell(x0: Double, x1: Double, y0: Double, y1: Double, fill: String, opacity: Double = 1) {
    guard let a = px(x0), let b = px(x1), let c = py(y0), let d = py(y1) else { return }
    // Half a pixel of overlap hides the hairline seams between neighbouring cells.
    let pad = opacity < 1 ? 0 : 0.5
    content.rect(min(a, b), min(c, d), abs(b - a) + pad, abs(d - c) + pad, fill: fill,
                 extra: opacity < 1 ? [("fill-opacity", SVGWriter.num(opacity))] : [])
  }

  /// Text at a data position (markup allowed).
  public mutating func text(_ s: String, x: Double, y: Double, size: Double = 14, anchor: String = "start", colour: String = "#000") {
    guard let u = px(x), let v = py(y) else { return }
    overlay.text(s, x: u, y: v, size: size, anchor: anchor, fill: colour)
  }

  /// An arrow from data (x, y0) to (x, y1) (e.g. an observed value on a histogram).
  public mutating func arrow(x: Double, from y0: Double, to y1: Double, colour: String = "#000") {
    guard let u = px(x), let a = py(y0), let b = py(y1) else { return }
    overlay.line(u, a, u, b, stroke: colour, width: 2.5)
    let dir = b > a ? 1.0 : -1.0
    overlay.path("M\(SVGWriter.num(u - 6)) \(SVGWriter.num(b - dir * 11))L\(SVGWriter.num(u)) \(SVGWriter.num(b))L\(SVGWriter.num(u + 6)) \(SVGWriter.num(b - dir * 11))Z", fill: colour)
  }

  // MARK: Rendering

  func render(into w: inout SVGWriter, clipID: String, showXLabel: Bool) {
    let f = frame
    w.open("g", [("clip-path", "url(#\(clipID))")])
    w.raw("\n" + content.body)
    w.close("g")
    // Ticks inside, mirrored on the opposite side.
    for t in x.ticks {
      guard let u = px(t.value), u >= f.x - 0.01, u <= f.right + 0.01 else { continue }
      let len = t.major ? Style.majorTick : Style.minorTick
      w.line(u, f.bottom, u, f.bottom - len, width: 1)
      w.line(u, f.y, u, f.y + len, width: 1)
      if let l = t.label { w.text(l, x: u, y: f.bottom + 22, size: Style.tickFont, anchor: "middle") }
    }
    for t in y.ticks {
      guard let v = py(t.value), v >= f.y - 0.01, v <= f.bottom + 0.01 else { continue }
      let len = t.major ? Style.majorTick : Style.minorTick
      w.line(f.x, v, f.x + len, v, width: 1)
      w.line(f.right, v, f.right - len, v, width: 1)
      if showYTickLabels, let l = t.label { w.text(l, x: f.x - 7, y: v + 5.5, size: Style.tickFont, anchor: "end") }
    }
    w.rect(f.x, f.y, f.width, f.height, fill: "none", stroke: "#000", strokeWidth: Style.frameWidth)
    // Axis labels at the ends of the axes (mplhep).
    if showXLabel { w.text(x.label, x: f.right, y: f.bottom + 50, size: Style.labelFont, anchor: "end") }
    if showYLabel {
      let widest = y.ticks.compactMap(\.label).map { RichText.width($0, size: Style.tickFont) }.max() ?? 20
      let lx = f.x - widest - 20
      w.text(y.label, x: lx, y: f.y, size: Style.labelFont, anchor: "end", rotate: -90)
    }
    w.raw(overlay.body)
    renderNotes(into: &w)
    renderLegend(into: &w)
  }

  func renderNotes(into w: inout SVGWriter) {
    guard !notes.isEmpty else { return }
    let width = notes.map { RichText.width($0, size: 15) }.max() ?? 0
    w.rect(frame.x + 8, frame.y + 8, width + 12, Double(notes.count) * 20 + 6, fill: "#fff", extra: [("fill-opacity", "0.85")])
    for (k, n) in notes.enumerated() {
      w.text(n, x: frame.x + 14, y: frame.y + 26 + Double(k) * 20, size: 15)
    }
  }

  func renderLegend(into w: inout SVGWriter) {
    guard !legend.isEmpty else { return }
    let size = Style.legendFont
    let rowH = size * 1.5, sw = 30.0, gap = 8.0
    let textW = legend.map { RichText.width($0.label, size: size) }.max() ?? 0
    let boxW = sw + gap + textW
    let boxH = rowH * Double(legend.count)
    let left: Double
    var top: Double
    let notesRight = frame.x + 14 + (notes.map { RichText.width($0, size: 15) }.max() ?? 0)
    let notesBottom = frame.y + 12 + Double(notes.count) * 20 + 4
    switch legendPlacement {
    case .upperRight:
      left = frame.right - 14 - boxW
      top = frame.y + 12
      // Below the notes when they would overlap.
      if !notes.isEmpty, left < notesRight + 16 { top = notesBottom }
    case .upperLeft: left = frame.x + 14; top = frame.y + 12 + Double(notes.count) * 20 + (notes.isEmpty ? 0 : 8)
    case .lowerRight: left = frame.right - 14 - boxW; top = frame.bottom - 14 - boxH
    case .lowerLeft: left = frame.x + 14; top = frame.bottom - 14 - boxH
    }
    // A white, slightly transparent ground (matplotlib's legend frame without its edge), so that
    // lines running under the legend do not cross its text.
    w.rect(left - 6, top - 2, boxW + 12, boxH + 4, fill: "#fff", extra: [("fill-opacity", "0.85")])
    for (k, e) in legend.enumerated() {
      let cy = top + rowH * (Double(k) + 0.5)
      switch e.swatch {
      case .fill(let c, let edge): w.rect(left, cy - 7, sw, 14, fill: c, stroke: edge, strokeWidth: 1)
      case .line(let c, let width, let dash): w.line(left, cy, left + sw, cy, stroke: c, width: width, dash: dash)
      case .marker(let c, let m):
        w.line(left + sw / 2, cy - 8, left + sw / 2, cy + 8, stroke: c, width: 1.5)
        Panel.drawMarker(&w, m, at: left + sw / 2, cy, radius: 4, colour: c)
      case .hatch(let c): w.rect(left, cy - 7, sw, 14, fill: c, stroke: c, strokeWidth: 1, extra: [("fill-opacity", "0.35")])
      }
      w.text(e.label, x: left + sw + gap, y: cy + size * 0.35, size: size)
    }
  }
}

/// A colour scale beside the plot (for 2D histograms): its axis and the colour of a fraction.
public struct Colorbar {
  public var axis: Axis
  public var colour: (Double) -> String = Style.viridis
  public init(axis: Axis) { self.axis = axis }
}

/// A whole figure: one or more panels side by side sharing the y axis' label, the experiment
/// label, an optional colour bar; rendered as one standalone SVG document.
public struct Figure {
  public var width: Double
  public var height: Double
  public var panels: [Panel]
  public var label: ExperimentLabel?
  public var colorbar: Colorbar?
  /// The document's <title> (accessibility, and the report's caption).
  public var title: String
  /// A line of small text under the frame's bottom-left corner (e.g. the input file).
  public var footnote: String?

  public static let margins = (left: 100.0, right: 28.0, top: 48.0, bottom: 70.0)

  /// One panel filling the figure (a colour bar takes room on the right when asked for).
  public init(title: String, x: Axis, y: Axis, width: Double = 720, height: Double = 540, colorbar: Bool = false) {
    self.width = width
    self.height = height
    self.title = title
    let m = Self.margins
    let right = colorbar ? 120.0 : m.right
    panels = [Panel(x: x, y: y, frame: Rect(x: m.left, y: m.top, width: width - m.left - right, height: height - m.top - m.bottom))]
  }

  /// Panels side by side with one y axis (labels on the first only).
  public init(title: String, xs: [Axis], y: Axis, width: Double = 900, height: Double = 540, gap: Double = 14) {
    self.width = width
    self.height = height
    self.title = title
    let m = Self.margins
    let n = Double(max(1, xs.count))
    let w = (width - m.left - m.right - gap * (n - 1)) / n
    panels = xs.enumerated().map { k, ax in
      var p = Panel(x: ax, y: y, frame: Rect(x: m.left + Double(k) * (w + gap), y: m.top, width: w, height: height - m.top - m.bottom))
      p.showYLabel = k == 0
      p.showYTickLabels = k == 0
      return p
    }
  }

  public subscript(_ i: Int) -> Panel {
    get { panels[i] }
    set { panels[i] = newValue }
  }

  /// The SVG document. `id` prefixes every element id, so that several figures can be inlined
  /// in one HTML page without clashes.
  public func svg(id: String = "fig", standalone: Bool = true) -> String {
    var w = SVGWriter()
    let safeID = id.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }.map(String.init).joined()
    if standalone { w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") }
    w.open("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("width", SVGWriter.num(width)), ("height", SVGWriter.num(height)),
                   ("viewBox", "0 0 \(SVGWriter.num(width)) \(SVGWriter.num(height))"), ("font-family", Style.font),
                   ("id", safeID), ("role", "img")])
    w.raw("\n")
    w.open("title")
    w.raw(SVGWriter.escape(RichText.plain(title)))
    w.close("title")
    w.open("defs")
    for (k, p) in panels.enumerated() {
      w.open("clipPath", [("id", "\(safeID)-clip\(k)")])
      w.rect(p.frame.x, p.frame.y, p.frame.width, p.frame.height, fill: "#fff")
      w.close("clipPath")
    }
    w.close("defs")
    w.rect(0, 0, width, height, fill: "#fff")
    for (k, p) in panels.enumerated() {
      p.render(into: &w, clipID: "\(safeID)-clip\(k)", showXLabel: true)
    }
    if let first = panels.first, let last = panels.last {
      if let l = label {
        w.text(l.left, x: first.frame.x, y: first.frame.y - 12, size: 21)
        if let r = l.right { w.text(r, x: last.frame.right, y: last.frame.y - 12, size: 16, anchor: "end") }
      }
      if let cb = colorbar { renderColorbar(cb, into: &w, frame: last.frame) }
      if let f = footnote { w.text(f, x: 8, y: height - 8, size: 11, fill: "#777") }
    }
    w.close("svg")
    return w.body
  }

  func renderColorbar(_ cb: Colorbar, into w: inout SVGWriter, frame: Rect) {
    let x0 = frame.right + 18, bw = 20.0
    let steps = 64
    for k in 0..<steps {
      let t0 = Double(k) / Double(steps)
      let y1 = frame.bottom - t0 * frame.height
      let h = frame.height / Double(steps)
      w.rect(x0, y1 - h - 0.3, bw, h + 0.6, fill: cb.colour((Double(k) + 0.5) / Double(steps)))
    }
    w.rect(x0, frame.y, bw, frame.height, fill: "none", stroke: "#000", strokeWidth: 1)
    for t in cb.axis.ticks {
      guard let f = cb.axis.fraction(t.value), f >= -1e-9, f <= 1 + 1e-9 else { continue }
      let v = frame.bottom - f * frame.height
      w.line(x0 + bw, v, x0 + bw - (t.major ? 6 : 3), v, width: 1)
      if let l = t.label { w.text(l, x: x0 + bw + 5, y: v + 5, size: 14) }
    }
    w.text(cb.axis.label, x: x0 + bw + 62, y: frame.y, size: 16, anchor: "end", rotate: -90)
  }
}
