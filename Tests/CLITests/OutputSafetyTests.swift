import Foundation
import Testing

/// No silent loss (issue 16 item 3): one run writes an output at a time, and a checkpoint is
/// continued or replaced only when asked.
@Suite("One writer per output, no checkpoint dropped")
struct OutputSafetyTests {
  /// A small look-elsewhere study (a few seconds in a debug build).
  static func lee(_ out: String, toys: Int = 4, _ extra: [String] = []) -> [String] {
    ["lee", "--toys", "\(toys)", "--block-size", "2", "--masses", "30-40", "--observed-z", "2.5", "--seed", "1",
     "--mc-background-events", "100000", "--mc-signal-events", "10000", "--threads", "1", "--no-progress", "--out", out] + extra
  }

  @Test("A second run on the same --out refuses and names the first (pid, host, start); a dead one's lock is stale")
  func secondWriterRefused() throws {
    let dir = try CLI.tempDir()
    let out = dir + "/lee.json"
    let first = Process()
    first.executableURL = URL(fileURLWithPath: CLI.binary)
    first.arguments = Self.lee(out, toys: 4000)
    first.standardOutput = FileHandle.nullDevice
    first.standardError = FileHandle.nullDevice
    try first.run()
    defer { if first.isRunning { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() } }
    // The first run takes the lock before its first task.
    let deadline = Date().addingTimeInterval(120)
    while !FileManager.default.fileExists(atPath: out + ".lock") && Date() < deadline && first.isRunning { usleep(50_000) }
    try #require(FileManager.default.fileExists(atPath: out + ".lock"), "the first run never took the lock")
    for extra in [["--resume"], ["--restart"]] {
      let second = try CLI.run(Self.lee(out, extra))
      #expect(second.status != 0, "\(extra): the second run did not refuse")
      #expect(second.stderr.contains("pid \(first.processIdentifier)") && second.stderr.contains("started"),
              "\(extra): the message does not name the first run: \(second.stderr)")
    }
    #expect(first.isRunning, "the second run disturbed the first")
    kill(first.processIdentifier, SIGKILL)
    first.waitUntilExit()
    // Killed: its lock stays behind, names a dead process on this host, and is replaced.
    #expect(FileManager.default.fileExists(atPath: out + ".lock"))
    let resumed = try CLI.run(Self.lee(out, ["--restart"]))
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stderr.contains("stale lock"), "\(resumed.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out + ".lock"), "the lock outlived the run")
    #expect(!FileManager.default.fileExists(atPath: out + ".partial"))
  }

  @Test("An existing checkpoint is never dropped silently: refused, continued with --resume or replaced with --restart")
  func checkpointKept() throws {
    let dir = try CLI.tempDir()
    let out = dir + "/lee.json"
    let checkpoint = "{\"not\": \"this study\"}\n{\"task\": 0}\n"
    try checkpoint.write(toFile: out + ".partial", atomically: true, encoding: .utf8)
    let refused = try CLI.run(Self.lee(out))
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("--resume") && refused.stderr.contains("--restart") && refused.stderr.contains("1 finished tasks"),
            "\(refused.stderr)")
    #expect(try String(contentsOfFile: out + ".partial", encoding: .utf8) == checkpoint, "the checkpoint was touched")
    #expect(!FileManager.default.fileExists(atPath: out + ".lock"), "a refused run left its lock")
    let resumed = try CLI.run(Self.lee(out, ["--resume"]))
    #expect(resumed.status != 0 && resumed.stderr.contains("not a ZPrimeToys checkpoint"), "\(resumed.stderr)")
    let both = try CLI.run(Self.lee(out, ["--resume", "--restart"]))
    #expect(both.status != 0 && both.stderr.contains("give one of them"), "\(both.stderr)")
    let restarted = try CLI.run(Self.lee(out, ["--restart"]))
    #expect(restarted.status == 0, "\(restarted.stderr)")
    #expect(FileManager.default.fileExists(atPath: out) && !FileManager.default.fileExists(atPath: out + ".partial"))
  }

  @Test("A lock from another host is never taken over")
  func foreignLock() throws {
    let dir = try CLI.tempDir()
    let out = dir + "/lee.json"
    let lock = #"{"pid": 4242, "host": "node-elsewhere", "started": "2026-01-01T00:00:00Z", "command": "zptoys lee"}"#
    try lock.write(toFile: out + ".lock", atomically: true, encoding: .utf8)
    let r = try CLI.run(Self.lee(out))
    #expect(r.status != 0 && r.stderr.contains("pid 4242 on node-elsewhere") && r.stderr.contains("remove"), "\(r.stderr)")
    #expect(FileManager.default.fileExists(atPath: out + ".lock"))
    #expect(!FileManager.default.fileExists(atPath: out))
  }
}
