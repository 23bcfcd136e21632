import Foundation
import _Support

/// The plot kinds and which result files they take.
public enum PlotKind: String, Sendable, CaseIterable {
  case brazil, methods, couplings, significance, lee, leeSurvival = "lee-survival", coverage, spectrum, map, grid, window
  case projection, projectionCouplings = "projection-couplings", pulls

  /// The kinds a file of this kind can make; the first is the default.
  public static func kinds(for file: PlotInput.Kind) -> [PlotKind] {
    switch file {
    case .brazil: return [.brazil, .methods]
    case .couplings: return [.couplings]
    case .scan: return [.significance]
    case .lee: return [.lee, .leeSurvival]
    case .coverage: return [.coverage]
    case .events: return [.spectrum, .map]
    case .grid: return [.grid]
    case .templates: return [.window]
    case .summary: return []
    case .projection: return [.projection, .projectionCouplings]
    case .pulls: return [.pulls]
    }
  }
}

/// Picks and draws the plot of a result file, and writes SVG (and PNG) files atomically.
public enum Plotter {
  /// The figure of `content` (the default kind for its file unless `kind` is given).
  public static func figure(_ content: PlotInput.Content, kind: PlotKind? = nil, options: PlotOptions) throws -> Figure {
    let allowed = PlotKind.kinds(for: content.kind)
    guard !allowed.isEmpty else {
      throw PlotError("a \(content.kind.rawValue) file has no plot of its own (`zptoys report` shows it as tables)")
    }
    let k = kind ?? allowed[0]
    guard allowed.contains(k) else {
      throw PlotError("--kind \(k.rawValue) does not apply to a \(content.kind.rawValue) file; choose \(allowed.map(\.rawValue).joined(separator: " or "))")
    }
    var o = options
    if o.label.configuration == nil { o.label.configuration = content.result?.configuration }
    if o.label.luminosity == nil { o.label.luminosity = content.result?.lumiFb }
    switch (content, k) {
    case (.brazil(let b), .methods): return try MethodsPlot.figure(b, options: o)
    case (.brazil(let b), _): return try BrazilPlot.figure(b, options: o)
    case (.couplings(let c), _): return try CouplingsPlot.figure(c, options: o)
    case (.scan(let s), _): return try SignificancePlot.figure(s, options: o)
    case (.lee(let l), .leeSurvival): return try LookElsewherePlot.survivalFigure(l, options: o)
    case (.lee(let l), _): return try LookElsewherePlot.figure(l, options: o)
    case (.coverage(let c), _): return try CoveragePlot.figure(c, options: o)
    case (.events(let e), .map): return try RecoilMapPlot.figure(e, options: o)
    case (.events(let e), _): return try SpectrumPlot.figure(e, options: o)
    case (.grid(let g), _): return try GridPlot.figure(g, options: o)
    case (.templates(let t), _): return try WindowPlot.figure(t, options: o)
    case (.summary, _): throw PlotError("a summary file has no plot")
    case (.projection(let f), .projectionCouplings): return try ProjectionPlot.couplings(f, options: o)
    case (.projection(let f), _): return try ProjectionPlot.reach(f, options: o)
    case (.pulls(let f), _): return try PullsPlot.figure(f, options: o)
    }
  }

  /// The path of `rsvg-convert` when it is installed (Debian: librsvg2-bin), else nil.
  public static var rsvgConvert: String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      let p = "\(dir)/rsvg-convert"
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
  }

  /// PNG bytes of an SVG document by `rsvg-convert` (`zoom` 2 gives 1440 × 1080 for a standard
  /// figure).
  public static func png(svg: String, zoom: Double = 2) throws -> Data {
    guard let tool = rsvgConvert else { throw PlotError("PNG output needs rsvg-convert (Debian: apt-get install librsvg2-bin)") }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = ["--format", "png", "--zoom", "\(zoom)", "--background-color", "white"]
    let input = Pipe(), output = Pipe(), errors = Pipe()
    p.standardInput = input
    p.standardOutput = output
    p.standardError = errors
    try p.run()
    // Feed stdin from another thread while this one drains stdout (no pipe deadlock).
    let bytes = Data(svg.utf8)
    let writer = Thread {
      input.fileHandleForWriting.write(bytes)
      try? input.fileHandleForWriting.close()
    }
    writer.start()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0, !out.isEmpty else {
      throw PlotError("rsvg-convert failed (status \(p.terminationStatus)): \(String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    return out
  }

  /// Writes `figure` to `path` (.svg, or .png through rsvg-convert), atomically: on any error no
  /// file is left behind and an existing one is untouched.
  public static func write(_ figure: Figure, to path: String, id: String = "fig") throws {
    let svg = figure.svg(id: id)
    do {
      if path.lowercased().hasSuffix(".png") {
        try AtomicFile.write(try png(svg: svg), to: path)
      } else {
        try AtomicFile.write(svg, to: path)
      }
    } catch let e as AtomicFile.WriteError {
      throw PlotError(e.description)
    }
  }
}
