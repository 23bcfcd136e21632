import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

import Results
@testable import Plotting

/// Small synthetic result files, built from the typed schemas of `Results` and encoded as the
/// studies write them.
enum Fixtures {
  static func encode(_ value: some Encodable) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    return String(decoding: try! e.encode(value), as: UTF8.self)
  }

  static let run = RunInfo(tool: "zptoys 0.1.0", started: "2026-01-01T00:00:00Z", seconds: 1.5, threads: 2, host: "h", resumedTasks: 0)

  static func header(_ settings: some StudySettings, data: String = "toy") -> StudyHeader {
    let inputs = StudyInputs(lumiFb: 79.7, templateMC: TemplateMC(seed: 1, signalEvents: 10, backgroundEvents: 20, userInputs: [:]), data: data)
    let id = StudyIdentity(configuration: "test-config", configurationSHA256: "abc123", seed: 7, inputs: inputs, settings: settings, totalTasks: 3)
    return StudyHeader(identity: id, shard: nil, tasks: [0, 1, 2], run: run)
  }

  static func band(_ m: Double) -> Band { Band(minus2: 0.5 * m, minus1: 0.7 * m, median: m, plus1: 1.4 * m, plus2: 2 * m) }

  static func limit(_ cl: Double = 0.9) -> LimitSettings { LimitSettings(cl: cl, rule: .cls, method: .asymptotic, testStatistic: "qtilde") }

  static func brazil(widthFraction: Double = 0, toyBands: Bool = true, cl: Double = 0.9) -> String {
    func p(_ i: Int, _ m: Double, _ obs: Double?, _ a: Double, _ t: Double?) -> BrazilPoint {
      BrazilPoint(index: i, mass: m, m2: m * m, observed: obs, observedLower: nil, expectedAsymptotic: band(a),
                  expectedToys: toyBands ? t.map(band) : nil, toys: 20, failedToys: [], toyLimits: nil, signalPerFb: 1, background: 1)
    }
    let settings = BrazilSettings(masses: "all", toys: 20, limit: limit(cl), widthFraction: widthFraction)
    return encode(BrazilFile(header: header(settings), masses: [p(0, 0.5, 0.9, 1, 1.1), p(1, 2.0, 0.4, 0.3, 0.35), p(2, 8.0, nil, 30, nil)]))
  }

  static var brazil: String { brazil() }

  static let scan: String = {
    func p(_ i: Int, _ m: Double, _ z: Double, _ p0: Double, _ s: Double) -> ScanPoint {
      ScanPoint(index: i, mass: m, sigmaHat: s, sigmaHatUncertainty: nil, localP0: p0, localZ: z, observed: nil, observedCount: 1, background: 1, fitFailed: false)
    }
    let pts = [p(0, 0.5, 0, 0.5, 0), p(1, 2.0, 2.1, 0.018, 0.3), p(2, 8.0, 0.7, 0.24, 3)]
    return encode(ScanFile(header: header(ScanSettings(masses: "all", limit: limit())), masses: pts, largest: pts[1]))
  }()

  static let lee: String = {
    let z = [2.1, 2.6, 1.9, 3.1, 2.4, 2.2], up = [[9, 6], [8, 7], [7, 5], [10, 6], [9, 5], [8, 6]], at = [3, 9, 1, 4, 2, 8]
    let toys = (0..<6).map { ToyScan(toy: $0, maxZ: z[$0], maxIndex: at[$0], upcrossings: up[$0], failedFits: 0) }
    let gv = GrossVitells(threshold: 1, meanUpcrossings: 5.83, meanUpcrossingsUncertainty: 0.3, globalP: 0.1, globalPUncertainty: 0.01, globalZ: 1.28)
    let observed = GlobalSignificance(localZ: 2.8, localP: 0.00256, globalP: 0.1667, globalPUncertainty: 0.15, globalZ: 0.97, globalZRange: [0.5, 1.5],
                                      trialsFactor: 65, toys: 6, toysAbove: 1, globalZIsLowerBound: false, grossVitells: gv, grossVitellsByThreshold: [])
    let settings = LookElsewhereSettings(toys: 6, blockSize: 2, thresholds: [0.5, 1.0], observedZ: 2.8)
    return encode(LookElsewhereFile(header: header(settings, data: "none"), toys: toys, observed: observed,
                                    maxZEdges: [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4], maxZCounts: [0, 0, 0, 1, 3, 1, 1, 0], thresholds: [0.5, 1.0]))
  }()

  static let coverage: String = {
    func r(_ rule: IntervalRule, _ c: Double, _ lo: Double, _ hi: Double, _ k: Int, _ failed: Int, _ verdict: String) -> RuleCoverage {
      RuleCoverage(rule: rule, coverage: c, lower: lo, upper: hi, verdictInterval: [lo - 0.02, min(1, hi + 0.02)], covered: k, toys: 60, failedToys: failed, verdict: verdict)
    }
    let points = [
      CoveragePoint(index: 0, mass: 1.0, signal: 0, rules: [r(.cls, 1.0, 0.97, 1.0, 60, 0, "over-covers"), r(.fc, 0.9, 0.85, 0.94, 54, 0, "covers")]),
      CoveragePoint(index: 1, mass: 1.0, signal: 5, rules: [r(.cls, 0.93, 0.88, 0.96, 56, 0, "covers"), r(.fc, 0.8, 0.74, 0.85, 48, 1, "under-covers")]),
      CoveragePoint(index: 2, mass: 6.0, signal: 0, rules: [r(.cls, 1.0, 0.97, 1.0, 60, 0, "over-covers")]),
    ]
    let settings = CoverageSettings(masses: [1.0, 6.0], signals: [0, 5], toys: 60, rules: [.cls, .fc], cl: 0.9, verdictCL: 0.95, blockSize: 60)
    return encode(CoverageFile(header: header(settings, data: "none"), blocks: [], points: points))
  }()

  static func info(_ kind: ResultKind) -> ResultInfo { ResultInfo(kind: kind, tool: "zptoys 0.1.0", configuration: "test-config", lumiFb: 79.7) }

  static func couplings(model: String = "invisible", cl: Double = 0.9) -> String {
    func p(_ i: Int, _ m: Double, _ obs: Double?, _ e: Double, _ toys: Bool, _ g2: (Double, Double), _ excludes: Bool, _ valid: Bool) -> CouplingPoint {
      CouplingPoint(index: i, mass: m, sigmaAtUnitCoupling: 1e5, branchingInvisible: 1, observed: obs, expected: band(e), expectedSource: "toys",
                    expectedAsymptotic: band(e), expectedToys: toys ? band(e) : nil, gMinus2: ValueRange(lower: g2.0, upper: g2.1),
                    excludesGMinus2: excludes, narrowWidthValid: valid)
    }
    let points = [p(0, 0.01, 0.002, 0.002, true, (0.0004, 0.0006), false, true), p(1, 1.0, 0.0015, 0.0015, false, (0.002, 0.003), true, true),
                  p(2, 8.0, nil, 0.9, false, (0.02, 0.03), false, false)]
    return encode(CouplingsFile(info: info(CouplingsFile.kind), input: "brazil.json",
                                source: CouplingsSource(file: "brazil.json", configurationSHA256: "abc123", seed: 7, data: "toy", widthFraction: 0),
                                limit: limit(cl), model: model, isr: false, sigmaSource: "table", masses: points, exclusionBasis: "observed",
                                excludedRanges: [ValueRange(lower: 0.5, upper: 4.0)], narrowWidthValidBelow: 6.5, notes: []))
  }

  static var couplings: String { couplings() }

  static let grid = encode(GridFile(info: info(GridFile.kind), hypotheses: [
    HypothesisRecord(index: 0, mass: 0.01, m2: 0.0001, resolution: 0.045), HypothesisRecord(index: 1, mass: 0.2, m2: 0.04, resolution: 0.05),
    HypothesisRecord(index: 2, mass: 0.3, m2: 0.09, resolution: 0.06),
  ]))

  /// Two M² bins × two θ bins per process.
  static let templates: String = {
    func h(_ y: [Double], _ v: [Double]) -> TemplateHistogram { TemplateHistogram(m2Edges: [0.9, 1.0, 1.1], thetaEdges: [0, 90, 180], yields: y, sumw2: v) }
    return encode(TemplatesFile(
      info: info(TemplatesFile.kind), hypothesis: HypothesisRecord(index: 5, mass: 1.0, m2: 1.0, resolution: 0.1), widthFraction: 0,
      templateMC: TemplateMC(seed: 1, signalEvents: 10, backgroundEvents: 20, userInputs: [:]), signalAcceptance: 0.7, signalEfficiency: 0.05,
      signalEventsPerFb: 4, signalPerFb: h([1, 1, 1, 1], [0, 0, 0, 0]),
      backgrounds: ["mumu": h([2, 1, 0.5, 0.5], [0.1, 0.1, 0.1, 0.1]), "eemumu": h([0, 0, 0.2, 0], [0, 0, 0.01, 0])],
      backgroundLabels: ["mumu": "µ^{+}µ^{−}(γ)", "eemumu": "e^{+}e^{−}µ^{+}µ^{−}"], backgroundOrder: ["mumu", "eemumu"]))
  }()

  static let summary = encode(SummaryFile(
    info: info(SummaryFile.kind), seed: 7, limit: limit(), beltToys: nil, hypotheses: 3, brazilToys: 20, leeToys: 6, coverageToys: 60,
    limitsAtSelectedMasses: [SelectedLimit(mass: 0.5, observed: 0.9, expectedAsymptoticMedian: 1.0, expectedToysMedian: 1.1)],
    smallestMedianExpectedLimit: 0.3, smallestMedianExpectedLimitMass: 2.0,
    extremes: LimitExtremes(smallestObserved: LimitAtMass(value: 0.9, mass: 0.5), smallestObservedAsymptotic: LimitAtMass(value: 0.95, mass: 0.5),
                            smallestMedianExpected: LimitAtMass(value: 0.3, mass: 2.0), smallestMedianExpectedAsymptotic: LimitAtMass(value: 0.32, mass: 2.0)),
    methodComparison: nil, couplings: [], assessedExcess: nil, pseudoDataLargestExcess: nil,
    pseudoDataLargestExcessMass: 2.0, coverage: [], seconds: ["templates": 1.0, "brazil": 2.0, "total": 5.0]))

  /// Events of three processes with a θ column, deterministic.
  static var events: String {
    var s = "m2_recoil_gev2,theta_cm_recoil_deg,theta_lab_recoil_deg,true_m2_gev2,true_theta_cm_deg,process\n"
    for i in 0..<600 {
      let x = Double(i)
      let process = i % 10 == 0 ? "mumu" : (i % 10 == 1 ? "tautau" : "eemumu")
      let m2 = process == "mumu" ? (x.truncatingRemainder(dividingBy: 40)) * 0.5 : 20 + (x * 7).truncatingRemainder(dividingBy: 60)
      let theta = 40 + (x * 13).truncatingRemainder(dividingBy: 100)
      s += "\(m2),\(theta),\(theta),\(m2),\(theta),\(process)\n"
    }
    return s
  }

  static func content(_ json: String, path: String = "test.json") throws -> PlotInput.Content {
    try PlotInput.decode(Data(json.utf8), path: path)
  }

  /// A temporary folder.
  static func tempDir() throws -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("zptoys-plot-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }

  /// Parses XML; returns the error, if any, and the element names seen.
  static func parseXML(_ s: String) -> (error: String?, elements: [String: Int]) {
    final class Delegate: NSObject, XMLParserDelegate {
      var elements: [String: Int] = [:]
      func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements[name, default: 0] += 1
      }
    }
    let p = XMLParser(data: Data(s.utf8))
    let d = Delegate()
    p.delegate = d
    let ok = p.parse()
    return (ok ? nil : (p.parserError.map { "\($0)" } ?? "parse failed"), d.elements)
  }
}
