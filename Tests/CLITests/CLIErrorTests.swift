import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneTensor
import TuneTestSupport

/// Every bad input gives a non-zero exit and one line on stderr naming the file and the problem.
@Suite struct CLIErrorTests {
  let dir: URL

  init() throws { dir = try TestData.temporaryDirectory("cli") }

  func write(_ bytes: [UInt8], _ name: String) throws -> String {
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
  }

  func expectFailure(
    _ args: [String], status: Int32 = 1, mentions fragments: [String],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let r = try CLIRunner.run(args)
    #expect(r.status == status, "exit \(r.status), stderr: \(r.stderr)", sourceLocation: sourceLocation)
    let lines = r.stderr.split(separator: "\n")
    #expect(lines.count == 1, "expected one line, got: \(r.stderr)", sourceLocation: sourceLocation)
    for f in fragments {
      #expect(r.stderr.contains(f), "stderr '\(r.stderr)' lacks '\(f)'", sourceLocation: sourceLocation)
    }
  }

  static func smallModelBytes() throws -> [UInt8] {
    let w = TensorProto(name: "W", data: Tensor([Float](repeating: 1, count: 6), shape: [2, 3]))
    let graph = Graph(
      nodes: [Node(opType: "MatMul", inputs: ["x", "W"], outputs: ["y"], name: "mm")], name: "g",
      initializers: [w], inputs: [ValueInfo(name: "x", type: .tensor(.float, [.value(1), .value(2)]))],
      outputs: [ValueInfo(name: "y", type: .tensor(.float, [.value(1), .value(3)]))])
    return try ONNXWriter.serialize(
      Model(irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: 13)], graph: graph))
  }

  @Test func truncatedFile() throws {
    let bytes = try Self.smallModelBytes()
    for n in [1, bytes.count / 3, bytes.count / 2, bytes.count - 1] {
      let p = try write(Array(bytes[..<n]), "truncated-\(n).onnx")
      try expectFailure(["inspect", p], mentions: [p])
      try expectFailure(["convert", p, dir.appendingPathComponent("out.onnx").path], mentions: [p])
    }
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.onnx").path))
  }

  @Test func randomBytes() throws {
    var rng = SeededRandom(seed: 42)
    let p = try write((0..<1000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, "random.onnx")
    try expectFailure(["inspect", p], mentions: [p, "not an ONNX model"])
  }

  @Test func protobufThatIsNotAModel() throws {
    let p = try write(ProtoBytes.field(99, string: "not a model"), "other.pb")
    try expectFailure(["inspect", p], mentions: [p, "no graph"])
  }

  @Test func nestingTooDeep() throws {
    let p = try write(ProtoBytes.model(graph: ProtoBytes.nestedGraph(depth: 1000)), "deep.onnx")
    try expectFailure(["inspect", p], mentions: [p, "nested deeper than the limit of \(ONNXReader.maximumNestingDepth)"])
  }

  @Test func dimsDisagreeWithData() throws {
    var model = try [UInt8](Self.smallModelBytes()).withUnsafeBytes { try ONNXReader.readModel(bytes: $0) }
    model.graph!.initializers[0].dims = [3, 3]
    let p = try write(try ONNXWriter.serialize(model), "dims.onnx")
    try expectFailure(["inspect", p], mentions: [p, "tensor 'W'", "need 36 bytes, raw_data has 24"])
  }

  @Test func dimsOverflow() throws {
    var model = try [UInt8](Self.smallModelBytes()).withUnsafeBytes { try ONNXReader.readModel(bytes: $0) }
    model.graph!.initializers[0].dims = [Int64.max / 2, 4]
    let p = try write(try ONNXWriter.serialize(model), "overflow.onnx")
    try expectFailure(["inspect", p], mentions: [p, "tensor 'W'", "overflows"])
  }

  @Test func missingExternalFile() throws {
    let p = dir.appendingPathComponent("ext.onnx").path
    let model = try [UInt8](Self.smallModelBytes()).withUnsafeBytes { try ONNXReader.readModel(bytes: $0) }
    try ONNXWriter.write(model, toPath: p, options: .init(externalData: .externalize(thresholdBytes: 1)))
    try FileManager.default.removeItem(atPath: p + ".data")
    try expectFailure(["inspect", p], mentions: [p, "tensor 'W'", "'ext.onnx.data' not found"])
  }

  @Test func missingFileAndUsageErrors() throws {
    let p = dir.appendingPathComponent("absent.onnx").path
    try expectFailure(["inspect", p], mentions: [p, "No such file"])
    try expectFailure(["inspect"], status: 2, mentions: ["expected MODEL"])
    try expectFailure(["inspect", p, "--bogus"], status: 2, mentions: ["unknown option --bogus"])
    try expectFailure(["frobnicate"], status: 2, mentions: ["unknown command 'frobnicate'"])
  }

  @Test func convertNeverHalfOverwrites() throws {
    let good = try write(try Self.smallModelBytes(), "good.onnx")
    let target = dir.appendingPathComponent("target.onnx").path
    let r = try CLIRunner.run(["convert", good, target])
    #expect(r.status == 0, "\(r.stderr)")
    let before = try Data(contentsOf: URL(fileURLWithPath: target))
    let bad = try write([0x0a, 0xff], "bad.onnx")
    try expectFailure(["convert", bad, target], mentions: [bad])
    #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == before)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
    #expect(leftovers.isEmpty)
  }

  @Test func everyCommandHasHelp() throws {
    let main = try CLIRunner.run(["--help"])
    #expect(main.status == 0)
    for command in ["inspect", "convert"] {
      #expect(main.stdout.contains(command))
      let r = try CLIRunner.run([command, "--help"])
      #expect(r.status == 0)
      #expect(r.stdout.contains("Usage: onnx-tune \(command)"))
    }
  }
}
