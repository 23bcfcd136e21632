import ArgumentParser

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
    version: ToolVersion.string,
    subcommands: ZPToys.commands
  )

  /// The command tree, in the order of the data flow.
  static let commands: [ParsableCommand.Type] = [
    ConfigCommand.self,
    GridCommand.self,
    GenerateCommand.self,
    TemplatesCommand.self,
    WorkspaceCommand.self,
    XsecCommand.self,
    CouplingsCommand.self,
    BenchCommand.self,
    FitCommand.self,
    HypotestCommand.self,
    LimitCommand.self,
    ScanCommand.self,
    BrazilCommand.self,
    LeeCommand.self,
    CoverageCommand.self,
    MergeCommand.self,
    PlotCommand.self,
    ReportCommand.self,
    RunCommand.self,
  ]
}

enum ToolVersion {
  static let string = "0.1.0"
}
