import ArgumentParser
import Experiment
import Foundation
import GSL
import Physics
import Results
import Studies
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

      Input: a brazil result file (`zptoys brazil`; by default its limits are the paper's: 90% CL \
      Feldman–Cousins intervals from toy Neyman belts); the output records its CL, rule and method, \
      and gives the g′ limits and the (g−2)µ exclusion from the file's asymptotic limits beside.
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

  func run() throws {
    let config = try common.loadConfiguration()
    let translation = CouplingTranslation(config: config, model: model, isr: isr, seed: common.seed)
    let result: CouplingsFile
    do {
      let brazil = try ResultReader.read(BrazilFile.self, path: input)
      if !translation.usesTable {
        FileHandle.standardError.write(Data("note: √s = \(config.beams.sqrtS) GeV differs from the table's; computing σ by VEGAS for \(brazil.masses.count) masses\n".utf8))
      }
      result = try translation.translate(brazil, path: input)
    } catch let e as ResultError {
      throw CLIError(e.description)
    } catch let e as StudyError {
      throw CLIError(e.description)
    }
    if let path = out {
      try StudyFiles.write(result, to: path)
      FileHandle.standardError.write(Data("wrote g′ limits for \(result.masses.count) masses (\(model.rawValue)) to \(path)\n".utf8))
    } else if common.json {
      print(try JSONOutput.string(result))
    } else {
      print(Self.text(result), terminator: "")
    }
  }

  /// The table printed without --json.
  static func text(_ r: CouplingsFile) -> String {
    var text = "g′ limits (\(r.limit.clText), \(r.limit.rule.text), \(r.limit.method.text)), \(r.model == "vanilla" ? "vanilla" : "fully invisible") Lµ−Lτ model, from \(r.input)\n"
    text += "  index   M [GeV]   σ(g′=1) [fb]      B     g′ obs      g′ exp −2σ  −1σ      median    +1σ       +2σ      g−2 band (±2σ)\n"
    for o in r.masses {
      let obs = o.observed.map { String(format: "%9.3e", $0) } ?? "        —"
      let e = o.expected
      text += String(format: "%7d  %8.4f   %11.4e  %5.3f  ", o.index, o.mass, o.sigmaAtUnitCoupling, o.branchingInvisible) + obs
        + String(format: "   %9.3e %9.3e %9.3e %9.3e %9.3e   %.2e–%.2e", e.minus2, e.minus1, e.median, e.plus1, e.plus2,
                 o.gMinus2.lower, o.gMinus2.upper) + (o.excludesGMinus2 ? "  excluded\n" : "\n")
    }
    let ranges = r.excludedRanges.map { String(format: "%.3f–%.3f GeV", $0.lower, $0.upper) }.joined(separator: ", ")
    text += "g−2 explanation excluded (\(r.exclusionBasis)): \(ranges.isEmpty ? "nowhere" : ranges)\n"
    if r.limit.method != .asymptotic {
      let asym = r.excludedRangesAsymptotic.map { String(format: "%.3f–%.3f GeV", $0.lower, $0.upper) }.joined(separator: ", ")
      text += "  from the asymptotic limits instead: \(asym.isEmpty ? "nowhere" : asym)\n"
    }
    if let v = r.narrowWidthValidBelow { text += String(format: "narrow width with B(χχ̄) ≥ 0.9 possible below %.3f GeV\n", v) }
    for n in r.notes { text += "note: \(n)\n" }
    return text
  }
}

extension ZPrimeModel: ExpressibleByArgument {}
