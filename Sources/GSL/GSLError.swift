import CGSL

/// A failure reported by GSL, as a Swift error.
///
/// GSL's default handler aborts the process on any error. ``GSLRuntime/install()`` replaces it
/// once, before any GSL call made through this module, with `gsl_set_error_handler_off`, so every
/// status code reaches Swift, where ``GSLError/check(_:_:)`` turns it into this error.
public struct GSLError: Error, CustomStringConvertible, Equatable, Sendable {
  /// GSL's status code (`GSL_EDOM`, `GSL_ERANGE`, ...).
  public let status: Int32
  /// What was being done when GSL failed.
  public let context: String

  public init(status: Int32, context: String) {
    self.status = status
    self.context = context
  }

  public var description: String {
    let reason = String(cString: gsl_strerror(status))
    return "GSL error \(status) (\(reason)) in \(context)"
  }

  /// Throws when `status` is not `GSL_SUCCESS`.
  @inlinable
  public static func check(_ status: Int32, _ context: @autoclosure () -> String) throws {
    if status != GSL_SUCCESS { throw GSLError(status: status, context: context()) }
  }
}

/// Process-wide GSL set-up.
public enum GSLRuntime {
  /// Switches GSL's abort-on-error handler off. Idempotent and thread-safe (a `static let`).
  public static func install() { _ = installed }

  private static let installed: Bool = {
    _ = gsl_set_error_handler_off()
    return true
  }()
}
