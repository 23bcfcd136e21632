// libFuzzer target (Validation/fuzz.sh): the study result files `zptoys merge` reads. Any input
// must decode as a Brazil, scan, look-elsewhere or coverage file and merge (alone, and with
// itself: a duplicate) or be refused with a StudyError, never crash. Compiled with the Studies
// module and its dependencies.
import Foundation
import Studies

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResultMerge(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Data(bytes: data, count: size)
  func attempt<S: StudyOutput>(_ type: S.Type) {
    if let merged = try? StudyFiles.merge(type, files: [("a.json", bytes)]) {
      _ = try? StudyFiles.merge(type, files: [("a.json", bytes), ("b.json", bytes)])
      _ = try? JSONEncoder().encode(merged)
    }
  }
  attempt(BrazilOutput.self)
  attempt(MassScanOutput.self)
  attempt(LookElsewhereOutput.self)
  attempt(CoverageOutput.self)
  return 0
}
