import Experiment
import Foundation
import GSL

/// Smeared, selected events of the signal, of one background process or of all backgrounds
/// mixed by their yields — what `zptoys generate` writes and the report's spectrum shows.
///
/// Randomness: one stream (seed, generate, m, 0) with m = 0 for the signal, 1 + k for background
/// k of the configuration's list, and −1 for the mix of all backgrounds. With a number of events
/// the mix shares them out by a multinomial draw with probabilities ∝ yields; with a luminosity
/// every process gets a Poisson number of events with mean yield × L / L_config (the signal's
/// yield is σ × the expected events per fb).
public struct EventSample: Sendable {
  public enum Process: Sendable, Equatable {
    case signal(mass: Double, widthFraction: Double, sigmaFb: Double)
    /// A background process of the configuration, by name.
    case background(String)
    /// Every background of the configuration.
    case allBackgrounds
  }

  public enum Size: Sendable, Equatable {
    /// Exactly this many selected events.
    case events(Int)
    /// A Poisson number of events expected at this integrated luminosity (fb⁻¹).
    case luminosity(Double)
  }

  public let detector: DetectorModel
  public let process: Process
  /// A user's file for the (single) process instead of its model.
  public let user: UserSource?
  /// The names written in the `process` column, in order, with their expected events at the
  /// configured luminosity.
  public let names: [String]
  public let expected: [Double]

  public init(detector: DetectorModel, process: Process, user: UserSource? = nil) throws {
    self.detector = detector
    self.process = process
    self.user = user
    let config = detector.config
    switch process {
    case .signal(let mass, let f, let sigma):
      guard let h = detector.grid.nearest(mass: mass) else { throw GeneratorError.invalidRequest("--mass \(mass) GeV is outside the mass grid") }
      names = ["signal"]
      if let u = user {
        expected = [u.totalYield]
      } else {
        let t = try SignalTemplate(detector: detector, window: detector.binning.window(h.index, widthFraction: f), widthFraction: f,
                                   settings: TemplateSettings(signalEvents: 20_000))
        expected = [t.eventsPerFb * sigma]
      }
    case .background(let name):
      guard let p = config.backgrounds.first(where: { $0.name == name }) else {
        throw GeneratorError.invalidRequest("unknown process \"\(name)\"; choose one of \(Self.processNames(config).joined(separator: ", "))")
      }
      names = [name]
      expected = [user?.totalYield ?? p.totalYield]
    case .allBackgrounds:
      guard user == nil else { throw GeneratorError.invalidRequest("--input takes one process, not the background sum") }
      names = config.backgrounds.map(\.name)
      expected = config.backgrounds.map(\.totalYield)
    }
  }

  /// The values `--process` takes.
  public static func processNames(_ config: ExperimentConfig) -> [String] {
    ["signal"] + config.backgrounds.map(\.name) + ["background"]
  }

  /// The stream's mass index (see the type's description).
  var streamIndex: Int {
    switch process {
    case .signal: 0
    case .background(let name): 1 + (detector.config.backgrounds.firstIndex { $0.name == name } ?? 0)
    case .allBackgrounds: -1
    }
  }

  /// Events per process for `size` (drawn from the stream `rng`).
  func counts(_ size: Size, rng: RandomStream, maxEvents: Int) throws -> [Int] {
    var counts = [Int](repeating: 0, count: names.count)
    switch size {
    case .events(let n):
      if names.count == 1 { counts[0] = n } else {
        let mix = try DiscreteSampler(weights: expected)
        for _ in 0..<n { counts[mix.sample(rng)] += 1 }
      }
    case .luminosity(let l):
      let scale = l / detector.config.luminosity.integrated
      for (i, e) in expected.enumerated() { counts[i] = rng.poisson(e * scale) }
      guard counts.reduce(0, +) <= maxEvents else {
        throw GeneratorError.invalidRequest("--lumi \(l) fb⁻¹ would give \(counts.reduce(0, +)) events, over the limit of \(maxEvents)")
      }
    }
    return counts
  }

  /// Draws the events and hands each to `sink` with its process name; returns the count per
  /// process (in the order of ``names``).
  @discardableResult
  public func generate(_ size: Size, seed: UInt64, maxEvents: Int = 100_000_000, _ sink: (String, Event) throws -> Void) throws -> [Int] {
    let rng = RandomStream(StreamKey(seed: seed, study: .generate, massIndex: streamIndex))
    let counts = try self.counts(size, rng: rng, maxEvents: maxEvents)
    let config = detector.config
    for (i, name) in names.enumerated() where counts[i] > 0 {
      var sinkError: (any Error)?
      func forward(_ e: Event) {
        guard sinkError == nil else { return }
        do { try sink(name, e) } catch { sinkError = error }
      }
      if let u = user {
        let s = try u.makeSampler()
        for _ in 0..<counts[i] { forward(s.draw(rng)) }
      } else {
        let sampler: any TruthSampler
        if case .signal(let mass, let f, _) = process {
          sampler = try SignalSampler(mass: mass, widthFraction: f, config: config)
        } else {
          sampler = BackgroundSampler(process: config.backgrounds.first { $0.name == name }!, config: config)
        }
        try EventGenerator(detector: detector, sampler: sampler).generate(count: counts[i], rng: rng, forward)
      }
      if let e = sinkError { throw e }
    }
    return counts
  }
}
