import Foundation
import Results

/// Everything a plot may take besides its result file.
public struct PlotOptions: Sendable {
  /// Which expected band the Brazil plot shows.
  public enum BandSource: String, Sendable, CaseIterable {
    /// Toys when the file has them, else asymptotic.
    case auto
    case toys
    case asymptotic
  }

  /// The experiment label (its configuration is taken from the file when nil here).
  public var label = ExperimentLabel()
  public var band: BandSource = .auto
  /// A Brazil file of the wide-Z′ benchmark (Γ = F·M) drawn alongside the Brazil band.
  public var wide: BrazilFile?
  /// A look-elsewhere file: the significance plot then shows global-significance lines.
  public var lee: LookElsewhereFile?
  /// Data points for the spectrum (when the main event file is the simulation).
  public var data: EventTable?
  /// The legend entry of the spectrum's data points (default: "Data" with `data`, else
  /// "Pseudo-data (this file)").
  public var dataLabel: String?
  /// Weight of every simulated event in the spectrum's stack (e.g. 1/3 for a sample generated at
  /// three times the data's luminosity).
  public var mcScale: Double = 1
  /// Only events of this process in the θ_cm–M² map (e.g. mumu for the µµ(γ) bands).
  public var process: String?
  /// How process names read in legends (the configuration's labels, with the plots' markup);
  /// a process without one is shown by its name.
  public var processLabels: [String: String] = ["signal": "Z′ signal"]
  /// The signal cross section drawn on the window templates, in fb.
  public var signalFb: Double = 1
  /// Bin width of the spectrum in GeV² (the paper's 0.5).
  public var binWidth: Double = 0.5
  /// The element-id prefix of the SVG (unique per figure when several are inlined in one page).
  public var id: String = "fig"
  /// A small note under the figure (e.g. the input file's name).
  public var footnote: String?
  /// Which of a patch's values is the x axis of a published likelihood's plots (0-based); nil:
  /// the first when every patch has a number there, else the patch's position.
  public var patchValue: Int?
  /// The Lµ−Lτ model of a projection's g′ plots: "invisible" (default) or "vanilla".
  public var projectionModel = "invisible"

  public init() {}

  /// The legend label of process `name`.
  public func label(process name: String) -> String { processLabels[name] ?? name }
}
