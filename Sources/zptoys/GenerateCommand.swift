import ArgumentParser
import Experiment
import Foundation
import GSL
import Generator
import _Support

struct GenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Generate smeared, selected toy events of one process into a CSV file.",
    discussion: """
      Processes: signal (needs --mass; --width-fraction F for a Breit–Wigner of Γ = F·M), \
      a background process of the configuration by name (the default's: mumu (µµ(γ)), tautau \
      (ττ(γ)), eemumu (e+e−µ+µ−)), or background (all of them, mixed by their yields).
      Either --events N (exactly N selected events) or --lumi L (a Poisson number of events \
      expected at L fb⁻¹; the signal's cross section is --sigma-fb).
      The CSV has one row per event: m2_recoil_gev2, theta_cm_recoil_deg, theta_lab_recoil_deg \
      (reconstructed), true_m2_gev2, true_theta_cm_deg (truth), process.
      Example:  zptoys generate --process signal --mass 2.0 --events 100000 --seed 7 --out sig.csv
      """
  )

  @OptionGroup var common: CommonOptions

  @Option(help: "signal, a background process of the configuration (default: mumu, tautau, eemumu) or background.")
  var process: String

  @Option(help: "Z′ mass in GeV (signal only), within the mass grid's range.")
  var mass: Double?

  @Option(name: .customLong("width-fraction"), help: "Γ/M of the Z′ (signal only; 0 = narrow, benchmark 0.1).")
  var widthFraction: Double = 0

  @Option(help: "Number of selected events to write.")
  var events: Int?

  @Option(help: "Integrated luminosity in fb⁻¹: write a Poisson number of events expected at it.")
  var lumi: Double?

  @Option(name: .customLong("sigma-fb"), help: "Signal cross section in fb, for --lumi.")
  var sigmaFb: Double = 1

  @Option(help: "Take the process from a file instead of its model: a 2D histogram CSV (m2_low_gev2, m2_high_gev2, theta_low_deg, theta_high_deg, content[, sumw2]), an event CSV (m2_recoil_gev2, theta_cm_recoil_deg[, weight]) or FILE.root:PATH (a TH2 or a TTree, read with uproot).")
  var input: String?

  @OptionGroup var root: RootOptions

  @Option(help: "Output CSV file (written atomically).")
  var out: String

  static let maxEvents = 100_000_000

  func validate() throws {
    if process == "signal" {
      guard mass != nil || input != nil else { throw ValidationError("--process signal needs --mass M (GeV)") }
    } else {
      guard mass == nil else { throw ValidationError("--mass applies to the signal only") }
      guard widthFraction == 0 else { throw ValidationError("--width-fraction applies to the signal only") }
    }
    guard widthFraction.isFinite, widthFraction >= 0, widthFraction <= 1 else {
      throw ValidationError("--width-fraction must be in [0, 1], got \(widthFraction)")
    }
    switch (events, lumi) {
    case (nil, nil): throw ValidationError("give either --events N or --lumi L")
    case (.some, .some): throw ValidationError("give --events or --lumi, not both")
    case (.some(let n), nil):
      guard n >= 1, n <= Self.maxEvents else { throw ValidationError("--events must be between 1 and \(Self.maxEvents), got \(n)") }
    case (nil, .some(let l)):
      guard l.isFinite, l > 0, l <= 1e6 else { throw ValidationError("--lumi must be a positive number of fb⁻¹ up to 1e6, got \(l)") }
    }
    guard sigmaFb.isFinite, sigmaFb >= 0, sigmaFb <= 1e9 else { throw ValidationError("--sigma-fb must be in [0, 1e9], got \(sigmaFb)") }
    if let m = mass { guard m.isFinite, m > 0 else { throw ValidationError("--mass must be a positive number of GeV, got \(m)") } }
    if input != nil, process == "background" { throw ValidationError("--input takes one process, not the background sum") }
  }

  func run() throws {
    let config = try common.loadConfiguration()
    let detector = DetectorModel(config: config)
    let known = EventSample.processNames(config)
    guard known.contains(process) else {
      throw CLIError("unknown process \"\(process)\"; choose one of \(known.joined(separator: ", "))")
    }
    if let m = mass {
      let lo = detector.grid.hypotheses.first!.mass, hi = detector.grid.hypotheses.last!.mass
      guard m >= lo * (1 - 1e-9), m <= hi * (1 + 1e-9) else {
        throw CLIError("--mass \(m) GeV is outside the mass grid [\(fmt(lo)), \(fmt(hi))] GeV")
      }
    }
    let which: EventSample.Process = switch process {
    case "signal": .signal(mass: mass ?? detector.grid.hypotheses[0].mass, widthFraction: widthFraction, sigmaFb: sigmaFb)
    case "background": .allBackgrounds
    default: .background(process)
    }
    let sample = try EventSample(detector: detector, process: which, user: try input.map { try UserSource.load($0, branches: root.branches) })
    let writer = try AtomicFileWriter(path: out)
    try writer.write("m2_recoil_gev2,theta_cm_recoil_deg,theta_lab_recoil_deg,true_m2_gev2,true_theta_cm_deg,process\n")
    var line = ""
    line.reserveCapacity(160)
    let counts = try sample.generate(events.map { .events($0) } ?? .luminosity(lumi!), seed: common.seed, maxEvents: Self.maxEvents) { name, e in
      line.removeAll(keepingCapacity: true)
      line += "\(e.m2),\(e.thetaCM),\(e.thetaLab.isNaN ? "" : "\(e.thetaLab)"),\(e.trueM2),\(e.trueThetaCM),\(name)\n"
      try writer.write(line)
    }
    try writer.commit()
    if common.json {
      struct Summary: Encodable { let out: String; let events: [String: Int]; let seed: UInt64 }
      print(try JSONOutput.string(Summary(out: out, events: Dictionary(uniqueKeysWithValues: zip(sample.names, counts)), seed: common.seed)))
    } else {
      let parts = zip(sample.names, counts).map { "\($0) \($1)" }.joined(separator: ", ")
      FileHandle.standardError.write("wrote \(counts.reduce(0, +)) events (\(parts)) to \(out)\n".data(using: .utf8)!)
    }
  }
}
