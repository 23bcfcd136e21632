import Foundation
import Results
import _Support

public struct StudyError: Error, CustomStringConvertible {
  public let description: String
  public init(_ d: String) { description = d }
}

/// Runs a study's tasks in parallel with checkpointing.
///
/// Every finished task is appended as one JSON line to `<out>.partial` (after a header line with
/// the study's identity and shard) and synced to disk; `resume` reads the file back, keeps the
/// tasks whose lines are complete and valid, and runs only the rest. A run killed at any moment
/// (even by SIGKILL) therefore loses at most the tasks in flight, and the resumed result is the
/// same as an uninterrupted one. The final result file is written atomically by the caller,
/// after which the partial file is removed.
///
/// Nothing is lost silently: one run at a time writes an output (``OutputLock``, `<out>.lock`,
/// held from the start of ``run(resume:restart:progress:makeState:_:)`` until
/// ``removeCheckpoint()``), and an existing checkpoint is continued (`resume`) or replaced
/// (`restart`) only when asked — otherwise the run refuses and says how many tasks it holds.
public final class StudyRunner<Result: Codable & Sendable> {
  public let identity: StudyIdentity
  public let shard: Shard
  public let partialPath: String?
  public let threads: Int
  public let label: String
  public private(set) var resumed = 0
  private var lock: OutputLock?

  struct Header: Codable {
    var identity: StudyIdentity
    var shard: Shard
  }

  struct Line: Codable {
    var task: Int
    var result: Result
  }

  public init(identity: StudyIdentity, shard: Shard, output: String?, threads: Int, label: String) {
    self.identity = identity
    self.shard = shard
    partialPath = output.map { $0 + ".partial" }
    self.threads = threads
    self.label = label
  }

  /// The shard's tasks among 0..<identity.totalTasks.
  public var ownTasks: [Int] { (0..<identity.totalTasks).filter(shard.owns) }

