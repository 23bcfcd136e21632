import Foundation

extension Model {
  /// Builds the likelihood of `workspace` for one measurement, following pyhf 0.7.6
  /// (`pdf.py` `_nominal_and_modifiers_from_spec`, `modifiers/*.py`, `parameters/utils.py`).
  ///
  /// - Parameters:
  ///   - workspace: a pyhf 1.0.0 workspace.
  ///   - measurement: the measurement's name; nil takes the first (as pyhf).
  /// - Throws: ``WorkspaceError`` naming the JSON path: unknown measurement, POI not in the
  ///   model, name reuse pyhf refuses, inconsistent staterror masks, parameter configurations of
  ///   the wrong length or for keys the modifier does not use, a lumi modifier without its
  ///   configuration, and everything ``Workspace/validate()`` checks.
  public convenience init(workspace: Workspace, measurement: String? = nil) throws {
    try workspace.validate()
    var b = ModelBuilder(workspace: workspace)
    try b.build(measurementName: measurement)
    self.init(
      parameterNames: b.parameterNames, parameterSets: b.sets, poiIndex: b.poiIndex, initialValues: b.inits,
      bounds: zip(b.lower, b.upper).map { $0...$1 }, fixedByDefault: b.fixed, channelNames: b.channelNames,
      channelBins: b.channelBins, observedMainData: b.observed, auxData: b.aux, constraints: b.constraints,
      measurementName: b.measurementName, terms: b.terms)
  }
}

/// The model's (sample, bin) terms as the workspace defines them: per main bin, the samples
/// (sorted, as pyhf) with a non-zero nominal or an additive modifier, each with its
/// multiplicative and additive modifier occurrences.
struct TermTable: Sendable {
  struct Occurrence: Sendable {
    let parameter: Int
    let effect: Effect
  }

  /// Terms of bin b: binStart[b] ..< binStart[b + 1].
  var binStart: [Int] = [0]
  var nominal: [Double] = []
  /// Sample (index into `sampleNames`) of each term, for messages.
  var sample: [Int] = []
  var sampleNames: [String] = []
  /// Multiplicative occurrences of term t: factorStart[t] ..< factorStart[t + 1], in pyhf's
  /// order of multiplication (by modifier type, then name).
  var factorStart: [Int] = [0]
  var factors: [Occurrence] = []
  var additiveStart: [Int] = [0]
  var additive: [Occurrence] = []

  var termCount: Int { nominal.count }
}

struct ModelBuilder {
  let ws: Workspace

  var context: ModelContext
  var channelNames: [String] = []
  var channelBins: [Range<Int>] = []
  var sampleRank: [String: Int] = [:]

  var sets: [ParameterSet] = []
  var specs: [String: ParameterSetSpec] = [:]
  var order: [String] = []
  var parameterNames: [String] = []
  var inits: [Double] = []
  var lower: [Double] = []
  var upper: [Double] = []
  var fixed: [Bool] = []
  var poiIndex: Int?
  var measurementName = ""

  var aux: [Double] = []
  var constraints: [ConstraintTerm] = []
  var observed: [Double] = []
  var terms = TermTable()

  init(workspace: Workspace) {
    ws = workspace
    context = ModelContext(workspace: workspace, channelOrder: [])
  }

  mutating func build(measurementName requested: String?) throws {
    let (mIndex, measurement) = try pickMeasurement(requested)
    measurementName = measurement.name
    orderChannels()
    try collectParameterSets()
    try configure(measurement, path: "measurements[\(mIndex)].config")
    makeParameters()
    try setPOI(measurement.config.poi, path: "measurements[\(mIndex)].config.poi")
    for ci in context.channelOrder {
      observed += ws.observations.first { $0.name == ws.channels[ci].name }!.data
    }
    makeTerms()
  }

