import ArgumentParser
import Foundation
import Results
import Studies

/// Options of every study: output, sharding, resuming, progress.
struct StudyOptions: ParsableArguments {
  @Option(help: "Result file (JSON, written atomically; a checkpoint OUT.partial is kept while running).")
  var out: String?

  @Option(help: ArgumentHelp("Run only shard K of N (tasks t with t mod N = K−1); `zptoys merge` joins the shards.", valueName: "K/N"))
  var shard: String?

  @Flag(help: "Continue an interrupted run from OUT.partial without redoing or losing tasks.")
  var resume = false

  @Flag(help: "Discard an existing checkpoint OUT.partial and start afresh (without --resume or --restart, a run refuses to touch one).")
  var restart = false

  @Flag(name: .customLong("no-progress"), help: "No progress line on stderr.")
  var noProgress = false

  func validate() throws {
    if let s = shard { _ = try parsedShard(s) }
    if resume && out == nil { throw ValidationError("--resume needs --out (the checkpoint is OUT.partial)") }
    if restart && out == nil { throw ValidationError("--restart needs --out (the checkpoint is OUT.partial)") }
    if resume && restart { throw ValidationError("--resume continues the checkpoint and --restart discards it: give one of them") }
    if let o = out {
      let dir = URL(fileURLWithPath: o).deletingLastPathComponent().path
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
        throw ValidationError("--out \(o): the folder \(dir) does not exist")
      }
    }
  }

  func parsedShard(_ s: String) throws -> Shard {
    do { return try Shard.parse(s) } catch let e as StudyError { throw ValidationError(e.description) }
  }

  var parsed: Shard { shard.flatMap { try? Shard.parse($0) } ?? .whole }

  func progress(label: String, unit: String, json: Bool) -> ProgressReporter? {
    if noProgress { return nil }
    return ProgressReporter(label: label, unit: unit)
  }
}
