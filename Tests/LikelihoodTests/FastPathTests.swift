import Foundation
import Testing
@testable import Likelihood

/// A search window as `zptoys workspace` writes it (Sources/Studies/SearchWindow.swift), built
/// here without the Studies module: `signal` (normfactor sigma_fb = POI, staterror 10%, normsys
/// signal_efficiency, lumi), `mumu` (normfactor background_norm, staterror background_shape
/// carrying the whole per-bin background uncertainty, staterror photon_veto: 34% in the lower
/// half of the M² bins, 5% above) and `other_background` (background_norm, background_shape with
/// zero data). Backgrounds per bin are `scale` × a falling spectrum with θ shares; the µµ(γ)
/// sample is empty (floored at 1e-6) in a quarter of the bins, as in the real windows.
func searchWindowLike(massBins: Int = 20, thetaBins: Int = 5, scale: Double = 1, seed: UInt64 = 1) -> Workspace {
  var signal: [Double] = [], mumu: [Double] = [], other: [Double] = [], veto: [Double] = []
  let thetaShares = [0.1, 0.3, 0.3, 0.2, 0.1].prefix(thetaBins).map { $0 }
  let norm = thetaShares.reduce(0, +)
  for i in 0..<massBins {
    let z = (Double(i) - Double(massBins) / 2 + 0.5) / 2
    for j in 0..<thetaBins {
      let share = thetaShares[j] / norm
      signal.append(max(4.2 * exp(-0.5 * z * z) / (2 * (2 * Double.pi).squareRoot()) * share, 1e-9))
      let m = (i + j) % 4 == 0 ? 1e-6 : scale * 0.4 * share * (1 - 0.02 * Double(i))
      mumu.append(m)
      other.append(scale * 0.05 * share * (1 + 0.01 * Double(i)))
      veto.append(i < massBins / 2 ? 0.34 : 0.05)
    }
  }
  let total = zip(mumu, other).map { $0 + $1 }
  var rng = TestRNG(seed: seed)
  let observed = total.map { rng.poisson($0) }
  return Workspace(
    channels: [Channel(name: "window", samples: [
      Sample(name: "signal", data: signal, modifiers: [
        .normfactor("sigma_fb"), .staterror("signal_shape", signal.map { 0.1 * $0 }),
        .normsys("signal_efficiency", hi: 1.06, lo: 0.94), .lumi,
      ]),
      Sample(name: "mumu", data: mumu, modifiers: [
        .normfactor("background_norm"), .staterror("background_shape", total.map { 0.032 * $0 }),
        .staterror("photon_veto", zip(mumu, veto).map { $0 * $1 }),
      ]),
      Sample(name: "other_background", data: other, modifiers: [
        .normfactor("background_norm"), .staterror("background_shape", [Double](repeating: 0, count: total.count)),
      ]),
    ])],
    observations: [Observation(name: "window", data: observed)],
    measurements: [Measurement(name: "window", config: MeasurementConfig(poi: "sigma_fb", parameters: [
      ParameterConfig(name: "sigma_fb", inits: [1], bounds: [[0, 50]]),
      ParameterConfig(name: "background_norm", inits: [1], bounds: [[0, 10]]),
      ParameterConfig(name: "lumi", inits: [1], bounds: [[0.9, 1.1]], auxdata: [1], sigmas: [0.01]),
    ]))])
}

/// Fits `data` with the fast path and with the general path (closed forms and per-bin Newton
/// only) and checks that they reach the same minimum: twice_nll to 1e-9 and every parameter
/// to 1e-5 of its uncertainty (both stop at a Newton decrement below 1e-12, i.e. within
/// ~1e-6 σ of the minimum, along different paths: the fast path's first step uses the
/// expected curvature).
func expectSameFit(
  _ fast: Fitter, _ general: Fitter, _ data: [Double], fixed: [Int: Double] = [:], initial: [Double]? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let a = fast.fit(data: data, fixed: fixed, initial: initial)
  let b = general.fit(data: data, fixed: fixed, initial: initial)
  #expect(a.converged && b.converged, "fast \(a.method) \(a.converged), general \(b.method) \(b.converged)",
          sourceLocation: sourceLocation)
  #expect(abs(a.twiceNLL - b.twiceNLL) < 1e-9 * max(1, abs(b.twiceNLL)), "twice_nll \(a.twiceNLL) vs \(b.twiceNLL)",
          sourceLocation: sourceLocation)
  // Relative to σ where the Hessian gives one; absolutely where it does not (fixed parameters,
  // an indefinite Hessian at a bound).
  var worst = 0.0, worstAbsolute = 0.0
  for i in a.parameters.indices {
    let d = abs(a.parameters[i] - b.parameters[i])
    let sigma = b.uncertainties[i]
    if sigma > 0 && sigma.isFinite { worst = max(worst, d / sigma) } else { worstAbsolute = max(worstAbsolute, d) }
  }
  #expect(worst < 1e-5, "parameters differ by \(worst) σ", sourceLocation: sourceLocation)
  #expect(worstAbsolute < 1e-6, "parameters without σ differ by \(worstAbsolute)", sourceLocation: sourceLocation)
}

