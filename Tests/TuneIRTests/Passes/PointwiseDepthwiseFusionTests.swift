import Testing
import TuneIR
import TuneRuntime
import TuneTensor
import TuneTestSupport

/// `PointwiseDepthwiseFusion` and `onnx_tune:FusedPointwiseDepthwise`: which pairs fuse, which
/// must not, and that the fused graph computes what the original does.
@Suite struct PointwiseDepthwiseFusionTests {
  /// x[batch,8,12,12]:
  ///   e1 = Clip(Conv1x1(x; 8→24), 0, 6); d1 = Clip(DWConv3x3(e1; group 24, stride 2), 0, 6)   fused
  ///   p1 = Conv1x1(d1; 24→8)                               a projection: follows, not fused
  ///   e2 = Conv1x1(p1; 8→16); d2 = DWConv3x3(e2; group 16)  no activations: fused
  ///   e3 = Relu(Conv1x1(d2; 16→16)), read by d3 (depthwise) and by y2: not fused
  ///   d3 = DWConv3x3(e3; group 16)
  ///   e4 = Conv1x1(d3; 16→16, stride 2); d4 = DWConv(e4)   a strided 1×1: not fused
  ///   e5 = Conv1x1(d4; 16→16); d5 = Conv3x3(e5; group 8)   two channels per group: not fused
  static func model() -> Model {
    var nodes: [Node] = []
    func add(_ op: String, _ inputs: [String], _ outputs: [String], _ attrs: [Attribute] = []) {
      nodes.append(Node(opType: op, inputs: inputs, outputs: outputs, name: outputs[0], attributes: attrs))
    }
    func dw(_ group: Int, stride: Int = 1) -> [Attribute] {
      [.ints("pads", [1, 1, 1, 1]), .ints("kernel_shape", [3, 3]), .int("group", Int64(group)), .ints("strides", [Int64(stride), Int64(stride)])]
    }
    add("Conv", ["x", "w1", "b1"], ["c1"])
    add("Clip", ["c1", "lo", "hi"], ["e1"])
    add("Conv", ["e1", "v1", "u1"], ["c2"], dw(24, stride: 2))
    add("Clip", ["c2", "lo", "hi"], ["d1"])
    add("Conv", ["d1", "p"], ["p1"])
    add("Conv", ["p1", "w2"], ["e2"])
    add("Conv", ["e2", "v2", "u2"], ["d2"], dw(16))
    add("Conv", ["d2", "w3"], ["c3"])
    add("Relu", ["c3"], ["e3"])
    add("Conv", ["e3", "v3"], ["d3"], dw(16))
    add("Sigmoid", ["e3"], ["y2"])
    add("Conv", ["d3", "w4"], ["e4"], [.ints("strides", [2, 2])])
    add("Conv", ["e4", "v4"], ["d4"], dw(16))
    add("Conv", ["d4", "w5"], ["e5"])
    add("Conv", ["e5", "v5"], ["y"], dw(8))
    func i(_ name: String, _ shape: [Int], _ seed: UInt64) -> TensorProto {
      SyntheticModels.initializer(name, shape, seed: seed, positive: false)
    }
    let inits = [
      i("w1", [24, 8, 1, 1], 1), i("b1", [24], 2), i("v1", [24, 1, 3, 3], 3), i("u1", [24], 4), i("p", [8, 24, 1, 1], 5),
      i("w2", [16, 8, 1, 1], 6), i("v2", [16, 1, 3, 3], 7), i("u2", [16], 8), i("w3", [16, 16, 1, 1], 9),
      i("v3", [16, 1, 3, 3], 10), i("w4", [16, 16, 1, 1], 11), i("v4", [16, 1, 3, 3], 12), i("w5", [16, 16, 1, 1], 13),
      i("v5", [16, 2, 3, 3], 14),
      TensorProto(name: "lo", data: Tensor([Float(0)], shape: [])),
      TensorProto(name: "hi", data: Tensor([Float(0.5)], shape: [])),
    ]
    let g = Graph(
      nodes: nodes, name: "pointwise-depthwise", initializers: inits,
      inputs: [ValueInfo(name: "x", type: .tensor(.float, [.symbol("batch"), .value(8), .value(12), .value(12)]))],
      outputs: [
        ValueInfo(name: "y", type: .tensor(.float, [.symbol("batch"), .value(16), .value(2), .value(2)])),
        ValueInfo(name: "y2", type: .tensor(.float, [.symbol("batch"), .value(16), .value(6), .value(6)])),
      ])
    return Model(irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: 13)], producerName: "tests", graph: g)
  }

  @Test func fusesWhatItMayAndNothingElse() throws {
    var model = Self.model()
    ConvActivationFusion.prepare(&model)
    PointwiseDepthwiseFusion.prepare(&model)
    try PassDriver.run([ConvActivationFusion(), PointwiseDepthwiseFusion(), DeadNodeElimination()], on: &model)
    let nodes = model.graph!.nodes
    let fused = nodes.filter { $0.opType == FusedPointwiseDepthwise.opType && $0.domain == "onnx_tune" }
    #expect(fused.map(\.outputs[0]) == ["d1", "d2"])
    #expect(fused.first?.inputs == ["x", "w1", "b1", "v1", "u1"])
    #expect(fused.last?.inputs == ["p1", "w2", "", "v2", "u2"])
    let first = try #require(fused.first)
    #expect(try first.string("pointwise_activation", default: "") == "Clip")
    #expect(try first.floats("pointwise_activation_params") == [0, 0.5])
    #expect(try first.string("activation", default: "") == "Clip")
    #expect(try first.ints("strides") == [2, 2])
    #expect(try fused.last?.string("pointwise_activation", default: "") == "")
    // Left alone: the 1×1 read twice (e3), the strided 1×1 (e4), the grouped 3x3 (y).
    #expect(nodes.contains { $0.outputs == ["e3"] })
    #expect(nodes.contains { $0.outputs == ["e4"] && $0.opType == "Conv" })
    #expect(nodes.contains { $0.outputs == ["y"] && $0.opType == "Conv" })
    #expect(model.opsetVersion(domain: "onnx_tune") == 1)
  }

  @Test(arguments: [[], ["v2"], ["w2"], ["w1"]])
  func leavesTrainableWeightsAlone(trainable: Set<String>) throws {
    var model = Self.model()
    PointwiseDepthwiseFusion.prepare(&model)
    try PassDriver.run([PointwiseDepthwiseFusion(keeping: trainable)], on: &model)
    let fused = model.graph!.nodes.filter { $0.opType == FusedPointwiseDepthwise.opType }
    // Without the Clips fused first, e1 → d1 has a Clip between; e2 → d2 fuses unless one of
    // its weights trains or its input depends on one (w1 is upstream of it).
    #expect(fused.map(\.outputs[0]) == (trainable.isEmpty ? ["d2"] : []), "\(trainable)")
  }

  /// The optimized session against the graph as written, fused kernel forced on (planes below
  /// `pointwiseDepthwiseFromFloats` otherwise run the two convolutions) and at its default:
  /// 1e-5 absolute + relative (the 1×1 sums may run on another kernel).
  @Test(arguments: [(1, 0), (3, 0), (3, -1)])
  func fusedGraphComputesTheSame(batch: Int, fromFloats: Int) throws {
    var r = SeededRandom(seed: 9)
    let x = Tensor((0..<(batch * 8 * 144)).map { _ in r.nextFloat() * 2 - 1 }, shape: [batch, 8, 12, 12])
    let plain = try InferenceSession(model: Self.model())
    let optimized = try InferenceSession(model: Self.model(), optimize: true)
    // d1 fuses; past it the planes are 6x6, where `BatchFolding` runs first and folds e2 → d2
    // (and d3, d4) instead.
    let nodes = optimized.model.graph!.nodes
    #expect(nodes.filter { $0.opType == FusedPointwiseDepthwise.opType }.map(\.outputs[0]) == ["d1"])
    #expect(nodes.filter { $0.opType == FoldedDepthwiseConv.opType }.count >= 2)
    let a = try plain.runOrdered(["x": x])
    kernelModeLock.lock()
    defer { kernelModeLock.unlock() }
    let saved = ConvKernel.pointwiseDepthwiseFromFloats
    defer { ConvKernel.pointwiseDepthwiseFromFloats = saved }
    if fromFloats >= 0 { ConvKernel.pointwiseDepthwiseFromFloats = fromFloats }
    let b = try optimized.runOrdered(["x": x])
    for (u, v) in zip(a, b) {
      #expect(u.shape == v.shape)
      let worst = zip(u.floatValues(), v.floatValues()).map { abs($0 - $1) - 1e-5 * abs($0) }.max() ?? 0
      #expect(worst <= 1e-5, "batch \(batch) from \(fromFloats)")
    }
  }

  @Test func refusesBadShapes() throws {
    let node = Node(
      opType: FusedPointwiseDepthwise.opType, inputs: ["x", "w1", "", "w2", ""], outputs: ["y"], name: "f",
      domain: "onnx_tune", attributes: [.int("group", 4), .ints("pads", [1, 1, 1, 1])])
    let op = try FusedPointwiseDepthwise(node: node, opset: 1)
    let x = Tensor([Float](repeating: 1, count: 2 * 3 * 25), shape: [2, 3, 5, 5])
    let w1 = Tensor([Float](repeating: 1, count: 4 * 3), shape: [4, 3, 1, 1])
    let w2 = Tensor([Float](repeating: 1, count: 4 * 9), shape: [4, 1, 3, 3])
    let context = ExecutionContext()
    // W1 not 1×1, W1 over the wrong channels, W2 not depthwise, B1 of the wrong size.
    #expect(throws: OpError.self) { _ = try op.forward([x, Tensor([Float](repeating: 1, count: 4 * 27), shape: [4, 3, 3, 3]), nil, w2, nil], context: context) }
    #expect(throws: OpError.self) { _ = try op.forward([x, Tensor([Float](repeating: 1, count: 8), shape: [4, 2, 1, 1]), nil, w2, nil], context: context) }
    #expect(throws: OpError.self) { _ = try op.forward([x, w1, nil, Tensor([Float](repeating: 1, count: 72), shape: [4, 2, 3, 3]), nil], context: context) }
    #expect(throws: OpError.self) { _ = try op.forward([x, w1, Tensor([Float(1)], shape: [1]), w2, nil], context: context) }
    let y = try op.forward([x, w1, nil, w2, nil], context: context)[0]
    // Ones everywhere: 3 from the 1×1, times the taps inside the image (9 inside, 4 at a corner).
    #expect(y.shape == [2, 4, 5, 5])
    #expect(y.floatValues()[0] == 12)
    #expect(y.floatValues()[6] == 27)
  }
}
