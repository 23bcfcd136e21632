import ArgumentParser
import Experiment
import Foundation
import Plotting
import Results
import Studies
import _Support

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Draw every plot of a results folder and write its report.html.",
    discussion: """
      Reads the result files of a folder (as `zptoys run` leaves them: grid, scan, brazil, lee, \
      coverage, couplings_*, summary), writes each plot beside them (NAME.svg, and NAME.png when \
      rsvg-convert is installed) and report.html: one self-contained page with the run's \
      configuration, seeds, toy counts and timings, the summary tables (limits at selected masses, \
      global significance, coverage verdicts, g−2 exclusion), every plot inline and links to the \
      data files. Missing files are skipped; unreadable ones are listed in the report.
      The spectrum and θ_cm–M² map need events: --data (and --simulation with --mc-scale) and \
      --map-events take event CSVs from `zptoys generate`; --generate-events draws them with the \
      configuration (background at its luminosity as pseudo-data, 3× that as the stack, 100k µµ(γ) \
      events for the map) without keeping the CSVs, as `zptoys run` does.
      Example:  zptoys report --dir results && xdg-open results/report.html
      """
  )

  @OptionGroup var common: CommonOptions

  @Option(name: .long, help: ArgumentHelp("The results folder.", valueName: "folder"))
  var dir: String = "results"

  @Option(name: .long, help: ArgumentHelp("Spectrum: data points from this event CSV.", valueName: "file"))
  var data: String?

  @Option(name: .long, help: ArgumentHelp("Spectrum: the stacked simulation from this event CSV (with a process column).", valueName: "file"))
  var simulation: String?

  @Option(name: .customLong("mc-scale"), help: "Spectrum: weight of each simulated event.")
  var mcScale: Double = 1

  @Option(name: .customLong("map-events"), help: ArgumentHelp("θ_cm–M² map from this event CSV.", valueName: "file"))
  var mapEvents: String?

  @Flag(name: .customLong("generate-events"), help: "Draw the spectrum's and the map's events with the configuration (not kept).")
  var generateEvents = false

  @Flag(name: .customLong("no-png"), help: "Write SVG only, even when rsvg-convert is installed.")
  var noPNG = false

  func validate() throws {
    guard mcScale.isFinite, mcScale > 0 else { throw ValidationError("--mc-scale must be positive, got \(mcScale)") }
    if generateEvents, data != nil || simulation != nil || mapEvents != nil {
      throw ValidationError("--generate-events draws its own events; drop --data, --simulation and --map-events")
    }
  }

  func run() throws {
    do {
      let config = try common.loadConfiguration()
      let events = try eventInputs(config)
      if events.data == nil, events.simulation == nil, events.map == nil, !common.json {
        FileHandle.standardError.write(Data("note: no spectrum or θ_cm–M² map without events (--generate-events as `zptoys run` does, or --data/--map-events)\n".utf8))
      }
      try Self.render(dir: dir, events: events, png: !noPNG, quiet: common.json)
    } catch let e as PlotError {
      throw CLIError(e.description)
    }
  }

  func eventInputs(_ config: ExperimentConfig) throws -> Report.EventInputs {
    if generateEvents { return Self.generatedEvents(config: config, seed: common.seed) }
    var e = Self.eventLabels(config)
    func events(_ path: String) throws -> EventTable {
      guard case .events(let t) = try PlotInput.load(path: path) else { throw PlotError("\(path): not an event CSV") }
      return t
    }
    e.data = try data.map(events)
    e.simulation = try simulation.map(events)
    e.simulationScale = mcScale
    e.map = try mapEvents.map(events)
    e.dataLabel = "Data"
    return e
  }

  /// The event plots' label and process labels from the configuration.
  static func eventLabels(_ config: ExperimentConfig) -> Report.EventInputs {
    var e = Report.EventInputs()
    e.label = ExperimentLabel(configuration: "Simulation", luminosity: config.luminosity.integrated)
    for p in config.backgrounds { e.processLabels[p.name] = p.label }
    return e
  }

  /// The report's generated events (``ReportEvents``). A failure costs the report these two
  /// plots, not the run: it is reported on stderr and no events are returned.
  static func generatedEvents(config: ExperimentConfig, seed: UInt64) -> Report.EventInputs {
    var e = eventLabels(config)
    do {
      let r = try ReportEvents(config: config, seed: seed)
      func table(_ c: ReportEvents.Columns) -> EventTable { EventTable(m2: c.m2, thetaCM: c.thetaCM, process: c.process) }
      e.data = table(r.data)
      e.simulation = table(r.simulation)
      e.simulationScale = r.simulationScale
      e.map = table(r.map)
      e.dataLabel = "Pseudo-data"
      e.provenance = r.provenance
    } catch {
      FileHandle.standardError.write(Data("warning: no events for the spectrum and the map: \(error)\n".utf8))
    }
    return e
  }

  /// Draws every plot of `dir` beside its files and writes report.html.
  static func render(dir: String, events: Report.EventInputs, png: Bool, quiet: Bool = false) throws {
    let report = try Report(directory: dir, events: events)
    let (written, warnings) = try report.write(png: png)
    guard !quiet else { return }
    FileHandle.standardError.write(Data("wrote \(dir)/report.html and \(report.plots.count) plots (\(written.count) files)\n".utf8))
    for w in warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
  }
}
