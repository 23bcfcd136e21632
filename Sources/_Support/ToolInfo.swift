/// The tool's name and version: the one place they are written (result files, `--version`,
/// HEPData comments and benchmarks read them here).
public enum ToolInfo {
  public static let version = "0.2.0"
  /// "zptoys 0.2.0", as recorded in every result file.
  public static var nameAndVersion: String { "zptoys \(version)" }
}
