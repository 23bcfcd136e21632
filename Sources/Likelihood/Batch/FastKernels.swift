import Foundation

// MARK: - Kernel shapes
//
// A kernel is specialised on its bin shape (``FastShapeKey``) so that its loops over the slots
// have constant trip counts and the per-slot values stay in registers. The shape is a type
// built from four type parameters; ``FastRuntime/runGroup(_:)`` picks it from the key.

protocol StaticFlag { static var value: Bool { get } }
enum Yes: StaticFlag { static var value: Bool { true } }
enum No: StaticFlag { static var value: Bool { false } }

protocol StaticCount { static var value: Int { get } }
enum Count0: StaticCount { static var value: Int { 0 } }
enum Count1: StaticCount { static var value: Int { 1 } }
enum Count2: StaticCount { static var value: Int { 2 } }
enum Count3: StaticCount { static var value: Int { 3 } }
enum Count4: StaticCount { static var value: Int { 4 } }

protocol KernelShape {
  static var pair: Bool { get }
  static var singles: Int { get }
  static var hasR: Bool { get }
  static var partnerA: Bool { get }
}

extension KernelShape {
  /// Whether coefficient `a` (R, A_0 … A_{k−1}, β: 0, 1 + l, 1 + k) exists in this shape.
  @inline(__always) static func uses(_ a: Int) -> Bool {
    let k = singles + (pair ? 2 : 0)
    if a == 0 { return hasR }
    if a <= k { return !(pair && a == 2 && !partnerA) }
    return pair && a == 1 + k
  }
}

enum Shape<Pair: StaticFlag, Singles: StaticCount, R: StaticFlag, PartnerA: StaticFlag>: KernelShape {
  static var pair: Bool { Pair.value }
  static var singles: Int { Singles.value }
  static var hasR: Bool { R.value }
  static var partnerA: Bool { PartnerA.value }
}

extension FastRuntime {
  /// Runs the kernel of group `gi`'s shape.
  func runGroup(_ gi: Int) {
    let key = groups[gi].key
    if key.hasR { runGroup(gi, key, Yes.self) } else { runGroup(gi, key, No.self) }
  }

  private func runGroup<R: StaticFlag>(_ gi: Int, _ key: FastShapeKey, _: R.Type) {
    let g = groups[gi]
    if key.pair {
      if key.partnerA { pairShape(g, key.singles, R.self, Yes.self) } else { pairShape(g, key.singles, R.self, No.self) }
      return
    }
    switch key.singles {
    case 0: singlesKernel(g, Shape<No, Count0, R, No>.self)
    case 1: singlesKernel(g, Shape<No, Count1, R, No>.self)
    case 2: singlesKernel(g, Shape<No, Count2, R, No>.self)
    case 3: singlesKernel(g, Shape<No, Count3, R, No>.self)
    default: singlesKernel(g, Shape<No, Count4, R, No>.self)
    }
  }

  private func pairShape<R: StaticFlag, A: StaticFlag>(_ g: GroupRuntime, _ singles: Int, _: R.Type, _: A.Type) {
    switch singles {
    case 0: pairKernel(g, Shape<Yes, Count0, R, A>.self)
    case 1: pairKernel(g, Shape<Yes, Count1, R, A>.self)
    default: pairKernel(g, Shape<Yes, Count2, R, A>.self)
    }
  }
}

// MARK: - Shared pieces

/// Coefficient-space accumulators of one group: ρ_c and the upper triangle of C_cc' over the
/// coefficients c = R, A_0 … A_{k−1}, β (index 0, 1 + l, 1 + k).
struct CoefficientSums {
  var rho = InlineArray<6, Lanes>(repeating: Lanes.splat(0))
  var C = InlineArray<21, Lanes>(repeating: Lanes.splat(0))

  /// Index of (a, b), a ≤ b, in the upper triangle of a 6 × 6 matrix.
  @inline(__always) static func tri(_ a: Int, _ b: Int) -> Int { a * 6 - a * (a - 1) / 2 + (b - a) }
}

