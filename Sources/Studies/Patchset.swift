import Foundation
import Inference
import Likelihood
import Results
import _Support

/// A published likelihood in the form HEPData publishes it: a background-only pyhf workspace and
/// a pyhf patchset (`pyhf/schemas/1.0.0/defs.json#/definitions/patchset`), whose patches are JSON
/// Patch operations that add each signal hypothesis to the workspace. Read strictly (the schema's
/// required keys, names and values unique, one value per label); the patchset's digests of the
/// background-only workspace (sha256 and/or md5 of Python's `json.dumps(ws, sort_keys=True,
/// ensure_ascii=False)`, `pyhf.utils.digest`) must match the workspace given, as `pyhf patchset
/// apply` requires.
public struct Patchset: Sendable {
  public struct Patch: Sendable {
    public let label: PatchLabel
    public let operations: [JSONPatchOperation]
  }

  public let record: PublishedLikelihood
  public let base: JSONTree
  public let patches: [Patch]
  public let description: String
  /// SHA-256 of the two files' bytes together (the study identity's `configuration_sha256`).
  public let sha256: String

  /// Reads and checks the background-only workspace `workspace` and the patchset `patchset`.
  ///
  /// - Throws: ``StudyError`` naming the file and the key (an unreadable file, invalid JSON, a
  ///   patchset that breaks the schema, a digest that does not match).
  public init(workspace: String, patchset: String) throws {
    let wsData = try Self.contents(workspace), psData = try Self.contents(patchset)
    base = try Self.parse(wsData, path: workspace)
    guard base.isObject else { throw StudyError("\(workspace): a workspace is a JSON object, got \(base.typeName)") }
    let ps = try Self.parse(psData, path: patchset)
    let metadata = try Self.checkTop(ps, path: patchset)
    let labels = try Self.labels(metadata, path: patchset)
    patches = try Self.readPatches(ps, labels: labels.count, path: patchset)
    description = metadata["description"]?.string ?? ""
    let name = metadata["references"]?["hepdata"]?.string ?? (patchset as NSString).lastPathComponent
    record = PublishedLikelihood(workspace: FileRecord(file: workspace, sha256: SHA256.hex(wsData)),
                                 patchset: FileRecord(file: patchset, sha256: SHA256.hex(psData)), name: name, labels: labels)
    sha256 = SHA256.hex(wsData + psData)
    try Self.verifyDigests(metadata, base: base, workspace: workspace, patchset: patchset)
  }

