/// A function of one variable, linear between knots and constant beyond the first and last.
public struct PiecewiseLinear: Sendable, Equatable {
  public let knots: [Double]
  public let values: [Double]

  /// - Precondition: checked by the caller (configuration validation): at least one knot,
  ///   knots strictly increasing, as many values as knots.
  public init(knots: [Double], values: [Double]) {
    self.knots = knots
    self.values = values
  }

  /// The value at `x`. - Complexity: O(log k) for k knots.
  @inlinable
  public func callAsFunction(_ x: Double) -> Double {
    let n = knots.count
    if n == 1 || x <= knots[0] { return values[0] }
    if x >= knots[n - 1] { return values[n - 1] }
    var lo = 0
    var hi = n - 1
    while hi - lo > 1 {
      let mid = (lo + hi) >> 1
      if knots[mid] <= x { lo = mid } else { hi = mid }
    }
    let t = (x - knots[lo]) / (knots[hi] - knots[lo])
    return values[lo] + t * (values[hi] - values[lo])
  }
}
