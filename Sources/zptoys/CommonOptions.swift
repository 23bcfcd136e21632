import ArgumentParser
import Experiment
import Foundation

/// Options every command takes (the command-line contract of docs/ARCHITECTURE.md).
struct CommonOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Experiment configuration (YAML). Default: the embedded Belle II 2019–2020 configuration.", valueName: "file"))
  var config: String?

  @Option(name: .long, help: "Master seed: with the same seed every result is reproduced bit for bit.")
  var seed: UInt64 = 1

  @Option(name: .long, help: "Worker threads (default: all cores). Results do not depend on it.")
  var threads: Int?

  @Flag(name: .long, help: "Machine-readable JSON on stdout instead of text.")
  var json = false

  func validate() throws {
    if let t = threads, t < 1 || t > 4096 {
      throw ValidationError("--threads must be between 1 and 4096, got \(t)")
    }
  }

  /// The configuration these options name (the embedded default when --config is absent).
  func loadConfiguration() throws -> ExperimentConfig {
    if let path = config { return try ExperimentConfig.load(path: path) }
    return try ExperimentConfig.embeddedDefault()
  }

  var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }
}
