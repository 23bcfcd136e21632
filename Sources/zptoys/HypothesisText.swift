import Foundation
import Results

/// How the commands print a hypothesis in their tables.
enum HypothesisText {
  /// A fixed-width column: the mass in GeV ("   2.3520"), or the patch's name.
  static func column(_ label: HypothesisLabel) -> String {
    if let m = label.mass { return String(format: "%9.4f", m) }
    return (label.patch?.name ?? "\(label.index)").padding(toLength: max(9, label.patch?.name.count ?? 0), withPad: " ", startingAt: 0)
  }
}
