import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneTestSupport

/// `inspect` and `convert` on every fixture model from a mainstream exporter.
@Suite struct FixtureCommandTests {
  struct Fixture: Sendable, CustomStringConvertible {
    var file: String
    var input: String
    var output: String
    var parameters: Int
    var constantParameters: Int
    var description: String { file }
  }

  // Parameter counts computed from the generator scripts' layer sizes.
  static let fixtures: [Fixture] = [
    Fixture(file: "torch_cnn.onnx", input: "input", output: "logits", parameters: -1, constantParameters: 0),
    Fixture(file: "paddle_style.onnx", input: "x", output: "softmax_0.tmp_0", parameters: 0, constantParameters: 690),
    Fixture(file: "tf_style_nhwc.onnx", input: "input_1", output: "dense", parameters: -1, constantParameters: 0),
    Fixture(file: "external_data/model.onnx", input: "", output: "scores", parameters: -1, constantParameters: 0),
  ]

  static func path(_ f: Fixture) -> String { TestData.fixtures.appendingPathComponent("models/\(f.file)").path }

  @Test(arguments: fixtures)
  func inspectText(_ f: Fixture) throws {
    let r = try CLIRunner.run(["inspect", Self.path(f)])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("Inputs:") && r.stdout.contains("Nodes (") && r.stdout.contains("Op types:"))
    if !f.input.isEmpty { #expect(r.stdout.contains(f.input)) }
    #expect(r.stdout.contains(f.output))
  }

  @Test(arguments: fixtures)
  func inspectJSON(_ f: Fixture) throws {
    let r = try CLIRunner.run(["inspect", Self.path(f), "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let model = try ONNXReader.readModel(atPath: Self.path(f))
    let nodes = try #require(doc["nodes"] as? [[String: Any]])
    #expect(nodes.count == model.graph!.nodes.count)
    let outputs = try #require(doc["outputs"] as? [[String: Any]])
    #expect(outputs.first?["name"] as? String == f.output)
    let params = try #require(doc["parameters"] as? [String: Any])
    let constants = try #require(params["constant_nodes"] as? [String: Any])
    #expect(constants["elements"] as? Int == f.constantParameters)
    let initializers = try #require(params["initializers"] as? [String: Any])
    let expected = model.graph!.initializers.filter { $0.data.dtype.isFloatingPoint }.reduce(0) { $0 + $1.data.count }
    #expect(initializers["elements"] as? Int == expected)
    if f.parameters >= 0 { #expect(expected == f.parameters) }
  }

  @Test(arguments: fixtures)
  func convertRoundTrips(_ f: Fixture) throws {
    let dir = try TestData.temporaryDirectory("convert")
    defer { try? FileManager.default.removeItem(at: dir) }
    let original = try ONNXReader.readModel(atPath: Self.path(f))
    for (name, extra) in [("plain.onnx", [String]()), ("ext.onnx", ["--external-data", "--external-threshold", "256"]), ("inline.onnx", ["--inline"])] {
      let out = dir.appendingPathComponent(name).path
      let r = try CLIRunner.run(["convert", Self.path(f), out] + extra)
      #expect(r.status == 0, "\(r.stderr)")
      var back = try ONNXReader.readModel(atPath: out)
      if extra.isEmpty {
        #expect(back == original, "\(f.file): convert changed the IR")
      } else {
        // Only where the data lives may differ.
        var a = original
        a.transformTensors { $0.encoding = .raw; $0.externalData = []; $0.dataLocation = nil }
        back.transformTensors { $0.encoding = .raw; $0.externalData = []; $0.dataLocation = nil }
        #expect(back == a, "\(f.file) \(extra): convert changed more than the data location")
      }
    }
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("ext.onnx.data").path))
  }
}
