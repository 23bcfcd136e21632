import Foundation
import GSL
import Likelihood

/// Draws pseudo-data from a model at given parameters like pyhf's `model.make_pdf(pars).sample()`:
/// every main bin Poisson(ν_b), every auxiliary datum from its constraint — Normal(θ, σ) or
/// Poisson(τθ) — so the global observables fluctuate with the main data.
public struct ToySampler: Sendable {
  public let model: Model
  public let expectedMain: [Double]
  public let parameters: [Double]

  public init(model: Model, parameters: [Double]) {
    self.model = model
    self.parameters = parameters
    expectedMain = model.expectedMainData(parameters)
  }

  public func sample(_ rng: RandomStream, into out: inout [Double]) {
    let nMain = model.mainBinCount
    if out.count != nMain + model.auxCount { out = [Double](repeating: 0, count: nMain + model.auxCount) }
    for b in 0..<nMain { out[b] = Double(rng.poisson(expectedMain[b])) }
    for term in model.constraints {
      let theta = parameters[term.parameter]
      let v: Double
      switch term.constraint {
      case .gaussian(let sigma): v = theta + rng.gaussian(sigma: sigma)
      case .poisson(let tau): v = Double(rng.poisson(tau * theta))
      }
      out[nMain + term.auxIndex] = v
    }
  }
}