extension FastRuntime {
  /// ν with ν² − eν − cn = 0 (the stationary point of the bin; for n = 0, ν = e), the ratio
  /// n/ν and κ = 2(n/ν)/√(e² + 4cn); one square root and one division, roots without
  /// cancellation for either sign of e (a second division only when some lane has e < 0).
  @_transparent
  func stationaryPoint(e: Lanes, c: Lanes, n: Lanes, empty: Mask) -> (nu: Lanes, ratio: Lanes, kappa: Lanes) {
    let sq = (c * n * Lanes.splat(4)).fma(e, e).root()
    let t = e + sq
    let invQ = Lanes.splat(1) / (t * sq)
    var nu = Lanes.splat(0.5) * t
    var ratio = (n + n) * (sq * invQ)
    var kappa = Lanes.splat(2) * ratio * t * invQ
    let negative = e .< Lanes.splat(0)
    if any(negative) {
      // ν = 2cn/(√ − e), n/ν = (√ − e)/(2c), from one reciprocal of 2c(√ − e)√.
      let u = sq - e
      let t2 = (c + c) * u
      let inv2 = Lanes.splat(1) / (t2 * sq)
      nu = nu.or((c + c) * n * ((c + c) * sq * inv2), where: negative)
      let r2 = u * u * sq * inv2
      ratio = ratio.or(r2, where: negative)
      kappa = kappa.or(Lanes.splat(2) * r2 * t2 * inv2, where: negative)
    }
    nu = nu.or(e, where: empty)
    ratio = ratio.or(Lanes.splat(0), where: empty)
    kappa = kappa.or(Lanes.splat(0), where: empty)
    return (nu, ratio, kappa)
  }

  /// Adds the coefficient sums of a group to the class-space accumulators.
  func scatter(_ sums: CoefficientSums, classes: InlineArray<6, Int>, used: InlineArray<6, Bool>) {
    for a in 0..<6 where used[a] {
      let ca = classes[a]
      rho[ca] = rho[ca] + sums.rho[a]
      for b in a..<6 where used[b] {
        let cb = classes[b]
        let v = sums.C[CoefficientSums.tri(a, b)]
        cc[ca * J + cb] = cc[ca * J + cb] + v
        if a != b { cc[cb * J + ca] = cc[cb * J + ca] + v }
      }
    }
  }

  /// Which coefficients a shape has, and their classes.
  func coefficientClasses<S: KernelShape>(_ g: GroupRuntime, _: S.Type) -> (InlineArray<6, Int>, InlineArray<6, Bool>) {
    let k = S.singles + (S.pair ? 2 : 0)
    var classes = InlineArray<6, Int>(repeating: 0), used = InlineArray<6, Bool>(repeating: false)
    classes[0] = g.classR
    for l in 0..<k { classes[1 + l] = g.classA[l] }
    if S.pair { classes[1 + k] = g.classB }
    for a in 0..<6 { used[a] = S.uses(a) }
    return (classes, used)
  }
}

// MARK: - Bins without pairs: closed form

