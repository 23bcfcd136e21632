import Foundation

/// JSON encoding with the conventions of every ZPrimeToys output: sorted keys, pretty printed,
/// non-finite numbers refused (a NaN must never reach a result file).
public enum JSONOutput {
  public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(value)
  }

  public static func string<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
    String(decoding: try encode(value, pretty: pretty), as: UTF8.self)
  }
}
