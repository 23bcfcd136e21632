import Foundation
import Testing

/// A Python with uproot for the ROOT tests: $ZPTOYS_PYTHON, else the repository's
/// Validation/.venv (made by `make validate` from Validation/requirements.txt), if it imports
/// uproot.
let uprootPython: String? = {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  let candidates: [String?] = [ProcessInfo.processInfo.environment["ZPTOYS_PYTHON"], root.appendingPathComponent("Validation/.venv/bin/python").path]
  for case let c? in candidates where FileManager.default.isExecutableFile(atPath: c) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: c)
    p.arguments = ["-c", "import uproot, numpy"]
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { continue }
    p.waitUntilExit()
    if p.terminationStatus == 0 { return c }
  }
  return nil
}()

/// ROOT inputs through uproot (issue 15, item 2). Under CI=true a missing uproot fails the suite
/// instead of skipping it.
@Suite("ROOT inputs", .enabled(if: uprootPython != nil || ProcessInfo.processInfo.environment["CI"] == "true",
                               "no Python with uproot (make validate makes Validation/.venv with it; or set ZPTOYS_PYTHON)"))
struct RootInputTests {
  func python(_ script: String, in dir: String) throws {
    let python = try #require(uprootPython, "no Python with uproot and numpy")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: python)
    p.arguments = ["-c", script]
    p.currentDirectoryURL = URL(fileURLWithPath: dir)
    let err = Pipe()
    p.standardError = err
    try p.run()
    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "\(message)")
  }

  /// A TH2D with its Σw² written by uproot, and the same histogram as CSV (cells of the global
  /// grid and some straddling it), plus a TTree of weighted events and the same events as CSV.
  static let writer = """
    import numpy as np, uproot
    from uproot.writing.identify import to_TH2x, to_TAxis
    rng = np.random.default_rng(5)
    x = np.linspace(3.0, 4.5, 16); y = np.array([0.0, 40.0, 56.0, 90.0, 127.0, 180.0])
    vals = rng.uniform(0.0, 2.0, (len(x) - 1, len(y) - 1)); vals[3, 2] = 0.0
    sw2 = vals * rng.uniform(0.001, 0.05, vals.shape)
    def padded(a):
        full = np.zeros((a.shape[0] + 2, a.shape[1] + 2)); full[1:-1, 1:-1] = a
        return full.T.ravel().astype(">f8")
    h = to_TH2x(fName="mumu_h", fTitle="", data=padded(vals), fEntries=1000.0, fTsumw=vals.sum(), fTsumw2=sw2.sum(),
                fTsumwx=0.0, fTsumwx2=0.0, fTsumwy=0.0, fTsumwy2=0.0, fTsumwxy=0.0, fSumw2=padded(sw2),
                fXaxis=to_TAxis("xaxis", "", len(x) - 1, x[0], x[-1], fXbins=x), fYaxis=to_TAxis("yaxis", "", len(y) - 1, y[0], y[-1], fXbins=y))
    m2 = rng.uniform(3.0, 4.5, 3000); th = rng.uniform(0.0, 180.0, 3000); w = rng.normal(0.05, 0.02, 3000)
    with uproot.recreate("sim.root") as f:
        f["hists/mumu"] = h
        f.mktree("events", {"mm2": "f8", "thcm": "f8", "wt": "f8"})
        f["events"].extend({"mm2": m2, "thcm": th, "wt": w})
    with open("hist.csv", "w") as f:
        f.write("m2_low_gev2,m2_high_gev2,theta_low_deg,theta_high_deg,content,sumw2\\n")
        for i in range(len(x) - 1):
            for j in range(len(y) - 1):
                f.write(f"{x[i]!r},{x[i+1]!r},{y[j]!r},{y[j+1]!r},{vals[i, j]!r},{sw2[i, j]!r}\\n")
    with open("events.csv", "w") as f:
        f.write("m2_recoil_gev2,theta_cm_recoil_deg,weight\\n")
        for a, b, c in zip(m2, th, w):
            f.write(f"{a!r},{b!r},{c!r}\\n")
    """

  func templates(_ input: String, _ extra: [String] = [], in dir: String) throws -> [String: Any] {
    let r = try CLI.run(["templates", "--mass", "1.9", "--mc-background-events", "2000", "--mc-signal-events", "2000", "--input", input] + extra,
                        cwd: dir, environment: uprootPython.map { ["ZPTOYS_PYTHON": $0] } ?? [:])
    #expect(r.status == 0, "\(r.stderr)")
    return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
  }

  @Test("A ROOT TH2D (written by uproot) and the same histogram as CSV give identical templates; so do a TTree and its event CSV")
  func sameAsCSV() throws {
    let d = try CLI.tempDir()
    try python(Self.writer, in: d)
    let fromROOT = try templates("mumu=sim.root:hists/mumu", in: d)
    let fromCSV = try templates("mumu=hist.csv", in: d)
    let root = (fromROOT["backgrounds"] as? [String: Any])?["mumu"] as? [String: Any]
    let csv = (fromCSV["backgrounds"] as? [String: Any])?["mumu"] as? [String: Any]
    #expect(root != nil && NSDictionary(dictionary: root ?? [:]).isEqual(to: csv ?? ["x": 1]))
    #expect(((root?["sumw2"] as? [Double]) ?? []).contains { $0 > 0 })
    let tree = try templates("mumu=sim.root:events", ["--root-m2", "mm2", "--root-theta", "thcm", "--root-weight", "wt"], in: d)
    let events = try templates("mumu=events.csv", in: d)
    let t = (tree["backgrounds"] as? [String: Any])?["mumu"] as? [String: Any], e = (events["backgrounds"] as? [String: Any])?["mumu"] as? [String: Any]
    #expect(t != nil && NSDictionary(dictionary: t ?? [:]).isEqual(to: e ?? ["x": 1]))
  }

  @Test("A missing object, branch, Python or uproot is a clear error naming the input (and the install command)")
  func errors() throws {
    let d = try CLI.tempDir()
    try python(Self.writer, in: d)
    let env = uprootPython.map { ["ZPTOYS_PYTHON": $0] } ?? [:]
    func run(_ input: String, _ extra: [String] = [], env: [String: String]) throws -> CLI.Result {
      try CLI.run(["templates", "--mass", "1.9", "--mc-background-events", "2000", "--mc-signal-events", "2000", "--input", input, "--out", "t.json"] + extra,
                  cwd: d, environment: env)
    }
    let noObject = try run("mumu=sim.root:nothing", env: env)
    #expect(noObject.status != 0 && noObject.stderr.contains("sim.root has no object \"nothing\""), "\(noObject.stderr)")
    let noBranch = try run("mumu=sim.root:events", env: env)
    #expect(noBranch.status != 0 && noBranch.stderr.contains("no branch m2_recoil_gev2"), "\(noBranch.stderr)")
    let noPython = try run("mumu=sim.root:hists/mumu", env: ["ZPTOYS_PYTHON": "/nonexistent/python3"])
    #expect(noPython.status != 0 && noPython.stderr.contains("pip install uproot numpy"), "\(noPython.stderr)")
    // A Python that cannot import uproot: the same interpreter without site-packages.
    let wrapper = d + "/python-without-site"
    try "#!/bin/sh\nexec \(uprootPython ?? "python3") -S \"$@\"\n".write(toFile: wrapper, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
    let noUproot = try run("mumu=sim.root:hists/mumu", env: ["ZPTOYS_PYTHON": wrapper])
    #expect(noUproot.status != 0 && noUproot.stderr.contains("needs uproot and numpy") && noUproot.stderr.contains("pip install uproot numpy"), "\(noUproot.stderr)")
    #expect(!FileManager.default.fileExists(atPath: d + "/t.json"))
  }
}
