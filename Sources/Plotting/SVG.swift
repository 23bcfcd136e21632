import Foundation

/// A small SVG writer: elements as text, attribute values and text escaped, numbers printed with
/// two decimals at most (a 720 × 540 figure needs no more). Nothing here knows about axes.
public struct SVGWriter {
  public private(set) var body: String = ""

  public init() {}

  /// `&`, `<`, `>`, `"` and `'` as entities: safe in text and in double-quoted attribute values.
  public static func escape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.count)
    for ch in s {
      switch ch {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(ch)
      }
    }
    return out
  }

  /// A coordinate or length: at most two decimals, no trailing zeros, never "-0" or "nan".
  public static func num(_ v: Double) -> String {
    guard v.isFinite else { return "0" }
    let r = (v * 100).rounded() / 100
    if r == r.rounded(), abs(r) < 1e15 { return String(Int(r)) }
    var s = String(format: "%.2f", r)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s == "-0" ? "0" : s
  }

  static func attributes(_ attrs: [(String, String)]) -> String {
    attrs.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
  }

  public mutating func raw(_ s: String) { body += s }

  public mutating func element(_ name: String, _ attrs: [(String, String)]) {
    body += "<\(name)\(Self.attributes(attrs))/>\n"
  }

  public mutating func open(_ name: String, _ attrs: [(String, String)] = []) {
    body += "<\(name)\(Self.attributes(attrs))>"
  }

  public mutating func close(_ name: String) { body += "</\(name)>\n" }

  public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#000", width: Double = 1,
                            dash: String? = nil) {
    var a: [(String, String)] = [("x1", Self.num(x1)), ("y1", Self.num(y1)), ("x2", Self.num(x2)), ("y2", Self.num(y2)),
                                 ("stroke", stroke), ("stroke-width", Self.num(width))]
    if let d = dash { a.append(("stroke-dasharray", d)) }
    element("line", a)
  }

  public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil,
                            strokeWidth: Double = 1, extra: [(String, String)] = []) {
    var a: [(String, String)] = [("x", Self.num(x)), ("y", Self.num(y)), ("width", Self.num(max(0, w))), ("height", Self.num(max(0, h))),
                                 ("fill", fill)]
    if let s = stroke { a += [("stroke", s), ("stroke-width", Self.num(strokeWidth))] }
    element("rect", a + extra)
  }

  public mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String, stroke: String? = nil) {
    var a: [(String, String)] = [("cx", Self.num(x)), ("cy", Self.num(y)), ("r", Self.num(r)), ("fill", fill)]
    if let s = stroke { a += [("stroke", s), ("stroke-width", "1")] }
    element("circle", a)
  }

  public mutating func path(_ d: String, fill: String = "none", stroke: String? = nil, width: Double = 1, dash: String? = nil,
                            extra: [(String, String)] = []) {
    guard !d.isEmpty else { return }
    var a: [(String, String)] = [("d", d), ("fill", fill)]
    if let s = stroke {
      a += [("stroke", s), ("stroke-width", Self.num(width)), ("stroke-linejoin", "round")]
      if let dd = dash { a.append(("stroke-dasharray", dd)) }
    }
    element("path", a + extra)
  }

  /// Text with a little markup for physics labels: `^{…}` superscript, `_{…}` subscript,
  /// `*{…}` bold, `/{…}` italic (see ``RichText``).
  public mutating func text(_ s: String, x: Double, y: Double, size: Double, anchor: String = "start", rotate: Double? = nil,
                            weight: String? = nil, style: String? = nil, fill: String = "#000", baseline: String? = nil) {
    var a: [(String, String)] = [("x", Self.num(x)), ("y", Self.num(y)), ("font-size", Self.num(size))]
    if anchor != "start" { a.append(("text-anchor", anchor)) }
    if let r = rotate { a.append(("transform", "rotate(\(Self.num(r)) \(Self.num(x)) \(Self.num(y)))")) }
    if let w = weight { a.append(("font-weight", w)) }
    if let st = style { a.append(("font-style", st)) }
    if fill != "#000" { a.append(("fill", fill)) }
    if let b = baseline { a.append(("dominant-baseline", b)) }
    open("text", a)
    body += RichText.tspans(s, size: size)
    close("text")
  }
}

