/// What a study's hypotheses are: search windows of the configuration's mass grid (a point's
/// `index`, `mass_gev`, `m2_gev2`), or the patches of a published likelihood (a point's `index`
/// is the patch's position in the patchset, `patch` its name and values, the masses null).

/// One value of a patch's `values` (pyhf patchsets allow numbers and strings).
public enum PatchValue: Codable, Sendable, Equatable, CustomStringConvertible {
  case number(Double)
  case string(String)

  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let d = try? c.decode(Double.self) {
      self = .number(d)
    } else {
      self = .string(try c.decode(String.self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .number(let d): try c.encode(d)
    case .string(let s): try c.encode(s)
    }
  }

  public var number: Double? { if case .number(let d) = self { d } else { nil } }

  public var description: String {
    switch self {
    case .number(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
    case .string(let s): s
    }
  }
}

/// A patch of a pyhf patchset: its `metadata.name` and `metadata.values`.
public struct PatchLabel: Codable, Sendable, Equatable {
  public var name: String
  public var values: [PatchValue]

  public init(name: String, values: [PatchValue]) {
    self.name = name
    self.values = values
  }
}

/// A file an analysis was read from: its name as given and the SHA-256 of its bytes.
public struct FileRecord: Codable, Sendable, Equatable {
  public var file: String
  public var sha256: String

  public init(file: String, sha256: String) {
    self.file = file
    self.sha256 = sha256
  }
}

/// A published likelihood: a background-only pyhf workspace and the patchset of its signal
/// hypotheses (the format HEPData publishes).
public struct PublishedLikelihood: Codable, Sendable, Equatable {
  public var workspace: FileRecord
  public var patchset: FileRecord
  /// The patchset's `metadata.name`.
  public var name: String
  /// The patchset's `metadata.labels`: what each patch's values are.
  public var labels: [String]

  public init(workspace: FileRecord, patchset: FileRecord, name: String, labels: [String]) {
    self.workspace = workspace
    self.patchset = patchset
    self.name = name
    self.labels = labels
  }
}

/// The label of one hypothesis of a study, as its result point records it.
public struct HypothesisLabel: Sendable, Equatable {
  /// The hypothesis index in the mass grid, or the patch's position in the patchset.
  public var index: Int
  /// The Z′ mass and M² of a search window (nil for a patch).
  public var mass: Double?
  public var m2: Double?
  /// The patch (nil for a search window).
  public var patch: PatchLabel?

  public init(index: Int, mass: Double?, m2: Double?, patch: PatchLabel?) {
    self.index = index
    self.mass = mass
    self.m2 = m2
    self.patch = patch
  }

  /// "M = 2.3520 GeV" or "patch NAME (values)".
  public var text: String {
    if let p = patch { return "patch \(p.name) (\(p.values.map(\.description).joined(separator: ", ")))" }
    return mass.map { "M = \(String(format: "%.4f", $0)) GeV" } ?? "hypothesis \(index)"
  }
}
