import Foundation

/// MD5 (RFC 1321), only to check the `md5` digests that pyhf patchsets may carry for their
/// background-only workspace (`pyhf.utils.digest`). Not for cryptographic use.
public enum MD5 {
  static let s: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                            5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                            4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                            6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
  /// K[i] = ⌊2³² · |sin(i + 1)|⌋ (RFC 1321, section 3.4).
  static let k: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64((abs(sin(Double($0 + 1))) * 4_294_967_296).rounded(.down))) }

  /// The digest of `bytes` as 32 lowercase hex digits.
  public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    var a0: UInt32 = 0x67452301, b0: UInt32 = 0xefcdab89, c0: UInt32 = 0x98badcfe, d0: UInt32 = 0x10325476
    var msg = Array(bytes)
    let bitLength = UInt64(msg.count) * 8
    msg.append(0x80)
    while msg.count % 64 != 56 { msg.append(0) }
    for i in 0..<8 { msg.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
    var m = [UInt32](repeating: 0, count: 16)
    for chunk in stride(from: 0, to: msg.count, by: 64) {
      for i in 0..<16 {
        let j = chunk + 4 * i
        m[i] = UInt32(msg[j]) | UInt32(msg[j + 1]) << 8 | UInt32(msg[j + 2]) << 16 | UInt32(msg[j + 3]) << 24
      }
      var (a, b, c, d) = (a0, b0, c0, d0)
      for i in 0..<64 {
        var f: UInt32, g: Int
        switch i {
        case 0..<16: (f, g) = ((b & c) | (~b & d), i)
        case 16..<32: (f, g) = ((d & b) | (~d & c), (5 * i + 1) % 16)
        case 32..<48: (f, g) = (b ^ c ^ d, (3 * i + 5) % 16)
        default: (f, g) = (c ^ (b | ~d), (7 * i) % 16)
        }
        f = f &+ a &+ k[i] &+ m[g]
        (a, d, c) = (d, c, b)
        b = b &+ ((f << s[i]) | (f >> (32 - s[i])))
      }
      a0 = a0 &+ a; b0 = b0 &+ b; c0 = c0 &+ c; d0 = d0 &+ d
    }
    return [a0, b0, c0, d0].map { w in (0..<4).map { String(format: "%02x", (w >> (8 * UInt32($0))) & 0xff) }.joined() }.joined()
  }
}
