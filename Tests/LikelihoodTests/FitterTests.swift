import Foundation
import Testing
@testable import Likelihood
import _TestSupport

@Suite("Maximum-likelihood fits")
struct FitterTests {
  @Test("A counting experiment has the closed-form answer: µ̂ = (n − b)/s, σ = √n/s")
  func countingExperiment() throws {
    let model = try Model(workspace: countingWorkspace(signal: [10], background: [50], observed: [70]))
    let r = Fitter(model: model).fit(data: model.observedData)
    #expect(r.converged)
    #expect(abs(r.parameters[0] - 2) < 1e-12)
    #expect(abs(r.uncertainties[0] - 70.0.squareRoot() / 10) < 1e-10)
    #expect(abs(r.twiceNLL - -2 * LogPDF.poisson(70, rate: 70)) < 1e-10)
  }

  @Test("The kitchen-sink workspace reaches pyhf's minimum (17.46930705678322, pyhf 0.7.6, SLSQP 1e-12)")
  func kitchenSink() throws {
    let model = try Model(workspace: try decode(kitchenSinkJSON))
    let r = Fitter(model: model).fit(data: model.observedData)
    #expect(r.converged)
    #expect(r.twiceNLL <= 17.46930705678322 + 1e-10)
    #expect(r.twiceNLL >= 17.46930705678322 - 1e-7)
    #expect(r.parameters[18] == 1)  // stat_sig[2] is fixed by default
    #expect(r.uncertainties[18] == 0)
    #expect(abs(r.twiceNLL - model.twiceNLL(r.parameters, data: model.observedData)) < 1e-9)
  }

  @Test("The reference window: pyhf's minimum −262.12813857864637 (free) and −261.1995618165469 (µ = 1)")
  func referenceWindow() throws {
    let model = try Model(workspace: ReferenceWindow.workspace())
    let fitter = Fitter(model: model)
    let free = fitter.fit(data: model.observedData)
    #expect(free.converged)
    #expect(free.twiceNLL <= -262.12813857864637 + 1e-10 && free.twiceNLL > -262.12813857864637 - 1e-7)
    #expect(free.parameters[1] == 0)  // µ at its lower bound: the data are the background
    let conditional = fitter.fit(data: model.observedData, poi: 1)
    #expect(conditional.converged)
    #expect(conditional.twiceNLL <= -261.1995618165469 + 1e-10 && conditional.twiceNLL > -261.1995618165469 - 1e-7)
    #expect(conditional.parameters[1] == 1)
    #expect(conditional.uncertainties[1] == 0)
    #expect(free.uncertainties.allSatisfy { $0.isFinite && $0 > 0 })
  }

  @Test("Data below the background: µ̂ is at its bound 0 and the profile rises into the allowed region")
  func hitsBound() throws {
    let model = try Model(workspace: countingWorkspace(
      signal: [2, 5, 2], background: [20, 20, 20], observed: [15, 14, 17],
      extra: [.normsys("bkg_norm", hi: 1.05, lo: 0.95)]))
    let fitter = Fitter(model: model)
    let r = fitter.fit(data: model.observedData)
    let mu = model.poiIndex!
    #expect(r.converged)
    #expect(r.parameters[mu] == 0)
    let atZero = fitter.fit(data: model.observedData, poi: 0)
    #expect(abs(atZero.twiceNLL - r.twiceNLL) < 1e-10)
    let above = fitter.fit(data: model.observedData, poi: 0.01)
    #expect(above.twiceNLL > r.twiceNLL)
  }

