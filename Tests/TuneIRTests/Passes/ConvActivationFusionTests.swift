import Testing
import TuneIR
import TuneRuntime
import TuneTensor
import TuneTestSupport

/// `ConvActivationFusion` and `com.microsoft:FusedConv`: which patterns fuse, which must not,
/// and that the fused graph computes exactly what the original does.
@Suite struct ConvActivationFusionTests {
  /// x[batch,4,8,8]:
  ///   a = Relu(Conv3x3(x) + Conv1x1(x))             residual add, then Relu: one FusedConv
  ///   b = Clip(Conv(a), 0, 6)                       Clip from constant inputs
  ///   c = LeakyRelu(Conv(b))
  ///   d = Conv(c) + bias[4,1,1]                     broadcast add: not fused
  ///   e = Relu(Conv(d)), Conv output also a graph output: not fused
  ///   f = Conv(e) + Conv(e)-branch g, g also read by y2: the Add reads g, which has two readers
  static func model() -> Model {
    var nodes: [Node] = []
    func add(_ op: String, _ inputs: [String], _ outputs: [String], _ attrs: [Attribute] = []) {
      nodes.append(Node(opType: op, inputs: inputs, outputs: outputs, name: outputs[0], attributes: attrs))
    }
    let same: [Attribute] = [.ints("pads", [1, 1, 1, 1]), .ints("kernel_shape", [3, 3])]
    add("Conv", ["x", "w1", "b1"], ["c1"], same)
    add("Conv", ["x", "w1x1"], ["c2"])
    add("Add", ["c1", "c2"], ["s1"])
    add("Relu", ["s1"], ["a"])
    add("Conv", ["a", "w3", "b3"], ["c3"], same)
    add("Clip", ["c3", "lo", "hi"], ["b"])
    add("Conv", ["b", "w4"], ["c4"], same)
    add("LeakyRelu", ["c4"], ["c"], [.float("alpha", 0.3)])
    add("Conv", ["c", "w5", "b5"], ["c5"], same)
    add("Add", ["c5", "bias"], ["d"])
    add("Conv", ["d", "w6"], ["c6"], same)
    add("Relu", ["c6"], ["e"])
    add("Conv", ["e", "w7"], ["c7"], same)
    add("Conv", ["e", "w8"], ["g"], same)
    add("Add", ["c7", "g"], ["y"])
    add("Sigmoid", ["g"], ["y2"])
    func i(_ name: String, _ shape: [Int], _ seed: UInt64, _ positive: Bool) -> TensorProto {
      SyntheticModels.initializer(name, shape, seed: seed, positive: positive)
    }
    let inits = [
      i("w1", [4, 4, 3, 3], 1, false), i("b1", [4], 2, false), i("w1x1", [4, 4, 1, 1], 3, false),
      i("w3", [4, 4, 3, 3], 4, false), i("b3", [4], 5, false), i("w4", [4, 4, 3, 3], 6, false),
      i("w5", [4, 4, 3, 3], 7, false), i("b5", [4], 8, false), i("bias", [4, 1, 1], 9, false),
      i("w6", [4, 4, 3, 3], 10, false), i("w7", [4, 4, 3, 3], 11, false), i("w8", [4, 4, 3, 3], 12, false),
      TensorProto(name: "lo", data: Tensor([Float(0)], shape: [])),
      TensorProto(name: "hi", data: Tensor([Float(0.5)], shape: [])),
    ]
    let dims: [Dimension] = [.symbol("batch"), .value(4), .value(8), .value(8)]
    let g = Graph(
      nodes: nodes, name: "fusion", initializers: inits,
      inputs: [ValueInfo(name: "x", type: .tensor(.float, dims))],
      outputs: [
        ValueInfo(name: "y", type: .tensor(.float, dims)), ValueInfo(name: "y2", type: .tensor(.float, dims)),
        ValueInfo(name: "c6", type: .tensor(.float, dims)),
      ])
    return Model(irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: 13)], producerName: "tests", graph: g)
  }

  static func input(batch: Int) -> Tensor {
    var r = SeededRandom(seed: 5)
    return Tensor((0..<(batch * 4 * 64)).map { _ in r.nextFloat() * 2 - 1 }, shape: [batch, 4, 8, 8])
  }

  @Test func fusesWhatItMayAndNothingElse() throws {
    var model = Self.model()
    ConvActivationFusion.prepare(&model)
    try PassDriver.run([ConvActivationFusion()], on: &model)
    let nodes = model.graph!.nodes
    let fused = nodes.filter { $0.opType == "FusedConv" && $0.domain == "com.microsoft" }
    // conv c1 (+ c2, Relu), c3 (Clip), c4 (LeakyRelu), c7 (+ g): four fused nodes.
    #expect(fused.count == 4)
    #expect(fused.map(\.outputs[0]).sorted() == ["a", "b", "c", "y"])
    let byOutput = Dictionary(uniqueKeysWithValues: fused.map { ($0.outputs[0], $0) })
    #expect(byOutput["a"]?.inputs == ["x", "w1", "b1", "c2"])
    #expect(try byOutput["a"]?.string("activation", default: "") == "Relu")
    #expect(try byOutput["b"]?.floats("activation_params") == [0, 0.5])
    #expect(try byOutput["c"]?.floats("activation_params") == [0.3])
    #expect(try byOutput["y"]?.string("activation", default: "") == "")
    // Left alone: the broadcast Add, the Relu after a Conv whose output is a graph output,
    // and Sigmoid.
    #expect(nodes.filter { $0.opType == "Add" }.map(\.outputs[0]) == ["d"])
    #expect(nodes.contains { $0.opType == "Relu" && $0.outputs == ["e"] })
    #expect(model.opsetVersion(domain: "com.microsoft") == 1)
  }

  @Test(arguments: [1, 3])
  func fusedGraphComputesExactlyTheSame(batch: Int) throws {
    let x = Self.input(batch: batch)
    let plain = try InferenceSession(model: Self.model())
    let optimized = try InferenceSession(model: Self.model(), optimize: true)
    #expect(!optimized.optimizations.isEmpty)
    #expect(optimized.model.graph!.nodes.count < plain.model.graph!.nodes.count)
    let a = try plain.runOrdered(["x": x])
    let b = try optimized.runOrdered(["x": x])
    for (u, v) in zip(a, b) {
      #expect(u.shape == v.shape)
      #expect(u.floatValues() == v.floatValues())
    }
  }

  @Test func fusedConvRefusesBadAttributesAndShapes() throws {
    func node(_ attrs: [Attribute]) -> Node {
      Node(opType: "FusedConv", inputs: ["x", "w", "", "z"], outputs: ["y"], name: "f", domain: "com.microsoft", attributes: attrs)
    }
    #expect(throws: OpError.self) { _ = try FusedConv(node: node([.string("activation", "Gelu")]), opset: 1) }
    #expect(throws: OpError.self) {
      _ = try FusedConv(node: node([.string("activation", "Clip"), .floats("activation_params", [1])]), opset: 1)
    }
    let op = try FusedConv(node: node([.string("activation", "Relu")]), opset: 1)
    let x = Tensor([Float](repeating: 1, count: 2 * 2 * 3 * 3), shape: [2, 2, 3, 3])
    let w = Tensor([Float](repeating: 1, count: 3 * 2), shape: [3, 2, 1, 1])
    let wrongZ = Tensor([Float](repeating: 1, count: 2 * 3 * 3), shape: [1, 2, 3, 3])
    #expect(throws: OpError.self) { _ = try op.forward([x, w, nil, wrongZ], context: ExecutionContext()) }
    let z = Tensor([Float](repeating: -3, count: 2 * 3 * 9), shape: [2, 3, 3, 3])
    let y = try op.forward([x, w, nil, z], context: ExecutionContext())[0]
    // 1x1 conv of ones over 2 channels = 2; + (-3) = -1; Relu → 0.
    #expect(y.shape == [2, 3, 3, 3])
    #expect(y.floatValues().allSatisfy { $0 == 0 })
  }
}
