import Foundation
import Results
import _Support

/// The HTML report of a results folder: one self-contained page (inline CSS, every plot inline as
/// SVG, no scripts, no external resources) with the run's configuration, seeds, toy counts and
/// timings, the summary tables (limits at selected masses, global significance, coverage
/// verdicts, g−2 exclusion) and links to the data files beside it. Every number, CL, rule and
/// method on the page comes from the result files (`ReportHTML.swift`).
public struct Report {
  /// One figure of the report: the file it is written to (beside report.html), and the figure.
  public struct Plot {
    public var file: String
    public var caption: String
    public var figure: Figure
  }

  /// Extra event files for the spectrum and the θ_cm–M² map (a results folder has none of its own).
  public struct EventInputs {
    /// Simulation for the spectrum's stack (nil: the stack is made from `data`).
    public var simulation: EventTable?
    public var simulationScale: Double = 1
    /// Data points of the spectrum.
    public var data: EventTable?
    public var dataLabel: String = "Data"
    /// Events for the map (e.g. µµ(γ) only, to show its bands).
    public var map: EventTable?
    /// How the events were made (shown under the plots).
    public var provenance: String?
    /// The label of the event plots (event files carry no configuration or luminosity).
    public var label = ExperimentLabel(configuration: "Simulation")
    /// The processes' legend labels (the configuration's).
    public var processLabels: [String: String] = [:]
    public init() {}
  }

  public let directory: String
  public var contents: [String: PlotInput.Content] = [:]
  public var plots: [Plot] = []
  /// Files of the folder that could not be read (name, reason): listed, not fatal.
  public var problems: [(String, String)] = []
  let events: EventInputs

  /// The result files a results folder holds, in the order of the data flow.
  public static let resultFiles = ["grid.json", "scan.json", "brazil.json", "brazil_wide.json", "lee.json", "coverage.json",
                                   "couplings_invisible.json", "couplings_vanilla.json", "summary.json", "projection.json", "pulls.json"]

