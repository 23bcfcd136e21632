import Foundation

/// The version of every result file's format, written as `format_version` at the top level of
/// each file. Readers accept exactly this version: a file of another version is an error that
/// names the file and both versions (never a guess at what an old key meant).
///
/// Version 1 (zptoys 0.2.0 and earlier, `"format": "zptoys-study-1"`) recorded study settings as
/// text; version 2 records them typed, with the CL, rule, method and units of every result.
public enum ResultFormat {
  public static let version = 2
}

/// What a result file holds. Study files (``StudyKind``) carry `"study": NAME` at the top level,
/// the others `"kind": NAME`.
public enum ResultKind: String, Codable, CaseIterable, Sendable {
  case brazil, scan, lee, coverage, couplings, grid, summary, templates
}

/// The studies: the result files that have a header with an identity, shards and tasks.
public enum StudyKind: String, Codable, CaseIterable, Sendable {
  case brazil, scan, lee, coverage

  public var resultKind: ResultKind { ResultKind(rawValue: rawValue)! }
}

/// The units of the numbers in result files, recorded in every file (`units`). They are fixed:
/// a reader refuses a file whose units differ rather than mislabel its numbers.
public struct Units: Codable, Equatable, Sendable {
  /// Cross sections (limits, signal strengths): fb.
  public var crossSection: String
  /// Masses: GeV.
  public var mass: String
  /// Squared masses (M²_recoil): GeV².
  public var massSquared: String
  /// Integrated luminosity: fb⁻¹.
  public var luminosity: String
  /// Angles: degrees.
  public var angle: String

  public static let standard = Units(crossSection: "fb", mass: "GeV", massSquared: "GeV^2", luminosity: "fb^-1", angle: "deg")

  enum CodingKeys: String, CodingKey {
    case crossSection = "cross_section", mass, massSquared = "mass_squared", luminosity, angle
  }

  /// The unit as the plots' markup writes it (`GeV^{2}`, `fb^{−1}`).
  public static func markup(_ unit: String) -> String {
    unit.replacingOccurrences(of: "^-1", with: "^{−1}").replacingOccurrences(of: "^2", with: "^{2}")
  }
}

/// A result file: its kind, its format version and units are checked when it is read
/// (``ResultReader``), and every file names its configuration and integrated luminosity, which
/// plot labels and the report take from it.
public protocol ResultFile: Codable, Sendable {
  static var kind: ResultKind { get }
  var units: Units { get }
  /// The configuration's name.
  var configuration: String { get }
  /// The integrated luminosity of the model, fb⁻¹.
  var lumiFb: Double { get }
}
