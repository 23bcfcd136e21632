// Fit timing and instruction counts of the Likelihood module alone, outside SwiftPM (see
// fitbench.sh): compiled together with Sources/Likelihood/*.swift, so no other module is built.
//
//   fitbench time  W.json... [--reps N]          median µs per free / conditional / warm fit
//   fitbench count W.json --kind free|cond|warm [--fits N]
//                                                 N fits of one kind (for valgrind --tool=callgrind)
import Foundation

func load(_ path: String) -> Workspace {
  let data = try! Data(contentsOf: URL(fileURLWithPath: path))
  return try! JSONDecoder().decode(Workspace.self, from: data)
}

var args = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
  guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
  let v = args[i + 1]
  args.removeSubrange(i...(i + 1))
  return v
}
let mode = args.removeFirst()
let reps = Int(option("--reps") ?? "2000")!
let fits = Int(option("--fits") ?? "1000")!
let kind = option("--kind") ?? "free"
let poiValue = Double(option("--poi") ?? "1")!

switch mode {
case "time":
  for path in args {
    let ws = path == "reference" ? ReferenceWindow.workspace() : load(path)
    let t = FitBenchmark.run(workspace: ws, repetitions: reps, conditionalPOI: poiValue)
    let name = (path as NSString).lastPathComponent
    print(String(format: "%-28@ free %8.2f µs  cond %8.2f µs  warm %8.2f µs  converged %d/%d", name,
                 t.medianFree * 1e6, t.medianConditional * 1e6, t.medianWarmConditional * 1e6, t.converged, 3 * reps))
  }
case "count":
  let path = args[0]
  let ws = path == "reference" ? ReferenceWindow.workspace() : load(path)
  let model = try! Model(workspace: ws)
  let fitter = Fitter(model: model, options: FitOptions(computeUncertainties: false))
  let toys = FitBenchmark.toyData(model: model, count: 64, seed: 20_240_611)
  let poi = model.poiIndex!
  var starts = toys.map { d -> [Double] in
    var s = fitter.fit(data: d).parameters
    s[poi] = poiValue
    return s
  }
  if kind != "warm" { starts = [] }
  let trace = ProcessInfo.processInfo.environment["TRACE"] != nil
  var iters = 0, conv = 0
  let passes0 = fitter.profilePasses
  for i in 0..<fits {
    let d = toys[i % toys.count]
    let r: FitResult
    switch kind {
    case "free": r = fitter.fit(data: d)
    case "cond": r = fitter.fit(data: d, fixed: [poi: poiValue])
    default: r = fitter.fit(data: d, fixed: [poi: poiValue], initial: starts[i % starts.count])
    }
    iters += r.iterations
    if r.converged { conv += 1 }
    if trace {
      print(i, r.iterations, r.method, r.twiceNLL, r.parameters[poi], r.newtonDecrement)
    }
  }
  print("\(fits) \(kind) fits, \(conv) converged, \(Double(iters) / Double(fits)) iterations per fit, \(Double(fitter.profilePasses - passes0) / Double(fits)) passes per fit")
case "compare":
  // Fast path against the general path on toys: free, conditional (several µ) and warm fits.
  for path in args {
    let model = try! Model(workspace: path == "reference" ? ReferenceWindow.workspace() : load(path))
    let fast = Fitter(model: model, options: FitOptions(computeUncertainties: false))
    let general = Fitter(model: model, options: FitOptions(computeUncertainties: false))
    general.fastPath = false
    let toys = FitBenchmark.toyData(model: model, count: fits, seed: 7) + [model.observedData]
    let poi = model.poiIndex!
    var worstF = 0.0, worstX = 0.0, failures = 0, n = 0
    func check(_ a: FitResult, _ b: FitResult) {
      n += 1
      if !(a.converged && b.converged) { failures += 1; print("  not converged: fast \(a.converged) \(a.method), general \(b.converged) \(b.method)"); return }
      worstF = max(worstF, abs(a.twiceNLL - b.twiceNLL))
      for (x, y) in zip(a.parameters, b.parameters) { worstX = max(worstX, abs(x - y)) }
    }
    for d in toys {
      let a = fast.fit(data: d), b = general.fit(data: d)
      check(a, b)
      for mu in [0.0, 0.5, 2.0, 10.0] {
        check(fast.fit(data: d, fixed: [poi: mu]), general.fit(data: d, fixed: [poi: mu]))
        var s = a.parameters
        s[poi] = mu
        check(fast.fit(data: d, fixed: [poi: mu], initial: s), general.fit(data: d, fixed: [poi: mu], initial: s))
      }
    }
    print("\((path as NSString).lastPathComponent): \(n) fit pairs, max |ΔF| \(worstF), max |Δθ| \(worstX), failures \(failures)")
  }
case "robust":
  // Starts where ν = 0 in bins with data: background_norm = 0 with the POI fixed at 0 or free.
  for path in args {
    let model = try! Model(workspace: load(path))
    let fitter = Fitter(model: model, options: FitOptions(computeUncertainties: false))
    let poi = model.poiIndex!
    let bn = model.parameterIndex(named: "background_norm")!
    var bad = 0
    for d in FitBenchmark.toyData(model: model, count: fits, seed: 11) {
      for fixed in [[poi: 0.0], [poi: 1.0], [:]] as [[Int: Double]] {
        let ref = fitter.fit(data: d, fixed: fixed)
        var start = model.initialValues
        start[bn] = 0
        start[poi] = fixed[poi] ?? 0
        let r = fitter.fit(data: d, fixed: fixed, initial: start)
        if !(r.converged && abs(r.twiceNLL - ref.twiceNLL) < 1e-9) {
          bad += 1
          print("  \(fixed): converged \(r.converged) \(r.method) ΔF \(r.twiceNLL - ref.twiceNLL)")
        }
      }
    }
    print("\((path as NSString).lastPathComponent): \(3 * fits) fits from ν = 0, \(bad) failures")
  }
case "pass":
  // Instruction counts of single passes over the bins at a converged free fit: `--kind schur`
  // (profile + Schur complement, as every Newton step) or `--kind profile` (locals only).
  let model = try! Model(workspace: load(args[0]))
  let fitter = Fitter(model: model, options: FitOptions(computeUncertainties: false))
  let toys = FitBenchmark.toyData(model: model, count: 64, seed: 20_240_611)
  _ = fitter.fit(data: toys[0])
  var sum = 0.0
  for _ in 0..<fits { sum += fitter.profile(schur: kind == "schur") }
  print("\(fits) passes (\(kind)), F = \(sum / Double(fits))")
default:
  print("usage: fitbench time W.json... | count W.json --kind free|cond|warm [--fits N]")
}