  /// Reads the folder's result files and draws their plots.
  ///
  /// - Throws: ``PlotError`` when the folder has none of the result files.
  public init(directory: String, events: EventInputs = EventInputs()) throws {
    self.directory = directory
    self.events = events
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
      throw PlotError("\(directory) is not a folder")
    }
    for name in Self.resultFiles {
      let path = (directory as NSString).appendingPathComponent(name)
      guard FileManager.default.fileExists(atPath: path) else { continue }
      do {
        contents[name] = try PlotInput.load(path: path)
      } catch {
        problems.append((name, "\(error)"))
      }
    }
    guard !contents.isEmpty || events.data != nil || events.map != nil else {
      throw PlotError("\(directory) holds none of the result files (\(Self.resultFiles.joined(separator: ", "))); run `zptoys run --out-dir \(directory)` first")
    }
    drawResultPlots()
    drawEventPlots()
  }

  var brazil: BrazilFile? { if case .brazil(let b)? = contents["brazil.json"] { b } else { nil } }
  var lee: LookElsewhereFile? { if case .lee(let l)? = contents["lee.json"] { l } else { nil } }
  var summary: SummaryFile? { if case .summary(let s)? = contents["summary.json"] { s } else { nil } }

  /// "90% CL upper limits (CLs)" of a limit procedure.
  static func limitText(_ l: LimitSettings) -> String {
    "\(l.clText) \(l.rule.isInterval ? "intervals" : "upper limits") (\(l.rule.text), \(l.method.text))"
  }

  mutating func drawResultPlots() {
    func add(_ file: String, _ source: String, kind: PlotKind? = nil, caption: String, tweak: (inout PlotOptions) -> Void = { _ in }) {
      guard let c = contents[source] else { return }
      var o = PlotOptions()
      o.id = (file as NSString).deletingPathExtension
      tweak(&o)
      do {
        plots.append(Plot(file: file, caption: caption, figure: try Plotter.figure(c, kind: kind, options: o)))
      } catch {
        problems.append((source, "\(error)"))
      }
    }
    var wide: BrazilFile?
    if case .brazil(let w)? = contents["brazil_wide.json"] { wide = w }
    let limits = brazil.map { Self.limitText($0.settings.limit) } ?? "Limits"
    add("brazil.svg", "brazil.json", caption: "\(limits) on σ(e+e− → µ+µ−Z′) × B(Z′ → invisible): observed (the background-only pseudo-data when no data were given) and the expected ±1σ/±2σ bands (paper, Fig. 2)"
        + (wide == nil ? "." : ", with the wide-Z′ benchmark of brazil_wide.json.")) { $0.wide = wide }
    if let b = brazil, b.settings.limit.method == .toys, b.masses.contains(where: { $0.expectedToys != nil }) {
      add("brazil_methods.svg", "brazil.json", kind: .methods, caption: "Exact against asymptotic: the ratio of the median expected limit from background-only toys, each with its interval from the hypothesis' toy Neyman belt, to the asymptotic median (black), of the ±1σ edges (green) and of the observed limits (grey, dotted); dashed: ±20%.")
    }
    add("couplings_invisible.svg", "couplings_invisible.json", caption: "Limits on g′ in the fully invisible Lµ−Lτ model with the (g−2)µ band; the dashed vertical line marks where B(Z′ → χχ̄) ≈ 1 with a negligible width stops being possible (paper, Figs. 3 and S5).")
    add("couplings_vanilla.svg", "couplings_vanilla.json", caption: "Limits on g′ in the vanilla Lµ−Lτ model (B(Z′ → νν̄)), with the (g−2)µ band (paper, Figs. 4 and S3).")
    add("scan.svg", "scan.json", caption: "Local significance of the mass scan; the red lines are the local Z of a global 1σ and 2σ by Gross–Vitells (from lee.json).") { $0.lee = lee }
    add("lee.svg", "lee.json", caption: "Largest local significance of each background-only toy scan of the whole spectrum, the Gross–Vitells density N·Δz·(−dp_global/dZ) and the observed local significance.")
    add("lee_survival.svg", "lee.json", kind: .leeSurvival, caption: "Global p-value as a function of the local significance: the fraction of toy scans whose largest Z exceeds it (±1σ binomial), Gross–Vitells, and the local p-value.")
    if case .coverage(let c)? = contents["coverage.json"] {
      let cl = LimitSettings.percent(c.settings.cl)
      let methods = c.settings.methods.map(\.text).joined(separator: " and ")
      add("coverage.svg", "coverage.json", caption: "Coverage of the \(cl)% CL intervals by rule (colour) and method (\(methods): circles and diamonds), with Clopper–Pearson 68% intervals; the dashed line is the nominal \(cl)%.")
    }
    add("projection.svg", "projection.json", caption: "Reach: the median expected limit on g′ (fully invisible model) against the integrated luminosity at a few masses, ±1σ shaded; dotted: the lower edge of each mass' (g−2)µ band (from projection.json).")
    add("projection_couplings.svg", "projection.json", kind: .projectionCouplings, caption: "Median expected limits on g′ (fully invisible model) against M_Z′ at every projected luminosity, with the (g−2)µ band.")
    add("pulls.svg", "pulls.json", caption: "Pulls (σ̂ − σ)/Δσ̂ of the best-fit signal over pseudo-experiments with the signal injected, against the unit Gaussian (dashed) and the toys' own mean and width (solid); from pulls.json.")
    add("grid.svg", "grid.json", caption: "Spacing of the mass hypotheses (one M² resolution unit per step).")
  }

  mutating func drawEventPlots() {
    let provenance = events.provenance.map { " " + $0 } ?? ""
    var o = PlotOptions()
    o.label = events.label
    o.processLabels.merge(events.processLabels) { _, b in b }
    if let d = events.data ?? events.simulation {
      var s = o
      s.id = "spectrum"
      if events.simulation != nil { s.data = events.data }
      s.mcScale = events.simulationScale
      s.dataLabel = events.dataLabel
      do {
        plots.append(Plot(file: "spectrum.svg", caption: "Recoil-mass spectrum with the backgrounds stacked (paper, Fig. 1)." + provenance,
                          figure: try SpectrumPlot.figure(events.simulation ?? d, options: s)))
      } catch { problems.append(("spectrum", "\(error)")) }
    }
    if let m = events.map {
      var s = o
      s.id = "recoil_map"
      do {
        plots.append(Plot(file: "recoil_map.svg", caption: "θ_cm,recoil against M²_recoil: the two µµ(γ) bands from a photon into a barrel–endcap gap of the calorimeter." + provenance,
                          figure: try RecoilMapPlot.figure(m, options: s)))
      } catch { problems.append(("recoil_map", "\(error)")) }
    }
  }

  /// Draws every plot beside the folder's files (SVG, and PNG when `png` and rsvg-convert is
  /// installed) and writes report.html last, so that it never links to a plot that is not
  /// there. A failing PNG costs the PNG, not the report (it is returned as a warning).
  ///
  /// - Returns: the files written and the warnings.
  public func write(png: Bool) throws -> (files: [String], warnings: [String]) {
    let withPNG = png && Plotter.rsvgConvert != nil
    var written: [String] = [], warnings: [String] = []
    for p in plots {
      let stem = (p.file as NSString).deletingPathExtension
      try Plotter.write(p.figure, to: (directory as NSString).appendingPathComponent(p.file), id: stem)
      written.append(p.file)
      guard withPNG else { continue }
      do {
        try Plotter.write(p.figure, to: (directory as NSString).appendingPathComponent(stem + ".png"), id: stem)
        written.append(stem + ".png")
      } catch {
        warnings.append("\(stem).png: \(error)")
      }
    }
    do {
      try AtomicFile.write(html(), to: (directory as NSString).appendingPathComponent("report.html"))
    } catch let e as AtomicFile.WriteError {
      throw PlotError(e.description)
    }
    if png && !withPNG { warnings.append("no PNG: rsvg-convert is not installed (Debian: librsvg2-bin)") }
    return (written + ["report.html"], warnings + problems.map { "\($0.0): \($0.1)" })
  }
}
