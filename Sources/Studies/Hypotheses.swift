import Experiment
import Foundation
import Generator
import Inference
import Likelihood
import Results
import _Support

/// The likelihood of one hypothesis, ready for a study.
public struct HypothesisModel: Sendable {
  public let label: HypothesisLabel
  public let model: Model
  /// Whether the model's main observations are data (a data set, or a published likelihood's
  /// own); false when they are the background-only expectation (windows without data).
  public let hasObservations: Bool
  /// Expected signal events per unit of the POI (per fb for a window) and background events,
  /// summed over the main bins.
  public let signalPerPOI: Double
  public let background: Double

  public init(label: HypothesisLabel, model: Model, hasObservations: Bool, signalPerPOI: Double, background: Double) {
    self.label = label
    self.model = model
    self.hasObservations = hasObservations
    self.signalPerPOI = signalPerPOI
    self.background = background
  }

  /// The observed events (main bins).
  public var observedEvents: Double { model.observedMainData.reduce(0, +) }
}

/// What a study tests: an ordered list of hypotheses, each a likelihood with its label — the
/// search windows of a configuration (``WindowHypotheses``) or the patches of a published
/// likelihood (``PatchHypotheses``). The studies (Brazil bands, scans, look-elsewhere,
/// coverage, pulls) run over any set: a new kind of hypothesis is a new conformance, not a new
/// copy of each study.
///
/// Hypothesis `t` (0 ≤ t < ``count``, the study's order) draws its toys from the streams
/// (seed, family, ``streamIndex(_:)``, toy), so that its results do not depend on which other
/// hypotheses a study selects.
public protocol HypothesisSet: Sendable {
  var count: Int { get }
  func label(_ t: Int) -> HypothesisLabel
  /// The stream index of hypothesis `t`: a window's grid index, a patch's position.
  func streamIndex(_ t: Int) -> Int
  /// The likelihood of hypothesis `t` on `data` (a full-spectrum data set, for windows), or
  /// without it on the set's own observations: a published likelihood's data, or for windows
  /// the background-only expectation (then ``HypothesisModel/hasObservations`` is false).
  func model(_ t: Int, data: SpectrumData?) throws -> HypothesisModel
  /// The pyhf workspace behind ``model(_:data:)`` and the measurement it uses (nil: the first),
  /// for studies that change the measurement (a pull study frees the POI's lower bound).
  func workspace(_ t: Int, data: SpectrumData?) throws -> (workspace: Workspace, measurement: String?)
  /// Whether the hypotheses have observations of their own (a published likelihood): studies
  /// then report observed results without data.
  var hasOwnData: Bool { get }
  /// The background-only expectation of the observations every hypothesis shares (the global
  /// cells of the spectrum; the main bins of a published likelihood): look-elsewhere toys draw
  /// one data set of it for all hypotheses.
  func sharedExpectation() throws -> [Double]
  /// Hypothesis `t`'s main observations in one shared data set.
  func observations(_ t: Int, shared: SpectrumData) throws -> [Double]
  /// The identity of a study over these hypotheses (`data`: "none", "toy", "events:<SHA-256>"
  /// or "published").
  func identity(_ settings: some StudySettings, seed: UInt64, data: String, tasks: Int) -> StudyIdentity
}

/// The search windows of a configuration: hypotheses `indices` of its mass grid (all, a list,
/// or a mass range: ``MassSelection``), narrow or of width fraction `widthFraction`.
public struct WindowHypotheses: HypothesisSet {
  public let analysis: Analysis
  public let indices: [Int]
  public let widthFraction: Double
  /// The windows' binning (kept: look-elsewhere toys bin every data set into every window).
  let windows: [WindowBinning.Window]

  public init(analysis: Analysis, indices: [Int], widthFraction: Double = 0) {
    self.analysis = analysis
    self.indices = indices
    self.widthFraction = widthFraction
    windows = indices.map { analysis.detector.binning.window($0, widthFraction: widthFraction) }
  }

  /// - Throws: ``MassSelection/ParseError`` for a selection that is not one.
  public init(analysis: Analysis, masses: String, widthFraction: Double = 0) throws {
    self.init(analysis: analysis, indices: try MassSelection(masses).indices(in: analysis.grid), widthFraction: widthFraction)
  }

  public var count: Int { indices.count }

  public func label(_ t: Int) -> HypothesisLabel {
    let h = analysis.grid.hypotheses[indices[t]]
    return HypothesisLabel(index: h.index, mass: h.mass, m2: h.m2, patch: nil)
  }

  public func streamIndex(_ t: Int) -> Int { indices[t] }

  /// The window itself (its templates and workspace).
  public func window(_ t: Int) throws -> SearchWindow { try analysis.window(indices[t], widthFraction: widthFraction) }

  public func model(_ t: Int, data: SpectrumData?) throws -> HypothesisModel {
    let window = try self.window(t)
    let obs = data?.observations(window, binning: analysis.detector.binning)
    let model = try Model(workspace: window.workspace(observations: obs ?? window.totalBackground))
    return HypothesisModel(label: label(t), model: model, hasObservations: obs != nil, signalPerPOI: window.signalPerFb.reduce(0, +),
                           background: window.totalBackground.reduce(0, +))
  }

  public func workspace(_ t: Int, data: SpectrumData?) throws -> (workspace: Workspace, measurement: String?) {
    let window = try self.window(t)
    let obs = data?.observations(window, binning: analysis.detector.binning)
    return (window.workspace(observations: obs ?? window.totalBackground), nil)
  }

  public var hasOwnData: Bool { false }

  public func sharedExpectation() throws -> [Double] { analysis.expectedCells }

  public func observations(_ t: Int, shared: SpectrumData) throws -> [Double] {
    let w = windows[t]
    switch shared {
    case .cells(let c): return analysis.detector.binning.windowCounts(w, cells: c)
    case .events(let e):
      return e.reduce(into: [Double](repeating: 0, count: w.binCount)) { acc, ev in
        if let k = w.bin(m2: ev.m2, cosTheta: ev.cosThetaCM) { acc[k] += 1 }
      }
    }
  }

  public func identity(_ settings: some StudySettings, seed: UInt64, data: String, tasks: Int) -> StudyIdentity {
    analysis.identity(settings, seed: seed, data: data, tasks: tasks)
  }
}
