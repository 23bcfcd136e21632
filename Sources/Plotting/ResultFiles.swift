import Foundation

/// The result files the plots read, decoded by small structs of their own (only the keys a plot
/// needs), so that `Plotting` depends on nothing but Foundation: the layouts are those of
/// `Studies` (BrazilOutput, MassScanOutput, LookElsewhereOutput, CoverageOutput) and of
/// `zptoys couplings`; a change there that drops a key shows up here as a clear error.
public enum ResultFile {
  /// What a file is, from its top-level keys: `study` for the study files, `model` + `masses`
  /// for couplings, `hypotheses` for the grid, `limits_at_selected_masses` for the run summary.
  public enum Kind: String, Sendable, CaseIterable {
    case brazil, scan, lee, coverage, couplings, grid, summary, events, templates
  }

  /// Study metadata common to the study files (StudyHeader).
  public struct Header: Decodable, Sendable {
    public struct Identity: Decodable, Sendable {
      public var study: String
      public var configuration: String
      public var configurationSHA256: String?
      public var seed: UInt64
      public var settings: [String: String]
      public var totalTasks: Int?
      enum CodingKeys: String, CodingKey {
        case study, configuration, configurationSHA256 = "configuration_sha256", seed, settings, totalTasks = "total_tasks"
      }
    }
    public struct Run: Decodable, Sendable {
      public var tool: String?
      public var started: String?
      public var seconds: Double?
      public var threads: Int?
      public var host: String?
    }
    public struct Shard: Decodable, Sendable {
      public var index: Int?
      public var count: Int?
    }
    public var study: String
    public var identity: Identity
    public var run: Run?
    public var shard: Shard?
    public var tasks: [Int]?
    /// Present when a future file records it; otherwise the label takes it from the configuration.
    public var luminosity: Double?
    enum CodingKeys: String, CodingKey { case study, identity, run, shard, tasks, luminosity = "luminosity_fb" }
  }

  public struct Band: Decodable, Sendable, Equatable {
    public var minus2, minus1, median, plus1, plus2: Double
    public init(minus2: Double, minus1: Double, median: Double, plus1: Double, plus2: Double) {
      self.minus2 = minus2; self.minus1 = minus1; self.median = median; self.plus1 = plus1; self.plus2 = plus2
    }
  }

  public struct Brazil: Decodable, Sendable {
    public struct Point: Decodable, Sendable {
      public var index: Int
      public var mass: Double
      public var observed: Double?
      public var expectedAsymptotic: Band
      public var expectedToys: Band?
      public var toys: Int?
      enum CodingKeys: String, CodingKey {
        case index, mass = "mass_gev", observed, expectedAsymptotic = "expected_asymptotic", expectedToys = "expected_toys", toys
      }
    }
    public var header: Header
    public var masses: [Point]
    enum CodingKeys: String, CodingKey { case masses }
    public init(from decoder: any Decoder) throws {
      header = try Header(from: decoder)
      masses = try decoder.container(keyedBy: CodingKeys.self).decode([Point].self, forKey: .masses)
    }
  }

  public struct Scan: Decodable, Sendable {
    public struct Point: Decodable, Sendable {
      public var index: Int
      public var mass: Double
      public var localZ: Double
      public var localP0: Double?
      public var sigmaHat: Double?
      public var fitFailed: Bool?
      enum CodingKeys: String, CodingKey {
        case index, mass = "mass_gev", localZ = "local_z", localP0 = "local_p0", sigmaHat = "sigma_hat_fb", fitFailed = "fit_failed"
      }
    }
    public var header: Header
    public var masses: [Point]
    public var largest: Point?
    enum CodingKeys: String, CodingKey { case masses, largest = "largest_local_excess" }
    public init(from decoder: any Decoder) throws {
      header = try Header(from: decoder)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      masses = try c.decode([Point].self, forKey: .masses)
      largest = try c.decodeIfPresent(Point.self, forKey: .largest)
    }
  }

