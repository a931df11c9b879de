import Testing
import TuneIR
import TuneTensor

@Suite struct ShapeInferenceTests {
  /// `onnx.shape_inference.infer_shapes(model, data_prop=True)` on the fixtures (onnx 1.22.0).
  /// ONNX's fresh `unk__N` symbols are wildcards here (we keep the input's batch symbol instead).
  static let onnxShapes: [String: [String: String]] = [
    "torch_cnn": [
      "/features/features.0/Conv_output_0": "batch,8,28,28", "/features/features.1/BatchNormalization_output_0": "batch,8,28,28",
      "/features/features.2/Relu_output_0": "batch,8,28,28", "/features/features.3/MaxPool_output_0": "batch,8,14,14",
      "/features/features.4/Conv_output_0": "batch,16,14,14", "/features/features.5/BatchNormalization_output_0": "batch,16,14,14",
      "/features/features.6/Relu_output_0": "batch,16,14,14", "/features/features.7/MaxPool_output_0": "batch,16,7,7",
      "/pool/GlobalAveragePool_output_0": "batch,16,1,1", "/Flatten_output_0": "batch,16", "logits": "batch,10",
    ],
    "paddle_style": [
      "conv2d_1.tmp_1": "p2o.DynamicDimension.0,4,8,8", "relu_0.tmp_0": "p2o.DynamicDimension.0,4,8,8",
      "pool2d_0.tmp_0": "p2o.DynamicDimension.0,4,4,4", "p2o.Constant.2.out": "2", "reshape2_0.tmp_0": "unk__0,64",
      "linear_0.w_0": "64,10", "linear_1.tmp_0": "unk__0,10", "linear_1.tmp_1": "unk__0,10",
    ],
    "tf_style_nhwc": [
      "StatefulPartitionedCall/model/conv2d/BiasAdd__6:0": "unk__24,3,16,16",
      "StatefulPartitionedCall/model/conv2d/BiasAdd:0": "unk__24,8,16,16",
      "StatefulPartitionedCall/model/max_pooling2d/MaxPool:0": "unk__24,8,8,8",
      "StatefulPartitionedCall/model/conv2d_1/BiasAdd:0": "unk__24,8,8,8",
      "StatefulPartitionedCall/model/max_pooling2d_1/MaxPool:0": "unk__24,8,4,4",
      "StatefulPartitionedCall/model/max_pooling2d_1/MaxPool__16:0": "unk__24,4,4,8",
      "StatefulPartitionedCall/model/flatten/Reshape:0": "unk__0,128", "StatefulPartitionedCall/model/dense/MatMul:0": "unk__0,10",
      "StatefulPartitionedCall/model/dense/BiasAdd:0": "unk__0,10",
    ],
    "external_data/model": ["conv_out": "batch,16,8,8", "relu1_out": "batch,16,8,8", "flat": "batch,1024", "fc1_out": "batch,32", "relu2_out": "batch,32"],
  ]

