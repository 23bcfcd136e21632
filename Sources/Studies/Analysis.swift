import Experiment
import Foundation
import GSL
import Generator
import Likelihood
import Results
import _Support

/// The analysis of one configuration: the detector, the template Monte Carlo of the full
/// spectrum (built once), and the search windows built from them on demand — at the configured
/// integrated luminosity, or projected to another (``at(luminosity:scaleSystematics:)``).
public struct Analysis: Sendable {
  public let detector: DetectorModel
  public let settings: TemplateSettings
  /// The background templates at ``luminosity``.
  public private(set) var backgrounds: BackgroundSpectrum
  /// The processes taken from a user's file: name → SHA-256 of the file.
  public let userInputs: [String: String]
  /// What a user should know about how their files entered the templates (one line each).
  public let notes: [String]
  /// The integrated luminosity of the model, fb⁻¹: the configuration's unless projected.
  public private(set) var luminosity: Double
  /// The factor on the configuration's relative systematic sizes: 1, or √(L_config / L) when
  /// projected with scaled systematics.
  public private(set) var systematicsScale: Double = 1

  public init(config: ExperimentConfig, settings: TemplateSettings, userSources: [String: UserSource] = [:]) throws {
    detector = DetectorModel(config: config)
    self.settings = settings
    backgrounds = try BackgroundSpectrum(detector: detector, settings: settings, userSources: userSources)
    userInputs = userSources.mapValues(\.sha256)
    notes = Self.notes(config: config, binning: detector.binning, userSources: userSources)
    luminosity = config.luminosity.integrated
  }

  /// The ratio of ``luminosity`` to the configured luminosity.
  public var luminosityScale: Double { luminosity / config.luminosity.integrated }

  /// The same analysis at the integrated luminosity `l` (fb⁻¹), without new Monte Carlo: the
  /// signal per fb and every background scale by l / L_config; the relative systematic sizes
  /// stay, or with `scaleSystematics` shrink as 1/√L (× √(L_config / l)), as a systematic
  /// measured on data that grow with the luminosity would. The templates' Monte Carlo
  /// statistics (a staterror of `value: mc`) keep their relative size: the simulation does not
  /// grow.
  ///
  /// - Throws: ``StudyError`` for a luminosity that is not positive, or scaled systematics that
  ///   would make a normsys factor 1 − u negative.
  public func at(luminosity l: Double, scaleSystematics: Bool) throws -> Analysis {
    guard l.isFinite, l > 0 else { throw StudyError("--lumi must be a positive number of fb⁻¹, got \(l)") }
    let base = config.luminosity.integrated
    var copy = self
    copy.backgrounds = backgrounds.scaled(by: l / luminosity)
    copy.luminosity = l
    copy.systematicsScale = scaleSystematics ? (base / l).squareRoot() : 1
    let f = copy.systematicsScale
    for s in config.systematics where s.modifier == .normsys {
      if let u = s.size?.values.max(), u * f >= 1 {
        throw StudyError("--scale-systematics at \(l) fb⁻¹ scales the normsys \(s.name) (up to \(u)) by √(\(base)/\(l)) = \(f) to \(u * f): a factor 1 − u must stay positive")
      }
    }
    return copy
  }

  /// Where a user's Monte Carlo statistics go: into the staterrors of `value: mc` that the
  /// process' sample carries, or nowhere (said so); and how many histogram cells were shared
  /// between global cells.
  static func notes(config: ExperimentConfig, binning: WindowBinning, userSources: [String: UserSource]) -> [String] {
    let mcStat = Set(config.systematics.filter(\.fromMonteCarlo).map(\.name))
    return userSources.keys.sorted().flatMap { name -> [String] in
      let u = userSources[name]!
      let carried = config.backgrounds.first { $0.name == name }?.systematics.filter(mcStat.contains) ?? []
      var out: [String] = []
      if !u.hasVariances {
        out.append("--input \(name)=\(u.path): no sumw2 column: the template's Monte Carlo variance is taken as 0")
      } else if carried.isEmpty {
        out.append("--input \(name)=\(u.path): its Monte Carlo variance (Σw²) is in the templates but in no staterror of the likelihood: the configuration gives sample \(config.backgrounds.first { $0.name == name }?.sample ?? name) no systematic with `value: mc`")
      } else {
        out.append("--input \(name)=\(u.path): its Σw² is the per-bin uncertainty of staterror \(carried.joined(separator: ", "))")
      }
      let shared = u.straddlingCells(binning)
      if shared > 0 {
        out.append("--input \(name)=\(u.path): \(shared) histogram cells straddle the global cells' edges (the grid's M² edges × θ edges \(binning.fineThetaEdges.map { "\($0)" }.joined(separator: ", "))) and were shared by area")
      }
      return out
    }
  }

  public var config: ExperimentConfig { detector.config }

