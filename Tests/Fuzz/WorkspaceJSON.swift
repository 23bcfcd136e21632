// libFuzzer target (make fuzz): pyhf workspace JSON → Workspace → Model → a fit. Any input must
// give a model or a thrown WorkspaceError, never a crash. Compiled together with
// Sources/Likelihood by swiftc -sanitize=fuzzer,address.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWorkspaceJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Data(bytes: data, count: size)
  if let ws = try? Workspace.decode(bytes), let model = try? Model(workspace: ws) {
    _ = model.twiceNLL(model.initialValues, data: model.observedData)
    if model.parameterCount <= 64 && model.mainBinCount <= 64 {
      _ = Fitter(model: model).fit(data: model.observedData)
    }
  }
  return 0
}
