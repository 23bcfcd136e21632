import GSL

extension StreamKey.Study {
  /// VEGAS integrations of the cross section (one stream per mass).
  public static let physics: StreamKey.Study = 9
}
