import Foundation

/// One HistFactory modifier type, as a file of pyhf's `modifiers/` directory: how its `data`
/// reads and writes in the workspace JSON, what it checks, the parameter set it introduces and
/// what it does to a sample's bins. Every type is listed once in ``ModifierRegistry/types``;
/// adding a modifier is a new file conforming to this protocol plus one line there.
public protocol ModifierType: Sendable {
  /// pyhf's type string ("normsys").
  static var typeName: String { get }
  /// Other types whose modifiers may share a parameter with this one (pyhf: normsys and
  /// histosys); empty by default.
  static var sharesParametersWith: Set<String> { get }
  /// Parameter sets of this type are ordered by name (pyhf: staterror), not by first appearance.
  static var setsSortedByName: Bool { get }

  /// Reads the modifier's `data` (`container` is the modifier object); `name` is its name.
  init(name: String, data container: KeyedDecodingContainer<ModifierKey>) throws
  /// Writes the modifier's `data` key.
  func encodeData(to container: inout KeyedEncodingContainer<ModifierKey>) throws
  /// Checks the data against a sample of `bins` bins; errors name `path` (the modifier's).
  func validate(bins: Int, path: String) throws
  /// The same modifier (type and data).
  func isEqual(to other: any ModifierType) -> Bool

  /// The parameter set of the modifier name `uses` share, with pyhf's defaults
  /// (`required_parset`), before the measurement's configuration.
  static func parameterSet(name: String, uses: [ModifierUse], in context: ModelContext) throws -> ParameterSetSpec
  /// Checks the set once the measurement's configuration is applied (pyhf: lumi needs one).
  static func checkConfigured(_ set: ParameterSetSpec, path: String) throws
  /// Which parameter of `set` acts on bin `bin` of the sample of `use` (0 for a scalar set).
  func parameterOffset(bin: Int, use: ModifierUse, set: ParameterSetSpec) -> Int
  /// The effect on bin `bin` of a sample with nominal yield `nominal`.
  func effect(bin: Int, nominal: Double) -> Effect
}

extension ModifierType {
  public static var sharesParametersWith: Set<String> { [] }
  public static var setsSortedByName: Bool { false }
  public static func checkConfigured(_ set: ParameterSetSpec, path: String) throws {}
  public func validate(bins: Int, path: String) throws {}
  public func parameterOffset(bin: Int, use: ModifierUse, set: ParameterSetSpec) -> Int {
    set.isScalar ? 0 : (set.channelOffset[use.channelPosition] ?? 0) + bin
  }
}

extension ModifierType where Self: Equatable {
  public func isEqual(to other: any ModifierType) -> Bool { (other as? Self) == self }
}

/// A modifier type whose `data` is null: normfactor, lumi, shapefactor.
public protocol NullDataModifier: ModifierType {
  init()
}

extension NullDataModifier {
  public init(name: String, data container: KeyedDecodingContainer<ModifierKey>) throws {
    try Self.requireNullData(container)
    self.init()
  }

  public func encodeData(to container: inout KeyedEncodingContainer<ModifierKey>) throws {
    try container.encodeNil(forKey: .data)
  }
}

/// A modifier type whose `data` are absolute uncertainties, one per bin: staterror, shapesys.
public protocol UncertaintyModifier: ModifierType {
  var uncertainties: [Double] { get }
  init(uncertainties: [Double])
}

extension UncertaintyModifier {
  public init(name: String, data container: KeyedDecodingContainer<ModifierKey>) throws {
    self.init(uncertainties: try container.decode([Double].self, forKey: .data))
  }

  public func encodeData(to container: inout KeyedEncodingContainer<ModifierKey>) throws {
    try container.encode(uncertainties, forKey: .data)
  }

  public func validate(bins: Int, path: String) throws {
    try Self.checkPerBin(uncertainties, bins: bins, path: path + ".data", what: "uncertainties")
  }
}

/// The keys of a modifier object in the workspace JSON.
public enum ModifierKey: String, CodingKey, CaseIterable { case name, type, data }

/// The modifier types ZPrimeToys reads, in pyhf's `modifiers.histfactory_set` order, which is
/// the order of the parameter sets (pyhf `_nominal_and_modifiers_from_spec`) and of the factors
/// within a term.
public enum ModifierRegistry {
  public static let types: [any ModifierType.Type] = [
    Histosys.self, Lumi.self, Normfactor.self, Normsys.self, Shapefactor.self, Shapesys.self, Staterror.self,
  ]

