import Foundation
import Testing
@testable import Likelihood
import _TestSupport

@Suite("pyhf JSON workspaces: reading, writing, errors with JSON paths")
struct WorkspaceJSONTests {
  @Test("Decoding then encoding is a round trip, for pyhf's JSON and for the reference window")
  func roundTrip() throws {
    let ws = try decode(kitchenSinkJSON)
    let again = try Workspace.decode(try ws.encoded())
    #expect(again == ws)
    let ref = ReferenceWindow.workspace()
    #expect(try Workspace.decode(try ref.encoded(pretty: false)) == ref)
    // null data of normfactor/lumi/shapefactor are written as explicit nulls (pyhf's schema)
    let text = String(decoding: try ws.encoded(), as: UTF8.self)
    #expect(text.contains("\"data\" : null"))
    #expect(text.contains("\"version\" : \"1.0.0\""))
  }

  @Test("Writing to a file and loading it gives the same model")
  func fileRoundTrip() throws {
    let path = NSTemporaryDirectory() + "/lik-roundtrip-\(getpid()).json"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try ReferenceWindow.workspace().write(to: path)
    let loaded = try Workspace.load(path: path)
    let a = try Model(workspace: loaded), b = try Model(workspace: ReferenceWindow.workspace())
    #expect(a.parameterNames == b.parameterNames)
    #expect(a.logPDF(a.initialValues, data: a.observedData) == b.logPDF(b.initialValues, data: b.observedData))
  }

  /// Replaces the first occurrence of `old` in the kitchen-sink JSON and returns the error.
  func error(replacing old: String, with new: String) -> WorkspaceError? {
    precondition(kitchenSinkJSON.contains(old), old)
    let json = kitchenSinkJSON.replacingOccurrences(of: old, with: new, options: [], range: kitchenSinkJSON.range(of: old))
    do {
      _ = try Model(workspace: try decode(json))
      return nil
    } catch let e as WorkspaceError {
      return e
    } catch {
      Issue.record("unexpected error type: \(error)")
      return nil
    }
  }