  @Test(arguments: FixtureModels.all)
  func agreesWithONNXOnTheFixtures(fixture: String) throws {
    let inferred = ShapeInference(try FixtureModels.load(fixture))
    for (name, expected) in Self.onnxShapes[fixture]! {
      let dims = try #require(inferred[name]?.dims, "\(name) has no inferred shape")
      let want = expected.split(separator: ",").map(String.init)
      #expect(dims.count == want.count, "\(name)")
      for (d, w) in zip(dims, want) where !w.hasPrefix("unk__0") {
        #expect(d.description == w || (w.hasPrefix("unk__") && d == .symbol(w)), "\(name): \(dims) vs \(expected)")
      }
      // Where ONNX invents a symbol, we keep the batch's.
      if want.first == "unk__0" { #expect(dims.first.map { if case .symbol = $0 { true } else { false } } == true, "\(name)") }
    }
  }

  static func infer(_ nodes: [Node], inputs: [(String, [Dimension])], initializers: [TensorProto] = [], opset: Int = 13)
    -> ShapeInference
  {
    let g = Graph(
      nodes: nodes, initializers: initializers, inputs: inputs.map { ValueInfo(name: $0.0, type: .tensor(.float, $0.1)) })
    return ShapeInference(g, opset: opset)
  }

  static let n = Dimension.symbol("N")
  static func v(_ x: Int64) -> Dimension { .value(x) }

  @Test func convAndPoolingRules() {
    let w = TensorProto(name: "w", data: Tensor(zeros: .float, shape: [6, 3, 5, 5]))
    let s = Self.infer(
      [
        Node(opType: "Conv", inputs: ["x", "w"], outputs: ["c"], attributes: [.ints("strides", [2, 2]), .ints("pads", [2, 2, 2, 2])]),
        Node(opType: "Conv", inputs: ["x", "w"], outputs: ["same"], attributes: [.string("auto_pad", "SAME_UPPER"), .ints("strides", [2, 2])]),
        Node(opType: "MaxPool", inputs: ["c"], outputs: ["p"], attributes: [.ints("kernel_shape", [3, 3]), .ints("strides", [2, 2]), .int("ceil_mode", 1)]),
        Node(opType: "AveragePool", inputs: ["c"], outputs: ["a"], attributes: [.ints("kernel_shape", [2, 2]), .ints("strides", [2, 2])]),
        Node(opType: "GlobalAveragePool", inputs: ["p"], outputs: ["g"]),
        Node(opType: "BatchNormalization", inputs: ["g", "s", "b", "m", "v"], outputs: ["bn"]),
      ], inputs: [("x", [Self.n, Self.v(3), Self.v(31), Self.v(31)])], initializers: [w])
    #expect(s["c"]?.dims == [Self.n, Self.v(6), Self.v(16), Self.v(16)])
    #expect(s["same"]?.dims == [Self.n, Self.v(6), Self.v(16), Self.v(16)])
    #expect(s["p"]?.dims == [Self.n, Self.v(6), Self.v(8), Self.v(8)])
    #expect(s["a"]?.dims == [Self.n, Self.v(6), Self.v(8), Self.v(8)])
    #expect(s["g"]?.dims == [Self.n, Self.v(6), Self.v(1), Self.v(1)])
    #expect(s["bn"]?.dims == s["g"]?.dims)
  }

  @Test func denseAndLayoutRules() {
    let w = TensorProto(name: "w", data: Tensor(zeros: .float, shape: [10, 64]))
    let m = TensorProto(name: "m", data: Tensor(zeros: .float, shape: [64, 7]))
    let shape = TensorProto(name: "shape", data: Tensor([Int64(0), 4, -1], shape: [3]))
    let axes = TensorProto(name: "axes", data: Tensor([Int64(1)], shape: [1]))
    let s = Self.infer(
      [
        Node(opType: "Flatten", inputs: ["x"], outputs: ["f"]),
        Node(opType: "Gemm", inputs: ["f", "w"], outputs: ["g"], attributes: [.int("transB", 1)]),
        Node(opType: "MatMul", inputs: ["f", "m"], outputs: ["mm"]),
        Node(opType: "Add", inputs: ["mm", "bias"], outputs: ["add"]),
        Node(opType: "Softmax", inputs: ["g"], outputs: ["sm"]),
        Node(opType: "Reshape", inputs: ["x", "shape"], outputs: ["r"]),
        Node(opType: "Transpose", inputs: ["x"], outputs: ["t"], attributes: [.ints("perm", [0, 2, 3, 1])]),
        Node(opType: "Concat", inputs: ["x", "x"], outputs: ["cat"], attributes: [.int("axis", 1)]),
        Node(opType: "Unsqueeze", inputs: ["g", "axes"], outputs: ["u"]),
        Node(opType: "Squeeze", inputs: ["u", "axes"], outputs: ["sq"]),
      ], inputs: [("x", [Self.n, Self.v(16), Self.v(2), Self.v(2)]), ("bias", [Self.v(7)])], initializers: [w, m, shape, axes])
    #expect(s["f"]?.dims == [Self.n, Self.v(64)])
    #expect(s["g"]?.dims == [Self.n, Self.v(10)])
    #expect(s["mm"]?.dims == [Self.n, Self.v(7)])
    #expect(s["add"]?.dims == [Self.n, Self.v(7)])
    #expect(s["sm"]?.dims == [Self.n, Self.v(10)])
    #expect(s["r"]?.dims == [Self.n, Self.v(4), Self.v(16)])
    #expect(s["t"]?.dims == [Self.n, Self.v(2), Self.v(2), Self.v(16)])
    #expect(s["cat"]?.dims == [Self.n, Self.v(32), Self.v(2), Self.v(2)])
    #expect(s["u"]?.dims == [Self.n, Self.v(1), Self.v(10)])
    #expect(s["sq"]?.dims == [Self.n, Self.v(10)])
  }

  @Test func broadcastingKeepsSymbols() {
    #expect(ShapeInference.broadcast([[Self.n, Self.v(1), Self.v(5)], [Self.v(3), Self.v(1)]]) == [Self.n, Self.v(3), Self.v(5)])
    #expect(ShapeInference.broadcast([[Self.n], [Self.v(4)]]) == [Self.v(4)])
    #expect(ShapeInference.broadcast([[Self.n], nil]) == nil)
  }

  @Test func oldOpsetSqueezeUsesTheAttribute() {
    let s = Self.infer(
      [Node(opType: "Squeeze", inputs: ["x"], outputs: ["y"], attributes: [.ints("axes", [2, 3])])],
      inputs: [("x", [Self.n, Self.v(8), Self.v(1), Self.v(1)])], opset: 11)
    #expect(s["y"]?.dims == [Self.n, Self.v(8)])
  }
}
