import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneTensor
import TuneTestSupport

/// Malicious models through the reader (issue 9, item 2): each gives an `ONNXError` naming the
/// file, the node or tensor and what was expected, in bounded time and memory, never a crash.
/// The same models go through the runtime in TuneRuntimeTests/MaliciousModelRunTests and
/// through the CLI in CLITests/MaliciousModelCLITests.
@Suite struct MaliciousModelTests {
  static func expectReadError(
    _ model: Model, contains fragments: [String], sourceLocation: SourceLocation = #_sourceLocation
  ) {
    do {
      let bytes = try ONNXWriter.serialize(model)
      _ = try bytes.withUnsafeBytes { try ONNXReader.readModel(bytes: $0, path: "bad.onnx") }
      Issue.record("expected an error containing \(fragments)", sourceLocation: sourceLocation)
    } catch let e as ONNXError {
      #expect(e.path == "bad.onnx", sourceLocation: sourceLocation)
      for f in fragments {
        #expect(e.message.contains(f), "message '\(e.message)' lacks '\(f)'", sourceLocation: sourceLocation)
      }
      #expect(!e.description.contains("\n"), sourceLocation: sourceLocation)
    } catch {
      Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
  }

  static func roundTrip(_ model: Model) throws -> Model {
    let bytes = try ONNXWriter.serialize(model)
    return try bytes.withUnsafeBytes { try ONNXReader.readModel(bytes: $0, path: "model.onnx") }
  }

  // MARK: - Cycles and duplicate producers

  @Test func aCycleIsRefusedNamingItsNodes() {
    Self.expectReadError(MaliciousModels.cycle(), contains: ["invalid graph", "cycle", "'A' (Add)", "'B' (Relu)", "2 nodes"])
    Self.expectReadError(MaliciousModels.selfLoop(), contains: ["cycle", "'loop' (Add)", "the node reads its own output"])
    // Only the three nodes of the loop are named, in the order values flow, not the valid prefix.
    Self.expectReadError(
      MaliciousModels.longCycle(), contains: ["cycle: 'B' (Neg) → 'C' (Abs) → 'A' (Add) (3 nodes"])
  }

  @Test func aCycleInsideASubgraphIsRefused() {
    var ifNode = Node(opType: "If", inputs: ["cond"], outputs: ["y"], name: "branch")
    var then = Attribute(name: "then_branch")
    then.type = Attribute.Kind.graph.rawValue
    then.g = MaliciousModels.cycle().graph!
    ifNode.attributes = [then]
    let model = MaliciousModels.model(
      Graph(
        nodes: [ifNode], name: "outer", inputs: [MaliciousModels.input("cond", [], .bool), MaliciousModels.input("x", [1, 3])],
        outputs: [MaliciousModels.output("y")]))
    Self.expectReadError(model, contains: ["in subgraph 'then_branch' of node 'branch' (If)", "cycle", "'A' (Add)"])
  }

  @Test func aCycleThroughASubgraphsOuterReferenceIsRefused() {
    // Node `late` is in the If's then-branch's outer scope, and reads the If's output.
    var ifNode = Node(opType: "If", inputs: ["cond"], outputs: ["y"], name: "branch")
    var then = Attribute(name: "then_branch")
    then.type = Attribute.Kind.graph.rawValue
    then.g = Graph(
      nodes: [Node(opType: "Identity", inputs: ["z"], outputs: ["t"], name: "inner")], name: "then",
      outputs: [MaliciousModels.output("t")])
    ifNode.attributes = [then]
    let model = MaliciousModels.model(
      Graph(
        nodes: [ifNode, Node(opType: "Relu", inputs: ["y"], outputs: ["z"], name: "late")], name: "outer",
        inputs: [MaliciousModels.input("cond", [], .bool)], outputs: [MaliciousModels.output("z")]))
    Self.expectReadError(model, contains: ["cycle", "'branch' (If)", "'late' (Relu)"])
  }

  @Test func aValueWithTwoProducersIsRefused() {
    Self.expectReadError(
      MaliciousModels.duplicateNodeOutputs(),
      contains: ["node 'second' (Neg) writes 'y', which node 'first' (Relu) already defines"])
    Self.expectReadError(
      MaliciousModels.outputShadowsInitializer(), contains: ["node 'shadow' (Relu) writes 'W', which an initializer already defines"])
    Self.expectReadError(
      MaliciousModels.outputShadowsInput(), contains: ["node 'overwrite' (Relu) writes 'x', which a graph input already defines"])
    // One node naming the same output twice.
    let split = MaliciousModels.model(
      Graph(
        nodes: [Node(opType: "Split", inputs: ["x"], outputs: ["half", "half"], name: "split")], name: "split",
        inputs: [MaliciousModels.input("x", [2, 4])], outputs: [MaliciousModels.output("half")]))
    Self.expectReadError(split, contains: ["node 'split' (Split) writes 'half', which node 'split' (Split) already defines"])
    var twice = MaliciousModels.chain(count: 2)
    twice.graph!.initializers.append(twice.graph!.initializers[0])
    Self.expectReadError(twice, contains: ["initializer 'zero' is defined twice"])
  }

  @Test func anInitializerListedAsAGraphInputIsOneValue() throws {
    // IR < 4 lists every initializer among the graph inputs: that is not a second producer.
    var m = MaliciousModels.chain(count: 3)
    m.graph!.inputs.append(MaliciousModels.input("zero", [4]))
    _ = try Self.roundTrip(m)
  }

  // MARK: - External data

  /// Every way of naming a file outside the model's folder is refused, and the sentinel FIFO
  /// there is never opened: not even a non-blocking open (inotify sees any open of its inode).
  @Test func externalDataOutsideTheModelFolderIsNeverOpened() throws {
    let dir = try TestData.temporaryDirectory("escape")
    defer { try? FileManager.default.removeItem(at: dir) }
    let sentinel = try Sentinel(in: dir)
    let modelDir = dir.appendingPathComponent("model")
    try FileManager.default.createDirectory(at: modelDir, withIntermediateDirectories: true)
    let routes = try EscapeRoutes.make(modelDir: modelDir, sentinel: sentinel)
    let models = try EscapeRoutes.models(MaliciousModels.chain(count: 2), modelDir: modelDir, routes: routes)
    #expect(models.count == routes.count)
    _ = sentinel.opened()
    for (what, path) in models {
      // A read that opened the FIFO for reading would block: run it with a timeout.
      let outcome = sentinel.withTimeout(seconds: 30) { () -> String in
        do {
          _ = try ONNXReader.readModel(atPath: path)
          return "read without an error"
        } catch let e as ONNXError {
          return e.path == path ? e.message : "wrong path \(e.path)"
        } catch {
          return "unexpected \(error)"
        }
      }
      guard let message = outcome else {
        Issue.record("\(what): the read hung (it opened the sentinel)")
        continue
      }
      #expect(message.contains("tensor 'zero'"), "\(what): \(message)")
      let named = ["is absolute", "contains '..'", "outside the model's folder", "forbidden character"]
      #expect(named.contains { message.contains($0) }, "\(what): '\(message)' does not say why the location is refused")
    }
    #expect(sentinel.opened() == 0, "a file outside the model's folder was opened")
    try sentinel.selfTest()
  }

  /// Offsets and lengths that do not fit the data file are refused before any read.
  @Test func externalOffsetAndLengthBeyondTheFileAreRefused() throws {
    let dir = try TestData.temporaryDirectory("offsets")
    defer { try? FileManager.default.removeItem(at: dir) }
    let base = dir.appendingPathComponent("base.onnx").path
    // One [4] float initializer (16 bytes) in base.onnx.data.
    try ONNXWriter.write(
      MaliciousModels.chain(count: 2), toPath: base, options: .init(externalData: .externalize(thresholdBytes: 8)))
    let back = try ONNXReader.readModel(atPath: base)
    let data = try #require(back.graph!.initializers[0].externalData.first { $0.key == "location" }?.value)
    let size = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(data).path)[.size] as! Int
    #expect(size >= 16)

    func expectRefused(_ keys: [(String, String)], _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
      var m = back
      var ext = m.graph!.initializers[0].externalData.filter { $0.key == "location" }
      for (k, v) in keys { ext.append(StringPair(key: k, value: v)) }
      m.graph!.initializers[0].externalData = ext
      let path = dir.appendingPathComponent("edited.onnx").path
      try Data(ONNXWriter.serialize(m, keepingExternalReferences: true)).write(to: URL(fileURLWithPath: path))
      do {
        _ = try ONNXReader.readModel(atPath: path)
        Issue.record("expected an error for \(keys)", sourceLocation: sourceLocation)
      } catch let e as ONNXError {
        #expect(e.path == path, sourceLocation: sourceLocation)
        for f in ["tensor 'zero'"] + fragments {
          #expect(e.message.contains(f), "'\(e.message)' lacks '\(f)'", sourceLocation: sourceLocation)
        }
      }
    }
    try expectRefused([("offset", "\(size)")], ["has \(size) bytes", "needs bytes \(size)..<\(size + 16)"])
    try expectRefused([("offset", "\(size - 8)")], ["has \(size) bytes"])
    try expectRefused([("offset", "\(Int.max)")], ["has \(size) bytes"])
    try expectRefused([("offset", "\(Int.max - 4)"), ("length", "16")], ["has \(size) bytes"])
    try expectRefused([("offset", "99999999999999999999999")], ["offset '99999999999999999999999' is not a non-negative integer"])
    try expectRefused([("offset", "-16")], ["offset '-16' is not a non-negative integer"])
    try expectRefused([("length", "1099511627776")], ["length 1099511627776 does not match the 16 bytes"])
    try expectRefused([("length", "8")], ["length 8 does not match the 16 bytes"])
    try expectRefused([("length", "-1")], ["length '-1' is not a non-negative integer"])
    // The same keys with values that fit read fine.
    var ok = back
    ok.graph!.initializers[0].externalData.append(StringPair(key: "length", value: "16"))
    let path = dir.appendingPathComponent("ok.onnx").path
    try Data(ONNXWriter.serialize(ok, keepingExternalReferences: true)).write(to: URL(fileURLWithPath: path))
    #expect(try ONNXReader.readModel(atPath: path).graph!.initializers[0].data.elements(as: Float.self) == [0, 0, 0, 0])
  }

