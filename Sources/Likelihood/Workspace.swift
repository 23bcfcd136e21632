import Foundation

/// A pyhf JSON workspace, schema version 1.0.0 (pyhf `schemas/1.0.0/workspace.json`, `defs.json`).
///
/// The types mirror the schema one to one, so a workspace decoded and encoded again is the same
/// JSON (up to key order and number formatting). Decoding is as strict as pyhf's schema
/// validation: unknown keys, wrong types and unknown modifier types are errors that name the JSON
/// path. Checks that need the whole document (bin counts, observations of every channel, the
/// POI) are made by ``Model/init(workspace:measurement:)``, or by ``validate()``.
///
/// ```swift
/// let ws = try Workspace.load(path: "W.json")
/// let model = try Model(workspace: ws)
/// try ws.write(to: "copy.json")
/// ```
public struct Workspace: Codable, Equatable, Sendable {
  public var channels: [Channel]
  public var observations: [Observation]
  public var measurements: [Measurement]
  /// Schema version; only "1.0.0" exists.
  public var version: String

  public init(channels: [Channel], observations: [Observation], measurements: [Measurement], version: String = "1.0.0") {
    self.channels = channels
    self.observations = observations
    self.measurements = measurements
    self.version = version
  }

  enum CodingKeys: String, CodingKey, CaseIterable { case channels, observations, measurements, version }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    channels = try c.decode([Channel].self, forKey: .channels)
    observations = try c.decode([Observation].self, forKey: .observations)
    measurements = try c.decode([Measurement].self, forKey: .measurements)
    version = try c.decodeIfPresent(String.self, forKey: .version) ?? "1.0.0"
    if version != "1.0.0" {
      throw DecodingError.dataCorrupted(.init(
        codingPath: c.codingPath + [CodingKeys.version],
        debugDescription: "unsupported schema version \"\(version)\" (only \"1.0.0\" exists)"))
    }
  }
}

/// One channel (region): samples that share the same bins.
public struct Channel: Codable, Equatable, Sendable {
  public var name: String
  public var samples: [Sample]

  public init(name: String, samples: [Sample]) {
    self.name = name
    self.samples = samples
  }

  enum CodingKeys: String, CodingKey, CaseIterable { case name, samples }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    samples = try c.decode([Sample].self, forKey: .samples)
  }
}

/// One sample (process) of a channel: nominal yields per bin and the modifiers acting on them.
public struct Sample: Codable, Equatable, Sendable {
  public var name: String
  /// Nominal expected events per bin.
  public var data: [Double]
  public var modifiers: [Modifier]

  public init(name: String, data: [Double], modifiers: [Modifier] = []) {
    self.name = name
    self.data = data
    self.modifiers = modifiers
  }

  enum CodingKeys: String, CodingKey, CaseIterable { case name, data, modifiers }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    data = try c.decode([Double].self, forKey: .data)
    modifiers = try c.decode([Modifier].self, forKey: .modifiers)
  }
}

/// A HistFactory modifier: its name (the parameter it introduces or shares) and its type with
/// the type's data (``ModifierType``; the types are listed in ``ModifierRegistry``).
public struct Modifier: Codable, Equatable, Sendable {
  public var name: String
  /// The modifier's type and data (``Normfactor``, ``Normsys``, ``Staterror``, …).
  public var definition: any ModifierType

  public init(name: String, _ definition: any ModifierType) {
    self.name = name
    self.definition = definition
  }

  /// The pyhf type string ("normfactor", "histosys", ...).
  public var type: String { Swift.type(of: definition).typeName }

  public static func == (l: Modifier, r: Modifier) -> Bool { l.name == r.name && l.definition.isEqual(to: r.definition) }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(ModifierKey.self)
    let c = try decoder.container(keyedBy: ModifierKey.self)
    name = try c.decode(String.self, forKey: .name)
    let type = try c.decode(String.self, forKey: .type)
    guard let t = ModifierRegistry.type(named: type) else {
      throw DecodingError.dataCorrupted(.init(
        codingPath: c.codingPath,
        debugDescription: "unknown type \"\(type)\" (pyhf knows \(ModifierRegistry.typeNames.sorted().joined(separator: ", ")))"))
    }
    definition = try t.init(name: name, data: c)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: ModifierKey.self)
    try c.encode(name, forKey: .name)
    try c.encode(type, forKey: .type)
    try definition.encodeData(to: &c)
  }
}

/// Observed events per bin of one channel (matched to the channel by name).
public struct Observation: Codable, Equatable, Sendable {
  public var name: String
  public var data: [Double]

  public init(name: String, data: [Double]) {
    self.name = name
    self.data = data
  }

  enum CodingKeys: String, CodingKey, CaseIterable { case name, data }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    data = try c.decode([Double].self, forKey: .data)
  }
}

/// A measurement: the parameter of interest and the parameter configuration.
public struct Measurement: Codable, Equatable, Sendable {
  public var name: String
  public var config: MeasurementConfig

  public init(name: String, config: MeasurementConfig) {
    self.name = name
    self.config = config
  }

  enum CodingKeys: String, CodingKey, CaseIterable { case name, config }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    config = try c.decode(MeasurementConfig.self, forKey: .config)
  }
}

/// The `config` of a measurement (pyhf `defs.json#/definitions/config`).
public struct MeasurementConfig: Codable, Equatable, Sendable {
  /// Name of the parameter of interest; the empty string means no POI (as in pyhf).
  public var poi: String
  public var parameters: [ParameterConfig]

