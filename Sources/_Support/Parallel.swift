import Foundation

/// Deterministic parallel map: results come back in index order and each index is computed
/// independently (its randomness from its own stream), so the output does not depend on the
/// number of threads or on scheduling.
public enum Parallel {
  /// Computes `body(i, &state)` for i in 0..<count on `threads` workers; each worker makes its
  /// own `state` (a fitter, a random stream, scratch buffers) with `makeState`. Indices are
  /// handed out dynamically. The first error thrown stops the remaining work and is rethrown.
  public static func map<S, T>(
    count: Int, threads: Int, makeState: () throws -> S, _ body: (Int, inout S) throws -> T
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
    let results = UnsafeMutablePointer<T?>.allocate(capacity: count)
    results.initialize(repeating: nil, count: count)
    defer {
      results.deinitialize(count: count)
      results.deallocate()
    }
    let lock = NSLock()
    var next = 0
    var firstError: Error?
    withoutActuallyEscaping(makeState) { makeState in
      withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
          var state: S
          do { state = try makeState() } catch {
            lock.lock(); if firstError == nil { firstError = error }; lock.unlock()
            return
          }
          while true {
            lock.lock()
            let i = next
            next += 1
            let stop = firstError != nil
            lock.unlock()
            if i >= count || stop { return }
            do {
              let r = try body(i, &state)
              (results + i).pointee = r
            } catch {
              lock.lock(); if firstError == nil { firstError = error }; lock.unlock()
              return
            }
          }
        }
      }
    }
    if let e = firstError { throw e }
    return (0..<count).map { results[$0]! }
  }
}