  /// Loads finished tasks from the partial file (when resuming and it matches this study). An
  /// existing checkpoint is removed only with `restart`; without `resume` or `restart` it is an
  /// error that says what it holds.
  func loadCheckpoint(resume: Bool, restart: Bool = false) throws -> [Int: Result] {
    guard let path = partialPath, FileManager.default.fileExists(atPath: path) else { return [:] }
    if restart {
      do { try FileManager.default.removeItem(atPath: path) } catch {
        throw StudyError("cannot remove the checkpoint \(path) for --restart: \(error.localizedDescription)")
      }
      return [:]
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw StudyError("\(path): the checkpoint cannot be read (permissions?)")
    }
    let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
    guard resume else {
      let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date).map {
        ", last written \(ISO8601DateFormatter().string(from: $0))"
      } ?? ""
      throw StudyError(
        "\(path): a checkpoint of an earlier run exists (\(max(0, lines.count - 1)) finished tasks\(modified)); continue it with --resume, or discard it and start afresh with --restart")
    }
    guard let first = lines.first else { return [:] }
    let decoder = JSONDecoder()
    guard let header = try? decoder.decode(Header.self, from: Data(first)) else {
      throw StudyError("\(path): not a ZPrimeToys checkpoint (unreadable header); delete it to start afresh")
    }
    guard header.identity == identity, header.shard == shard else {
      throw StudyError("\(path): the checkpoint is of another study, configuration, seed, settings or shard; delete it or run with the same options")
    }
    var done: [Int: Result] = [:]
    for raw in lines.dropFirst() {
      // A line cut short by a kill does not decode: that task simply runs again.
      guard let line = try? decoder.decode(Line.self, from: Data(raw)), shard.owns(line.task), line.task < identity.totalTasks else { continue }
      done[line.task] = line.result
    }
    return done
  }

  /// Runs the shard's tasks not yet done; returns every result of the shard, by task.
  public func run<State>(resume: Bool, restart: Bool = false, progress: ProgressReporter?, makeState: @Sendable () throws -> State,
                         _ body: @Sendable (Int, inout State) throws -> Result) throws -> [Int: Result] {
    if let path = partialPath, lock == nil {
      lock = try OutputLock.acquire(output: String(path.dropLast(".partial".count)))
    }
    let done = try loadCheckpoint(resume: resume, restart: restart)
    resumed = done.count
    let todo = ownTasks.filter { done[$0] == nil }
    var handle: FileHandle? = nil
    if let path = partialPath {
      if !FileManager.default.fileExists(atPath: path) || resumed == 0 {
        let header = try JSONEncoder().encode(Header(identity: identity, shard: shard))
        guard FileManager.default.createFile(atPath: path, contents: header + Data("\n".utf8)) else {
          throw StudyError("cannot write the checkpoint \(path) (is the folder writable?)")
        }
      }
      handle = FileHandle(forWritingAtPath: path)
      guard let h = handle else { throw StudyError("cannot open the checkpoint \(path) for writing") }
      h.seekToEndOfFile()
      // Make sure the next line starts on its own (the file may end in a line cut by a kill).
      h.write(Data("\n".utf8))
    }
    defer { try? handle?.close() }
    progress?.start(total: ownTasks.count, alreadyDone: resumed)
    let sink = CheckpointSink(results: done, handle: handle, progress: progress)
    _ = try Parallel.map(count: todo.count, threads: threads, makeState: makeState) { j, state -> Bool in
      let t = todo[j]
      let r = try body(t, &state)
      let line = try JSONEncoder().encode(Line(task: t, result: r)) + Data("\n".utf8)
      sink.record(task: t, result: r, line: line)
      return true
    }
    progress?.finish()
    return try sink.finish()
  }

  /// Where finished tasks go, from any worker: the results so far and the checkpoint file, under
  /// one lock (one line per task, synced, so a kill loses at most the tasks in flight).
  private final class CheckpointSink: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: Result]
    private let handle: FileHandle?
    private let progress: ProgressReporter?
    private var writeError: (any Error)?

    init(results: [Int: Result], handle: FileHandle?, progress: ProgressReporter?) {
      self.results = results
      self.handle = handle
      self.progress = progress
    }

    func record(task t: Int, result r: Result, line: Data) {
      lock.lock()
      defer { lock.unlock() }
      results[t] = r
      if let h = handle {
        do {
          try h.write(contentsOf: line)
          try h.synchronize()
        } catch {
          if writeError == nil { writeError = error }
        }
      }
      progress?.advance()
    }

    func finish() throws -> [Int: Result] {
      if let e = writeError { throw StudyError("writing the checkpoint failed: \(e)") }
      return results
    }
  }

  /// Removes the checkpoint once the final result is safely written, and releases the output.
  public func removeCheckpoint() {
    if let p = partialPath { try? FileManager.default.removeItem(atPath: p) }
    lock?.release()
    lock = nil
  }

  deinit { lock?.release() }
}

/// One writer per output: `<out>.lock`, created exclusively (O_CREAT | O_EXCL), holds the pid,
/// host and start time of the run that writes `<out>` and its checkpoint. A second run refuses,
/// naming the first. A lock whose process is gone (same host, the pid no longer running) is stale:
/// it is replaced, with a note on stderr. A lock from another host cannot be checked and is
/// never replaced automatically.
public final class OutputLock: @unchecked Sendable {
  public let path: String
  private var held = true

  private init(path: String) { self.path = path }

  struct Owner: Codable {
    var pid: Int32
    var host: String
    var started: String
    var command: String
  }

