import Foundation
import Testing

import Results
@testable import Plotting

@Suite("SVG writer")
struct SVGTests {
  @Test("text and attributes are escaped; numbers have at most two decimals")
  func escaping() {
    #expect(SVGWriter.escape("a<b & \"c\"'") == "a&lt;b &amp; &quot;c&quot;&#39;")
    #expect(SVGWriter.num(1.0) == "1" && SVGWriter.num(-0.001) == "0" && SVGWriter.num(3.14159) == "3.14" && SVGWriter.num(.nan) == "0")
    var w = SVGWriter()
    w.text("x < y & z", x: 0, y: 0, size: 10)
    #expect(w.body.contains("x &lt; y &amp; z"))
    #expect(Fixtures.parseXML("<svg>" + w.body + "</svg>").error == nil)
  }

  @Test("label markup: superscripts and subscripts shift by dy and back; spaces at tspan ends become dx")
  func richText() {
    let s = RichText.tspans("10^{−3}", size: 10)
    #expect(s.contains("dy=\"-3.8\"") && s.contains("font-size=\"7\"") && s.contains(">−3<"))
    let m = RichText.tspans("M_{Z′} [GeV]", size: 10)
    #expect(m.contains("dy=\"2.2\"") && m.contains("dy=\"-2.2\"") && m.contains("dx=") && m.contains(">[GeV]<"))
    #expect(RichText.plain("*{Zp}  /{cfg} 10^{2}") == "Zp  cfg 102")
    #expect(RichText.width("MM", size: 10) > RichText.width("ii", size: 10))
  }
}

@Suite("Plots from result files")
struct PlotTests {
  func render(_ json: String, kind: PlotKind? = nil, configure: (inout PlotOptions) -> Void = { _ in }) throws -> String {
    var o = PlotOptions()
    o.label = ExperimentLabel(configuration: nil, luminosity: 79.7)
    configure(&o)
    return try Plotter.figure(try Fixtures.content(json), kind: kind, options: o).svg(id: "t")
  }

  func wellFormed(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Int] {
    let (error, elements) = Fixtures.parseXML(svg)
    #expect(error == nil, "SVG is not well-formed XML: \(error ?? "")", sourceLocation: sourceLocation)
    #expect(elements["svg"] == 1 && elements["clipPath"] ?? 0 >= 1, sourceLocation: sourceLocation)
    return elements
  }

