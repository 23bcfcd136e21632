import Foundation
import Testing

@testable import Plotting

@Suite("Axis ticks")
struct AxisTests {
  func labels(_ t: [Axis.Tick]) -> [String] { t.compactMap(\.label) }

  @Test("a linear range gets 1, 2, 2.5 or 5 × 10ⁿ steps and ≤ maxMajor labels")
  func linearSteps() {
    #expect(Axis.niceStep(0, 8.5, maxMajor: 8) == 2)
    #expect(Axis.niceStep(0, 1, maxMajor: 8) == 0.2)
    #expect(Axis.niceStep(0, 180, maxMajor: 8) == 50 || Axis.niceStep(0, 180, maxMajor: 8) == 25)
    #expect(Axis.niceStep(0, 0.03, maxMajor: 6) == 0.01)
    for (lo, hi) in [(0.0, 8.5), (0.7, 1.02), (-3.0, 17.0), (0.0, 1e-3), (1e4, 3e4)] {
      let t = Axis.linearTicks(lo, hi, maxMajor: 8)
      let majors = t.filter(\.major)
      #expect(majors.count >= 2 && majors.count <= 8, "\(lo)–\(hi): \(majors.count) majors")
      #expect(t.allSatisfy { $0.value >= lo - 1e-12 && $0.value <= hi + 1e-12 })
      #expect(majors.allSatisfy { $0.label != nil } && t.filter { !$0.major }.allSatisfy { $0.label == nil })
    }
  }

  @Test("linear labels: fixed decimals, U+2212 minus, minor ticks between majors")
  func linearLabels() {
    #expect(labels(Axis.linearTicks(0, 8.5)) == ["0", "2", "4", "6", "8"])
    #expect(labels(Axis.linearTicks(0, 1)) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    #expect(labels(Axis.linearTicks(-1, 1)) == ["−1.0", "−0.5", "0.0", "0.5", "1.0"])
    // Step 2 → four minor intervals: minors at 0.5, 1, 1.5 between 0 and 2.
    let t = Axis.linearTicks(0, 2.1, maxMajor: 3)
    #expect(t.filter { !$0.major }.map(\.value).prefix(3) == [0.5, 1.0, 1.5])
  }

  @Test("log axes: a labelled tick per decade, minors at 2…9 × 10ⁿ")
  func logDecades() {
    let t = Axis.logTicks(1e-3, 1e2)
    #expect(labels(t) == ["10^{−3}", "10^{−2}", "10^{−1}", "10^{0}", "10^{1}", "10^{2}"])
    #expect(t.filter(\.major).count == 6)
    #expect(t.filter { !$0.major }.count == 5 * 8)
    let minors = t.filter { !$0.major && $0.value < 1e-2 }.map(\.value)
    for (k, v) in minors.enumerated() { #expect(abs(v - Double(k + 2) * 1e-3) < 1e-15) }
  }

  @Test("log axes over many decades label every k-th decade; short ranges label 2× and 5×")
  func logSparseAndShort() {
    let many = Axis.logTicks(1e-10, 1e10, maxMajor: 8)
    #expect(labels(many) == ["10^{−10}", "10^{−7}", "10^{−4}", "10^{−1}", "10^{2}", "10^{5}", "10^{8}"])
    let short = Axis.logTicks(0.2, 0.9)
    #expect(labels(short) == ["0.2", "0.5"])
    let oneDecade = Axis.logTicks(1, 10)
    #expect(labels(oneDecade) == ["10^{0}", "2", "5", "10^{1}"])
  }

  @Test("positions: linear and log fractions; a log axis cannot show values ≤ 0")
  func fractions() {
    let lin = Axis(label: "x", lower: 0, upper: 10)
    #expect(lin.fraction(2.5) == 0.25)
    let log = Axis(label: "y", scale: .log, lower: 0.1, upper: 1000)
    #expect(abs(log.fraction(1)! - 0.25) < 1e-12)
    #expect(log.fraction(0) == nil && log.fraction(-1) == nil)
  }

  @Test("ranges with headroom: whole decades below, 1-2-5 above, data in the lower part")
  func headroom() {
    let (lo, hi) = Axis.logRangeWithHeadroom([0.3, 50], dataFraction: 0.65)
    #expect(lo == 0.1)
    #expect(log10(50 / lo) / log10(hi / lo) <= 0.65 + 1e-9)
    #expect([1.0, 2, 5].contains { abs(hi / pow(10, floor(log10(hi) + 1e-9)) - $0) < 1e-9 })
    let (a, b) = Axis.linearRangeWithHeadroom([3.2], lower: 0, dataFraction: 0.8)
    #expect(a == 0 && b >= 4 && b <= 5)
  }
}
