/// The signal and the background processes of a configuration: the data the generator draws from
/// and the search window's samples are made of. A background is a list of components, each a
/// shape family with its parameters and a yield, so that a new process (or a process split into
/// more components) is a configuration change; a new shape family is code (one case here, its
/// reader and its sampler in `Generator`).

/// The names of processes, samples and systematics: they become pyhf sample and parameter names
/// and command-line values.
enum ProcessNames {
  static let rule = "names are 1–40 characters: lower-case letters, digits, _ and -, starting with a letter"
  static func isValid(_ s: String) -> Bool {
    guard let first = s.first, first.isLetter, s.count <= 40 else { return false }
    return s.allSatisfy { ($0.isLetter && $0.isLowercase && $0.isASCII) || ($0.isNumber && $0.isASCII) || $0 == "_" || $0 == "-" }
  }
  /// Names that mean something else where processes are chosen (`zptoys generate --process`).
  static let reserved: Set<String> = ["signal", "background"]
}

/// The Z′ signal: where its c.m. energy and angle come from, and the systematics its sample
/// carries (its normalisation is the parameter of interest, the cross section in fb).
public struct SignalModel: Sendable, Equatable {
  /// Where the Z′ c.m. energy and angle come from.
  public enum Kinematics: String, Sendable, Equatable, CaseIterable {
    case matrixElement = "matrix-element", parametric
  }
  public var kinematics: Kinematics
  public var thetaCMA: Double
  public var widthFraction: Double
  public var systematics: [String]

  static func read(_ r: YAMLReader) throws -> SignalModel {
    let kinReader = try r.at("kinematics")
    let kinText = try kinReader.string()
    guard let kin = Kinematics(rawValue: kinText) else {
      throw kinReader.error("must be one of \(Kinematics.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(kinText)\"")
    }
    let signal = SignalModel(kinematics: kin, thetaCMA: try r.double("theta_cm_a"), widthFraction: try r.double("width_fraction"),
                             systematics: try r.strings("systematics"))
    try r.rejectUnknownKeys()
    return signal
  }
}

/// A background process: its name (used by `--input NAME=FILE`, `generate --process NAME` and in
/// event files), a label for plots (with the plots' ^{…}/_{…} markup), the search-window sample
/// it belongs to, the systematics that sample carries, and its components.
public struct BackgroundProcess: Sendable, Equatable {
  public var name: String
  public var label: String
  public var sample: String
  public var systematics: [String]
  public var components: [ShapeComponent]

  /// Expected events after the selection at the configured luminosity (all components).
  public var totalYield: Double { components.reduce(0) { $0 + $1.yield } }

  static func readAll(_ r: YAMLReader) throws -> [BackgroundProcess] {
    let list = try r.array().map(read)
    guard !list.isEmpty else { throw r.error("needs at least one background process") }
    return list
  }

  static func read(_ r: YAMLReader) throws -> BackgroundProcess {
    let nameReader = try r.at("name")
    let name = try nameReader.string()
    guard ProcessNames.isValid(name) else { throw nameReader.error(ProcessNames.rule) }
    guard !ProcessNames.reserved.contains(name) else { throw nameReader.error("\"\(name)\" is reserved (a background may not be called signal or background)") }
    let sampleReader = try r.at("sample")
    let sample = try sampleReader.string()
    guard ProcessNames.isValid(sample) else { throw sampleReader.error(ProcessNames.rule) }
    guard sample != "signal" else { throw sampleReader.error("\"signal\" is the signal's sample") }
    let componentsReader = try r.at("components")
    let components = try componentsReader.array().map(ShapeComponent.read)
    guard !components.isEmpty else { throw componentsReader.error("needs at least one component") }
    let p = BackgroundProcess(name: name, label: try r.string("label"), sample: sample, systematics: try r.strings("systematics"),
                              components: components)
    try r.rejectUnknownKeys()
    return p
  }
}

/// One component of a background: its yield and its shape.
public struct ShapeComponent: Sendable, Equatable {
  /// Expected events after the selection at the configured luminosity.
  public var yield: Double
  public var shape: ShapeFamily

  static func read(_ r: YAMLReader) throws -> ShapeComponent {
    let y = try r.at("yield")
    let yield = try y.double()
    guard yield >= 0, yield <= 1e9 else { throw y.error("must be between 0 and 1e9 events, got \(yield)") }
    let c = ShapeComponent(yield: yield, shape: try ShapeFamily.read(r))
    try r.rejectUnknownKeys()
    return c
  }
}