extension FastRuntime {
  /// One pass over a group of bins whose locals are single linear factors: for each bin the
  /// closed form γ_l = a_l − σ_l² A_l w, w = 1 − n/ν, ν² − (ν₀ − c)ν − cn = 0 with
  /// ν₀ = R + Σ A_l a_l, c = Σ σ_l² A_l² (stationarity of 2(ν − n ln ν) + Σ((γ_l − a_l)/σ_l)²);
  /// the bin's objective c w² + 2(ν − n ln ν); and its share of the Schur complement in
  /// coefficient space,
  ///
  ///     C_cc' += κ ỹ_c ỹ_c' − 2w² σ_l² A_l² [c = c' = A_l],   ρ_c += 2w Y_c,
  ///
  /// Y_R = R, Y_l = A_l γ_l, ỹ_l = A_l (γ_l − w σ_l² A_l) (the coefficients before the class
  /// product), κ = (2n/ν²)/(1 + c n/ν²) = 2(n/ν)/√(e² + 4cn) — the Sherman–Morrison form of the
  /// general Schur complement with H_ll = 2D⁻¹ + (2n/ν²)∇ν∇νᵀ.
  func singlesKernel<S: KernelShape>(_ g: GroupRuntime, _: S.Type) {
    typealias T = CoefficientSums
    let k = S.singles, F = FastField.count(k)
    let zero = Lanes.splat(0), two = Lanes.splat(2)
    let PR = classP[g.classR]
    var PA = InlineArray<4, Lanes>(repeating: zero)
    for l in 0..<k { PA[l] = classP[g.classA[l]] }
    var c = UnsafePointer(g.constants)
    var counts = UnsafePointer(laneN + g.nOffset), aux = UnsafePointer(laneAux + g.auxOffset)
    var wOut = laneW + g.nOffset
    var F0 = zero
    var sums = CoefficientSums()
    let anyFisher = any(fisher)
    var A = InlineArray<4, Lanes>(repeating: zero), z = A, gamma = A, yt = A  // slots 0 ..< k are set per bin
    for index in 0..<g.binCount {
      // The closed form: ν₀, c, the stationary ν and w, the locals.
      let n = counts.pointee, empty = n .== zero
      var nu0 = S.hasR ? PR * .splat(c[FastField.R()]) : zero, cv = zero
      for l in 0..<k {
        A[l] = PA[l] * .splat(c[FastField.A(l)])
        z[l] = A[l] * .splat(c[FastField.sig2(l, k)])
        nu0 = nu0.fma(A[l], aux[l])
        cv = cv.fma(z[l], A[l])
      }
      var (nu, ratio, kappa) = stationaryPoint(e: nu0 - cv, c: cv, n: n, empty: empty)
      var w = Lanes.splat(1) - ratio, nLog = n
      var bad = .!((nu .> zero) .| (empty .& (nu .>= zero)))
      for l in 0..<k {
        gamma[l] = aux[l] - z[l] * w
        bad = bad .| .!(gamma[l] .>= .splat(c[FastField.lower(l, k)])) .| .!(gamma[l] .<= .splat(c[FastField.upper(l, k)]))
      }
      wOut.pointee = w
      bad = bad .& live
      if any(bad) {  // these lanes' bin goes to the general engine; their contributions vanish
        divert(group: g, index: index, lanes: bad, w: wOut)
        (nu, nLog, w, cv, kappa) = (nu.or(zero, where: bad), nLog.or(zero, where: bad), w.or(zero, where: bad), cv.or(zero, where: bad), kappa.or(zero, where: bad))
        for l in 0..<k { (gamma[l], z[l]) = (gamma[l].or(zero, where: bad), z[l].or(zero, where: bad)) }
      }
      // The Schur complement in coefficient space (expected curvature for Fisher lanes).
      let w1 = w + w
      var w2sq = two * w * w
      for l in 0..<k {
        let coef = Lanes.splat(c[FastField.A(l)])
        sums.rho[1 + l] = sums.rho[1 + l].fma(w1, coef * gamma[l])
        yt[l] = coef * (gamma[l] - w * z[l])
      }
      if anyFisher {  // (2/ν)∇ν∇νᵀ: κ = 2/(ν + c), C = κ Y Yᵀ, no M term
        let f = fisher .& .!bad
        kappa = kappa.or(two / (nu + cv), where: f)
        w2sq = w2sq.or(zero, where: f)
        for l in 0..<k { yt[l] = yt[l].or(Lanes.splat(c[FastField.A(l)]) * gamma[l], where: f) }
      }
      let yR = S.hasR ? Lanes.splat(c[FastField.R()]) : zero
      if S.hasR { (sums.rho[0], sums.C[0]) = (sums.rho[0].fma(w1, yR), sums.C[0].fma(kappa * yR, yR)) }
      for l in 0..<k {
        let kyt = kappa * yt[l], d = T.tri(1 + l, 1 + l)
        sums.C[d] = sums.C[d].fma(kyt, yt[l]) - w2sq * .splat(c[FastField.q(l, k)])
        for l2 in (l + 1)..<max(l + 1, k) { sums.C[T.tri(1 + l, 1 + l2)] = sums.C[T.tri(1 + l, 1 + l2)].fma(kyt, yt[l2]) }
        if S.hasR { sums.C[T.tri(0, 1 + l)] = sums.C[T.tri(0, 1 + l)].fma(kyt, yR) }
      }
      F0 = F0.fma(cv * w, w) + binMainTerm(nu, nLog)
      c += F
      counts += 1
      aux += k
      wOut += 1
    }
    Ft = Ft + F0
    let (classes, used) = coefficientClasses(g, S.self)
    scatter(sums, classes: classes, used: used)
  }

  /// 2(ν − n ln ν) per lane (ν clamped to the smallest normal number, so that an empty lane
  /// with ν = 0 gives 0).
  @inline(__always)
  func binMainTerm(_ nu: Lanes, _ n: Lanes) -> Lanes {
    Lanes.splat(2) * (nu - n * laneLogNormal(nu.maximum(.splat(.leastNormalMagnitude))))
  }

  /// Sends lanes `lanes` of bin `index` of group `g` to the general engine
  /// (``slowBin(group:index:lanes:)``) and marks their w NaN (their locals are the slow
  /// solution's).
  @inline(__always)
  func divert(group g: GroupRuntime, index: Int, lanes: LaneMask, w: UnsafeMutablePointer<Lanes>) {
    slowBin(group: g, index: index, lanes: lanes)
    w.pointee = w.pointee.or(.splat(.nan), where: lanes)
  }
}
