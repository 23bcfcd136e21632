import Foundation

/// One operation of a JSON Patch (RFC 6902), as pyhf patchsets carry them (applied by pyhf with
/// the `jsonpatch` package): add, remove, replace, move, copy and test, with paths as JSON
/// Pointers (RFC 6901: `/`-separated tokens, `~1` for `/`, `~0` for `~`, `-` for the end of a
/// list).
public struct JSONPatchOperation: Sendable {
  public enum Op: String, Sendable, CaseIterable { case add, remove, replace, move, copy, test }
  public let op: Op
  public let path: [String]
  public let from: [String]?
  public let value: JSONTree?
  /// The operation as written, for messages ("add /channels/0/samples/-").
  public let text: String

  /// Reads one operation; `at` names it in messages.
  public init(_ tree: JSONTree, at: String) throws {
    guard case .object = tree else { throw JSONPatchError("\(at): an operation must be an object, got \(tree.typeName)") }
    guard let name = tree["op"]?.string, let op = Op(rawValue: name) else {
      throw JSONPatchError("\(at).op: must be one of \(Op.allCases.map(\.rawValue).joined(separator: ", ")), got \(tree["op"].map { $0.string.map { "\"\($0)\"" } ?? $0.typeName } ?? "nothing")")
    }
    guard let p = tree["path"]?.string else { throw JSONPatchError("\(at).path: a JSON Pointer string is required") }
    self.op = op
    path = try Self.pointer(p, at: "\(at).path")
    switch op {
    case .add, .replace, .test:
      guard let v = tree["value"] else { throw JSONPatchError("\(at): \(name) needs a value") }
      value = v
      from = nil
    case .move, .copy:
      guard let f = tree["from"]?.string else { throw JSONPatchError("\(at): \(name) needs from") }
      from = try Self.pointer(f, at: "\(at).from")
      value = nil
    case .remove:
      value = nil
      from = nil
    }
    text = "\(name) \(p)" + (from == nil ? "" : " from \(tree["from"]?.string ?? "")")
  }

  /// The tokens of a JSON Pointer.
  static func pointer(_ s: String, at: String) throws -> [String] {
    if s.isEmpty { return [] }
    guard s.hasPrefix("/") else { throw JSONPatchError("\(at): a JSON Pointer starts with /, got \"\(s)\"") }
    return s.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
      $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }
  }
}

public struct JSONPatchError: Error, CustomStringConvertible {
  public let description: String
  public init(_ d: String) { description = d }
}

extension JSONTree {
  /// The document with `operations` applied in order (RFC 6902; the first that fails stops the
  /// patch with an error naming it).
  public func patched(_ operations: [JSONPatchOperation]) throws -> JSONTree {
    var doc = self
    for op in operations {
      do { try doc.apply(op) } catch let e as JSONPatchError { throw JSONPatchError("\(op.text): \(e.description)") }
    }
    return doc
  }

  mutating func apply(_ o: JSONPatchOperation) throws {
    switch o.op {
    case .add: try add(o.value!, at: o.path[...])
    case .remove: _ = try remove(at: o.path[...])
    case .replace:
      _ = try remove(at: o.path[...])
      try add(o.value!, at: o.path[...])
    case .move:
      guard o.from! != o.path else { return }
      guard !(o.path.count > o.from!.count && Array(o.path.prefix(o.from!.count)) == o.from!) else {
        throw JSONPatchError("cannot move a value into itself")
      }
      let v = try remove(at: o.from![...])
      try add(v, at: o.path[...])
    case .copy: try add(try get(o.from![...]), at: o.path[...])
    case .test:
      guard try get(o.path[...]) == o.value! else { throw JSONPatchError("test failed: the value differs") }
    }
  }

  /// The value at a pointer.
  func get(_ path: ArraySlice<String>) throws -> JSONTree {
    guard let token = path.first else { return self }
    switch self {
    case .object(let m):
      guard let v = m.last(where: { $0.key == token })?.value else { throw JSONPatchError("no member \"\(token)\"") }
      return try v.get(path.dropFirst())
    case .array(let a):
      guard let k = Self.index(token), k < a.count else { throw JSONPatchError("no item \(token) in a list of \(a.count)") }
      return try a[k].get(path.dropFirst())
    default: throw JSONPatchError("\"\(token)\" reaches into \(typeName)")
    }
  }

  /// Adds `v` at the pointer: a member is set, an item inserted (`-` or the list's length:
  /// appended); the parent must exist.
  mutating func add(_ v: JSONTree, at path: ArraySlice<String>) throws {
    guard let token = path.first else { self = v; return }
    let last = path.count == 1
    switch self {
    case .object(var m):
      self = .null
      defer { self = .object(m) }
      if let k = m.firstIndex(where: { $0.key == token }) {
        if last { m[k].value = v } else { try m[k].value.add(v, at: path.dropFirst()) }
      } else {
        guard last else { throw JSONPatchError("no member \"\(token)\"") }
        m.append((token, v))
      }
    case .array(var a):
      self = .null
      defer { self = .array(a) }
      let k = token == "-" ? a.count : Self.index(token)
      guard let k, k <= (last ? a.count : a.count - 1) else { throw JSONPatchError("no item \(token) in a list of \(a.count)") }
      if last { a.insert(v, at: k) } else { try a[k].add(v, at: path.dropFirst()) }
    default: throw JSONPatchError("\"\(token)\" reaches into \(typeName)")
    }
  }

  /// Removes and returns the value at the pointer.
  mutating func remove(at path: ArraySlice<String>) throws -> JSONTree {
    guard let token = path.first else { throw JSONPatchError("cannot remove the whole document") }
    let last = path.count == 1
    switch self {
    case .object(var m):
      self = .null
      defer { self = .object(m) }
      guard let k = m.firstIndex(where: { $0.key == token }) else { throw JSONPatchError("no member \"\(token)\"") }
      return last ? m.remove(at: k).value : try m[k].value.remove(at: path.dropFirst())
    case .array(var a):
      self = .null
      defer { self = .array(a) }
      guard let k = Self.index(token), k < a.count else { throw JSONPatchError("no item \(token) in a list of \(a.count)") }
      return last ? a.remove(at: k) : try a[k].remove(at: path.dropFirst())
    default: throw JSONPatchError("\"\(token)\" reaches into \(typeName)")
    }
  }

  /// A list index token: digits without leading zeros.
  static func index(_ token: String) -> Int? {
    guard !token.isEmpty, token.allSatisfy(\.isASCII), token.allSatisfy(\.isNumber), token == "0" || !token.hasPrefix("0") else { return nil }
    return Int(token)
  }
}
