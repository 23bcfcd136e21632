import Foundation

/// histosys (pyhf `modifiers/histosys.py`): a shape systematic, the templates `hiData` and
/// `loData` at α = ±1 interpolated additively by code 4p (``Code4pInterpolation``); one
/// Gaussian-constrained parameter (aux 0, init 0, bounds [−5, 5]), shared with a normsys of the
/// same name.
public struct Histosys: ModifierType, Equatable {
  public static let typeName = "histosys"
  public static let sharesParametersWith: Set<String> = ["normsys"]

  public let hiData: [Double]
  public let loData: [Double]

  public init(hiData: [Double], loData: [Double]) {
    self.hiData = hiData
    self.loData = loData
  }

  enum Keys: String, CodingKey, CaseIterable { case hi_data, lo_data }

  public init(name: String, data container: KeyedDecodingContainer<ModifierKey>) throws {
    let d = try container.superDecoder(forKey: .data)
    try d.rejectUnknownKeys(Keys.self)
    let c = try d.container(keyedBy: Keys.self)
    self.init(hiData: try c.decode([Double].self, forKey: .hi_data), loData: try c.decode([Double].self, forKey: .lo_data))
  }

  public func encodeData(to container: inout KeyedEncodingContainer<ModifierKey>) throws {
    var d = container.nestedContainer(keyedBy: Keys.self, forKey: .data)
    try d.encode(hiData, forKey: .hi_data)
    try d.encode(loData, forKey: .lo_data)
  }

  public func validate(bins: Int, path: String) throws {
    try Self.checkPerBin(hiData, bins: bins, path: path + ".data.hi_data", what: "values")
    try Self.checkPerBin(loData, bins: bins, path: path + ".data.lo_data", what: "values")
  }

  public static func parameterSet(name: String, uses: [ModifierUse], in context: ModelContext) throws -> ParameterSetSpec {
    var s = try Normsys.parameterSet(name: name, uses: uses, in: context)
    s.types = [typeName]
    return s
  }

  public func effect(bin: Int, nominal: Double) -> Effect {
    .code4p(Code4pInterpolation(nominal: nominal, hi: hiData[bin], lo: loData[bin]))
  }
}

extension Modifier {
  public static func histosys(_ name: String, hi: [Double], lo: [Double]) -> Modifier {
    Modifier(name: name, Histosys(hiData: hi, loData: lo))
  }
}