@Suite("Per-bin fast path")
struct FastPathTests {
  @Test("Search windows (γb·γv on µµ(γ), normsys, lumi) take the fast path and agree with the general path")
  func searchWindows() throws {
    for scale in [1.0, 30.0, 600.0] {
      let model = try Model(workspace: searchWindowLike(scale: scale, seed: 3))
      let fast = Fitter(model: model)
      let general = Fitter(model: model)
      general.fastPath = false
      let poi = model.poiIndex!
      let structure = try #require(fast.fastStructure())
      #expect(structure.groups.allSatisfy { $0.key.pair && $0.key.singles == 1 })
      #expect(structure.groups.map(\.binCount).reduce(0, +) == model.mainBinCount)
      var rng = TestRNG(seed: 17)
      var truth = model.initialValues
      truth[poi] = 0
      for toy in 0..<6 {
        let data = toy == 0 ? model.observedData : rng.toy(model, at: truth)
        expectSameFit(fast, general, data)
        let free = fast.fit(data: data)
        for mu in [0.0, 1.0, 5.0] {
          expectSameFit(fast, general, data, fixed: [poi: mu])
          var start = free.parameters
          start[poi] = mu
          expectSameFit(fast, general, data, fixed: [poi: mu], initial: start)
        }
      }
    }
  }

