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

/// The truth sampler of a process from the configuration.
public func sampler(for process: ProcessKind, config: ExperimentConfig, mass: Double? = nil, widthFraction: Double = 0) throws -> any TruthSampler {
  switch process {
  case .signal:
    guard let m = mass else { throw GeneratorError.invalidRequest("the signal needs a mass (--mass)") }
    return try SignalSampler(mass: m, widthFraction: widthFraction, config: config)
  case .mumu: return MuMuSampler(config: config)
  case .tautau: return TauTauSampler(config: config)
  case .eemumu: return EEMuMuSampler(config: config)
  }
}

/// The full-spectrum background templates: per process, expected yields and MC variances in every
/// global cell (global M² bins × fine θ cells, ``WindowBinning``). Every window's background
/// template is a sum of these cells, and a full-spectrum pseudo-data set is a Poisson draw of them.
public struct BackgroundSpectrum: Sendable {
  public let detector: DetectorModel
  /// Per background process: yields and sumw2 per global cell.
  public let yields: [ProcessKind: [Double]]
  public let sumw2: [ProcessKind: [Double]]
  /// Per background process: the µµ(γ) single-photon share per cell (for the photon-veto
  /// systematic, which applies to µµ(γ) only) is the whole µµ(γ) template.
  public let settings: TemplateSettings

  public init(detector: DetectorModel, settings: TemplateSettings, userSources: [ProcessKind: UserSource] = [:]) throws {
    self.detector = detector
    self.settings = settings
    let binning = detector.binning
    let ncell = binning.globalCellCount
    var y: [ProcessKind: [Double]] = [:]
    var s: [ProcessKind: [Double]] = [:]
    for process in ProcessKind.backgrounds {
      let total: Double
      let chunkCount = 16
      let perChunk = (settings.backgroundEvents + chunkCount - 1) / chunkCount
      let counts: [[Double]]
      if let user = userSources[process] {
        total = user.totalYield
        counts = try Parallel.map(count: chunkCount, threads: settings.threads, makeState: { () }) { c, _ in
          let rng = RandomStream(StreamKey(seed: settings.seed, study: .templates, massIndex: -1 - ProcessKind.backgrounds.firstIndex(of: process)!, toyIndex: c))
          let draw = try user.makeSampler()
          var h = [Double](repeating: 0, count: ncell)
          for _ in 0..<perChunk {
            let e = draw.draw(rng)
            if let cell = binning.globalCell(m2: e.m2, cosThetaCM: e.cosThetaCM) { h[cell] += 1 }
          }
          return h
        }
      } else {
        let conf = detector.config.processes
        total = switch process {
        case .mumu: conf.mumu.singlePhoton.yield + conf.mumu.gapBands.yield
        case .tautau: conf.tautau.yield
        default: conf.eemumu.yield
        }
        let gen = EventGenerator(detector: detector, sampler: try sampler(for: process, config: detector.config))
        counts = try Parallel.map(count: chunkCount, threads: settings.threads, makeState: { () }) { c, _ in
          let rng = RandomStream(StreamKey(seed: settings.seed, study: .templates, massIndex: -1 - ProcessKind.backgrounds.firstIndex(of: process)!, toyIndex: c))
          var h = [Double](repeating: 0, count: ncell)
          try gen.generate(count: perChunk, rng: rng) { e in
            if let cell = binning.globalCell(m2: e.m2, cosThetaCM: e.cosThetaCM) { h[cell] += 1 }
          }
          return h
        }
      }
      // Weight: the process' yield shared by all accepted MC events (including those outside
      // every window, so that the yield is the expected count after the selection).
      let n = Double(perChunk * chunkCount)
      let w = total / n
      var yy = [Double](repeating: 0, count: ncell)
      var ss = [Double](repeating: 0, count: ncell)
      for h in counts { for k in 0..<ncell { yy[k] += h[k] } }
      for k in 0..<ncell {
        ss[k] = yy[k] * w * w
        yy[k] *= w
      }
      y[process] = yy
      s[process] = ss
    }
    yields = y
    sumw2 = s
  }

  /// Total background per global cell.
  public var totalYields: [Double] {
    var t = [Double](repeating: 0, count: detector.binning.globalCellCount)
    for p in ProcessKind.backgrounds { for (k, v) in yields[p]!.enumerated() { t[k] += v } }
    return t
  }

  /// The window's template of one background process.
  public func window(_ w: WindowBinning.Window, process: ProcessKind) -> Histogram2D {
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
  public let perFb: Histogram2D
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

  /// Total expected signal events per fb after the full selection (inside and outside the window).
  public var eventsPerFb: Double {
    hypothesis.index >= 0 ? perFb.total / max(containment, 1e-300) : 0
  }
}
