/// Physical constants and the defaults of the Belle II 2019–2020 running (natural units, GeV).
///
/// Masses from the Review of Particle Physics (PDG 2022). α is the Thomson-limit value
/// 1/137.036, the project's convention for the tree-level cross section; at √s = 10.58 GeV the
/// running α(s) ≈ 1/132 would raise σ ∝ α² by ≈ 7% — a choice, documented where σ is defined.
public enum PhysicalConstants {
  /// m_µ in GeV.
  public static let muonMass = 0.1056583755
  /// m_τ in GeV.
  public static let tauMass = 1.77686
  /// m_e in GeV.
  public static let electronMass = 0.51099895e-3
  /// α = 1/137.036 (the Thomson limit; the default of the tree-level σ).
  public static let fineStructure = 1 / 137.036
  /// (ħc)² in GeV²·fb: a cross section in GeV⁻² times this is in fb (0.3893793721 GeV² mb).
  public static let hbarCSquaredGeV2fb = 0.3893793721e12
  /// Belle II's c.m. energy at the Υ(4S), √s = 10.58 GeV (paper).
  public static let belleIISqrtS = 10.58
}
