import Foundation

/// Colours, sizes and the experiment label: the look of mplhep's HEP styles (ticks inside on all
/// four sides, axis labels at the ends of the axes, the label above the frame's top-left corner,
/// the luminosity above its top-right corner, legends without a frame).
public enum Style {
  public static let font = "DejaVu Sans, Helvetica, Arial, sans-serif"
  public static let tickFont = 16.0
  public static let labelFont = 19.0
  public static let legendFont = 15.0
  public static let majorTick = 9.0
  public static let minorTick = 4.5
  public static let frameWidth = 1.3

  /// The Brazil band's colours (the ones of the paper and of every LHC limit plot).
  public static let sigma1 = "#00cc00"
  public static let sigma2 = "#ffdd00"
  /// The (g−2)µ band.
  public static let gMinus2 = "#e41a1c"
  /// The processes of the embedded configuration in the paper's colours: µµ(γ), ττ(γ), eeµµ
  /// (mplhep-like, colour-blind safe); other processes take ``cycle`` by their position.
  public static let processColours: [String: String] = [
    "mumu": "#5790fc", "tautau": "#f89c20", "eemumu": "#e42536", "signal": "#964a8b",
  ]

  /// The colour of process `name`, the k-th of its stack.
  public static func processColour(_ name: String, position k: Int) -> String {
    processColours[name] ?? cycle[k % cycle.count]
  }
  /// A cycle for other series (Petroff's 10-colour palette, as mplhep's defaults).
  public static let cycle = ["#3f90da", "#ffa90e", "#bd1f01", "#94a4a2", "#832db6", "#a96b59", "#e76300", "#b9ac70", "#717581", "#92dadd"]

  /// viridis (matplotlib's default colour map) at 11 anchors; linear interpolation between.
  static let viridisAnchors: [(Double, Double, Double)] = [
    (68, 1, 84), (72, 36, 117), (65, 68, 135), (53, 95, 141), (42, 120, 142), (33, 145, 140),
    (34, 168, 132), (68, 191, 112), (122, 209, 81), (189, 223, 38), (253, 231, 37),
  ]

  /// The colour of t ∈ [0, 1] on viridis, as #rrggbb.
  public static func viridis(_ t: Double) -> String {
    let u = min(1, max(0, t.isFinite ? t : 0)) * Double(viridisAnchors.count - 1)
    let i = min(viridisAnchors.count - 2, Int(u))
    let f = u - Double(i)
    let a = viridisAnchors[i], b = viridisAnchors[i + 1]
    func c(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
    return String(format: "#%02x%02x%02x", c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
  }
}

/// What the experiment label says: "ZPrimeToys" in bold and the configuration's name in italic
/// (the "Belle II" label belongs to the experiment and is not ours to use), and on the right the
/// integrated luminosity when the result file's metadata give it.
public struct ExperimentLabel: Sendable, Equatable {
  public var tool: String = "ZPrimeToys"
  public var configuration: String?
  /// ∫L dt in fb⁻¹.
  public var luminosity: Double?
  /// √s in GeV.
  public var sqrtS: Double?

  public init(configuration: String? = nil, luminosity: Double? = nil, sqrtS: Double? = nil) {
    self.configuration = configuration
    self.luminosity = luminosity
    self.sqrtS = sqrtS
  }

  var left: String { "*{\(tool)}" + (configuration.map { "  /{\($0)}" } ?? "") }

  var right: String? {
    var parts: [String] = []
    if let l = luminosity { parts.append("∫L dt = \(Self.trim(l)) fb^{−1}") }
    if let s = sqrtS { parts.append("√s = \(Self.trim(s)) GeV") }
    return parts.isEmpty ? nil : parts.joined(separator: ", ")
  }

  public static func trim(_ v: Double) -> String {
    var s = String(format: "%.3f", v)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s
  }
}
