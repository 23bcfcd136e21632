import Foundation
import _Support

/// What every study's result file holds besides its results: the format, the study's identity
/// (configuration, seed, settings), the shard and tasks it covers, and the run's metadata.
public struct StudyHeader: Codable, Sendable {
  public var format: String = "zptoys-study-1"
  public var study: String
  public var identity: StudyIdentity
  /// nil for a complete (unsharded or merged) result.
  public var shard: Shard?
  /// The task numbers this file covers, in order; one result per task.
  public var tasks: [Int]
  public var run: RunInfo
  /// Shards merged into this file (empty unless it was produced by `zptoys merge`).
  public var mergedFrom: [String]

  enum CodingKeys: String, CodingKey {
    case format, study, identity, shard, tasks, run, mergedFrom = "merged_from"
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(format, forKey: .format)
    try c.encode(study, forKey: .study)
    try c.encode(identity, forKey: .identity)
    try c.encode(shard, forKey: .shard)
    try c.encode(tasks, forKey: .tasks)
    try c.encode(run, forKey: .run)
    try c.encode(mergedFrom, forKey: .mergedFrom)
  }
}

/// A study whose results can be written, sharded and merged.
public protocol StudyOutput: Codable, Sendable {
  associatedtype TaskResult: Codable & Sendable
  static var studyName: String { get }
  var header: StudyHeader { get set }
  /// The per-task results, in the order of `header.tasks`.
  var taskResults: [TaskResult] { get }
  /// Builds the file from per-task results (all tasks for a complete result), computing any
  /// summary from them: unsharded runs and merges go through this one function, so a merge of
  /// N shards equals the unsharded result.
  static func assemble(header: StudyHeader, results: [TaskResult]) throws -> Self
}

public enum StudyFiles {
  public static func now() -> String {
    let f = ISO8601DateFormatter()
    return f.string(from: Date())
  }

  public static func runInfo(started: Date, threads: Int, resumed: Int) -> RunInfo {
    var host = [CChar](repeating: 0, count: 256)
    gethostname(&host, 255)
    let f = ISO8601DateFormatter()
    return RunInfo(tool: "zptoys \(ToolInfo.version)", started: f.string(from: started), seconds: Date().timeIntervalSince(started),
                   threads: threads, host: String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), resumedTasks: resumed)
  }

  /// Writes a study's file atomically (JSON, sorted keys).
  public static func write<S: StudyOutput>(_ s: S, to path: String) throws {
    try AtomicFile.write(try JSONOutput.encode(s) + Data("\n".utf8), to: path)
  }

  /// Merges shard files of one study into the complete result.
  ///
  /// Refuses files of other studies, configurations, seeds or settings, the same shard or task
  /// twice, and incomplete sets (naming the missing tasks and the shards that own them).
  public static func merge<S: StudyOutput>(_ type: S.Type, files: [(path: String, data: Data)]) throws -> S {
    var parts: [(String, S)] = []
    for f in files {
      do {
        parts.append((f.path, try JSONDecoder().decode(S.self, from: f.data)))
      } catch {
        throw StudyError("\(f.path): not a readable \(S.studyName) result (\(describe(error)))")
      }
    }
    guard let first = parts.first else { throw StudyError("merge needs at least one file") }
    let identity = first.1.header.identity
    var seenShards: [Shard: String] = [:]
    var byTask: [Int: (S.TaskResult, String)] = [:]
    for (path, p) in parts {
      guard p.header.identity == identity else {
        let diff = differences(identity, p.header.identity)
        throw StudyError("\(path) does not come from the same study as \(first.0): \(diff)")
      }
      if let sh = p.header.shard {
        if let other = seenShards[sh] { throw StudyError("\(path) and \(other) are the same shard \(sh)") }
        seenShards[sh] = path
      }
      guard p.header.tasks.count == p.taskResults.count else { throw StudyError("\(path): \(p.header.tasks.count) tasks but \(p.taskResults.count) results") }
      for (t, r) in zip(p.header.tasks, p.taskResults) {
        if let (_, other) = byTask[t] { throw StudyError("task \(t) appears in both \(other) and \(path): duplicate shards?") }
        guard t >= 0, t < identity.totalTasks else { throw StudyError("\(path): task \(t) outside the study (0 to \(identity.totalTasks - 1))") }
        byTask[t] = (r, path)
      }
    }
    let missing = (0..<identity.totalTasks).filter { byTask[$0] == nil }
    if !missing.isEmpty {
      let counts = Set(seenShards.keys.map(\.count))
      var hint = ""
      if counts.count == 1, let n = counts.first {
        let absent = (1...n).filter { k in !seenShards.keys.contains(Shard(index: k, count: n)) }
        if !absent.isEmpty { hint = "; shards missing: " + absent.map { "\($0)/\(n)" }.joined(separator: ", ") }
      }
      let list = missing.prefix(20).map(String.init).joined(separator: ", ") + (missing.count > 20 ? ", …" : "")
      throw StudyError("incomplete: \(missing.count) of \(identity.totalTasks) tasks missing (tasks \(list))\(hint)")
    }
    let tasks = Array(0..<identity.totalTasks)
    var header = first.1.header
    header.shard = nil
    header.tasks = tasks
    header.mergedFrom = parts.map(\.0)
    header.run.seconds = parts.map(\.1.header.run.seconds).reduce(0, +)
    header.run.resumedTasks = parts.map(\.1.header.run.resumedTasks).reduce(0, +)
    return try S.assemble(header: header, results: tasks.map { byTask[$0]!.0 })
  }

  static func differences(_ a: StudyIdentity, _ b: StudyIdentity) -> String {
    var d: [String] = []
    if a.study != b.study { d.append("study \(a.study) ≠ \(b.study)") }
    if a.configurationSHA256 != b.configurationSHA256 { d.append("configuration \(a.configuration) (\(a.configurationSHA256.prefix(12))) ≠ \(b.configuration) (\(b.configurationSHA256.prefix(12)))") }
    if a.seed != b.seed { d.append("seed \(a.seed) ≠ \(b.seed)") }
    for k in Set(a.settings.keys).union(b.settings.keys).sorted() where a.settings[k] != b.settings[k] {
      d.append("\(k) \(a.settings[k] ?? "—") ≠ \(b.settings[k] ?? "—")")
    }
    if a.totalTasks != b.totalTasks { d.append("total tasks \(a.totalTasks) ≠ \(b.totalTasks)") }
    return d.isEmpty ? "identities differ" : d.joined(separator: "; ")
  }

  static func describe(_ e: Error) -> String {
    switch e {
    case DecodingError.keyNotFound(let k, let c): return "missing key \((c.codingPath + [k]).map(\.stringValue).joined(separator: "."))"
    case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
      return "wrong type at \(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
    case DecodingError.dataCorrupted(let c): return "not valid JSON: \(c.debugDescription)"
    default: return "\(e)"
    }
  }
}