  /// Declared dims: negative, huge, overflowing, on initializers and on value infos.
  @Test func negativeAndHugeDimsAreRefused() {
    var negative = MaliciousModels.chain(count: 2)
    negative.graph!.initializers[0].dims = [-4]
    Self.expectReadError(negative, contains: ["tensor 'zero'", "negative dimension"])
    var overflow = MaliciousModels.chain(count: 2)
    overflow.graph!.initializers[0].dims = [1 << 62, 1 << 62, 4]
    Self.expectReadError(overflow, contains: ["tensor 'zero'", "overflows"])
  }

  // MARK: - Size

  /// Millions of tiny nodes: read and validated in linear time, iteratively (a recursive
  /// topological sort would overflow the stack long before a million). The file is ~60 MB.
  @Test func aMillionNodesReadInBoundedTime() throws {
    let count = 1_000_000
    let model = MaliciousModels.chain(count: count)
    let bytes = try ONNXWriter.serialize(model)
    let start = ContinuousClock.now
    let back = try bytes.withUnsafeBytes { try ONNXReader.readModel(bytes: $0, path: "chain.onnx") }
    let elapsed = ContinuousClock.now - start
    #expect(back.graph?.nodes.count == count)
    #expect(back.graph?.nodes.last?.outputs == ["y"])
    // Debug build, loaded machine: ~10 s measured; a quadratic step would take hours.
    #expect(elapsed < TestData.timeBound(120), "reading \(count) nodes took \(elapsed)")
  }

