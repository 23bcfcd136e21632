import Foundation

/// `--shard K/N`: this process runs the tasks t with t mod N = K − 1 (K from 1 to N). Tasks are
/// the study's units (a hypothesis, a block of look-elsewhere toys, …); every task draws from its
/// own streams, so the union of the N shards is exactly the unsharded run.
public struct Shard: Sendable, Hashable, Codable, CustomStringConvertible {
  public let index: Int
  public let count: Int

  public init(index: Int, count: Int) {
    self.index = index
    self.count = count
  }

  public static let whole = Shard(index: 1, count: 1)

  public func owns(_ task: Int) -> Bool { task % count == index - 1 }
  public var description: String { "\(index)/\(count)" }
}

/// Run metadata recorded in every study file.
public struct RunInfo: Codable, Sendable, Equatable {
  public var tool: String
  public var started: String
  public var seconds: Double
  public var threads: Int
  public var host: String
  public var resumedTasks: Int

  public init(tool: String, started: String, seconds: Double, threads: Int, host: String, resumedTasks: Int) {
    self.tool = tool
    self.started = started
    self.seconds = seconds
    self.threads = threads
    self.host = host
    self.resumedTasks = resumedTasks
  }

  enum CodingKeys: String, CodingKey { case tool, started, seconds, threads, host, resumedTasks = "resumed_tasks" }
}

/// The template Monte Carlo ("the simulation") a likelihood was built from.
public struct TemplateMC: Codable, Sendable, Equatable {
  public var seed: UInt64
  public var signalEvents: Int
  public var backgroundEvents: Int
  /// Background processes taken from a user's file (`--input NAME=FILE`): name → SHA-256 of the
  /// file.
  public var userInputs: [String: String]

  public init(seed: UInt64, signalEvents: Int, backgroundEvents: Int, userInputs: [String: String]) {
    self.seed = seed
    self.signalEvents = signalEvents
    self.backgroundEvents = backgroundEvents
    self.userInputs = userInputs
  }

  enum CodingKeys: String, CodingKey {
    case seed, signalEvents = "signal_events", backgroundEvents = "background_events", userInputs = "user_inputs"
  }
}

/// What a study's likelihoods and data are made of, common to every study: a configuration's
/// search windows (luminosity, template Monte Carlo) or a published likelihood (workspace and
/// patchset).
public struct StudyInputs: Codable, Sendable, Equatable {
  /// The integrated luminosity of the model (signal per fb and background yields), fb⁻¹: the
  /// configuration's, or the one asked for by `--lumi` (null for a published likelihood).
  @Nullable public var lumiFb: Double?
  /// The factor on the configuration's relative systematic sizes: 1, or √(L_config / L) with
  /// `--scale-systematics`.
  public var systematicsScale: Double
  /// The template Monte Carlo (null for a published likelihood).
  @Nullable public var templateMC: TemplateMC?
  /// The published likelihood (null for the configuration's search windows).
  @Nullable public var likelihood: PublishedLikelihood?
  /// The observations: "none", "toy" (the background-only pseudo-data set of the seed),
  /// "events:<SHA-256 of the event file>", or "published" (a published likelihood's own).
  public var data: String

  public init(lumiFb: Double?, systematicsScale: Double = 1, templateMC: TemplateMC?, likelihood: PublishedLikelihood? = nil, data: String) {
    self.lumiFb = lumiFb
    self.systematicsScale = systematicsScale
    self.templateMC = templateMC
    self.likelihood = likelihood
    self.data = data
  }

  enum CodingKeys: String, CodingKey {
    case lumiFb = "lumi_fb", systematicsScale = "systematics_scale", templateMC = "template_mc", likelihood, data
  }
}

/// The settings of one study: typed, every key required. Each study's settings name their
/// study.
public protocol StudySettings: Codable, Sendable, Equatable {
  static var study: StudyKind { get }
}

/// A study's settings in an identity: typed when the file's type is known, else (a checkpoint's
/// header) the JSON tree; two compare equal when their JSON trees are equal.
public struct AnyStudySettings: Codable, Sendable, Equatable {
  /// The typed settings (nil when read without their type).
  public let typed: (any StudySettings)?
  /// The JSON tree, for comparison.
  public let tree: JSONValue

  public init<S: StudySettings>(_ settings: S) {
    typed = settings
    tree = (try? JSONValue(encoding: settings)) ?? .null
  }

