import Foundation
import Results

/// A JUnit XML report — the format GitLab, GitHub Actions' test reporters and Jenkins read: one
/// `<testsuite>` with one `<testcase>` per check, and a `<failure>` in each check that fails.
public struct JUnitReport: Sendable {
  public struct Case: Sendable {
    public var name: String
    public var className: String
    /// nil when the check passes; else why it fails.
    public var failure: String?
    /// The check's numbers, shown by CI systems beside the case.
    public var output: String
    public init(name: String, className: String, failure: String?, output: String) {
      self.name = name
      self.className = className
      self.failure = failure
      self.output = output
    }
  }

  public var suite: String
  public var cases: [Case]
  public var seconds: Double

  public init(suite: String, cases: [Case], seconds: Double) {
    self.suite = suite
    self.cases = cases
    self.seconds = seconds
  }

  public var failures: Int { cases.filter { $0.failure != nil }.count }

  /// XML 1.0 text; every name and message escaped.
  public func xml(timestamp: Date = Date()) -> String {
    func esc(_ s: String) -> String {
      s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&apos;")
    }
    let stamp = ISO8601DateFormatter().string(from: timestamp)
    var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    x += "<testsuites name=\"zptoys\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(String(format: "%.3f", seconds))\">\n"
    x += "  <testsuite name=\"\(esc(suite))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\" timestamp=\"\(stamp)\" time=\"\(String(format: "%.3f", seconds))\">\n"
    for c in cases {
      x += "    <testcase name=\"\(esc(c.name))\" classname=\"\(esc(c.className))\" time=\"0\">\n"
      if let f = c.failure { x += "      <failure message=\"\(esc(f))\" type=\"check\">\(esc(f))</failure>\n" }
      x += "      <system-out>\(esc(c.output))</system-out>\n    </testcase>\n"
    }
    return x + "  </testsuite>\n</testsuites>\n"
  }
}

/// What a coverage check requires of every point and rule (`zptoys coverage --require`).
public enum CoverageRequirement: String, Sendable, CaseIterable {
  /// The verdict is "covers": the Clopper–Pearson interval contains the nominal CL.
  case covers
  /// The verdict is not "under-covers" (over-coverage, as CLs has by construction, passes).
  case noUndercoverage = "no-undercoverage"

  public func passes(_ verdict: String) -> Bool {
    switch self {
    case .covers: verdict == "covers"
    case .noUndercoverage: verdict != "under-covers"
    }
  }
}

/// What a pull check requires of every point (`zptoys pulls --require`).
public enum PullRequirement: String, Sendable, CaseIterable {
  /// The pull mean is consistent with |mean| ≤ tolerance (and the distribution not truncated
  /// at the POI's lower bound).
  case unbiased
  /// That, and the pull width with 1 ± tolerance.
  case calibrated

  public func passes(_ verdict: String) -> Bool {
    let problems = Set(verdict.components(separatedBy: ", "))
    switch self {
    case .unbiased: return problems.isDisjoint(with: ["biased", "bounded", "too few toys"])
    case .calibrated: return verdict == "unbiased"
    }
  }
}

extension CoverageFile {
  /// One case per point and rule: "M = 2.3520 GeV, σ = 1: cls".
  public func junit(requiring r: CoverageRequirement) -> JUnitReport {
    let cases = points.flatMap { p in
      p.rules.map { c in
        JUnitReport.Case(
          name: "\(p.label.text), σ = \(String(format: "%g", p.signal)): \(c.rule.rawValue)", className: "coverage.\(configuration)",
          failure: r.passes(c.verdict) ? nil : "\(c.verdict) (required: \(r.rawValue)): coverage \(String(format: "%.4f", c.coverage)), \(LimitSettings.percent(settings.verdictCL))% Clopper–Pearson [\(String(format: "%.4f", c.verdictInterval.first ?? .nan)), \(String(format: "%.4f", c.verdictInterval.last ?? .nan))], nominal \(LimitSettings.percent(settings.cl))%",
          output: "coverage \(c.coverage) [\(c.lower), \(c.upper)] (68%), \(c.covered) of \(c.toys) toys, \(c.failedToys) failed, verdict \(c.verdict)")
      }
    }
    return JUnitReport(suite: "zptoys coverage (\(configuration))", cases: cases, seconds: header.run.seconds)
  }
}

extension PullsFile {
  /// One case per point: "M = 2.3520 GeV, σ = 1".
  public func junit(requiring r: PullRequirement) -> JUnitReport {
    let cases = points.map { p in
      let m = p.pull.pull
      let numbers = String(format: "pull mean %.4f ± %.4f, width %.4f ± %.4f over %d toys (%d failed); σ̂ mean %.5g (injected %g)",
                           m.mean, m.meanUncertainty, m.width, m.widthUncertainty, m.count, p.failedToys, p.sigmaHat.mean, p.signal)
      return JUnitReport.Case(name: "\(p.label.text), σ = \(String(format: "%g", p.signal))", className: "pulls.\(configuration)",
                              failure: r.passes(p.pull.verdict) ? nil : "\(p.pull.verdict) (required: \(r.rawValue), tolerance \(settings.tolerance)): \(numbers)",
                              output: numbers + ", verdict \(p.pull.verdict)")
    }
    return JUnitReport(suite: "zptoys pulls (\(configuration))", cases: cases, seconds: header.run.seconds)
  }
}
