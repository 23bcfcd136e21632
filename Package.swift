// swift-tools-version:6.0
//
// ZPrimeToys: Monte Carlo toys, a pyhf-compatible likelihood and the statistics of the
// Belle II invisible-Z' search (e+e- -> mu+mu- Z', Z' -> invisible).
//
// Modules follow the data flow of docs/DESIGN.md, one stage each:
//   CGSL -> GSL -> Physics -> Detector -> Generator -> Likelihood -> Inference -> Studies -> zptoys
import PackageDescription

// Release builds use -O with whole-module optimisation (SwiftPM's default); bounds checks stay on.
let optimised: [SwiftSetting] = []

let package = Package(
  name: "ZPrimeToys",
  platforms: [.macOS(.v13)],
  products: [
    // MARK: - Public API
    .executable(name: "zptoys", targets: ["zptoys"]),
    .library(name: "ZPrimeToys", targets: ["Physics", "Detector", "Generator", "Likelihood", "Inference", "Studies"]),
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
    .target(name: "GSL", dependencies: ["CGSL"], swiftSettings: optimised),

    // Small shared utilities: atomic file output, JSON conventions.
    .target(name: "_Support", swiftSettings: optimised),

    // MARK: - Data flow stages
    .target(name: "Physics", dependencies: ["GSL"], swiftSettings: optimised),
    .target(
      name: "Detector",
      dependencies: ["Physics", "_Support", .product(name: "Yams", package: "Yams")],
      swiftSettings: optimised),
    .target(name: "Generator", dependencies: ["Detector", "GSL", "Physics", "_Support"], swiftSettings: optimised),
    .target(name: "Likelihood", dependencies: [], swiftSettings: optimised),
    .target(name: "Inference", dependencies: ["Likelihood", "GSL", "_Support"], swiftSettings: optimised),
    .target(
      name: "Studies",
      dependencies: ["Detector", "Generator", "Likelihood", "Inference", "GSL", "_Support"],
      swiftSettings: optimised),
    // Plots (SVG, PNG by rsvg-convert when installed) and the HTML report, from result files.
    .target(name: "Plotting", dependencies: ["_Support"], swiftSettings: optimised),

    // MARK: - Command-line tool
    .executableTarget(
      name: "zptoys",
      dependencies: [
        "Physics", "Detector", "Generator", "Likelihood", "Inference", "Studies", "Plotting", "_Support",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: optimised),

    // MARK: - Unit test bundles
    .testTarget(name: "GSLTests", dependencies: ["GSL"]),
    .testTarget(name: "PhysicsTests", dependencies: ["Physics"]),
    .testTarget(name: "DetectorTests", dependencies: ["Detector"]),
    .testTarget(name: "GeneratorTests", dependencies: ["Generator"]),
    .testTarget(name: "LikelihoodTests", dependencies: ["Likelihood"]),
    .testTarget(name: "InferenceTests", dependencies: ["Inference", "Likelihood"]),
    .testTarget(name: "StudiesTests", dependencies: ["Studies", "Inference", "Detector", "Generator"]),
    .testTarget(name: "CLITests", dependencies: []),
    .testTarget(name: "PlottingTests", dependencies: ["Plotting"]),
  ],
  swiftLanguageModes: [.v5]
)
