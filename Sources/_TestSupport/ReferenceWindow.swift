import Foundation
import Likelihood

/// The reference search window used by tests, validation and benchmarks: the size and
/// structure of one window of the Belle II invisible-Z′ search (docs/ARCHITECTURE.md), 202 parameters.
///
/// - one channel `window`, 20 M² bins × 5 θ bins = 100 bins, index = M² bin · 5 + θ bin;
/// - `signal`: ``signalEvents`` events at µ = 1, Gaussian in M² centred in the window with
///   σ = 1 bin (bin contents from the normal CDF), spread over θ as 0.15 : 0.25 : 0.25 : 0.2 : 0.15;
/// - `background`: 30 → 20 events per M² column (linear), shared over θ as 0.5 : 2 : 1 : 1 : 0.5;
/// - modifiers: normfactor `mu` (the POI) and staterror `signal_shape` (10% per bin) on the
///   signal; normfactor `background_norm` and staterror `background_shape` (8% per bin) on the
///   background. One staterror name per sample makes each a per-bin Gaussian nuisance with
///   width equal to that sample's relative uncertainty (pyhf computes σ per staterror name
///   from the samples carrying that name only).
public enum ReferenceWindow {
  public static let massBins = 20
  public static let thetaBins = 5
  /// Signal events (all bins) at µ = 1.
  public static let signalEvents = 10.0
  public static let signalThetaShares = [0.15, 0.25, 0.25, 0.2, 0.15]
  public static let backgroundThetaShares = [0.5, 2, 1, 1, 0.5].map { $0 / 5.0 }
  public static let signalRelativeUncertainty = 0.10
  public static let backgroundRelativeUncertainty = 0.08

  /// What the observations of the window are.
  public enum Observations: Equatable, Sendable {
    /// The background expectation, rounded to integers.
    case backgroundRounded
    /// A Poisson toy of background + µ·signal, from a SplitMix64 stream seeded with `seed`.
    case toy(seed: UInt64, mu: Double)
  }

  /// Expected signal per bin at µ = 1.
  public static func signal() -> [Double] {
    var out: [Double] = []
    let centre = Double(massBins) / 2
    // P(a < z < b) from the tail on the bin's side, so the outer bins keep their small,
    // non-zero content (a zero would make their staterror σ zero and the parameter fixed).
    func probability(_ a: Double, _ b: Double) -> Double {
      let r = 1 / 2.0.squareRoot()
      return a >= 0 ? 0.5 * (erfc(a * r) - erfc(b * r)) : 0.5 * (erfc(-b * r) - erfc(-a * r))
    }
    for i in 0..<massBins {
      let share = probability(Double(i) - centre, Double(i + 1) - centre)
      for j in 0..<thetaBins { out.append(signalEvents * share * signalThetaShares[j]) }
    }
    return out
  }

  /// Expected background per bin.
  public static func background() -> [Double] {
    var out: [Double] = []
    for i in 0..<massBins {
      let column = 30.0 - 10.0 * Double(i) / Double(massBins - 1)
      for j in 0..<thetaBins { out.append(column * backgroundThetaShares[j]) }
    }
    return out
  }

  /// The window as a pyhf workspace.
  public static func workspace(observations: Observations = .backgroundRounded) -> Workspace {
    let s = signal()
    let b = background()
    let observed: [Double]
    switch observations {
    case .backgroundRounded:
      observed = b.map { $0.rounded() }
    case .toy(let seed, let mu):
      var rng = SplitMix64(seed: seed)
      observed = zip(s, b).map { Double(rng.poisson(mean: mu * $0 + $1)) }
    }
    let signalSample = Sample(
      name: "signal", data: s,
      modifiers: [.normfactor("mu"), .staterror("signal_shape", s.map { $0 * signalRelativeUncertainty })])
    let backgroundSample = Sample(
      name: "background", data: b,
      modifiers: [
        .normfactor("background_norm"), .staterror("background_shape", b.map { $0 * backgroundRelativeUncertainty }),
      ])
    return Workspace(
      channels: [Channel(name: "window", samples: [signalSample, backgroundSample])],
      observations: [Observation(name: "window", data: observed)],
      measurements: [Measurement(name: "reference", config: MeasurementConfig(poi: "mu"))])
  }
}

/// SplitMix64 (Steele, Lea & Flood, OOPSLA 2014): a tiny seeded generator for reproducible
/// pseudo-data inside this module (which has no dependencies).
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in (0, 1).
  mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) * 0x1p-53 }

  /// Standard normal (Box–Muller).
  mutating func normal() -> Double {
    (-2 * Foundation.log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
  }

  /// Poisson by inversion of the CDF (fine for the means of a search window).
  mutating func poisson(mean: Double) -> Int {
    if mean <= 0 { return 0 }
    if mean > 500 { return max(0, Int((mean + mean.squareRoot() * normal()).rounded())) }
    let u = uniform()
    var k = 0
    var p = Foundation.exp(-mean)
    var cdf = p
    while u > cdf && k < 10_000 {
      k += 1
      p *= mean / Double(k)
      cdf += p
    }
    return k
  }
}
