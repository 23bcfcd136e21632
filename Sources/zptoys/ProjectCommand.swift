import ArgumentParser
import Foundation
import Results
import Studies
import _Support

struct ProjectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "project",
    abstract: "Luminosity projection: expected limits on σ and g′ versus integrated luminosity, and which L closes the (g−2)µ window.",
    discussion: """
      For every hypothesis (--masses) and every luminosity of --lumi (fb⁻¹, increasing), the \
      search window is scaled from the configuration's luminosity to L (signal and every \
      background; relative systematics kept, or shrunk as 1/√L with --scale-systematics) and \
      its expected limit (median and ±1σ/±2σ band; asymptotic, plus --toys background-only \
      pseudo-experiments) is translated into g′ for the vanilla and the fully invisible \
      Lµ−Lτ models. Per luminosity and model the file records where the median expected g′ \
      limit excludes the (g−2)µ band, and per model which luminosity closes the window over \
      the masses projected (interpolated in ln L). Plots: `zptoys plot projection.json` (the \
      reach: g′ against L at a few masses) and --kind projection-couplings (g′ against M per L).
      Example:  zptoys project --lumi 79.7,500,1000,10000,50000 --out projection.json
      """
  )

  @OptionGroup var common: CommonOptions
  @OptionGroup var limits: LimitOptions
  @OptionGroup var study: StudyOptions
  @OptionGroup var mc: TemplateOptions

  @Option(help: ArgumentHelp("Integrated luminosities in fb⁻¹, comma-separated and increasing.", valueName: "fb,fb,…"))
  var lumi: String = "79.7,500,1000,10000,50000"

  @Flag(name: .customLong("scale-systematics"), help: "Shrink the relative systematic uncertainties as 1/√L (× √(L_config / L)).")
  var scaleSystematics = false

  @Option(help: "Hypotheses: all, indices (100-105, 3,7,9) or a mass range in GeV (1.5:2.5).")
  var masses: String = "all"

  @Option(help: "Background-only pseudo-experiments per hypothesis and luminosity for a toy band (0: asymptotic only).")
  var toys: Int = 0

  var lumis: [Double] { lumi.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) } }

  func validate() throws {
    let parts = lumi.split(separator: ",")
    guard !parts.isEmpty, lumis.count == parts.count, lumis.allSatisfy({ $0.isFinite && $0 > 0 && $0 <= 1e7 }) else {
      throw ValidationError("--lumi takes positive luminosities in fb⁻¹ up to 1e7, comma-separated, got \"\(lumi)\"")
    }
    guard zip(lumis, lumis.dropFirst()).allSatisfy({ $0 < $1 }) else { throw ValidationError("--lumi: the luminosities must increase, got \(lumi)") }
    guard (0...100_000).contains(toys) else { throw ValidationError("--toys must be between 0 and 100,000, got \(toys)") }
    guard limits.limitRule(default: .cls) != .fc else { throw ValidationError("--rule fc gives intervals; a projection's reach is an upper limit: use cls or clsb") }
  }

  func run() throws {
    let config = try common.loadConfiguration()
    let analysis = try mc.analysis(config, threads: common.threadCount)
    MassInput.warnIfClipped(masses, grid: analysis.grid)
    let s = ProjectionStudy.settings(lumis: lumis, masses: masses, cl: limits.cl, rule: limits.limitRule(default: .cls), toys: toys, scaleSystematics: scaleSystematics)
    let projection: ProjectionStudy
    do { projection = try ProjectionStudy(analysis: analysis, settings: s, seed: common.seed) } catch let e as MassSelection.ParseError {
      throw ValidationError(e.description)
    } catch let e as StudyError { throw CLIError(e.description) }
    let seed = common.seed
    let inner = max(1, common.threadCount / max(1, projection.taskCount))
    let out = try StudyDriver.run(
      ProjectionFile.self, identity: projection.identity(seed: seed), shard: study.parsed, output: study.out, threads: common.threadCount,
      resume: study.resume, restart: study.restart, progress: study.progress(label: "project", unit: "hypotheses", json: common.json),
      makeState: { () }
    ) { t, _ in try projection.run(task: t, seed: seed, threads: inner) }
    if common.json {
      print(try JSONOutput.string(out))
    } else {
      printSummary(out)
    }
  }

  func printSummary(_ out: ProjectionFile) {
    let l = out.settings.limit
    print("luminosity projection: \(l.clText) \(l.rule.text) median expected limits (\(out.settings.toys > 0 ? "\(out.settings.toys) toys" : "asymptotic")), \(out.masses.count) hypotheses\(out.header.shard.map { ", shard \($0)" } ?? "")")
    func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
    print("  M [GeV]  " + out.settings.lumis.map { pad("\(LumiText.format($0)) fb⁻¹", 22) }.joined(separator: "  "))
    let points = out.masses.sorted { $0.mass < $1.mass }
    let step = max(1, points.count / 12)
    for (i, p) in points.enumerated() where i % step == 0 || i == points.count - 1 {
      let cells = p.limits.map { String(format: "%10.3g fb %8.2e", $0.sigma.median, $0.gPrimeInvisible.median) }.joined(separator: "  ")
      print(String(format: "  %7.4f  ", p.mass) + cells)
    }
    print("  (σ × B in fb and g′ of the fully invisible model)")
    for a in out.answers { print(a.text) }
    if let o = study.out { print("wrote \(o) (\(String(format: "%.1f", out.header.run.seconds)) s)") }
  }
}
