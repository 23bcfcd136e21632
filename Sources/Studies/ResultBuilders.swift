import Experiment
import Foundation
import Generator
import Results
import _Support

extension HypothesisRecord {
  public init(_ h: MassHypothesis) { self.init(index: h.index, mass: h.mass, m2: h.m2, resolution: h.resolution) }
}

extension ResultInfo {
  /// The header of a `kind` file made with `config`.
  public init(kind: ResultKind, config: ExperimentConfig) {
    self.init(kind: kind, tool: ToolInfo.nameAndVersion, configuration: config.name, lumiFb: config.luminosity.integrated)
  }
}

extension GridFile {
  /// The mass hypotheses of a configuration.
  public init(config: ExperimentConfig) {
    self.init(info: ResultInfo(kind: GridFile.kind, config: config), hypotheses: MassGrid(config: config).hypotheses.map(HypothesisRecord.init))
  }
}

extension TemplateHistogram {
  public init(_ h: Histogram2D) { self.init(m2Edges: h.m2Edges, thetaEdges: h.thetaEdges, yields: h.yields, sumw2: h.sumw2) }
}

extension Analysis {
  /// The templates of every process in the window of hypothesis `index`, at ``luminosity``.
  public func templatesFile(index: Int, widthFraction: Double) throws -> TemplatesFile {
    let window = detector.binning.window(index, widthFraction: widthFraction)
    let signal = try SignalTemplate(detector: detector, window: window, widthFraction: widthFraction, settings: settings).scaled(by: luminosityScale)
    var backgrounds: [String: TemplateHistogram] = [:]
    for p in self.backgrounds.processes { backgrounds[p] = TemplateHistogram(self.backgrounds.window(window, process: p)) }
    return TemplatesFile(
      info: ResultInfo(kind: TemplatesFile.kind, tool: ToolInfo.nameAndVersion, configuration: config.name, lumiFb: luminosity), hypothesis: HypothesisRecord(window.hypothesis), widthFraction: widthFraction,
      templateMC: templateMC, signalAcceptance: signal.acceptance, signalEfficiency: signal.efficiency,
      signalEventsPerFb: signal.eventsPerFb, signalPerFb: TemplateHistogram(signal.perFb), backgrounds: backgrounds,
      backgroundLabels: Dictionary(uniqueKeysWithValues: config.backgrounds.map { ($0.name, $0.label) }),
      backgroundOrder: self.backgrounds.processes)
  }
}
