import Experiment
import Foundation
import GSL
import Generator

/// One full-spectrum data set, binned into every overlapping window: a user's reconstructed
/// events, or a background-only pseudo-data set drawn as independent Poisson counts in every
/// global cell (equivalent to drawing Poisson-many events from the background density and
/// binning them, since window bins are unions of global cells).
public enum SpectrumData: Sendable {
  case events([(m2: Double, cosThetaCM: Double)])
  case cells([Double])

  /// A b-only pseudo-data set from the stream (seed, study, 0, toy).
  public static func pseudoData(expected: [Double], seed: UInt64, study: StreamKey.Study, toy: Int) -> SpectrumData {
    pseudoData(cells: PoissonTables(means: expected), seed: seed, study: study, toy: toy)
  }

  /// The same from the expected cells' Poisson tables, built once for many toys.
  public static func pseudoData(cells: PoissonTables, seed: UInt64, study: StreamKey.Study, toy: Int) -> SpectrumData {
    var g = Taus2(key: StreamKey(seed: seed, study: study, massIndex: 0, toyIndex: toy).hash64)
    return .cells(cells.sampleAll(&g))
  }

  /// The observations of a window.
  public func observations(_ window: SearchWindow, binning: WindowBinning) -> [Double] {
    switch self {
    case .events(let ev): return window.bin(events: ev)
    case .cells(let c): return binning.windowCounts(window.window, cells: c)
    }
  }

  public var eventCount: Double {
    switch self {
    case .events(let e): Double(e.count)
    case .cells(let c): c.reduce(0, +)
    }
  }
}

extension StreamKey.Study {
  /// The background-only full-spectrum pseudo-data set that stands in for the data (`--data toy`).
  public static let scanData: StreamKey.Study = 8
}