  @Test("Unknown modifier type: error names the modifier's path")
  func unknownType() {
    let e = error(replacing: #""type": "lumi""#, with: #""type": "foo""#)
    #expect(e?.path == "channels[0].samples[1].modifiers[5]")
    #expect(e?.message.hasPrefix("unknown type \"foo\"") == true)
    #expect(e?.description.hasPrefix("channels[0].samples[1].modifiers[5]: unknown type \"foo\"") == true)
  }

  @Test("Unknown keys, wrong types and missing keys name their path")
  func schemaErrors() {
    #expect(error(replacing: #""modifiers": [{"name": "mu""#, with: #""modifers": [{"name": "mu""#)?.path == "channels[0].samples[0]")
    #expect(error(replacing: #""hi": 1.1"#, with: #""hi": "big""#)?.path == "channels[0].samples[1].modifiers[2].data.hi")
    let missing = error(replacing: #"{"name": "zeta", "data": [12, 22, 5]}"#, with: #"{"name": "zeta"}"#)
    #expect(missing?.path == "observations[0]")
    #expect(missing?.message == "missing key \"data\"")
    #expect(error(replacing: #""version": "1.0.0""#, with: #""version": "2.0.0""#)?.path == "version")
    #expect(error(replacing: #"{"channels""#, with: #"[{"channels""#)?.message.hasPrefix("not valid JSON") == true)
  }

  @Test("A JSON syntax error says where it is")
  func syntaxError() {
    #expect(throws: WorkspaceError.self) { try decode("{\n  \"channels\": [,]\n}") }
    do {
      _ = try decode("{\n  \"channels\": [,]\n}")
    } catch let e as WorkspaceError {
      #expect(e.path == "")
      #expect(e.message.hasPrefix("not valid JSON"))
      #expect(e.message.contains("line 2"), "\(e.message)")
    } catch {
      Issue.record("\(error)")
    }
  }

  @Test("Mismatched bin counts, negative or non-finite data are refused with their path")
  func dataErrors() throws {
    let bins = error(replacing: #""data": [10.0, 20.0, 5.0]"#, with: #""data": [10.0, 20.0]"#)
    #expect(bins?.path == "channels[0].samples[1].data")
    #expect(error(replacing: #""data": [0.8, 1.6, 0.4]"#, with: #""data": [0.8, 1.6]"#)?.path == "channels[0].samples[1].modifiers[0].data")
    #expect(error(replacing: #""hi_data": [11, 21, 6]"#, with: #""hi_data": [11, 21]"#)?.path == "channels[0].samples[1].modifiers[3].data.hi_data")
    #expect(error(replacing: #"[12, 22, 5]"#, with: #"[12, -22, 5]"#)?.path == "observations[0].data[1]")
    #expect(error(replacing: #"[12, 22, 5]"#, with: #"[12, 22]"#)?.path == "observations[0].data")
    #expect(error(replacing: #""hi": 1.1"#, with: #""hi": -1.1"#)?.path == "channels[0].samples[1].modifiers[2].data.hi")
    let noObs = error(replacing: #"{"name": "alpha", "data": [3, 5]}"#, with: #"{"name": "beta", "data": [3, 5]}"#)
    #expect(noObs?.path == "observations")
    #expect(noObs?.message.contains("\"alpha\"") == true)
    // NaN cannot come from JSON, but can from code
    var ws = try decode(kitchenSinkJSON)
    ws.channels[1].samples[0].data[1] = .nan
    #expect(throws: WorkspaceError(path: "channels[1].samples[0].data[1]", message: "not a finite number: nan")) {
      try Model(workspace: ws)
    }
  }

  @Test("POI, measurement and parameter-configuration errors")
  func measurementErrors() throws {
    let poi = error(replacing: #""poi": "mu""#, with: #""poi": "nu""#)
    #expect(poi?.path == "measurements[0].config.poi")
    #expect(poi?.message.contains("\"nu\" is not a parameter") == true)
    let perBin = error(replacing: #""poi": "mu""#, with: #""poi": "sf""#)
    #expect(perBin?.message.contains("3 components") == true)
    #expect(throws: WorkspaceError.self) { try Model(workspace: try decode(kitchenSinkJSON), measurement: "other") }
    do {
      _ = try Model(workspace: try decode(kitchenSinkJSON), measurement: "other")
    } catch let e as WorkspaceError {
      #expect(e.path == "measurements" && e.message.contains("no measurement named \"other\""))
    }
    let lumi = error(replacing: #"{"name": "lumi", "auxdata": [1.0], "sigmas": [0.02], "bounds": [[0.5, 1.5]], "inits": [1.0]}"#, with: #"{"name": "bnorm", "inits": [2.0]}"#)
    #expect(lumi?.message.contains("the lumi modifier needs a parameter configuration") == true)
    let length = error(replacing: #""inits": [1.0]}"#, with: #""inits": [1.0]}, {"name": "ss", "inits": [1.0, 1.0]}"#)
    #expect(length?.path == "measurements[0].config.parameters[1].inits")
    let unused = error(replacing: #""inits": [1.0]}"#, with: #""inits": [1.0]}, {"name": "mu", "sigmas": [1.0]}"#)
    #expect(unused?.message == "parameter set \"mu\" (normfactor) does not use sigmas")
    let bound = error(replacing: #""bounds": [[0.5, 1.5]]"#, with: #""bounds": [[1.5, 0.5]]"#)
    #expect(bound?.path == "measurements[0].config.parameters[0].bounds[0]")
  }

  @Test("Name reuse pyhf refuses: shapesys twice, one name for normfactor and staterror")
  func nameReuse() {
    let twice = error(replacing: #"{"name": "astat", "type": "staterror", "data": [0.3, 0.4]}"#, with: #"{"name": "ss", "type": "shapesys", "data": [0.3, 0.4]}"#)
    #expect(twice?.message.contains("shapesys \"ss\" is used twice") == true)
    let mixed = error(replacing: #"{"name": "astat", "type": "staterror""#, with: #"{"name": "bnorm", "type": "staterror""#)
    #expect(mixed?.message.contains("pyhf lets only normsys and histosys share a parameter") == true)
  }

  @Test("Reading a missing file or a non-workspace names the file")
  func fileErrors() throws {
    #expect(throws: WorkspaceError.self) { try Workspace.load(path: "/nonexistent/W.json") }
    do {
      _ = try Workspace.load(path: "/nonexistent/W.json")
    } catch let e as WorkspaceError {
      #expect(e.file == "/nonexistent/W.json")
      #expect(e.description.hasPrefix("/nonexistent/W.json: cannot read the file"))
    }
  }
}
