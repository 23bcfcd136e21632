import Experiment
import Foundation
import Generator

/// The events `zptoys run` and `zptoys report --generate-events` show beside the result files:
/// the recoil-mass spectrum of a background-only pseudo-data set at the configured luminosity
/// over a stack simulated at three times it (each event weighted ⅓), and 100,000 events of the
/// first background process for the θ_cm–M² map (the µµ(γ) bands of the default
/// configuration). Drawn as `zptoys generate` draws them, from the seed.
public struct ReportEvents: Sendable {
  /// One event sample as columns.
  public struct Columns: Sendable {
    public var m2: [Double] = []
    public var thetaCM: [Double] = []
    public var process: [String] = []
  }

  public let data: Columns
  public let simulation: Columns
  public let simulationScale: Double
  public let map: Columns
  /// How the events were made, in a sentence.
  public let provenance: String

  public init(config: ExperimentConfig, seed: UInt64) throws {
    let detector = DetectorModel(config: config)
    let lumi = config.luminosity.integrated
    func draw(_ process: EventSample.Process, _ size: EventSample.Size) throws -> Columns {
      var c = Columns()
      try EventSample(detector: detector, process: process).generate(size, seed: seed) { name, e in
        c.m2.append(e.m2)
        c.thetaCM.append(e.thetaCM)
        c.process.append(name)
      }
      return c
    }
    data = try draw(.allBackgrounds, .luminosity(lumi))
    simulation = try draw(.allBackgrounds, .luminosity(3 * lumi))
    simulationScale = 1.0 / 3
    let first = config.backgrounds[0]
    map = try draw(.background(first.name), .events(100_000))
    provenance = "Events from the configuration's generator: pseudo-data = `zptoys generate --process background --lumi \(String(format: "%g", lumi)) --seed \(seed)`, stack from 3× that luminosity (weight ⅓), map from 100,000 \(first.name) events; not kept."
  }
}