/// The label markup of ``SVGWriter/text(_:x:y:size:anchor:rotate:weight:style:fill:baseline:)``:
/// `10^{−3}`, `M_{Z′}`, `*{ZPrimeToys}` (bold), `/{Simulation}` (italic). Superscripts and
/// subscripts are tspans at 70% size shifted by absolute `dy` (not `baseline-shift`, which
/// librsvg ignores), each followed by a tspan that shifts back.
public enum RichText {
  enum Kind { case normal, sup, sub, bold, italic }

  static func segments(_ s: String) -> [(Kind, String)] {
    var out: [(Kind, String)] = []
    var cur = ""
    var i = s.startIndex
    while i < s.endIndex {
      let c = s[i]
      let next = s.index(after: i)
      if "^_*/".contains(c), next < s.endIndex, s[next] == "{", let close = s[next...].firstIndex(of: "}") {
        if !cur.isEmpty { out.append((.normal, cur)); cur = "" }
        let inner = String(s[s.index(after: next)..<close])
        out.append((c == "^" ? .sup : c == "_" ? .sub : c == "*" ? .bold : .italic, inner))
        i = s.index(after: close)
        continue
      }
      cur.append(c)
      i = next
    }
    if !cur.isEmpty { out.append((.normal, cur)) }
    return out
  }

  /// The text without markup (for width estimates and HTML).
  public static func plain(_ s: String) -> String { segments(s).map(\.1).joined() }

  static func tspans(_ s: String, size: Double) -> String {
    let segs = segments(s)
    if segs.count == 1, segs[0].0 == .normal { return SVGWriter.escape(segs[0].1) }
    var out = ""
    var shift = 0.0  // current baseline offset (SVG y grows downwards)
    // Spaces at the ends of a segment become a `dx` gap: renderers collapse white space at tspan
    // boundaries ("M_{Z′} [GeV]" would lose its space).
    var pendingSpaces = 0
    for (kind, t0) in segs {
      var t = Substring(t0)
      while t.hasPrefix(" ") { pendingSpaces += 1; t = t.dropFirst() }
      var trailing = 0
      while t.hasSuffix(" ") { trailing += 1; t = t.dropLast() }
      guard !t.isEmpty else { continue }
      let dx = Double(pendingSpaces) * 0.32 * size
      pendingSpaces = trailing
      let target: Double
      var attrs = ""
      switch kind {
      case .sup: target = -0.38 * size; attrs = " font-size=\"\(SVGWriter.num(0.7 * size))\""
      case .sub: target = 0.22 * size; attrs = " font-size=\"\(SVGWriter.num(0.7 * size))\""
      case .bold: target = 0; attrs = " font-weight=\"bold\""
      case .italic: target = 0; attrs = " font-style=\"italic\""
      case .normal: target = 0
      }
      let dy = target - shift
      shift = target
      let dyAttr = (abs(dy) > 1e-9 ? " dy=\"\(SVGWriter.num(dy))\"" : "") + (dx > 0 ? " dx=\"\(SVGWriter.num(dx))\"" : "")
      out += "<tspan\(dyAttr)\(attrs)>\(SVGWriter.escape(String(t)))</tspan>"
    }
    return out
  }

  /// Approximate rendered width in pixels (DejaVu Sans/Helvetica average advance ≈ 0.58 em;
  /// narrow glyphs count less), good enough to place legends and labels.
  public static func width(_ s: String, size: Double) -> Double {
    var w = 0.0
    for (kind, t) in segments(s) {
      let scale = (kind == .sup || kind == .sub) ? 0.78 : (kind == .bold ? 1.07 : 1)
      for ch in t {
        let f: Double
        switch ch {
        case "i", "l", "j", "'", ".", ",", ":", ";", "|", "!", "′", "I": f = 0.3
        case "(", ")", "[", "]", " ", "\u{00A0}", "f", "t", "r": f = 0.38
        case "m", "w", "M", "W", "∫", "⟨", "⟩": f = 0.95
        case "A"..."Z": f = 0.72
        case "0"..."9", "−", "+", "=", "±", "×", "≈", "→", "≥": f = 0.64
        default: f = 0.62
        }
        w += f * size * scale
      }
    }
    return w
  }
}
