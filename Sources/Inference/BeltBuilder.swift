import Foundation
import GSL
import Likelihood
import _Support

/// The test statistics of one belt toy: t̃µ and q̃µ at the µ it was generated at.
struct BeltToy: Sendable {
  let t: Double
  let q: Double
  let ok: Bool
  let key: UInt64
}

/// One thread's tools for toys and scans: a batch fitter (per-bin locals not recorded: the
/// statistics need −2 ln L and µ̂ only; fits to a Newton decrement of 10⁻⁶, so −2 ln L and t̃
/// are within 10⁻⁶ of the minimum's — four orders of magnitude below the Monte Carlo error of a
/// critical value from 2,000 toys — which saves a quarter of the iterations of the default
/// 10⁻¹²), a profile likelihood for the rare refits, the block's data.
final class BeltWorker {
  let model: Model
  let fitter: BatchFitter
  let profile: ProfileLikelihood
  let poi: Int
  var batch: DataBatch
  var row: [Double]
  /// The fits' tolerance on the Newton decrement.
  static let tolerance = 1e-6

  /// The POI's upper bound (where the parameter space, and so every interval, ends).
  var poiUpperBound: Double { model.bounds[poi].upperBound }

  init(model: Model) throws {
    self.model = model
    fitter = BatchFitter(model: model, options: FitOptions(tolerance: Self.tolerance, computeUncertainties: false))
    fitter.recordsLocals = false
    profile = try ProfileLikelihood(model: model)
    poi = profile.poiIndex
    batch = DataBatch(model: model, capacity: BeltBuilder.blockSize)
    row = [Double](repeating: 0, count: model.mainBinCount + model.auxCount)
  }

  /// Toys `toys` drawn by `gen` (at POI = µ) from the streams `key(toy)`, each fitted free (from
  /// the generation point) and with the POI fixed at µ (from the toy's free fit, the other
  /// globals moved by the linear response to µ: ``BatchFitter/fit(_:fixed:from:threads:)``),
  /// and t̃µ, q̃µ (arXiv:1007.1727 Eq. 11, 16) from the two (``ProfileLikelihood/fits(_:fitter:poi:start:)``).
  func toys(_ toys: Range<Int>, gen: ToySampler, mu: Double, key: (Int) -> UInt64) -> [BeltToy] {
    batch.removeAll()
    var keys: [UInt64] = []
    keys.reserveCapacity(toys.count)
    for i in toys {
      let k = key(i)
      batch.append { gen.sample(key: k, into: $0) }
      keys.append(k)
    }
    let fits = profile.fits(batch, fitter: fitter, poi: mu, start: gen.parameters)
    return (0..<batch.count).map { i in
      let t = fits.value(.ttilde, i)
      return BeltToy(t: t, q: fits.value(.qtilde, i), ok: fits.ok(i) && t.isFinite, key: keys[i])
    }
  }
}

/// Builds the toy Neyman belt of one model and data set (``NeymanBelt``): the grid in units of
/// the asymptotic σ(µ), the toys of every point (in blocks on the batched fitter, in parallel),
/// refinement where linear interpolation of k fails, and extension above the top.
public final class BeltBuilder: @unchecked Sendable {
  public let model: Model
  public let data: [Double]
  public let settings: BeltSettings
  let profile: ProfileLikelihood
  let poi: Int
  /// The Asimov data of the background-only conditional fit to the data (σ(µ)).
  let asimov: AsymptoticCalculator
  /// σ(µ → 0).
  public let sigmaAtZero: Double
  private let lock = NSLock()
  /// Points added by refinement so far.
  public private(set) var refinedPoints = 0
  /// Toys per block on the batched fitter.
  static let blockSize = 128
  /// Refinement stops at cells this narrow (in units of the local σ(µ)).
  static let minimumCellWidth = 0.02

  /// - Throws: ``InferenceError`` when the model has no POI, the data do not fit it, or the
  ///   settings are out of range.
  public init(model: Model, data: [Double], settings: BeltSettings) throws {
    guard settings.toysPerPoint >= 10 else { throw InferenceError.invalidArgument("a belt needs at least 10 toys per µ point, got \(settings.toysPerPoint)") }
    guard settings.cl > 0, settings.cl < 1 else { throw InferenceError.invalidArgument("the confidence level must be in (0, 1), got \(settings.cl)") }
    guard settings.nearStep > 0, settings.farStep > 0, settings.nearRange >= 0 else {
      throw InferenceError.invalidArgument("belt steps must be positive")
    }
    self.model = model
    self.data = data
    self.settings = settings
    profile = try ProfileLikelihood(model: model)
    poi = profile.poiIndex
    guard model.bounds[poi].lowerBound == 0 else {
      throw InferenceError.invalidArgument("a t̃µ belt needs the POI bounded below at 0 (arXiv:1007.1727 Eq. 11); \(model.parameterNames[poi]) has \(model.bounds[poi])")
    }
    asimov = try AsymptoticCalculator(profile: profile, data: data, testStatistic: .qtilde)
    let hi = model.bounds[poi].upperBound
    let trial = hi / 100
    let s0 = trial / asimov.sqrtAsimov(poi: trial)
    let small = min(0.05 * s0, hi / 1000)
    let s = small / asimov.sqrtAsimov(poi: small)
    guard s.isFinite, s > 0 else { throw InferenceError.invalidArgument("the model does not constrain the POI (σ(µ → 0) = \(s))") }
    sigmaAtZero = s
  }

