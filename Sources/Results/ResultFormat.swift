import Foundation

/// The version of every result file's format, written as `format_version` at the top level of
/// each file. Readers accept exactly this version: a file of another version is an error that
/// names the file and both versions (never a guess at what an old key meant).
///
/// Version 1 (zptoys 0.2.0 and earlier, `"format": "zptoys-study-1"`) recorded study settings as
/// text; version 2 records them typed, with the CL, rule, method and units of every result;
/// version 3 adds published likelihoods (a study's hypotheses may be patches: `patch` on every
/// point, masses null there, `identity.inputs.likelihood`) and luminosity projections
/// (`identity.inputs.systematics_scale`; `lumi_fb` and `template_mc` null for a published
/// likelihood).
public enum ResultFormat {
  public static let version = 3
}

/// What a result file holds: `study` at the top level of a study file (brazil, scan, lee,
/// coverage, …), `kind` in the others (couplings, grid, summary, templates). Kinds are open: each
/// file type declares its own (a new study needs no list of studies here).
public struct ResultKind: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { rawValue = value }
  public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(rawValue)
  }
  public var description: String { rawValue }
}

/// A study's name (`study` in its files): a ``ResultKind`` of a file with a study header.
public typealias StudyKind = ResultKind

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
  /// The integrated luminosity of the model, fb⁻¹ (nil for a published likelihood).
  var lumiFb: Double? { get }
}