  public struct GrossVitells: Decodable, Sendable {
    public var u0: Double
    public var meanUpcrossings: Double
    public var globalP: Double?
    public var globalZ: Double?
    enum CodingKeys: String, CodingKey { case u0, meanUpcrossings = "mean_upcrossings", globalP = "global_p", globalZ = "global_z" }
  }

  public struct Significance: Decodable, Sendable {
    public var localZ: Double
    public var localP: Double?
    public var globalP: Double
    public var globalPUncertainty: Double?
    public var globalZ: Double
    public var trialsFactor: Double?
    public var toys: Int?
    public var globalZIsLowerBound: Bool?
    public var grossVitells: GrossVitells?
    enum CodingKeys: String, CodingKey {
      case localZ = "local_z", localP = "local_p", globalP = "global_p", globalPUncertainty = "global_p_uncertainty"
      case globalZ = "global_z", trialsFactor = "trials_factor", toys, globalZIsLowerBound = "global_z_is_lower_bound"
      case grossVitells = "gross_vitells"
    }
  }

  public struct LookElsewhere: Decodable, Sendable {
    public struct Toy: Decodable, Sendable {
      public var maxZ: Double
      public var upcrossings: [Int]?
      enum CodingKeys: String, CodingKey { case maxZ = "max_local_z", upcrossings }
    }
    public var header: Header
    public var toys: [Toy]
    public var observed: Significance?
    public var edges: [Double]?
    public var counts: [Int]?
    public var thresholds: [Double]
    enum CodingKeys: String, CodingKey {
      case toys, observed, edges = "max_local_z_edges", counts = "max_local_z_counts", thresholds
    }
    public init(from decoder: any Decoder) throws {
      header = try Header(from: decoder)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      toys = try c.decodeIfPresent([Toy].self, forKey: .toys) ?? []
      observed = try c.decodeIfPresent(Significance.self, forKey: .observed)
      edges = try c.decodeIfPresent([Double].self, forKey: .edges)
      counts = try c.decodeIfPresent([Int].self, forKey: .counts)
      thresholds = try c.decodeIfPresent([Double].self, forKey: .thresholds) ?? []
    }
  }

  public struct Coverage: Decodable, Sendable {
    public struct RuleCoverage: Decodable, Sendable {
      public var rule: String
      public var coverage: Double
      public var lower: Double
      public var upper: Double
      public var toys: Int
      public var verdict: String
      public var failedToys: Int?
      enum CodingKeys: String, CodingKey { case rule, coverage, lower, upper, toys, verdict, failedToys = "failed_toys" }
    }
    public struct Point: Decodable, Sendable {
      public var mass: Double
      public var signal: Double
      public var rules: [RuleCoverage]
      enum CodingKeys: String, CodingKey { case mass = "mass_gev", signal = "signal_fb", rules }
    }
    public var header: Header
    public var points: [Point]
    enum CodingKeys: String, CodingKey { case points }
    public init(from decoder: any Decoder) throws {
      header = try Header(from: decoder)
      points = try decoder.container(keyedBy: CodingKeys.self).decode([Point].self, forKey: .points)
    }
  }

  public struct Couplings: Decodable, Sendable {
    public struct Range: Decodable, Sendable { public var lower, upper: Double }
    public struct Point: Decodable, Sendable {
      public var index: Int
      public var mass: Double
      public var observed: Double?
      public var expected: Band
      public var expectedSource: String?
      public var gMinus2: Range
      public var narrowWidthValid: Bool?
      enum CodingKeys: String, CodingKey {
        case index, mass = "mass_gev", observed = "g_prime_observed", expected = "g_prime_expected"
        case expectedSource = "g_prime_expected_source", gMinus2 = "g_minus_2_band", narrowWidthValid = "narrow_width_b_chichi_valid"
      }
    }
    public var input: String?
    public var model: String
    public var masses: [Point]
    public var excluded: [Range]?
    public var exclusionBasis: String?
    public var validBelow: Double?
    enum CodingKeys: String, CodingKey {
      case input, model, masses, excluded = "g_minus_2_excluded_ranges_gev", exclusionBasis = "g_minus_2_exclusion_basis"
      case validBelow = "narrow_width_valid_below_gev"
    }
  }

