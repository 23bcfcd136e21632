import Experiment
import Foundation
import GSL
import _Support

/// A 2D histogram in (M²_recoil, θ_cm_recoil): expected yields and their Monte Carlo variances.
public struct Histogram2D: Sendable, Codable, Equatable {
  public var m2Edges: [Double]
  public var thetaEdges: [Double]
  /// Expected events per bin, M²-major: bin = i·(θ bins) + j.
  public var yields: [Double]
  /// Sum of squared MC weights per bin (the MC variance of `yields`).
  public var sumw2: [Double]

  enum CodingKeys: String, CodingKey {
    case m2Edges = "m2_edges_gev2", thetaEdges = "theta_cm_edges_deg", yields, sumw2
  }

  public var total: Double { yields.reduce(0, +) }
}

/// Monte Carlo settings of the templates ("the simulation").
public struct TemplateSettings: Sendable, Equatable {
  /// Seed of the template Monte Carlo, separate from the toys' seed so that changing the toys'
  /// seed does not change the likelihood model.
  public var seed: UInt64 = 20_200_101
  /// Accepted MC events per background process for the full spectrum.
  public var backgroundEvents: Int = 1_000_000
  /// Accepted MC events per signal hypothesis.
  public var signalEvents: Int = 100_000
  /// Worker threads (results do not depend on it).
  public var threads: Int = 1

  public init(seed: UInt64 = 20_200_101, backgroundEvents: Int = 1_000_000, signalEvents: Int = 100_000, threads: Int = 1) {
    self.seed = seed
    self.backgroundEvents = backgroundEvents
    self.signalEvents = signalEvents
    self.threads = threads
  }
}

/// The full-spectrum background templates: per process (the configuration's list), expected
/// yields and MC variances in every global cell (global M² bins × fine θ cells,
/// ``WindowBinning``). Every window's background template is a sum of these cells, and a
/// full-spectrum pseudo-data set is a Poisson draw of them.
///
/// The Monte Carlo of process k (its position in the list) draws from the 16 streams
/// (settings.seed, templates, −1 − k, chunk); the events are weighted so that all accepted events
/// (inside and outside every window) sum to the process' yield. A process taken from a user's
/// file (``UserSource``) has that file's simulation as its template, binned without resampling.
public struct BackgroundSpectrum: Sendable {
  public let detector: DetectorModel
  /// The process names, in the configuration's order.
  public let processes: [String]
  /// Per process: yields and sumw2 per global cell.
  public private(set) var yields: [String: [Double]]
  public private(set) var sumw2: [String: [Double]]
  public let settings: TemplateSettings

  /// - Parameter userSources: processes taken from a user's file instead of their model, by name.
  /// - Throws: ``GeneratorError/invalidRequest(_:)`` for a user source of an unknown process.
  public init(detector: DetectorModel, settings: TemplateSettings, userSources: [String: UserSource] = [:]) throws {
    self.detector = detector
    self.settings = settings
    let config = detector.config
    let names = config.backgrounds.map(\.name)
    processes = names
    if let unknown = userSources.keys.sorted().first(where: { !names.contains($0) }) {
      throw GeneratorError.invalidRequest("--input \(unknown)=…: no background process \"\(unknown)\" in the configuration (\(names.joined(separator: ", ")))")
    }
    var y: [String: [Double]] = [:]
    var s: [String: [Double]] = [:]
    for (k, process) in config.backgrounds.enumerated() {
      if let user = userSources[process.name] {
        // The user's simulation is the template (never resampled).
        (y[process.name], s[process.name]) = try user.globalCells(detector.binning)
        continue
      }
      let counts = try Self.cellCounts(process: k, detector: detector, settings: settings)
      (y[process.name], s[process.name]) = Self.weighted(counts, yield: process.totalYield, events: Self.eventsPerChunk(settings) * Self.chunkCount)
    }
    yields = y
    sumw2 = s
  }

  static let chunkCount = 16
  static func eventsPerChunk(_ settings: TemplateSettings) -> Int { (settings.backgroundEvents + chunkCount - 1) / chunkCount }

  /// Unweighted MC counts per global cell of process `k`, per chunk of events.
  static func cellCounts(process k: Int, detector: DetectorModel, settings: TemplateSettings) throws -> [[Double]] {
    let binning = detector.binning
    let ncell = binning.globalCellCount
    let perChunk = eventsPerChunk(settings)
    let gen = EventGenerator(detector: detector, sampler: BackgroundSampler(process: detector.config.backgrounds[k], config: detector.config))
    return try Parallel.map(count: chunkCount, threads: settings.threads, makeState: { () }) { c, _ in
      let rng = RandomStream(StreamKey(seed: settings.seed, study: .templates, massIndex: -1 - k, toyIndex: c))
      var h = [Double](repeating: 0, count: ncell)
      try gen.generate(count: perChunk, rng: rng) { e in
        if let cell = binning.globalCell(m2: e.m2, cosThetaCM: e.cosThetaCM) { h[cell] += 1 }
      }
      return h
    }
  }

