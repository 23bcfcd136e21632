import Foundation

/// A workspace that cannot be read or turned into a model: what is wrong and where.
///
/// `path` is a JSON path into the document in the notation of the pyhf schema
/// (`channels[1].samples[0].modifiers[2]`); it is empty for a problem with the document as a
/// whole. The description reads, for example,
/// `W.json: channels[1].samples[0].modifiers[2]: unknown type "foo"`.
public struct WorkspaceError: Error, CustomStringConvertible, Equatable, Sendable {
  /// JSON path of the offending value (empty: the whole document).
  public var path: String
  /// What is wrong, in words a user can act on.
  public var message: String
  /// The file the workspace came from, when known.
  public var file: String?

  public init(path: String, message: String, file: String? = nil) {
    self.path = path
    self.message = message
    self.file = file
  }

  public var description: String {
    var parts: [String] = []
    if let file { parts.append(file) }
    if !path.isEmpty { parts.append(path) }
    parts.append(message)
    return parts.joined(separator: ": ")
  }

  /// The same error, attributed to `file`.
  func inFile(_ file: String) -> WorkspaceError {
    var e = self
    e.file = file
    return e
  }
}

/// JSON paths as the error messages print them: `channels[1].samples[0].data`.
enum JSONPath {
  static func string(_ codingPath: [any CodingKey]) -> String {
    var out = ""
    for key in codingPath {
      if let i = key.intValue {
        out += "[\(i)]"
      } else {
        if !out.isEmpty { out += "." }
        out += key.stringValue
      }
    }
    return out
  }

  /// Turns Foundation's decoding errors into ``WorkspaceError`` with a readable path.
  static func workspaceError(from error: any Error) -> WorkspaceError {
    if let e = error as? WorkspaceError { return e }
    guard let decodingError = error as? DecodingError else {
      return WorkspaceError(path: "", message: "\(error)")
    }
    switch decodingError {
    case .typeMismatch(let type, let context):
      return WorkspaceError(
        path: string(context.codingPath), message: "expected \(describe(type))" + detail(context))
    case .valueNotFound(let type, let context):
      return WorkspaceError(
        path: string(context.codingPath), message: "expected \(describe(type)), found null")
    case .keyNotFound(let key, let context):
      return WorkspaceError(path: string(context.codingPath), message: "missing key \"\(key.stringValue)\"")
    case .dataCorrupted(let context):
      if context.codingPath.isEmpty {
        var reason = context.debugDescription
        if let underlying = context.underlyingError as NSError? {
          reason += " (\(underlying.localizedDescription))"
        }
        return WorkspaceError(path: "", message: "not valid JSON: \(reason)")
      }
      return WorkspaceError(path: string(context.codingPath), message: context.debugDescription)
    @unknown default:
      return WorkspaceError(path: "", message: "\(decodingError)")
    }
  }

  private static func describe(_ type: Any.Type) -> String {
    switch type {
    case is Double.Type, is Float.Type, is Int.Type: return "a number"
    case is String.Type: return "a string"
    case is Bool.Type: return "true or false"
    case is [Double].Type: return "an array of numbers"
    default:
      let name = "\(type)"
      if name.hasPrefix("Array") { return "an array" }
      if name.hasPrefix("Dictionary") { return "an object" }
      return "an object (\(name))"
    }
  }

  private static func detail(_ context: DecodingError.Context) -> String {
    let d = context.debugDescription
    if let r = d.range(of: "but found") { return " " + d[r.lowerBound...].trimmingCharacters(in: .punctuationCharacters) }
    return ""
  }
}
