import Foundation
import Results
import _Support

extension Report {
  // MARK: HTML

  static func esc(_ s: String) -> String { SVGWriter.escape(s) }

  static func fmt(_ v: Double?, _ f: String = "%.3g") -> String { v.map { String(format: f, $0) } ?? "—" }

  /// The page. `generated` is the time stamp printed in it.
  public func html(generated: Date = Date()) -> String {
    var h = ""
    let header = Self.resultFiles.compactMap { contents[$0]?.header }.first
    let configName = Self.resultFiles.compactMap { contents[$0]?.result?.configuration }.first ?? "—"
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
    h += runSection(header: header)
    h += studiesTable()
    h += limitsSection()
    h += significanceSection()
    h += coverageSection()
    h += couplingsSection()
    h += projectionSection()
    h += pullsSection()
    h += plotsSection()
    h += filesSection()
    if !problems.isEmpty {
      h += "<h2>Problems</h2>\n<ul>\n" + problems.map { "<li class=\"warn\"><code>\(Self.esc($0.0))</code>: \(Self.esc($0.1))</li>" }.joined(separator: "\n") + "\n</ul>\n"
    }
    h += "<p class=\"sub\">Made by <code>zptoys report</code>; every number above comes from the JSON files listed under “Data files”.</p>\n</body>\n</html>\n"
    return h
  }

  func runSection(header: StudyHeader?) -> String {
    var h = "<h2>Run</h2>\n<table>\n"
    func row(_ k: String, _ v: String) { h += "<tr><th class=\"l\">\(Self.esc(k))</th><td class=\"l\">\(v)</td></tr>\n" }
    if let id = header?.identity {
      row("configuration", "\(Self.esc(id.configuration)) <code>sha256 \(Self.esc(String(id.configurationSHA256.prefix(16))))…</code>")
      row("seed", "\(id.seed)")
      if let mc = id.inputs.templateMC {
        let user = mc.userInputs.keys.sorted().map { "\($0) from a user's file" }.joined(separator: ", ")
        row("template Monte Carlo", "seed \(mc.seed), \(mc.backgroundEvents) background / \(mc.signalEvents) signal events" + (user.isEmpty ? "" : "; \(Self.esc(user))"))
      }
      if let l = id.inputs.likelihood {
        row("published likelihood", "\(Self.esc(l.name)): \(Self.esc(l.workspace.file)) with the patchset \(Self.esc(l.patchset.file))")
      }
      if id.inputs.systematicsScale != 1 {
        row("systematics", "relative sizes scaled by \(Self.fmt(id.inputs.systematicsScale)) (1/√L)")
      }
    } else if let s = summary {
      row("configuration", Self.esc(s.configuration))
      row("seed", "\(s.seed)")
    }
    if let l = Self.resultFiles.compactMap({ contents[$0]?.result?.lumiFb }).first { row("integrated luminosity", "\(ExperimentLabel.trim(l)) fb<sup>−1</sup>") }
    if let s = summary {
      row("mass hypotheses", "\(s.hypotheses)")
      row("limits", Self.esc(Self.limitText(s.limit)))
      row("toys", "Brazil: \(s.brazilToys) per hypothesis; look-elsewhere: \(s.leeToys) scans; coverage: \(s.coverageToys) per point")
      row("tool", Self.esc(s.info.tool))
    }
    if let r = header?.run {
      row("host", "\(Self.esc(r.host)), \(r.threads) threads, started \(Self.esc(r.started))")
    }
    h += "</table>\n"
    if let secs = summary?.seconds, !secs.isEmpty {
      let order = ["templates", "grid", "scan", "brazil", "lee", "brazil-wide", "coverage", "couplings", "total"]
      let keys = order.filter { secs[$0] != nil } + secs.keys.filter { !order.contains($0) }.sorted()
      h += "<table>\n<tr><th class=\"l\">step</th>" + keys.map { "<th>\(Self.esc($0))</th>" }.joined() + "</tr>\n"
      h += "<tr><th class=\"l\">seconds</th>" + keys.map { "<td>\(Self.fmt(secs[$0], "%.1f"))</td>" }.joined() + "</tr>\n</table>\n"
    }
    return h
  }

