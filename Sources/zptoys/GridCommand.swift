import ArgumentParser
import Experiment
import Foundation
import Results
import Studies
import _Support

struct GridCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grid",
    abstract: "List the mass hypotheses: one resolution unit apart in M².",
    discussion: """
      Hypotheses start at mass_grid.min_gev and step by one resolution unit in M² \
      (M²ᵢ₊₁ = M²ᵢ + σ(M²ᵢ)) up to mass_grid.max_gev. The default gives 582 hypotheses from \
      0.01 to 8.5 GeV, with steps from 202 MeV at the lowest mass to 3.6 MeV at the top.
      """
  )

  @OptionGroup var common: CommonOptions

  func run() throws {
    let config = try common.loadConfiguration()
    let grid = MassGrid(config: config)
    if common.json {
      print(try JSONOutput.string(GridFile(config: config)))
      return
    }
    let h = grid.hypotheses
    let steps = zip(h.dropFirst(), h).map { $0.mass - $1.mass }
    print("\(config.name): \(grid.count) mass hypotheses, \(fmt(h.first!.mass)) to \(fmt(h.last!.mass)) GeV")
    print("steps in mass: \(fmt(steps.min()! * 1000, 3)) to \(fmt(steps.max()! * 1000, 4)) MeV; resolution \(fmt(h.map(\.resolution).min()!, 3)) to \(fmt(h.map(\.resolution).max()!, 3)) GeV²")
    print("")
    print(" index   mass [GeV]   M² [GeV²]   σ(M²) [GeV²]")
    for x in h {
      print(String(format: "%6d   %10.5f   %9.5f   %12.5f", x.index, x.mass, x.m2, x.resolution))
    }
  }
}
