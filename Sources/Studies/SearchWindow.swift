import Experiment
import Foundation
import Generator
import Likelihood

/// The likelihood of one search window as a pyhf workspace (the paper's fit), built from the
/// configuration's signal, background processes and systematics.
///
/// One channel `window` with the window's bins (M²-major: bin = i·nθ + j), and samples:
/// `signal` (expected events per fb: L·ε·acceptance·template, scaled by the parameter of interest
/// `sigma_fb`, the cross section in fb), then one sample per distinct `sample` name of the
/// backgrounds, in the configuration's order (processes with the same sample name are summed).
/// Each sample carries the modifiers of its `systematics` list, in that order (the signal's POI
/// normfactor first). For the embedded configuration that is the paper's fit:
///
/// | sample | data | modifiers |
/// |---|---|---|
/// | `signal` | Z′ per fb | normfactor `sigma_fb`, staterror `signal_shape` (10% per bin), normsys `signal_efficiency` (by M² range), `lumi` |
/// | `mumu` | µµ(γ) | normfactor `background_norm`, staterror `background_shape`, staterror `photon_veto` (34% below 1 GeV², 5% above) |
/// | `other_background` | ττ(γ) + eeµµ | normfactor `background_norm`, staterror `background_shape` |
///
/// pyhf's staterror width for a name is √(Σ_s u_s²)/Σ_s n_s over the samples carrying it
/// (`pyhf/modifiers/staterror.py`), so a relative size δ of a staterror carried by several
/// samples is given entirely on the first of them as δ·(their summed yield), 0 on the others: the
/// width is then exactly δ relative to their total in every bin.
///
/// Bins whose expectation is zero are floored (signal 1e-9 per fb, background samples 1e-6
/// events) so that every staterror width is defined; the floor changes the likelihood by less
/// than 1e-6.
public struct SearchWindow: Sendable {
  /// One sample of the window: its name, yields per bin (floored), their Monte Carlo variances
  /// (Σw²) and the systematics it carries.
  public struct SampleYields: Sendable, Equatable {
    public let name: String
    public let yields: [Double]
    public let sumw2: [Double]
    public let systematics: [String]
  }

  public let window: WindowBinning.Window
  public let signalPerFb: [Double]
  /// The signal template's Monte Carlo variance per bin (per fb², as `signalPerFb`).
  public let signalSumw2: [Double]
  public let signalSystematics: [String]
  /// The background samples, in the configuration's order.
  public let backgrounds: [SampleYields]
  /// The summed background per bin.
  public let totalBackground: [Double]
  let systematics: [String: Systematic]
  let luminosityUncertainty: Double
  /// The factor on the configured relative systematic sizes (1, or √(L_config / L) for a
  /// projection with scaled systematics).
  public let systematicsScale: Double

  public static let poi = "sigma_fb"
  public static let signalFloor = 1e-9
  public static let backgroundFloor = 1e-6

  public init(detector: DetectorModel, window w: WindowBinning.Window, signal: SignalTemplate, backgrounds spectrum: BackgroundSpectrum,
              systematicsScale: Double = 1) {
    window = w
    self.systematicsScale = systematicsScale
    let config = detector.config
    signalPerFb = signal.perFb.yields.map { max($0, SearchWindow.signalFloor) }
    signalSumw2 = signal.perFb.sumw2
    signalSystematics = config.signal.systematics
    var order: [String] = []
    var sums: [String: [Double]] = [:]
    var variances: [String: [Double]] = [:]
    var carried: [String: [String]] = [:]
    for p in config.backgrounds {
      let h = spectrum.window(w, process: p.name)
      if sums[p.sample] == nil {
        order.append(p.sample)
        sums[p.sample] = [Double](repeating: 0, count: h.yields.count)
        variances[p.sample] = [Double](repeating: 0, count: h.yields.count)
        carried[p.sample] = p.systematics
      }
      sums[p.sample] = zip(sums[p.sample]!, h.yields).map { $0 + $1 }
      variances[p.sample] = zip(variances[p.sample]!, h.sumw2).map { $0 + $1 }
    }
    backgrounds = order.map {
      SampleYields(name: $0, yields: sums[$0]!.map { max($0, SearchWindow.backgroundFloor) }, sumw2: variances[$0]!, systematics: carried[$0]!)
    }
    var total = [Double](repeating: 0, count: w.binCount)
    for s in backgrounds { total = zip(total, s.yields).map { $0 + $1 } }
    totalBackground = total
    systematics = Dictionary(uniqueKeysWithValues: config.systematics.map { ($0.name, $0) })
    luminosityUncertainty = config.luminosity.relativeUncertainty * systematicsScale
  }

  public var binCount: Int { signalPerFb.count }

  /// Every sample of the window: the signal first (its systematics after the POI), then the
  /// backgrounds.
  var samples: [SampleYields] {
    [SampleYields(name: "signal", yields: signalPerFb, sumw2: signalSumw2, systematics: signalSystematics)] + backgrounds
  }

