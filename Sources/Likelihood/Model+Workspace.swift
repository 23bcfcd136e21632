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
      measurementName: b.measurementName, layout: b.layout)
  }
}

/// pyhf's modifier types in the order of `modifiers.histfactory_set`, which fixes the order of
/// the parameter sets (`_nominal_and_modifiers_from_spec`, step 5).
private let typeOrder = ["histosys", "lumi", "normfactor", "normsys", "shapefactor", "shapesys", "staterror"]

/// Python's `sorted` on strings: by Unicode code point.
private func pythonLess(_ a: String, _ b: String) -> Bool {
  a.unicodeScalars.lazy.map(\.value).lexicographicallyPrecedes(b.unicodeScalars.lazy.map(\.value))
}

private struct ModelBuilder {
  let ws: Workspace

  // channel order and bins
  var channelOrder: [Int] = []  // sorted position -> workspace channel index
  var channelNames: [String] = []
  var channelBins: [Range<Int>] = []
  var nMain = 0

  // parameters
  var sets: [ParameterSet] = []
  var parameterNames: [String] = []
  var inits: [Double] = []
  var lower: [Double] = []
  var upper: [Double] = []
  var fixed: [Bool] = []
  var poiIndex: Int?
  var measurementName = ""

  // constraints
  var aux: [Double] = []
  var constraints: [ConstraintTerm] = []
  var observed: [Double] = []
  var layout = Layout()

  init(workspace: Workspace) { ws = workspace }

  /// An occurrence of a modifier on a sample: workspace indices and the JSON path.
  struct Use {
    let channel: Int  // workspace index
    let sample: Int
    let modifier: Int
    var path: String { "channels[\(channel)].samples[\(sample)].modifiers[\(modifier)]" }
  }

  /// Everything pyhf's builders need to know about one parameter set before user configuration.
  struct SetSpec {
    var name: String
    var types: [String]
    var uses: [Use] = []
    var n = 1
    var isScalar = true
    var constraint: ParameterSet.ConstraintType = .unconstrained
    var inits: [Double] = []
    var bounds: [(Double, Double)] = []
    var fixed: [Bool] = []
    var auxdata: [Double] = []
    var sigmas: [Double] = []
    var factors: [Double] = []
    /// staterror: the sorted channel positions it covers, and the first parameter of each.
    var channelPositions: [Int] = []
    var channelOffset: [Int: Int] = [:]
    /// Which configuration keys the set accepts (pyhf: a key the modifier's `required_parset`
    /// does not define is refused).
    var accepts: Set<String> = ["inits", "bounds", "fixed"]
  }

