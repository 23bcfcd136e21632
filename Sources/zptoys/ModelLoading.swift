import Foundation
import Likelihood

/// Reads a pyhf workspace file into a model; errors name the file and the JSON path.
func loadModel(_ path: String, measurement: String? = nil) throws -> Model {
  do {
    return try Model(workspace: try Workspace.load(path: path), measurement: measurement)
  } catch let e as WorkspaceError {
    var e = e
    if e.file == nil { e.file = path }
    throw CLIError(e.description)
  }
}

/// Replaces non-finite numbers by nil for JSON output (a NaN never reaches a result file).
func finiteOrNil(_ x: Double) -> Double? { x.isFinite ? x : nil }