  static func contents(_ path: String) throws -> Data {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw StudyError("\(path): no such file") }
    guard !isDir.boolValue else { throw StudyError("\(path) is a folder, not a JSON file") }
    guard let d = FileManager.default.contents(atPath: path) else { throw StudyError("\(path): cannot be read (permissions?)") }
    return d
  }

  static func parse(_ data: Data, path: String) throws -> JSONTree {
    do { return try JSONTree.parse(data) } catch let e as JSONSyntaxError { throw StudyError("\(path) is not valid JSON: \(e)") }
  }

  /// The top level: `metadata`, `patches`, `version` 1.0.0 and nothing else; returns metadata.
  static func checkTop(_ ps: JSONTree, path: String) throws -> JSONTree {
    guard case .object(let top) = ps else { throw StudyError("\(path): a patchset is a JSON object, got \(ps.typeName)") }
    for m in top where !["metadata", "patches", "version"].contains(m.key) {
      throw StudyError("\(path): unknown key \(m.key) (a patchset has metadata, patches and version)")
    }
    guard ps["version"]?.string == "1.0.0" else { throw StudyError("\(path): version must be \"1.0.0\" (pyhf's patchset schema)") }
    guard let metadata = ps["metadata"], metadata.isObject else { throw StudyError("\(path): metadata: an object is required") }
    for key in ["references", "digests", "labels", "description"] where metadata[key] == nil {
      throw StudyError("\(path): metadata.\(key) is required (pyhf's patchset schema)")
    }
    guard metadata["description"]?.string != nil else { throw StudyError("\(path): metadata.description must be a string") }
    return metadata
  }

  static func labels(_ metadata: JSONTree, path: String) throws -> [String] {
    guard let list = metadata["labels"]?.array, !list.isEmpty else { throw StudyError("\(path): metadata.labels must be a non-empty list") }
    return try list.enumerated().map { k, v in
      guard let s = v.string, Self.isName(s) else { throw StudyError("\(path): metadata.labels[\(k)] must be a name of letters, digits and _") }
      return s
    }
  }

  static func isName(_ s: String) -> Bool { !s.isEmpty && s.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") } }

  static func readPatches(_ ps: JSONTree, labels: Int, path: String) throws -> [Patch] {
    guard let list = ps["patches"]?.array, !list.isEmpty else { throw StudyError("\(path): patches must be a non-empty list") }
    var names = Set<String>(), values: [[PatchValue]] = []
    return try list.enumerated().map { k, p in
      let at = "\(path): patches[\(k)]"
      guard case .object(let members) = p else { throw StudyError("\(at) must be an object") }
      for m in members where !["metadata", "patch"].contains(m.key) { throw StudyError("\(at): unknown key \(m.key) (a patch has metadata and patch)") }
      guard let name = p["metadata"]?["name"]?.string, isName(name) else { throw StudyError("\(at).metadata.name must be a name of letters, digits and _") }
      guard let raw = p["metadata"]?["values"]?.array else { throw StudyError("\(at).metadata.values: a list is required") }
      let v = try raw.enumerated().map { j, x -> PatchValue in
        if let n = x.number { return .number(n) }
        if let s = x.string { return .string(s) }
        throw StudyError("\(at).metadata.values[\(j)] must be a number or a string, got \(x.typeName)")
      }
      guard v.count == labels else { throw StudyError("\(at) (\(name)): \(v.count) values for \(labels) labels") }
      guard names.insert(name).inserted else { throw StudyError("\(at): the name \(name) is used by another patch") }
      guard !values.contains(v) else { throw StudyError("\(at) (\(name)): its values are another patch's") }
      values.append(v)
      guard let ops = p["patch"]?.array else { throw StudyError("\(at) (\(name)).patch: a list of JSON Patch operations is required") }
      let operations = try ops.enumerated().map { j, o in
        do { return try JSONPatchOperation(o, at: "patch[\(j)]") } catch let e as JSONPatchError { throw StudyError("\(at) (\(name)).\(e)") }
      }
      return Patch(label: PatchLabel(name: name, values: v), operations: operations)
    }
  }

  /// The digests of the background-only workspace (`pyhf.utils.digest`) against the given one.
  static func verifyDigests(_ metadata: JSONTree, base: JSONTree, workspace: String, patchset: String) throws {
    guard case .object(let digests)? = metadata["digests"], !digests.isEmpty else {
      throw StudyError("\(patchset): metadata.digests must name at least one digest (sha256 or md5)")
    }
    let text = Data(base.pythonDump().utf8)
    for d in digests {
      guard let expected = d.value.string?.lowercased() else { throw StudyError("\(patchset): metadata.digests.\(d.key) must be a string") }
      let got: String
      switch d.key {
      case "sha256": got = SHA256.hex(text)
      case "md5": got = MD5.hex(text)
      default: throw StudyError("\(patchset): metadata.digests.\(d.key): pyhf patchsets use sha256 or md5")
      }
      guard got == expected else {
        throw StudyError("\(workspace) is not the background-only workspace of \(patchset): its \(d.key) digest is \(got), the patchset's \(expected)")
      }
    }
  }

  /// The workspace of patch `k`: the background-only workspace with the patch applied.
  public func workspace(_ k: Int) throws -> Workspace {
    let p = patches[k]
    let tree: JSONTree
    do { tree = try base.patched(p.operations) } catch let e as JSONPatchError {
      throw StudyError("\(record.patchset.file): patch \(p.label.name) does not apply to \(record.workspace.file): \(e)")
    }
    do { return try Workspace.decode(tree.serialized()) } catch {
      throw StudyError("\(record.patchset.file): patch \(p.label.name) applied to \(record.workspace.file) is not a valid workspace: \(error)")
    }
  }

  /// The patch positions `spec` selects: `all`, positions (`0-3,7`) or patch names, mixed.
  public func select(_ spec: String) throws -> [Int] {
    let s = spec.trimmingCharacters(in: .whitespaces)
    if s == "all" { return Array(patches.indices) }
    let byName = Dictionary(patches.enumerated().map { ($0.element.label.name, $0.offset) }, uniquingKeysWith: { a, _ in a })
    var out = Set<Int>()
    for item in s.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
      if let k = byName[item] { out.insert(k); continue }
      let ends = item.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
      guard (1...2).contains(ends.count), let a = ends.first!, let b = ends.last!, a <= b else {
        throw StudyError("--patches: \"\(item)\" is neither a patch name nor a position (0-\(patches.count - 1)); names: \(patches.prefix(5).map(\.label.name).joined(separator: ", "))\(patches.count > 5 ? ", …" : "")")
      }
      guard a >= 0, b < patches.count else { throw StudyError("--patches: positions \(item) outside the patchset (0 to \(patches.count - 1))") }
      out.formUnion(a...b)
    }
    guard !out.isEmpty else { throw StudyError("--patches: empty selection") }
    return out.sorted()
  }
}

