import ArgumentParser
import Results
import Studies
import _Support

/// The root command only configures the command tree (one file per subcommand).
@main
struct ZPToys: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "zptoys",
    abstract: "Toys, likelihoods and limits for the Belle II invisible-Z′ search (e+e− → µ+µ−Z′).",
    discussion: """
      Every command reads the experiment configuration (--config FILE, default: the embedded \
      Belle II 2019–2020 configuration, see `zptoys config show`), takes --seed for \
      reproducible randomness and --json for machine-readable output on stdout. Errors go \
      to stderr with a non-zero exit status.
      """,
    version: ToolInfo.version,
    groupedSubcommands: [
      CommandGroup(name: "Model", subcommands: [
        ConfigCommand.self, GridCommand.self, GenerateCommand.self, TemplatesCommand.self, WorkspaceCommand.self,
      ]),
      CommandGroup(name: "Statistics", subcommands: [FitCommand.self, HypotestCommand.self, LimitCommand.self]),
      CommandGroup(name: "Studies", subcommands: [
        ScanCommand.self, BrazilCommand.self, LeeCommand.self, CoverageCommand.self, PullsCommand.self, ProjectCommand.self, MergeCommand.self, RunCommand.self,
      ]),
      CommandGroup(name: "Physics", subcommands: [XsecCommand.self, CouplingsCommand.self]),
      CommandGroup(name: "Output", subcommands: [PlotCommand.self, ReportCommand.self]),
      CommandGroup(name: "Tools", subcommands: [BenchCommand.self]),
    ]
  )

  /// The studies' result files, for `zptoys merge` (each study registers its file here and its
  /// command above).
  static let studies: [any StudyOutput.Type] = [BrazilFile.self, ScanFile.self, LookElsewhereFile.self, CoverageFile.self, PullsFile.self, ProjectionFile.self]

  /// Negative numbers are option values (`--mass -1`), not unknown options.
  static func main() {
    main(MassInput.joiningNegativeNumbers(Array(CommandLine.arguments.dropFirst())))
  }
}
