/// The settings of a bias and pull study (`zptoys pulls`).
public struct PullSettings: StudySettings {
  public static let study: StudyKind = "pulls"

  /// Masses in GeV (the hypotheses' own; empty for a published likelihood).
  public var masses: [Double]
  /// The patches of a published likelihood (empty for search windows).
  public var patches: [PatchLabel]
  /// Injected signals: σ in fb (POI values for a patch).
  public var signals: [Double]
  /// Pseudo-experiments per (hypothesis, signal) point.
  public var toys: Int
  /// Whether every nuisance parameter's pull is summarised too.
  public var nuisances: Bool
  /// The verdict's tolerance: a pull mean within ±t, a pull width within 1 ± t.
  public var tolerance: Double
  /// Confidence of the intervals behind the verdict.
  public var verdictCL: Double
  /// Toys per task.
  public var blockSize: Int

  public init(masses: [Double], patches: [PatchLabel] = [], signals: [Double], toys: Int, nuisances: Bool = false, tolerance: Double = 0.1,
              verdictCL: Double = 0.95, blockSize: Int = 50) {
    self.masses = masses
    self.patches = patches
    self.signals = signals
    self.toys = toys
    self.nuisances = nuisances
    self.tolerance = tolerance
    self.verdictCL = verdictCL
    self.blockSize = blockSize
  }

  enum CodingKeys: String, CodingKey {
    case masses, patches, signals, toys, nuisances, tolerance, verdictCL = "verdict_cl", blockSize = "block_size"
  }
}

/// Sums of one parameter's pulls over a block of toys.
public struct PullSums: Codable, Sendable, Equatable {
  public var name: String
  public var count: Int
  public var sum: Double
  public var sumOfSquares: Double

  public init(name: String, count: Int = 0, sum: Double = 0, sumOfSquares: Double = 0) {
    self.name = name
    self.count = count
    self.sum = sum
    self.sumOfSquares = sumOfSquares
  }

  enum CodingKeys: String, CodingKey { case name, count, sum, sumOfSquares = "sum_of_squares" }

  public mutating func add(_ x: Double) {
    count += 1
    sum += x
    sumOfSquares += x * x
  }
}

/// One block of toys at one point: every toy's best-fit signal and pull (in toy order; a toy
/// whose fit failed, or whose σ̂ sits at the POI's lower bound, is left out and counted), and the
/// nuisance parameters' pull sums.
public struct PullBlock: Codable, Sendable, Equatable {
  public var point: Int
  public var firstToy: Int
  public var toys: Int
  public var sigmaHat: [Double]
  public var pulls: [Double]
  public var failed: [FailedToyRecord]
  /// The POI's lower bound in the fits, and the toys whose σ̂ sits there.
  public var poiLowerBound: Double
  public var atLowerBound: Int
  /// Per nuisance parameter (with `nuisances`; else empty).
  public var nuisances: [PullSums]

  public init(point: Int, firstToy: Int, toys: Int, sigmaHat: [Double], pulls: [Double], failed: [FailedToyRecord], poiLowerBound: Double,
              atLowerBound: Int, nuisances: [PullSums]) {
    self.point = point
    self.firstToy = firstToy
    self.toys = toys
    self.sigmaHat = sigmaHat
    self.pulls = pulls
    self.failed = failed
    self.poiLowerBound = poiLowerBound
    self.atLowerBound = atLowerBound
    self.nuisances = nuisances
  }

  enum CodingKeys: String, CodingKey {
    case point, firstToy = "first_toy", toys, sigmaHat = "sigma_hat", pulls, failed, poiLowerBound = "poi_lower_bound"
    case atLowerBound = "at_lower_bound", nuisances
  }
}

/// Mean and standard deviation of a distribution over toys, with their statistical
/// uncertainties (s/√n and s/√(2(n − 1)), Gaussian approximation).
public struct Moments: Codable, Sendable, Equatable {
  public var count: Int
  public var mean: Double
  public var meanUncertainty: Double
  public var width: Double
  public var widthUncertainty: Double

  public init(count: Int, mean: Double, meanUncertainty: Double, width: Double, widthUncertainty: Double) {
    self.count = count
    self.mean = mean
    self.meanUncertainty = meanUncertainty
    self.width = width
    self.widthUncertainty = widthUncertainty
  }

  enum CodingKeys: String, CodingKey {
    case count, mean, meanUncertainty = "mean_uncertainty", width, widthUncertainty = "width_uncertainty"
  }

