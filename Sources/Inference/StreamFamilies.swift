import GSL

extension StreamKey.Study {
  /// Pseudo-experiments of the toy calculator (`hypotest`/`limit --calculator toys`).
  public static let hypotestToys: StreamKey.Study = 4
}
