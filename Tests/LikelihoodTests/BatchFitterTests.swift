import Foundation
import Testing
@testable import Likelihood
import _TestSupport

/// A real search window of the default configuration (Fixtures/, written by `zptoys workspace`).
func realWindow(_ name: String) throws -> Model {
  let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
  return try Model(workspace: try Workspace.load(path: dir.appendingPathComponent(name).path))
}

/// Batched fits against fits on the general engine (one data set at a time, no fast path):
/// twice_nll within 1e-9 relative and every parameter within 1e-5 of its uncertainty (both stop
/// at a Newton decrement below 1e-12, i.e. within ~1e-6 σ of the minimum, along different paths).
func expectBatchAgrees(
  _ model: Model, _ toys: [[Double]], fixed: [Int: Double] = [:], initial: [[Double]]? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) -> [FitResult] {
  let batched = BatchFitter(model: model).fit(data: toys, fixed: fixed, initial: initial)
  let general = Fitter(model: model)
  general.fastPath = false
  for (i, t) in toys.enumerated() {
    let a = batched[i]
    let b = general.fit(data: t, fixed: fixed, initial: initial?[i])
    #expect(a.converged && b.converged, "toy \(i): batched \(a.method) \(a.converged), general \(b.converged)", sourceLocation: sourceLocation)
    #expect(abs(a.twiceNLL - b.twiceNLL) <= 1e-9 * max(1, abs(b.twiceNLL)), "toy \(i): twice_nll \(a.twiceNLL) vs \(b.twiceNLL)",
            sourceLocation: sourceLocation)
    var worst = 0.0
    for p in a.parameters.indices where b.uncertainties[p] > 0 && b.uncertainties[p].isFinite {
      worst = max(worst, abs(a.parameters[p] - b.parameters[p]) / b.uncertainties[p])
    }
    #expect(worst < 1e-5, "toy \(i): parameters differ by \(worst) σ", sourceLocation: sourceLocation)
  }
  return batched
}

@Suite("Batched fits")
struct BatchFitterTests {
  @Test("Reference window: batched free and conditional fits agree with the general engine")
  func referenceWindow() throws {
    let model = try Model(workspace: ReferenceWindow.workspace())
    #expect(BatchFitter(model: model).path() == .batched)
    var rng = TestRNG(seed: 21)
    var truth = model.initialValues
    truth[model.poiIndex!] = 0
    let toys = (0..<20).map { _ in rng.toy(model, at: truth) }
    let free = expectBatchAgrees(model, toys)
    let starts = free.map { r -> [Double] in
      var s = r.parameters
      s[model.poiIndex!] = 1
      return s
    }
    _ = expectBatchAgrees(model, toys, fixed: [model.poiIndex!: 1], initial: starts)
  }

  @Test("Real search windows (0.3, 2.352, 8 GeV, wide Z′) take the batched path and agree with the general engine",
        arguments: ["window_m0.3.json", "window_m2.352.json", "window_m8.json", "window_m2.352_wide.json"])
  func realWindows(_ name: String) throws {
    let model = try realWindow(name)
    #expect(BatchFitter(model: model).path() == .batched)
    #expect(BatchFitter(model: model).path(fixed: [model.poiIndex!: 1]) == .batched)
    let toys = FitBenchmark.toyData(model: model, count: 12, seed: 7)
    _ = expectBatchAgrees(model, toys)
    _ = expectBatchAgrees(model, toys, fixed: [model.poiIndex!: 2])
  }

  @Test("Locals at their bounds (auxiliary data far below 1): those bins go to the general engine, the fit stays exact")
  func localsAtBounds() throws {
    let model = try realWindow("window_m0.3.json")
    var toys = FitBenchmark.toyData(model: model, count: 8, seed: 3)
    // Photon-veto auxiliary data (σ = 34%) at −0.2 and 0.05: γ_v sits at its bound 1e-10 in
    // empty bins.
    let vetoes = model.constraints.filter { model.parameterNames[$0.parameter].hasPrefix("photon_veto") }
    for (k, t) in toys.indices.enumerated() where k % 2 == 0 {
      for v in vetoes.prefix(30) { toys[t][model.mainBinCount + v.auxIndex] = k % 4 == 0 ? -0.2 : 0.05 }
    }
    let r = expectBatchAgrees(model, toys)
    #expect(r.allSatisfy { $0.method == "newton (batched)" })
  }

