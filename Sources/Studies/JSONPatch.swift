import Foundation

/// A JSON document as read from a file, numbers kept as written: what a published likelihood's
/// background-only workspace is before its patches are applied. Keeping the numbers' text keeps
/// integers integers, so that the workspace's digest can be computed exactly as pyhf does
/// (``pythonDump()``), and a patched workspace is passed on with the numbers it was published with.
public indirect enum JSONTree: Sendable, Equatable {
  case null
  case bool(Bool)
  /// The number as written in the file (valid JSON number syntax).
  case number(String)
  case string(String)
  case array([JSONTree])
  /// Members in the order of the file (a repeated key keeps its first place and last value, as
  /// Python's `json` does).
  case object([(key: String, value: JSONTree)])

  public static func == (a: JSONTree, b: JSONTree) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    // As Python compares parsed JSON: 1 == 1.0.
    case (.number(let x), .number(let y)): return Double(x) == Double(y)
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x == y
    case (.object(let x), .object(let y)):
      guard x.count == y.count else { return false }
      let d = Dictionary(y, uniquingKeysWith: { $1 })
      return x.allSatisfy { d[$0.key] == $0.value }
    default: return false
    }
  }

  /// The member `key` of an object.
  public subscript(key: String) -> JSONTree? {
    guard case .object(let m) = self else { return nil }
    return m.first { $0.key == key }?.value
  }

  public var string: String? { if case .string(let s) = self { s } else { nil } }
  public var array: [JSONTree]? { if case .array(let a) = self { a } else { nil } }
  public var number: Double? { if case .number(let n) = self { Double(n) } else { nil } }
  public var isObject: Bool { if case .object = self { true } else { false } }

  /// A short name of the value's type, for messages.
  public var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .number: "a number"
    case .string: "a string"
    case .array: "a list"
    case .object: "an object"
    }
  }
}

/// A JSON syntax error at a byte offset (with its line).
public struct JSONSyntaxError: Error, CustomStringConvertible {
  public let line: Int
  public let reason: String
  public var description: String { "line \(line): \(reason)" }
}

extension JSONTree {
  /// Parses JSON text (RFC 8259), keeping numbers as written.
  public static func parse(_ data: Data) throws -> JSONTree {
    var p = JSONParser(bytes: [UInt8](data))
    p.skipSpace()
    let v = try p.value(depth: 0)
    p.skipSpace()
    guard p.i == p.bytes.count else { throw p.error("unexpected text after the JSON value") }
    return v
  }

  /// Compact JSON text (numbers as written).
  public func serialized() -> Data {
    var out = ""
    write(to: &out, python: false)
    return Data(out.utf8)
  }

  /// The text of Python's `json.dumps(obj, sort_keys=True, ensure_ascii=False)` of the same
  /// document (separators ", " and ": ", keys sorted by code point, floats as Python's `repr`,
  /// integers as integers): what `pyhf.utils.digest` hashes.
  public func pythonDump() -> String {
    var out = ""
    write(to: &out, python: true)
    return out
  }

  func write(to out: inout String, python: Bool) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let n): out += python ? PythonNumber.repr(n) : n
    case .string(let s): PythonNumber.quote(s, into: &out)
    case .array(let a):
      out += "["
      for (k, v) in a.enumerated() {
        if k > 0 { out += python ? ", " : "," }
        v.write(to: &out, python: python)
      }
      out += "]"
    case .object(let m):
      out += "{"
      let members = python ? m.sorted { PythonNumber.codePointLess($0.key, $1.key) } : m
      for (k, member) in members.enumerated() {
        if k > 0 { out += python ? ", " : "," }
        PythonNumber.quote(member.key, into: &out)
        out += python ? ": " : ":"
        member.value.write(to: &out, python: python)
      }
      out += "}"
    }
  }
}

