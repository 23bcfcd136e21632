import Foundation
import GSL
import Likelihood

/// Draws pseudo-data from a model at given parameters like pyhf's `model.make_pdf(pars).sample()`:
/// every main bin Poisson(ν_b), every auxiliary datum from its constraint — Normal(θ, σ) or
/// Poisson(τθ) — so the global observables fluctuate with the main data.
///
/// Everything that depends only on the generation point is prepared once: the Poisson means
/// (main bins, then Poisson-constrained auxiliary data) as inversion tables
/// (``GSL/PoissonTables``), the Gaussian means and widths. A toy is then one pass: per row one
/// table look-up or one ziggurat draw (``GSL/Ziggurat``) from the toy's own ``GSL/Taus2``
/// stream. The value is immutable and `Sendable`: share one between threads.
///
/// Rows: main bins 0..<mainBinCount, then auxiliary datum `a` at mainBinCount + a (the layout of
/// ``Likelihood/Model``'s data).
public struct ToySampler: Sendable {
  public let model: Model
  public let expectedMain: [Double]
  public let parameters: [Double]
  /// Main bins then Poisson-constrained auxiliary data, in draw order.
  let poisson: PoissonTables
  /// Output row of each Poisson mean.
  let poissonRows: [Int]
  /// Gaussian-constrained auxiliary data: output row, mean θ and width σ.
  let gaussianRows: [Int]
  let gaussianMeans: [Double]
  let gaussianSigmas: [Double]

  public init(model: Model, parameters: [Double]) {
    self.model = model
    self.parameters = parameters
    expectedMain = model.expectedMainData(parameters)
    let nMain = model.mainBinCount
    var means = expectedMain, rows = Array(0..<nMain)
    var gRows: [Int] = [], gMeans: [Double] = [], gSigmas: [Double] = []
    for term in model.constraints {
      let theta = parameters[term.parameter]
      switch term.constraint {
      case .gaussian(let sigma):
        gRows.append(nMain + term.auxIndex)
        gMeans.append(theta)
        gSigmas.append(sigma)
      case .poisson(let tau):
        rows.append(nMain + term.auxIndex)
        means.append(tau * theta)
      }
    }
    poisson = PoissonTables(means: means)
    poissonRows = rows
    gaussianRows = gRows
    gaussianMeans = gMeans
    gaussianSigmas = gSigmas
  }

  /// Values per toy: main bins plus auxiliary data.
  public var rowCount: Int { model.mainBinCount + model.auxCount }

  /// One toy from `rng` (which advances) into `out`, resized to ``rowCount`` if needed.
  public func sample(_ rng: RandomStream, into out: inout [Double]) {
    if out.count != rowCount { out = [Double](repeating: 0, count: rowCount) }
    rng.withGenerator { g in
      out.withUnsafeMutableBufferPointer { draw(&g, into: $0.baseAddress!, stride: 1) }
    }
  }

  /// One toy from the stream of `key` (a ``GSL/StreamKey`` hash: the same numbers as
  /// `sample(RandomStream(key: key), into:)`), without allocating: row r goes to `out[r·stride]`.
  /// With `stride` = the batch size and `out` pointing at a toy's column, this fills a
  /// row-major (bin-major) batch, toys contiguous per row — the layout of SIMD lanes across toys.
  public func sample(key: UInt64, into out: UnsafeMutablePointer<Double>, stride: Int = 1) {
    var g = Taus2(key: key)
    draw(&g, into: out, stride: stride)
  }

  /// How a batch of toys is laid out in one buffer.
  public enum BatchLayout: Sendable {
    /// Row r of toy t at `r·toys + t`: toys contiguous per row (SIMD lanes across toys).
    case binMajor
    /// Row r of toy t at `t·rowCount + r`: one toy after the other (as `Likelihood.DataBatch`-style
    /// buffers of whole data sets).
    case toyMajor
  }

  /// A batch of toys, one per key, in `layout` (`out` is resized to ``rowCount``·keys.count).
  public func sample(keys: [UInt64], into out: inout [Double], layout: BatchLayout = .binMajor) {
    let n = keys.count, rows = rowCount
    if out.count != rows * n { out = [Double](repeating: 0, count: rows * n) }
    out.withUnsafeMutableBufferPointer { buffer in
      for (t, key) in keys.enumerated() {
        switch layout {
        case .binMajor: sample(key: key, into: buffer.baseAddress! + t, stride: n)
        case .toyMajor: sample(key: key, into: buffer.baseAddress! + t * rows, stride: 1)
        }
      }
    }
  }

  @inline(__always)
  func draw(_ g: inout Taus2, into out: UnsafeMutablePointer<Double>, stride: Int) {
    poisson.withSampler { tables in
      poissonRows.withUnsafeBufferPointer { rows in
        for i in 0..<rows.count { out[rows[i] &* stride] = tables.sample(i, &g) }
      }
    }
    gaussianRows.withUnsafeBufferPointer { rows in
      gaussianMeans.withUnsafeBufferPointer { mean in
        gaussianSigmas.withUnsafeBufferPointer { sigma in
          guard let r = rows.baseAddress else { return }
          Ziggurat.fill(&g, count: rows.count, rows: r, mean: mean.baseAddress!, sigma: sigma.baseAddress!, into: out, stride: stride)
        }
      }
    }
  }
}