  @Test("Lanes needing many iterations do not disturb the others: results equal those of each data set fitted alone")
  func laneIndependence() throws {
    let model = try Model(workspace: ReferenceWindow.workspace())
    var rng = TestRNG(seed: 5)
    let toys = (0..<19).map { _ in rng.toy(model, at: model.initialValues) }
    // Every third data set starts far away (µ = 9, normalisation 5): many more Newton steps.
    let starts = toys.indices.map { i -> [Double] in
      var s = model.initialValues
      if i % 3 == 0 {
        s[model.poiIndex!] = 9
        s[model.parameterIndex(named: "background_norm")!] = 5
      }
      return s
    }
    let fitter = BatchFitter(model: model)
    let together = fitter.fit(data: toys, initial: starts)
    let iterations = together.map(\.iterations)
    #expect(iterations.max()! >= iterations.min()! + 3, "iterations \(iterations)")
    for i in toys.indices {
      let alone = fitter.fit(data: [toys[i]], initial: [starts[i]])[0]
      #expect(alone.twiceNLL == together[i].twiceNLL && alone.parameters == together[i].parameters, "data set \(i)")
      let single = Fitter(model: model, options: FitOptions(computeUncertainties: false)).fit(data: toys[i], initial: starts[i])
      #expect(single.twiceNLL == alone.twiceNLL && single.parameters == alone.parameters, "data set \(i): single fit")
    }
    _ = expectBatchAgrees(model, toys, initial: starts)
  }

  @Test("Results do not depend on the thread count or the batch split")
  func threadCountIndependence() throws {
    let model = try realWindow("window_m2.352.json")
    var data = DataBatch(model: model)
    for t in FitBenchmark.toyData(model: model, count: 150, seed: 11) { data.append(t) }
    let fitter = BatchFitter(model: model)
    let one = fitter.fit(data, threads: 1)
    let two = fitter.fit(data, threads: 2)
    let three = BatchFitter(model: model).fit(data, threads: 3)
    #expect(one.twiceNLL == two.twiceNLL && one.twiceNLL == three.twiceNLL)
    #expect(one.parameters == two.parameters && one.parameters == three.parameters)
    #expect(one.converged.allSatisfy { $0 })
  }

