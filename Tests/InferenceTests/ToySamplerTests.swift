import Foundation
import GSL
import Likelihood
import Testing
@testable import Inference

@Suite("Toy sampler: pyhf's make_pdf(pars).sample() from tables and ziggurat Gaussians")
struct ToySamplerTests {
  /// Three bins with every kind of auxiliary datum: staterror (Gaussian per bin), shapesys
  /// (Poisson per bin, τ = (ν/δ)²), normsys and lumi (Gaussian globals).
  static func model() throws -> Model {
    try Model(workspace: Workspace(
      channels: [Channel(name: "c", samples: [
        Sample(name: "signal", data: [2, 5, 1], modifiers: [.normfactor("mu"), .normsys("eff", hi: 1.1, lo: 0.9), .lumi]),
        Sample(name: "background", data: [30, 12, 600], modifiers: [
          .staterror("stat", [3, 0.6, 12]), .shapesys("shape", [6, 2, 30]),
        ]),
      ])],
      observations: [Observation(name: "c", data: [31, 18, 610])],
      measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu", parameters: [
        ParameterConfig(name: "lumi", inits: [1], bounds: [[0.9, 1.1]], auxdata: [1], sigmas: [0.02]),
      ]))]))
  }

  @Test("A toy from a stream key is the toy from a RandomStream with that key; batch layouts hold the same toys")
  func entryPointsAgree() throws {
    let model = try Self.model()
    let gen = ToySampler(model: model, parameters: model.initialValues)
    let keys = (0..<5).map { StreamKey(seed: 3, study: .test, massIndex: 1, toyIndex: $0).hash64 }
    var viaStream: [[Double]] = []
    for key in keys {
      var d: [Double] = []
      gen.sample(RandomStream(key: key), into: &d)
      var e = [Double](repeating: -1, count: gen.rowCount)
      e.withUnsafeMutableBufferPointer { gen.sample(key: key, into: $0.baseAddress!) }
      #expect(d == e)
      viaStream.append(d)
    }
    var binMajor: [Double] = [], toyMajor: [Double] = []
    gen.sample(keys: keys, into: &binMajor)
    gen.sample(keys: keys, into: &toyMajor, layout: .toyMajor)
    for (t, toy) in viaStream.enumerated() {
      for r in 0..<gen.rowCount {
        #expect(binMajor[r * keys.count + t] == toy[r])
        #expect(toyMajor[t * gen.rowCount + r] == toy[r])
      }
    }
  }

  @Test("Every row has the mean and variance of its distribution (Poisson main and shapesys data, Gaussian staterror, normsys, lumi), 40,000 toys")
  func rowMoments() throws {
    let model = try Self.model()
    var pars = model.initialValues
    pars[model.poiIndex!] = 1.5
    let gen = ToySampler(model: model, parameters: pars)
    // Expected mean and variance per row: the model's expectation, then each constraint's.
    var mean = gen.expectedMain, variance = gen.expectedMain
    mean += [Double](repeating: 0, count: model.auxCount)
    variance += [Double](repeating: 0, count: model.auxCount)
    for term in model.constraints {
      let theta = pars[term.parameter], row = model.mainBinCount + term.auxIndex
      switch term.constraint {
      case .gaussian(let sigma): (mean[row], variance[row]) = (theta, sigma * sigma)
      case .poisson(let tau): (mean[row], variance[row]) = (tau * theta, tau * theta)
      }
    }
    let n = 40_000
    var s = [Double](repeating: 0, count: gen.rowCount), s2 = s
    var toy = [Double](repeating: 0, count: gen.rowCount)
    for t in 0..<n {
      toy.withUnsafeMutableBufferPointer { gen.sample(key: StreamKey(seed: 9, study: .test, toyIndex: t).hash64, into: $0.baseAddress!) }
      for r in 0..<gen.rowCount {
        s[r] += toy[r]
        s2[r] += toy[r] * toy[r]
      }
    }
    // 5 standard errors: √(v/n) for the mean; for the variance √((µ4 − v²)/n) with µ4 = 3v² for a
    // Gaussian and v + 3v² for a Poisson (bounded here by 3v² + v).
    for r in 0..<gen.rowCount {
      let m = s[r] / Double(n), v = s2[r] / Double(n) - m * m
      #expect(abs(m - mean[r]) < 5 * (variance[r] / Double(n)).squareRoot(), "row \(r): mean \(m) vs \(mean[r])")
      let spread = ((2 * variance[r] * variance[r] + variance[r]) / Double(n)).squareRoot()
      #expect(abs(v - variance[r]) < 5 * spread, "row \(r): variance \(v) vs \(variance[r])")
    }
  }
}