  public struct Grid: Decodable, Sendable {
    public struct Hypothesis: Decodable, Sendable {
      public var index: Int
      public var mass: Double
      public var m2: Double
      public var resolution: Double
      enum CodingKeys: String, CodingKey { case index, mass = "mass_gev", m2 = "m2_gev2", resolution = "resolution_gev2" }
    }
    public var configuration: String?
    public var hypotheses: [Hypothesis]
  }

  /// The search-window templates of `zptoys templates` (Generator's Histogram2D per process).
  public struct Templates: Decodable, Sendable {
    public struct Histogram: Decodable, Sendable {
      public var m2Edges: [Double]
      public var thetaEdges: [Double]
      /// Expected events per bin, M²-major: bin = i·(θ bins) + j.
      public var yields: [Double]
      public var sumw2: [Double]?
      enum CodingKeys: String, CodingKey { case m2Edges = "m2_edges_gev2", thetaEdges = "theta_cm_edges_deg", yields, sumw2 }

      /// Events per M² bin (summed over θ), and their MC variances.
      public var m2Projection: (yields: [Double], variances: [Double]) {
        let nt = max(1, thetaEdges.count - 1), nm = max(0, m2Edges.count - 1)
        var y = [Double](repeating: 0, count: nm), v = [Double](repeating: 0, count: nm)
        for i in 0..<nm {
          for j in 0..<nt where i * nt + j < yields.count {
            y[i] += yields[i * nt + j]
            v[i] += sumw2.map { i * nt + j < $0.count ? $0[i * nt + j] : 0 } ?? 0
          }
        }
        return (y, v)
      }
    }
    public struct Hypothesis: Decodable, Sendable {
      public var index: Int
      public var mass: Double
      public var m2: Double
      public var resolution: Double?
      enum CodingKeys: String, CodingKey { case index, mass = "mass_gev", m2 = "m2_gev2", resolution = "resolution_gev2" }
    }
    public var configuration: String?
    public var hypothesis: Hypothesis
    public var backgrounds: [String: Histogram]
    public var signalPerFb: Histogram
    public var widthFraction: Double?
    enum CodingKeys: String, CodingKey {
      case configuration, hypothesis, backgrounds, signalPerFb = "signal_per_fb", widthFraction = "width_fraction"
    }
  }

  public struct Summary: Decodable, Sendable {
    public var configuration: String
    public var seed: UInt64
    public var hypotheses: Int?
    public var brazilToys: Int?
    public var leeToys: Int?
    public var coverageToys: Int?
    public var limits: [[String: Double?]]
    public var smallestLimit: Double?
    public var smallestLimitMass: Double?
    public var paperExcess: Significance?
    public var pseudoDataExcess: Significance?
    public var pseudoDataExcessMass: Double?
    public var seconds: [String: Double]?
    public var tool: String?
    enum CodingKeys: String, CodingKey {
      case configuration, seed, hypotheses, brazilToys = "brazil_toys_per_hypothesis", leeToys = "lee_toys", coverageToys = "coverage_toys"
      case limits = "limits_at_selected_masses", smallestLimit = "smallest_median_expected_limit_fb"
      case smallestLimitMass = "smallest_median_expected_limit_mass_gev", paperExcess = "paper_excess_2p8_sigma"
      case pseudoDataExcess = "pseudo_data_largest_excess", pseudoDataExcessMass = "pseudo_data_largest_excess_mass_gev"
      case seconds, tool
    }
  }

  /// A decoded file of any kind.
  public enum Content: Sendable {
    case brazil(Brazil), scan(Scan), lee(LookElsewhere), coverage(Coverage), couplings(Couplings), grid(Grid), summary(Summary)
    case events(EventTable)
    case templates(Templates)

    public var kind: Kind {
      switch self {
      case .brazil: return .brazil
      case .scan: return .scan
      case .lee: return .lee
      case .coverage: return .coverage
      case .couplings: return .couplings
      case .grid: return .grid
      case .summary: return .summary
      case .events: return .events
      case .templates: return .templates
      }
    }