  public init(from decoder: any Decoder) throws {
    typed = nil
    tree = try JSONValue(from: decoder)
  }

  public func encode(to encoder: any Encoder) throws {
    if let t = typed { try t.encode(to: encoder) } else { try tree.encode(to: encoder) }
  }

  public static func == (a: AnyStudySettings, b: AnyStudySettings) -> Bool { a.tree == b.tree }

  /// The settings as `S` (nil when they are of another study).
  public func value<S: StudySettings>(as type: S.Type) -> S? {
    if let t = typed { return t as? S }
    return try? JSONDecoder().decode(S.self, from: JSONEncoder().encode(tree))
  }
}

/// What identifies a study's results: two runs (or shards) can be merged only when these agree.
public struct StudyIdentity: Codable, Equatable, Sendable {
  public var study: StudyKind
  public var configuration: String
  /// SHA-256 of the configuration's YAML text.
  public var configurationSHA256: String
  public var seed: UInt64
  public var inputs: StudyInputs
  /// Every study setting that changes the numbers.
  public var settings: AnyStudySettings
  /// The tasks of the whole study (all shards).
  public var totalTasks: Int

  public init<S: StudySettings>(configuration: String, configurationSHA256: String, seed: UInt64, inputs: StudyInputs, settings: S, totalTasks: Int) {
    study = S.study
    self.configuration = configuration
    self.configurationSHA256 = configurationSHA256
    self.seed = seed
    self.inputs = inputs
    self.settings = AnyStudySettings(settings)
    self.totalTasks = totalTasks
  }

  enum CodingKeys: String, CodingKey {
    case study, configuration, configurationSHA256 = "configuration_sha256", seed, inputs, settings, totalTasks = "total_tasks"
  }

  /// Reads an identity whose settings are `S` (every key of them checked).
  init<S: StudySettings>(from decoder: any Decoder, settings type: S.Type) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let study = try c.decode(StudyKind.self, forKey: .study)
    guard study == S.study else {
      throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [CodingKeys.study], debugDescription: "a \(study) identity, not a \(S.study) one"))
    }
    try self.init(c, settings: AnyStudySettings(try S(from: try c.superDecoder(forKey: .settings))))
  }

  /// Reads an identity whatever its study (the settings as a JSON tree).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(c, settings: try c.decode(AnyStudySettings.self, forKey: .settings))
  }

  private init(_ c: KeyedDecodingContainer<CodingKeys>, settings: AnyStudySettings) throws {
    study = try c.decode(StudyKind.self, forKey: .study)
    configuration = try c.decode(String.self, forKey: .configuration)
    configurationSHA256 = try c.decode(String.self, forKey: .configurationSHA256)
    seed = try c.decode(UInt64.self, forKey: .seed)
    inputs = try c.decode(StudyInputs.self, forKey: .inputs)
    self.settings = settings
    totalTasks = try c.decode(Int.self, forKey: .totalTasks)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(study, forKey: .study)
    try c.encode(configuration, forKey: .configuration)
    try c.encode(configurationSHA256, forKey: .configurationSHA256)
    try c.encode(seed, forKey: .seed)
    try c.encode(inputs, forKey: .inputs)
    try c.encode(settings, forKey: .settings)
    try c.encode(totalTasks, forKey: .totalTasks)
  }

  /// What differs from `other`, key by key ("settings.limit.cl 0.9 ≠ 0.95; seed 3 ≠ 4").
  public func differences(from other: StudyIdentity) -> [String] {
    guard let a = try? JSONSerialization.jsonObject(with: JSONEncoder().encode(self)),
          let b = try? JSONSerialization.jsonObject(with: JSONEncoder().encode(other)) else { return [] }
    return ValueTree.differences(a, b, at: [])
  }
}

/// What every study file holds besides its results: its study and format, units, identity
/// (configuration, seed, inputs, settings), the shard and tasks it covers, and the run's metadata.
/// Its keys sit at the top level of the file, beside the study's results.
public struct StudyHeader: Codable, Sendable, Equatable {
  public var study: StudyKind
  public var formatVersion: Int
  public var units: Units
  public var identity: StudyIdentity
  /// nil for a complete (unsharded or merged) result.
  public var shard: Shard?
  /// The task numbers this file covers, in order; one result per task.
  public var tasks: [Int]
  public var run: RunInfo
  /// Shards merged into this file (empty unless it was produced by `zptoys merge`).
  public var mergedFrom: [String]