  @Test func nodesOutOfFileOrderAreSortedWithoutRecursion() throws {
    // Reversed file order: the validator takes its Kahn path over 200,000 nodes.
    var model = MaliciousModels.chain(count: 200_000)
    model.graph!.nodes.reverse()
    let back = try Self.roundTrip(model)
    #expect(back.graph?.nodes.count == 200_000)
    // A cycle through all 200,000 nodes (the first node in flow order reads the last one's
    // output) is found and named without recursion.
    var cyclic = model
    cyclic.graph!.nodes[199_999].inputs = ["y"]
    Self.expectReadError(cyclic, contains: ["cycle", "and 199992 more (200000 nodes feed each other)"])
    // And a self-loop at the end of the long reversed chain.
    var selfLoop = model
    selfLoop.graph!.nodes[0].inputs = ["y", "zero"]
    Self.expectReadError(selfLoop, contains: ["cycle: 'n199999' (Add)", "the node reads its own output"])
  }

  @Test func hugeAttributeListsReadAndRoundTrip() throws {
    // 4 million ints in one attribute (32 MB on the wire) and 100,000 attributes on one node.
    let model = MaliciousModels.hugeAttributes(ints: 4_000_000, attributes: 100_000)
    let start = ContinuousClock.now
    let back = try Self.roundTrip(model)
    #expect(ContinuousClock.now - start < TestData.timeBound(120))
    #expect(back.graph?.nodes[0].attributes.count == 100_001)
    #expect(back.graph?.nodes[0].attributes[0].ints.count == 4_000_000)
    #expect(back == model)
  }