  @Test("Fits from a common start and conditional fits from the free ones (locals not recorded, as toys run them) agree with the general engine on any thread count",
        arguments: ["reference", "window_m2.352.json", "window_m8.json"])
  func fitsFromPreviousFits(_ name: String) throws {
    let model = name == "reference" ? try Model(workspace: ReferenceWindow.workspace()) : try realWindow(name)
    let poi = model.poiIndex!
    let toys = FitBenchmark.toyData(model: model, count: 40, seed: 5)
    let data = DataBatch(model: model, dataSets: toys)
    let fitter = BatchFitter(model: model)
    fitter.recordsLocals = false
    var truth = model.initialValues
    truth[poi] = 0
    let free = fitter.fit(data, start: truth)
    let conditional = fitter.fit(data, fixed: [poi: 2], from: free)
    let twoThreads = fitter.fit(data, fixed: [poi: 2], from: fitter.fit(data, start: truth, threads: 2), threads: 2)
    #expect(conditional.twiceNLL == twoThreads.twiceNLL)
    let general = Fitter(model: model)
    general.fastPath = false
    let perBin = Set(0..<model.parameterCount).subtracting(model.compiled.otherParameters)
    for i in toys.indices {
      for (batched, fixed) in [(free[i], [Int: Double]()), (conditional[i], [poi: 2])] {
        let exact = general.fit(data: toys[i], fixed: fixed)
        #expect(batched.converged && exact.converged, "toy \(i) \(fixed)")
        #expect(abs(batched.twiceNLL - exact.twiceNLL) <= 1e-9 * max(1, abs(exact.twiceNLL)),
                "toy \(i) \(fixed): twice_nll \(batched.twiceNLL) vs \(exact.twiceNLL)")
        // The stored parameters (globals, fixed, orphans) within 1e-5 σ; per-bin ones NaN
        // unless the fit went to the general engine.
        for p in model.compiled.otherParameters where exact.uncertainties[p] > 0 && exact.uncertainties[p].isFinite {
          #expect(abs(batched.parameters[p] - exact.parameters[p]) < 1e-5 * exact.uncertainties[p], "toy \(i) \(fixed): parameter \(p)")
        }
        #expect(batched.method != "newton (batched)" || perBin.allSatisfy { batched.parameters[$0].isNaN })
      }
    }
  }

  @Test("Empty bins (zero expected, zero observed) fit as in pyhf: Poisson(0 | 0) = 1")
  func emptyBins() throws {
    // A channel whose last two bins have no sample at all and no events, as pyhf's
    // validation/multibin_histfactory; and a bin where only the signal (µ) contributes.
    let ws = Workspace(
      channels: [Channel(name: "c", samples: [
        Sample(name: "signal", data: [1, 3, 2, 0, 0], modifiers: [.normfactor("mu"), .staterror("s_stat", [0.1, 0.3, 0.2, 0, 0])]),
        Sample(name: "background", data: [10, 12, 0, 0, 0], modifiers: [.normfactor("bkg"), .staterror("b_stat", [1, 1.2, 0, 0, 0])]),
      ])],
      observations: [Observation(name: "c", data: [11, 14, 1, 0, 0])],
      measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu"))])
    let model = try Model(workspace: ws)
    let fitter = Fitter(model: model)
    let r = fitter.fit(data: model.observedData)
    #expect(r.converged && r.error == nil)
    #expect(abs(r.twiceNLL - model.twiceNLL(r.parameters, data: model.observedData)) < 1e-9)
    var rng = TestRNG(seed: 8)
    let toys = (0..<10).map { _ in rng.toy(model, at: model.initialValues) }
    _ = expectBatchAgrees(model, toys)
    _ = expectBatchAgrees(model, toys, fixed: [model.poiIndex!: 0.5])
  }

  @Test("Zero expected with observed events is an error naming the channel and bin")
  func zeroExpectation() throws {
    let ws = Workspace(
      channels: [Channel(name: "sr", samples: [Sample(name: "background", data: [10, 0], modifiers: [.normfactor("mu")])])],
      observations: [Observation(name: "sr", data: [9, 2])],
      measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu"))])
    let model = try Model(workspace: ws)
    let r = Fitter(model: model).fit(data: model.observedData)
    #expect(!r.converged)
    #expect(r.error == .zeroExpectation(location: "channel \"sr\", bin 1", observed: 2))
    #expect(throws: FitError.self) { try Fitter(model: model).fitChecked(data: model.observedData) }
    #expect("\(r.error!)".contains("channel \"sr\", bin 1"))
    let batch = BatchFitter(model: model).fit(data: [model.observedData])
    #expect(batch[0].error == r.error)
  }

  @Test("A negative background yield makes the fit an error naming channel, sample and bin")
  func negativeYield() throws {
    let ws = Workspace(
      channels: [Channel(name: "sr", samples: [
        Sample(name: "signal", data: [1, 2, 1], modifiers: [.normfactor("mu")]),
        Sample(name: "background", data: [10, -5, 8]),
      ])],
      observations: [Observation(name: "sr", data: [9, 2, 7])],
      measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu"))])
    let model = try Model(workspace: ws)
    // At the initial values (µ = 1) bin 1 expects 2 − 5 < 0 events: pyhf's logpdf is NaN there.
    let r = Fitter(model: model).fit(data: model.observedData)
    #expect(!r.converged)
    guard case .notEvaluable(let location, let detail) = r.error else {
      Issue.record("expected notEvaluable, got \(String(describing: r.error))")
      return
    }
    #expect(location == "channel \"sr\", bin 1")
    #expect(detail.contains("sample \"background\""), "\(detail)")
  }

  @Test("A one-sided normsys (double-welled likelihood): restarts find the global minimum and say so")
  func doubleWell() throws {
    // hi and lo above 1: I(α) has its minimum near α = 0 and rises on both sides, so a deficit
    // can be explained at α < 0 or α > 0 with different constraint costs.
    let ws = Workspace(
      channels: [Channel(name: "c", samples: [
        Sample(name: "signal", data: [2, 4, 2], modifiers: [.normfactor("mu")]),
        Sample(name: "background", data: [20, 25, 20], modifiers: [.normsys("onesided", hi: 1.6, lo: 1.3)]),
      ])],
      observations: [Observation(name: "c", data: [31, 38, 30])],
      measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu"))])
    let model = try Model(workspace: ws)
    let alpha = model.parameterIndex(named: "onesided")!
    let fitter = Fitter(model: model)
    let r = fitter.fit(data: model.observedData, fixed: [model.poiIndex!: 0], initial: model.initialValues.enumerated().map { $0.offset == alpha ? -1 : $0.element })
    #expect(r.converged)
    #expect(r.diagnostics.restarts > 0)
    // The global minimum over α (µ = 0) by a fine scan.
    var best = Double.infinity
    for k in 0...4000 {
      var p = model.initialValues
      p[model.poiIndex!] = 0
      p[alpha] = -5 + 10 * Double(k) / 4000
      best = min(best, model.twiceNLL(p, data: model.observedData))
    }
    #expect(r.twiceNLL <= best + 1e-6, "fit \(r.twiceNLL), scan \(best)")
  }
}
