import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneTensor
import TuneTestSupport

/// Untrusted input never crashes the reader and never sizes an allocation by an unchecked
/// field: each bad file gives an `ONNXError` naming the file and the problem.
@Suite struct UntrustedInputTests {
  /// A small but complete model: Gemm with weights, a Relu, metadata.
  static func smallModel() -> Model {
    let w = TensorProto(name: "W", data: Tensor((0..<12).map { Float($0) }, shape: [4, 3]))
    let b = TensorProto(name: "B", data: Tensor([Float](repeating: 0.5, count: 3), shape: [3]))
    var gemm = Node(opType: "Gemm", inputs: ["x", "W", "B"], outputs: ["h"], name: "fc")
    gemm.attributes = [.int("transB", 0)]
    let graph = Graph(
      nodes: [gemm, Node(opType: "Relu", inputs: ["h"], outputs: ["y"], name: "relu")], name: "small",
      initializers: [w, b],
      inputs: [ValueInfo(name: "x", type: .tensor(.float, [.symbol("batch"), .value(4)]))],
      outputs: [ValueInfo(name: "y", type: .tensor(.float, [.symbol("batch"), .value(3)]))])
    return Model(
      irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: 13)], producerName: "onnx-tune-test",
      graph: graph)
  }

  static func expectError(_ bytes: [UInt8], contains fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    do {
      _ = try bytes.withUnsafeBytes { try ONNXReader.readModel(bytes: $0, path: "bad.onnx") }
      Issue.record("expected an error containing \(fragments)", sourceLocation: sourceLocation)
    } catch let e as ONNXError {
      #expect(e.path == "bad.onnx", sourceLocation: sourceLocation)
      for f in fragments {
        #expect(e.message.contains(f), "message '\(e.message)' lacks '\(f)'", sourceLocation: sourceLocation)
      }
      #expect(!e.description.contains("\n"), sourceLocation: sourceLocation)
    } catch {
      Issue.record("unexpected error type \(error)", sourceLocation: sourceLocation)
    }
  }

  @Test func everyPrefixOfAModelIsRejected() throws {
    let bytes = try ONNXWriter.serialize(Self.smallModel())
    _ = try bytes.withUnsafeBytes { try ONNXReader.readModel(bytes: $0) }  // the whole file reads
    for n in 0..<bytes.count {
      do {
        _ = try Array(bytes[..<n]).withUnsafeBytes { try ONNXReader.readModel(bytes: $0, path: "prefix.onnx") }
        Issue.record("prefix of \(n) of \(bytes.count) bytes was accepted")
      } catch let e as ONNXError {
        #expect(e.path == "prefix.onnx")
        #expect(
          e.message.contains("truncated") || e.message.contains("no graph") || e.message.contains("no opset_import")
            || e.message.contains("empty"), "prefix \(n): \(e.message)")
      }
    }
  }

  @Test func everyPrefixOfTheFixturesIsRejected() throws {
    let dir = TestData.fixtures.appendingPathComponent("models")
    let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.filter { $0.hasSuffix(".onnx") } ?? []
    for f in files {
      let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(f)))
      // Every prefix of small files; a stride through larger ones (each parse is linear).
      let step = max(1, bytes.count / 4000)
      for n in stride(from: 0, to: bytes.count, by: step) {
        #expect(throws: ONNXError.self, "\(f) prefix \(n)") {
          try Array(bytes[..<n]).withUnsafeBytes { try ONNXReader.readModel(bytes: $0, path: f) }
        }
      }
    }
  }

  @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
  func randomBytesAreRejected(seed: UInt64) {
    var rng = SeededRandom(seed: seed)
    let count = Int(rng.next() % 4096) + 1
    let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    #expect(throws: ONNXError.self) {
      try bytes.withUnsafeBytes { try ONNXReader.readModel(bytes: $0, path: "random.bin") }
    }
  }

  @Test func aProtobufThatIsNotAModelIsRejected() throws {
    // A TensorProto: dims (field 1) read as ir_version, data_type (2) clashes with producer_name.
    let tensor = ProtoBytes.field(1, varint: 3) + ProtoBytes.field(2, varint: 1)
      + ProtoBytes.field(9, bytes: [0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64])
    Self.expectError(tensor, contains: ["not an ONNX model"])
    // Well-formed protobuf with only unknown fields: no graph.
    Self.expectError(ProtoBytes.field(99, string: "hello"), contains: ["no graph"])
  }

  @Test func nestingDeeperThanTheLimitIsRejected() throws {
    let limit = ONNXReader.maximumNestingDepth
    // Three message levels per subgraph: beyond the limit.
    let deep = ProtoBytes.model(graph: ProtoBytes.nestedGraph(depth: limit / 3 + 5))
    Self.expectError(deep, contains: ["nested deeper than the limit of \(limit)"])
    // Far beyond: would overflow protobuf-c's recursion if it were unpacked.
    let veryDeep = ProtoBytes.model(graph: ProtoBytes.nestedGraph(depth: 3000))
    Self.expectError(veryDeep, contains: ["nested deeper"])
    // Within the limit it reads.
    let ok = ProtoBytes.model(graph: ProtoBytes.nestedGraph(depth: limit / 3 - 2))
    let model = try ok.withUnsafeBytes { try ONNXReader.readModel(bytes: $0) }
    #expect(model.graph?.nodes.first?.opType == "If")
  }

  @Test func dimsThatDisagreeWithTheDataAreRejected() throws {
    var model = Self.smallModel()
    model.graph!.initializers[0].dims = [4, 4]  // 16 floats claimed, 12 stored
    let bytes = try ONNXWriter.serialize(model)
    Self.expectError(bytes, contains: ["tensor 'W'", "need 64 bytes", "raw_data has 48"])

    var typed = Self.smallModel()
    typed.graph!.initializers[1].encoding = .typed
    typed.graph!.initializers[1].dims = [5]
    Self.expectError(try ONNXWriter.serialize(typed), contains: ["tensor 'B'", "need 5 values in float_data, found 3"])
  }

  @Test func dimsWhoseProductOverflowsAreRejected() throws {
    var model = Self.smallModel()
    model.graph!.initializers[0].dims = [1 << 40, 1 << 40]
    Self.expectError(try ONNXWriter.serialize(model), contains: ["tensor 'W'", "overflows"])
    model.graph!.initializers[0].dims = [-1, 12]
    Self.expectError(try ONNXWriter.serialize(model), contains: ["tensor 'W'", "negative dimension"])
    // Huge but not overflowing: refused before any allocation, by the size check against the data.
    model.graph!.initializers[0].dims = [1 << 30, 1 << 20]
    Self.expectError(try ONNXWriter.serialize(model), contains: ["tensor 'W'"])
  }

  @Test func externalDataProblemsAreRejected() throws {
    let dir = try TestData.temporaryDirectory("external")
    defer { try? FileManager.default.removeItem(at: dir) }
    let modelDir = dir.appendingPathComponent("model")
    try FileManager.default.createDirectory(at: modelDir, withIntermediateDirectories: true)
    let path = modelDir.appendingPathComponent("m.onnx").path
    try ONNXWriter.write(Self.smallModel(), toPath: path, options: .init(externalData: .externalize(thresholdBytes: 16)))
    let back = try ONNXReader.readModel(atPath: path)
    #expect(back.graph!.initializers[0].encoding == .external)
    #expect(back.graph!.initializers[0].data.isIdentical(to: Self.smallModel().graph!.initializers[0].data))

    func withLocation(_ location: String) throws -> String {
      var m = back
      m.graph!.initializers[0].externalData[0].value = location
      let p = modelDir.appendingPathComponent("edited.onnx").path
      let bytes = try ONNXWriter.serialize(m, keepingExternalReferences: true)
      try Data(bytes).write(to: URL(fileURLWithPath: p))
      return p
    }
    func expectReadError(_ p: String, _ fragments: [String]) {
      do {
        _ = try ONNXReader.readModel(atPath: p)
        Issue.record("expected an error for \(p)")
      } catch let e as ONNXError {
        #expect(e.path == p)
        for f in fragments { #expect(e.message.contains(f), "'\(e.message)' lacks '\(f)'") }
      } catch { Issue.record("\(error)") }
    }
    expectReadError(try withLocation("missing.data"), ["tensor 'W'", "'missing.data' not found"])
    expectReadError(try withLocation("/etc/passwd"), ["absolute"])
    expectReadError(try withLocation("../outside.data"), ["contains '..'"])
    // A symbolic link that leads out of the model's folder.
    try Data(repeating: 0, count: 4096).write(to: dir.appendingPathComponent("outside.data"))
    try FileManager.default.createSymbolicLink(
      atPath: modelDir.appendingPathComponent("link.data").path, withDestinationPath: "../outside.data")
    expectReadError(try withLocation("link.data"), ["outside the model's folder"])
    // A data file too short for the tensor.
    try Data(repeating: 0, count: 8).write(to: modelDir.appendingPathComponent("short.data"))
    expectReadError(try withLocation("short.data"), ["has 8 bytes"])
  }

  @Test func unreadablePathsAreRejected() throws {
    let dir = try TestData.temporaryDirectory("paths")
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(throws: ONNXError.self) { try ONNXReader.readModel(atPath: dir.appendingPathComponent("nope.onnx").path) }
    #expect(throws: ONNXError.self) { try ONNXReader.readModel(atPath: dir.path) }
    let empty = dir.appendingPathComponent("empty.onnx")
    try Data().write(to: empty)
    #expect(throws: ONNXError.self) { try ONNXReader.readModel(atPath: empty.path) }
  }
}

