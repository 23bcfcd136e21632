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
  /// Runs the kernel of group `gi`'s shape; with `log`, Σ n ln ν too.
  func runGroup(_ gi: Int, log: Bool) {
    let key = groups[gi].key
    if key.hasR { runGroup(gi, key, Yes.self, log) } else { runGroup(gi, key, No.self, log) }
  }

  private func runGroup<R: StaticFlag>(_ gi: Int, _ key: FastShapeKey, _: R.Type, _ log: Bool) {
    let g = groups[gi]
    if key.pair {
      if key.partnerA { pairShape(g, key.singles, R.self, Yes.self, log) } else { pairShape(g, key.singles, R.self, No.self, log) }
      return
    }
    switch key.singles {
    case 0: singlesKernel(g, Shape<No, Count0, R, No>.self, log: log)
    case 1: singlesKernel(g, Shape<No, Count1, R, No>.self, log: log)
    case 2: singlesKernel(g, Shape<No, Count2, R, No>.self, log: log)
    case 3: singlesKernel(g, Shape<No, Count3, R, No>.self, log: log)
    default: singlesKernel(g, Shape<No, Count4, R, No>.self, log: log)
    }
  }

  private func pairShape<R: StaticFlag, A: StaticFlag>(_ g: GroupRuntime, _ singles: Int, _: R.Type, _: A.Type, _ log: Bool) {
    switch singles {
    case 0: pairKernel(g, Shape<Yes, Count0, R, A>.self, log: log)
    case 1: pairKernel(g, Shape<Yes, Count1, R, A>.self, log: log)
    default: pairKernel(g, Shape<Yes, Count2, R, A>.self, log: log)
    }
  }
}

// MARK: - Shared pieces

/// Coefficient-space accumulators of one group: ρ_c and the upper triangle of C_cc' over the
/// coefficients c = R, A_0 … A_3, β (index 0, 1 + l, 1 + k), in named fields: the kernels index
/// them with constants only, so after inlining every access is one register (an array would
/// live in memory).
struct CoefficientSums {
  var rho0 = Lanes.splat(0), rho1 = Lanes.splat(0), rho2 = Lanes.splat(0), rho3 = Lanes.splat(0), rho4 = Lanes.splat(0), rho5 = Lanes.splat(0)
  var c00, c01, c02, c03, c04, c05, c11, c12, c13, c14, c15, c22, c23, c24, c25, c33, c34, c35, c44, c45, c55: Lanes

  init() {
    let z = Lanes.splat(0)
    (c00, c01, c02, c03, c04, c05, c11, c12, c13, c14, c15, c22, c23, c24, c25, c33, c34, c35, c44, c45, c55) = (z, z, z, z, z, z, z, z, z, z, z, z, z, z, z, z, z, z, z, z, z)
  }

  /// ρ of coefficient `a`.
  subscript(rho a: Int) -> Lanes {
    @_transparent get {
      switch a {
      case 0: rho0
      case 1: rho1
      case 2: rho2
      case 3: rho3
      case 4: rho4
      default: rho5
      }
    }
    @_transparent set {
      switch a {
      case 0: rho0 = newValue
      case 1: rho1 = newValue
      case 2: rho2 = newValue
      case 3: rho3 = newValue
      case 4: rho4 = newValue
      default: rho5 = newValue
      }
    }
  }

  /// C of coefficients (a, b), a ≤ b.
  subscript(_ a: Int, _ b: Int) -> Lanes {
    @_transparent get {
      switch a &* 6 &+ b {
      case 0: c00
      case 1: c01
      case 2: c02
      case 3: c03
      case 4: c04
      case 5: c05
      case 7: c11
      case 8: c12
      case 9: c13
      case 10: c14
      case 11: c15
      case 14: c22
      case 15: c23
      case 16: c24
      case 17: c25
      case 21: c33
      case 22: c34
      case 23: c35
      case 28: c44
      case 29: c45
      case 35: c55
      default: Lanes.splat(0)
      }
    }
    @_transparent set {
      switch a &* 6 &+ b {
      case 0: c00 = newValue
      case 1: c01 = newValue
      case 2: c02 = newValue
      case 3: c03 = newValue
      case 4: c04 = newValue
      case 5: c05 = newValue
      case 7: c11 = newValue
      case 8: c12 = newValue
      case 9: c13 = newValue
      case 10: c14 = newValue
      case 11: c15 = newValue
      case 14: c22 = newValue
      case 15: c23 = newValue
      case 16: c24 = newValue
      case 17: c25 = newValue
      case 21: c33 = newValue
      case 22: c34 = newValue
      case 23: c35 = newValue
      case 28: c44 = newValue
      case 29: c45 = newValue
      case 35: c55 = newValue
      default: break
      }
    }
  }