  /// The type called `name`, if any.
  public static func type(named name: String) -> (any ModifierType.Type)? {
    types.first { $0.typeName == name }
  }

  /// The position of type `name` in ``types`` (the parameter-set and factor order).
  static func rank(of name: String) -> Int { types.firstIndex { $0.typeName == name } ?? types.count }

  static var typeNames: [String] { types.map { $0.typeName } }
}

/// One occurrence of a modifier on a sample.
public struct ModifierUse: Sendable {
  /// Workspace indices of the channel, sample and modifier.
  public let channel: Int
  public let sample: Int
  public let modifier: Int
  /// Position of the channel in the model's (sorted) channel order.
  public let channelPosition: Int
  /// The JSON path of the modifier.
  public var path: String { "channels[\(channel)].samples[\(sample)].modifiers[\(modifier)]" }
}

/// What a modifier type may look at while building its parameter set.
public struct ModelContext: Sendable {
  public let workspace: Workspace
  /// Workspace channel index of each position in the model's (sorted) channel order.
  public let channelOrder: [Int]

  public func sample(_ use: ModifierUse) -> Sample { workspace.channels[use.channel].samples[use.sample] }
  public func modifier(_ use: ModifierUse) -> Modifier { sample(use).modifiers[use.modifier] }
  /// Bins of the sample of `use`.
  public func bins(_ use: ModifierUse) -> Int { sample(use).data.count }
}

/// A parameter set as a modifier type defines it (pyhf `paramset` requirements): size,
/// constraint and defaults, which the measurement's configuration then overrides.
public struct ParameterSetSpec: Sendable {
  public var name: String
  /// Modifier types using the name (normsys and histosys may share one).
  public var types: [String]
  public var uses: [ModifierUse] = []
  public var count = 1
  public var isScalar = true
  public var constraint: ParameterSet.ConstraintType = .unconstrained
  public var inits: [Double] = []
  public var bounds: [(Double, Double)] = []
  public var fixed: [Bool] = []
  public var auxdata: [Double] = []
  /// Gaussian widths (default 1).
  public var sigmas: [Double] = []
  /// Poisson scale factors τ.
  public var factors: [Double] = []
  /// For sets spanning several channels (staterror): the first parameter of each channel
  /// position.
  public var channelOffset: [Int: Int] = [:]
  /// Configuration keys the set accepts besides inits, bounds and fixed (pyhf refuses a key
  /// the modifier's `required_parset` does not define).
  public var accepts: Set<String> = ["inits", "bounds", "fixed"]

  public init(name: String, types: [String], uses: [ModifierUse]) {
    self.name = name
    self.types = types
    self.uses = uses
  }

  /// One scalar parameter with the given defaults.
  public mutating func scalar(init value: Double, bounds: (Double, Double), constraint: ParameterSet.ConstraintType = .unconstrained) {
    count = 1
    isScalar = true
    inits = [value]
    self.bounds = [bounds]
    fixed = [false]
    self.constraint = constraint
  }

  /// `n` parameters, one per bin, with the given defaults.
  public mutating func perBin(_ n: Int, init value: Double, bounds: (Double, Double)) {
    count = n
    isScalar = false
    inits = Array(repeating: value, count: n)
    self.bounds = Array(repeating: bounds, count: n)
    fixed = Array(repeating: false, count: n)
  }
}

extension ModifierType {
  /// A decoding error at the modifier's `data` key.
  static func dataError(_ container: KeyedDecodingContainer<ModifierKey>, _ message: String) -> DecodingError {
    DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [ModifierKey.data], debugDescription: message))
  }

  /// `data` must be null or absent (normfactor, lumi, shapefactor).
  static func requireNullData(_ container: KeyedDecodingContainer<ModifierKey>) throws {
    if container.contains(.data), !(try container.decodeNil(forKey: .data)) {
      throw dataError(container, "a \(typeName) modifier takes no data (null)")
    }
  }

  /// Checks that `values` has one finite entry per bin.
  static func checkPerBin(_ values: [Double], bins: Int, path: String, what: String) throws {
    if values.count != bins {
      throw WorkspaceError(path: path, message: "\(values.count) \(what) for a sample of \(bins) bins")
    }
    for (i, v) in values.enumerated() where !v.isFinite {
      throw WorkspaceError(path: path + "[\(i)]", message: "not a finite number: \(v)")
    }
  }
}
