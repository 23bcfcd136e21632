// libFuzzer target (make fuzz): the strict CSV reader behind event and histogram files. Any
// input must be read or refused with an error naming the file and line, never a crash.
// Compiled together with Sources/_Support.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let path = "/tmp/zptoys-fuzz-csv-\(getpid()).csv"
  FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size))
  defer { unlink(path) }
  for required in [["m2_recoil_gev2", "theta_cm_recoil_deg"], ["m2_low_gev2", "m2_high_gev2", "theta_low_deg", "theta_high_deg", "content"], []] {
    if let csv = try? NumericCSV(path: path, required: required) {
      for (r, row) in csv.rows.enumerated() where row.count != csv.header.count { fatalError("row \(r) has \(row.count) fields") }
    }
  }
  return 0
}
