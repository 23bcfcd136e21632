// libFuzzer target (Validation/fuzz.sh): the Brazil file `zptoys couplings` reads
// (CouplingsCommand.readInput). Any input must give the masses and limits or a CLIError, never a
// crash. Compiled with Sources/zptoys/CouplingsCommand.swift and what it uses.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCouplingsInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let path = "/tmp/zptoys-fuzz-couplings-\(getpid()).json"
  FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size))
  defer { unlink(path) }
  _ = try? CouplingsCommand.readInput(path: path)
  return 0
}

// The number formatting CouplingsCommand uses (Sources/zptoys/ConfigCommand.swift, not compiled here).
func fmt(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)g", x) }
