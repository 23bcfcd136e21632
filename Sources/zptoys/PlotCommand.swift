import ArgumentParser
import Experiment
import Foundation
import Plotting
import _Support

struct PlotCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plot",
    abstract: "Draw the plot that fits a result file (SVG; PNG by rsvg-convert when installed).",
    discussion: """
      The file's kind picks the plot (--kind chooses when there are several):
        brazil.json            brazil: σ upper limits vs M_Z′ with the ±1σ/±2σ expected bands
        couplings_*.json       couplings: g′ limits vs M_Z′ (log–log), the (g−2)µ band, validity line
        scan.json              significance: local Z vs M_Z′ (--lee L.json adds global 1σ/2σ lines)
        lee.json               lee: histogram of the largest local Z per toy scan with the \
      Gross–Vitells density and the observed value; lee-survival: P(Z_max ≥ Z)
        coverage.json          coverage: coverage vs true σ per mass, Clopper–Pearson 68% bars
        grid.json              grid: step between hypotheses vs M_Z′
        templates .json        window: one search window's M² templates stacked, signal at --sigma-fb
        events .csv            spectrum: M²_recoil stacked by process with data points; map: \
      θ_cm–M² 2D histogram (--process mumu shows the µµ(γ) bands)
      The points of a published likelihood's patches (brazil, scan) are drawn against the first of \
      the patches' values (--patch-value K: the K-th, from 0), or their position in the patchset \
      when the values are not numbers.
      The label reads "ZPrimeToys <configuration>" and ∫L dt as the file records them (event files: \
      "Simulation" and the luminosity of --config or the embedded default); --lumi overrides.
      Output is written atomically: on any error nothing is written.
      Examples:
        zptoys plot results/brazil.json --out brazil.svg --png
        zptoys generate --process background --lumi 79.7 --out bg.csv && zptoys plot bg.csv --out spectrum.svg
        zptoys plot mumu.csv --kind map --process mumu --out map.svg
      """
  )

  @OptionGroup var common: CommonOptions

  @Argument(help: ArgumentHelp("A result file (JSON from brazil, scan, lee, coverage, couplings, grid, templates) or an event CSV.", valueName: "file"))
  var input: String

  @Option(name: .long, help: ArgumentHelp("Output file: .svg, or .png (needs rsvg-convert).", valueName: "file"))
  var out: String

  @Option(name: .long, help: "Plot kind when the file has several: \(PlotKind.allCases.map(\.rawValue).joined(separator: ", ")).")
  var kind: String?

  @Flag(name: .long, help: "Also write a PNG beside the SVG (needs rsvg-convert; Debian package librsvg2-bin).")
  var png = false

  @Option(name: .long, help: "Brazil band: auto (toys when present), toys or asymptotic.")
  var band: String = "auto"

  @Option(name: .long, help: ArgumentHelp("Brazil: a brazil file of the wide-Z′ benchmark (--width-fraction) drawn alongside.", valueName: "file"))
  var wide: String?

  @Option(name: .long, help: ArgumentHelp("Significance: a lee file whose Gross–Vitells estimate gives the global 1σ/2σ lines.", valueName: "file"))
  var lee: String?

  @Option(name: .long, help: ArgumentHelp("Spectrum: data points from this event CSV (the input is then the simulation).", valueName: "file"))
  var data: String?

  @Option(name: .customLong("mc-scale"), help: "Spectrum: weight of each simulated event (e.g. 0.1 for a sample at 10× the luminosity).")
  var mcScale: Double = 1

  @Option(name: .long, help: "Map: only events of this process (a name of the file's process column, e.g. mumu).")
  var process: String?

  @Option(name: .customLong("bin-width"), help: "Spectrum: bin width in GeV² (the paper's 0.5).")
  var binWidth: Double = 0.5

  @Option(name: .customLong("sigma-fb"), help: "Window templates: the signal cross section drawn, in fb.")
  var sigmaFb: Double = 1

  @Option(name: .long, help: "Integrated luminosity for the label, in fb⁻¹ (default: as the file records it).")
  var lumi: Double?

  @Option(name: .customLong("patch-value"), help: "A published likelihood's patches: which of their values is the x axis (0-based; default: the first when it is a number for every patch, else the patch's position).")
  var patchValue: Int?

  func validate() throws {
    if let k = kind, PlotKind(rawValue: k) == nil {
      throw ValidationError("unknown --kind \"\(k)\"; choose one of \(PlotKind.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    guard PlotOptions.BandSource(rawValue: band) != nil else { throw ValidationError("--band must be auto, toys or asymptotic, got \"\(band)\"") }
    guard mcScale.isFinite, mcScale > 0 else { throw ValidationError("--mc-scale must be positive, got \(mcScale)") }
    guard binWidth.isFinite, binWidth > 0 else { throw ValidationError("--bin-width must be positive, got \(binWidth)") }
    guard sigmaFb.isFinite, sigmaFb >= 0 else { throw ValidationError("--sigma-fb must be ≥ 0, got \(sigmaFb)") }
    if let l = lumi { guard l.isFinite, l > 0 else { throw ValidationError("--lumi must be positive, got \(l)") } }
    let lower = out.lowercased()
    guard lower.hasSuffix(".svg") || lower.hasSuffix(".png") else { throw ValidationError("--out must end in .svg or .png, got \(out)") }
    if png, !lower.hasSuffix(".svg") { throw ValidationError("--png writes a PNG beside an .svg output; --out is not .svg") }
  }

  func run() throws {
    do {
      let content = try PlotInput.load(path: input)
      var options = PlotOptions()
      options.band = PlotOptions.BandSource(rawValue: band)!
      options.mcScale = mcScale
      options.process = process
      options.binWidth = binWidth
      options.signalFb = sigmaFb
      options.patchValue = patchValue
      options.id = ((out as NSString).lastPathComponent as NSString).deletingPathExtension
      options.label = try Self.label(for: content, common: common)
      if case .events = content {
        for p in try common.loadConfiguration().backgrounds { options.processLabels[p.name] = p.label }
      }
      if let l = lumi { options.label.luminosity = l }
      if let w = wide {
        guard case .brazil(let b) = try PlotInput.load(path: w) else { throw PlotError("--wide \(w): not a brazil result file") }
        options.wide = b
      }
      if let l = lee {
        guard case .lee(let x) = try PlotInput.load(path: l) else { throw PlotError("--lee \(l): not a lee result file") }
        options.lee = x
      }
      if let d = data {
        guard case .events(let e) = try PlotInput.load(path: d) else { throw PlotError("--data \(d): not an event CSV") }
        options.data = e
      }
      let figure = try Plotter.figure(content, kind: kind.flatMap(PlotKind.init(rawValue:)), options: options)
      if png, Plotter.rsvgConvert == nil {
        throw PlotError("--png needs rsvg-convert (Debian: apt-get install librsvg2-bin); nothing was written")
      }
      try Plotter.write(figure, to: out, id: options.id)
      var written = [out]
      if png {
        let p = (out as NSString).deletingPathExtension + ".png"
        try Plotter.write(figure, to: p, id: options.id)
        written.append(p)
      }
      if common.json {
        struct Result: Encodable { let input: String; let kind: String; let files: [String] }
        let k = kind ?? PlotKind.kinds(for: content.kind).first!.rawValue
        print(try JSONOutput.string(Result(input: input, kind: k, files: written)))
      } else {
        FileHandle.standardError.write(Data("wrote \(written.joined(separator: ", "))\n".utf8))
      }
    } catch let e as PlotError {
      throw CLIError(e.description)
    }
  }

  /// The experiment label of a file: its configuration's name and integrated luminosity (every
  /// result file records both); event files, which carry no metadata, are labelled "Simulation"
  /// with the luminosity of the configuration these options load.
  static func label(for content: PlotInput.Content, common: CommonOptions) throws -> ExperimentLabel {
    if let r = content.result { return ExperimentLabel(configuration: r.configuration, luminosity: r.lumiFb) }
    return ExperimentLabel(configuration: "Simulation", luminosity: try common.loadConfiguration().luminosity.integrated)
  }
}
