import Foundation

/// An unreadable result file: the message names the file and, where there is one, the key.
public struct ResultError: Error, CustomStringConvertible, Equatable, Sendable {
  public let description: String
  public init(_ message: String) { description = message }
}

/// Reads result files strictly: the JSON must be an object of the expected kind and format
/// version, every key the type has must be present (optional values are written as null, never
/// left out) and no key the type does not know may appear. A renamed or misspelt key is therefore
/// an error naming the file and the key — never a default.
///
/// The key check is generic: the decoded value is encoded again and the two key trees are
/// compared, so every Codable type of this module is checked the same way without a list of its
/// keys. (A key whose value is null and that the type leaves out when nil is accepted.)
public enum ResultReader {
  /// Reads and decodes a result file of type `T`.
  public static func read<T: ResultFile>(_ type: T.Type, path: String) throws -> T {
    try decode(T.self, from: try contents(path), path: path)
  }

  /// Decodes result bytes as `T` (`path` names the file in messages).
  public static func decode<T: ResultFile>(_ type: T.Type, from data: Data, path: String) throws -> T {
    let top = try object(data, path: path)
    let kind = try self.kind(of: top, path: path)
    try checkVersion(top, path: path)
    guard kind == T.kind else { throw ResultError("\(path) is a \(kind) file, not a \(T.kind) file") }
    let value = try decodeChecked(T.self, from: data, top: top, path: path)
    guard value.units == .standard else {
      throw ResultError("\(path): units \(describe(value.units)); this zptoys reads \(describe(.standard))")
    }
    return value
  }

  /// The file's bytes; a clear error for a missing file or a folder.
  public static func contents(_ path: String) throws -> Data {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
      throw ResultError("\(path) is a folder, not a result file")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ResultError("cannot read \(path): no such file or not readable")
    }
    return data
  }

  /// The top-level JSON object.
  public static func object(_ data: Data, path: String) throws -> [String: Any] {
    let top: Any
    do {
      top = try JSONSerialization.jsonObject(with: data)
    } catch {
      throw ResultError("\(path) is not valid JSON (\((error as NSError).localizedDescription); NaN and infinities are not JSON)")
    }
    guard let dict = top as? [String: Any] else { throw ResultError("\(path): expected a JSON object at the top level") }
    return dict
  }

  /// The kind of a result file from its top-level keys (`study` or `kind`); whether it is a
  /// known kind is for the caller to say (the types it can read).
  public static func kind(of top: [String: Any], path: String) throws -> ResultKind {
    let name = (top["study"] as? String) ?? (top["kind"] as? String)
    guard let name else {
      let keys = top.keys.sorted().prefix(8).joined(separator: ", ")
      throw ResultError("\(path): not a ZPrimeToys result file (no \"study\" or \"kind\" key; keys: \(keys))")
    }
    return ResultKind(rawValue: name)
  }

  /// Throws unless the file is of this zptoys' format version.
  public static func checkVersion(_ top: [String: Any], path: String) throws {
    guard let version = top["format_version"] as? Int else {
      let old = (top["format"] as? String).map { " (format \($0))" } ?? ""
      throw ResultError("\(path): no format_version: written by an older zptoys\(old); this one reads result format \(ResultFormat.version) — rerun the study")
    }
    guard version == ResultFormat.version else {
      throw ResultError("\(path): result format \(version); this zptoys reads format \(ResultFormat.version)")
    }
  }

  /// Decodes `T` and checks its keys against the input's.
  static func decodeChecked<T: Codable>(_ type: T.Type, from data: Data, top: [String: Any], path: String) throws -> T {
    let value: T
    do {
      value = try JSONDecoder().decode(T.self, from: data)
    } catch let e as DecodingError {
      throw ResultError("\(path): \(describe(e))")
    }
    let again = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value))
    if let problem = KeyTree.compare(input: top, written: again, at: []) { throw ResultError("\(path): \(problem)") }
    return value
  }

  /// The one formatter of decoding errors: "missing key masses[3].expected_asymptotic",
  /// "identity.settings.cl has the wrong type (expected a number)", …
  public static func describe(_ e: DecodingError) -> String {
    switch e {
    case .keyNotFound(let k, let c): return "missing key \(keyPath(c.codingPath + [k]))"
    case .valueNotFound(let t, let c): return "\(keyPath(c.codingPath)) is null; expected \(typeName(t))"
    case .typeMismatch(let t, let c): return "\(keyPath(c.codingPath)) has the wrong type (expected \(typeName(t)))"
    case .dataCorrupted(let c):
      let reason = (c.underlyingError as NSError?)?.localizedDescription ?? c.debugDescription
      return c.codingPath.isEmpty ? "invalid data: \(reason)" : "\(keyPath(c.codingPath)): \(reason)"
    @unknown default: return "\(e)"
    }
  }

  /// "masses[3].expected_asymptotic.median" for a coding path ("the top level" when empty).
  public static func keyPath(_ path: [any CodingKey]) -> String {
    KeyTree.render(path.map { $0.intValue.map(KeyTree.Step.index) ?? .key($0.stringValue) })
  }

  static func typeName(_ t: Any.Type) -> String {
    if t == Double.self || t == Int.self || t == UInt64.self { return "a number" }
    if t == String.self { return "a string" }
    if t == Bool.self { return "true or false" }
    return "\(t)"
  }

  static func describe(_ u: Units) -> String {
    "cross sections in \(u.crossSection), masses in \(u.mass), M² in \(u.massSquared), luminosity in \(u.luminosity), angles in \(u.angle)"
  }
}

/// Comparing the key trees of two JSON values (the input and the decoded value written again).
enum KeyTree {
  enum Step { case key(String), index(Int) }

  static func render(_ path: [Step]) -> String {
    var s = ""
    for step in path {
      switch step {
      case .index(let i): s += "[\(i)]"
      case .key(let k): s += s.isEmpty ? k : ".\(k)"
      }
    }
    return s.isEmpty ? "the top level" : s
  }

  /// The first key present in one tree and not the other, as a message; nil when they agree.
  static func compare(input: Any, written: Any, at path: [Step]) -> String? {
    switch (input, written) {
    case (let a as [String: Any], let b as [String: Any]):
      for key in b.keys.sorted() where a[key] == nil { return "missing key \(render(path + [.key(key)]))" }
      for key in a.keys.sorted() {
        guard let wb = b[key] else {
          if a[key] is NSNull { continue }
          return "unknown key \(render(path + [.key(key)])) (a misspelt or renamed key?)"
        }
        if let p = compare(input: a[key]!, written: wb, at: path + [.key(key)]) { return p }
      }
      return nil
    case (let a as [Any], let b as [Any]):
      for (i, (x, y)) in zip(a, b).enumerated() {
        if let p = compare(input: x, written: y, at: path + [.index(i)]) { return p }
      }
      return nil
    default:
      return nil
    }
  }
}
