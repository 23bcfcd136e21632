import Foundation

/// Dense kernels for the small symmetric systems of the fitter (a few parameters per bin, a few
/// global parameters). Matrices are row-major n×n at `a` with row stride `n`; nothing allocates.
enum SmallLinearAlgebra {
  /// In-place Cholesky factorisation A = L Lᵀ (lower triangle of `a` overwritten by L).
  ///
  /// With `modify`, a pivot below δ = 1e-10·max|Aᵢᵢ| is replaced by max(|pivot|, δ), so the
  /// factor is that of a positive definite matrix close to A and −L⁻ᵀL⁻¹g is a descent
  /// direction (the idea of Gill & Murray's modified Cholesky, Practical Optimization, §4.4.2.2).
  /// - Returns: false when the factorisation needed a modification (or, without `modify`, failed).
  @inline(__always)
  static func cholesky(_ a: UnsafeMutablePointer<Double>, _ n: Int, modify: Bool) -> Bool {
    var maxDiag = 0.0
    for i in 0..<n { maxDiag = max(maxDiag, abs(a[i * n + i])) }
    let delta = max(1e-10 * maxDiag, 1e-300)
    var exact = true
    for j in 0..<n {
      var d = a[j * n + j]
      for k in 0..<j { d -= a[j * n + k] * a[j * n + k] }
      if !(d > delta) {
        exact = false
        if !modify { return false }
        d = d.isFinite ? max(abs(d), delta) : delta
      }
      let l = d.squareRoot()
      a[j * n + j] = l
      let inv = 1 / l
      for i in (j + 1)..<max(j + 1, n) {
        var s = a[i * n + j]
        for k in 0..<j { s -= a[i * n + k] * a[j * n + k] }
        a[i * n + j] = s * inv
      }
    }
    return exact
  }

  /// Solves L Lᵀ x = b in place (`b` becomes x), L from ``cholesky(_:_:modify:)``.
  @inline(__always)
  static func choleskySolve(_ l: UnsafePointer<Double>, _ n: Int, _ b: UnsafeMutablePointer<Double>) {
    for i in 0..<n {
      var s = b[i]
      for k in 0..<i { s -= l[i * n + k] * b[k] }
      b[i] = s / l[i * n + i]
    }
    var i = n - 1
    while i >= 0 {
      var s = b[i]
      for k in (i + 1)..<max(i + 1, n) { s -= l[k * n + i] * b[k] }
      b[i] = s / l[i * n + i]
      i -= 1
    }
  }

  /// Replaces L (from a successful ``cholesky(_:_:modify:)``) by the full symmetric inverse
  /// A⁻¹ = L⁻ᵀ L⁻¹, using `work` (n values).
  static func choleskyInverse(_ a: UnsafeMutablePointer<Double>, _ n: Int, work: UnsafeMutablePointer<Double>) {
    // Columns of A^{-1} one by one would need a copy of L; invert L in place first (lower).
    for j in 0..<n {
      a[j * n + j] = 1 / a[j * n + j]
      for i in (j + 1)..<max(j + 1, n) {
        var s = 0.0
        for k in j..<i { s -= a[i * n + k] * a[k * n + j] }
        a[i * n + j] = s / a[i * n + i]
      }
    }
    // A^{-1} = M^T M with M = L^{-1} lower; fill the upper triangle row by row, then mirror.
    for i in 0..<n {
      for j in i..<n {
        var s = 0.0
        for k in j..<n { s += a[k * n + i] * a[k * n + j] }
        work[j] = s
      }
      for j in i..<n { a[i * n + j] = work[j] }
    }
    for i in 0..<n { for j in 0..<i { a[i * n + j] = a[j * n + i] } }
  }
}
