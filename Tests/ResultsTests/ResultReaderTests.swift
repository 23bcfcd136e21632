import Foundation
import Testing
@testable import Results

/// A small brazil file written by the encoder (the layout every study file shares).
func sampleBrazil(cl: Double = 0.9) -> BrazilFile {
  let limit = LimitSettings(cl: cl, rule: .cls, method: .asymptotic, testStatistic: "qtilde")
  let identity = StudyIdentity(
    configuration: "test-config", configurationSHA256: "abc", seed: 7,
    inputs: StudyInputs(lumiFb: 79.7, templateMC: TemplateMC(seed: 1, signalEvents: 10, backgroundEvents: 20, userInputs: [:]), data: "toy"),
    settings: BrazilSettings(masses: "0-1", toys: 5, limit: limit), totalTasks: 2)
  let run = RunInfo(tool: "zptoys test", started: "2026-01-01T00:00:00Z", seconds: 1, threads: 2, host: "h", resumedTasks: 0)
  let band = Band(minus2: 0.5, minus1: 0.7, median: 1, plus1: 1.4, plus2: 2)
  let points = (0..<2).map {
    BrazilPoint(index: $0, mass: Double($0 + 1), m2: Double(($0 + 1) * ($0 + 1)), observed: $0 == 0 ? 0.9 : nil, observedLower: nil,
                expectedAsymptotic: band, expectedToys: $0 == 0 ? band : nil, toys: 5, failedToys: [], toyLimits: nil, signalPerFb: 3, background: 4)
  }
  return BrazilFile(header: StudyHeader(identity: identity, shard: nil, tasks: [0, 1], run: run), masses: points)
}

func json(_ value: some Encodable) throws -> String {
  let e = JSONEncoder()
  e.outputFormatting = [.sortedKeys]
  return String(decoding: try e.encode(value), as: UTF8.self)
}

func readError(_ text: String, path: String = "b.json") -> String {
  do {
    _ = try ResultReader.decode(BrazilFile.self, from: Data(text.utf8), path: path)
    return ""
  } catch {
    return "\(error)"
  }
}

@Suite("Result files: typed, versioned, read strictly")
struct ResultReaderTests {
  @Test("A file written by the encoder reads back equal, with its CL, rule, method and units")
  func roundTrip() throws {
    let b = sampleBrazil(cl: 0.95)
    let back = try ResultReader.decode(BrazilFile.self, from: Data(try json(b).utf8), path: "b.json")
    #expect(back.masses == b.masses && back.header == b.header)
    #expect(back.settings.limit.clText == "95% CL" && back.settings.limit.rule == .cls && back.settings.limit.method == .asymptotic)
    #expect(back.units == .standard && back.lumiFb == 79.7 && back.configuration == "test-config")
  }

  @Test("A missing key is an error naming the file and the key — also for a value that may be null")
  func missingKey() throws {
    let text = try json(sampleBrazil())
    #expect(readError(text.replacingOccurrences(of: "\"cl\":0.9,", with: "")) == "b.json: missing key identity.settings.limit.cl")
    // `observed` is null when there are no data, but the key must be there.
    let noObserved = text.replacingOccurrences(of: "\"observed\":null,", with: "")
    #expect(readError(noObserved) == "b.json: missing key masses[1].observed")
    #expect(readError(text.replacingOccurrences(of: "\"expected_asymptotic\"", with: "\"expected_asymptotic_x\"")).contains("missing key masses[0].expected_asymptotic"))
  }

  @Test("An unknown (misspelt or renamed) key is an error naming it, never ignored")
  func unknownKey() throws {
    let text = try json(sampleBrazil())
    let e = readError(text.replacingOccurrences(of: "\"cl\":0.9,", with: "\"cl\":0.9,\"cll\":0.95,"))
    #expect(e.hasPrefix("b.json: unknown key identity.settings.limit.cll"), "\(e)")
    #expect(readError(text.replacingOccurrences(of: "{\"background_events\":4", with: "{\"extra\":1,\"background_events\":4")).contains("unknown key masses[0].extra"))
  }