  /// Per study file: its settings (every key of the typed settings), tasks and time.
  func studiesTable() -> String {
    var h = "<table>\n<tr><th class=\"l\">file</th><th class=\"l\">study</th><th class=\"l\">settings</th><th>tasks</th><th>seconds</th></tr>\n"
    var any = false
    for name in Self.resultFiles {
      guard let c = contents[name], let hd = c.header else { continue }
      any = true
      let settings = Self.flatten(hd.identity.settings) + ["data=\(hd.identity.inputs.data)"]
      h += "<tr><td class=\"l\"><a href=\"\(Self.esc(name))\">\(Self.esc(name))</a></td><td class=\"l\">\(Self.esc(hd.study.rawValue))</td><td class=\"l\">\(Self.esc(settings.joined(separator: ", ")))</td>"
      h += "<td>\(hd.tasks.count)</td><td>\(Self.fmt(hd.run.seconds, "%.1f"))</td></tr>\n"
    }
    return any ? h + "</table>\n" : ""
  }

  /// "key=value" for every leaf of an encodable value ("limit.cl=0.9").
  static func flatten(_ value: some Encodable) -> [String] {
    guard let data = try? JSONOutput.encode(value, pretty: false), let obj = try? JSONSerialization.jsonObject(with: data) else { return [] }
    func walk(_ v: Any, _ prefix: String) -> [String] {
      if let d = v as? [String: Any] { return d.keys.sorted().flatMap { walk(d[$0]!, prefix.isEmpty ? $0 : "\(prefix).\($0)") } }
      if let a = v as? [Any] { return ["\(prefix)=" + a.map { "\($0)" }.joined(separator: ",")] }
      // JSON's true and false come back as NSNumbers of type "c" (char).
      if let n = v as? NSNumber, String(cString: n.objCType) == "c" { return ["\(prefix)=\(n.boolValue)"] }
      return ["\(prefix)=\(v is NSNull ? "null" : "\(v)")"]
    }
    return walk(obj, "")
  }

  func limitsSection() -> String {
    guard let b = brazil else { return "" }
    let limit = b.settings.limit
    let exact = limit.method == .toys
    var h = "<h2>Cross-section limits</h2>\n"
    let how = exact ? "every limit — observed and each background-only toy's — from the hypothesis' toy Neyman belt (\(b.settings.beltToys ?? 0) toys per µ point); the asymptotic ones beside them"
      : "every limit from the asymptotic formulae"
    h += "<p>\(Self.esc(Self.limitText(limit))) on σ(e<sup>+</sup>e<sup>−</sup> → µ<sup>+</sup>µ<sup>−</sup>Z′) × B(Z′ → invisible) in \(Self.esc(b.units.crossSection)), at selected masses (nearest hypothesis): \(Self.esc(how)).</p>\n"
    h += "<table>\n<tr><th>M<sub>Z′</sub> [GeV]</th><th>observed</th><th>observed (asymptotic)</th><th>expected −2σ</th><th>−1σ</th><th>median</th><th>+1σ</th><th>+2σ</th><th>median (asymptotic)</th></tr>\n"
    var shown = Set<Int>()
    let masses = summary?.limitsAtSelectedMasses.map(\.mass) ?? [0.1, 0.5, 1.0, 2.0, 2.352, 4.0, 6.0, 8.0]
    for m in masses {
      // The nearest hypothesis, once, and only when it is near (a file may cover a small range).
      guard let p = b.masses.min(by: { abs(($0.mass ?? .infinity) - m) < abs(($1.mass ?? .infinity) - m) }), let pm = p.mass,
            abs(pm - m) < 0.1 * m + 0.05, shown.insert(p.index).inserted else { continue }
      let band = p.expectedToys ?? p.expectedAsymptotic
      h += "<tr><td>\(Self.fmt(pm, "%.3f"))</td><td>\(Self.fmt(p.observed))</td><td>\(Self.fmt(p.observedAsymptotic))</td>"
      h += band.values.map { "<td>\(Self.fmt($0))</td>" }.joined()
      h += "<td>\(Self.fmt(p.expectedAsymptotic.median))</td></tr>\n"
    }
    h += "</table>\n"
    if let e = summary?.extremes {
      func at(_ l: LimitAtMass?) -> String { l.map { "\(Self.fmt($0.value)) fb at \(Self.fmt($0.mass, "%.3f")) GeV" } ?? "—" }
      h += "<p>Smallest observed limit: \(at(e.smallestObserved)) (asymptotic: \(at(e.smallestObservedAsymptotic))). Smallest median expected limit: \(at(e.smallestMedianExpected)) (asymptotic: \(at(e.smallestMedianExpectedAsymptotic))). Paper: limits as small as ≈ 0.2 fb.</p>\n"
    }
    if exact { h += methodsTable(b) }
    return h
  }