  /// C[a, b] += x·y.
  @_transparent mutating func add(_ a: Int, _ b: Int, _ x: Lanes, _ y: Lanes) { self[a, b] = self[a, b].fma(x, y) }
  /// ρ[a] += x·y.
  @_transparent mutating func addRho(_ a: Int, _ x: Lanes, _ y: Lanes) { self[rho: a] = self[rho: a].fma(x, y) }
}

/// Up to six per-slot (or per-coefficient) vectors in named fields (indexed by constants only;
/// see ``CoefficientSums``).
struct SlotLanes {
  var s0 = Lanes.splat(0), s1 = Lanes.splat(0), s2 = Lanes.splat(0), s3 = Lanes.splat(0), s4 = Lanes.splat(0), s5 = Lanes.splat(0)

  subscript(_ l: Int) -> Lanes {
    @_transparent get {
      switch l {
      case 0: s0
      case 1: s1
      case 2: s2
      case 3: s3
      case 4: s4
      default: s5
      }
    }
    @_transparent set {
      switch l {
      case 0: s0 = newValue
      case 1: s1 = newValue
      case 2: s2 = newValue
      case 3: s3 = newValue
      case 4: s4 = newValue
      default: s5 = newValue
      }
    }
  }
}

/// One single-locals bin of a pass: ν₀ = R + Σ A_l a_l, c = Σ σ_l²A_l², w, and per slot z_l and
/// γ_l.
struct SinglesBin {
  var nu0 = Lanes.splat(0), cv = Lanes.splat(0), w = Lanes.splat(0)
  var z = SlotLanes(), gamma = SlotLanes()

  /// The lanes of `mask` contribute nothing (their bin went to the general engine).
  @_transparent mutating func clear(_ mask: LaneMask) {
    let zero = Lanes.splat(0)
    (w, cv) = (w.or(zero, where: mask), cv.or(zero, where: mask))
    (z.s0, z.s1, z.s2, z.s3) = (z.s0.or(zero, where: mask), z.s1.or(zero, where: mask), z.s2.or(zero, where: mask), z.s3.or(zero, where: mask))
    (gamma.s0, gamma.s1, gamma.s2, gamma.s3) = (
      gamma.s0.or(zero, where: mask), gamma.s1.or(zero, where: mask), gamma.s2.or(zero, where: mask), gamma.s3.or(zero, where: mask)
    )
  }
}