    /// The study header, for the study files.
    public var header: Header? {
      switch self {
      case .brazil(let b): return b.header
      case .scan(let s): return s.header
      case .lee(let l): return l.header
      case .coverage(let c): return c.header
      default: return nil
      }
    }
  }

  /// Reads and decodes a result file: a `.csv` is an event table, anything else JSON whose kind
  /// is recognised from its keys.
  public static func load(path: String) throws -> Content {
    guard let data = FileManager.default.contents(atPath: path) else {
      var isDir: ObjCBool = false
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
        throw PlotError("\(path) is a folder, not a result file")
      }
      throw PlotError("cannot read \(path): no such file or not readable")
    }
    if path.lowercased().hasSuffix(".csv") { return .events(try EventTable.parse(data, path: path)) }
    return try decode(data, path: path)
  }

  /// Decodes JSON result bytes (`path` names the file in messages).
  public static func decode(_ data: Data, path: String) throws -> Content {
    let top: Any
    do {
      top = try JSONSerialization.jsonObject(with: data)
    } catch {
      if data.first.map({ $0 == UInt8(ascii: "m") || $0 == UInt8(ascii: "#") }) == true {
        throw PlotError("\(path) is not JSON (an event or histogram CSV needs the .csv extension)")
      }
      throw PlotError("\(path) is not valid JSON (\((error as NSError).localizedDescription))")
    }
    guard let dict = top as? [String: Any] else { throw PlotError("\(path): expected a JSON object at the top level") }
    func typed<T: Decodable>(_ t: T.Type) throws -> T {
      do {
        return try JSONDecoder().decode(T.self, from: data)
      } catch let e as DecodingError {
        throw PlotError("\(path): \(describe(e))")
      }
    }
    if let study = dict["study"] as? String {
      switch study {
      case "brazil": return .brazil(try typed(Brazil.self))
      case "scan": return .scan(try typed(Scan.self))
      case "lee": return .lee(try typed(LookElsewhere.self))
      case "coverage": return .coverage(try typed(Coverage.self))
      default: throw PlotError("\(path): study \"\(study)\" has no plot (known: brazil, scan, lee, coverage)")
      }
    }
    if dict["model"] != nil, dict["masses"] != nil { return .couplings(try typed(Couplings.self)) }
    if dict["limits_at_selected_masses"] != nil { return .summary(try typed(Summary.self)) }
    if dict["hypotheses"] is [Any] { return .grid(try typed(Grid.self)) }
    if dict["backgrounds"] != nil, dict["signal_per_fb"] != nil { return .templates(try typed(Templates.self)) }
    let keys = dict.keys.sorted().prefix(8).joined(separator: ", ")
    throw PlotError("\(path): not a ZPrimeToys result file (no \"study\" key, and not a couplings, grid, templates or summary file; keys: \(keys))")
  }

  /// "missing key masses[3].expected_asymptotic" for a decoding error.
  static func describe(_ e: DecodingError) -> String {
    func path(_ p: [CodingKey]) -> String {
      var s = ""
      for k in p {
        if let i = k.intValue { s += "[\(i)]" } else { s += s.isEmpty ? k.stringValue : ".\(k.stringValue)" }
      }
      return s.isEmpty ? "the top level" : s
    }
    switch e {
    case .keyNotFound(let k, let c): return "missing key \(path(c.codingPath + [k]))"
    case .valueNotFound(_, let c): return "\(path(c.codingPath)) is null"
    case .typeMismatch(let t, let c): return "\(path(c.codingPath)) has the wrong type (expected \(t == Double.self ? "a number" : "\(t)"))"
    case .dataCorrupted(let c): return "invalid data at \(path(c.codingPath)): \(c.debugDescription)"
    @unknown default: return "\(e)"
    }
  }
}

/// An error a user can act on: a bad or unknown file, an unknown plot kind, a failed write.
public struct PlotError: Error, CustomStringConvertible, Equatable {
  public let description: String
  public init(_ message: String) { description = message }
}
