import Foundation
import Testing
@testable import Likelihood
import _TestSupport

@Suite("HistFactory model (pyhf conventions)")
struct ModelTests {
  // Numbers pinned from pyhf 0.7.6 on kitchenSinkJSON.
  static let pyhfNames = [
    "hs", "lumi", "bnorm", "mu", "sys1", "sf[0]", "sf[1]", "sf[2]", "ss[0]", "ss[1]", "ss[2]", "astat[0]", "astat[1]",
    "stat_bkg[0]", "stat_bkg[1]", "stat_bkg[2]", "stat_sig[0]", "stat_sig[1]", "stat_sig[2]",
  ]
  static let point = [
    1.7, 1.01, 1.2, 0.7, -0.4, 1.1, 0.9, 1.05, 1.02, 0.97, 1.1, 0.95, 1.04, 1.01, 0.99, 1.03, 1.1, 0.92, 1.0,
  ]

  @Test("Parameter names and order, auxiliary data and defaults are pyhf's")
  func parameterOrder() throws {
    let model = try Model(workspace: try decode(kitchenSinkJSON))
    #expect(model.parameterNames == Self.pyhfNames)
    #expect(model.poiIndex == 3)
    #expect(model.channelNames == ["alpha", "zeta"])  // sorted, as pyhf
    #expect(model.auxData == [0.0, 1.0, 0.0, 100.0, 100.0, 100.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    #expect(model.initialValues == [0, 1, 1, 1, 0] + Array(repeating: 1.0, count: 14))
    #expect(model.bounds[0] == -5...5 && model.bounds[1] == 0.5...1.5 && model.bounds[3] == 0...10)
    #expect(model.bounds[8] == 1e-10...10 && model.bounds[5] == 0...10)
    // stat_sig[2]: no signal in that bin, sigma 0 -> fixed (and sigma 1), as pyhf
    #expect(model.fixedByDefault == Array(repeating: false, count: 18) + [true])
    #expect(model.observedData == [3, 5, 12, 22, 5] + model.auxData)
  }