/// The patches of a published likelihood as a study's hypotheses: hypothesis t is patch
/// `positions[t]`, its model the patched workspace (measurement `measurement`, or the first), its
/// data the workspace's observations. Look-elsewhere toys draw one data set of the main bins
/// every patch shares, from the background-only fit (POI = 0) of the first selected patch to the
/// published data; the patches must then have the same channels and bins.
public struct PatchHypotheses: HypothesisSet {
  public let patchset: Patchset
  public let positions: [Int]
  public let measurement: String?

  public init(patchset: Patchset, positions: [Int], measurement: String? = nil) {
    self.patchset = patchset
    self.positions = positions
    self.measurement = measurement
  }

  public init(patchset: Patchset, selection: String, measurement: String? = nil) throws {
    self.init(patchset: patchset, positions: try patchset.select(selection), measurement: measurement)
  }

  public var count: Int { positions.count }

  public func label(_ t: Int) -> HypothesisLabel {
    HypothesisLabel(index: positions[t], mass: nil, m2: nil, patch: patchset.patches[positions[t]].label)
  }

  public func streamIndex(_ t: Int) -> Int { positions[t] }

  /// The patched workspace's model.
  public func likelihood(_ t: Int) throws -> Model {
    let name = patchset.patches[positions[t]].label.name
    do { return try Model(workspace: try patchset.workspace(positions[t]), measurement: measurement) } catch let e as WorkspaceError {
      throw StudyError("\(patchset.record.patchset.file): patch \(name): \(e)")
    }
  }

  public func model(_ t: Int, data: SpectrumData?) throws -> HypothesisModel {
    guard data == nil else { throw StudyError("a published likelihood has its own observations: --data does not apply") }
    let model = try likelihood(t)
    guard let poi = model.poiIndex else { throw StudyError("\(patchset.record.patchset.file): patch \(label(t).patch!.name): the measurement has no POI") }
    var p = model.initialValues
    p[poi] = 0
    let background = model.expectedMainData(p).reduce(0, +)
    p[poi] = 1
    let withSignal = model.expectedMainData(p).reduce(0, +)
    return HypothesisModel(label: label(t), model: model, hasObservations: true, signalPerPOI: withSignal - background, background: background)
  }

  public func workspace(_ t: Int, data: SpectrumData?) throws -> (workspace: Workspace, measurement: String?) {
    guard data == nil else { throw StudyError("a published likelihood has its own observations: --data does not apply") }
    return (try patchset.workspace(positions[t]), measurement)
  }

  public var hasOwnData: Bool { true }

  public func sharedExpectation() throws -> [Double] {
    let first = try likelihood(0)
    for t in 1..<max(1, count) {
      let m = try likelihood(t)
      guard m.channelNames == first.channelNames, m.channelBins == first.channelBins else {
        throw StudyError("\(patchset.record.patchset.file): patch \(label(t).patch!.name) has other channels or bins than \(label(0).patch!.name) (\(m.channelNames) vs \(first.channelNames)): the patches do not share one set of observations")
      }
    }
    let profile = try ProfileLikelihood(model: first)
    let fit = profile.conditionalFit(first.observedData, poi: 0)
    return first.expectedMainData(fit.parameters)
  }

  public func observations(_ t: Int, shared: SpectrumData) throws -> [Double] {
    guard case .cells(let c) = shared else { throw StudyError("a published likelihood's observations are its bins, not events") }
    return c
  }

  public func identity(_ settings: some StudySettings, seed: UInt64, data: String, tasks: Int) -> StudyIdentity {
    StudyIdentity(configuration: patchset.record.name, configurationSHA256: patchset.sha256, seed: seed,
                  inputs: StudyInputs(lumiFb: nil, templateMC: nil, likelihood: patchset.record, data: data), settings: settings, totalTasks: tasks)
  }
}