  @Test("Uncertainties of a fast-path fit are those of the general path")
  func uncertainties() throws {
    let model = try Model(workspace: searchWindowLike(scale: 30, seed: 5))
    let a = Fitter(model: model).fit(data: model.observedData)
    let general = Fitter(model: model)
    general.fastPath = false
    let b = general.fit(data: model.observedData)
    for (u, v) in zip(a.uncertainties, b.uncertainties) { #expect(abs(u - v) <= 1e-5 * v) }
  }

  /// Bins of every shape the fast path specialises (a pair, single locals, several sample
  /// classes), and shapes it leaves to the general engine (two pairs, five locals, a local on
  /// terms of two classes); a fixed per-bin factor; a local pushed against its bound (the fast
  /// path solves that bin on the general engine).
  @Test("Every bin shape, fixed per-bin factors and locals at a bound agree with the general path")
  func shapes() throws {
    func sample(_ name: String, _ data: [Double], _ norm: String?, _ stat: [(String, Double)]) -> Sample {
      var mods: [Modifier] = norm.map { [.normfactor($0)] } ?? []
      for (s, rel) in stat { mods.append(.staterror(s, data.map { rel * $0 })) }
      return Sample(name: name, data: data, modifiers: mods)
    }
    let nb = 6
    let s: [Double] = [1, 3, 6, 3, 1, 0.5]
    let b: [Double] = [20, 18, 16, 14, 12, 10]
    // Other shapes for samples with their own normalisation (two normalisations of one shape
    // would leave a flat valley with several bound-constrained minima).
    let c: [Double] = [4, 6, 9, 12, 14, 15]
    let d: [Double] = [9, 3, 2, 2, 3, 9]
    var rng = TestRNG(seed: 2)
    let cases: [(String, [Sample], Bool)] = [
      ("two pairs: general path", [
        sample("sig", s, "mu", [("s1", 0.1), ("s2", 0.2)]), sample("bkg", b, "n1", [("s3", 0.05), ("s4", 0.08)]),
      ], false),
      ("four single locals, three classes", [
        sample("sig", s, "mu", [("s1", 0.1)]), sample("b1", b, "n1", [("s2", 0.05)]),
        sample("b2", c, "n2", [("s3", 0.1)]), sample("b3", b.map { 0.3 * $0 }, "n1", [("s4", 0.2)]),
      ], true),
      ("a pair and two single locals", [
        sample("sig", s, "mu", [("s1", 0.1)]), sample("b1", b, "n1", [("s2", 0.05), ("s3", 0.3)]),
        sample("b2", b.map { 0.5 * $0 }, nil, [("s4", 0.1)]),
      ], true),
      ("a shared staterror on two samples, one class", [
        sample("sig", s, "mu", []), sample("b1", b, "n1", [("s2", 0.05)]), sample("b2", b.map { 0.5 * $0 }, "n1", [("s2", 0.05)]),
      ], true),
      ("five locals: general path", [
        sample("sig", s, "mu", [("s1", 0.1)]), sample("b1", b, "n1", [("s2", 0.05)]),
        sample("b2", b, "n1", [("s3", 0.05)]), sample("b3", b, "n1", [("s4", 0.05)]), sample("b4", b, "n1", [("s5", 0.05)]),
      ], false),
      ("four classes", [
        sample("sig", s, "mu", [("s1", 0.1)]), sample("b1", b, "n1", [("s2", 0.05)]),
        sample("b2", c, "n2", [("s3", 0.05)]), sample("b3", d, "n3", [("s4", 0.05)]),
      ], true),
      ("a staterror shared by samples of two normalisations: general path", [
        sample("sig", s, "mu", [("s1", 0.1)]), sample("b1", b, "n1", [("s2", 0.05)]), sample("b2", c, "n2", [("s2", 0.05)]),
      ], false),
      ("a local pushed to its bound (empty bins, 100% uncertainty)", [
        sample("sig", s, "mu", [("s1", 0.1)]), sample("bkg", b.map { 5 * $0 }, "n1", [("s2", 1.0)]),
      ], true),
    ]
    for (name, samples, expectFast) in cases {
      let observed = name.hasPrefix("a local pushed")
        ? [Double](repeating: 0, count: nb) : zip(s, b).map { rng.poisson($0 + 2 * $1) }
      let ws = Workspace(
        channels: [Channel(name: "c", samples: samples)], observations: [Observation(name: "c", data: observed)],
        measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu"))])
      let model = try Model(workspace: ws)
      let fast = Fitter(model: model)
      let general = Fitter(model: model)
      general.fastPath = false
      let poi = model.poiIndex!
      expectSameFit(fast, general, model.observedData)
      #expect((fast.fastStructure() != nil) == expectFast, "\(name)")
      expectSameFit(fast, general, model.observedData, fixed: [poi: 2])
      // A fixed staterror parameter is folded into its term's nominal.
      let fixedLocal = model.parameterIndex(named: "s2[1]")!
      expectSameFit(fast, general, model.observedData, fixed: [fixedLocal: 1.07])
      expectSameFit(fast, general, model.observedData, fixed: [fixedLocal: 0.93, poi: 1])
      for _ in 0..<3 {
        let data = rng.toy(model, at: model.initialValues)
        expectSameFit(fast, general, data)
        expectSameFit(fast, general, data, fixed: [poi: 0])
      }
    }
  }

  @Test("A start with ν = 0 in bins with data (normalisation 0, POI 0) converges to the minimum")
  func vanishingStart() throws {
    let model = try Model(workspace: searchWindowLike(scale: 30, seed: 9))
    let fitter = Fitter(model: model)
    let poi = model.poiIndex!
    let norm = model.parameterIndex(named: "background_norm")!
    for fixed in [[poi: 0.0], [poi: 2.0], [:]] as [[Int: Double]] {
      let reference = fitter.fit(data: model.observedData, fixed: fixed)
      var start = model.initialValues
      start[norm] = 0
      start[poi] = fixed[poi] ?? 0
      let r = fitter.fit(data: model.observedData, fixed: fixed, initial: start)
      #expect(r.converged)
      #expect(abs(r.twiceNLL - reference.twiceNLL) < 1e-9)
    }
  }

  @Test("A fit does not depend on the fits before it on the same fitter")
  func historyIndependence() throws {
    let model = try Model(workspace: searchWindowLike(scale: 30, seed: 4))
    var rng = TestRNG(seed: 8)
    let toys = (0..<4).map { _ in rng.toy(model, at: model.initialValues) }
    let poi = model.poiIndex!
    let reused = Fitter(model: model)
    for t in toys { _ = reused.fit(data: t, fixed: [poi: 3]) }
    for t in toys {
      #expect(reused.fit(data: t) == Fitter(model: model).fit(data: t))
      #expect(reused.fit(data: t, fixed: [poi: 1]) == Fitter(model: model).fit(data: t, fixed: [poi: 1]))
    }
  }
}
