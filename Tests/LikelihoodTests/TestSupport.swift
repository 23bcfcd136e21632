import Foundation
@testable import Likelihood

/// A tiny seeded generator for the tests (SplitMix64, Steele, Lea & Flood 2014), with the two
/// distributions toys need. Independent of the module's own copy on purpose.
struct TestRNG {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) * 0x1p-53 }
  mutating func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
  /// Poisson by CDF inversion (means up to a few hundred).
  mutating func poisson(_ mean: Double) -> Double {
    let u = uniform()
    var k = 0.0
    var p = exp(-mean)
    var cdf = p
    while u > cdf && k < 100_000 {
      k += 1
      p *= mean / k
      cdf += p
    }
    return k
  }

  /// A pseudo-experiment of `model` at `parameters` as pyhf throws them: Poisson main data,
  /// auxiliary data from each constraint (Gaussian around θ, Poisson around τθ).
  mutating func toy(_ model: Model, at parameters: [Double]) -> [Double] {
    var data = model.expectedMainData(parameters).map { poisson($0) }
    for term in model.constraints {
      let theta = parameters[term.parameter]
      switch term.constraint {
      case .gaussian(let sigma): data.append(theta + sigma * normal())
      case .poisson(let tau): data.append(poisson(tau * theta))
      }
    }
    return data
  }
}

func decode(_ json: String) throws -> Workspace { try Workspace.decode(Data(json.utf8)) }

func relativeDifference(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(a), abs(b), 1e-300) }

/// A workspace with every modifier type in two channels (also used to get the pyhf numbers
/// pinned in the tests, with pyhf 0.7.6).
let kitchenSinkJSON = """
  {"channels": [{"name": "zeta", "samples": [{"name": "sig", "data": [1.0, 2.0, 0.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}, {"name": "stat_sig", "type": "staterror", "data": [0.1, 0.2, 0.0]}]}, {"name": "bkg", "data": [10.0, 20.0, 5.0], "modifiers": [{"name": "stat_bkg", "type": "staterror", "data": [0.8, 1.6, 0.4]}, {"name": "bnorm", "type": "normfactor", "data": null}, {"name": "sys1", "type": "normsys", "data": {"hi": 1.1, "lo": 0.9}}, {"name": "hs", "type": "histosys", "data": {"hi_data": [11, 21, 6], "lo_data": [9, 19, 4]}}, {"name": "ss", "type": "shapesys", "data": [1.0, 2.0, 0.5]}, {"name": "lumi", "type": "lumi", "data": null}, {"name": "sf", "type": "shapefactor", "data": null}]}]}, {"name": "alpha", "samples": [{"name": "bkg", "data": [3.0, 4.0], "modifiers": [{"name": "bnorm", "type": "normfactor", "data": null}, {"name": "astat", "type": "staterror", "data": [0.3, 0.4]}]}]}], "observations": [{"name": "zeta", "data": [12, 22, 5]}, {"name": "alpha", "data": [3, 5]}], "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": [{"name": "lumi", "auxdata": [1.0], "sigmas": [0.02], "bounds": [[0.5, 1.5]], "inits": [1.0]}]}}], "version": "1.0.0"}
  """

/// signal s, background b, one bin each, normfactor mu on the signal only.
func countingWorkspace(signal: [Double], background: [Double], observed: [Double], extra: [Modifier] = []) -> Workspace {
  Workspace(
    channels: [Channel(name: "c", samples: [
      Sample(name: "signal", data: signal, modifiers: [.normfactor("mu")]),
      Sample(name: "background", data: background, modifiers: extra),
    ])],
    observations: [Observation(name: "c", data: observed)],
    measurements: [Measurement(name: "m", config: MeasurementConfig(poi: "mu"))])
}