  @Test("Wrong types, other format versions, old files, other units and other kinds are refused with the reason")
  func refused() throws {
    let text = try json(sampleBrazil())
    #expect(readError(text.replacingOccurrences(of: "\"cl\":0.9", with: "\"cl\":\"0.9\"")) == "b.json: identity.settings.limit.cl has the wrong type (expected a number)")
    let v = ResultFormat.version
    #expect(readError(text.replacingOccurrences(of: "\"format_version\":\(v)", with: "\"format_version\":\(v + 1)")).contains("result format \(v + 1); this zptoys reads format \(v)"))
    #expect(readError(text.replacingOccurrences(of: "\"format_version\":\(v)", with: "\"format_version\":2")).contains("result format 2; this zptoys reads format \(v)"))
    #expect(readError("{\"study\": \"brazil\", \"format\": \"zptoys-study-1\"}").contains("written by an older zptoys (format zptoys-study-1)"))
    #expect(readError(text.replacingOccurrences(of: "\"cross_section\":\"fb\"", with: "\"cross_section\":\"pb\"")).contains("units cross sections in pb"))
    #expect(readError(text.replacingOccurrences(of: "\"study\":\"brazil\"", with: "\"study\":\"scan\"")).contains("is a scan file, not a brazil file"))
    #expect(readError("{\"study\": \"nope\", \"format_version\": \(v)}") == "b.json is a nope file, not a brazil file")
    #expect(readError("{\"hello\": 1}").contains("not a ZPrimeToys result file"))
    #expect(readError("[1, 2]").contains("expected a JSON object"))
    #expect(readError("{ broken").contains("b.json is not valid JSON"))
    #expect(readError(text.replacingOccurrences(of: "\"rule\":\"cls\"", with: "\"rule\":\"clss\"")).contains("identity.settings.limit.rule"))
  }

  @Test("Identities differ key by key, naming the typed settings")
  func differences() {
    let a = sampleBrazil().header.identity
    var b = a
    b.seed = 8
    var s = a.settings.value(as: BrazilSettings.self)!
    s.limit.cl = 0.95
    b.settings = AnyStudySettings(s)
    #expect(a.differences(from: b) == ["seed 7 ≠ 8", "settings.limit.cl 0.9 ≠ 0.95"])
    #expect(a.differences(from: a).isEmpty)
  }

  @Test("An identity read without its settings' type (a checkpoint's header) equals the typed one, and types them back")
  func untypedIdentity() throws {
    let typed = sampleBrazil().header.identity
    let raw = try JSONDecoder().decode(StudyIdentity.self, from: JSONEncoder().encode(typed))
    #expect(raw.settings.typed == nil && raw == typed)
    #expect(raw.settings.value(as: BrazilSettings.self) == typed.settings.value(as: BrazilSettings.self))
    #expect(raw.settings.value(as: CoverageSettings.self) == nil)
    var other = raw
    other.totalTasks = 3
    #expect(other != typed)
  }

  @Test("Vocabulary: percentages, rule labels, bands")
  func vocabulary() {
    #expect(LimitSettings.percent(0.9) == "90" && LimitSettings.percent(0.955) == "95.5" && LimitSettings.percent(0.6827) == "68.27")
    #expect(IntervalRule.fc.isInterval && !IntervalRule.cls.isInterval && IntervalRule.clsb.markup == "CL_{s+b}")
    let b = Band([1, 2, 3, 4, 5])
    #expect(b.median == 3 && b.map { $0 * 2 }.values == [2, 4, 6, 8, 10] && b.named.map(\.0) == ["minus2", "minus1", "median", "plus1", "plus2"])
    #expect(Units.markup("GeV^2") == "GeV^{2}" && Units.markup("fb^-1") == "fb^{−1}")
  }
}
