/// An invalid experiment configuration: which file, which field, and why.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The file (or "<embedded>").
  public var source: String
  /// The field's path, e.g. `resolution.sigma_gev2[2]`.
  public var field: String
  public var reason: String

  public init(source: String, field: String, reason: String) {
    self.source = source
    self.field = field
    self.reason = reason
  }

  public var description: String {
    field.isEmpty ? "\(source): \(reason)" : "\(source): \(field): \(reason)"
  }
}