  public init(poi: String, parameters: [ParameterConfig] = []) {
    self.poi = poi
    self.parameters = parameters
  }

  enum CodingKeys: String, CodingKey, CaseIterable { case poi, parameters }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    poi = try c.decode(String.self, forKey: .poi)
    parameters = try c.decodeIfPresent([ParameterConfig].self, forKey: .parameters) ?? []
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(poi, forKey: .poi)
    try c.encode(parameters, forKey: .parameters)
  }
}

/// User configuration of one parameter set (pyhf `defs.json#/definitions/parameter`): it
/// overrides the defaults of the modifier, as in pyhf `parameters/utils.py`
/// (`reduce_paramsets_requirements`).
public struct ParameterConfig: Codable, Equatable, Sendable {
  public var name: String
  public var inits: [Double]?
  /// `[[lower, upper], ...]`, one pair per parameter of the set.
  public var bounds: [[Double]]?
  public var auxdata: [Double]?
  public var factors: [Double]?
  public var sigmas: [Double]?
  public var fixed: Bool?

  public init(
    name: String, inits: [Double]? = nil, bounds: [[Double]]? = nil, auxdata: [Double]? = nil,
    factors: [Double]? = nil, sigmas: [Double]? = nil, fixed: Bool? = nil
  ) {
    self.name = name
    self.inits = inits
    self.bounds = bounds
    self.auxdata = auxdata
    self.factors = factors
    self.sigmas = sigmas
    self.fixed = fixed
  }

  enum CodingKeys: String, CodingKey, CaseIterable { case name, inits, bounds, auxdata, factors, sigmas, fixed }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    inits = try c.decodeIfPresent([Double].self, forKey: .inits)
    bounds = try c.decodeIfPresent([[Double]].self, forKey: .bounds)
    auxdata = try c.decodeIfPresent([Double].self, forKey: .auxdata)
    factors = try c.decodeIfPresent([Double].self, forKey: .factors)
    sigmas = try c.decodeIfPresent([Double].self, forKey: .sigmas)
    fixed = try c.decodeIfPresent(Bool.self, forKey: .fixed)
  }
}

// MARK: - Reading and writing

extension Workspace {
  /// Decodes a workspace from JSON bytes.
  /// - Throws: ``WorkspaceError`` naming the JSON path of the first problem.
  public static func decode(_ data: Data) throws -> Workspace {
    do {
      return try JSONDecoder().decode(Workspace.self, from: data)
    } catch {
      var e = JSONPath.workspaceError(from: error)
      if e.path.isEmpty, e.message.hasPrefix("not valid JSON"), let detail = syntaxError(in: data) {
        e.message = "not valid JSON: \(detail)"
      }
      throw e
    }
  }

  /// Where the JSON syntax breaks (JSONSerialization says "around character N"; reported as
  /// line and column).
  static func syntaxError(in data: Data) -> String? {
    do {
      _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
      return nil
    } catch let error as NSError {
      guard var detail = error.userInfo["NSDebugDescription"] as? String else { return nil }
      if let r = detail.range(of: #"character (\d+)"#, options: .regularExpression),
        let offset = Int(detail[r].dropFirst("character ".count))
      {
        let prefix = data.prefix(offset)
        let line = prefix.filter { $0 == 10 }.count + 1
        let column = offset - (prefix.lastIndex(of: 10).map { $0 + 1 } ?? 0) + 1
        detail += " (line \(line), column \(column))"
      }
      return detail
    }
  }

  /// Reads, decodes and validates (``validate()``) the workspace in the file at `path`.
  /// - Throws: ``WorkspaceError`` naming the file and the JSON path.
  public static func load(path: String) throws -> Workspace {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
      throw WorkspaceError(path: "", message: "cannot read the file (\(reason))", file: path)
    }
    do {
      let ws = try decode(data)
      try ws.validate()
      return ws
    } catch let e as WorkspaceError {
      throw e.inFile(path)
    }
  }

  /// The workspace as JSON (sorted keys; pretty printed unless `pretty` is false).
  public func encoded(pretty: Bool = true) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(self)
  }

  /// Writes the workspace as JSON to `path` (whole file replaced).
  public func write(to path: String, pretty: Bool = true) throws {
    try encoded(pretty: pretty).write(to: URL(fileURLWithPath: path), options: .atomic)
  }
}

// MARK: - Strict decoding helpers

struct AnyCodingKey: CodingKey {
  var stringValue: String
  var intValue: Int?
  init(stringValue: String) { self.stringValue = stringValue }
  init(intValue: Int) {
    self.stringValue = "\(intValue)"
    self.intValue = intValue
  }
}

extension Decoder {
  /// Throws when the object at this decoder has a key that `Keys` does not list (pyhf's schema
  /// says `"additionalProperties": false` everywhere). A non-object is left for the typed decode
  /// to report.
  func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_: Keys.Type) throws {
    guard let c = try? container(keyedBy: AnyCodingKey.self) else { return }
    let allowed = Set(Keys.allCases.map(\.stringValue))
    for key in c.allKeys where !allowed.contains(key.stringValue) {
      throw DecodingError.dataCorrupted(.init(
        codingPath: codingPath,
        debugDescription: "unknown key \"\(key.stringValue)\" (allowed: \(allowed.sorted().joined(separator: ", ")))"))
    }
  }
}

/// Python's `sorted` on strings: by Unicode code point.
func pythonLess(_ a: String, _ b: String) -> Bool {
  a.unicodeScalars.lazy.map(\.value).lexicographicallyPrecedes(b.unicodeScalars.lazy.map(\.value))
}