extension FastRuntime {
  /// ν with ν² − eν − cn = 0 (the stationary point of the bin; for n = 0, ν = e), the ratio
  /// n/ν and κ = 2(n/ν)/√(e² + 4cn); one square root and one division, roots without
  /// cancellation for either sign of e (a second division only when some lane has e < 0):
  /// with t = e + √, ν = t/2, κ = 4n/(t√) and n/ν = κ√/2.
  @_transparent
  func stationaryPoint(e: Lanes, c: Lanes, n: Lanes, empty: Mask) -> (nu: Lanes, ratio: Lanes, kappa: Lanes) {
    let n4 = (n + n) + (n + n)
    let sq = (c * n4).fma(e, e).root()
    let t = e + sq
    let inv = Lanes.splat(1) / (t * sq)
    var nu = Lanes.splat(0.5) * t
    var kappa = n4 * inv
    var ratio = Lanes.splat(0.5) * (kappa * sq)
    let negative = e .< Lanes.splat(0)
    if anyLane(negative) {
      // u = √ − e: ν = 2cn/u, n/ν = u/(2c), κ = u/(c√), from one reciprocal of c·u·√.
      let u = sq - e
      let inv2 = Lanes.splat(1) / (c * u * sq)
      nu = nu.or((c + c) * (c * n) * (sq * inv2), where: negative)
      ratio = ratio.or(Lanes.splat(0.5) * (u * u) * (sq * inv2), where: negative)
      kappa = kappa.or((u * u) * inv2, where: negative)
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
      rho[ca] = rho[ca] + sums[rho: a]
      for b in a..<6 where used[b] {
        let cb = classes[b]
        let v = sums[a, b]
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
  /// the bin's objective c w² + 2(ν − n ln ν) (the logarithm only with `log`; ν is kept for the
  /// lane's final −2 ln L); and its share of the Schur complement in coefficient space,
  ///
  ///     C_cc' += κ ỹ_c ỹ_c' − 2w² σ_l² A_l² [c = c' = A_l],   ρ_c += 2w Y_c,
  ///
  /// Y_R = R, Y_l = A_l γ_l, ỹ_l = A_l (γ_l − w σ_l² A_l) (the coefficients before the class
  /// product), κ = (2n/ν²)/(1 + c n/ν²) = 2(n/ν)/√(e² + 4cn) — the Sherman–Morrison form of the
  /// general Schur complement with H_ll = 2D⁻¹ + (2n/ν²)∇ν∇νᵀ.
  func singlesKernel<S: KernelShape>(_ g: GroupRuntime, _: S.Type, log: Bool) {
    let F = FastField.count(S.singles)
    let zero = Lanes.splat(0)
    // Every per-slot step below is written out for slots 0…3 with literal indices (a loop over
    // the slots is not unrolled reliably, and then indexes the named fields at run time).
    let k = S.singles
    var P = SlotLanes()
    if k > 0 { P.s0 = classP[g.classA[0]] }
    if k > 1 { P.s1 = classP[g.classA[1]] }
    if k > 2 { P.s2 = classP[g.classA[2]] }
    if k > 3 { P.s3 = classP[g.classA[3]] }
    let PR = classP[g.classR]
    var c = UnsafePointer(g.constants)
    var counts = UnsafePointer(laneN + g.nOffset), aux = UnsafePointer(laneAux + g.auxOffset)
    var wOut = laneW + g.nOffset, nuOut = laneNu + g.nOffset
    var F0 = zero, L0 = zero
    var sums = CoefficientSums()
    let live = self.live, anyFisher = anyLane(fisher), fisher = self.fisher
    for index in 0..<g.binCount {
      let n = counts.pointee, empty = n .== zero
      var s = SinglesBin()
      s.nu0 = S.hasR ? PR * .splat(c[FastField.R()]) : zero
      if k > 0 { singlesCoefficients(&s, 0, P: P.s0, a: aux[0], c: c, S.self) }
      if k > 1 { singlesCoefficients(&s, 1, P: P.s1, a: aux[1], c: c, S.self) }
      if k > 2 { singlesCoefficients(&s, 2, P: P.s2, a: aux[2], c: c, S.self) }
      if k > 3 { singlesCoefficients(&s, 3, P: P.s3, a: aux[3], c: c, S.self) }
      var (nu, ratio, kappa) = stationaryPoint(e: s.nu0 - s.cv, c: s.cv, n: n, empty: empty)
      s.w = Lanes.splat(1) - ratio
      var nLog = n
      var bad = .!((nu .> zero) .| (empty .& (nu .>= zero)))
      if k > 0 { bad = bad .| singlesLocal(&s, 0, a: aux[0], c: c, S.self) }
      if k > 1 { bad = bad .| singlesLocal(&s, 1, a: aux[1], c: c, S.self) }
      if k > 2 { bad = bad .| singlesLocal(&s, 2, a: aux[2], c: c, S.self) }
      if k > 3 { bad = bad .| singlesLocal(&s, 3, a: aux[3], c: c, S.self) }
      wOut.pointee = s.w
      bad = bad .& live
      if anyLane(bad) {  // these lanes' bin goes to the general engine; their contributions vanish
        divert(group: g, index: index, lanes: bad, w: wOut)
        (nu, nLog, kappa) = (nu.or(zero, where: bad), nLog.or(zero, where: bad), kappa.or(zero, where: bad))
        s.clear(bad)
        nuOut.pointee = nu.or(.splat(1), where: bad)
      } else {
        nuOut.pointee = nu
      }
      if anyFisher {
        let f = fisher .& .!bad
        singlesSchur(&sums, s, c: c, kappa: kappa.or(Lanes.splat(2) / (nu + s.cv), where: f), fisher: f, S.self)
      } else {
        singlesSchur(&sums, s, c: c, kappa: kappa, fisher: nil, S.self)
      }
      F0 = (F0 + (nu + nu)).fma(s.cv * s.w, s.w)
      if log { L0 = L0.fma(nLog, laneLogNormal(nu.maximum(.splat(.leastNormalMagnitude)))) }
      c += F
      counts += 1
      aux += k
      wOut += 1
      nuOut += 1
    }
    binsNoLog = binsNoLog + F0
    binsLog = binsLog + L0
    let (classes, used) = coefficientClasses(g, S.self)
    scatter(sums, classes: classes, used: used)
  }

  /// Slot l's coefficient A_l = P_l A_l⁰, z_l = σ_l² A_l, and its shares of ν₀ and c.
  @_transparent
  func singlesCoefficients<S: KernelShape>(_ s: inout SinglesBin, _ l: Int, P: Lanes, a: Lanes, c: UnsafePointer<Double>, _: S.Type) {
    let A = P * .splat(c[FastField.A(l)])
    let z = A * .splat(c[FastField.sig2(l, S.singles)])
    s.z[l] = z
    s.nu0 = s.nu0.fma(A, a)
    s.cv = s.cv.fma(z, A)
  }

  /// Slot l's local γ_l = a_l − z_l w; the lanes where it leaves its bounds.
  @_transparent
  func singlesLocal<S: KernelShape>(_ s: inout SinglesBin, _ l: Int, a: Lanes, c: UnsafePointer<Double>, _: S.Type) -> LaneMask {
    let k = S.singles
    let g = a.fms(s.z[l], s.w)
    s.gamma[l] = g
    return .!(g .>= .splat(c[FastField.lower(l, k)])) .| .!(g .<= .splat(c[FastField.upper(l, k)]))
  }

  /// A single-locals bin's share of the coefficient-space sums (see ``singlesKernel(_:_:log:)``);
  /// for the lanes in `fisher` the expected curvature (2/ν)∇ν∇νᵀ: κ = 2/(ν + c) (given), ỹ = Y,
  /// no M term.
  @_transparent
  func singlesSchur<S: KernelShape>(
    _ sums: inout CoefficientSums, _ s: SinglesBin, c: UnsafePointer<Double>, kappa: Lanes, fisher: LaneMask?, _: S.Type
  ) {
    let k = S.singles
    let w1 = s.w + s.w
    var w2sq = w1 * s.w
    if let f = fisher { w2sq = w2sq.or(.splat(0), where: f) }
    var yt = SlotLanes()
    if k > 0 { singlesSlot(&sums, &yt, s, 0, c: c, w1: w1, w2sq: w2sq, kappa: kappa, fisher: fisher, S.self) }
    if k > 1 {
      singlesSlot(&sums, &yt, s, 1, c: c, w1: w1, w2sq: w2sq, kappa: kappa, fisher: fisher, S.self)
      sums.add(1, 2, kappa * yt.s0, yt.s1)
    }
    if k > 2 {
      singlesSlot(&sums, &yt, s, 2, c: c, w1: w1, w2sq: w2sq, kappa: kappa, fisher: fisher, S.self)
      (sums.c13, sums.c23) = (sums.c13.fma(kappa * yt.s0, yt.s2), sums.c23.fma(kappa * yt.s1, yt.s2))
    }
    if k > 3 {
      singlesSlot(&sums, &yt, s, 3, c: c, w1: w1, w2sq: w2sq, kappa: kappa, fisher: fisher, S.self)
      (sums.c14, sums.c24, sums.c34) = (sums.c14.fma(kappa * yt.s0, yt.s3), sums.c24.fma(kappa * yt.s1, yt.s3), sums.c34.fma(kappa * yt.s2, yt.s3))
    }
    if S.hasR {
      let yR = Lanes.splat(c[FastField.R()])
      sums.addRho(0, w1, yR)
      sums.add(0, 0, kappa * yR, yR)
    }
  }

  /// Slot l's share: ρ_l += 2w Y_l, ỹ_l (into `yt`), C_ll += κỹ_l² − 2w²σ_l²A_l⁰², C_Rl += κỹ_l R⁰.
  @_transparent
  func singlesSlot<S: KernelShape>(
    _ sums: inout CoefficientSums, _ yt: inout SlotLanes, _ s: SinglesBin, _ l: Int, c: UnsafePointer<Double>, w1: Lanes,
    w2sq: Lanes, kappa: Lanes, fisher: LaneMask?, _: S.Type
  ) {
    let coef = Lanes.splat(c[FastField.A(l)])
    let Y = coef * s.gamma[l]
    sums.addRho(1 + l, w1, Y)
    var y = coef * s.gamma[l].fms(s.w, s.z[l])
    if let f = fisher { y = y.or(Y, where: f) }
    yt[l] = y
    let ky = kappa * y
    sums[1 + l, 1 + l] = sums[1 + l, 1 + l].fma(ky, y).fms(w2sq, .splat(c[FastField.q(l, S.singles)]))
    if S.hasR { sums.add(0, 1 + l, ky, .splat(c[FastField.R()])) }
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
