import ArgumentParser
import Foundation
import Likelihood
import _Support
import _TestSupport

/// `zptoys fit W.json [--fix NAME=VALUE ...]`: maximum-likelihood fit of a pyhf workspace.
struct FitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fit",
    abstract: "Maximum-likelihood fit of a pyhf JSON workspace (agrees with pyhf's twice_nll).",
    discussion: """
      Prints the best-fit parameters, −2 ln L (pyhf's twice_nll, all constants kept) and the \
      uncertainties from the inverse Hessian; `fixed` lists every parameter held fixed (by --fix \
      and by the measurement). A fit that cannot start (a negative expected yield, observed \
      events where nothing is expected) or that does not converge is an error. Parameters are named \
      as pyhf names them: a per-bin modifier X over n bins gives X[0] … X[n−1]. \
      --fix holds parameters at given values (e.g. --fix mu=0 for the background-only fit). \
      --eval evaluates the likelihood and the expected data at given parameter values instead \
      of fitting (unnamed parameters at their initial values). --write-reference FILE writes \
      the reference search window (100 bins, 202 parameters) used by the benchmarks.
      """
  )

  @OptionGroup var common: CommonOptions

  @Argument(help: ArgumentHelp("The pyhf workspace (JSON).", valueName: "workspace"))
  var workspace: String?

  @Option(name: .long, help: ArgumentHelp("Hold a parameter at a value (repeatable).", valueName: "name=value"))
  var fix: [String] = []

  @Option(name: .long, help: "Measurement to use (default: the first).")
  var measurement: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Evaluate −2 ln L and the expected data at NAME=V,NAME=V,... instead of fitting (use \"init\" for the initial values).",
      valueName: "assignments"))
  var eval: String?

  @Option(name: .long, help: ArgumentHelp("Write the reference window workspace to this file and exit.", valueName: "file"))
  var writeReference: String?

  @Option(name: .long, help: ArgumentHelp("With --write-reference: observations from a Poisson toy with this seed (µ = 0) instead of the rounded background.", valueName: "seed"))
  var referenceToySeed: UInt64?

  func validate() throws {
    if writeReference == nil && workspace == nil {
      throw ValidationError("missing the workspace file (or --write-reference FILE)")
    }
    for f in fix { _ = try Self.assignment(f, option: "--fix") }
    if let eval, eval != "init" {
      for a in eval.split(separator: ",") { _ = try Self.assignment(String(a), option: "--eval") }
    }
  }

  static func assignment(_ text: String, option: String) throws -> (String, Double) {
    guard let eq = text.lastIndex(of: "=") else {
      throw ValidationError("\(option) expects NAME=VALUE, got \"\(text)\"")
    }
    let name = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
    let valueText = String(text[text.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
    guard !name.isEmpty, let value = Double(valueText), value.isFinite else {
      throw ValidationError("\(option) expects NAME=VALUE with a finite number, got \"\(text)\"")
    }
    return (name, value)
  }

  func run() throws {
    if let path = writeReference {
      let obs: ReferenceWindow.Observations = referenceToySeed.map { .toy(seed: $0, mu: 0) } ?? .backgroundRounded
      let ws = ReferenceWindow.workspace(observations: obs)
      try AtomicFile.write(try ws.encoded(), to: path)
      if common.json {
        print(try JSONOutput.string(["written": path]))
      } else {
        print("wrote the reference window (100 bins, 202 parameters) to \(path)")
      }
      if workspace == nil { return }
    }
    guard let path = workspace else { return }
    let model: Model
    let ws: Workspace
    do {
      ws = try Workspace.load(path: path)
      model = try Model(workspace: ws, measurement: measurement)
    } catch let e as WorkspaceError {
      var e = e
      if e.file == nil { e.file = path }
      throw CLIError(e.description)
    }
    func index(_ name: String, _ option: String) throws -> Int {
      guard let i = model.parameterIndex(named: name) else {
        let some = model.parameterNames.prefix(12).joined(separator: ", ")
        throw CLIError("\(option): the model has no parameter \"\(name)\" (parameters: \(some)\(model.parameterCount > 12 ? ", ..." : ""))")
      }
      return i
    }
    var fixed: [Int: Double] = [:]
    for f in fix {
      let (name, value) = try Self.assignment(f, option: "--fix")
      fixed[try index(name, "--fix")] = value
    }
    let data = model.observedData

    if let eval {
      var pars = model.initialValues
      for (i, v) in fixed { pars[i] = v }
      if eval != "init" {
        for a in eval.split(separator: ",") {
          let (name, value) = try Self.assignment(String(a), option: "--eval")
          pars[try index(name, "--eval")] = value
        }
      }
      let twiceNLL = model.twiceNLL(pars, data: data)
      let expected = model.expectedData(pars)
      if common.json {
        let out = EvalOutput(
          parameters: Dictionary(uniqueKeysWithValues: zip(model.parameterNames, pars)),
          parameter_order: model.parameterNames, twice_nll: finite(twiceNLL), logpdf: finite(-0.5 * twiceNLL),
          expected_data: expected.map(finite), data: data)
        print(try JSONOutput.string(out))
      } else {
        print("−2 ln L = \(fmt(twiceNLL)) at")
        for (name, v) in zip(model.parameterNames, pars) { print("  \(name) = \(fmt(v))") }
      }
      return
    }

    var start = model.initialValues
    for (i, v) in fixed { start[i] = v }
    do {
      try FitChecks.checkStart(model: model, workspace: ws, start: start, data: data)
    } catch let e as CLIError {
      throw CLIError("\(path): \(e.description)")
    }
    let fitter = Fitter(model: model)
    let result = fitter.fit(data: data, fixed: fixed)
    do {
      try FitChecks.checkResult(result, fixed: fixed, model: model)
    } catch let e as CLIError {
      throw CLIError("\(path): \(e.description)")
    }
    // Every parameter held fixed: by --fix, and by the measurement (pyhf's suggested_fixed).
    var held = fixed
    for (i, isFixed) in model.fixedByDefault.enumerated() where isFixed && held[i] == nil { held[i] = result.parameters[i] }
    if common.json {
      let out = FitOutput(
        bestfit: Dictionary(uniqueKeysWithValues: zip(model.parameterNames, result.parameters)),
        uncertainties: Dictionary(uniqueKeysWithValues: zip(model.parameterNames, result.uncertainties.map(finite))),
        parameter_order: model.parameterNames, poi: model.poiName, twice_nll: finite(result.twiceNLL),
        converged: result.converged, iterations: result.iterations, method: result.method,
        newton_decrement: finite(result.newtonDecrement),
        fixed: Dictionary(uniqueKeysWithValues: held.map { (model.parameterNames[$0.key], $0.value) }))
      print(try JSONOutput.string(out))
    } else {
      let width = min(40, model.parameterNames.map(\.count).max() ?? 10)
      print("\(path): \(model.parameterCount) parameters, \(model.mainBinCount) bins, POI \(model.poiName ?? "none")")
      print("−2 ln L = \(fmt(result.twiceNLL))   converged (\(result.iterations) iterations, \(result.method))")
      for (i, name) in model.parameterNames.enumerated() {
        let isFixed = held[i] != nil
        let u = result.uncertainties[i]
        let unc = isFixed ? "fixed" : (u.isFinite ? "± " + fmt(u) : "± n/a")
        print("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + fmt(result.parameters[i]) + "  " + unc)
      }
    }
  }

  struct FitOutput: Encodable {
    let bestfit: [String: Double]
    let uncertainties: [String: Double?]
    let parameter_order: [String]
    let poi: String?
    let twice_nll: Double?
    let converged: Bool
    let iterations: Int
    let method: String
    let newton_decrement: Double?
    let fixed: [String: Double]

    enum CodingKeys: String, CodingKey {
      case bestfit, uncertainties, parameter_order, poi, twice_nll, converged, iterations, method, newton_decrement, fixed
    }

    // Explicit nulls (a non-finite −2 ln L is null, not a missing key).
    func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(bestfit, forKey: .bestfit)
      try c.encode(uncertainties, forKey: .uncertainties)
      try c.encode(parameter_order, forKey: .parameter_order)
      try c.encode(poi, forKey: .poi)
      try c.encode(twice_nll, forKey: .twice_nll)
      try c.encode(converged, forKey: .converged)
      try c.encode(iterations, forKey: .iterations)
      try c.encode(method, forKey: .method)
      try c.encode(newton_decrement, forKey: .newton_decrement)
      try c.encode(fixed, forKey: .fixed)
    }
  }

  struct EvalOutput: Encodable {
    let parameters: [String: Double]
    let parameter_order: [String]
    let twice_nll: Double?
    let logpdf: Double?
    let expected_data: [Double?]
    let data: [Double]

    enum CodingKeys: String, CodingKey { case parameters, parameter_order, twice_nll, logpdf, expected_data, data }

    func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(parameters, forKey: .parameters)
      try c.encode(parameter_order, forKey: .parameter_order)
      try c.encode(twice_nll, forKey: .twice_nll)
      try c.encode(logpdf, forKey: .logpdf)
      try c.encode(expected_data, forKey: .expected_data)
      try c.encode(data, forKey: .data)
    }
  }
}

private func finite(_ v: Double) -> Double? { v.isFinite ? v : nil }

private func fmt(_ v: Double) -> String { String(format: "%.10g", v) }