  /// What a study's likelihoods are made of, with `data` describing its observations ("none",
  /// "toy" or "events:<SHA-256>", see ``dataLabel(_:)``).
  public func inputs(data: String) -> StudyInputs {
    StudyInputs(lumiFb: luminosity, systematicsScale: systematicsScale, templateMC: templateMC, data: data)
  }

  /// The template Monte Carlo the likelihoods are built from.
  public var templateMC: TemplateMC {
    TemplateMC(seed: settings.seed, signalEvents: settings.signalEvents, backgroundEvents: settings.backgroundEvents, userInputs: userInputs)
  }

  /// The identity of a study of this analysis.
  public func identity(_ settings: some StudySettings, seed: UInt64, data: String, tasks: Int) -> StudyIdentity {
    StudyIdentity(configuration: config.name, configurationSHA256: SHA256.hex(config.sourceText), seed: seed,
                  inputs: inputs(data: data), settings: settings, totalTasks: tasks)
  }

  /// "none" without data, "toy" for the pseudo-data set of the seed, else "events:<SHA-256 of
  /// the file>".
  public static func dataLabel(_ data: String?) -> String {
    guard let d = data else { return "none" }
    return d == "toy" ? "toy" : "events:\(SHA256.hex(FileManager.default.contents(atPath: d) ?? Data()))"
  }

  public var grid: MassGrid { detector.grid }

  /// The signal template of hypothesis `index` at the configured luminosity (generated here).
  public func signalTemplate(_ index: Int, widthFraction: Double = 0) throws -> SignalTemplate {
    let w = detector.binning.window(index, widthFraction: widthFraction)
    return try SignalTemplate(detector: detector, window: w, widthFraction: widthFraction, settings: settings)
  }

  /// The search window of hypothesis `index` at ``luminosity`` (its signal template is generated
  /// here unless given: a template of ``signalTemplate(_:widthFraction:)`` serves every
  /// luminosity).
  public func window(_ index: Int, widthFraction: Double = 0, signal: SignalTemplate? = nil) throws -> SearchWindow {
    let w = detector.binning.window(index, widthFraction: widthFraction)
    let template = try signal ?? SignalTemplate(detector: detector, window: w, widthFraction: widthFraction, settings: settings)
    return SearchWindow(detector: detector, window: w, signal: template.scaled(by: luminosityScale), backgrounds: backgrounds,
                        systematicsScale: systematicsScale)
  }

  /// The expected background per global cell (all processes).
  public var expectedCells: [Double] { backgrounds.totalYields }
}

/// Where a window's observations come from.
public enum WindowData: Sendable, Equatable {
  /// The background-only expectation (non-integer; pyhf accepts it).
  case asimov
  /// The window's share of the full-spectrum background-only pseudo-data set of the seed (the
  /// same data set `zptoys scan --data toy` and `zptoys brazil --data toy` use).
  case toy
  /// Reconstructed events from a CSV file (columns m2_recoil_gev2, theta_cm_recoil_deg).
  case events(path: String)

  public static func parse(_ s: String) -> WindowData {
    switch s {
    case "asimov": .asimov
    case "toy": .toy
    default: .events(path: s)
    }
  }

  /// The window's main observations.
  public func observations(for window: SearchWindow, analysis: Analysis, seed: UInt64) throws -> [Double] {
    switch self {
    case .asimov:
      return window.totalBackground
    case .toy:
      return SpectrumData.pseudoData(expected: analysis.expectedCells, seed: seed, study: .scanData, toy: 0)
        .observations(window, binning: analysis.detector.binning)
    case .events(let path):
      return window.bin(events: try EventFile.read(path: path))
    }
  }
}

/// Reconstructed events from a CSV file: columns `m2_recoil_gev2` and `theta_cm_recoil_deg`
/// (`zptoys generate`'s other columns are allowed and not used; any other column is an error).
/// Data are events, one per row: a `weight` column belongs to simulation (`--input`).
public enum EventFile {
  public static func read(path: String) throws -> [(m2: Double, cosThetaCM: Double)] {
    let csv = try NumericCSV(path: path, required: UserSource.eventColumns)
    for name in csv.header where !(UserSource.eventColumns + UserSource.eventExtras).contains(name) {
      let why = name == UserSource.weightColumn
        ? "data are events, one per row, without weights (a weighted file is simulation: give it with --input PROCESS=FILE)"
        : "unknown column \"\(name)\"; an event file has the columns \((UserSource.eventColumns + UserSource.eventExtras).joined(separator: ", "))"
      throw NumericCSV.ReadError(path: path, line: csv.headerLine, reason: why)
    }
    let im = csv.column("m2_recoil_gev2")!, it = csv.column("theta_cm_recoil_deg")!
    var out: [(m2: Double, cosThetaCM: Double)] = []
    out.reserveCapacity(csv.rows.count)
    for (r, row) in csv.rows.enumerated() {
      guard row[it] >= 0, row[it] <= 180 else { throw csv.error(row: r, "theta_cm_recoil_deg must be in [0, 180], got \(row[it])") }
      out.append((row[im], cos(row[it] * Double.pi / 180)))
    }
    return out
  }
}
