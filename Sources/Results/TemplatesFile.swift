/// A 2D histogram in (M²_recoil, θ_cm_recoil): expected yields and their Monte Carlo variances.
public struct TemplateHistogram: Codable, Sendable, Equatable {
  public var m2Edges: [Double]
  public var thetaEdges: [Double]
  /// Expected events per bin, M²-major: bin = i·(θ bins) + j.
  public var yields: [Double]
  /// Sum of squared MC weights per bin (the MC variance of `yields`).
  public var sumw2: [Double]

  public init(m2Edges: [Double], thetaEdges: [Double], yields: [Double], sumw2: [Double]) {
    self.m2Edges = m2Edges
    self.thetaEdges = thetaEdges
    self.yields = yields
    self.sumw2 = sumw2
  }

  enum CodingKeys: String, CodingKey { case m2Edges = "m2_edges_gev2", thetaEdges = "theta_cm_edges_deg", yields, sumw2 }

  /// Events per M² bin (summed over θ), and their MC variances.
  public var m2Projection: (yields: [Double], variances: [Double]) {
    let nt = max(1, thetaEdges.count - 1), nm = max(0, m2Edges.count - 1)
    var y = [Double](repeating: 0, count: nm), v = [Double](repeating: 0, count: nm)
    for i in 0..<nm {
      for j in 0..<nt where i * nt + j < yields.count {
        y[i] += yields[i * nt + j]
        v[i] += i * nt + j < sumw2.count ? sumw2[i * nt + j] : 0
      }
    }
    return (y, v)
  }
}

/// The `zptoys templates` output: one search window's templates of every process.
public struct TemplatesFile: InfoFile {
  public static let kind: ResultKind = "templates"
  public var info: ResultInfo
  public var hypothesis: HypothesisRecord
  public var widthFraction: Double
  public var templateMC: TemplateMC
  public var signalAcceptance: Double
  public var signalEfficiency: Double
  public var signalEventsPerFb: Double
  /// The signal per fb of cross section.
  public var signalPerFb: TemplateHistogram
  /// Per background process (by name): expected events at the configured luminosity.
  public var backgrounds: [String: TemplateHistogram]
  /// The processes' labels (plot markup), by name, and their order.
  public var backgroundLabels: [String: String]
  public var backgroundOrder: [String]

  public init(info: ResultInfo, hypothesis: HypothesisRecord, widthFraction: Double, templateMC: TemplateMC, signalAcceptance: Double,
              signalEfficiency: Double, signalEventsPerFb: Double, signalPerFb: TemplateHistogram, backgrounds: [String: TemplateHistogram],
              backgroundLabels: [String: String], backgroundOrder: [String]) {
    self.info = info
    self.hypothesis = hypothesis
    self.widthFraction = widthFraction
    self.templateMC = templateMC
    self.signalAcceptance = signalAcceptance
    self.signalEfficiency = signalEfficiency
    self.signalEventsPerFb = signalEventsPerFb
    self.signalPerFb = signalPerFb
    self.backgrounds = backgrounds
    self.backgroundLabels = backgroundLabels
    self.backgroundOrder = backgroundOrder
  }

  enum CodingKeys: String, CodingKey {
    case hypothesis, widthFraction = "width_fraction", templateMC = "template_mc", signalAcceptance = "signal_acceptance"
    case signalEfficiency = "signal_efficiency", signalEventsPerFb = "signal_events_per_fb", signalPerFb = "signal_per_fb", backgrounds
    case backgroundLabels = "background_labels", backgroundOrder = "background_order"
  }

  public init(from decoder: any Decoder) throws {
    info = try ResultInfo(from: decoder)
    try info.require(Self.kind)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    hypothesis = try c.decode(HypothesisRecord.self, forKey: .hypothesis)
    widthFraction = try c.decode(Double.self, forKey: .widthFraction)
    templateMC = try c.decode(TemplateMC.self, forKey: .templateMC)
    signalAcceptance = try c.decode(Double.self, forKey: .signalAcceptance)
    signalEfficiency = try c.decode(Double.self, forKey: .signalEfficiency)
    signalEventsPerFb = try c.decode(Double.self, forKey: .signalEventsPerFb)
    signalPerFb = try c.decode(TemplateHistogram.self, forKey: .signalPerFb)
    backgrounds = try c.decode([String: TemplateHistogram].self, forKey: .backgrounds)
    backgroundLabels = try c.decode([String: String].self, forKey: .backgroundLabels)
    backgroundOrder = try c.decode([String].self, forKey: .backgroundOrder)
  }

  public func encode(to encoder: any Encoder) throws {
    try info.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(hypothesis, forKey: .hypothesis)
    try c.encode(widthFraction, forKey: .widthFraction)
    try c.encode(templateMC, forKey: .templateMC)
    try c.encode(signalAcceptance, forKey: .signalAcceptance)
    try c.encode(signalEfficiency, forKey: .signalEfficiency)
    try c.encode(signalEventsPerFb, forKey: .signalEventsPerFb)
    try c.encode(signalPerFb, forKey: .signalPerFb)
    try c.encode(backgrounds, forKey: .backgrounds)
    try c.encode(backgroundLabels, forKey: .backgroundLabels)
    try c.encode(backgroundOrder, forKey: .backgroundOrder)
  }
}