  /// The measurement (pyhf `Workspace.get_measurement`): the named one, else the first.
  func pickMeasurement(_ requested: String?) throws -> (Int, Measurement) {
    guard let requested else { return (0, ws.measurements[0]) }
    guard let i = ws.measurements.firstIndex(where: { $0.name == requested }) else {
      throw WorkspaceError(
        path: "measurements",
        message: "no measurement named \"\(requested)\" (the workspace has \(ws.measurements.map { "\"\($0.name)\"" }.joined(separator: ", ")))")
    }
    return (i, ws.measurements[i])
  }

  /// Channels and samples sorted by name (pyhf `mixins._ChannelSummaryMixin`).
  mutating func orderChannels() {
    let channelOrder = ws.channels.indices.sorted { pythonLess(ws.channels[$0].name, ws.channels[$1].name) }
    context = ModelContext(workspace: ws, channelOrder: channelOrder)
    channelNames = channelOrder.map { ws.channels[$0].name }
    var start = 0
    for ci in channelOrder {
      let n = ws.channels[ci].samples[0].data.count
      channelBins.append(start..<(start + n))
      start += n
    }
    let sampleNames = Set(ws.channels.flatMap { $0.samples.map(\.name) }).sorted(by: pythonLess)
    sampleRank = Dictionary(uniqueKeysWithValues: sampleNames.enumerated().map { ($1, $0) })
    terms.sampleNames = sampleNames
  }

  func sortedSamples(_ channel: Channel) -> [Int] {
    channel.samples.indices.sorted { sampleRank[channel.samples[$0].name]! < sampleRank[channel.samples[$1].name]! }
  }

  /// Walks sorted channels × sorted samples × modifiers sorted by (name, type), as pyhf's step 3,
  /// collecting the uses of each modifier name; then each set's defaults from its type, and the
  /// order of the sets (by type in registry order, by first appearance or name within a type).
  mutating func collectParameterSets() throws {
    var uses: [String: [ModifierUse]] = [:]
    var types: [String: [String]] = [:]
    var firstAppearance: [String] = []
    var firstByType: [String: [String]] = [:]
    for (pos, ci) in context.channelOrder.enumerated() {
      let channel = ws.channels[ci]
      for si in sortedSamples(channel) {
        let sample = channel.samples[si]
        let mods = sample.modifiers.indices.sorted {
          let a = sample.modifiers[$0], b = sample.modifiers[$1]
          return a.name == b.name ? pythonLess(a.type, b.type) : pythonLess(a.name, b.name)
        }
        for mi in mods {
          let m = sample.modifiers[mi]
          let use = ModifierUse(channel: ci, sample: si, modifier: mi, channelPosition: pos)
          if uses[m.name] == nil { firstAppearance.append(m.name) }
          if types[m.name]?.contains(m.type) != true { firstByType[m.type, default: []].append(m.name) }
          try addType(m.type, of: m.name, to: &types, at: use)
          uses[m.name, default: []].append(use)
        }
      }
    }
    for name in firstAppearance {
      let t = ModifierRegistry.type(named: types[name]![0])!
      var spec = try t.parameterSet(name: name, uses: uses[name]!, in: context)
      spec.types = types[name]!
      specs[name] = spec
    }
    order = Self.setOrder(firstByType, types: types)
    if order.isEmpty {
      throw WorkspaceError(path: "channels", message: "the model has no parameters (pyhf: \"No parameters specified for the Model.\")")
    }
  }

  /// Records that modifier name `name` is used with type `type`; pyhf lets only types that
  /// declare it (normsys and histosys) share a name.
  func addType(_ type: String, of name: String, to types: inout [String: [String]], at use: ModifierUse) throws {
    var list = types[name] ?? []
    if list.contains(type) { return }
    if let other = list.first, !(ModifierRegistry.type(named: other)!.sharesParametersWith.contains(type)) {
      throw WorkspaceError(
        path: use.path,
        message: "modifier name \"\(name)\" is used by a \(other) and a \(type) modifier; pyhf lets only normsys and histosys share a parameter")
    }
    list.append(type)
    types[name] = list
  }

  /// pyhf's `par_order`: by type in registry order; within a type by first appearance of the
  /// (name, type) pair, or, for types that say so (staterror), the names of that type alone
  /// sorted by name.
  static func setOrder(_ firstByType: [String: [String]], types: [String: [String]]) -> [String] {
    var order: [String] = []
    var seen = Set<String>()
    for t in ModifierRegistry.types {
      let names = t.setsSortedByName
        ? types.keys.filter { types[$0]! == [t.typeName] }.sorted(by: pythonLess)
        : firstByType[t.typeName] ?? []
      for name in names where !seen.contains(name) {
        seen.insert(name)
        order.append(name)
      }
    }
    return order
  }

  /// The measurement's parameter configuration (pyhf `reduce_paramsets_requirements`); unknown
  /// names are ignored, as pyhf.
  mutating func configure(_ measurement: Measurement, path mp: String) throws {
    for (pi, config) in measurement.config.parameters.enumerated() {
      guard var s = specs[config.name] else { continue }
      try apply(config, to: &s, path: mp + ".parameters[\(pi)]")
      specs[config.name] = s
    }
    for name in order {
      let s = specs[name]!
      for type in s.types { try ModifierRegistry.type(named: type)!.checkConfigured(s, path: mp + ".parameters") }
    }
  }

  /// Applies one measurement parameter configuration (pyhf `reduce_paramsets_requirements`).
  func apply(_ c: ParameterConfig, to s: inout ParameterSetSpec, path: String) throws {
    let kind = s.types.joined(separator: "+")
    func check(_ key: String, _ count: Int) throws {
      guard s.accepts.contains(key) else {
        throw WorkspaceError(path: path + ".\(key)", message: "parameter set \"\(s.name)\" (\(kind)) does not use \(key)")
      }
      if count != s.count {
        throw WorkspaceError(
          path: path + ".\(key)", message: "\(count) values for parameter set \"\(s.name)\" (\(kind)), which has \(s.count)")
      }
    }
    if let v = c.inits {
      try check("inits", v.count)
      s.inits = v
    }
    if let v = c.bounds {
      try check("bounds", v.count)
      s.bounds = v.map { ($0[0], $0[1]) }
    }
    if let v = c.fixed { s.fixed = Array(repeating: v, count: s.count) }
    if let v = c.auxdata {
      try check("auxdata", v.count)
      s.auxdata = v
    }
    if let v = c.sigmas {
      try check("sigmas", v.count)
      s.sigmas = v
    }
    if let v = c.factors {
      try check("factors", v.count)
      s.factors = v
    }
  }

  /// The parameter vector and the auxiliary data in `par_order`.
  mutating func makeParameters() {
    for name in order {
      let s = specs[name]!
      let range = parameterNames.count..<(parameterNames.count + s.count)
      sets.append(ParameterSet(name: name, modifierTypes: s.types, range: range, isScalar: s.isScalar, constraint: s.constraint))
      for i in 0..<s.count {
        parameterNames.append(s.isScalar ? name : "\(name)[\(i)]")
        inits.append(s.inits[i])
        lower.append(s.bounds[i].0)
        upper.append(s.bounds[i].1)
        fixed.append(s.fixed[i])
        let p = range.lowerBound + i
        switch s.constraint {
        case .unconstrained:
          break
        case .gaussian:
          constraints.append(ConstraintTerm(parameter: p, auxIndex: aux.count, constraint: .gaussian(sigma: s.sigmas.isEmpty ? 1 : s.sigmas[i])))
          aux.append(s.auxdata[i])
        case .poisson:
          constraints.append(ConstraintTerm(parameter: p, auxIndex: aux.count, constraint: .poisson(tau: s.factors[i])))
          aux.append(s.auxdata[i])
        }
      }
    }
  }

  /// The parameter of interest (pyhf `_ModelConfig.set_poi`); "" means none.
  mutating func setPOI(_ poi: String, path: String) throws {
    if poi.isEmpty { return }
    guard let set = sets.first(where: { $0.name == poi }) else {
      throw WorkspaceError(
        path: path, message: "the parameter of interest \"\(poi)\" is not a parameter of the model (sets: \(order.joined(separator: ", ")))")
    }
    if set.range.count > 1 {
      throw WorkspaceError(path: path, message: "the parameter of interest \"\(poi)\" has \(set.range.count) components; pyhf needs a scalar")
    }
    poiIndex = set.range.lowerBound
  }

  /// The terms: bins of sorted channels, samples sorted, factors ordered as pyhf multiplies
  /// them (by modifier type in registry order, then name).
  mutating func makeTerms() {
    let first = Dictionary(uniqueKeysWithValues: sets.map { ($0.name, $0.range.lowerBound) })
    for (pos, ci) in context.channelOrder.enumerated() {
      let channel = ws.channels[ci]
      let samples = sortedSamples(channel)
      for bin in 0..<channelBins[pos].count {
        for si in samples {
          addTerm(channel: ci, position: pos, sample: si, bin: bin, first: first)
        }
        terms.binStart.append(terms.termCount)
      }
    }
  }

  mutating func addTerm(channel ci: Int, position pos: Int, sample si: Int, bin: Int, first: [String: Int]) {
    let sample = ws.channels[ci].samples[si]
    let nominal = sample.data[bin]
    var factors: [(rank: Int, name: String, occurrence: TermTable.Occurrence)] = []
    var adds: [TermTable.Occurrence] = []
    for (mi, m) in sample.modifiers.enumerated() {
      let use = ModifierUse(channel: ci, sample: si, modifier: mi, channelPosition: pos)
      let parameter = first[m.name]! + m.definition.parameterOffset(bin: bin, use: use, set: specs[m.name]!)
      let effect = m.definition.effect(bin: bin, nominal: nominal)
      let occurrence = TermTable.Occurrence(parameter: parameter, effect: effect)
      if effect.isAdditive {
        adds.append(occurrence)
      } else {
        factors.append((ModifierRegistry.rank(of: m.type), m.name, occurrence))
      }
    }
    if nominal == 0 && adds.isEmpty { return }  // contributes nothing for any θ
    factors.sort { $0.rank != $1.rank ? $0.rank < $1.rank : pythonLess($0.name, $1.name) }
    terms.nominal.append(nominal)
    terms.sample.append(sampleRank[sample.name]!)
    terms.factors += factors.map(\.occurrence)
    terms.additive += adds
    terms.factorStart.append(terms.factors.count)
    terms.additiveStart.append(terms.additive.count)
  }
}
