import Foundation
import Testing
@testable import Experiment

@Suite("Mass grid and windows")
struct MassGridTests {
  let config = try! ExperimentConfig.embeddedDefault()

  @Test("582 ± 5 hypotheses from 0.01 to 8.5 GeV, steps of ≈ 3 to ≈ 202 MeV (paper)")
  func gridCount() {
    let grid = MassGrid(config: config)
    #expect(abs(grid.count - 582) <= 5)
    #expect(grid.hypotheses.first!.mass == 0.01)
    #expect(grid.hypotheses.last!.mass <= 8.5 && grid.hypotheses.last!.mass > 8.49)
    let steps = zip(grid.hypotheses.dropFirst(), grid.hypotheses).map { $0.mass - $1.mass }
    #expect(steps.min()! > 0.003 && steps.min()! < 0.004)
    #expect(steps.max()! > 0.195 && steps.max()! < 0.205)
  }

  @Test("Each step is one resolution unit in M²")
  func stepsAreResolution() {
    let grid = MassGrid(config: config)
    for (a, b) in zip(grid.hypotheses, grid.hypotheses.dropFirst()) {
      #expect(abs((b.m2 - a.m2) - config.resolution.sigma(m2: a.m2)) < 1e-12)
    }
  }

  @Test("Resolution: maximum 0.23 GeV² at 9 GeV², minimum 0.06 GeV² at 80 GeV²")
  func resolutionExtremes() {
    let r = config.resolution
    let xs = stride(from: -1.0, through: 100.0, by: 0.01).map { r.sigma(m2: $0) }
    #expect(xs.max()! == 0.23 && r.sigma(m2: 9) == 0.23)
    let upTo80 = stride(from: -1.0, through: 80.0, by: 0.01).map { r.sigma(m2: $0) }
    #expect(upTo80.min()! == 0.045)  // at M² ≤ 0: the low-mass resolution
    #expect(r.sigma(m2: 80) == 0.06 && stride(from: 9.0, through: 80.0, by: 0.01).allSatisfy { r.sigma(m2: $0) >= 0.06 })
  }

  @Test("A window has 20 M² bins, one resolution wide, centred on its hypothesis")
  func windows() {
    let grid = MassGrid(config: config)
    let binning = WindowBinning(config: config, grid: grid)
    for i in [0, 1, 100, 300, grid.count - 1] {
      let w = binning.window(i)
      #expect(w.m2Edges.count == 21)
      #expect(w.m2Edges[10] == grid.hypotheses[i].m2)
      for k in 0..<20 {
        #expect(abs((w.m2Edges[k + 1] - w.m2Edges[k]) - config.resolution.sigma(m2: w.m2Edges[k])) < 1e-9)
      }
    }
    #expect(binning.window(0).thetaBinCount == 5)
    #expect(binning.window(grid.count - 1).thetaBinCount == 1)
    // Window bins are unions of global cells: the cell sums reproduce the window counts.
    var cells = [Double](repeating: 0, count: binning.globalCellCount)
    for k in cells.indices { cells[k] = Double(k % 7) }
    let w = binning.window(50)
    let counts = binning.windowCounts(w, cells: cells)
    let total = (w.firstGlobalM2Bin..<(w.firstGlobalM2Bin + 20)).reduce(0.0) { acc, b in
      acc + (0..<binning.fineThetaCount).reduce(0.0) { $0 + cells[b * binning.fineThetaCount + $1] }
    }
    #expect(counts.reduce(0, +) == total)
  }

  @Test("Nearest hypothesis and out-of-grid masses")
  func nearest() {
    let grid = MassGrid(config: config)
    #expect(grid.nearest(mass: 2.352)!.index == grid.hypotheses.min { abs($0.mass - 2.352) < abs($1.mass - 2.352) }!.index)
    #expect(grid.nearest(mass: 9.5) == nil)
    #expect(grid.nearest(mass: -1) == nil)
    #expect(grid.nearest(mass: .nan) == nil)
  }
}

@Suite("Kinematics and acceptance")
struct KinematicsTests {
  let config = try! ExperimentConfig.embeddedDefault()

  @Test("A massless particle boosted to the lab and back keeps its angle")
  func boostRoundTrip() {
    let k = Kinematics(beams: config.beams)
    #expect(abs(k.beta * k.gamma - 0.28) < 1e-12)
    for thetaLab in stride(from: 5.0, through: 175.0, by: 10.0) {
      let cm = k.cmThetaOfMassless(labTheta: thetaLab)
      let back = k.labTheta(energy: 1, momentum: 1, cosTheta: cos(cm * .pi / 180))
      #expect(abs(back - thetaLab) < 1e-9)
    }
    // The boost pushes recoils forward: 90° in the c.m. frame is forward in the lab.
    #expect(k.labTheta(energy: 1, momentum: 1, cosTheta: 0) < 90)
  }

  @Test("Acceptance rules of the paper")
  func acceptance() {
    let a = AcceptanceRules(config.acceptance)
    #expect(a.accepts(m2: 1, thetaLab: 60, ptCM: 1))
    #expect(!a.accepts(m2: 1, thetaLab: 30, ptCM: 1))      // outside the barrel below 4 GeV²
    #expect(!a.accepts(m2: 1, thetaLab: 90, ptCM: 1))      // the 89°–91° gap
    #expect(a.accepts(m2: 5, thetaLab: 90, ptCM: 1))       // no gap cut above 4 GeV²
    #expect(a.accepts(m2: 5, thetaLab: 20, ptCM: 1))
    #expect(!a.accepts(m2: 5, thetaLab: 124, ptCM: 1))
    #expect(!a.accepts(m2: 5, thetaLab: 60, ptCM: 0.4))    // p_T(c.m.) > 0.5 GeV
  }
}
