/// A run-time error of a command (bad input found after parsing): printed as "Error: …" with a
/// non-zero exit status, without the usage text that argument errors get.
struct CLIError: Error, CustomStringConvertible {
  let description: String
  init(_ message: String) { description = message }
}