  /// Where the exact and the asymptotic median expected limits differ: the stretches of
  /// neighbouring hypotheses whose ratio differs from 1 by more than 20%, each with its mass
  /// range, count and ratio range.
  func methodsTable(_ b: BrazilFile) -> String {
    let rows = b.masses.sorted { ($0.mass ?? 0) < ($1.mass ?? 0) }.compactMap { p -> (Double, Double)? in
      guard let m = p.mass, let t = p.expectedToys?.median, t.isFinite, p.expectedAsymptotic.median > 0 else { return nil }
      return (m, t / p.expectedAsymptotic.median)
    }
    guard !rows.isEmpty else { return "" }
    var stretches: [[(Double, Double)]] = []
    var open: [(Double, Double)] = []
    for r in rows {
      if abs(r.1 - 1) > MethodsPlot.threshold { open.append(r) } else if !open.isEmpty { stretches.append(open); open = [] }
    }
    if !open.isEmpty { stretches.append(open) }
    let sorted = rows.map(\.1).sorted()
    var h = "<h3>Exact and asymptotic median expected limits</h3>\n<p>Over the \(rows.count) hypotheses the ratio of the exact median (toys, each with its belt interval) to the asymptotic one runs from \(Self.fmt(sorted.first)) to \(Self.fmt(sorted.last)) (median \(Self.fmt(sorted[sorted.count / 2]))); it differs from 1 by more than \(Int(100 * MethodsPlot.threshold))% at \(stretches.map(\.count).reduce(0, +)) hypotheses"
    guard !stretches.isEmpty else { return h + ".</p>\n" }
    h += ":</p>\n<table>\n<tr><th>from M<sub>Z′</sub> [GeV]</th><th>to [GeV]</th><th>hypotheses</th><th>ratio min</th><th>ratio max</th></tr>\n"
    for s in stretches {
      let r = s.map(\.1)
      h += "<tr><td>\(Self.fmt(s.first!.0, "%.3f"))</td><td>\(Self.fmt(s.last!.0, "%.3f"))</td><td>\(s.count)</td><td>\(Self.fmt(r.min()))</td><td>\(Self.fmt(r.max()))</td></tr>\n"
    }
    return h + "</table>\n"
  }

  func significanceSection() -> String {
    var rows: [(String, GlobalSignificance, Double?)] = []
    if let o = lee?.observed {
      rows.append((String(format: "observed local Z %.2f assessed by lee.json", o.localZ), o, nil))
    }
    if let s = summary?.pseudoDataLargestExcess { rows.append(("pseudo-data's largest excess (summary.json)", s, summary?.pseudoDataLargestExcessMass)) }
    guard !rows.isEmpty else { return "" }
    var h = "<h2>Global significance</h2>\n<table>\n<tr><th class=\"l\">excess</th><th>M<sub>Z′</sub> [GeV]</th><th>Z<sub>local</sub></th><th>p<sub>local</sub></th><th>p<sub>global</sub> (toys)</th><th>Z<sub>global</sub> (toys)</th><th>trials factor</th><th>toys</th><th>Z<sub>global</sub> (Gross–Vitells)</th><th>⟨N(u<sub>0</sub>)⟩, u<sub>0</sub></th></tr>\n"
    for (name, s, m) in rows {
      let bound = s.globalZIsLowerBound ? "&gt;" : ""
      let gv = s.grossVitells
      h += "<tr><td class=\"l\">\(Self.esc(name))</td><td>\(Self.fmt(m, "%.3f"))</td><td>\(Self.fmt(s.localZ, "%.2f"))</td><td>\(Self.fmt(s.localP, "%.2e"))</td>"
      h += "<td>\(Self.fmt(s.globalP, "%.3f")) ± \(Self.fmt(s.globalPUncertainty, "%.3f"))</td><td>\(bound)\(Self.fmt(s.globalZ, "%.2f"))</td><td>\(Self.fmt(s.trialsFactor, "%.0f"))</td>"
      h += "<td>\(s.toys)</td><td>\(Self.fmt(gv.globalZ, "%.2f"))</td><td>\(Self.fmt(gv.meanUpcrossings, "%.2f")), \(Self.fmt(gv.threshold, "%g"))</td></tr>\n"
    }
    h += "</table>\n<p>Paper: largest local significance 2.8σ at 2.352 GeV, 0.7σ global.</p>\n"
    return h
  }

