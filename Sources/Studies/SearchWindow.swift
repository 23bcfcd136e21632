import Experiment
import Foundation
import Generator
import Likelihood

/// The likelihood of one search window as a pyhf workspace (the paper's fit, DESIGN.md).
///
/// One channel `window` with the window's bins (M²-major: bin = i·nθ + j), and samples:
///
/// | sample | data | modifiers |
/// |---|---|---|
/// | `signal` | expected events per fb: L·ε·acceptance·template | normfactor `sigma_fb` (the POI: the cross section in fb), staterror `signal_shape` (10% per bin), normsys `signal_efficiency` (by M² range), lumi |
/// | `mumu` | µµ(γ) | normfactor `background_norm`, staterror `background_shape`, staterror `photon_veto` (34% below 1 GeV², 5% above, per bin) |
/// | `other_background` | ττ(γ) + eeµµ | normfactor `background_norm`, staterror `background_shape` |
///
/// The background sample is split only so that the photon-veto uncertainty can act on µµ(γ)
/// alone; both parts share the free normalisation and the per-bin background-shape nuisance.
/// pyhf's staterror width for a name is √(Σ_s u_s²)/Σ_s n_s over the samples carrying it
/// (`pyhf/modifiers/staterror.py`), so the per-bin shape uncertainty δ·(total background) is
/// given entirely on the `mumu` sample's `background_shape` data (0 on the other): the width is
/// then exactly δ relative to the total background in every bin.
///
/// Bins whose expectation is zero are floored (signal 1e-9 per fb, backgrounds 1e-6 events) so
/// that every staterror width is defined; the floor changes the likelihood by less than 1e-6.
public struct SearchWindow: Sendable {
  public let window: WindowBinning.Window
  public let signalPerFb: [Double]
  public let mumu: [Double]
  public let otherBackground: [Double]
  public let signalEfficiencyUncertainty: Double
  public let backgroundShape: [Double]
  public let photonVeto: [Double]
  public let signalShape: Double
  public let luminosityUncertainty: Double

  public static let poi = "sigma_fb"
  public static let signalFloor = 1e-9
  public static let backgroundFloor = 1e-6

  public init(detector: DetectorModel, window w: WindowBinning.Window, signal: SignalTemplate, backgrounds: BackgroundSpectrum) {
    window = w
    let syst = detector.config.systematics
    signalPerFb = signal.perFb.yields.map { max($0, SearchWindow.signalFloor) }
    mumu = backgrounds.window(w, process: .mumu).yields.map { max($0, SearchWindow.backgroundFloor) }
    let tau = backgrounds.window(w, process: .tautau).yields
    let ee = backgrounds.window(w, process: .eemumu).yields
    otherBackground = zip(tau, ee).map { max($0 + $1, SearchWindow.backgroundFloor) }
    signalEfficiencyUncertainty = syst.signalEfficiency(m2: w.hypothesis.m2)
    let nt = w.thetaBinCount
    var shape: [Double] = []
    var veto: [Double] = []
    for i in 0..<w.m2BinCount {
      let centre = 0.5 * (w.m2Edges[i] + w.m2Edges[i + 1])
      for _ in 0..<nt {
        shape.append(syst.backgroundShape(m2: centre))
        veto.append(syst.photonVeto(m2: centre))
      }
    }
    backgroundShape = shape
    photonVeto = veto
    signalShape = syst.signalShape
    luminosityUncertainty = syst.luminosity
  }

  public var binCount: Int { signalPerFb.count }
  public var totalBackground: [Double] { zip(mumu, otherBackground).map { $0 + $1 } }

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

  /// The pyhf workspace with the given main observations (one per bin).
  public func workspace(observations: [Double]) -> Workspace {
    let total = totalBackground
    let signal = Sample(name: "signal", data: signalPerFb, modifiers: [
      .normfactor(SearchWindow.poi),
      .staterror("signal_shape", signalPerFb.map { $0 * signalShape }),
      .normsys("signal_efficiency", hi: 1 + signalEfficiencyUncertainty, lo: 1 - signalEfficiencyUncertainty),
      .lumi,
    ])
    let mumuSample = Sample(name: "mumu", data: mumu, modifiers: [
      .normfactor("background_norm"),
      .staterror("background_shape", zip(total, backgroundShape).map { $0 * $1 }),
      .staterror("photon_veto", zip(mumu, photonVeto).map { $0 * $1 }),
    ])
    let other = Sample(name: "other_background", data: otherBackground, modifiers: [
      .normfactor("background_norm"),
      .staterror("background_shape", [Double](repeating: 0, count: binCount)),
    ])
    let config = MeasurementConfig(poi: SearchWindow.poi, parameters: [
      ParameterConfig(name: SearchWindow.poi, inits: [1], bounds: [[0, poiUpperBound]]),
      ParameterConfig(name: "background_norm", inits: [1], bounds: [[0, 10]]),
      ParameterConfig(name: "lumi", inits: [1], bounds: [[1 - 10 * luminosityUncertainty, 1 + 10 * luminosityUncertainty]],
                      auxdata: [1], sigmas: [luminosityUncertainty]),
    ])
    let h = window.hypothesis
    return Workspace(
      channels: [Channel(name: "window", samples: [signal, mumuSample, other])],
      observations: [Observation(name: "window", data: observations)],
      measurements: [Measurement(name: String(format: "zprime_m%.4f_gev", h.mass), config: config)])
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
