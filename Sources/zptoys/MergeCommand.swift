import ArgumentParser
import Foundation
import Studies
import _Support

struct MergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Merge the shards of a study into the result of one unsharded run.",
    discussion: """
      Checks that the files come from the same study, configuration, seed, inputs and settings, \
      refuses duplicated shards or tasks, and names the missing tasks (and shards) of an \
      incomplete set. The merged file equals the unsharded run's, but for the run metadata.
      Example:  zptoys merge b.1.json b.2.json b.3.json --out b.json
      """
  )

  @OptionGroup var common: CommonOptions

  @Argument(help: "Shard result files.")
  var files: [String]

  @Option(help: "Merged result file (written atomically).")
  var out: String

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give the shard files to merge") }
  }

  func run() throws {
    var inputs: [(path: String, data: Data)] = []
    for f in files {
      guard let d = FileManager.default.contents(atPath: f) else { throw CLIError("\(f): cannot be read") }
      inputs.append((f, d))
    }
    let merged: any StudyOutput
    do {
      merged = try StudyFiles.mergeAny(files: inputs, studies: ZPToys.studies)
      try StudyFiles.write(merged, to: out)
    } catch let e as StudyError {
      throw CLIError(e.description)
    }
    let study = merged.header.study.rawValue, tasks = merged.header.tasks.count
    if common.json {
      print(try JSONOutput.string(["merged": out, "study": study, "files": "\(files.count)", "tasks": "\(tasks)"]))
    } else {
      print("merged \(files.count) files of \(study) (\(tasks) tasks) into \(out)")
    }
  }
}