  // MARK: - Zero-size tensors

  @Test func zeroSizeTensorsRoundTrip() throws {
    var model = MaliciousModels.chain(count: 2)
    for (i, dtype) in [DType.float, .int64, .uint8, .bool, .double, .float16, .int4].enumerated() {
      model.graph!.initializers.append(TensorProto(name: "empty\(i)", data: Tensor(zeros: dtype, shape: [0, 3])))
    }
    model.graph!.initializers.append(TensorProto(name: "empty_strings", data: Tensor(strings: [], shape: [2, 0])))
    model.graph!.initializers.append(TensorProto(name: "empty_1d", data: Tensor(zeros: .float, shape: [0])))
    var typed = model
    for i in typed.graph!.initializers.indices { typed.graph!.initializers[i].encoding = .typed }
    for m in [model, typed] {
      let back = try Self.roundTrip(m)
      for t in m.graph!.initializers {
        let b = try #require(back.graph!.initializer(named: t.name!))
        #expect(b.data.shape == t.data.shape && b.data.dtype == t.data.dtype, "\(t.name!)")
        #expect(b.data.count == t.data.count)
      }
      // Byte-stable: read → write → read → write.
      #expect(try ONNXWriter.serialize(back) == (try ONNXWriter.serialize(try Self.roundTrip(back))))
    }
  }

  @Test func zeroSizeTensorsWithHugeOtherDimsAreRefused() throws {
    // No elements, but the strides of [0, 2^40, 2^40] overflow: refused at read.
    var model = MaliciousModels.chain(count: 2)
    model.graph!.initializers.append(TensorProto(name: "wide", data: Tensor(zeros: .float, shape: [0, 1 << 40, 1 << 40])))
    Self.expectReadError(model, contains: ["tensor 'wide'", "non-zero dims", "overflows"])
    // [0, 2^40] is fine: its strides fit.
    var ok = MaliciousModels.chain(count: 2)
    ok.graph!.initializers.append(TensorProto(name: "wide", data: Tensor(zeros: .float, shape: [0, 1 << 40])))
    _ = try Self.roundTrip(ok)
  }

  @Test func hugeDeclaredDimsWithoutDataAreRefused() {
    // dims [2^40] claimed, 12 bytes stored: refused before anything is allocated.
    var model = MaliciousModels.chain(count: 2)
    model.graph!.initializers[0].dims = [1 << 40]
    Self.expectReadError(model, contains: ["tensor 'zero'"])
  }
}
