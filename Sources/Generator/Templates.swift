import Detector
import Foundation
import GSL

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
    return SignalSampler(mass: m, widthFraction: widthFraction, config: config)
  case .mumu: return MuMuSampler(config: config)
  case .tautau: return TauTauSampler(config: config)
  case .eemumu: return EEMuMuSampler(config: config)
  }
}

/// Runs `chunks` independent MC chunks, each with its own stream (toy index = chunk), over
/// `threads` workers; results come back in chunk order, so sums are identical for any thread
/// count.
public func parallelChunks<T>(_ chunks: Int, threads: Int, _ body: (Int) throws -> T) throws -> [T] {
  var results = [T?](repeating: nil, count: chunks)
  var firstError: Error?
  let lock = NSLock()
  let workers = max(1, min(threads, chunks))
  results.withUnsafeMutableBufferPointer { out in
    let base = out.baseAddress!
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      var c = w
      while c < chunks {
        do {
          let r = try body(c)
          (base + c).pointee = r
        } catch {
          lock.lock(); if firstError == nil { firstError = error }; lock.unlock()
          return
        }
        c += workers
      }
    }
  }
  if let e = firstError { throw e }
  return results.map { $0! }
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
        counts = try parallelChunks(chunkCount, threads: settings.threads) { c in
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
        counts = try parallelChunks(chunkCount, threads: settings.threads) { c in
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
    let gen = EventGenerator(detector: detector, sampler: SignalSampler(mass: w.hypothesis.mass, widthFraction: widthFraction, config: detector.config))
    let rng = RandomStream(StreamKey(seed: settings.seed, study: .templates, massIndex: w.hypothesis.index, toyIndex: widthFraction > 0 ? 1 : 0))
    let nt = w.thetaBinCount
    var counts = [Double](repeating: 0, count: w.binCount)
    var inside = 0
    let cosEdges = w.thetaEdges.map { cos($0 * Double.pi / 180) }
    let m2Edges = w.m2Edges
    let drawn = try gen.generate(count: settings.signalEvents, rng: rng) { e in
      guard e.m2 >= m2Edges[0], e.m2 < m2Edges[m2Edges.count - 1] else { return }
      var i = 0
      while e.m2 >= m2Edges[i + 1] { i += 1 }
      var j = 0
      while j < nt - 1 && e.cosThetaCM < cosEdges[j + 1] { j += 1 }
      counts[i * nt + j] += 1
      inside += 1
    }
    acceptance = Double(settings.signalEvents) / Double(drawn)
    efficiency = detector.efficiency(m2: w.hypothesis.m2)
    containment = Double(inside) / Double(settings.signalEvents)
    let perEvent = detector.config.luminosity.integrated * efficiency * acceptance / Double(settings.signalEvents)
    perFb = Histogram2D(m2Edges: m2Edges, thetaEdges: w.thetaEdges, yields: counts.map { $0 * perEvent },
                        sumw2: counts.map { $0 * perEvent * perEvent })
  }

  /// Total expected signal events per fb after the full selection (inside and outside the window).
  public var eventsPerFb: Double {
    hypothesis.index >= 0 ? perFb.total / max(containment, 1e-300) : 0
  }
}
