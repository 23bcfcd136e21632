import Foundation
import Results

/// The files the plots read: the result files of `Results` (one typed schema each, read strictly)
/// and event CSVs.
public enum PlotInput {
  /// What a file is: a result kind, or an event CSV.
  public enum Kind: String, Sendable, CaseIterable {
    case brazil, scan, lee, coverage, couplings, grid, summary, events, templates, projection, pulls
  }

  /// A decoded file of any kind.
  public enum Content: Sendable {
    case brazil(BrazilFile), scan(ScanFile), lee(LookElsewhereFile), coverage(CoverageFile), couplings(CouplingsFile), grid(GridFile)
    case summary(SummaryFile), events(EventTable), templates(TemplatesFile), projection(ProjectionFile), pulls(PullsFile)

    public var kind: Kind {
      switch self {
      case .brazil: .brazil
      case .scan: .scan
      case .lee: .lee
      case .coverage: .coverage
      case .couplings: .couplings
      case .grid: .grid
      case .summary: .summary
      case .events: .events
      case .templates: .templates
      case .projection: .projection
      case .pulls: .pulls
      }
    }

    /// The result file (nil for events).
    public var result: (any ResultFile)? {
      switch self {
      case .brazil(let f): f
      case .scan(let f): f
      case .lee(let f): f
      case .coverage(let f): f
      case .couplings(let f): f
      case .grid(let f): f
      case .summary(let f): f
      case .templates(let f): f
      case .projection(let f): f
      case .pulls(let f): f
      case .events: nil
      }
    }

    /// The study header, for the study files.
    public var header: StudyHeader? {
      switch self {
      case .brazil(let b): b.header
      case .scan(let s): s.header
      case .lee(let l): l.header
      case .coverage(let c): c.header
      case .projection(let p): p.header
      case .pulls(let p): p.header
      default: nil
      }
    }
  }

  /// Reads and decodes a file: a `.csv` is an event table, anything else a JSON result file
  /// whose kind is read from its `study` or `kind` key.
  public static func load(path: String) throws -> Content {
    let data: Data
    do { data = try ResultReader.contents(path) } catch let e as ResultError { throw PlotError(e.description) }
    if path.lowercased().hasSuffix(".csv") { return .events(try EventTable.parse(data, path: path)) }
    return try decode(data, path: path)
  }

  /// Decodes JSON result bytes (`path` names the file in messages).
  public static func decode(_ data: Data, path: String) throws -> Content {
    if data.first.map({ $0 == UInt8(ascii: "m") || $0 == UInt8(ascii: "#") }) == true {
      throw PlotError("\(path) is not JSON (an event or histogram CSV needs the .csv extension)")
    }
    do {
      let kind = try ResultReader.kind(of: try ResultReader.object(data, path: path), path: path)
      func read<T: ResultFile>(_ t: T.Type) throws -> T { try ResultReader.decode(T.self, from: data, path: path) }
      switch kind {
      case BrazilFile.kind: return .brazil(try read(BrazilFile.self))
      case ScanFile.kind: return .scan(try read(ScanFile.self))
      case LookElsewhereFile.kind: return .lee(try read(LookElsewhereFile.self))
      case CoverageFile.kind: return .coverage(try read(CoverageFile.self))
      case CouplingsFile.kind: return .couplings(try read(CouplingsFile.self))
      case GridFile.kind: return .grid(try read(GridFile.self))
      case SummaryFile.kind: return .summary(try read(SummaryFile.self))
      case TemplatesFile.kind: return .templates(try read(TemplatesFile.self))
      case ProjectionFile.kind: return .projection(try read(ProjectionFile.self))
      case PullsFile.kind: return .pulls(try read(PullsFile.self))
      default:
        let what = (try? ResultReader.object(data, path: path))?["study"] != nil ? "study" : "kind"
        throw PlotError("\(path): unknown \(what) \"\(kind)\" (plots know brazil, scan, lee, coverage, couplings, grid, summary, templates, projection, pulls)")
      }
    } catch let e as ResultError {
      throw PlotError(e.description)
    }
  }
}

/// An error a user can act on: a bad or unknown file, an unknown plot kind, a failed write.
public struct PlotError: Error, CustomStringConvertible, Equatable {
  public let description: String
  public init(_ message: String) { description = message }
}
