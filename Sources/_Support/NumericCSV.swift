import Foundation

/// A CSV file of numbers with a header row, read strictly: every error names the file, the line
/// and the column. Lines starting with `#` and blank lines are skipped; fields may be quoted.
public struct NumericCSV: Sendable {
  public let path: String
  public let header: [String]
  /// Rows of values, in the order of `header`.
  public let rows: [[Double]]
  /// The 1-based file line of each row (for messages).
  public let lines: [Int]
  /// The 1-based file line of the header.
  public let headerLine: Int

  public struct ReadError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let line: Int?
    public let reason: String
    public init(path: String, line: Int?, reason: String) {
      self.path = path
      self.line = line
      self.reason = reason
    }
    public var description: String { line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)" }
  }

  /// Largest file read (1 GiB): larger inputs are refused rather than exhausting memory.
  public static let maxBytes = 1 << 30

  /// Reads `path`, requiring the columns `required` (others are kept but may be ignored).
  public init(path: String, required: [String]) throws {
    self.path = path
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw ReadError(path: path, line: nil, reason: "no such file")
    }
    guard !isDir.boolValue else { throw ReadError(path: path, line: nil, reason: "is a folder, not a CSV file") }
    let attrs = try? FileManager.default.attributesOfItem(atPath: path)
    if let size = attrs?[.size] as? Int, size > NumericCSV.maxBytes {
      throw ReadError(path: path, line: nil, reason: "is \(size) bytes; at most \(NumericCSV.maxBytes) are read")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ReadError(path: path, line: nil, reason: "cannot be read (permissions?)")
    }
    guard !data.contains(0) else { throw ReadError(path: path, line: nil, reason: "is binary, not CSV text") }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ReadError(path: path, line: nil, reason: "is not UTF-8 text")
    }
    var header: [String]? = nil
    var headerAt = 1
    var rows: [[Double]] = []
    var lines: [Int] = []
    var lineNo = 0
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNo += 1
      var line = Substring(rawLine)
      if line.last == "\r" { line = line.dropLast() }
      let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
      if trimmed.isEmpty || trimmed.first == "#" { continue }
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"")) }
      guard let h = header else {
        header = fields
        headerAt = lineNo
        for col in required where !fields.contains(col) {
          throw ReadError(path: path, line: lineNo, reason: "missing column \"\(col)\" (header has: \(fields.joined(separator: ", ")))")
        }
        continue
      }
      guard fields.count == h.count else {
        throw ReadError(path: path, line: lineNo, reason: "\(fields.count) fields, the header has \(h.count)")
      }
      var row = [Double](repeating: 0, count: fields.count)
      for (j, f) in fields.enumerated() {
        guard let v = Double(f) else {
          if required.contains(h[j]) {
            throw ReadError(path: path, line: lineNo, reason: "column \"\(h[j])\": \"\(f)\" is not a number")
          }
          row[j] = .nan
          continue
        }
        guard v.isFinite || !required.contains(h[j]) else {
          throw ReadError(path: path, line: lineNo, reason: "column \"\(h[j])\": \(f) is not finite")
        }
        row[j] = v
      }
      rows.append(row)
      lines.append(lineNo)
    }
    guard let h = header else { throw ReadError(path: path, line: nil, reason: "is empty (no header row)") }
    self.header = h
    headerLine = headerAt
    self.rows = rows
    self.lines = lines
  }

  public func column(_ name: String) -> Int? { header.firstIndex(of: name) }

  public func error(row: Int, _ reason: String) -> ReadError {
    ReadError(path: path, line: lines[row], reason: reason)
  }
}
