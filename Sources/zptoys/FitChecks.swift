import Foundation
import Likelihood

/// Checks that a fit can start, and that it ended at a minimum: a fit that cannot be evaluated
/// or that fails is an error (a non-zero exit), never a table of numbers with exit 0. pyhf
/// raises `FailedMinimization` in both cases.
enum FitChecks {
  /// The model of the workspace at `path`, checked to be evaluable at its initial parameters on
  /// its observations (``checkStart(model:workspace:start:data:)``).
  static func loadEvaluable(_ path: String, measurement: String?) throws -> Model {
    let model = try loadModel(path, measurement: measurement)
    let ws = try Workspace.load(path: path)
    do {
      try checkStart(model: model, workspace: ws, start: model.initialValues, data: model.observedData)
    } catch let e as CLIError {
      throw CLIError("\(path): \(e.description)")
    }
    return model
  }

  /// Throws when −2 ln L cannot be evaluated at the start of the fit `start`: a bin with a
  /// negative or non-finite expected yield, or observed events where nothing is expected. The
  /// message names the channel, the bin and the sample behind it.
  static func checkStart(model: Model, workspace: Workspace, start: [Double], data: [Double]) throws {
    if model.twiceNLL(start, data: data).isFinite { return }
    let expected = model.expectedMainData(start)
    var problems: [String] = []
    for (c, name) in model.channelNames.enumerated() {
      let channel = workspace.channels.first { $0.name == name }
      for (k, b) in model.channelBins[c].enumerated() {
        let nu = expected[b], n = data[b]
        guard !(nu.isFinite && nu > 0) && !(nu.isFinite && n == 0) else { continue }
        let what = nu.isFinite && nu < 0 ? "a negative expected yield \(nu)" :
          nu.isFinite ? "\(fmt(n)) observed events but no expected events" : "a non-finite expected yield \(nu)"
        problems.append("channel \"\(name)\", bin \(k): \(what) at the start of the fit\(culprit(channel, bin: k))")
      }
    }
    if problems.isEmpty {
      problems.append("a constraint term is not finite at the initial parameter values (check inits, auxdata, sigmas)")
    }
    let more = problems.count > 5 ? " (and \(problems.count - 5) more bins)" : ""
    throw CLIError(
      "the likelihood cannot be evaluated, so the fit cannot start: " + problems.prefix(5).joined(separator: "; ") + more)
  }

  /// The samples that make a bin's yield negative: negative nominal yields, or histosys templates
  /// that are negative in the bin.
  private static func culprit(_ channel: Channel?, bin k: Int) -> String {
    guard let channel else { return "" }
    var names: [String] = []
    for s in channel.samples where k < s.data.count {
      if s.data[k] < 0 {
        names.append("sample \"\(s.name)\" has the nominal yield \(fmt(s.data[k]))")
        continue
      }
      for m in s.modifiers {
        if let h = m.definition as? Histosys, k < h.hiData.count, min(h.hiData[k], h.loData[k]) < 0 {
          let hi = h.hiData, lo = h.loData
          names.append("sample \"\(s.name)\", histosys \"\(m.name)\" has a negative template (\(fmt(hi[k])), \(fmt(lo[k])))")
        }
      }
    }
    return names.isEmpty ? "" : " (" + names.joined(separator: "; ") + ")"
  }

  /// Throws when the fit did not end at a finite, converged minimum, saying what was tried.
  static func checkResult(_ r: FitResult, fixed: [Int: Double], model: Model) throws {
    if r.twiceNLL.isFinite && r.converged { return }
    let held = fixed.keys.sorted().map { "\(model.parameterNames[$0])=\(fmt(fixed[$0]!))" }
    let tried = "\(r.iterations) Newton iterations on \(model.parameterCount) parameters" +
      (held.isEmpty ? "" : " with \(held.joined(separator: ", ")) held fixed") +
      ", ending with the \(r.method) method at −2 ln L = \(fmt(r.twiceNLL)) and Newton decrement \(fmt(r.newtonDecrement))"
    throw CLIError("the fit failed: it did not converge to a minimum (\(tried))")
  }

  private static func fmt(_ v: Double) -> String { String(format: "%.6g", v) }
}