  public init(identity: StudyIdentity, shard: Shard?, tasks: [Int], run: RunInfo, mergedFrom: [String] = []) {
    study = identity.study
    formatVersion = ResultFormat.version
    units = .standard
    self.identity = identity
    self.shard = shard
    self.tasks = tasks
    self.run = run
    self.mergedFrom = mergedFrom
  }

  enum CodingKeys: String, CodingKey {
    case study, formatVersion = "format_version", units, identity, shard, tasks, run, mergedFrom = "merged_from"
  }

  /// Reads the header of a study file whose settings are `S`.
  public init<S: StudySettings>(from decoder: any Decoder, settings type: S.Type) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let study = try c.decode(StudyKind.self, forKey: .study)
    guard study == S.study else {
      throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a \(study) file, not a \(S.study) file"))
    }
    try self.init(c, identity: try StudyIdentity(from: try c.superDecoder(forKey: .identity), settings: S.self))
  }

  /// Reads a study file's header whatever its study.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(c, identity: try c.decode(StudyIdentity.self, forKey: .identity))
  }

  private init(_ c: KeyedDecodingContainer<CodingKeys>, identity: StudyIdentity) throws {
    study = try c.decode(StudyKind.self, forKey: .study)
    formatVersion = try c.decode(Int.self, forKey: .formatVersion)
    units = try c.decode(Units.self, forKey: .units)
    self.identity = identity
    guard identity.study == study else {
      throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.identity], debugDescription: "identity.study \(identity.study) ≠ study \(study)"))
    }
    guard c.contains(.shard) else { throw DecodingError.keyNotFound(CodingKeys.shard, .init(codingPath: [], debugDescription: "")) }
    shard = try c.decodeIfPresent(Shard.self, forKey: .shard)
    tasks = try c.decode([Int].self, forKey: .tasks)
    run = try c.decode(RunInfo.self, forKey: .run)
    mergedFrom = try c.decode([String].self, forKey: .mergedFrom)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(study, forKey: .study)
    try c.encode(formatVersion, forKey: .formatVersion)
    try c.encode(units, forKey: .units)
    try c.encode(identity, forKey: .identity)
    try c.encode(shard, forKey: .shard)  // null for a complete result
    try c.encode(tasks, forKey: .tasks)
    try c.encode(run, forKey: .run)
    try c.encode(mergedFrom, forKey: .mergedFrom)
  }
}

/// A study's result file: its header and one result per task.
public protocol StudyFile: ResultFile {
  associatedtype Settings: StudySettings
  associatedtype TaskResult: Codable & Sendable
  var header: StudyHeader { get set }
  /// The per-task results, in the order of `header.tasks`.
  var taskResults: [TaskResult] { get }
}

extension StudyFile {
  public static var study: StudyKind { Settings.study }
  public static var kind: ResultKind { ResultKind(rawValue: study.rawValue) }

  /// The study's settings.
  public var settings: Settings {
    guard let s = header.identity.settings.value(as: Settings.self) else {
      preconditionFailure("a \(Self.study) file with the settings of \(header.identity.study)")
    }
    return s
  }
  public var units: Units { header.units }
  public var configuration: String { header.identity.configuration }
  public var lumiFb: Double? { header.identity.inputs.lumiFb }
}

/// Differences between two JSON values, key by key.
enum ValueTree {
  static func differences(_ a: Any, _ b: Any, at path: [KeyTree.Step]) -> [String] {
    switch (a, b) {
    case (let x as [String: Any], let y as [String: Any]):
      return Set(x.keys).union(y.keys).sorted().flatMap { k -> [String] in
        switch (x[k], y[k]) {
        case (let u?, let v?): return differences(u, v, at: path + [.key(k)])
        case (let u?, nil): return ["\(KeyTree.render(path + [.key(k)])) \(text(u)) ≠ —"]
        case (nil, let v?): return ["\(KeyTree.render(path + [.key(k)])) — ≠ \(text(v))"]
        default: return []
        }
      }
    default:
      let (s, t) = (text(a), text(b))
      return s == t ? [] : ["\(KeyTree.render(path)) \(s) ≠ \(t)"]
    }
  }

  static func text(_ v: Any) -> String {
    if v is NSNull { return "null" }
    if let d = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed]) {
      return String(decoding: d, as: UTF8.self)
    }
    return "\(v)"
  }
}
