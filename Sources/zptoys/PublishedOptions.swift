import ArgumentParser
import Foundation
import Studies

/// `--workspace BKG.json --patchset PATCHES.json [--patches SPEC] [--measurement NAME]`: a
/// study over the patches of a published likelihood (the pyhf patchset format HEPData uses)
/// instead of the configuration's search windows.
struct PublishedOptions: ParsableArguments {
  @Option(help: ArgumentHelp("With --patchset: the background-only pyhf workspace the patches apply to.", valueName: "bkg.json"))
  var workspace: String?

  @Option(help: ArgumentHelp("A pyhf patchset (HEPData's format): the study runs over its patches, each the workspace with one signal added, instead of the search windows.", valueName: "patches.json"))
  var patchset: String?

  @Option(help: "With --patchset: which patches — all, positions (0-3,7) or patch names.")
  var patches: String = "all"

  @Option(help: "With --patchset: the measurement of the workspace to use (default: the first).")
  var measurement: String?

  var isSet: Bool { patchset != nil }

  func validate() throws {
    guard (workspace == nil) == (patchset == nil) else {
      throw ValidationError("--workspace and --patchset go together: the background-only workspace and its patchset")
    }
    if !isSet && (patches != "all" || measurement != nil) { throw ValidationError("--patches and --measurement apply with --patchset") }
  }

  /// Refuses the options of the search windows when a patchset is given.
  func refuseWindowOptions(_ given: [(String, Bool)]) throws {
    guard isSet else { return }
    if let (name, _) = given.first(where: \.1) {
      throw ValidationError("\(name) applies to the configuration's search windows, not to a published likelihood (--patchset)")
    }
  }

  /// The patches selected, as a study's hypotheses.
  func hypotheses() throws -> PatchHypotheses {
    do {
      let p = try Patchset(workspace: workspace!, patchset: patchset!)
      return try PatchHypotheses(patchset: p, selection: patches, measurement: measurement)
    } catch let e as StudyError { throw CLIError(e.description) }
  }
}
