import Foundation

/// Owner of raw buffers that live as long as their owner (a compiled model, a fitter's
/// scratch): allocated once, freed together. Hot loops read and write through the pointers
/// without bounds checks; each buffer's size is fixed at allocation.
final class RawStorage {
  private var cleanups: [() -> Void] = []

  deinit { for c in cleanups { c() } }

  /// A buffer holding a copy of `values` (at least one element, so that the pointer is valid).
  func copy<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
    let n = max(values.count, 1)
    let p = UnsafeMutablePointer<T>.allocate(capacity: n)
    if values.isEmpty {
      cleanups.append { p.deallocate() }
      return p
    }
    p.initialize(from: values, count: values.count)
    let count = values.count
    cleanups.append {
      p.deinitialize(count: count)
      p.deallocate()
    }
    return p
  }

  /// A buffer of `count` elements (at least one) set to `value`.
  func make<T>(_ count: Int, _ value: T) -> UnsafeMutablePointer<T> {
    let n = max(count, 1)
    let p = UnsafeMutablePointer<T>.allocate(capacity: n)
    p.initialize(repeating: value, count: n)
    cleanups.append {
      p.deinitialize(count: n)
      p.deallocate()
    }
    return p
  }
}