  /// Yields and sumw2 per cell: the process' yield shared by all `events` accepted MC events
  /// (including those outside every window, so that the yield is the expected count after the
  /// selection).
  static func weighted(_ counts: [[Double]], yield total: Double, events: Int) -> ([Double], [Double]) {
    let ncell = counts.first?.count ?? 0
    let w = total / Double(events)
    var yy = [Double](repeating: 0, count: ncell)
    var ss = [Double](repeating: 0, count: ncell)
    for h in counts { for k in 0..<ncell { yy[k] += h[k] } }
    for k in 0..<ncell {
      ss[k] = yy[k] * w * w
      yy[k] *= w
    }
    return (yy, ss)
  }

  /// The same templates for a luminosity `k` times the configured one: yields × k, and Σw² × k²
  /// (every simulated event's weight × k: the simulation's relative statistical precision is
  /// that of the simulation, whatever the luminosity it stands for).
  public func scaled(by k: Double) -> BackgroundSpectrum {
    var copy = self
    copy.yields = yields.mapValues { $0.map { $0 * k } }
    copy.sumw2 = sumw2.mapValues { $0.map { $0 * k * k } }
    return copy
  }

  /// Total background per global cell (all processes).
  public var totalYields: [Double] {
    var t = [Double](repeating: 0, count: detector.binning.globalCellCount)
    for p in processes { for (k, v) in yields[p]!.enumerated() { t[k] += v } }
    return t
  }

  /// The window's template of one background process (a name of ``processes``).
  public func window(_ w: WindowBinning.Window, process: String) -> Histogram2D {
    let b = detector.binning
    return Histogram2D(m2Edges: w.m2Edges, thetaEdges: w.thetaEdges,
                       yields: b.windowCounts(w, cells: yields[process]!), sumw2: b.windowCounts(w, cells: sumw2[process]!))
  }
}

/// The signal template of one hypothesis' window, per fb of cross section:
/// yield per bin = L · ε_sel(M²) · ε_trig(M²) · (fraction of generated events accepted in the bin).
public struct SignalTemplate: Sendable {
  public let hypothesis: MassHypothesis
  public let widthFraction: Double
  /// Expected events per fb in each window bin, and their MC variance.
  public private(set) var perFb: Histogram2D
  /// Geometric acceptance (accepted / generated).
  public let acceptance: Double
  /// Selection × trigger efficiency at the hypothesis' M².
  public let efficiency: Double
  /// The share of accepted events inside the window.
  public let containment: Double

  public init(detector: DetectorModel, window w: WindowBinning.Window, widthFraction: Double = 0, settings: TemplateSettings) throws {
    hypothesis = w.hypothesis
    self.widthFraction = widthFraction
    let gen = EventGenerator(detector: detector, sampler: try SignalSampler(mass: w.hypothesis.mass, widthFraction: widthFraction, config: detector.config))
    let rng = RandomStream(StreamKey(seed: settings.seed, study: .templates, massIndex: w.hypothesis.index, toyIndex: widthFraction > 0 ? 1 : 0))
    var counts = [Double](repeating: 0, count: w.binCount)
    var inside = 0
    let drawn = try gen.generate(count: settings.signalEvents, rng: rng) { e in
      guard let k = w.bin(m2: e.m2, cosTheta: e.cosThetaCM) else { return }
      counts[k] += 1
      inside += 1
    }
    acceptance = Double(settings.signalEvents) / Double(drawn)
    efficiency = detector.efficiency(m2: w.hypothesis.m2)
    containment = Double(inside) / Double(settings.signalEvents)
    let perEvent = detector.config.luminosity.integrated * efficiency * acceptance / Double(settings.signalEvents)
    perFb = Histogram2D(m2Edges: w.m2Edges, thetaEdges: w.thetaEdges, yields: counts.map { $0 * perEvent },
                        sumw2: counts.map { $0 * perEvent * perEvent })
  }

  /// The template for a luminosity `k` times the configured one (yields × k, Σw² × k², as
  /// ``BackgroundSpectrum/scaled(by:)``).
  public func scaled(by k: Double) -> SignalTemplate {
    var copy = self
    copy.perFb.yields = perFb.yields.map { $0 * k }
    copy.perFb.sumw2 = perFb.sumw2.map { $0 * k * k }
    return copy
  }

  /// Total expected signal events per fb after the full selection (inside and outside the window).
  public var eventsPerFb: Double {
    hypothesis.index >= 0 ? perFb.total / max(containment, 1e-300) : 0
  }
}