/// Python's text for numbers and strings in `json.dumps`.
enum PythonNumber {
  /// A JSON number's text as Python writes the value it parses to: an integer (no `.`, `e`)
  /// stays an integer; a float is `repr(float)` — the shortest digits that round-trip, in fixed
  /// notation when the decimal exponent is in [−4, 16), else `d.ddde±XX`.
  static func repr(_ text: String) -> String {
    if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
      let negative = text.hasPrefix("-")
      let digits = text.drop { $0 == "-" || $0 == "0" }
      return digits.isEmpty ? "0" : (negative ? "-" : "") + digits
    }
    guard let x = Double(text) else { return text }
    guard x.isFinite else { return x.isNaN ? "NaN" : (x < 0 ? "-Infinity" : "Infinity") }
    let (negative, digits, exponent) = shortestDigits(x)
    let sign = negative ? "-" : ""
    if exponent >= -4 && exponent < 16 {
      if exponent < 0 { return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits }
      let whole = digits.count > exponent + 1
        ? String(digits.prefix(exponent + 1)) : digits + String(repeating: "0", count: exponent + 1 - digits.count)
      let fraction = digits.count > exponent + 1 ? String(digits.dropFirst(exponent + 1)) : "0"
      return sign + whole + "." + fraction
    }
    let mantissa = digits.count > 1 ? "\(digits.first!).\(digits.dropFirst())" : digits
    let e = abs(exponent)
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + "\(e)"
  }

  /// The shortest round-trip decimal digits of `x` (Swift's `description` gives them, as
  /// Python's repr does) and the decimal exponent of the first digit.
  static func shortestDigits(_ x: Double) -> (Bool, String, Int) {
    var s = x.description
    let negative = s.hasPrefix("-")
    if negative { s.removeFirst() }
    var exp = 0
    if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      exp = Int(s[s.index(after: e)...]) ?? 0
      s = String(s[..<e])
    }
    let point = s.firstIndex(of: ".") ?? s.endIndex
    let intPart = s[..<point], fracPart = point < s.endIndex ? s[s.index(after: point)...] : ""
    var digits = String(intPart + fracPart)
    var position = intPart.count - 1 + exp
    while digits.count > 1 && digits.first == "0" {
      digits.removeFirst()
      position -= 1
    }
    while digits.count > 1 && digits.last == "0" { digits.removeLast() }
    if digits == "0" { position = 0 }
    return (negative, digits, position)
  }

  /// A JSON string as Python writes it with `ensure_ascii=False`: `"` `\` and control characters
  /// escaped (`\n`, `\r`, `\t`, `\b`, `\f`, else `\u00XX`), everything else as is.
  static func quote(_ s: String, into out: inout String) {
    out += "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
      default: out.unicodeScalars.append(u)
      }
    }
    out += "\""
  }

  /// Python's `sorted` on strings: by Unicode code point.
  static func codePointLess(_ a: String, _ b: String) -> Bool {
    a.unicodeScalars.lazy.map(\.value).lexicographicallyPrecedes(b.unicodeScalars.lazy.map(\.value))
  }
}

/// A recursive-descent JSON reader over UTF-8 bytes.
struct JSONParser {
  let bytes: [UInt8]
  var i = 0
  static let maxDepth = 512

  init(bytes: [UInt8]) { self.bytes = bytes }

  func error(_ reason: String) -> JSONSyntaxError {
    JSONSyntaxError(line: 1 + bytes[..<min(i, bytes.count)].filter { $0 == 0x0A }.count, reason: reason)
  }

  mutating func skipSpace() {
    while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
  }

