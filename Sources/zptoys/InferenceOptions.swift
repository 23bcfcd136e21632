import Foundation
import ArgumentParser
import Inference
import Likelihood
import Results

/// Options of the statistical procedure, shared by hypotest, limit and the studies.
struct InferenceOptions: ParsableArguments {
  @Option(help: "asymptotic (arXiv:1007.1727 formulae) or toys (pseudo-experiments; for limits: a toy Neyman belt). Default: asymptotic (limit --mass: toys).")
  var calculator: String?

  @Option(help: "Pseudo-experiments per hypothesis for --calculator toys (each of s+b and b-only).")
  var toys: Int = 1000

  @Option(name: .customLong("toy-nuisances"), help: "Generate toys at the nuisance parameters' conditional MLE on the data (profiled, LHC/pyhf) or at their nominal values (nominal).")
  var toyNuisances: String = "profiled"

  @Option(name: .customLong("test-stat"), help: "q0, q, qtilde, t or ttilde (default: qtilde; ttilde for --rule fc).")
  var testStat: String?

  func validate() throws {
    if let c = calculator, !["asymptotic", "toys"].contains(c) {
      throw ValidationError("--calculator must be asymptotic or toys, got \"\(c)\"")
    }
    guard (1...10_000_000).contains(toys) else { throw ValidationError("--toys must be between 1 and 10,000,000, got \(toys)") }
    guard ToySettings.Nuisances(rawValue: toyNuisances) != nil else {
      throw ValidationError("--toy-nuisances must be profiled or nominal, got \"\(toyNuisances)\"")
    }
    if let t = testStat, TestStatistic(rawValue: t) == nil {
      throw ValidationError("--test-stat must be one of q0, q, qtilde, t, ttilde; got \"\(t)\"")
    }
  }

  func statistic(default d: TestStatistic) -> TestStatistic { testStat.flatMap(TestStatistic.init(rawValue:)) ?? d }

  /// The calculator asked for, or `d`.
  func calculator(default d: String) -> String { calculator ?? d }
  var nuisances: ToySettings.Nuisances { ToySettings.Nuisances(rawValue: toyNuisances)! }

  /// The calculator the options ask for; warns on stderr (as pyhf does) when a tilde statistic
  /// meets a POI whose lower bound is not 0.
  func makeCalculator(model: Model, data: [Double], statistic: TestStatistic, seed: UInt64, threads: Int, massIndex: Int = 0) throws -> any HypoTestCalculator {
    if let poi = model.poiIndex, let warning = tildeBoundWarning(model: model, poiIndex: poi, statistic) {
      FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
    }
    if calculator(default: "asymptotic") == "toys" {
      let s = ToySettings(toys: toys, seed: seed, study: .hypotestToys, massIndex: massIndex, threads: threads, nuisances: nuisances)
      return try ToyCalculator(model: model, data: data, testStatistic: statistic, settings: s)
    }
    return try AsymptoticCalculator(model: model, data: data, testStatistic: statistic)
  }
}

/// --rule and --cl.
struct LimitOptions: ParsableArguments {
  @Option(help: "fc (Feldman–Cousins-style interval from t̃µ, the paper's; the default of the studies and limit --mass), cls (CLs = 1 − CL; the default of limit on a workspace and of project) or clsb (CLs+b = 1 − CL).")
  var rule: String?

  @Option(help: "Confidence level.")
  var cl: Double = 0.9

  func validate() throws {
    if let r = rule, LimitRule(rawValue: r) == nil { throw ValidationError("--rule must be cls, clsb or fc, got \"\(r)\"") }
    guard cl.isFinite, cl > 0, cl < 1 else { throw ValidationError("--cl must be in (0, 1), got \(cl)") }
  }

  /// The rule asked for, fc (the paper's) by default.
  var limitRule: LimitRule { limitRule(default: .fc) }
  func limitRule(default d: LimitRule) -> LimitRule { rule.flatMap(LimitRule.init(rawValue:)) ?? d }
}

/// How limits are computed in the studies: the calculator and the toy Neyman belt's size.
struct MethodOptions: ParsableArguments {
  @Option(help: "toys (a toy Neyman belt per hypothesis: every limit exact, the paper's method) or asymptotic (arXiv:1007.1727 formulae, fast).")
  var calculator: String = "toys"

  @Option(name: .customLong("belt-toys"), help: "With --calculator toys: pseudo-experiments per µ point of each belt.")
  var beltToys: Int = 2000

  @Option(name: .customLong("toy-nuisances"), help: "Generate belt and band toys at the nuisance parameters' conditional MLE on the data (profiled, LHC/pyhf) or at their nominal values (nominal).")
  var toyNuisances: String = "profiled"

  func validate() throws {
    guard ["asymptotic", "toys"].contains(calculator) else { throw ValidationError("--calculator must be asymptotic or toys, got \"\(calculator)\"") }
    guard (10...10_000_000).contains(beltToys) else { throw ValidationError("--belt-toys must be between 10 and 10,000,000, got \(beltToys)") }
    guard ToySettings.Nuisances(rawValue: toyNuisances) != nil else {
      throw ValidationError("--toy-nuisances must be profiled or nominal, got \"\(toyNuisances)\"")
    }
  }

  var method: LimitMethod { calculator == "toys" ? .toys : .asymptotic }
  var nuisances: ToySettings.Nuisances { ToySettings.Nuisances(rawValue: toyNuisances)! }
}