  public var poiUpperBound: Double { model.bounds[poi].upperBound }

  /// σ(µ) = µ/√q_µ,A (arXiv:1007.1727 Eq. 31–32); σ(0) is its limit.
  public func sigma(at mu: Double) -> Double {
    guard mu > 1e-3 * sigmaAtZero else { return sigmaAtZero }
    lock.lock()
    defer { lock.unlock() }
    let s = mu / asimov.sqrtAsimov(poi: mu)
    return s.isFinite && s > 0 ? s : sigmaAtZero
  }

  /// Grid points from `start` (exclusive unless 0) up to the first point ≥ `top` and
  /// ≥ `sigmas`·σ(µ) (capped at the POI's upper bound): steps of nearStep·σ(µ) below
  /// nearRange·σ, farStep·σ above.
  public func grid(from start: Double = 0, to top: Double, sigmas: Double = 0) -> [Double] {
    var mus: [Double] = start == 0 ? [0] : []
    var mu = start
    let cap = poiUpperBound
    while mu < cap {
      let s = sigma(at: mu)
      if mu >= top && mu >= sigmas * s { break }
      mu = min(cap, mu + (mu < settings.nearRange * s ? settings.nearStep : settings.farStep) * s)
      mus.append(mu)
    }
    return mus
  }

  /// The parameters toys at POI = µ are generated at.
  public func generationParameters(mu: Double) -> [Double] {
    switch settings.nuisances {
    case .profiled:
      lock.lock()
      defer { lock.unlock() }
      var p = profile.conditionalFit(data, poi: mu).parameters
      p[poi] = mu
      return p
    case .nominal:
      var p = model.initialValues
      p[poi] = mu
      return p
    }
  }

  /// The belt points at `mus`: toys in blocks, in parallel over (point, block).
  public func points(_ mus: [Double]) throws -> [BeltPoint] {
    guard !mus.isEmpty else { return [] }
    let s = settings
    let model = self.model
    let samplers = mus.map { ToySampler(model: model, parameters: generationParameters(mu: $0)) }
    let block = Self.blockSize
    let blocks = (s.toysPerPoint + block - 1) / block
    let results: [[BeltToy]] = try Parallel.map(count: mus.count * blocks, threads: s.threads, makeState: { try BeltWorker(model: model) }) { u, worker in
      let p = u / blocks, b = u % blocks
      let mu = mus[p]
      return worker.toys((b * block)..<min(s.toysPerPoint, (b + 1) * block), gen: samplers[p], mu: mu) { s.key(toy: $0, mu: mu) }
    }
    return mus.indices.map { p in
      let toys = results[(p * blocks)..<((p + 1) * blocks)].joined()
      var t: [Double] = [], q: [Double] = [], failed: [FailedToy] = []
      t.reserveCapacity(s.toysPerPoint)
      q.reserveCapacity(s.toysPerPoint)
      for (i, toy) in toys.enumerated() {
        if toy.ok {
          t.append(toy.t)
          q.append(toy.q)
        } else {
          failed.append(FailedToy(toy: i, hypothesis: "belt µ=\(mus[p])", streamKey: toy.key))
        }
      }
      return BeltPoint(mu: mus[p], t: t.sorted(), q: q.sorted(), toys: s.toysPerPoint, failed: failed, cl: s.cl)
    }
  }

  /// A belt from 0 to at least `top` and `sigmas`·σ, refined.
  public func build(to top: Double, sigmas: Double = 0) throws -> NeymanBelt {
    var belt = NeymanBelt(settings: settings, points: try points(grid(to: top, sigmas: sigmas)))
    try refine(&belt, above: -.infinity)
    return belt
  }

  /// Adds points from the belt's top to at least `top` (refined among themselves).
  public func extend(_ belt: inout NeymanBelt, to top: Double) throws {
    let old = belt.top
    guard top > old, old < poiUpperBound else { return }
    belt.insert(try points(grid(from: old, to: top)))
    try refine(&belt, above: old)
  }

  /// Refines cells above `above` until linear interpolation of k agrees with every tested point
  /// (``NeymanBelt/refinementCandidates(z:testing:above:minimumWidth:)``: first every point
  /// above `above`, then each pass's midpoints), cells are narrower than 0.01σ, or the belt has
  /// ``BeltSettings/maxPoints`` points.
  func refine(_ belt: inout NeymanBelt, above: Double) throws {
    guard settings.refine else { return }
    var testing: Set<Double>? = above.isFinite ? Set(belt.mus.filter { $0 > above }) : nil
    while belt.points.count < settings.maxPoints {
      let new = Array(belt.refinementCandidates(testing: testing, above: above, minimumWidth: { Self.minimumCellWidth * self.sigma(at: $0) })
        .prefix(settings.maxPoints - belt.points.count))
      if new.isEmpty { return }
      belt.insert(try points(new))
      refinedPoints += new.count
      testing = Set(new)
    }
  }
}