  @Test("Empty bins, a bin without background and all-zero data converge")
  func emptyBins() throws {
    let ws = Workspace(
      channels: [Channel(name: "c", samples: [
        Sample(name: "signal", data: [1, 3, 1], modifiers: [.normfactor("mu"), .staterror("sig_stat", [0.1, 0.3, 0.1])]),
        Sample(name: "background", data: [10, 0, 10], modifiers: [.normfactor("bkg"), .staterror("bkg_stat", [1, 0, 1])]),
      ])],
      observations: [Observation(name: "c", data: [9, 0, 0])],
      measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu"))])
    let model = try Model(workspace: ws)
    // bkg_stat[1] has σ = 0 (no background) and is fixed, as pyhf does
    #expect(model.fixedByDefault[model.parameterIndex(named: "bkg_stat[1]")!])
    let fitter = Fitter(model: model)
    let r = fitter.fit(data: model.observedData)
    #expect(r.converged)
    #expect(r.parameters[model.poiIndex!] == 0)
    var zeros = model.observedData
    for b in 0..<3 { zeros[b] = 0 }
    let z = fitter.fit(data: zeros)
    #expect(z.converged)
    #expect(z.twiceNLL.isFinite)
    // no signal, no background needed: both normalisations go to 0 and −2 ln L is the constraints' only
    #expect(z.parameters[model.parameterIndex(named: "bkg")!] == 0)
  }

  @Test("Fixed parameters stay fixed; fixing µ at µ̂ gives the free minimum; the profile is above it")
  func fixedParameters() throws {
    let model = try Model(workspace: ReferenceWindow.workspace(observations: .toy(seed: 11, mu: 2)))
    let fitter = Fitter(model: model)
    let free = fitter.fit(data: model.observedData)
    let mu = model.poiIndex!
    let norm = model.parameterIndex(named: "background_norm")!
    #expect(free.converged && free.parameters[mu] > 0)
    let atHat = fitter.fit(data: model.observedData, fixed: [mu: free.parameters[mu]])
    #expect(abs(atHat.twiceNLL - free.twiceNLL) < 1e-9)
    let pinned = fitter.fit(data: model.observedData, fixed: [norm: 1.1])
    #expect(pinned.parameters[norm] == 1.1)
    #expect(pinned.twiceNLL >= free.twiceNLL)
    for v in [0.0, 0.5, 1, 3, 5] {
      let c = fitter.fit(data: model.observedData, poi: v)
      #expect(c.converged)
      #expect(c.twiceNLL >= free.twiceNLL - 1e-10)
    }
  }

  /// Every modifier type, two channels, no degenerate direction.
  static func allModifiers() -> Workspace {
    Workspace(
      channels: [
        Channel(name: "sr", samples: [
          Sample(name: "signal", data: [2, 5, 5, 2], modifiers: [.normfactor("mu"), .lumi, .normsys("eff", hi: 1.05, lo: 0.97)]),
          Sample(name: "bkg1", data: [30, 25, 20, 15], modifiers: [
            .normfactor("k"), .lumi, .histosys("jes", hi: [31.5, 26, 20.4, 15.1], lo: [28.2, 24.2, 19.8, 15]),
            .normsys("jes", hi: 1.04, lo: 0.95), .staterror("stat_bkg1", [1.5, 1.25, 1, 0.75]),
          ]),
          Sample(name: "bkg2", data: [5, 5, 5, 5], modifiers: [.shapesys("bkg2_shape", [0.5, 0.5, 0.5, 0.5])]),
        ]),
        Channel(name: "cr", samples: [
          Sample(name: "bkg1", data: [100, 90, 80], modifiers: [.normfactor("k"), .shapefactor("cr_shape")]),
          Sample(name: "other", data: [20, 20, 20], modifiers: [.lumi]),
        ]),
      ],
      observations: [Observation(name: "sr", data: [38, 37, 30, 22]), Observation(name: "cr", data: [118, 112, 99])],
      measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu", parameters: [
        ParameterConfig(name: "lumi", inits: [1], bounds: [[0.9, 1.1]], auxdata: [1], sigmas: [0.02]),
      ]))])
  }

  @Test("On the Asimov data set the fit returns the generating parameters")
  func asimov() throws {
    let model = try Model(workspace: Self.allModifiers())
    var truth = model.initialValues
    truth[model.poiIndex!] = 2
    truth[model.parameterIndex(named: "k")!] = 1.2
    // the cr shapefactor is degenerate with k in the control region: hold its first bin
    let pinned = model.parameterIndex(named: "cr_shape[0]")!
    let r = Fitter(model: model).fit(data: model.asimovData(at: truth), fixed: [pinned: 1])
    #expect(r.converged)
    for (i, (a, b)) in zip(r.parameters, truth).enumerated() {
      #expect(abs(a - b) < 1e-5 * max(1, r.uncertainties[i]), "\(model.parameterNames[i])")
    }
  }

  @Test("Far starting values, and the fallbacks (Newton limited to one iteration), reach the same minimum")
  func robustness() throws {
    let model = try Model(workspace: ReferenceWindow.workspace(observations: .toy(seed: 5, mu: 1)))
    let reference = Fitter(model: model).fit(data: model.observedData)
    var start = model.initialValues
    start[0] = 5  // background_norm
    start[1] = 9  // mu
    let far = Fitter(model: model).fit(data: model.observedData, initial: start)
    #expect(far.converged)
    #expect(abs(far.twiceNLL - reference.twiceNLL) < 1e-9)
    let limited = Fitter(model: model, options: FitOptions(maxIterations: 1)).fit(data: model.observedData)
    #expect(limited.method != "newton")
    #expect(limited.converged)
    #expect(abs(limited.twiceNLL - reference.twiceNLL) < 1e-9)
  }

  /// Pulls (θ̂ − θ)/σ̂ of the POI and of the background normalisation over seeded toys of a
  /// 10-bin window (signal 60 events at µ = 1, so the bound at 0 is > 4σ away). Toys fluctuate
  /// main and auxiliary data as pyhf does. With N = 800 toys the standard error of the mean
  /// pull is 1/√N = 0.035 and of the variance √(2/N) = 0.05; the checks allow 4 standard errors
  /// (|mean| < 0.14, |variance − 1| < 0.2), a false alarm once in ~15,000 runs per check.
  @Test("Pulls on seeded toys have mean 0 and width 1")
  func pulls() throws {
    let s: [Double] = [2, 6, 12, 16, 12, 6, 3, 1.5, 1, 0.5].map { $0 * 60 / 60 }
    let b: [Double] = [30, 29, 28, 27, 26, 25, 24, 23, 22, 21]
    let ws = Workspace(
      channels: [Channel(name: "w", samples: [
        Sample(name: "signal", data: s, modifiers: [.normfactor("mu"), .staterror("signal_shape", s.map { 0.1 * $0 })]),
        Sample(name: "background", data: b, modifiers: [
          .normfactor("background_norm"), .staterror("background_shape", b.map { 0.08 * $0 }),
        ]),
      ])],
      observations: [Observation(name: "w", data: b)],
      measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu"))])
    let model = try Model(workspace: ws)
    let fitter = Fitter(model: model)
    var truth = model.initialValues
    truth[model.poiIndex!] = 1
    let n = 800
    var rng = TestRNG(seed: 20_240_611)
    var pulls: [[Double]] = [[], []]
    let watched = [model.poiIndex!, model.parameterIndex(named: "background_norm")!]
    for _ in 0..<n {
      let r = fitter.fit(data: rng.toy(model, at: truth))
      #expect(r.converged)
      for (k, i) in watched.enumerated() { pulls[k].append((r.parameters[i] - truth[i]) / r.uncertainties[i]) }
    }
    for p in pulls {
      let mean = p.reduce(0, +) / Double(n)
      let variance = p.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)
      #expect(abs(mean) < 4 / Double(n).squareRoot(), "mean pull \(mean)")
      #expect(abs(variance - 1) < 4 * (2 / Double(n)).squareRoot(), "pull variance \(variance)")
    }
  }

  @Test("The per-bin fast path agrees with the general closed form and with Newton (reference window)")
  func fastPathAgrees() throws {
    let model = try Model(workspace: ReferenceWindow.workspace(observations: .toy(seed: 3, mu: 1)))
    let fast = Fitter(model: model)
    let general = Fitter(model: model)
    general.fastPath = false
    var rng = TestRNG(seed: 7)
    for _ in 0..<20 {
      let data = rng.toy(model, at: model.initialValues)
      for fixed in [[:], [1: 0.0], [1: 2.0], [0: 1.05]] as [[Int: Double]] {
        let a = fast.fit(data: data, fixed: fixed)
        let b = general.fit(data: data, fixed: fixed)
        #expect(a.converged && b.converged)
        #expect(abs(a.twiceNLL - b.twiceNLL) < 1e-9)
        for (x, y) in zip(a.parameters, b.parameters) { #expect(abs(x - y) < 1e-6) }
      }
    }
  }

  @Test("Fits are deterministic and fitters on several threads agree with one fitter")
  func threads() async throws {
    let model = try Model(workspace: ReferenceWindow.workspace())
    var rng = TestRNG(seed: 99)
    let toys = (0..<16).map { _ in rng.toy(model, at: model.initialValues) }
    let serial = Fitter(model: model)
    let expected = toys.map { serial.fit(data: $0) }
    #expect(toys.map { serial.fit(data: $0) } == expected)
    let parallel = await withTaskGroup(of: (Int, FitResult).self) { group in
      for chunk in 0..<4 {
        group.addTask {
          let fitter = Fitter(model: model)
          return (chunk, fitter.fit(data: toys[chunk * 4]))
        }
      }
      var out: [Int: FitResult] = [:]
      for await (k, r) in group { out[k] = r }
      return out
    }
    for (k, r) in parallel { #expect(r == expected[k * 4]) }
  }
}