  mutating func literal(_ word: String, _ v: JSONTree) throws -> JSONTree {
    let w = Array(word.utf8)
    guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw error("invalid literal") }
    i += w.count
    return v
  }

  mutating func value(depth: Int) throws -> JSONTree {
    guard depth < Self.maxDepth else { throw error("nested deeper than \(Self.maxDepth) levels") }
    guard i < bytes.count else { throw error("unexpected end of the document") }
    switch bytes[i] {
    case UInt8(ascii: "{"): return try object(depth: depth)
    case UInt8(ascii: "["): return try array(depth: depth)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    default: return try number()
    }
  }

  mutating func object(depth: Int) throws -> JSONTree {
    i += 1
    var members: [(key: String, value: JSONTree)] = []
    var position: [String: Int] = [:]
    skipSpace()
    if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
    while true {
      skipSpace()
      guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
      let key = try string()
      skipSpace()
      guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after \"\(key)\"") }
      i += 1
      skipSpace()
      let v = try value(depth: depth + 1)
      if let k = position[key] { members[k].value = v } else {
        position[key] = members.count
        members.append((key, v))
      }
      skipSpace()
      guard i < bytes.count else { throw error("unexpected end inside an object") }
      if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
      guard bytes[i] == UInt8(ascii: "}") else { throw error("expected ',' or '}' in an object") }
      i += 1
      return .object(members)
    }
  }

  mutating func array(depth: Int) throws -> JSONTree {
    i += 1
    var items: [JSONTree] = []
    skipSpace()
    if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
    while true {
      skipSpace()
      items.append(try value(depth: depth + 1))
      skipSpace()
      guard i < bytes.count else { throw error("unexpected end inside a list") }
      if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
      guard bytes[i] == UInt8(ascii: "]") else { throw error("expected ',' or ']' in a list") }
      i += 1
      return .array(items)
    }
  }

  mutating func number() throws -> JSONTree {
    let start = i
    func digits() -> Int {
      let s = i
      while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
      return i - s
    }
    if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
    let intStart = i
    let n = digits()
    guard n > 0, !(n > 1 && bytes[intStart] == 0x30) else { i = start; throw error("invalid value (expected a number, string, list, object, true, false or null)") }
    if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
      i += 1
      guard digits() > 0 else { throw error("a number needs digits after '.'") }
    }
    if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
      i += 1
      if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
      guard digits() > 0 else { throw error("a number needs digits in its exponent") }
    }
    return .number(String(decoding: bytes[start..<i], as: UTF8.self))
  }

  mutating func string() throws -> String {
    i += 1
    var scalars = String.UnicodeScalarView()
    var run = i
    func flush() { scalars.append(contentsOf: String(decoding: bytes[run..<i], as: UTF8.self).unicodeScalars) }
    while i < bytes.count {
      let c = bytes[i]
      if c == UInt8(ascii: "\"") {
        flush()
        i += 1
        return String(scalars)
      }
      guard c >= 0x20 else { throw error("a control character inside a string") }
      if c == UInt8(ascii: "\\") {
        flush()
        scalars.append(try escape())
        run = i
        continue
      }
      i += 1
    }
    throw error("a string is not closed")
  }

  /// The escape at `i` (a backslash), surrogate pairs joined.
  mutating func escape() throws -> Unicode.Scalar {
    i += 1
    guard i < bytes.count else { throw error("a string is not closed") }
    let c = bytes[i]
    i += 1
    switch c {
    case UInt8(ascii: "\""): return "\""
    case UInt8(ascii: "\\"): return "\\"
    case UInt8(ascii: "/"): return "/"
    case UInt8(ascii: "b"): return "\u{08}"
    case UInt8(ascii: "f"): return "\u{0C}"
    case UInt8(ascii: "n"): return "\n"
    case UInt8(ascii: "r"): return "\r"
    case UInt8(ascii: "t"): return "\t"
    case UInt8(ascii: "u"):
      let hi = try hex4()
      if (0xD800..<0xDC00).contains(hi), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
        i += 2
        let lo = try hex4()
        guard (0xDC00..<0xE000).contains(lo) else { throw error("an invalid surrogate pair") }
        return Unicode.Scalar(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))!
      }
      guard let u = Unicode.Scalar(hi) else { throw error("a lone surrogate \\u\(String(hi, radix: 16)) (not text)") }
      return u
    default: throw error("an invalid escape \\\(Character(Unicode.Scalar(c)))")
    }
  }

  mutating func hex4() throws -> UInt32 {
    guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
      throw error("\\u needs four hex digits")
    }
    i += 4
    return v
  }
}
