import Testing
import TuneIR
import TuneRuntime
import TuneTensor
import TuneTestSupport

/// `BatchFolding` and `onnx_tune:FoldedDepthwiseConv`: which regions fold, what must not, and
/// that the folded graph computes what the original does at batch sizes that do and do not fill
/// the depthwise kernel's eight lanes with one channel.
@Suite struct BatchFoldingTests {
  /// x[batch,8,side,side] (6x6 by default), two MobileNetV2-like blocks:
  ///   e1 = Clip(Conv1x1(x; 8→24)); d1 = Clip(DWConv3x3(e1)); p1 = Conv1x1(d1; 24→8); a1 = p1 + x
  ///   e2 = Relu(Conv1x1(a1; 8→16)); d2 = Relu(DWConv3x3(e2; stride 2)); y = Conv1x1(d2; 16→8)
  ///   y2 = Sigmoid(e2)                     read outside the region: unfolded for it
  /// With `pooled`, y = GlobalAveragePool(Conv1x1(d2)): pooled on the folded planes instead.
  static func model(side: Int = 6, batch: Dimension = .symbol("batch"), pooled: Bool = false) -> Model {
    var nodes: [Node] = []
    func add(_ op: String, _ inputs: [String], _ outputs: [String], _ attrs: [Attribute] = []) {
      nodes.append(Node(opType: op, inputs: inputs, outputs: outputs, name: outputs[0], attributes: attrs))
    }
    func dw(_ group: Int, stride: Int = 1) -> [Attribute] {
      [.ints("pads", [1, 1, 1, 1]), .ints("kernel_shape", [3, 3]), .int("group", Int64(group)), .ints("strides", [Int64(stride), Int64(stride)])]
    }
    add("Conv", ["x", "w1", "b1"], ["c1"])
    add("Clip", ["c1", "lo", "hi"], ["e1"])
    add("Conv", ["e1", "v1", "u1"], ["c2"], dw(24))
    add("Clip", ["c2", "lo", "hi"], ["d1"])
    add("Conv", ["d1", "p1w", "p1b"], ["p1"])
    add("Add", ["p1", "x"], ["a1"])
    add("Conv", ["a1", "w2"], ["c3"])
    add("Relu", ["c3"], ["e2"])
    add("Conv", ["e2", "v2", "u2"], ["c4"], dw(16, stride: 2))
    add("Relu", ["c4"], ["d2"])
    if pooled {
      add("Conv", ["d2", "p2w"], ["yc"])
      add("GlobalAveragePool", ["yc"], ["y"])
    } else {
      add("Conv", ["d2", "p2w"], ["y"])
    }
    add("Sigmoid", ["e2"], ["y2"])
    func i(_ name: String, _ shape: [Int], _ seed: UInt64) -> TensorProto {
      SyntheticModels.initializer(name, shape, seed: seed, positive: false)
    }
    let inits = [
      i("w1", [24, 8, 1, 1], 1), i("b1", [24], 2), i("v1", [24, 1, 3, 3], 3), i("u1", [24], 4), i("p1w", [8, 24, 1, 1], 5),
      i("p1b", [8], 6), i("w2", [16, 8, 1, 1], 7), i("v2", [16, 1, 3, 3], 8), i("u2", [16], 9), i("p2w", [8, 16, 1, 1], 10),
      TensorProto(name: "lo", data: Tensor([Float(0)], shape: [])),
      TensorProto(name: "hi", data: Tensor([Float(0.5)], shape: [])),
    ]
    let s = Int64(side)
    let half = Int64((side + 1) / 2)
    let g = Graph(
      nodes: nodes, name: "batch-folding", initializers: inits,
      inputs: [ValueInfo(name: "x", type: .tensor(.float, [batch, .value(8), .value(s), .value(s)]))],
      outputs: [
        ValueInfo(name: "y", type: .tensor(.float, [batch, .value(8), .value(pooled ? 1 : half), .value(pooled ? 1 : half)])),
        ValueInfo(name: "y2", type: .tensor(.float, [batch, .value(16), .value(s), .value(s)])),
      ])
    return Model(irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: 13)], producerName: "tests", graph: g)
  }

  static func folded(_ model: Model) throws -> Model {
    var m = model
    ConvActivationFusion.prepare(&m)
    BatchFolding.prepare(&m)
    try PassDriver.run([ConvActivationFusion(), BatchFolding(), DeadNodeElimination()], on: &m)
    return m
  }

  @Test func foldsTheSmallPlaneBlocks() throws {
    let m = try Self.folded(Self.model())
    let nodes = m.graph!.nodes
    let depthwise = nodes.filter { $0.opType == FoldedDepthwiseConv.opType && $0.domain == "onnx_tune" }
    #expect(depthwise.count == 2)
    #expect(depthwise.allSatisfy { (try? $0.int("image_height", default: 0)) == 6 })
    #expect(try depthwise.first?.string("activation", default: "") == "Clip")
    // One fold (x) and two unfolds (y, and e2 for the Sigmoid), each a Transpose and a Reshape.
    #expect(nodes.filter { $0.isStandard("Transpose") }.count == 3)
    #expect(nodes.filter { $0.isStandard("Reshape") }.count == 3)
    // The residual Add reads the folded x, the convolution the folded block input.
    let sigmoid = try #require(nodes.first { $0.isStandard("Sigmoid") })
    #expect(sigmoid.inputs == ["e2"])
    #expect(nodes.contains { $0.outputs == ["e2"] && $0.isStandard("Transpose") })
    #expect(m.opsetVersion(domain: "onnx_tune") == 1)
  }

  @Test func poolsFoldedPlanes() throws {
    let m = try Self.folded(Self.model(pooled: true))
    let nodes = m.graph!.nodes
    // yc is not unfolded: the pool reads its planes, and only the [8, N] means are transposed.
    let transposes = nodes.filter { $0.isStandard("Transpose") }
    #expect(transposes.count == 3)
    #expect(transposes.contains { (try? $0.ints("perm")) == [1, 0] })
    #expect(!nodes.contains { $0.outputs == ["yc"] })
    let pool = try #require(nodes.first { $0.isStandard("GlobalAveragePool") })
    #expect(pool.inputs[0].hasPrefix("yc__planes"))
  }

  /// 4x4 planes (whole strips of 16), 12x12 (over `largestPlane`) and an unknown batch stay as
  /// they are.
  @Test(arguments: [(4, Dimension.symbol("batch")), (12, .symbol("batch")), (6, .unknown)])
  func leavesOtherPlanesAlone(side: Int, batch: Dimension) throws {
    let m = try Self.folded(Self.model(side: side, batch: batch))
    #expect(!m.graph!.nodes.contains { $0.opType == FoldedDepthwiseConv.opType || $0.isStandard("Transpose") })
  }

  /// A weight computed in the graph (Relu of an input shaped like a 1×1 filter, itself a
  /// "small plane") is read as it is: the Relu is not folded with the convolution it feeds.
  @Test func weightsAreNotFolded() throws {
    var model = Self.model()
    var g = model.graph!
    g.nodes.insert(Node(opType: "Relu", inputs: ["w_in"], outputs: ["w_relu"], name: "w_relu"), at: 0)
    for i in g.nodes.indices where g.nodes[i].outputs == ["p1"] { g.nodes[i].inputs[1] = "w_relu" }
    g.inputs.append(ValueInfo(name: "w_in", type: .tensor(.float, [.value(8), .value(24), .value(1), .value(1)])))
    model.graph = g
    let m = try Self.folded(model)
    #expect(m.graph!.nodes.contains { $0.isStandard("Relu") && $0.inputs == ["w_in"] && $0.outputs == ["w_relu"] })
    #expect(m.graph!.nodes.contains { $0.inputs.count > 1 && $0.inputs[1] == "w_relu" })
    var r = SeededRandom(seed: 8)
    let x = Tensor((0..<(3 * 8 * 36)).map { _ in r.nextFloat() * 2 - 1 }, shape: [3, 8, 6, 6])
    let w = Tensor((0..<(8 * 24)).map { _ in r.nextFloat() * 2 - 1 }, shape: [8, 24, 1, 1])
    let a = try InferenceSession(model: model).runOrdered(["x": x, "w_in": w])
    let optimized = try InferenceSession(model: model, optimize: true)
    #expect(optimized.model.graph!.nodes.contains { $0.opType == FoldedDepthwiseConv.opType })
    let b = try optimized.runOrdered(["x": x, "w_in": w])
    for (u, v) in zip(a, b) {
      let worst = zip(u.floatValues(), v.floatValues()).map { abs($0 - $1) - 1e-5 * abs($0) }.max() ?? 0
      #expect(worst <= 1e-5)
    }
  }

  @Test func needsThreeConvolutions() throws {
    // Only the first block's 1×1 + depthwise (two convolutions): not worth its copies.
    var model = Self.model()
    var g = model.graph!
    g.nodes = g.nodes.filter { ["c1", "e1", "c2", "d1"].contains($0.outputs[0]) }
    g.outputs = [ValueInfo(name: "d1", type: .tensor(.float, [.symbol("batch"), .value(24), .value(6), .value(6)]))]
    model.graph = g
    let m = try Self.folded(model)
    #expect(!m.graph!.nodes.contains { $0.isStandard("Transpose") })
  }

  /// The optimized session (all passes) against the graph as written: 1e-5 absolute + relative.
  /// Batch 8 and 16 fill the blocked kernel's lanes with one channel's images, 1 and 3 do not.
  @Test(arguments: [(0, false), (1, false), (3, false), (8, false), (16, false), (0, true), (3, true), (8, true)])
  func foldedGraphComputesTheSame(batch: Int, pooled: Bool) throws {
    var r = SeededRandom(seed: 5)
    let x = Tensor((0..<(batch * 8 * 36)).map { _ in r.nextFloat() * 2 - 1 }, shape: [batch, 8, 6, 6])
    let plain = try InferenceSession(model: Self.model(pooled: pooled))
    let optimized = try InferenceSession(model: Self.model(pooled: pooled), optimize: true)
    #expect(optimized.model.graph!.nodes.filter { $0.opType == FoldedDepthwiseConv.opType }.count == 2)
    let a = try plain.runOrdered(["x": x])
    let b = try optimized.runOrdered(["x": x])
    for (u, v) in zip(a, b) {
      #expect(u.shape == v.shape)
      let worst = zip(u.floatValues(), v.floatValues()).map { abs($0 - $1) - 1e-5 * abs($0) }.max() ?? 0
      #expect(worst <= 1e-5, "batch \(batch) pooled \(pooled)")
    }
  }

  /// The op alone against `Conv` on the unfolded tensor, on the blocked kernel (3×3) and on the
  /// repeated-filter path (5×5, dilation 2), with bias and activation.
  @Test(arguments: [(3, 1, 1, 3), (3, 2, 1, 8), (5, 1, 1, 2), (3, 1, 2, 4)])
  func opMatchesConvOnTheUnfoldedTensor(kernel: Int, stride: Int, dilation: Int, batch: Int) throws {
    let (c, h, w) = (5, 7, 6)
    var r = SeededRandom(seed: UInt64(kernel * 100 + stride * 10 + batch))
    let x = Tensor((0..<(batch * c * h * w)).map { _ in r.nextFloat() * 2 - 1 }, shape: [batch, c, h, w])
    let weight = Tensor((0..<(c * kernel * kernel)).map { _ in r.nextFloat() * 2 - 1 }, shape: [c, 1, kernel, kernel])
    let bias = Tensor((0..<c).map { _ in r.nextFloat() }, shape: [c])
    let pad = Int64(dilation * (kernel / 2))
    let attrs: [Attribute] = [
      .int("group", Int64(c)), .ints("pads", [pad, pad, pad, pad]), .ints("strides", [Int64(stride), Int64(stride)]),
      .ints("dilations", [Int64(dilation), Int64(dilation)]), .string("activation", "Relu"),
    ]
    let reference = try FusedConv(
      node: Node(opType: "FusedConv", inputs: ["x", "w", "b"], outputs: ["y"], domain: "com.microsoft", attributes: attrs),
      opset: 13
    ).forward([x, weight, bias], context: ExecutionContext())[0]
    let op = try FoldedDepthwiseConv(
      node: Node(
        opType: FoldedDepthwiseConv.opType, inputs: ["x", "w", "b"], outputs: ["y"], domain: "onnx_tune",
        attributes: attrs + [.int("image_height", Int64(h))]),
      opset: 13)
    let folded = CopyKernel.transpose(x, perm: [1, 0, 2, 3]).reshaped([1, c, batch * h, w])
    let y = try op.forward([folded, weight, bias], context: ExecutionContext())[0]
    let (oh, ow) = (reference.shape[2], reference.shape[3])
    #expect(y.shape == [1, c, batch * oh, ow])
    let unfolded = CopyKernel.transpose(y.reshaped([c, batch, oh, ow]), perm: [1, 0, 2, 3])
    let worst = zip(reference.floatValues(), unfolded.floatValues()).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= 1e-5)
  }

  @Test func opRefusesBadInputs() throws {
    let attrs: [Attribute] = [.int("group", 2), .ints("pads", [1, 1, 1, 1])]
    #expect(throws: OpError.self) {
      _ = try FoldedDepthwiseConv(
        node: Node(opType: FoldedDepthwiseConv.opType, inputs: ["x", "w"], outputs: ["y"], domain: "onnx_tune", attributes: attrs),
        opset: 13)
    }
    let op = try FoldedDepthwiseConv(
      node: Node(
        opType: FoldedDepthwiseConv.opType, inputs: ["x", "w"], outputs: ["y"], domain: "onnx_tune",
        attributes: attrs + [.int("image_height", 3)]),
      opset: 13)
    let w = Tensor([Float](repeating: 1, count: 18), shape: [2, 1, 3, 3])
    let context = ExecutionContext()
    // Rows not a multiple of the image height; a batch dimension; a filter per two channels.
    #expect(throws: OpError.self) { _ = try op.forward([Tensor(zeros: .float, shape: [1, 2, 7, 3]), w], context: context) }
    #expect(throws: OpError.self) { _ = try op.forward([Tensor(zeros: .float, shape: [2, 2, 6, 3]), w], context: context) }
    #expect(throws: OpError.self) {
      _ = try op.forward([Tensor(zeros: .float, shape: [1, 4, 6, 3]), Tensor(zeros: .float, shape: [4, 1, 3, 3])], context: context)
    }
    let y = try op.forward([Tensor([Float](repeating: 1, count: 36), shape: [1, 2, 6, 3]), w], context: context)[0]
    // Ones: 9 taps inside, 4 in a corner; each image padded on its own (row 3 is a top row).
    #expect(y.shape == [1, 2, 6, 3])
    #expect(y.floatValues()[0] == 4 && y.floatValues()[4] == 9 && y.floatValues()[9] == 4)
  }
}
