extension ExperimentConfig.Systematics {
  /// The index of the M² range (paper: [−0.5, 9], [9, 36], [36, 81] GeV²) holding `m2`;
  /// values outside take the nearest range.
  public func rangeIndex(m2: Double) -> Int {
    let n = m2RangeEdges.count - 1
    for j in 0..<n where m2 < m2RangeEdges[j + 1] { return j }
    return n - 1
  }

  /// Relative signal-efficiency uncertainty at `m2`.
  public func signalEfficiency(m2: Double) -> Double { signalEfficiency[rangeIndex(m2: m2)] }
  /// Relative per-bin background-shape uncertainty at `m2`.
  public func backgroundShape(m2: Double) -> Double { backgroundShape[rangeIndex(m2: m2)] }
  /// Relative per-bin photon-veto uncertainty on µµ(γ) at `m2`.
  public func photonVeto(m2: Double) -> Double { m2 < photonVeto.m2Threshold ? photonVeto.below : photonVeto.above }
}
