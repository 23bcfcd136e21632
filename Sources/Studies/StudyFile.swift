import Foundation
import Results
import _Support

/// A study's result file that can be written, sharded and merged: the file type of `Results`
/// plus how its summary is computed from the per-task results.
public protocol StudyOutput: StudyFile {
  /// Builds the file from per-task results (all tasks for a complete result), computing any
  /// summary from them: unsharded runs and merges go through this one function, so a merge of
  /// N shards equals the unsharded result.
  static func assemble(header: StudyHeader, results: [TaskResult]) throws -> Self
}

extension Shard {
  /// `K/N` with 1 ≤ K ≤ N ≤ 100,000.
  public static func parse(_ s: String) throws -> Shard {
    let p = s.split(separator: "/")
    guard p.count == 2, let k = Int(p[0]), let n = Int(p[1]), n >= 1, k >= 1, k <= n, n <= 100_000 else {
      throw StudyError("--shard takes K/N with 1 ≤ K ≤ N (e.g. 3/10), got \"\(s)\"")
    }
    return Shard(index: k, count: n)
  }
}

public enum StudyFiles {
  public static func runInfo(started: Date, threads: Int, resumed: Int) -> RunInfo {
    var host = [CChar](repeating: 0, count: 256)
    gethostname(&host, 255)
    let f = ISO8601DateFormatter()
    return RunInfo(tool: ToolInfo.nameAndVersion, started: f.string(from: started), seconds: Date().timeIntervalSince(started),
                   threads: threads, host: String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), resumedTasks: resumed)
  }

  /// Writes a result file atomically (JSON, sorted keys).
  public static func write<S: ResultFile>(_ s: S, to path: String) throws {
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
        parts.append((f.path, try ResultReader.decode(S.self, from: f.data, path: f.path)))
      } catch let e as ResultError {
        throw StudyError("not a readable \(S.study) result: \(e)")
      }
    }
    guard let first = parts.first else { throw StudyError("merge needs at least one file") }
    let identity = first.1.header.identity
    var seenShards: [Shard: String] = [:]
    var byTask: [Int: (S.TaskResult, String)] = [:]
    for (path, p) in parts {
      guard p.header.identity == identity else {
        let diff = identity.differences(from: p.header.identity)
        throw StudyError("\(path) does not come from the same study as \(first.0): \(diff.isEmpty ? "identities differ" : diff.joined(separator: "; "))")
      }
      if let sh = p.header.shard {
        if let other = seenShards[sh] { throw StudyError("\(path) and \(other) are the same shard \(sh)") }
        seenShards[sh] = path
      }
      let results = p.taskResults
      guard p.header.tasks.count == results.count else { throw StudyError("\(path): \(p.header.tasks.count) tasks but \(results.count) results") }
      for (t, r) in zip(p.header.tasks, results) {
        if let (_, other) = byTask[t] { throw StudyError("task \(t) appears in both \(other) and \(path): duplicate shards?") }
        guard t >= 0, t < identity.totalTasks else { throw StudyError("\(path): task \(t) outside the study (0 to \(identity.totalTasks - 1))") }
        byTask[t] = (r, path)
      }
    }
    try checkComplete(total: identity.totalTasks, done: Set(byTask.keys), shards: Set(seenShards.keys))
    let tasks = Array(0..<identity.totalTasks)
    var header = first.1.header
    header.shard = nil
    header.tasks = tasks
    header.mergedFrom = parts.map(\.0)
    header.run.seconds = parts.map(\.1.header.run.seconds).reduce(0, +)
    header.run.resumedTasks = parts.map(\.1.header.run.resumedTasks).reduce(0, +)
    return try S.assemble(header: header, results: tasks.map { byTask[$0]!.0 })
  }

  /// Throws for missing tasks, naming them and the shards that own them.
  static func checkComplete(total: Int, done: Set<Int>, shards: Set<Shard>) throws {
    // `done` holds tasks in 0..<total only, so the count is exact; the first missing ones are
    // found within done.count + 20 steps (a file may claim any total: never walk all of it).
    let missingCount = total - done.count
    guard missingCount > 0 else { return }
    var firstMissing: [Int] = []
    var t = 0
    while firstMissing.count < 20 && t < total {
      if !done.contains(t) { firstMissing.append(t) }
      t += 1
    }
    let counts = Set(shards.map(\.count))
    var hint = ""
    if counts.count == 1, let n = counts.first, n <= 100_000 {
      let absent = (1...n).filter { k in !shards.contains(Shard(index: k, count: n)) }
      if !absent.isEmpty { hint = "; shards missing: " + absent.map { "\($0)/\(n)" }.joined(separator: ", ") }
    }
    let list = firstMissing.map(String.init).joined(separator: ", ") + (missingCount > firstMissing.count ? ", …" : "")
    throw StudyError("incomplete: \(missingCount) of \(total) tasks missing (tasks \(list))\(hint)")
  }

  /// Merges shard files of any of `studies` (picked by the files' `study` key).
  public static func mergeAny(files: [(path: String, data: Data)], studies: [any StudyOutput.Type]) throws -> any StudyOutput {
    var study: StudyKind?
    for f in files {
      let kind: StudyKind
      do { kind = try ResultReader.kind(of: try ResultReader.object(f.data, path: f.path), path: f.path) } catch let e as ResultError {
        throw StudyError("not a ZPrimeToys study result: \(e)")
      }
      if let st = study, st != kind { throw StudyError("\(f.path) is a \(kind) result, the others are \(st)") }
      study = kind
    }
    guard let s = study else { throw StudyError("merge needs at least one file") }
    guard let type = studies.first(where: { $0.study == s }) else {
      throw StudyError("unknown study \"\(s)\" (studies: \(studies.map { "\($0.study)" }.joined(separator: ", ")))")
    }
    return try merge(type, files: files)
  }
}

/// Runs a study's shard with checkpoints and assembles its file.
public enum StudyDriver {
  public static func run<S: StudyOutput, State>(
    _ type: S.Type, identity: StudyIdentity, shard: Shard, output: String?, threads: Int, resume: Bool, restart: Bool = false,
    progress: ProgressReporter?, makeState: @Sendable () throws -> State, task: @Sendable (Int, inout State) throws -> S.TaskResult
  ) throws -> S {
    let started = Date()
    // Resuming a run that already finished: its result file is the answer.
    if resume, let path = output, let data = FileManager.default.contents(atPath: path),
       let done = try? ResultReader.decode(S.self, from: data, path: path), done.header.identity == identity,
       done.header.shard == (shard.count > 1 ? shard : nil) {
      return done
    }
    let runner = StudyRunner<S.TaskResult>(identity: identity, shard: shard, output: output, threads: threads, label: S.study.rawValue)
    let results = try runner.run(resume: resume, restart: restart, progress: progress, makeState: makeState, task)
    let tasks = runner.ownTasks
    let header = StudyHeader(identity: identity, shard: shard.count > 1 ? shard : nil, tasks: tasks,
                             run: StudyFiles.runInfo(started: started, threads: threads, resumed: runner.resumed))
    let out = try S.assemble(header: header, results: tasks.map { results[$0]! })
    if let path = output {
      try StudyFiles.write(out, to: path)
      runner.removeCheckpoint()
    }
    return out
  }
}
