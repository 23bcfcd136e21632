import Experiment
import Foundation
import GSL
import Testing
@testable import Generator

/// Weighted simulation and histograms with their Monte Carlo variance (issue 15, item 1): the
/// file is the template, binned into the global cells without resampling.
@Suite("Weighted user inputs")
struct WeightedInputTests {
  let dir: String = {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("zpt-weighted-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }()

  func write(_ name: String, _ text: String) throws -> String {
    let p = "\(dir)/\(name)"
    try text.write(toFile: p, atomically: true, encoding: .utf8)
    return p
  }

  var binning: WindowBinning { detector.binning }

  /// The centre of global cell (M² bin i, fine θ cell j) in (M², θ).
  func centre(_ i: Int, _ j: Int) -> (Double, Double) {
    let e = binning.grid.edges, t = binning.fineThetaEdges
    return (0.5 * (e[i] + e[i + 1]), 0.5 * (t[j] + t[j + 1]))
  }

  @Test("Weighted events: yield Σw and variance Σw² per cell, negative weights allowed, exact (no resampling)")
  func weightedEvents() throws {
    let (m1, t1) = centre(200, 1), (m2, t2) = centre(300, 0)
    let text = "m2_recoil_gev2,theta_cm_recoil_deg,weight\n" + [(m1, t1, 0.5), (m1, t1, 0.25), (m1, t1, -0.125), (m2, t2, 2.0), (100.0, 90.0, 7.0)]
      .map { "\($0.0),\($0.1),\($0.2)" }.joined(separator: "\n") + "\n"
    let src = try UserSource(path: try write("w.csv", text))
    #expect(src.isWeighted && src.hasVariances)
    #expect(src.totalYield == 9.625)
    let (y, s) = try src.globalCells(binning)
    let nt = binning.fineThetaCount
    let a = 200 * nt + 1, b = 300 * nt
    #expect(y[a] == 0.625 && s[a] == 0.25 + 0.0625 + 0.015625)
    #expect(y[b] == 2.0 && s[b] == 4.0)
    // The event at M² = 100 GeV² lies outside every window (the grid ends near 72 GeV²).
    #expect(y.reduce(0, +) == 2.625)
    #expect(s.enumerated().allSatisfy { $0.offset == a || $0.offset == b || $0.element == 0 })
  }

  @Test("A bin whose total is negative is an error naming the file and the bin")
  func negativeBin() throws {
    let (m, t) = centre(250, 2)
    let p = try write("neg.csv", "m2_recoil_gev2,theta_cm_recoil_deg,weight\n\(m),\(t),1.0\n\(m),\(t),-1.5\n2.0,10,3\n")
    let src = try UserSource(path: p)
    do {
      _ = try src.globalCells(binning)
      Issue.record("a negative bin was accepted")
    } catch {
      let e = binning.grid.edges, th = binning.fineThetaEdges
      #expect("\(error)".contains("neg.csv"))
      #expect("\(error)".contains("M² [\(e[250]), \(e[251])) GeV², θ_cm [\(th[2]), \(th[3]))°"), "\(error)")
      #expect("\(error)".contains("negative total"))
    }
    // Sampling needs non-negative weights (generate): refused with the reason.
    #expect(throws: (any Error).self) { try src.makeSampler() }
  }

  @Test("Histogram with sumw2: contents and variances enter the cells exactly; a straddling cell is shared by area")
  func histogramSumw2() throws {
    let e = binning.grid.edges, t = binning.fineThetaEdges
    // One cell equal to global cell (400, 0); one spanning M² bins 410–411 and half of θ cell 0.
    let rows = [
      "\(e[400]),\(e[401]),\(t[0]),\(t[1]),3.0,0.09",
      "\(e[410]),\(e[412]),\(t[0]),\(0.5 * (t[0] + t[1])),8.0,0.5",
    ]
    let p = try write("h.csv", "m2_low_gev2,m2_high_gev2,theta_low_deg,theta_high_deg,content,sumw2\n" + rows.joined(separator: "\n") + "\n")
    let src = try UserSource(path: p)
    #expect(src.hasVariances && src.kind == .histogram)
    let (y, s) = try src.globalCells(binning)
    let nt = binning.fineThetaCount
    #expect(y[400 * nt] == 3.0 && s[400 * nt] == 0.09)
    let f = (e[411] - e[410]) / (e[412] - e[410])
    #expect(abs(y[410 * nt] - 8 * f) < 1e-12 && abs(y[411 * nt] - 8 * (1 - f)) < 1e-12)
    #expect(abs(s[410 * nt] - 0.5 * f) < 1e-12 && abs(s[411 * nt] - 0.5 * (1 - f)) < 1e-12)
    #expect(abs(y.reduce(0, +) - 11) < 1e-12)
    #expect(src.straddlingCells(binning) == 1)
  }

  @Test("The background spectrum takes a user's file as it is: the same file gives the same template for any MC settings")
  func notResampled() throws {
    let (m, t) = centre(350, 1)
    let p = try write("one.csv", "m2_low_gev2,m2_high_gev2,theta_low_deg,theta_high_deg,content,sumw2\n\(m - 1e-6),\(m + 1e-6),\(t - 0.1),\(t + 0.1),42,4\n")
    let user = ["tautau": try UserSource(path: p)]
    let a = try BackgroundSpectrum(detector: detector, settings: TemplateSettings(backgroundEvents: 2_000, threads: 1), userSources: user)
    let b = try BackgroundSpectrum(detector: detector, settings: TemplateSettings(seed: 5, backgroundEvents: 4_000, threads: 2), userSources: user)
    #expect(a.yields["tautau"] == b.yields["tautau"] && a.sumw2["tautau"] == b.sumw2["tautau"])
    #expect(a.yields["tautau"]![350 * binning.fineThetaCount + 1] == 42 && a.sumw2["tautau"]![350 * binning.fineThetaCount + 1] == 4)
  }

  @Test("Unknown or repeated columns are errors naming the column; a histogram without sumw2 has no variance",
        arguments: [
          ("m2_recoil_gev2,theta_cm_recoil_deg,wieght\n1,2,3\n", "unknown column \"wieght\""),
          ("m2_low_gev2,m2_high_gev2,theta_low_deg,theta_high_deg,content,sumw\n1,2,0,90,3,1\n", "unknown column \"sumw\""),
          ("m2_recoil_gev2,theta_cm_recoil_deg,weight,weight\n1,2,3,3\n", "appears twice"),
          ("m2_low_gev2,m2_high_gev2,theta_low_deg,theta_high_deg,content,sumw2\n1,2,0,90,3,-1\n", ":2: bin M² [1.0, 2.0] GeV², θ [0.0, 90.0]°: sumw2 must not be negative"),
          ("m2_recoil_gev2,theta_cm_recoil_deg,weight\n1,2,nan\n", "column \"weight\": nan is not finite"),
          ("m2_recoil_gev2,theta_cm_recoil_deg,weight\n1,2,-1\n1,3,0.5\n", "the weights sum to -0.5"),
        ])
  func badColumns(text: String, fragment: String) throws {
    // Cases run in parallel: one file each.
    let name = "bad-\(UUID().uuidString).csv"
    let p = try write(name, text)
    do {
      _ = try UserSource(path: p)
      Issue.record("accepted \(text)")
    } catch {
      #expect("\(error)".contains(fragment), "\(error)")
      #expect("\(error)".contains(name))
    }
  }

  @Test("generate's own columns are allowed in an event input; a histogram without sumw2 states no variance")
  func allowedColumns() throws {
    let ev = try UserSource(path: try write("gen.csv", "m2_recoil_gev2,theta_cm_recoil_deg,theta_lab_recoil_deg,true_m2_gev2,true_theta_cm_deg,process\n1,20,,1,20,mumu\n"))
    #expect(ev.totalYield == 1 && !ev.isWeighted)
    let h = try UserSource(path: try write("h0.csv", "m2_low_gev2,m2_high_gev2,theta_low_deg,theta_high_deg,content\n1,2,0,90,3\n"))
    #expect(!h.hasVariances)
    #expect(try h.globalCells(binning).sumw2.allSatisfy { $0 == 0 })
  }
}

@Suite("ROOT converter")
struct RootConverterTests {
  @Test("The embedded converter is identical to toys/root_input.py (run `make embed-config` after editing it)")
  func embeddedEqualsFile() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    #expect(try String(contentsOf: root.appendingPathComponent("toys/root_input.py"), encoding: .utf8) == RootInputScript.text)
  }

  @Test("FILE.root:PATH names a ROOT input (the last .root: splits); other inputs are files", arguments: [
    ("sim.root:hists/mumu", "sim.root", "hists/mumu"), ("a.root.d/b.root:tree", "a.root.d/b.root", "tree"), ("h.csv", nil, nil), ("x.root:", nil, nil),
  ] as [(String, String?, String?)])
  func split(spec: String, file: String?, path: String?) {
    let s = RootInput.split(spec)
    #expect(s?.file == file && s?.path == path)
  }
}
