import Foundation
import Testing

@testable import Plotting

/// The path of a headless-capable Chromium (Debian's `chromium`), or nil.
let chromiumPath: String? = {
  let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
  for name in ["chromium", "chromium-browser", "google-chrome"] {
    for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
      return "\(dir)/\(name)"
    }
  }
  return nil
}()

@Suite("HTML report")
struct ReportTests {
  /// A results folder with every synthetic result file.
  func resultsFolder() throws -> String {
    let dir = try Fixtures.tempDir()
    let files = ["brazil.json": Fixtures.brazil, "scan.json": Fixtures.scan, "lee.json": Fixtures.lee, "coverage.json": Fixtures.coverage,
                 "couplings_invisible.json": Fixtures.couplings, "grid.json": Fixtures.grid, "summary.json": Fixtures.summary]
    for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
    let wide = Fixtures.brazil(widthFraction: 0.1)
    try wide.write(toFile: dir + "/brazil_wide.json", atomically: true, encoding: .utf8)
    return dir
  }

  func report(_ dir: String) throws -> Report {
    var events = Report.EventInputs()
    events.data = try EventTable.parse(Data(Fixtures.events.utf8), path: "e.csv")
    events.map = events.data
    events.label = ExperimentLabel(configuration: "test-config", luminosity: 79.7)
    return try Report(directory: dir, events: events)
  }

  @Test("one self-contained page: every plot inline, the tables, links to the data files")
  func page() throws {
    let dir = try resultsFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try report(dir)
    #expect(r.problems.isEmpty, "\(r.problems)")
    #expect(r.plots.map(\.file) == ["brazil.svg", "couplings_invisible.svg", "scan.svg", "lee.svg", "lee_survival.svg", "coverage.svg",
                                    "grid.svg", "spectrum.svg", "recoil_map.svg"])
    let html = r.html()
    #expect(html.components(separatedBy: "<svg ").count - 1 == r.plots.count)
    #expect(!html.contains("<script") && !html.contains("src=\"http") && !html.contains("<?xml"))
    for s in ["Cross-section limits", "Global significance", "Coverage", "under-covers", "Coupling limits", "0.500–4.000 GeV",
              "href=\"brazil.json\"", "seed", "79.7 fb", "Run", "wide-Z′ benchmark of brazil_wide.json", "0.1 M"] {
      #expect(html.contains(s), "report lacks \(s)")
    }
    // The page is well-formed enough for an XML parser once the doctype is dropped.
    let body = html.replacingOccurrences(of: "<!DOCTYPE html>\n", with: "").replacingOccurrences(of: "<meta charset=\"utf-8\">", with: "<meta charset=\"utf-8\"/>")
      .replacingOccurrences(of: "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", with: "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>")
    #expect(Fixtures.parseXML(body).error == nil)
  }

  @Test("The report's CL, rule and method come from the files (a 95% CL run says 95% CL)")
  func clFromFiles() throws {
    let dir = try resultsFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Fixtures.brazil(cl: 0.95).write(toFile: dir + "/brazil.json", atomically: true, encoding: .utf8)
    try Fixtures.couplings(cl: 0.95).write(toFile: dir + "/couplings_invisible.json", atomically: true, encoding: .utf8)
    let html = try report(dir).html()
    #expect(html.contains("95% CL upper limits (CLs, asymptotic)"))
    #expect(!html.contains("95% CL upper limits (CLs, asymptotic) on σ") || !html.contains("90% CL upper limits (CLs, asymptotic) on σ"))
  }

  @Test("a folder without result files is refused; an unreadable file is listed, not fatal")
  func problems() throws {
    let empty = try Fixtures.tempDir()
    defer { try? FileManager.default.removeItem(atPath: empty) }
    #expect(throws: PlotError.self) { try Report(directory: empty) }
    #expect(throws: PlotError.self) { try Report(directory: empty + "/nope") }
    let dir = try resultsFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "{ broken".write(toFile: dir + "/scan.json", atomically: true, encoding: .utf8)
    let r = try report(dir)
    #expect(r.problems.map(\.0) == ["scan.json"])
    #expect(r.html().contains("Problems"))
  }

  /// Renders the report in headless Chromium and counts the SVG elements in its DOM. Skipped
  /// (with the reason printed) when Chromium is not installed — except in CI (CI=true), where a
  /// missing Chromium fails the test: CI installs it (.ci/run) so that this check runs.
  /// `Validation/check_report.sh` runs the same check on a real `zptoys run --quick`.
  @Test("headless Chromium shows every plot", .enabled(if: chromiumPath != nil || ProcessInfo.processInfo.environment["CI"] == "true", "chromium is not installed (Debian: apt-get install chromium); see Validation/check_report.sh"))
  func chromium() throws {
    guard chromiumPath != nil else {
      Issue.record("CI=true but chromium is not installed: CI must run this check (.ci/run installs Debian's chromium)")
      return
    }
    let dir = try resultsFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try report(dir)
    try r.html().write(toFile: dir + "/report.html", atomically: true, encoding: .utf8)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: chromiumPath!)
    p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=\(dir)/profile",
                   "--virtual-time-budget=5000", "--dump-dom", "file://\(dir)/report.html"]
    // The DOM goes to a file, not a pipe: a helper process that outlives a killed browser cannot
    // then block the read. Chromium must not hang the suite: 90 s at most.
    let domPath = dir + "/dom.html"
    _ = FileManager.default.createFile(atPath: domPath, contents: nil)
    let out = try #require(FileHandle(forWritingAtPath: domPath))
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let deadline = Date().addingTimeInterval(90)
    while p.isRunning, Date() < deadline { usleep(100_000) }
    if p.isRunning {
      p.terminate()
      Issue.record("chromium did not finish within 90 s")
    }
    try out.close()
    let dom = try String(contentsOfFile: domPath, encoding: .utf8)
    let svgs = dom.components(separatedBy: "<svg ").count - 1
    #expect(svgs == r.plots.count, "Chromium's DOM has \(svgs) <svg> elements, the report \(r.plots.count) plots")
    #expect(dom.contains("Brazil") || dom.contains("Cross-section limits"))
  }
}
