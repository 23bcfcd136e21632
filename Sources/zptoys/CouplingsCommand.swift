import ArgumentParser
import Experiment
import Foundation
import GSL
import Physics
import _Support

struct CouplingsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "couplings",
    abstract: "Translate cross-section limits (a brazil result file) into limits on the coupling g′.",
    discussion: """
      g′_UL = √(σ_UL / (σ(e+e− → µ+µ−Z′; g′ = 1) · B)), with B = B(Z′ → invisible) of the vanilla \
      Lµ−Lτ model (νν̄ only: ≈1 below 2m_µ, ≈½ between, ≈⅓ above 2m_τ) or 1 in the fully invisible \
      model (Z′ → χχ̄). σ(g′ = 1) comes from the committed table (Born, or --isr); with another √s \
      than 10.58 GeV it is computed by VEGAS per mass.

      Also reported: the (g−2)µ-favoured band (Δaµ = 251(59)×10⁻¹¹, ±2σ) in g′ at each mass, and the \
      mass ranges where the observed limit (the median expected when there is no observed) \
      excludes it (paper, fully invisible: 0.8 < M < 5.0 GeV). For the fully invisible model each \
      mass says whether some αD gives both B(Z′ → χχ̄) ≥ 0.9 and a width below the resolution at \
      the probed g′ (paper: true for M ≲ 6.5 GeV); above, the limits scale as 1/√B(Z′ → χχ̄).

      Input (from `zptoys brazil`): {"masses": [{"index", "mass_gev", "observed" (fb or null), \
      "expected_asymptotic": {"minus2", "minus1", "median", "plus1", "plus2"}, "expected_toys": {…} or null}]}.
      """
  )

  @OptionGroup var common: CommonOptions

  @Argument(help: ArgumentHelp("The cross-section limits (JSON, as written by `zptoys brazil`).", valueName: "B.json"))
  var input: String

  @Option(name: .long, help: "vanilla or invisible (fully invisible).")
  var model: ZPrimeModel = .invisible

  @Flag(name: .long, help: "Use σ with initial-state radiation (default: Born, as in the paper's interpretation).")
  var isr = false

  @Option(name: .long, help: ArgumentHelp("Write the JSON result to this file (stdout then stays quiet).", valueName: "file"))
  var out: String?

  // MARK: Input

  struct Band: Codable {
    var minus2: Double, minus1: Double, median: Double, plus1: Double, plus2: Double
    func map(_ f: (Double) throws -> Double) rethrows -> Band {
      Band(minus2: try f(minus2), minus1: try f(minus1), median: try f(median), plus1: try f(plus1), plus2: try f(plus2))
    }
    var values: [(String, Double)] { [("minus2", minus2), ("minus1", minus1), ("median", median), ("plus1", plus1), ("plus2", plus2)] }
  }

  struct InputMass: Decodable {
    var index: Int
    var mass: Double
    var observed: Double?
    var expectedAsymptotic: Band
    var expectedToys: Band?

    enum CodingKeys: String, CodingKey {
      case index, mass_gev, observed, expected_asymptotic, expected_toys
    }

    init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      index = try c.decode(Int.self, forKey: .index)
      mass = try c.decode(Double.self, forKey: .mass_gev)
      // "observed" must be present (null when there is no observation).
      guard c.contains(.observed) else {
        throw DecodingError.keyNotFound(CodingKeys.observed, .init(codingPath: c.codingPath, debugDescription: "missing"))
      }
      observed = try c.decodeIfPresent(Double.self, forKey: .observed)
      expectedAsymptotic = try c.decode(Band.self, forKey: .expected_asymptotic)
      expectedToys = try c.decodeIfPresent(Band.self, forKey: .expected_toys)
    }
  }

  struct InputFile: Decodable {
    var masses: [InputMass]
  }

  /// "masses[3].expected_asymptotic.median" for a coding path.
  static func keyPath(_ path: [CodingKey]) -> String {
    var s = ""
    for k in path {
      if let i = k.intValue { s += "[\(i)]" } else { s += s.isEmpty ? k.stringValue : ".\(k.stringValue)" }
    }
    return s.isEmpty ? "the top level" : s
  }

  static func readInput(path: String) throws -> [InputMass] {
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
    let file: InputFile
    do {
      file = try JSONDecoder().decode(InputFile.self, from: data)
    } catch let DecodingError.keyNotFound(key, context) {
      throw CLIError("\(path): missing key \(keyPath(context.codingPath + [key]))")
    } catch let DecodingError.valueNotFound(type, context) {
      throw CLIError("\(path): \(keyPath(context.codingPath)) is null; expected \(type == Double.self ? "a number" : "\(type)")")
    } catch let DecodingError.typeMismatch(type, context) {
      throw CLIError("\(path): \(keyPath(context.codingPath)) has the wrong type; expected \(type == Double.self ? "a number" : "\(type)")")
    } catch let DecodingError.dataCorrupted(context) {
      let reason = (context.underlyingError as NSError?)?.localizedDescription ?? context.debugDescription
      throw CLIError("\(path): invalid JSON at \(keyPath(context.codingPath)) (\(reason); NaN and infinities are not JSON)")
    }
    guard !file.masses.isEmpty else { throw CLIError("\(path): \"masses\" is empty") }
    for (i, m) in file.masses.enumerated() {
      let at = "masses[\(i)]"
      guard m.mass.isFinite, m.mass > 0 else { throw CLIError("\(path): \(at).mass_gev must be positive, got \(m.mass)") }
      guard m.index >= 0 else { throw CLIError("\(path): \(at).index must be ≥ 0, got \(m.index)") }
      if let o = m.observed, !(o.isFinite && o >= 0) { throw CLIError("\(path): \(at).observed must be a finite σ limit ≥ 0 fb, got \(o)") }
      for (name, band) in [("expected_asymptotic", m.expectedAsymptotic), ("expected_toys", m.expectedToys)] {
        for (k, v) in band?.values ?? [] where !(v.isFinite && v >= 0) {
          throw CLIError("\(path): \(at).\(name).\(k) must be a finite σ limit ≥ 0 fb, got \(v)")
        }
      }
    }
    return file.masses
  }

  // MARK: Output

  /// Encodes nil as JSON null (the contract keeps keys present).
  struct Nullable<T: Encodable>: Encodable {
    let value: T?
    init(_ value: T?) { self.value = value }
    func encode(to encoder: Encoder) throws {
      var c = encoder.singleValueContainer()
      if let v = value { try c.encode(v) } else { try c.encodeNil() }
    }
  }

  struct Range: Encodable {
    let lower: Double, upper: Double
  }

  struct OutputMass: Encodable {
    let index: Int
    let mass_gev: Double
    let sigma_g1_fb: Double
    let branching_invisible: Double
    let g_prime_observed: Nullable<Double>
    /// From the toys when the input has them, else asymptotic.
    let g_prime_expected: Band
    let g_prime_expected_source: String
    let g_prime_expected_asymptotic: Band
    let g_prime_expected_toys: Nullable<Band>
    let g_minus_2_band: Range
    let excludes_g_minus_2: Bool
    let narrow_width_b_chichi_valid: Nullable<Bool>
  }

  struct Output: Encodable {
    let input: String
    let model: String
    let isr: Bool
    let sigma_source: String
    let masses: [OutputMass]
    let g_minus_2_exclusion_basis: String
    let g_minus_2_excluded_ranges_gev: [Range]
    let narrow_width_valid_below_gev: Nullable<Double>
    let notes: [String]
  }

  func run() throws {
    GSLRuntime.install()
    let inputs = try Self.readInput(path: input)
    let config = try common.loadConfiguration()
    let rootS = config.beams.sqrtS
    let table = CrossSectionTable.standard(sqrtS: rootS)
    let born = BornCrossSection(sqrtS: rootS)
    let isrModel = InitialStateRadiation(sqrtS: rootS)
    if table == nil {
      FileHandle.standardError.write("note: √s = \(rootS) GeV differs from the table's; computing σ by VEGAS for \(inputs.count) masses\n".data(using: .utf8)!)
    }

    let useObserved = inputs.contains { $0.observed != nil }
    var outputs: [OutputMass] = []
    var probed: [Double?] = []
    for x in inputs {
      let sigma: Double
      if let t = table {
        sigma = try t.sigma(mass: x.mass, isr: isr)
      } else {
        let stream = RandomStream(StreamKey(seed: common.seed, study: .physics, massIndex: x.index, toyIndex: isr ? 1 : 0))
        sigma = isr ? try isrModel.sigma(mass: x.mass, born: born, using: stream).sigma : try born.sigma(mass: x.mass, using: stream).sigma
      }
      guard sigma > 0 else {
        throw CLIError("\(input): masses[\(x.index)] M = \(x.mass) GeV is at or above the kinematic limit \(fmt(born.massLimit)) GeV (σ = 0)")
      }
      let b = model.branchingInvisible(mass: x.mass)
      func g(_ limit: Double) throws -> Double {
        try CouplingLimits.upperLimit(sigmaLimit: limit, sigmaAtUnitCoupling: sigma, branching: b)
      }
      let asymptotic = try x.expectedAsymptotic.map(g)
      let toys = try x.expectedToys.map { try $0.map(g) }
      let observed = try x.observed.map(g)
      let band = try MuonAnomaly.favouredCouplings(mass: x.mass)
      let basis = useObserved ? observed : (toys ?? asymptotic).median
      probed.append(basis)
      var valid: Bool?
      if model == .invisible, let gp = basis {
        valid = FullyInvisibleModel.hasNarrowInvisibleSolution(
          mass: x.mass, coupling: gp, resolutionM2: config.resolution.sigma(m2: x.mass * x.mass))
      }
      outputs.append(OutputMass(
        index: x.index, mass_gev: x.mass, sigma_g1_fb: sigma, branching_invisible: b,
        g_prime_observed: Nullable(observed), g_prime_expected: toys ?? asymptotic,
        g_prime_expected_source: toys == nil ? "asymptotic" : "toys",
        g_prime_expected_asymptotic: asymptotic, g_prime_expected_toys: Nullable(toys),
        g_minus_2_band: Range(lower: band.lowerBound, upper: band.upperBound),
        excludes_g_minus_2: basis.map { $0 < band.lowerBound } ?? false,
        narrow_width_b_chichi_valid: Nullable(valid)))
    }

    // g−2 exclusion over the masses in increasing order.
    let order = inputs.indices.sorted { inputs[$0].mass < inputs[$1].mass }
    let excluded = try CouplingLimits.excludedGMinus2Ranges(masses: order.map { inputs[$0].mass }, limits: order.map { probed[$0] })
    var validBelow: Double?
    if model == .invisible {
      let firstInvalid = order.first { outputs[$0].narrow_width_b_chichi_valid.value == false }
      validBelow = firstInvalid.map { inputs[$0].mass } ?? order.last.map { inputs[$0].mass }
    }
    var notes: [String] = []
    if model == .invisible {
      notes.append("Fully invisible: B(Z′→χχ̄) ≈ 1 with a negligible width needs some αD with Γ_SM(g′)/(1−0.9) ≤ σ(M²)/(2M); "
        + "where narrow_width_b_chichi_valid is false (paper: M ≳ 6.5 GeV), rescale g′ by 1/√B(Z′→χχ̄), which depends on αD.")
    } else {
      notes.append("Vanilla: B(Z′→invisible) = Γ(νν̄)/Γ_tot, independent of g′; the Z′ width is negligible.")
    }
    notes.append("g−2 band: Δaµ = 251(59)×10⁻¹¹ ± 2σ; excluded where the \(useObserved ? "observed" : "median expected") g′ limit is below the band's lower edge.")

    let result = Output(
      input: input, model: model.rawValue, isr: isr, sigma_source: table == nil ? "vegas" : "table", masses: outputs,
      g_minus_2_exclusion_basis: useObserved ? "observed" : "median expected",
      g_minus_2_excluded_ranges_gev: excluded.map { Range(lower: $0.lowerBound, upper: $0.upperBound) },
      narrow_width_valid_below_gev: Nullable(validBelow), notes: notes)

    if let path = out {
      try AtomicFile.write(try JSONOutput.string(result) + "\n", to: path)
      FileHandle.standardError.write("wrote g′ limits for \(outputs.count) masses (\(model.rawValue)) to \(path)\n".data(using: .utf8)!)
      return
    }
    if common.json {
      print(try JSONOutput.string(result))
      return
    }
    var text = "g′ limits (90% CL), \(model == .vanilla ? "vanilla" : "fully invisible") Lµ−Lτ model, from \(input)\n"
    text += "  index   M [GeV]   σ(g′=1) [fb]      B     g′ obs      g′ exp −2σ  −1σ      median    +1σ       +2σ      g−2 band (±2σ)\n"
    for o in outputs {
      let obs = o.g_prime_observed.value.map { String(format: "%9.3e", $0) } ?? "        —"
      let e = o.g_prime_expected
      text += String(format: "%7d  %8.4f   %11.4e  %5.3f  ", o.index, o.mass_gev, o.sigma_g1_fb, o.branching_invisible) + obs
        + String(format: "   %9.3e %9.3e %9.3e %9.3e %9.3e   %.2e–%.2e", e.minus2, e.minus1, e.median, e.plus1, e.plus2,
                 o.g_minus_2_band.lower, o.g_minus_2_band.upper) + (o.excludes_g_minus_2 ? "  excluded\n" : "\n")
    }
    let ranges = excluded.map { String(format: "%.3f–%.3f GeV", $0.lowerBound, $0.upperBound) }.joined(separator: ", ")
    text += "g−2 explanation excluded (\(result.g_minus_2_exclusion_basis)): \(ranges.isEmpty ? "nowhere" : ranges)\n"
    if let v = validBelow { text += String(format: "narrow width with B(χχ̄) ≥ 0.9 possible below %.3f GeV\n", v) }
    for n in notes { text += "note: \(n)\n" }
    print(text, terminator: "")
  }
}

extension ZPrimeModel: ExpressibleByArgument {}
