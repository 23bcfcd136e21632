import Foundation
import Testing
import Experiment
import GSL
@testable import Generator

let config = try! ExperimentConfig.embeddedDefault()
let detector = DetectorModel(config: config)

/// The sampler of the configuration's background `name`.
func background(_ name: String) -> BackgroundSampler {
  BackgroundSampler(process: config.backgrounds.first { $0.name == name }!, config: config)
}

/// Draws `n` events of a sampler, with or without the acceptance.
func events(_ s: any TruthSampler, n: Int, key: UInt64, acceptance: Bool = true) throws -> [Event] {
  var out: [Event] = []
  out.reserveCapacity(n)
  try EventGenerator(detector: detector, sampler: s, applyAcceptance: acceptance).generate(count: n, rng: RandomStream(key: key)) { out.append($0) }
  return out
}

@Suite("Generator")
struct GeneratorTests {
  @Test("Smeared narrow signal: mean M²_Z′ and width σ(M²) (resolution curve)", arguments: [0.5, 2.0, 6.0])
  func signalSmearing(mass: Double) throws {
    // N = 200,000 events without acceptance: the mean has standard error σ/√N, the standard
    // deviation σ/√(2N) (0.16%). Tolerance: 5 standard errors.
    let n = 200_000
    let ev = try events(try SignalSampler(mass: mass, widthFraction: 0, config: config), n: n, key: 11, acceptance: false)
    let sigma = config.resolution.sigma(m2: mass * mass)
    let d = ev.map { $0.m2 - mass * mass }
    let mean = d.reduce(0, +) / Double(n)
    let sd = (d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot()
    #expect(abs(mean) < 5 * sigma / Double(n).squareRoot())
    #expect(abs(sd / sigma - 1) < 5 / Double(2 * n).squareRoot())
    #expect(ev.allSatisfy { $0.trueM2 == mass * mass })
  }

  @Test("Wide signal: the truth M² follows a Breit–Wigner of half-width M·Γ = F·M² (Cauchy tails)")
  func breitWignerTails() throws {
    // The truth M² − M²_Z′ is Cauchy with half-width γ = F·M², truncated to the physical range
    // L = −M²_Z′ < x < U = (√s − 2mµ)² − M²_Z′. With F(x) = 1/2 + atan(x/γ)/π,
    // P(|x| > kγ) = [F(−kγ) − F(L) + F(U) − F(kγ)] / [F(U) − F(L)] (each term clamped to the range).
    // Tolerance: 5 binomial standard deviations for N = 200,000.
    let mass = 3.0, f = 0.1, n = 200_000
    let ev = try events(try SignalSampler(mass: mass, widthFraction: f, config: config), n: n, key: 12, acceptance: false)
    let gamma = f * mass * mass
    let mmax = config.beams.sqrtS - 2 * SignalSampler.muonMass
    let lo = -mass * mass, hi = mmax * mmax - mass * mass
    func cdf(_ x: Double) -> Double { 0.5 + atan(x / gamma) / .pi }
    for k in [0.5, 1.0, 3.0, 10.0] {
      let frac = Double(ev.filter { abs($0.trueM2 - mass * mass) > k * gamma }.count) / Double(n)
      let below = max(0, cdf(max(-k * gamma, lo)) - cdf(lo))
      let above = max(0, cdf(hi) - cdf(min(k * gamma, hi)))
      let expected = (below + above) / (cdf(hi) - cdf(lo))
      let tol = 5 * (expected * (1 - expected) / Double(n)).squareRoot()
      #expect(abs(frac - expected) < tol, "k = \(k): \(frac) vs \(expected)")
    }
  }

  @Test("µµ(γ) bands sit where the gap angles and the boost put them")
  func bandPositions() throws {
    // Independent prediction: a gap photon of energy b at c.m. angle θ₂* plus a beam photon in
    // the opposite hemisphere with M² = 2ab(1 − cosα): tanθ_r = b sinθ₂* / (∓a + b cosθ₂*).
    let k = Kinematics(beams: config.beams)
    func bandTheta(gapLab: Double, b: Double, m2: Double) -> Double {
      let t2 = k.cmThetaOfMassless(labTheta: gapLab) * .pi / 180
      let forward = gapLab < 90
      let sign = forward ? -1.0 : 1.0
      let a = m2 / (2 * b * (1 - sign * cos(t2)))
      return atan2(b * sin(t2), sign * a + b * cos(t2)) * 180 / .pi
    }
    let s = background("mumu")
    let rng = RandomStream(key: 13)
    let c = config.calorimeter
    guard case .gapBands(let bands) = config.backgrounds[0].components[1].shape else {
      Issue.record("the default's µµ(γ) has no gap-band component"); return
    }
    let b = bands.gapPhotonEnergyRange
    var checked = 0
    for _ in 0..<200_000 {
      let t = s.draw(rng)
      guard t.component == 1, abs(t.m2 - 10) < 0.5 else { continue }
      let theta = acos(t.cosTheta) * 180 / .pi
      let fwd = [c.forwardEndcap.upperBound, c.barrel.lowerBound].flatMap { g in [b.lowerBound, b.upperBound].flatMap { e in [9.5, 10.5].map { bandTheta(gapLab: g, b: e, m2: $0) } } }
      let bwd = [c.barrel.upperBound, c.backwardEndcap.lowerBound].flatMap { g in [b.lowerBound, b.upperBound].flatMap { e in [9.5, 10.5].map { bandTheta(gapLab: g, b: e, m2: $0) } } }
      let inFwd = theta >= fwd.min()! - 1e-9 && theta <= fwd.max()! + 1e-9
      let inBwd = theta >= bwd.min()! - 1e-9 && theta <= bwd.max()! + 1e-9
      #expect(inFwd || inBwd, "θ = \(theta) outside both bands \(fwd.min()!)–\(fwd.max()!), \(bwd.min()!)–\(bwd.max()!)")
      checked += 1
    }
    #expect(checked > 1000)
    // At M² → 0 the bands start at the gaps' c.m. angles (≈ 41° and ≈ 141°).
    #expect(abs(bandTheta(gapLab: 31.8, b: 4, m2: 1e-6) - k.cmThetaOfMassless(labTheta: 31.8)) < 0.01)
  }

  @Test("A process of several components picks each with probability yield / total (µµ(γ): 60% gap bands)")
  func mixture() {
    // Binomial(100,000, 0.6): σ = 155; tolerance 5σ.
    let s = background("mumu")
    let rng = RandomStream(key: 18)
    let n = 100_000
    let bands = (0..<n).filter { _ in s.draw(rng).component == 1 }.count
    let expected = config.backgrounds[0].components[1].yield / config.backgrounds[0].totalYield * Double(n)
    #expect(abs(Double(bands) - expected) < 5 * (expected * (1 - expected / Double(n))).squareRoot())
  }

  @Test("Backgrounds live where the paper puts them")
  func backgroundRegions() throws {
    let ee = try events(background("eemumu"), n: 20_000, key: 14)
    #expect(Double(ee.filter { $0.m2 > 50 }.count) / 20_000 > 0.8)
    let tau = try events(background("tautau"), n: 20_000, key: 15)
    #expect(Double(tau.filter { $0.m2 < 50 }.count) / 20_000 > 0.9)
    let mm = try events(background("mumu"), n: 20_000, key: 16)
    #expect(mm.allSatisfy { $0.m2 < 60 })
    // Single-photon µµ(γ) below 4 GeV² passes only inside the barrel, outside the 89°–91° gap.
    for e in mm where e.m2 < 4 {
      #expect(e.thetaLab >= 34 && e.thetaLab <= 123 && !(89...91).contains(e.thetaLab))
    }
  }

  @Test("Same stream key → identical events; another seed → different events")
  func reproducibility() throws {
    let s = try SignalSampler(mass: 1.5, widthFraction: 0, config: config)
    let a = try events(s, n: 1000, key: StreamKey(seed: 1, study: .generate, massIndex: 3, toyIndex: 4).hash64)
    let b = try events(s, n: 1000, key: StreamKey(seed: 1, study: .generate, massIndex: 3, toyIndex: 4).hash64)
    let c = try events(s, n: 1000, key: StreamKey(seed: 2, study: .generate, massIndex: 3, toyIndex: 4).hash64)
    #expect(a == b)
    #expect(a != c)
  }

  @Test("Templates: the signal per fb is L·ε·acceptance inside the window; background windows are sums of global cells")
  func templates() throws {
    let settings = TemplateSettings(backgroundEvents: 50_000, signalEvents: 20_000)
    let w = detector.binning.window(100)
    let sig = try SignalTemplate(detector: detector, window: w, settings: settings)
    let expected = config.luminosity.integrated * sig.efficiency * sig.acceptance * sig.containment
    #expect(abs(sig.perFb.total - expected) < 1e-9 * expected)
    #expect(sig.containment > 0.99)  // ±10 resolution units hold the whole Gaussian
    // Total signal efficiency ≈ 5% (paper: "typically 5%").
    #expect(abs(sig.efficiency * sig.acceptance - 0.05) < 0.01)
    let bkg = try BackgroundSpectrum(detector: detector, settings: settings)
    let total = bkg.yields["mumu"]!.reduce(0, +)
    let mumuYield = config.backgrounds[0].totalYield
    #expect(total <= mumuYield * (1 + 1e-12))
    #expect(total > 0.95 * mumuYield)
    // Same settings on 1 or 2 threads: identical.
    let bkg1 = try BackgroundSpectrum(detector: detector, settings: TemplateSettings(backgroundEvents: 50_000, signalEvents: 20_000, threads: 1))
    let bkg2 = try BackgroundSpectrum(detector: detector, settings: TemplateSettings(backgroundEvents: 50_000, signalEvents: 20_000, threads: 2))
    #expect(bkg1.yields == bkg2.yields)
  }

  @Test("User histograms and event files: sampled, and bad files rejected with file and line")
  func userSources() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zpt-gen-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let hist = dir.appendingPathComponent("h.csv").path
    try "m2_low_gev2,m2_high_gev2,theta_low_deg,theta_high_deg,content\n1,2,0,90,30\n1,2,90,180,10\n".write(toFile: hist, atomically: true, encoding: .utf8)
    let src = try UserSource(path: hist)
    #expect(src.totalYield == 40)
    let s = try src.makeSampler()
    let rng = RandomStream(key: 17)
    var low = 0
    for _ in 0..<40_000 {
      let e = s.draw(rng)
      #expect(e.m2 >= 1 && e.m2 <= 2)
      if e.thetaCM < 90 { low += 1 }
    }
    // Binomial(40000, 0.75): σ = 86.6.
    #expect(abs(low - 30_000) < 5 * 87)
    let bad = dir.appendingPathComponent("bad.csv").path
    for (text, fragment) in [("m2_low_gev2,m2_high_gev2,theta_low_deg,theta_high_deg,content\n1,2,0,90,-3\n", "content must not be negative, got -3"),
                             ("m2_low_gev2,m2_high_gev2,theta_low_deg,theta_high_deg,content\n1,2,0,90\n", ":2: 4 fields"),
                             ("m2_recoil_gev2,theta_cm_recoil_deg\n1,nan\n", "not finite"),
                             ("m2_recoil_gev2,theta_cm_recoil_deg\n1,abc\n", "not a number"),
                             ("x,y\n1,2\n", "neither a histogram"),
                             ("", "empty")] {
      try text.write(toFile: bad, atomically: true, encoding: .utf8)
      do {
        _ = try UserSource(path: bad)
        Issue.record("accepted \(text)")
      } catch {
        #expect("\(error)".contains(fragment), "\(error)")
        #expect("\(error)".contains("bad.csv"))
      }
    }
    #expect(throws: (any Error).self) { try UserSource(path: dir.appendingPathComponent("missing.csv").path) }
  }
}
