/// The top-level keys every result file that is not a study file carries: `kind`,
/// `format_version`, `units`, `tool`, `configuration` and `lumi_fb` (they sit beside the file's
/// own keys).
public struct ResultInfo: Codable, Sendable, Equatable {
  public var kind: ResultKind
  public var formatVersion: Int
  public var units: Units
  /// "zptoys 0.2.0".
  public var tool: String
  /// The configuration's name.
  public var configuration: String
  /// The integrated luminosity of the model, fb⁻¹.
  public var lumiFb: Double

  public init(kind: ResultKind, tool: String, configuration: String, lumiFb: Double) {
    self.kind = kind
    formatVersion = ResultFormat.version
    units = .standard
    self.tool = tool
    self.configuration = configuration
    self.lumiFb = lumiFb
  }

  enum CodingKeys: String, CodingKey {
    case kind, formatVersion = "format_version", units, tool, configuration, lumiFb = "lumi_fb"
  }

  /// Throws unless this is the header of a `kind` file.
  func require(_ kind: ResultKind) throws {
    guard self.kind == kind else {
      throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.kind], debugDescription: "a \(self.kind.rawValue) file, not a \(kind.rawValue) file"))
    }
  }
}

/// A result file made of a ``ResultInfo`` and its own keys.
public protocol InfoFile: ResultFile {
  var info: ResultInfo { get }
}

extension InfoFile {
  public var units: Units { info.units }
  public var configuration: String { info.configuration }
  public var lumiFb: Double? { info.lumiFb }
}

/// A mass hypothesis as files record it.
public struct HypothesisRecord: Codable, Sendable, Equatable {
  public var index: Int
  public var mass: Double
  public var m2: Double
  /// σ(M²) of the signal, GeV².
  public var resolution: Double

  public init(index: Int, mass: Double, m2: Double, resolution: Double) {
    self.index = index
    self.mass = mass
    self.m2 = m2
    self.resolution = resolution
  }

  enum CodingKeys: String, CodingKey { case index, mass = "mass_gev", m2 = "m2_gev2", resolution = "resolution_gev2" }
}

/// The `zptoys grid --json` output and `grid.json`: the mass hypotheses.
public struct GridFile: InfoFile {
  public static let kind: ResultKind = "grid"
  public var info: ResultInfo
  public var count: Int
  public var hypotheses: [HypothesisRecord]

  public init(info: ResultInfo, hypotheses: [HypothesisRecord]) {
    self.info = info
    count = hypotheses.count
    self.hypotheses = hypotheses
  }

  enum CodingKeys: String, CodingKey { case count, hypotheses }

  public init(from decoder: any Decoder) throws {
    info = try ResultInfo(from: decoder)
    try info.require(Self.kind)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    count = try c.decode(Int.self, forKey: .count)
    hypotheses = try c.decode([HypothesisRecord].self, forKey: .hypotheses)
  }

  public func encode(to encoder: any Encoder) throws {
    try info.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(count, forKey: .count)
    try c.encode(hypotheses, forKey: .hypotheses)
  }
}
