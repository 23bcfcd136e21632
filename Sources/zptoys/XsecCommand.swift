import ArgumentParser
import Foundation
import GSL
import Physics
import _Support

struct XsecCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "xsec",
    abstract: "σ(e+e− → µ+µ−Z′) at g′ = 1, the Z′ widths, B(Z′ → invisible) and the g−2 contribution.",
    discussion: """
      σ is the tree-level cross section from the numerical matrix element (muon mass kept, Z′ off \
      either muon), integrated over phase space by VEGAS; --isr convolves it with the Kuraev–Fadin \
      electron structure function. √s comes from the configuration (10.58 GeV by default). \
      The random numbers of VEGAS come from --seed (reproducible).

      --table regenerates the committed interpolation table (Sources/Physics/CrossSectionTable+Data.swift):
        zptoys xsec --table --out Sources/Physics/CrossSectionTable+Data.swift

      Examples:
        zptoys xsec --mass 1.0
        zptoys xsec --mass 0.01 --mass 8 --isr --json
      """
  )

  @OptionGroup var common: CommonOptions

  @Option(name: .long, help: ArgumentHelp("Z′ mass in GeV (repeat for several).", valueName: "GeV"))
  var mass: [Double] = []

  @Flag(name: .long, help: "Include initial-state radiation (Kuraev–Fadin structure function).")
  var isr = false

  @Option(name: .long, help: "VEGAS calls per measurement iteration (5 iterations, after a warm-up of half as many).")
  var calls: Int = 20_000

  @Option(name: .long, help: ArgumentHelp("Muon mass in GeV (default: PDG). A tiny value gives the massless-muon limit.", valueName: "GeV"))
  var muonMass: Double = PhysicalConstants.muonMass

  @Option(name: .long, help: ArgumentHelp("1/α (default 137.036).", valueName: "x"))
  var alphaInverse: Double = 137.036

  @Option(name: .long, help: ArgumentHelp("√s in GeV (default: from the configuration).", valueName: "GeV"))
  var sqrtS: Double?

  @Flag(name: .long, help: "Generate the Swift source of the σ interpolation table (64 masses, Born and ISR).")
  var table = false

  @Flag(name: .long, help: "Also show the signal-kinematics table: per Z′ energy bin, its probability and a in dN/dcosθ* ∝ 1 + a·cos²θ*.")
  var kinematics = false

  @Option(name: .long, help: ArgumentHelp("Write the JSON result (with --table: the Swift source) to this file.", valueName: "file"))
  var out: String?

  func validate() throws {
    if !table && mass.isEmpty { throw ValidationError("give --mass M (one or more) or --table") }
    if table && !mass.isEmpty { throw ValidationError("--table computes its own masses: drop --mass") }
    for m in mass where !(m.isFinite && m > 0) { throw ValidationError("--mass must be positive, got \(m)") }
    if calls < 200 || calls > 100_000_000 { throw ValidationError("--calls must be between 200 and 10⁸, got \(calls)") }
    if !(muonMass.isFinite && muonMass > 0) { throw ValidationError("--muon-mass must be positive, got \(muonMass)") }
    if !(alphaInverse.isFinite && alphaInverse > 1) { throw ValidationError("--alpha-inverse must be > 1, got \(alphaInverse)") }
    if let r = sqrtS, !(r.isFinite && r > 0) { throw ValidationError("--sqrt-s must be positive, got \(r)") }
  }

  struct Widths: Encodable {
    let mumu: Double, tautau: Double, nunu: Double, total: Double
  }

  struct CouplingRange: Encodable {
    let lower: Double, upper: Double
  }

  struct Vegas: Encodable {
    let chi2_per_dof: Double
    let evaluations: Int
  }

  struct DarkMatterBenchmark: Encodable {
    let hypothesis: String
    let alpha_d_for_width_fraction_0_1: Double
    let width_over_mass_at_alpha_d_2_9: Double
  }

  struct KinematicsBin: Encodable {
    let energy_low_gev: Double, energy_high_gev: Double, x_low: Double, x_high: Double
    let probability: Double
    let angular_a: Double
  }

  struct Kinematics: Encodable {
    let build_ms: Double
    let sigma_quadrature_fb: Double
    let bins: [KinematicsBin]
  }

  struct Result: Encodable {
    let mass_gev: Double
    let sqrt_s_gev: Double
    let alpha: Double
    let muon_mass_gev: Double
    let isr: Bool
    let sigma_fb: Double
    let sigma_uncertainty_fb: Double
    let vegas: Vegas
    let sigma_table_fb: Double?
    let sigma_massless_muon_limit_fb: Double
    let branching_invisible_vanilla: Double
    let widths_gev: Widths
    let delta_a_mu: Double
    let g_prime_g_minus_2_band: CouplingRange
    let dark_matter_benchmark: DarkMatterBenchmark
    let signal_kinematics: Kinematics?
  }

  func run() throws {
    GSLRuntime.install()
    let rootS = try sqrtS ?? common.loadConfiguration().beams.sqrtS
    let born = BornCrossSection(sqrtS: rootS, alpha: 1 / alphaInverse, muonMass: muonMass)
    let options = GSL.Vegas.Options(warmUpCalls: max(100, calls / 2), calls: calls)
    if table { return try writeTable(born: born, rootS: rootS, options: options) }
    // e+e− → µ+µ−Z′ needs √s > M + 2mµ: above it σ is not 0, it is not defined.
    for m in mass where m >= rootS - 2 * muonMass {
      throw CLIError("--mass \(m) GeV is above the kinematic limit √s − 2mµ = \(String(format: "%.4f", rootS - 2 * muonMass)) GeV (√s = \(rootS) GeV): e+e− → µ+µ−Z′ cannot produce it")
    }
    let results = try mass.enumerated().map { i, m in try result(mass: m, index: i, born: born, rootS: rootS, options: options) }
    struct Many: Encodable { let results: [Result] }
    let json = results.count == 1 ? try JSONOutput.string(results[0]) : try JSONOutput.string(Many(results: results))
    if let path = out {
      try AtomicFile.write(json + "\n", to: path)
    } else if common.json {
      print(json)
    } else {
      print(text(results, rootS: rootS), terminator: "")
    }
  }

  /// `--table`: the cross-section table's Swift source.
  func writeTable(born: BornCrossSection, rootS: Double, options: GSL.Vegas.Options) throws {
    let started = Date()
    let generated = try CrossSectionTable.generate(
      masses: CrossSectionTable.defaultMasses(sqrtS: rootS, muonMass: muonMass), born: born, options: options.scaled(by: 5),
      seed: common.seed
    ) { e in
      FileHandle.standardError.write(String(format: "M = %9.5f GeV  σ = %.6e ± %.1e fb  σ_ISR = %.6e ± %.1e fb\n",
                                            e.mass, e.sigmaBorn, e.uncertaintyBorn, e.sigmaISR, e.uncertaintyISR).data(using: .utf8)!)
    }
    var command = "zptoys xsec --table --seed \(common.seed) --calls \(calls)"
    if sqrtS != nil { command += " --sqrt-s \(rootS)" }
    try emit(generated.swiftSource(command: command))
    FileHandle.standardError.write(String(format: "table of %d masses in %.1f s\n", generated.entries.count,
                                          Date().timeIntervalSince(started)).data(using: .utf8)!)
  }

  /// σ, widths, g−2 and (with --kinematics) the signal kinematics at one mass.
  func result(mass m: Double, index i: Int, born: BornCrossSection, rootS: Double, options: GSL.Vegas.Options) throws -> Result {
    let stream = RandomStream(StreamKey(seed: common.seed, study: .physics, massIndex: i, toyIndex: isr ? 1 : 0))
    let estimate = isr
      ? try InitialStateRadiation(sqrtS: rootS, alpha: 1 / alphaInverse).sigma(mass: m, born: born, options: options, using: stream)
      : try born.sigma(mass: m, options: options, using: stream)
    let w = ZPrimeDecays.vanilla(mass: m)
    let band = try MuonAnomaly.favouredCouplings(mass: m)
    let dm = DarkMatter.paperBenchmark
    let lookup = CrossSectionTable.standard(sqrtS: rootS, alpha: 1 / alphaInverse, muonMass: muonMass)
    return Result(
      mass_gev: m, sqrt_s_gev: rootS, alpha: 1 / alphaInverse, muon_mass_gev: muonMass, isr: isr,
      sigma_fb: estimate.sigma, sigma_uncertainty_fb: estimate.uncertainty,
      vegas: Vegas(chi2_per_dof: estimate.chiSquaredPerDegreeOfFreedom, evaluations: estimate.evaluations),
      sigma_table_fb: try lookup.map { try $0.sigma(mass: m, isr: isr) },
      sigma_massless_muon_limit_fb: try MasslessMuonLimit.crossSection(mass: m, sqrtS: rootS, alpha: 1 / alphaInverse),
      branching_invisible_vanilla: w.branchingInvisible,
      widths_gev: Widths(mumu: w.mumu, tautau: w.tautau, nunu: w.nunu, total: w.total),
      delta_a_mu: try MuonAnomaly.contribution(mass: m),
      g_prime_g_minus_2_band: CouplingRange(lower: band.lowerBound, upper: band.upperBound),
      dark_matter_benchmark: DarkMatterBenchmark(
        hypothesis: "complex scalar, m_chi = M/3",
        alpha_d_for_width_fraction_0_1: dm.alphaD(forWidthFraction: 0.1),
        width_over_mass_at_alpha_d_2_9: dm.widthOverMass(alphaD: 2.9)),
      signal_kinematics: kinematics ? try signalKinematics(mass: m, rootS: rootS) : nil)
  }

  func signalKinematics(mass m: Double, rootS: Double) throws -> Kinematics {
    let started = Date()
    let k = try SignalKinematics(mass: m, sqrtS: rootS, muonMass: muonMass, alpha: 1 / alphaInverse)
    let ms = Date().timeIntervalSince(started) * 1000
    return Kinematics(build_ms: ms, sigma_quadrature_fb: k.crossSection, bins: k.energyProbabilities.indices.map { i in
      KinematicsBin(energy_low_gev: k.energyEdges[i], energy_high_gev: k.energyEdges[i + 1],
                    x_low: 2 * k.energyEdges[i] / rootS, x_high: 2 * k.energyEdges[i + 1] / rootS,
                    probability: k.energyProbabilities[i], angular_a: k.angularCoefficients[i])
    })
  }

  func text(_ results: [Result], rootS: Double) -> String {
    var text = "σ(e+e− → µ+µ−Z′) at g′ = 1, √s = \(fmt(rootS)) GeV, α = 1/\(fmt(alphaInverse, 7))\(isr ? ", with ISR" : " (Born)")\n"
    text += "  M [GeV]      σ [fb]        ± [fb]   χ²/dof   table [fb]   B(inv) vanilla   Γ_tot(g′=1) [GeV]   Δaµ(g′=1)   g′ (g−2, ±2σ)\n"
    for r in results {
      let tableValue = r.sigma_table_fb.map { String(format: "%11.5e", $0) } ?? "          —"
      text += String(format: "%9.4f  %12.5e  %9.2e  %6.2f  ", r.mass_gev, r.sigma_fb, r.sigma_uncertainty_fb, r.vegas.chi2_per_dof)
        + tableValue
        + String(format: "   %14.4f   %17.4e   %9.3e   %.2e–%.2e\n", r.branching_invisible_vanilla, r.widths_gev.total,
                 r.delta_a_mu, r.g_prime_g_minus_2_band.lower, r.g_prime_g_minus_2_band.upper)
    }
    for r in results {
      guard let k = r.signal_kinematics else { continue }
      text += String(format: "\nSignal kinematics at M = %.4f GeV (built in %.1f ms; quadrature σ = %.5e fb):\n", r.mass_gev, k.build_ms, k.sigma_quadrature_fb)
      text += "    E* range [GeV]       x = 2E*/√s      probability   a (1 + a cos²θ*)\n"
      for b in k.bins {
        text += String(format: "  %8.4f–%-8.4f   %6.4f–%-6.4f   %11.4e   %+7.4f\n", b.energy_low_gev, b.energy_high_gev, b.x_low, b.x_high, b.probability, b.angular_a)
      }
    }
    return text
  }

  /// The table source to --out, or stdout.
  private func emit(_ text: String) throws {
    if let path = out {
      try AtomicFile.write(text, to: path)
    } else {
      print(text, terminator: "")
    }
  }
}
