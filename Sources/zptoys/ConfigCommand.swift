import ArgumentParser
import Experiment
import Foundation

struct ConfigCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "config",
    abstract: "Show or check an experiment configuration.",
    discussion: """
      The configuration is YAML; its schema is documented in toys/CONFIGURATION.md. Start from \
      the default:  zptoys config show > my.yaml  then edit, check with  zptoys config check my.yaml  \
      and pass --config my.yaml to any command.
      """,
    subcommands: [Show.self, Check.self],
    defaultSubcommand: Show.self
  )

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the configuration in force (the embedded default unless --config).")
    @OptionGroup var common: CommonOptions

    func run() throws {
      let config = try common.loadConfiguration()
      print(config.sourceText, terminator: config.sourceText.hasSuffix("\n") ? "" : "\n")
    }
  }

  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate a configuration file; errors name the field and the reason.")
    @Argument(help: "The YAML file to check.") var file: String

    func run() throws {
      let config = try ExperimentConfig.load(path: file)
      let grid = MassGrid(config: config)
      print("\(file): valid (\(config.name)); \(grid.count) mass hypotheses from \(fmt(grid.hypotheses.first!.mass)) to \(fmt(grid.hypotheses.last!.mass)) GeV")
    }
  }
}

func fmt(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)g", x) }
