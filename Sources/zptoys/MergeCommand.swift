import ArgumentParser
import Foundation
import Studies
import _Support

struct MergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Merge the shards of a study into the result of one unsharded run.",
    discussion: """
      Checks that the files come from the same study, configuration, seed and settings, refuses \
      duplicated shards or tasks, and names the missing tasks (and shards) of an incomplete set. \
      The merged file equals the unsharded run's, but for the run metadata.
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
    var study: String? = nil
    for f in files {
      guard let d = FileManager.default.contents(atPath: f) else { throw CLIError("\(f): cannot be read") }
      guard let obj = try? JSONSerialization.jsonObject(with: d) as? [String: Any], let s = obj["study"] as? String else {
        throw CLIError("\(f): not a ZPrimeToys study result (no \"study\" key)")
      }
      if let st = study, st != s { throw CLIError("\(f) is a \(s) result, the others are \(st)") }
      study = s
      inputs.append((f, d))
    }
    do {
      switch study! {
      case BrazilOutput.studyName: try write(StudyFiles.merge(BrazilOutput.self, files: inputs))
      case LookElsewhereOutput.studyName: try write(StudyFiles.merge(LookElsewhereOutput.self, files: inputs))
      case CoverageOutput.studyName: try write(StudyFiles.merge(CoverageOutput.self, files: inputs))
      case MassScanOutput.studyName: try write(StudyFiles.merge(MassScanOutput.self, files: inputs))
      default: throw CLIError("unknown study \"\(study!)\"")
      }
    } catch let e as StudyError {
      throw CLIError(e.description)
    }
  }

  func write<S: StudyOutput>(_ s: S) throws {
    try StudyFiles.write(s, to: out)
    if common.json {
      print(try JSONOutput.string(["merged": out, "study": S.studyName, "files": "\(files.count)", "tasks": "\(s.header.tasks.count)"]))
    } else {
      print("merged \(files.count) files of \(S.studyName) (\(s.header.tasks.count) tasks) into \(out)")
    }
  }
}
