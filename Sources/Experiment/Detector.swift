/// The detector model assembled from a configuration: kinematics, resolution, efficiency,
/// acceptance, mass grid and window binning. Immutable and shareable across threads.
public struct DetectorModel: Sendable {
  public let config: ExperimentConfig
  public let kinematics: Kinematics
  public let resolution: Resolution
  public let acceptance: AcceptanceRules
  public let grid: MassGrid
  public let binning: WindowBinning

  public init(config: ExperimentConfig) {
    self.config = config
    kinematics = Kinematics(beams: config.beams)
    resolution = config.resolution
    acceptance = AcceptanceRules(config.acceptance)
    grid = MassGrid(config: config)
    binning = WindowBinning(config: config, grid: grid)
  }

  /// Selection × trigger efficiency at `m2` (the geometric acceptance comes from the generator).
  public func efficiency(m2: Double) -> Double {
    config.efficiency.selection(m2) * config.efficiency.trigger(m2)
  }
}