  /// From n, Σx and Σx² (zero moments for fewer than two values).
  public init(count n: Int, sum: Double, sumOfSquares: Double) {
    guard n > 1 else {
      self.init(count: n, mean: n == 1 ? sum : 0, meanUncertainty: 0, width: 0, widthUncertainty: 0)
      return
    }
    let mean = sum / Double(n)
    let variance = max(0, (sumOfSquares - Double(n) * mean * mean) / Double(n - 1))
    let s = variance.squareRoot()
    self.init(count: n, mean: mean, meanUncertainty: s / Double(n).squareRoot(), width: s, widthUncertainty: s / (2 * Double(n - 1)).squareRoot())
  }
}

/// One parameter's pull summary with its verdict.
public struct PullSummary: Codable, Sendable, Equatable {
  public var name: String
  public var pull: Moments
  /// "unbiased", or what fails: "biased", "too wide", "too narrow", "bounded" (joined by ", ").
  public var verdict: String

  public init(name: String, pull: Moments, verdict: String) {
    self.name = name
    self.pull = pull
    self.verdict = verdict
  }
}

/// One (hypothesis, injected signal) point of a pull study.
public struct PullPoint: Codable, Sendable, Equatable {
  public var index: Int
  /// The window's Z′ mass (null for a patch).
  @Nullable public var mass: Double?
  /// The patch of a published likelihood (null for a search window).
  @Nullable public var patch: PatchLabel?
  /// The injected signal (σ in fb, or the POI's value).
  public var signal: Double
  /// The best-fit signal: its mean (the bias is mean − signal), width and their uncertainties.
  public var sigmaHat: Moments
  /// (σ̂ − σ)/error of σ̂ over the toys.
  public var pull: PullSummary
  public var failedToys: Int
  /// The POI's lower bound in the fits (the most negative signal every bin's expectation
  /// allows), and the toys whose σ̂ sits there (left out of the distributions).
  public var poiLowerBound: Double
  public var toysAtLowerBound: Int
  /// Pull histogram: edges and counts (values outside the edges in the first and last bins).
  public var pullEdges: [Double]
  public var pullCounts: [Int]
  /// Per nuisance parameter (with `nuisances`; else empty).
  public var nuisances: [PullSummary]

  public init(index: Int, mass: Double?, patch: PatchLabel?, signal: Double, sigmaHat: Moments, pull: PullSummary, failedToys: Int,
              poiLowerBound: Double, toysAtLowerBound: Int, pullEdges: [Double], pullCounts: [Int], nuisances: [PullSummary]) {
    self.poiLowerBound = poiLowerBound
    self.toysAtLowerBound = toysAtLowerBound
    self.index = index
    self.mass = mass
    self.patch = patch
    self.signal = signal
    self.sigmaHat = sigmaHat
    self.pull = pull
    self.failedToys = failedToys
    self.pullEdges = pullEdges
    self.pullCounts = pullCounts
    self.nuisances = nuisances
  }

  enum CodingKeys: String, CodingKey {
    case index, mass = "mass_gev", patch, signal = "signal_fb", sigmaHat = "sigma_hat_fb", pull, failedToys = "failed_toys"
    case poiLowerBound = "poi_lower_bound", toysAtLowerBound = "toys_at_lower_bound"
    case pullEdges = "pull_edges", pullCounts = "pull_counts", nuisances
  }

  /// The hypothesis' label (its index is the point's).
  public var label: HypothesisLabel { HypothesisLabel(index: index, mass: mass, m2: nil, patch: patch) }
}

/// The `zptoys pulls` result file: the blocks of toys (the tasks) and the points computed from
/// them.
public struct PullsFile: StudyFile {
  public typealias Settings = PullSettings
  public var header: StudyHeader
  public var blocks: [PullBlock]
  public var points: [PullPoint]
  public var taskResults: [PullBlock] { blocks }

  public init(header: StudyHeader, blocks: [PullBlock], points: [PullPoint]) {
    self.header = header
    self.blocks = blocks
    self.points = points
  }

  enum CodingKeys: String, CodingKey { case blocks, points }

  public init(from decoder: any Decoder) throws {
    header = try StudyHeader(from: decoder, settings: PullSettings.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    blocks = try c.decode([PullBlock].self, forKey: .blocks)
    points = try c.decode([PullPoint].self, forKey: .points)
  }

  public func encode(to encoder: any Encoder) throws {
    try header.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(blocks, forKey: .blocks)
    try c.encode(points, forKey: .points)
  }
}