  func coverageSection() -> String {
    guard case .coverage(let c)? = contents["coverage.json"] else { return "" }
    let s = c.settings
    let belts = s.beltToys.map { " Toy Neyman belts: \($0) toys per µ point, " + (s.belts == "per-toy" ? "one per pseudo-experiment at its own conditional fits." : "one per point at its true nuisance parameters.") } ?? ""
    var h = "<h2>Coverage</h2>\n<p>Fraction of toys whose \(LimitSettings.percent(s.cl))% CL interval contains the true σ (Clopper–Pearson 68% interval), by rule and method; the verdict compares the \(LimitSettings.percent(s.verdictCL))% Clopper–Pearson interval with the nominal \(LimitSettings.percent(s.cl))%.\(Self.esc(belts))</p>\n"
    h += "<table>\n<tr><th>M<sub>Z′</sub> [GeV]</th><th>σ<sub>true</sub> [fb]</th><th class=\"l\">rule</th><th class=\"l\">method</th><th>coverage</th><th>68% interval</th><th>toys</th><th>failed</th><th class=\"l\">verdict</th></tr>\n"
    for p in c.points {
      for r in p.rules {
        let what = p.mass.map { Self.fmt($0, "%.3f") } ?? Self.esc(p.patch?.name ?? "\(p.index)")
        h += "<tr><td>\(what)</td><td>\(Self.fmt(p.signal, "%g"))</td><td class=\"l\">\(Self.esc(r.rule.text))</td><td class=\"l\">\(Self.esc(r.method.text))</td><td>\(Self.fmt(r.coverage, "%.3f"))</td>"
        h += "<td>[\(Self.fmt(r.lower, "%.3f")), \(Self.fmt(r.upper, "%.3f"))]</td><td>\(r.toys)</td><td>\(r.failedToys)</td>"
        h += "<td class=\"l \(Self.esc(r.verdict))\">\(Self.esc(r.verdict))</td></tr>\n"
      }
    }
    return h + "</table>\n"
  }

  func couplingsSection() -> String {
    var h = ""
    for name in ["couplings_invisible.json", "couplings_vanilla.json"] {
      guard case .couplings(let c)? = contents[name] else { continue }
      func text(_ r: [ValueRange]) -> String {
        let t = r.map { String(format: "%.3f–%.3f GeV", $0.lower, $0.upper) }.joined(separator: ", ")
        return t.isEmpty ? "nowhere" : t
      }
      h += "<tr><td class=\"l\">\(Self.esc(c.model))</td><td class=\"l\">\(Self.esc(Self.limitText(c.limit)))</td><td class=\"l\">\(Self.esc(text(c.excludedRanges)))</td><td class=\"l\">\(Self.esc(text(c.excludedRangesAsymptotic)))</td><td class=\"l\">\(Self.esc(c.exclusionBasis))</td><td>\(Self.fmt(c.narrowWidthValidBelow, "%.3f"))</td></tr>\n"
    }
    guard !h.isEmpty else { return "" }
    return "<h2>Coupling limits</h2>\n<table>\n<tr><th class=\"l\">model</th><th class=\"l\">from σ limits</th><th class=\"l\">(g−2)<sub>µ</sub> explanation excluded</th><th class=\"l\">excluded by the asymptotic limits</th><th class=\"l\">basis</th><th>narrow-width B(Z′→χχ̄) ≈ 1 valid below [GeV]</th></tr>\n" + h
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
      "summary.json": "the run's summary and timings", "projection.json": "luminosity projection: expected limits on σ and g′ against L", "pulls.json": "bias and pull study",
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
