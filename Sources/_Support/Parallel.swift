import Foundation

/// Deterministic parallel map: results come back in index order and each index is computed
/// independently (its randomness from its own stream), so the output does not depend on the
/// number of threads or on scheduling.
public enum Parallel {
  /// Computes `body(i, &state)` for i in 0..<count on `threads` workers; each worker makes its
  /// own `state` (a fitter, a random stream, scratch buffers) with `makeState`. Indices are
  /// handed out dynamically. The first error thrown stops the remaining work and is rethrown.
  ///
  /// `makeState` and `body` run concurrently on several threads, hence `@Sendable`; the state
  /// itself never leaves its worker, so it need not be `Sendable`.
  public static func map<S, T: Sendable>(
    count: Int, threads: Int, makeState: @Sendable () throws -> S, _ body: @Sendable (Int, inout S) throws -> T
  ) throws -> [T] {
    guard count > 0 else { return [] }
    let workers = max(1, min(threads, count))
    if workers == 1 {
      var s = try makeState()
      var out: [T] = []
      out.reserveCapacity(count)
      for i in 0..<count { out.append(try body(i, &s)) }
      return out
    }
    let shared = Shared<T>(count: count)
    withoutActuallyEscaping(makeState) { makeState in
      withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
          var state: S
          do { state = try makeState() } catch {
            shared.fail(error)
            return
          }
          while let i = shared.nextIndex() {
            do {
              shared.store(try body(i, &state), at: i)
            } catch {
              shared.fail(error)
              return
            }
          }
        }
      }
    }
    return try shared.results()
  }

  /// The workers' shared bookkeeping: the next index, the first error, and one result slot per
  /// index (each written by exactly one worker, read after all have finished).
  private final class Shared<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var firstError: (any Error)?
    private let count: Int
    private let slots: UnsafeMutablePointer<T?>

    init(count: Int) {
      self.count = count
      slots = .allocate(capacity: count)
      slots.initialize(repeating: nil, count: count)
    }

    deinit {
      slots.deinitialize(count: count)
      slots.deallocate()
    }

    /// The next index to compute, or nil when all are handed out or an error stopped the work.
    func nextIndex() -> Int? {
      lock.lock()
      defer { lock.unlock() }
      guard firstError == nil, next < count else { return nil }
      next += 1
      return next - 1
    }

    func store(_ value: T, at i: Int) { (slots + i).pointee = value }

    func fail(_ error: any Error) {
      lock.lock()
      if firstError == nil { firstError = error }
      lock.unlock()
    }

    func results() throws -> [T] {
      if let e = firstError { throw e }
      return (0..<count).map { slots[$0]! }
    }
  }
}