  mutating func build(measurementName requested: String?) throws {
    // Measurement (pyhf `Workspace.get_measurement`).
    let mIndex: Int
    if let requested {
      guard let i = ws.measurements.firstIndex(where: { $0.name == requested }) else {
        throw WorkspaceError(
          path: "measurements",
          message: "no measurement named \"\(requested)\" (the workspace has \(ws.measurements.map { "\"\($0.name)\"" }.joined(separator: ", ")))")
      }
      mIndex = i
    } else {
      mIndex = 0
    }
    let measurement = ws.measurements[mIndex]
    measurementName = measurement.name

    // Channels and samples sorted by name (pyhf `mixins._ChannelSummaryMixin`).
    channelOrder = ws.channels.indices.sorted { pythonLess(ws.channels[$0].name, ws.channels[$1].name) }
    channelNames = channelOrder.map { ws.channels[$0].name }
    var start = 0
    for ci in channelOrder {
      let n = ws.channels[ci].samples[0].data.count
      channelBins.append(start..<(start + n))
      start += n
    }
    nMain = start
    let sampleNames = Set(ws.channels.flatMap { $0.samples.map(\.name) }).sorted(by: pythonLess)
    let sampleRank = Dictionary(uniqueKeysWithValues: sampleNames.enumerated().map { ($1, $0) })

    // Walk sorted channels x sorted samples x sorted (name, type) modifiers, as pyhf's step 3,
    // collecting parameter sets in first-appearance order per type.
    var firstByType: [String: [String]] = [:]
    var specs: [String: SetSpec] = [:]
    for (pos, ci) in channelOrder.enumerated() {
      let channel = ws.channels[ci]
      let samplesSorted = channel.samples.indices.sorted { sampleRank[channel.samples[$0].name]! < sampleRank[channel.samples[$1].name]! }
      for si in samplesSorted {
        let sample = channel.samples[si]
        let mods = sample.modifiers.indices.sorted {
          let a = sample.modifiers[$0], b = sample.modifiers[$1]
          return a.name == b.name ? pythonLess(a.type, b.type) : pythonLess(a.name, b.name)
        }
        for mi in mods {
          let m = sample.modifiers[mi]
          let use = Use(channel: ci, sample: si, modifier: mi)
          if specs[m.name] == nil {
            specs[m.name] = SetSpec(name: m.name, types: [])
          }
          if !specs[m.name]!.types.contains(m.type) {
            if let other = specs[m.name]!.types.first, Set([other, m.type]) != Set(["normsys", "histosys"]) {
              throw WorkspaceError(
                path: use.path,
                message: "modifier name \"\(m.name)\" is used by a \(other) and a \(m.type) modifier; pyhf lets only normsys and histosys share a parameter")
            }
            specs[m.name]!.types.append(m.type)
            if m.type != "staterror" { firstByType[m.type, default: []].append(m.name) }
          }
          specs[m.name]!.uses.append(use)
          if m.type == "staterror", !specs[m.name]!.channelPositions.contains(pos) {
            specs[m.name]!.channelPositions.append(pos)
          }
        }
      }
    }
    firstByType["staterror"] = specs.values.filter { $0.types == ["staterror"] }.map(\.name).sorted(by: pythonLess)
    var order: [String] = []
    var seen = Set<String>()
    for t in typeOrder {
      for name in firstByType[t] ?? [] where !seen.contains(name) {
        seen.insert(name)
        order.append(name)
      }
    }
    if order.isEmpty {
      throw WorkspaceError(path: "channels", message: "the model has no parameters (pyhf: \"No parameters specified for the Model.\")")
    }

    // Defaults of each set (the modifiers' `required_parset`).
    for name in order {
      var s = specs[name]!
      try fillDefaults(&s)
      specs[name] = s
    }

    // User configuration (pyhf `reduce_paramsets_requirements`); unknown names are ignored, as pyhf.
    let mp = "measurements[\(mIndex)].config"
    for (pi, config) in measurement.config.parameters.enumerated() {
      guard var s = specs[config.name], seen.contains(config.name) else { continue }
      try apply(config, to: &s, path: mp + ".parameters[\(pi)]")
      specs[config.name] = s
    }
    for name in order where specs[name]!.types == ["lumi"] {
      let s = specs[name]!
      if s.inits.isEmpty || s.bounds.isEmpty || s.auxdata.isEmpty {
        throw WorkspaceError(
          path: mp + ".parameters",
          message: "the lumi modifier needs a parameter configuration {\"name\": \"lumi\", \"auxdata\": [...], \"inits\": [...], \"bounds\": [[lo, hi]], \"sigmas\": [...]}")
      }
    }

    // Parameter vector and auxiliary data in par_order.
    var setIndex: [String: Int] = [:]
    var paramConstraint: [(kind: UInt8, aux: Int32, width: Double)] = []
    for name in order {
      let s = specs[name]!
      let range = parameterNames.count..<(parameterNames.count + s.n)
      setIndex[name] = sets.count
      sets.append(ParameterSet(name: name, modifierTypes: s.types, range: range, isScalar: s.isScalar, constraint: s.constraint))
      for i in 0..<s.n {
        parameterNames.append(s.isScalar ? name : "\(name)[\(i)]")
        inits.append(s.inits[i])
        lower.append(s.bounds[i].0)
        upper.append(s.bounds[i].1)
        fixed.append(s.fixed[i])
        switch s.constraint {
        case .unconstrained:
          paramConstraint.append((0, -1, 0))
        case .gaussian:
          let sigma = s.sigmas.isEmpty ? 1.0 : s.sigmas[i]
          constraints.append(ConstraintTerm(parameter: range.lowerBound + i, auxIndex: aux.count, constraint: .gaussian(sigma: sigma)))
          paramConstraint.append((1, Int32(aux.count), sigma))
          aux.append(s.auxdata[i])
        case .poisson:
          let tau = s.factors[i]
          constraints.append(ConstraintTerm(parameter: range.lowerBound + i, auxIndex: aux.count, constraint: .poisson(tau: tau)))
          paramConstraint.append((2, Int32(aux.count), tau))
          aux.append(s.auxdata[i])
        }
      }
    }

    // POI (pyhf `_ModelConfig.set_poi`).
    let poi = measurement.config.poi
    if !poi.isEmpty {
      guard let si = setIndex[poi] else {
        throw WorkspaceError(
          path: mp + ".poi",
          message: "the parameter of interest \"\(poi)\" is not a parameter of the model (sets: \(order.joined(separator: ", ")))")
      }
      if sets[si].range.count > 1 {
        throw WorkspaceError(
          path: mp + ".poi", message: "the parameter of interest \"\(poi)\" has \(sets[si].range.count) components; pyhf needs a scalar")
      }
      poiIndex = sets[si].range.lowerBound
    }

    // Observations in channel order.
    for ci in channelOrder {
      observed += ws.observations.first { $0.name == ws.channels[ci].name }!.data
    }

    // Terms of the compiled layout: bins of sorted channels, samples sorted, factors ordered as
    // pyhf multiplies them (lumi, normfactor, normsys, shapefactor, shapesys, staterror).
    layout.nPar = parameterNames.count
    layout.nMain = nMain
    layout.nAux = aux.count
    layout.constraintKind = paramConstraint.map(\.kind)
    layout.constraintAux = paramConstraint.map(\.aux)
    layout.constraintWidth = paramConstraint.map(\.width)
    var code4Index: [String: Int32] = [:]
    for (pos, ci) in channelOrder.enumerated() {
      let channel = ws.channels[ci]
      let samplesSorted = channel.samples.indices.sorted { sampleRank[channel.samples[$0].name]! < sampleRank[channel.samples[$1].name]! }
      for bin in 0..<channelBins[pos].count {
        let globalBin = channelBins[pos].lowerBound + bin
        for si in samplesSorted {
          let sample = channel.samples[si]
          let nominal = sample.data[bin]
          var factors: [(rank: Int, name: String, param: Int32, code4: Int32)] = []
          var adds: [(param: Int32, interp: Code4pInterpolation)] = []
          for m in sample.modifiers {
            let set = sets[setIndex[m.name]!]
            let first = set.range.lowerBound
            let rank = typeOrder.firstIndex(of: m.type)!
            switch m.kind {
            case .normfactor, .lumi:
              factors.append((rank, m.name, Int32(first), -1))
            case .shapefactor, .shapesys:
              factors.append((rank, m.name, Int32(first + bin), -1))
            case .staterror:
              let offset = specs[m.name]!.channelOffset[pos]!
              factors.append((rank, m.name, Int32(first + offset + bin), -1))
            case .normsys(let hi, let lo):
              let key = "\(hi.bitPattern)/\(lo.bitPattern)"
              if code4Index[key] == nil {
                code4Index[key] = Int32(layout.code4.count)
                layout.code4.append(Code4Interpolation(hi: hi, lo: lo))
              }
              factors.append((rank, m.name, Int32(first), code4Index[key]!))
            case .histosys(let hiData, let loData):
              adds.append((Int32(first), Code4pInterpolation(nominal: nominal, hi: hiData[bin], lo: loData[bin])))
            }
          }
          if nominal == 0 && adds.isEmpty { continue }  // contributes nothing for any θ
          factors.sort { $0.rank != $1.rank ? $0.rank < $1.rank : pythonLess($0.name, $1.name) }
          layout.termNominal.append(nominal)
          for f in factors {
            layout.factorParam.append(f.param)
            layout.factorCode4.append(f.code4)
          }
          for a in adds {
            layout.addParam.append(a.param)
            layout.addInterp.append(a.interp)
          }
          layout.termFactorStart.append(Int32(layout.factorParam.count))
          layout.termAddStart.append(Int32(layout.addParam.count))
        }
        precondition(layout.binTermStart.count == globalBin + 1)
        layout.binTermStart.append(Int32(layout.termNominal.count))
      }
    }
  }

  /// The defaults of pyhf's `required_parset` for each modifier type.
  func fillDefaults(_ s: inout SetSpec) throws {
    let type = s.types.contains("histosys") || s.types.contains("normsys") ? "normsys" : s.types[0]
    func nbins(_ u: Use) -> Int { ws.channels[u.channel].samples[u.sample].data.count }
    switch type {
    case "normsys":  // histosys and normsys: constrained_by_normal, aux 0, init 0, bounds (-5, 5)
      s.constraint = .gaussian
      s.inits = [0]
      s.bounds = [(-5, 5)]
      s.fixed = [false]
      s.auxdata = [0]
      s.accepts.formUnion(["auxdata"])
    case "lumi":  // everything from the measurement
      s.constraint = .gaussian
      s.fixed = [false]
      s.accepts.formUnion(["auxdata", "sigmas"])
    case "normfactor":
      s.inits = [1]
      s.bounds = [(0, 10)]
      s.fixed = [false]
    case "shapefactor":
      s.n = nbins(s.uses[0])
      s.isScalar = false
      for u in s.uses where nbins(u) != s.n {
        throw WorkspaceError(
          path: u.path,
          message: "shapefactor \"\(s.name)\" spans \(s.n) bins in \(s.uses[0].path) but \(nbins(u)) here; pyhf needs the same number of bins")
      }
      s.inits = Array(repeating: 1, count: s.n)
      s.bounds = Array(repeating: (0, 10), count: s.n)
      s.fixed = Array(repeating: false, count: s.n)
    case "shapesys":  // Poisson per bin, tau = (nominal/uncertainty)^2 where both are positive
      if s.uses.count > 1 {
        throw WorkspaceError(
          path: s.uses[1].path, message: "shapesys \"\(s.name)\" is used twice (also \(s.uses[0].path)); pyhf does not share shapesys parameters")
      }
      let u = s.uses[0]
      let sample = ws.channels[u.channel].samples[u.sample]
      guard case .shapesys(let unc) = sample.modifiers[u.modifier].kind else { fatalError("unreachable") }
      s.n = sample.data.count
      s.isScalar = false
      s.constraint = .poisson
      for (nom, d) in zip(sample.data, unc) {
        let valid = nom > 0 && d > 0
        let tau = valid ? (nom * nom) / (d * d) : 1.0
        s.factors.append(tau)
        s.auxdata.append(tau)
        s.fixed.append(!valid)
      }
      s.inits = Array(repeating: 1, count: s.n)
      s.bounds = Array(repeating: (1e-10, 10), count: s.n)
      s.accepts.formUnion(["auxdata", "factors"])
    case "staterror":
      try staterrorDefaults(&s)
      s.accepts.formUnion(["auxdata", "sigmas"])
    default:
      fatalError("unreachable: \(type)")
    }
  }

  /// staterror (pyhf `staterror.py`, `staterror_builder.finalize`): one Gaussian parameter per
  /// bin of the channels the modifier appears in, σ_b = sqrt(Σ_s δ_sb²)/Σ_s ν⁰_sb over the
  /// samples carrying this staterror name; σ = 0 bins are fixed (with σ set to 1).
  func staterrorDefaults(_ s: inout SetSpec) throws {
    // pyhf asserts every sample carrying the modifier does so in the same channels.
    var channelsOfSample: [String: Set<Int>] = [:]
    for u in s.uses {
      channelsOfSample[ws.channels[u.channel].samples[u.sample].name, default: []].insert(u.channel)
    }
    let reference = channelsOfSample[ws.channels[s.uses[0].channel].samples[s.uses[0].sample].name]!
    for u in s.uses {
      let name = ws.channels[u.channel].samples[u.sample].name
      if channelsOfSample[name]! != reference {
        throw WorkspaceError(
          path: u.path,
          message: "staterror \"\(s.name)\" covers different channels on different samples; pyhf needs the same channels for every sample carrying it")
      }
    }
    // Channel positions are already in sorted order (collected while walking sorted channels).
    var offset = 0
    s.isScalar = false
    s.constraint = .gaussian
    for pos in s.channelPositions {
      s.channelOffset[pos] = offset
      let ci = channelOrder[pos]
      let channel = ws.channels[ci]
      let carrying = channel.samples.indices.filter { si in
        channel.samples[si].modifiers.contains { $0.name == s.name && $0.type == "staterror" }
      }.sorted { pythonLess(channel.samples[$0].name, channel.samples[$1].name) }
      let nb = channel.samples[0].data.count
      for bin in 0..<nb {
        var nomsall = 0.0
        for si in carrying { nomsall += channel.samples[si].data[bin] }
        var relerr2 = 0.0
        for si in carrying {
          let sample = channel.samples[si]
          guard case .staterror(let unc) = sample.modifiers.first(where: { $0.name == s.name && $0.type == "staterror" })!.kind
          else { fatalError("unreachable") }
          if nomsall > 0 {
            let r = unc[bin] / nomsall
            relerr2 += r * r
          }
        }
        let sigma = relerr2.squareRoot()
        s.fixed.append(sigma == 0)
        s.sigmas.append(sigma == 0 ? 1.0 : sigma)
      }
      offset += nb
    }
    s.n = offset
    s.inits = Array(repeating: 1, count: s.n)
    s.bounds = Array(repeating: (1e-10, 10), count: s.n)
    s.auxdata = Array(repeating: 1, count: s.n)
  }

  /// Applies one measurement parameter configuration (pyhf `reduce_paramsets_requirements`).
  func apply(_ c: ParameterConfig, to s: inout SetSpec, path: String) throws {
    let kind = s.types.joined(separator: "+")
    func check(_ key: String, _ count: Int) throws {
      guard s.accepts.contains(key) else {
        throw WorkspaceError(path: path + ".\(key)", message: "parameter set \"\(s.name)\" (\(kind)) does not use \(key)")
      }
      if count != s.n {
        throw WorkspaceError(
          path: path + ".\(key)", message: "\(count) values for parameter set \"\(s.name)\" (\(kind)), which has \(s.n)")
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
    if let v = c.fixed { s.fixed = Array(repeating: v, count: s.n) }
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
}