  @Test("file kinds are recognised from their keys")
  func detection() throws {
    let cases: [(String, PlotInput.Kind)] = [
      (Fixtures.brazil, .brazil), (Fixtures.scan, .scan), (Fixtures.lee, .lee), (Fixtures.coverage, .coverage),
      (Fixtures.couplings, .couplings), (Fixtures.grid, .grid), (Fixtures.summary, .summary), (Fixtures.templates, .templates),
    ]
    for (json, kind) in cases { #expect(try Fixtures.content(json).kind == kind) }
  }

  @Test("Brazil: green and yellow bands, dashed median, observed line, label with configuration and luminosity")
  func brazil() throws {
    let svg = try render(Fixtures.brazil)
    _ = wellFormed(svg)
    #expect(svg.contains(Style.sigma1) && svg.contains(Style.sigma2))
    #expect(svg.contains("stroke-dasharray=\"7 5\""))
    #expect(svg.contains("Observed (pseudo-data, ") && svg.contains("Median expected (20 toys, "))
    #expect(svg.contains("test-config") && svg.contains("79.7 fb"))
    // Asymptotic on request; toys on request fail without a toy band only when none exists.
    let asym = try render(Fixtures.brazil) { $0.band = .asymptotic }
    #expect(asym.contains("Median expected (asymptotic)"))
  }

  @Test("Brazil: the wide-Z′ file is drawn alongside")
  func brazilWide() throws {
    guard case .brazil(let wide) = try Fixtures.content(Fixtures.brazil(widthFraction: 0.1)) else {
      Issue.record("fixture is not a brazil file"); return
    }
    let svg = try render(Fixtures.brazil) { $0.wide = wide }
    #expect(svg.contains("0.1 M"))
  }

  @Test("couplings: log–log, g−2 band in red, validity line of the fully invisible model")
  func couplings() throws {
    let svg = try render(Fixtures.couplings)
    _ = wellFormed(svg)
    #expect(svg.contains(Style.gMinus2) && svg.contains("fill-opacity"))
    #expect(svg.contains("stroke-dasharray=\"8 5\""), "validity line")
    #expect(svg.contains("Fully invisible") && svg.contains("0.50–4.00"))
    let vanilla = try render(Fixtures.couplings(model: "vanilla"))
    #expect(!vanilla.contains("stroke-dasharray=\"8 5\"") && vanilla.contains("Vanilla"))
  }

  @Test("The CL, rule and method on every plot come from the file: a 95% CL file says 95% CL, never 90%")
  func clFromFile() throws {
    let brazil = try render(Fixtures.brazil(cl: 0.95))
    let couplings = try render(Fixtures.couplings(cl: 0.95))
    for svg in [brazil, couplings] {
      #expect(svg.contains("95% CL") && !svg.contains("90% CL"))
    }
    #expect(brazil.contains("asymptotic") && brazil.contains("CL_{s}") == false, "markup is rendered, not printed")
  }

  @Test("significance: local Z with reference lines; global lines from a lee file")
  func significance() throws {
    guard case .lee(let lee) = try Fixtures.content(Fixtures.lee) else { Issue.record("lee fixture"); return }
    let svg = try render(Fixtures.scan) { $0.lee = lee }
    _ = wellFormed(svg)
    #expect(svg.contains("1σ local") && svg.contains("global 1σ") && svg.contains("global 2σ"))
    #expect(svg.contains("2.10 at 2.000 GeV"))
  }

  @Test("look-elsewhere: histogram, Gross–Vitells curve and the observed value; survival kind")
  func lookElsewhere() throws {
    let svg = try render(Fixtures.lee)
    _ = wellFormed(svg)
    #expect(svg.contains("Gross–Vitells") && svg.contains("Observed Z") && svg.contains("2.80"))
    let surv = try render(Fixtures.lee, kind: .leeSurvival)
    _ = wellFormed(surv)
    #expect(surv.contains("P(Z"))
  }

  @Test("Gross–Vitells: p_global ≥ p_local, falls with Z, and the inverse solves it")
  func grossVitells() throws {
    let n = 5.0, u0 = 1.0
    for z in stride(from: 1.0, through: 5, by: 0.5) {
      #expect(GaussianTail.grossVitells(z, meanUpcrossings: n, u0: u0) >= GaussianTail.p(z))
    }
    #expect(GaussianTail.grossVitells(3, meanUpcrossings: n, u0: u0) > GaussianTail.grossVitells(3.5, meanUpcrossings: n, u0: u0))
    let z = try #require(GaussianTail.localZ(forGlobalP: 0.0228, meanUpcrossings: n, u0: u0))
    #expect(abs(GaussianTail.grossVitells(z, meanUpcrossings: n, u0: u0) - 0.0228) < 1e-8)
    #expect(abs(GaussianTail.z(GaussianTail.p(2.3)) - 2.3) < 1e-9)
  }

  @Test("coverage: a panel per mass, nominal line, one marker style per rule")
  func coverage() throws {
    let svg = try render(Fixtures.coverage)
    let el = wellFormed(svg)
    #expect(el["clipPath"] == 2)
    #expect(svg.contains("nominal 90%") && svg.contains("M_{Z′}") == false && svg.contains("1 GeV") && svg.contains("6 GeV"))
  }

  @Test("window templates: M² projection summed over θ, stacked, signal on top")
  func window() throws {
    guard case .templates(let t) = try Fixtures.content(Fixtures.templates) else { Issue.record("templates fixture"); return }
    #expect(t.backgrounds["mumu"]!.m2Projection.yields == [3, 1])
    let svg = try render(Fixtures.templates) { $0.signalFb = 2 }
    _ = wellFormed(svg)
    #expect(svg.contains("σ = 2 fb") && svg.contains(Style.processColours["mumu"]!) && svg.contains("MC stat."))
  }

  @Test("grid: spacing of the hypotheses")
  func grid() throws {
    let svg = try render(Fixtures.grid)
    _ = wellFormed(svg)
    #expect(svg.contains("3 hypotheses"))
  }

  @Test("events: stacked spectrum with data points, and the θ–M² map with a colour bar")
  func events() throws {
    let table = try EventTable.parse(Data(Fixtures.events.utf8), path: "e.csv")
    #expect(table.count == 600 && table.processes == ["mumu", "tautau", "eemumu"])
    let h = table.histogram(edges: stride(from: 0.0, through: 100, by: 0.5).map { $0 })
    #expect(h.map(\.counts).flatMap { $0 }.reduce(0, +) == 600)
    var o = PlotOptions()
    o.label.configuration = "Simulation"
    let spectrum = try Plotter.figure(.events(table), options: o).svg()
    _ = wellFormed(spectrum)
    for p in ["mumu", "tautau", "eemumu"] { #expect(spectrum.contains(Style.processColours[p]!)) }
    #expect(spectrum.contains("Candidates / (0.5 GeV"))
    o.process = "mumu"
    let map = try Plotter.figure(.events(table), kind: .map, options: o).svg()
    _ = wellFormed(map)
    #expect(map.contains("60 events") && map.contains("Events / ("))
  }

  @Test("inline SVGs get unique ids per figure")
  func uniqueIDs() throws {
    let a = try render(Fixtures.brazil) { $0.id = "a" }
    let fig = try Plotter.figure(try Fixtures.content(Fixtures.brazil), options: PlotOptions())
    let s1 = fig.svg(id: "one", standalone: false), s2 = fig.svg(id: "two", standalone: false)
    #expect(s1.contains("id=\"one-clip0\"") && s2.contains("id=\"two-clip0\"") && !s1.hasPrefix("<?xml"))
    #expect(a.hasPrefix("<?xml"))
  }
}

@Suite("Bad input")
struct BadInputTests {
  func error(_ body: () throws -> Void) -> String {
    do {
      try body()
      return ""
    } catch {
      return "\(error)"
    }
  }

  @Test("not JSON, not an object, unknown study, unknown file: clear messages")
  func badFiles() {
    #expect(error { _ = try Fixtures.content("{ nope", path: "x.json") }.contains("x.json is not valid JSON"))
    #expect(error { _ = try Fixtures.content("[1, 2]") }.contains("expected a JSON object"))
    #expect(error { _ = try Fixtures.content("{\"study\": \"fit\"}") }.contains("unknown study \"fit\""))
    #expect(error { _ = try Fixtures.content("{\"a\": 1}") }.contains("not a ZPrimeToys result file"))
    #expect(error { _ = try Fixtures.content("m2_recoil_gev2\n1\n", path: "e.json") }.contains("needs the .csv extension"))
    #expect(error { _ = try PlotInput.load(path: "/nonexistent/brazil.json") }.contains("cannot read /nonexistent/brazil.json"))
  }

  @Test("a missing key is named by its path")
  func missingKey() {
    let broken = Fixtures.brazil.replacingOccurrences(of: "\"expected_asymptotic\":{", with: "\"expected_asymptotic_x\":{")
    let e = error { _ = try Fixtures.content(broken, path: "b.json") }
    #expect(e.contains("b.json: missing key masses[0].expected_asymptotic"), "\(e)")
  }

  @Test("a kind that does not fit the file, and a summary, are refused")
  func wrongKind() {
    #expect(error { _ = try Plotter.figure(try Fixtures.content(Fixtures.brazil), kind: .coverage, options: PlotOptions()) }
      .contains("--kind coverage does not apply to a brazil file"))
    #expect(error { _ = try Plotter.figure(try Fixtures.content(Fixtures.summary), options: PlotOptions()) }.contains("no plot of its own"))
    #expect(error {
      var o = PlotOptions()
      o.band = .toys
      _ = try Plotter.figure(try Fixtures.content(Fixtures.brazil(toyBands: false)), options: o)
    }.contains("no toy band"))
  }

  @Test("event CSVs: no m2 column, a bad number with its line, an empty file, a histogram CSV")
  func badEvents() {
    func parse(_ s: String) throws { _ = try EventTable.parse(Data(s.utf8), path: "e.csv") }
    #expect(error { try parse("a,b\n1,2\n") }.contains("no m2_recoil_gev2 column"))
    #expect(error { try parse("m2_recoil_gev2,process\n1,mumu\nx,mumu\n") }.contains("e.csv:3: m2_recoil_gev2 is not a finite number"))
    #expect(error { try parse("") }.contains("empty file"))
    #expect(error { try parse("m2_recoil_gev2\n") }.contains("no events"))
    #expect(error { try parse("m2_low_gev2,m2_high_gev2,theta_low_deg,theta_high_deg,content\n0,1,0,180,5\n") }.contains("2D histogram CSV"))
    #expect(error {
      var o = PlotOptions()
      o.process = "signal"
      _ = try RecoilMapPlot.figure(try EventTable.parse(Data(Fixtures.events.utf8), path: "e.csv"), options: o)
    }.contains("--process signal: no such events"))
  }

  @Test("writing into a missing folder fails and leaves nothing behind")
  func atomicWrite() throws {
    let fig = try Plotter.figure(try Fixtures.content(Fixtures.grid), options: PlotOptions())
    let dir = try Fixtures.tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(error { try Plotter.write(fig, to: dir + "/missing/grid.svg") }.contains("does not exist"))
    try Plotter.write(fig, to: dir + "/grid.svg")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["grid.svg"])
  }
}
