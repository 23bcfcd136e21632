import Yams

/// A strict reader over a parsed YAML tree that names the path of every bad field.
///
/// Unknown keys are errors (a misspelt key must not silently fall back to a default).
struct YAMLReader {
  let source: String
  let node: Node
  let path: String
  /// Keys read so far from a mapping, to report the unknown ones.
  private let seen: Box

  final class Box { var keys: Set<String> = [] }

  init(source: String, node: Node, path: String = "") {
    self.source = source
    self.node = node
    self.path = path
    self.seen = Box()
  }

  func error(_ reason: String, at field: String? = nil) -> ConfigError {
    ConfigError(source: source, field: field ?? path, reason: reason)
  }

  private func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  var mapping: Node.Mapping? { node.mapping }

  func has(_ key: String) -> Bool { node.mapping?[key] != nil }

  /// The sub-reader at `key`; throws when absent.
  func at(_ key: String) throws -> YAMLReader {
    guard let map = node.mapping else { throw error("expected a mapping (key: value pairs)") }
    seen.keys.insert(key)
    guard let sub = map[key] else { throw error("missing required field", at: child(key)) }
    return YAMLReader(source: source, node: sub, path: child(key))
  }

  func optional(_ key: String) throws -> YAMLReader? {
    guard let map = node.mapping else { throw error("expected a mapping (key: value pairs)") }
    seen.keys.insert(key)
    guard let sub = map[key], sub != Node("~"), sub.null == nil else { return nil }
    return YAMLReader(source: source, node: sub, path: child(key))
  }

  /// Throws on keys of this mapping that were never read.
  func rejectUnknownKeys() throws {
    guard let map = node.mapping else { return }
    for (k, _) in map {
      let key = k.string ?? "\(k)"
      if !seen.keys.contains(key) {
        let known = seen.keys.sorted().joined(separator: ", ")
        throw error("unknown field (known fields here: \(known))", at: child(key))
      }
    }
  }

  func double() throws -> Double {
    guard let s = node.scalar else { throw error("expected a number") }
    let text = s.string.trimmingCharacters(in: .whitespaces).lowercased()
    if [".nan", "nan", ".inf", "-.inf", "+.inf", "inf", "-inf"].contains(text) {
      throw error("must be a finite number, got \(s.string)")
    }
    guard let v = Double(s.string.trimmingCharacters(in: .whitespaces)), v.isFinite else {
      throw error("expected a number, got \"\(s.string)\"")
    }
    return v
  }

  func int() throws -> Int {
    guard let s = node.scalar, let v = Int(s.string.trimmingCharacters(in: .whitespaces)) else {
      throw error("expected a whole number, got \(node.scalar.map { "\"\($0.string)\"" } ?? "a non-scalar")")
    }
    return v
  }

  func string() throws -> String {
    guard let s = node.scalar else { throw error("expected a string") }
    return s.string
  }

  func array() throws -> [YAMLReader] {
    guard let seq = node.sequence else { throw error("expected a list") }
    return seq.enumerated().map { YAMLReader(source: source, node: $0.element, path: "\(path)[\($0.offset)]") }
  }

  func doubles() throws -> [Double] { try array().map { try $0.double() } }
  func strings() throws -> [String] { try array().map { try $0.string() } }

  /// The key–value pairs of a mapping, in the document's order (every key counts as read).
  func entries() throws -> [(key: String, value: YAMLReader)] {
    guard let map = node.mapping else { throw error("expected a mapping (key: value pairs)") }
    return map.map { k, v in
      let key = k.string ?? "\(k)"
      seen.keys.insert(key)
      return (key, YAMLReader(source: source, node: v, path: child(key)))
    }
  }

  func double(_ key: String) throws -> Double { try at(key).double() }
  func int(_ key: String) throws -> Int { try at(key).int() }
  func string(_ key: String) throws -> String { try at(key).string() }
  func doubles(_ key: String) throws -> [Double] { try at(key).doubles() }
  func strings(_ key: String) throws -> [String] { try at(key).strings() }
  func bool(_ key: String) throws -> Bool {
    let r = try at(key)
    switch try r.string() {
    case "true": return true
    case "false": return false
    case let other: throw r.error("expected true or false, got \"\(other)\"")
    }
  }

  /// A two-element list [low, high] with low < high.
  func range(_ key: String) throws -> ClosedRange<Double> {
    let r = try at(key)
    let v = try r.doubles()
    guard v.count == 2 else { throw r.error("expected [low, high], got \(v.count) values") }
    guard v[0] < v[1] else { throw r.error("expected low < high, got [\(v[0]), \(v[1])]") }
    return v[0]...v[1]
  }
}

extension String {
  fileprivate func trimmingCharacters(in set: WhitespaceSet) -> String {
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
    while let l = s.last, l == " " || l == "\t" { s.removeLast() }
    return String(s)
  }
}

fileprivate enum WhitespaceSet { case whitespaces }
