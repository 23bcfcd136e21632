// libFuzzer target (Validation/fuzz.sh): the result files `zptoys plot` and `zptoys report` read
// (Plotting's ResultFile) and the figures drawn from them. Any input must give a figure or a
// thrown error, never a crash. Compiled with the Plotting module.
import Foundation
import Plotting

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResultPlot(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Data(bytes: data, count: size)
  guard let content = try? ResultFile.decode(bytes, path: "fuzz.json") else { return 0 }
  for kind in PlotKind.kinds(for: content.kind) {
    if let figure = try? Plotter.figure(content, kind: kind, options: PlotOptions()) {
      _ = figure.svg()
    }
  }
  return 0
}
