// libFuzzer target (make fuzz): experiment configuration YAML → ExperimentConfig → mass grid.
// Any input must give a configuration or a thrown ConfigError, never a crash. Compiled together
// with Sources/Experiment (and Yams).
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard let text = String(bytes: UnsafeBufferPointer(start: data, count: size), encoding: .utf8) else { return 0 }
  if let config = try? ExperimentConfig.parse(yaml: text, source: "fuzz.yaml") {
    _ = MassGrid(config: config).count
  }
  return 0
}