  @Test("logpdf and expected data agree with pyhf at the initial values and at another point")
  func logpdfMatchesPyhf() throws {
    let model = try Model(workspace: try decode(kitchenSinkJSON))
    let data = model.observedData
    #expect(relativeDifference(model.logPDF(model.initialValues, data: data), -8.848808746236804) < 1e-13)
    #expect(relativeDifference(model.logPDF(Self.point, data: data), -13.81577509660067) < 1e-13)
    let pyhfExpected = [
      3.42, 4.992, 16.187174894122347, 23.09590159578746, 9.268270881063277, 1.7, 1.01, -0.4, 102.0, 97.0,
      110.00000000000001, 0.95, 1.04, 1.01, 0.99, 1.03, 1.1, 0.92, 1.0,
    ]
    let ours = model.expectedData(Self.point)
    #expect(ours.count == pyhfExpected.count)
    for (a, b) in zip(ours, pyhfExpected) { #expect(abs(a - b) <= 1e-13 * max(1, abs(b))) }
    #expect(model.twiceNLL(Self.point, data: data) == -2 * model.logPDF(Self.point, data: data))
  }

  @Test("normfactor and lumi multiply, normsys follows code 4, histosys adds code 4p")
  func modifiersByHand() throws {
    let ws = Workspace(
      channels: [Channel(name: "c", samples: [
        Sample(name: "s", data: [2, 4], modifiers: [.normfactor("mu"), .lumi]),
        Sample(name: "b", data: [10, 20], modifiers: [
          .lumi, .normsys("n", hi: 1.2, lo: 0.7), .histosys("h", hi: [12, 21], lo: [9, 18]),
        ]),
      ])],
      observations: [Observation(name: "c", data: [12, 25])],
      measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu", parameters: [
        ParameterConfig(name: "lumi", inits: [1], bounds: [[0.9, 1.1]], auxdata: [1], sigmas: [0.02]),
      ]))])
    let model = try Model(workspace: ws)
    #expect(model.parameterNames == ["h", "lumi", "mu", "n"])
    // h = 2 (linear beyond 1: +2Δ₊), lumi 1.05, mu 1.5, n = 1 (factor hi = 1.2)
    let nu = model.expectedMainData([2, 1.05, 1.5, 1])
    #expect(abs(nu[0] - (1.5 * 1.05 * 2 + 1.05 * 1.2 * (10 + 2 * 2))) < 1e-12)
    #expect(abs(nu[1] - (1.5 * 1.05 * 4 + 1.05 * 1.2 * (20 + 2 * 1))) < 1e-12)
    // n = −2: lo², h = −1.5: linear below −1 with Δ₋
    let nu2 = model.expectedMainData([-1.5, 1, 0, -2])
    #expect(abs(nu2[0] - 0.49 * (10 - 1.5 * 1)) < 1e-12)
    #expect(abs(nu2[1] - 0.49 * (20 - 1.5 * 2)) < 1e-12)
    // constraint terms: Gaussian around the aux datum with the configured sigma
    #expect(model.constraints.map(\.constraint) == [.gaussian(sigma: 1), .gaussian(sigma: 0.02), .gaussian(sigma: 1)])
  }

  @Test("staterror: σ = √(Σδ²)/Σν⁰ over the samples carrying the name; empty bins fixed")
  func staterrorSigma() throws {
    let ws = Workspace(
      channels: [Channel(name: "c", samples: [
        Sample(name: "a", data: [20, 0, 7], modifiers: [.normfactor("mu"), .staterror("stat", [3, 0, 1])]),
        Sample(name: "b", data: [5, 0, 0], modifiers: [.staterror("stat", [4, 0, 0])]),
        Sample(name: "c", data: [100, 100, 100], modifiers: []),  // does not carry it: not in the sums
      ])],
      observations: [Observation(name: "c", data: [130, 100, 108])],
      measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu"))])
    let model = try Model(workspace: ws)
    let sigmas = model.constraints.map { term -> Double in
      if case .gaussian(let s) = term.constraint { return s }
      return .nan
    }
    #expect(abs(sigmas[0] - 0.2) < 1e-15)  // √(9 + 16)/25
    #expect(sigmas[1] == 1)  // σ = 0 → fixed, width 1 (pyhf)
    #expect(abs(sigmas[2] - 1.0 / 7) < 1e-15)
    #expect(model.fixedByDefault == [false, false, true, false])
    #expect(model.parameterNames == ["mu", "stat[0]", "stat[1]", "stat[2]"])
  }

  @Test("One staterror name per sample gives each sample its own relative width (the search window)")
  func perSampleStaterror() throws {
    let model = try Model(workspace: ReferenceWindow.workspace())
    #expect(model.parameterCount == 202)
    #expect(model.parameterNames.prefix(4) == ["background_norm", "mu", "background_shape[0]", "background_shape[1]"])
    for term in model.constraints {
      guard case .gaussian(let s) = term.constraint else { Issue.record("not Gaussian"); continue }
      let name = model.parameterNames[term.parameter]
      let expected = name.hasPrefix("signal_shape") ? 0.10 : 0.08
      #expect(abs(s - expected) < 1e-15, "\(name)")
    }
  }

  @Test("shapesys: Poisson constraint with τ = (ν⁰/δ)² as factor and aux datum; δ = 0 fixed")
  func shapesysTau() throws {
    let model = try Model(workspace: countingWorkspace(
      signal: [1, 1, 1], background: [50, 40, 30], observed: [50, 40, 30],
      extra: [.shapesys("ss", [5, 0, 3])]))
    #expect(model.parameterNames == ["mu", "ss[0]", "ss[1]", "ss[2]"])
    #expect(model.constraints.map(\.constraint) == [.poisson(tau: 100), .poisson(tau: 1), .poisson(tau: 100)])
    #expect(model.auxData == [100, 1, 100])
    #expect(model.fixedByDefault == [false, false, true, false])
    #expect(model.bounds[1] == 1e-10...10)
    // ln Pois(a | τγ) continuous in a, as pyhf
    let logp = model.logPDF([1, 1.1, 1, 0.9], data: model.observedData)
    var expected = 0.0
    for (n, nu) in zip([50.0, 40, 30], [1 + 50 * 1.1, 41.0, 1 + 30 * 0.9]) { expected += n * log(nu) - nu - lgamma(n + 1) }
    for (a, rate) in [(100.0, 110.0), (1.0, 1.0), (100.0, 90.0)] { expected += a * log(rate) - rate - lgamma(a + 1) }
    #expect(relativeDifference(logp, expected) < 1e-13)
  }

  @Test("shapefactor: one free factor per bin, shared between channels of the same binning")
  func shapefactor() throws {
    let ws = Workspace(
      channels: [
        Channel(name: "sr", samples: [
          Sample(name: "s", data: [1, 2], modifiers: [.normfactor("mu")]),
          Sample(name: "b", data: [5, 6], modifiers: [.shapefactor("sf")]),
        ]),
        Channel(name: "cr", samples: [Sample(name: "b", data: [50, 60], modifiers: [.shapefactor("sf")])]),
      ],
      observations: [Observation(name: "sr", data: [6, 8]), Observation(name: "cr", data: [55, 58])],
      measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu"))])
    let model = try Model(workspace: ws)
    #expect(model.parameterNames == ["mu", "sf[0]", "sf[1]"])
    #expect(model.auxData.isEmpty)
    // channels sorted: cr first
    let expected: [Double] = [75, 30, 9.5, 7]  // cr: 50·1.5, 60·0.5; sr: 2·1 + 5·1.5, 2·2 + 6·0.5
    #expect(model.expectedMainData([2, 1.5, 0.5]) == expected)
  }

  @Test("Gaussian and Poisson log densities are pyhf's formulas")
  func logDensities() {
    let sigma = 0.3
    let expected = -log(sigma * (2 * Double.pi).squareRoot()) - pow((1.2 - 1.0) / (2.0.squareRoot() * sigma), 2)
    #expect(relativeDifference(LogPDF.normal(1.2, mean: 1.0, sigma: sigma), expected) < 1e-15)
    #expect(LogPDF.poisson(0, rate: 0) == 0)
    #expect(LogPDF.poisson(3, rate: 0) == -.infinity)
    #expect(relativeDifference(LogPDF.poisson(2.5, rate: 3), 2.5 * log(3) - 3 - lgamma(3.5)) < 1e-15)
  }

  @Test("A model is shared read-only across threads")
  func sendable() async throws {
    let model = try Model(workspace: ReferenceWindow.workspace())
    let reference = model.logPDF(model.initialValues, data: model.observedData)
    let values = await withTaskGroup(of: Double.self) { group in
      for _ in 0..<4 { group.addTask { model.logPDF(model.initialValues, data: model.observedData) } }
      var out: [Double] = []
      for await v in group { out.append(v) }
      return out
    }
    #expect(values.allSatisfy { $0 == reference })
  }
}
