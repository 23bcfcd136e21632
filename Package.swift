// swift-tools-version:6.0
//
// ZPrimeToys: Monte Carlo toys, a pyhf-compatible likelihood and the statistics of the
// Belle II invisible-Z' search (e+e- -> mu+mu- Z', Z' -> invisible).
//
// Modules follow the data flow (docs/ARCHITECTURE.md), one stage each:
//   CGSL -> GSL -> Physics -> Experiment -> Generator -> Likelihood -> Inference -> Studies -> zptoys
// with Results (the typed result files) read by Studies, Plotting and zptoys.
import PackageDescription

let package = Package(
  name: "ZPrimeToys",
  platforms: [.macOS(.v13)],
  products: [
    // MARK: - Public API
    .executable(name: "zptoys", targets: ["zptoys"]),
    .library(name: "ZPrimeToys", targets: ["Physics", "Experiment", "Generator", "Likelihood", "Inference", "Results", "Studies", "Plotting"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    // MARK: - Implementation details: GSL
    // The system library: the only place GSL's C names are visible (pkg-config `gsl`).
    .systemLibrary(
      name: "CGSL",
      pkgConfig: "gsl",
      providers: [.apt(["libgsl-dev"])]
    ),
    // Swift types over GSL: random streams, distributions, integration; errors as Swift errors.
    .target(name: "GSL", dependencies: ["CGSL"]),

    // Small shared utilities: atomic file output, JSON conventions.
    .target(name: "_Support"),

    // MARK: - Data flow stages
    .target(name: "Physics", dependencies: ["GSL"]),
    .target(
      name: "Experiment",
      dependencies: ["Physics", "_Support", .product(name: "Yams", package: "Yams")]),
    .target(name: "Generator", dependencies: ["Experiment", "GSL", "Physics", "_Support"]),
    // Element-wise vector square root for the batched fitter (header only; see its header).
    .target(name: "CLaneMath"),
    .target(name: "Likelihood", dependencies: ["CLaneMath"]),
    .target(name: "Inference", dependencies: ["Likelihood", "GSL", "_Support"]),
    // The result files' schemas (one typed Codable per file, with its format version) and the
    // strict reader; Foundation only, so that anything may read results.
    .target(name: "Results"),
    .target(
      name: "Studies",
      dependencies: ["Physics", "Experiment", "Generator", "Likelihood", "Inference", "Results", "GSL", "_Support"]),
    // Plots (SVG, PNG by rsvg-convert when installed) and the HTML report, from result files.
    .target(name: "Plotting", dependencies: ["Results", "_Support"]),

    // MARK: - Command-line tool
    .executableTarget(
      name: "zptoys",
      dependencies: [
        "Physics", "Experiment", "Generator", "Likelihood", "Inference", "Results", "Studies", "Plotting", "_Support", "_TestSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // MARK: - Unit test bundles
    // Fixtures shared by the tests, the benchmarks and Validation/: the reference window (a
    // search window's size and structure, no configuration needed) and fit timings on it.
    .target(name: "_TestSupport", dependencies: ["Likelihood"]),

    .testTarget(name: "GSLTests", dependencies: ["GSL"]),
    .testTarget(name: "PhysicsTests", dependencies: ["Physics"]),
    .testTarget(name: "ExperimentTests", dependencies: ["Experiment"]),
    .testTarget(name: "GeneratorTests", dependencies: ["Generator"]),
    .testTarget(name: "LikelihoodTests", dependencies: ["Likelihood", "_TestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "InferenceTests", dependencies: ["Inference", "Likelihood", "_TestSupport"]),
    .testTarget(name: "ResultsTests", dependencies: ["Results"]),
    .testTarget(name: "StudiesTests", dependencies: ["Studies", "Results", "Inference", "Experiment", "Generator", "Physics", "Likelihood"]),
    .testTarget(name: "CLITests", dependencies: [], exclude: ["Corpus"]),
    .testTarget(name: "PlottingTests", dependencies: ["Plotting", "Results"]),
  ],
  swiftLanguageModes: [.v6]
)