  /// The M² of each bin's centre (the argument of the per-bin systematics).
  var binCentres: [Double] {
    (0..<window.m2BinCount).flatMap { i in
      [Double](repeating: 0.5 * (window.m2Edges[i] + window.m2Edges[i + 1]), count: window.thetaBinCount)
    }
  }

  /// An upper bound for the POI generous enough for any limit: the cross section whose signal
  /// would be 20 standard deviations of the background (plus 100 events) in the window.
  public var poiUpperBound: Double {
    let s = signalPerFb.reduce(0, +)
    let b = totalBackground.reduce(0, +)
    let raw = (20 * b.squareRoot() + 100 + 0.5 * b) / max(s, 1e-12)
    // Round up to two significant figures, so the bound reads well in the JSON.
    let e = pow(10, floor(log10(raw)) - 1)
    return (raw / e).rounded(.up) * e
  }

  /// The modifier of systematic `name` on sample `index` of ``samples``.
  func modifier(_ name: String, sample index: Int, samples all: [SampleYields], centres: [Double]) -> Modifier {
    let s = systematics[name]!
    switch s.modifier {
    case .normfactor: return .normfactor(name)
    case .lumi: return Modifier(name: name, Lumi())
    case .normsys:
      let u = s.size!(window.hypothesis.m2) * systematicsScale
      return .normsys(name, hi: 1 + u, lo: 1 - u)
    case .staterror where s.fromMonteCarlo:
      return .staterror(name, monteCarloUncertainties(sample: index, name: name, samples: all))
    case .staterror:
      let carriers = all.indices.filter { all[$0].systematics.contains(name) }
      guard carriers.first == index else { return .staterror(name, [Double](repeating: 0, count: binCount)) }
      var sum = [Double](repeating: 0, count: binCount)
      for c in carriers { sum = zip(sum, all[c].yields).map { $0 + $1 } }
      return .staterror(name, (0..<binCount).map { sum[$0] * s.size!(centres[$0]) * systematicsScale })
    }
  }

  /// A Monte Carlo staterror's uncertainties on sample `index`: √(Σw²) per bin (pyhf's
  /// staterror combines them over the carriers as √(Σ_s u_s²)/Σ_s n_s). A bin where no carrier
  /// has simulation would have a zero width, which no constraint can have: there the first
  /// carrier gets 10⁻⁶ of the carriers' summed (floored) yield, which changes the likelihood by
  /// less than 10⁻⁶.
  func monteCarloUncertainties(sample index: Int, name: String, samples all: [SampleYields]) -> [Double] {
    let carriers = all.indices.filter { all[$0].systematics.contains(name) }
    return (0..<binCount).map { b in
      let u = all[index].sumw2[b].squareRoot()
      guard carriers.first == index, carriers.allSatisfy({ all[$0].sumw2[b] <= 0 }) else { return u }
      return 1e-6 * carriers.reduce(0) { $0 + all[$1].yields[b] }
    }
  }

  /// The measurement's parameters: the POI, the normfactors (bounds from the configuration) and
  /// the luminosity (Gaussian, width from the configuration), in the order they first appear.
  func parameters(_ all: [SampleYields]) -> [ParameterConfig] {
    var out = [ParameterConfig(name: SearchWindow.poi, inits: [1], bounds: [[0, poiUpperBound]])]
    let used = all.flatMap(\.systematics).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.map { systematics[$0]! }
    for s in used where s.modifier == .normfactor {
      out.append(ParameterConfig(name: s.name, inits: [1], bounds: [[s.bounds!.lowerBound, s.bounds!.upperBound]]))
    }
    let u = luminosityUncertainty
    for s in used where s.modifier == .lumi {
      out.append(ParameterConfig(name: s.name, inits: [1], bounds: [[1 - 10 * u, 1 + 10 * u]], auxdata: [1], sigmas: [u]))
    }
    return out
  }

  /// The pyhf workspace with the given main observations (one per bin).
  public func workspace(observations: [Double]) -> Workspace {
    let all = samples
    let centres = binCentres
    let pyhfSamples = all.enumerated().map { k, s in
      Likelihood.Sample(name: s.name, data: s.yields,
             modifiers: (k == 0 ? [.normfactor(SearchWindow.poi)] : []) + s.systematics.map { modifier($0, sample: k, samples: all, centres: centres) })
    }
    let h = window.hypothesis
    return Workspace(
      channels: [Channel(name: "window", samples: pyhfSamples)],
      observations: [Observation(name: "window", data: observations)],
      measurements: [Measurement(name: String(format: "zprime_m%.4f_gev", h.mass), config: MeasurementConfig(poi: SearchWindow.poi, parameters: parameters(all)))])
  }

  /// Bins reconstructed events (M², cosθ_cm) into the window's bins.
  public func bin(events: [(m2: Double, cosThetaCM: Double)]) -> [Double] {
    var counts = [Double](repeating: 0, count: binCount)
    for e in events {
      if let k = window.bin(m2: e.m2, cosTheta: e.cosThetaCM) { counts[k] += 1 }
    }
    return counts
  }
}
