import Foundation

/// The HTML report of a results folder: one self-contained page (inline CSS, every plot inline as
/// SVG, no scripts, no external resources) with the run's configuration, seeds, toy counts and
/// timings, the summary tables (limits at selected masses, global significance, coverage
/// verdicts, g−2 exclusion) and links to the data files beside it.
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
    public init() {}
  }

  public let directory: String
  public var contents: [String: ResultFile.Content] = [:]
  public var plots: [Plot] = []
  /// Files of the folder that could not be read (name, reason): listed, not fatal.
  public var problems: [(String, String)] = []
  let labelFor: (ResultFile.Content) -> ExperimentLabel
  let events: EventInputs

  /// The study files a results folder holds, in the order of the data flow.
  public static let resultFiles = ["grid.json", "scan.json", "brazil.json", "brazil_wide.json", "lee.json", "coverage.json",
                                   "couplings_invisible.json", "couplings_vanilla.json", "summary.json"]

  /// Reads the folder's result files and draws their plots.
  ///
  /// - Throws: ``PlotError`` when the folder has none of the result files.
  public init(directory: String, events: EventInputs = EventInputs(), label: @escaping (ResultFile.Content) -> ExperimentLabel) throws {
    self.directory = directory
    self.labelFor = label
    self.events = events
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
      throw PlotError("\(directory) is not a folder")
    }
    for name in Self.resultFiles {
      let path = (directory as NSString).appendingPathComponent(name)
      guard FileManager.default.fileExists(atPath: path) else { continue }
      do {
        contents[name] = try ResultFile.load(path: path)
      } catch {
        problems.append((name, "\(error)"))
      }
    }
    guard !contents.isEmpty || events.data != nil || events.map != nil else {
      throw PlotError("\(directory) holds none of the result files (\(Self.resultFiles.joined(separator: ", "))); run `zptoys run --out-dir \(directory)` first")
    }
    try drawPlots()
  }

  mutating func drawPlots() throws {
    func options(_ c: ResultFile.Content, _ id: String) -> PlotOptions {
      var o = PlotOptions()
      o.label = labelFor(c)
      o.id = id
      return o
    }
    func add(_ file: String, _ source: String, kind: PlotKind? = nil, caption: String, tweak: (inout PlotOptions) -> Void = { _ in }) {
      guard let c = contents[source] else { return }
      var o = options(c, (file as NSString).deletingPathExtension)
      tweak(&o)
      do {
        plots.append(Plot(file: file, caption: caption, figure: try Plotter.figure(c, kind: kind, options: o)))
      } catch {
        problems.append((source, "\(error)"))
      }
    }
    var leeFile: ResultFile.LookElsewhere?
    if case .lee(let l)? = contents["lee.json"] { leeFile = l }
    var wide: ResultFile.Brazil?
    if case .brazil(let w)? = contents["brazil_wide.json"] { wide = w }
    add("brazil.svg", "brazil.json", caption: "90% CL upper limits on σ(e+e− → µ+µ−Z′) × B(Z′ → invisible): observed (the background-only pseudo-data when no data were given) and the expected ±1σ/±2σ bands (paper, Fig. 2)"
        + (wide == nil ? "." : ", with the wide-Z′ benchmark of brazil_wide.json.")) { $0.wide = wide }
    add("couplings_invisible.svg", "couplings_invisible.json", caption: "Limits on g′ in the fully invisible Lµ−Lτ model with the (g−2)µ band; the dashed vertical line marks where B(Z′ → χχ̄) ≈ 1 with a negligible width stops being possible (paper, Figs. 3 and S5).")
    add("couplings_vanilla.svg", "couplings_vanilla.json", caption: "Limits on g′ in the vanilla Lµ−Lτ model (B(Z′ → νν̄)), with the (g−2)µ band (paper, Figs. 4 and S3).")
    add("scan.svg", "scan.json", caption: "Local significance of the mass scan; the red lines are the local Z of a global 1σ and 2σ by Gross–Vitells (from lee.json).") { $0.lee = leeFile }
    add("lee.svg", "lee.json", caption: "Largest local significance of each background-only toy scan of the whole spectrum, the Gross–Vitells density N·Δz·(−dp_global/dZ) and the observed local significance.")
    add("lee_survival.svg", "lee.json", kind: .leeSurvival, caption: "Global p-value as a function of the local significance: the fraction of toy scans whose largest Z exceeds it (±1σ binomial), Gross–Vitells, and the local p-value.")
    add("coverage.svg", "coverage.json", caption: "Coverage of the 90% CL intervals by rule, with Clopper–Pearson 68% intervals; the dashed line is the nominal 90%.")
    add("grid.svg", "grid.json", caption: "Spacing of the mass hypotheses (one M² resolution unit per step).")
    let provenance = events.provenance.map { " " + $0 } ?? ""
    if let d = events.data ?? events.simulation {
      var o = PlotOptions()
      o.label = labelFor(.events(d))
      o.id = "spectrum"
      if events.simulation != nil { o.data = events.data }
      o.mcScale = events.simulationScale
      o.dataLabel = events.dataLabel
      do {
        plots.append(Plot(file: "spectrum.svg", caption: "Recoil-mass spectrum with the backgrounds stacked (paper, Fig. 1)." + provenance,
                          figure: try SpectrumPlot.figure(events.simulation ?? d, options: o)))
      } catch { problems.append(("spectrum", "\(error)")) }
    }
    if let m = events.map {
      var o = PlotOptions()
      o.label = labelFor(.events(m))
      o.id = "recoil_map"
      do {
        plots.append(Plot(file: "recoil_map.svg", caption: "θ_cm,recoil against M²_recoil: the two µµ(γ) bands from a photon into a barrel–endcap gap of the calorimeter." + provenance,
                          figure: try RecoilMapPlot.figure(m, options: o)))
      } catch { problems.append(("recoil_map", "\(error)")) }
    }
  }

  // MARK: HTML

  static func esc(_ s: String) -> String { SVGWriter.escape(s) }

  static func fmt(_ v: Double?, _ f: String = "%.3g") -> String { v.map { String(format: f, $0) } ?? "—" }

  /// The page. `generated` is the time stamp printed in it.
  public func html(generated: Date = Date()) -> String {
    var h = ""
    let header = contents.values.compactMap(\.header).first
    var summary: ResultFile.Summary?
    if case .summary(let s)? = contents["summary.json"] { summary = s }
    let configName = header?.identity.configuration ?? summary?.configuration ?? "—"
    let iso = ISO8601DateFormatter().string(from: generated)
    h += """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>ZPrimeToys report — \(Self.esc(configName))</title>
      <style>
      body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1180px; padding: 24px 32px; color: #111; line-height: 1.45; }
      h1 { font-size: 26px; margin-bottom: 4px; } h2 { font-size: 20px; margin-top: 36px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
      .sub { color: #555; margin-top: 0; }
      table { border-collapse: collapse; margin: 10px 0 18px; font-size: 14px; }
      th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; vertical-align: top; }
      th { background: #f2f2f2; } td.l, th.l { text-align: left; }
      .covers { color: #1a7f1a; } .over-covers { color: #a06000; } .under-covers { color: #c00000; font-weight: bold; }
      figure { margin: 18px 0 30px; } figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
      figcaption { font-size: 14px; color: #333; max-width: 900px; } .files a { margin-right: 10px; }
      code { background: #f4f4f4; padding: 1px 4px; border-radius: 3px; }
      .warn { color: #c00000; }
      </style>
      </head>
      <body>
      <h1>ZPrimeToys report — \(Self.esc(configName))</h1>
      <p class="sub">Belle II invisible-Z′ search statistics (e<sup>+</sup>e<sup>−</sup> → µ<sup>+</sup>µ<sup>−</sup>Z′, Z′ → invisible); generated \(Self.esc(iso)) from <code>\(Self.esc(directory))</code>.</p>

      """
    h += runSection(header: header, summary: summary)
    h += limitsSection(summary: summary)
    h += significanceSection(summary: summary)
    h += coverageSection()
    h += couplingsSection()
    h += plotsSection()
    h += filesSection()
    if !problems.isEmpty {
      h += "<h2>Problems</h2>\n<ul>\n" + problems.map { "<li class=\"warn\"><code>\(Self.esc($0.0))</code>: \(Self.esc($0.1))</li>" }.joined(separator: "\n") + "\n</ul>\n"
    }
    h += "<p class=\"sub\">Made by <code>zptoys report</code>; every number above comes from the JSON files listed under “Data files”.</p>\n</body>\n</html>\n"
    return h
  }

  func runSection(header: ResultFile.Header?, summary: ResultFile.Summary?) -> String {
    var h = "<h2>Run</h2>\n<table>\n"
    func row(_ k: String, _ v: String) { h += "<tr><th class=\"l\">\(Self.esc(k))</th><td class=\"l\">\(v)</td></tr>\n" }
    if let id = header?.identity {
      row("configuration", "\(Self.esc(id.configuration)) <code>sha256 \(Self.esc(String((id.configurationSHA256 ?? "").prefix(16))))…</code>")
      row("seed", "\(id.seed)")
      if let mc = id.settings["mc_seed"] {
        row("template Monte Carlo", "seed \(Self.esc(mc)), \(Self.esc(id.settings["mc_background_events"] ?? "?")) background / \(Self.esc(id.settings["mc_signal_events"] ?? "?")) signal events")
      }
    } else if let s = summary {
      row("configuration", Self.esc(s.configuration))
      row("seed", "\(s.seed)")
    }
    if let l = contents.values.compactMap({ labelFor($0).luminosity }).first { row("integrated luminosity", "\(ExperimentLabel.trim(l)) fb<sup>−1</sup>") }
    if let s = summary {
      if let n = s.hypotheses { row("mass hypotheses", "\(n)") }
      row("toys", "Brazil: \(s.brazilToys.map(String.init) ?? "—") per hypothesis; look-elsewhere: \(s.leeToys.map(String.init) ?? "—") scans; coverage: \(s.coverageToys.map(String.init) ?? "—") per point")
      if let t = s.tool { row("tool", Self.esc(t)) }
    }
    if let r = header?.run {
      row("host", "\(Self.esc(r.host ?? "—")), \(r.threads.map(String.init) ?? "—") threads, started \(Self.esc(r.started ?? "—"))")
    }
    h += "</table>\n"
    // Per study: settings, tasks and time.
    h += "<table>\n<tr><th class=\"l\">file</th><th class=\"l\">study</th><th class=\"l\">settings</th><th>tasks</th><th>seconds</th></tr>\n"
    for name in Self.resultFiles {
      guard let c = contents[name], let hd = c.header else { continue }
      let keys = ["toys", "masses", "rule", "cl", "calculator", "data", "signals", "thresholds", "observed_z", "width_fraction"]
      let settings = keys.compactMap { k in hd.identity.settings[k].map { "\(k)=\($0)" } }.joined(separator: ", ")
      h += "<tr><td class=\"l\"><a href=\"\(Self.esc(name))\">\(Self.esc(name))</a></td><td class=\"l\">\(Self.esc(hd.study))</td><td class=\"l\">\(Self.esc(settings))</td>"
      h += "<td>\(hd.tasks?.count ?? hd.identity.totalTasks ?? 0)</td><td>\(Self.fmt(hd.run?.seconds, "%.1f"))</td></tr>\n"
    }
    h += "</table>\n"
    if let secs = summary?.seconds, !secs.isEmpty {
      let order = ["templates", "grid", "scan", "brazil", "lee", "coverage", "couplings", "total"]
      let keys = order.filter { secs[$0] != nil } + secs.keys.filter { !order.contains($0) }.sorted()
      h += "<table>\n<tr><th class=\"l\">step</th>" + keys.map { "<th>\(Self.esc($0))</th>" }.joined() + "</tr>\n"
      h += "<tr><th class=\"l\">seconds</th>" + keys.map { "<td>\(Self.fmt(secs[$0], "%.1f"))</td>" }.joined() + "</tr>\n</table>\n"
    }
    return h
  }

  func limitsSection(summary: ResultFile.Summary?) -> String {
    guard case .brazil(let b)? = contents["brazil.json"] else { return "" }
    var h = "<h2>Cross-section limits</h2>\n"
    h += "<p>90% CL upper limits on σ(e<sup>+</sup>e<sup>−</sup> → µ<sup>+</sup>µ<sup>−</sup>Z′) × B(Z′ → invisible) in fb, at selected masses (nearest hypothesis).</p>\n"
    h += "<table>\n<tr><th>M<sub>Z′</sub> [GeV]</th><th>observed</th><th>expected −2σ</th><th>−1σ</th><th>median</th><th>+1σ</th><th>+2σ</th><th>median (asymptotic)</th></tr>\n"
    var shown = Set<Int>()
    for m in [0.1, 0.5, 1.0, 2.0, 2.352, 4.0, 6.0, 8.0] {
      // The nearest hypothesis, once, and only when it is near (a file may cover a small range).
      guard let p = b.masses.min(by: { abs($0.mass - m) < abs($1.mass - m) }), abs(p.mass - m) < 0.1 * m + 0.05,
            shown.insert(p.index).inserted else { continue }
      let band = p.expectedToys ?? p.expectedAsymptotic
      h += "<tr><td>\(Self.fmt(p.mass, "%.3f"))</td><td>\(Self.fmt(p.observed))</td>"
      h += [band.minus2, band.minus1, band.median, band.plus1, band.plus2].map { "<td>\(Self.fmt($0))</td>" }.joined()
      h += "<td>\(Self.fmt(p.expectedAsymptotic.median))</td></tr>\n"
    }
    h += "</table>\n"
    if let best = b.masses.min(by: { $0.expectedAsymptotic.median < $1.expectedAsymptotic.median }) {
      h += "<p>Smallest median expected limit (asymptotic): \(Self.fmt(best.expectedAsymptotic.median)) fb at M<sub>Z′</sub> = \(Self.fmt(best.mass, "%.3f")) GeV (paper: limits as small as ≈ 0.2 fb). Expected band from \(b.masses.first?.expectedToys != nil ? "\(b.masses.compactMap(\.toys).max() ?? 0) background-only toys per hypothesis" : "the asymptotic formulae").</p>\n"
    }
    return h
  }

  func significanceSection(summary: ResultFile.Summary?) -> String {
    var rows: [(String, ResultFile.Significance, Double?)] = []
    if case .lee(let l)? = contents["lee.json"], let o = l.observed {
      rows.append(("observed local Z assessed by lee.json (zptoys run: the paper's 2.8σ)", o, nil))
    }
    if let s = summary?.pseudoDataExcess { rows.append(("pseudo-data's largest excess (summary.json)", s, summary?.pseudoDataExcessMass)) }
    guard !rows.isEmpty else { return "" }
    var h = "<h2>Global significance</h2>\n<table>\n<tr><th class=\"l\">excess</th><th>M<sub>Z′</sub> [GeV]</th><th>Z<sub>local</sub></th><th>p<sub>local</sub></th><th>p<sub>global</sub> (toys)</th><th>Z<sub>global</sub> (toys)</th><th>trials factor</th><th>toys</th><th>Z<sub>global</sub> (Gross–Vitells)</th><th>⟨N(u<sub>0</sub>)⟩, u<sub>0</sub></th></tr>\n"
    for (name, s, m) in rows {
      let bound = (s.globalZIsLowerBound ?? false) ? "&gt;" : ""
      let gv = s.grossVitells
      h += "<tr><td class=\"l\">\(Self.esc(name))</td><td>\(Self.fmt(m, "%.3f"))</td><td>\(Self.fmt(s.localZ, "%.2f"))</td><td>\(Self.fmt(s.localP, "%.2e"))</td>"
      h += "<td>\(Self.fmt(s.globalP, "%.3f")) ± \(Self.fmt(s.globalPUncertainty, "%.3f"))</td><td>\(bound)\(Self.fmt(s.globalZ, "%.2f"))</td><td>\(Self.fmt(s.trialsFactor, "%.0f"))</td>"
      h += "<td>\(s.toys.map(String.init) ?? "—")</td><td>\(Self.fmt(gv?.globalZ, "%.2f"))</td><td>\(Self.fmt(gv?.meanUpcrossings, "%.2f")), \(Self.fmt(gv?.u0, "%g"))</td></tr>\n"
    }
    h += "</table>\n<p>Paper: largest local significance 2.8σ at 2.352 GeV, 0.7σ global.</p>\n"
    return h
  }

  func coverageSection() -> String {
    guard case .coverage(let c)? = contents["coverage.json"] else { return "" }
    var h = "<h2>Coverage</h2>\n<p>Fraction of toys whose interval contains the true σ (Clopper–Pearson 68% interval); the verdict compares the \(Self.esc(c.header.identity.settings["verdict_cl"] ?? "0.95")) Clopper–Pearson interval with the nominal \(Self.esc(c.header.identity.settings["cl"] ?? "0.9")).</p>\n"
    h += "<table>\n<tr><th>M<sub>Z′</sub> [GeV]</th><th>σ<sub>true</sub> [fb]</th><th class=\"l\">rule</th><th>coverage</th><th>68% interval</th><th>toys</th><th>failed</th><th class=\"l\">verdict</th></tr>\n"
    for p in c.points {
      for r in p.rules {
        h += "<tr><td>\(Self.fmt(p.mass, "%.3f"))</td><td>\(Self.fmt(p.signal, "%g"))</td><td class=\"l\">\(Self.esc(r.rule))</td><td>\(Self.fmt(r.coverage, "%.3f"))</td>"
        h += "<td>[\(Self.fmt(r.lower, "%.3f")), \(Self.fmt(r.upper, "%.3f"))]</td><td>\(r.toys)</td><td>\(r.failedToys ?? 0)</td>"
        h += "<td class=\"l \(Self.esc(r.verdict))\">\(Self.esc(r.verdict))</td></tr>\n"
      }
    }
    return h + "</table>\n"
  }

  func couplingsSection() -> String {
    var h = ""
    for name in ["couplings_invisible.json", "couplings_vanilla.json"] {
      guard case .couplings(let c)? = contents[name] else { continue }
      let ranges = (c.excluded ?? []).map { String(format: "%.3f–%.3f GeV", $0.lower, $0.upper) }.joined(separator: ", ")
      h += "<tr><td class=\"l\">\(Self.esc(c.model))</td><td class=\"l\">\(Self.esc(ranges.isEmpty ? "nowhere" : ranges))</td><td class=\"l\">\(Self.esc(c.exclusionBasis ?? "—"))</td><td>\(Self.fmt(c.validBelow, "%.3f"))</td></tr>\n"
    }
    guard !h.isEmpty else { return "" }
    return "<h2>Coupling limits</h2>\n<table>\n<tr><th class=\"l\">model</th><th class=\"l\">(g−2)<sub>µ</sub> explanation excluded</th><th class=\"l\">basis</th><th>narrow-width B(Z′→χχ̄) ≈ 1 valid below [GeV]</th></tr>\n" + h
      + "</table>\n<p>Paper (fully invisible): excluded for 0.8 &lt; M<sub>Z′</sub> &lt; 5.0 GeV; B(Z′ → χχ̄) ≈ 1 with a negligible width possible for M<sub>Z′</sub> ≲ 6.5 GeV.</p>\n"
  }

  func plotsSection() -> String {
    guard !plots.isEmpty else { return "" }
    var h = "<h2>Plots</h2>\n"
    for p in plots {
      let stem = (p.file as NSString).deletingPathExtension
      h += "<figure id=\"\(Self.esc(stem))\">\n" + p.figure.svg(id: stem, standalone: false)
      h += "<figcaption>\(Self.esc(p.caption)) <span class=\"files\"><a href=\"\(Self.esc(p.file))\">SVG</a>"
      let png = stem + ".png"
      if FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(png)) { h += "<a href=\"\(Self.esc(png))\">PNG</a>" }
      h += "</span></figcaption>\n</figure>\n"
    }
    return h
  }

  func filesSection() -> String {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
      .filter { !$0.hasPrefix(".") && $0 != "report.html" && !$0.hasSuffix(".partial") }.sorted()
    guard !names.isEmpty else { return "" }
    let what: [String: String] = [
      "grid.json": "the mass hypotheses", "brazil_wide.json": "limits for the wide-Z′ benchmark", "scan.json": "mass scan of the (pseudo-)data", "brazil.json": "limits and expected bands per hypothesis",
      "brazil.csv": "the same as CSV", "brazil.hepdata.yaml": "limit table in HEPData format", "submission.yaml": "HEPData submission",
      "lee.json": "look-elsewhere toy scans, global significance", "coverage.json": "coverage with Clopper–Pearson verdicts",
      "couplings_vanilla.json": "g′ limits, vanilla model", "couplings_invisible.json": "g′ limits, fully invisible model",
      "summary.json": "the run's summary and timings",
    ]
    var h = "<h2>Data files</h2>\n<table>\n<tr><th class=\"l\">file</th><th>size</th><th class=\"l\">content</th></tr>\n"
    for n in names {
      let path = (directory as NSString).appendingPathComponent(n)
      let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
      let desc = what[n] ?? (n.hasSuffix(".svg") ? "plot (SVG)" : n.hasSuffix(".png") ? "plot (PNG)" : "")
      h += "<tr><td class=\"l\"><a href=\"\(Self.esc(n))\">\(Self.esc(n))</a></td><td>\(Self.humanSize(size))</td><td class=\"l\">\(Self.esc(desc))</td></tr>\n"
    }
    return h + "</table>\n"
  }

  static func humanSize(_ n: Int) -> String {
    if n < 1024 { return "\(n) B" }
    if n < 1 << 20 { return String(format: "%.1f kB", Double(n) / 1024) }
    return String(format: "%.1f MB", Double(n) / Double(1 << 20))
  }
}
