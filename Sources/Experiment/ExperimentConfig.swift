import Foundation
import Yams

/// The experiment, read from YAML: beams, luminosity, resolution, mass grid, window binning,
/// efficiency, acceptance, calorimeter, the systematic uncertainties, the signal, the background
/// processes (a list: adding one is a configuration change) and the default study.
///
/// The schema is documented field by field in `toys/CONFIGURATION.md`; the embedded default
/// (``embeddedDefault()``) is the Belle II 2019–2020 configuration, identical to
/// `toys/belle2-2019-2020.yaml`.
public struct ExperimentConfig: Sendable, Equatable {
  public var name: String
  public var beams: Beams
  public var luminosity: Luminosity
  public var resolution: Resolution
  public var massGrid: MassGridSpec
  public var window: WindowSpec
  public var efficiency: Efficiency
  public var acceptance: Acceptance
  public var calorimeter: Calorimeter
  /// The systematic uncertainties by name, in the order of the file.
  public var systematics: [Systematic]
  public var signal: SignalModel
  /// The background processes, in the order of the file (the order of the window's samples and
  /// of the template Monte Carlo's streams).
  public var backgrounds: [BackgroundProcess]
  /// What `zptoys run` does with this configuration.
  public var defaultStudy: DefaultStudySpec
  /// The YAML text the configuration was read from (recorded in result files).
  public var sourceText: String
  /// Where it came from: a path, or "<embedded belle2-2019-2020>".
  public var sourceName: String

  public struct Beams: Sendable, Equatable {
    public var electronEnergy: Double
    public var positronEnergy: Double
    public var sqrtS: Double
    public var boostBetaGamma: Double
  }

  public struct Luminosity: Sendable, Equatable {
    public var integrated: Double
    public var relativeUncertainty: Double
  }

  public struct MassGridSpec: Sendable, Equatable {
    public var minMass: Double
    public var maxMass: Double
    public var stepResolutionUnits: Double
  }

  public struct ThetaBinningRow: Sendable, Equatable {
    public var m2Below: Double
    public var edges: [Double]
  }

  public struct WindowSpec: Sendable, Equatable {
    public var m2Bins: Int
    public var thetaBinning: [ThetaBinningRow]
  }

  public struct Efficiency: Sendable, Equatable {
    public var selection: PiecewiseLinear
    public var trigger: PiecewiseLinear
  }

  public struct AcceptanceRegion: Sendable, Equatable {
    public var m2Below: Double
    public var thetaLabRange: ClosedRange<Double>
    public var thetaLabExcluded: [ClosedRange<Double>]
  }

  public struct Acceptance: Sendable, Equatable {
    public var regions: [AcceptanceRegion]
    public var minRecoilPtCM: Double
  }

  public struct Calorimeter: Sendable, Equatable {
    public var forwardEndcap: ClosedRange<Double>
    public var barrel: ClosedRange<Double>
    public var backwardEndcap: ClosedRange<Double>
  }

}

// MARK: - Loading

extension ExperimentConfig {
  public static let embeddedName = "<embedded belle2-2019-2020>"

  /// The embedded Belle II 2019–2020 configuration (identical to toys/belle2-2019-2020.yaml).
  public static func embeddedDefault() throws -> ExperimentConfig {
    try parse(yaml: EmbeddedConfiguration.belle2_2019_2020, source: embeddedName)
  }

  /// Reads and validates a configuration file.
  public static func load(path: String) throws -> ExperimentConfig {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw ConfigError(source: path, field: "", reason: "no such file")
    }
    guard !isDir.boolValue else { throw ConfigError(source: path, field: "", reason: "is a folder, not a YAML file") }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ConfigError(source: path, field: "", reason: "cannot be read (permissions?)")
    }
    guard data.count <= 16 << 20 else {
      throw ConfigError(source: path, field: "", reason: "is \(data.count) bytes; a configuration is at most 16 MiB")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ConfigError(source: path, field: "", reason: "is not UTF-8 text")
    }
    return try parse(yaml: text, source: path)
  }

  /// Parses and validates YAML text; `source` names it in error messages.
  public static func parse(yaml: String, source: String) throws -> ExperimentConfig {
    let root: Node
    do {
      guard let node = try Yams.compose(yaml: yaml) else {
        throw ConfigError(source: source, field: "", reason: "empty document")
      }
      root = node
    } catch let e as ConfigError {
      throw e
    } catch let e as YamlError {
      throw ConfigError(source: source, field: "", reason: "not valid YAML: \(e)")
    } catch {
      throw ConfigError(source: source, field: "", reason: "not valid YAML: \(error)")
    }
    let r = YAMLReader(source: source, node: root)
    guard root.mapping != nil else { throw r.error("the document must be a mapping of sections") }
    var config = try read(r)
    config.sourceText = yaml
    config.sourceName = source
    try config.validate()
    return config
  }
}
