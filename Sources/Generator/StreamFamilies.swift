import GSL

extension StreamKey.Study {
  /// Events of `zptoys generate` and of the report's spectrum (``EventSample``).
  public static let generate: StreamKey.Study = 1
  /// The template Monte Carlo (``BackgroundSpectrum``, ``SignalTemplate``).
  public static let templates: StreamKey.Study = 2
}