  public static func acquire(output: String) throws -> OutputLock {
    let path = output + ".lock"
    let me = Owner(pid: getpid(), host: hostName(), started: ISO8601DateFormatter().string(from: Date()),
                   command: CommandLine.arguments.joined(separator: " "))
    let text = try JSONEncoder().encode(me) + Data("\n".utf8)
    for _ in 0..<3 {
      let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
      if fd >= 0 {
        let ok = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) == $0.count }
        close(fd)
        guard ok else {
          unlink(path)
          throw StudyError("cannot write the lock \(path) (disk full?)")
        }
        return OutputLock(path: path)
      }
      guard errno == EEXIST else {
        throw StudyError("cannot create the lock \(path): \(String(cString: strerror(errno))) (is the folder writable?)")
      }
      let other = FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode(Owner.self, from: $0) }
      guard let other else {
        // Being written this very moment by another run, or not a lock of ours.
        usleep(200_000)
        if let again = FileManager.default.contents(atPath: path), (try? JSONDecoder().decode(Owner.self, from: again)) != nil { continue }
        throw StudyError("\(path) exists but is not a ZPrimeToys lock; remove it if no run writes \(output)")
      }
      if other.host == me.host && !isRunning(other.pid) {
        FileHandle.standardError.write(Data(
          "note: removing the stale lock \(path) of pid \(other.pid) (started \(other.started)), which is no longer running\n".utf8))
        unlink(path)
        continue
      }
      throw StudyError(
        "\(output) is being written by another run: pid \(other.pid) on \(other.host), started \(other.started) (\(other.command)). Wait for it to finish, or, if that run is gone, remove \(path)")
    }
    throw StudyError("cannot take the lock \(path): other runs keep creating it")
  }

  /// Removes the lock (only ours: the file still names this process).
  public func release() {
    guard held else { return }
    held = false
    if let data = FileManager.default.contents(atPath: path), let owner = try? JSONDecoder().decode(Owner.self, from: data),
       owner.pid == getpid(), owner.host == OutputLock.hostName() {
      unlink(path)
    }
  }

  deinit { release() }

  static func isRunning(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0 || errno == EPERM
  }

  static func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    gethostname(&buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}

/// A progress line on stderr: done/total, rate and time left — redrawn in place on a terminal,
/// one line every 10% otherwise (batch logs).
public final class ProgressReporter: @unchecked Sendable {
  let label: String
  let unit: String
  let isTTY: Bool
  var total = 0
  var done = 0
  var startDone = 0
  var t0 = Date()
  var lastPrint = Date.distantPast
  var lastDecile = -1
  let lock = NSLock()
  public var enabled = true

  public init(label: String, unit: String) {
    self.label = label
    self.unit = unit
    isTTY = isatty(STDERR_FILENO) != 0
  }

  func start(total: Int, alreadyDone: Int) {
    lock.lock(); defer { lock.unlock() }
    self.total = total
    done = alreadyDone
    startDone = alreadyDone
    t0 = Date()
    if enabled && alreadyDone > 0 {
      FileHandle.standardError.write(Data("[\(label)] resuming: \(alreadyDone) of \(total) \(unit) already done\n".utf8))
    }
  }

  func advance() {
    lock.lock(); defer { lock.unlock() }
    done += 1
    guard enabled else { return }
    let now = Date()
    let elapsed = now.timeIntervalSince(t0)
    let rate = Double(done - startDone) / max(elapsed, 1e-9)
    let left = rate > 0 ? Double(total - done) / rate : 0
    let line = "[\(label)] \(done)/\(total) \(unit), \(String(format: rate >= 10 ? "%.0f" : "%.2f", rate))/s, \(Self.duration(elapsed)) elapsed, \(Self.duration(left)) left"
    if isTTY {
      if now.timeIntervalSince(lastPrint) > 0.2 || done == total {
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        lastPrint = now
      }
    } else {
      let decile = total > 0 ? done * 10 / total : 10
      if decile != lastDecile {
        lastDecile = decile
        FileHandle.standardError.write(Data("\(line)\n".utf8))
      }
    }
  }

  func finish() {
    lock.lock(); defer { lock.unlock() }
    if enabled && isTTY && total > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
  }

  static func duration(_ s: Double) -> String {
    if s < 60 { return String(format: "%.1fs", s) }
    if s < 3600 { return "\(Int(s) / 60)m\(String(format: "%02d", Int(s) % 60))s" }
    return "\(Int(s) / 3600)h\(String(format: "%02d", (Int(s) % 3600) / 60))m"
  }
}
