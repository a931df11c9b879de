import TuneIR
import TuneTensor

/// Small graphs with the patterns the passes target, built in code (opset 13).
enum SyntheticModels {
  static func initializer(_ name: String, _ shape: [Int], seed: UInt64, positive: Bool = false) -> TensorProto {
    var r = SeededRandom(seed: seed)
    let n = shape.reduce(1, *)
    let v = (0..<n).map { _ in positive ? 0.5 + r.nextFloat() : r.nextFloat() * 2 - 1 }
    return TensorProto(name: name, data: Tensor(v, shape: shape))
  }

  static func ints(_ name: String, _ v: [Int64], scalar: Bool = false) -> TensorProto {
    TensorProto(name: name, data: Tensor(v, shape: scalar ? [] : [v.count]))
  }

  /// x[batch,3,8,8] → Conv → BatchNorm → Identity → Relu → Dropout →
  /// Shape/Gather(0)/Unsqueeze/Concat(-1)/Reshape (PyTorch's flatten, symbolic batch) and a
  /// static chain Shape/Slice(1:)/Concat → Reshape → Gemm → BatchNorm → Identity → y[batch,5].
  static func pytorchStyle() -> Model {
    var nodes: [Node] = []
    func add(_ op: String, _ inputs: [String], _ outputs: [String], _ name: String, _ attrs: [Attribute] = []) {
      nodes.append(Node(opType: op, inputs: inputs, outputs: outputs, name: name, attributes: attrs))
    }
    add("Conv", ["x", "conv.w", "conv.b"], ["c"], "conv", [.ints("pads", [1, 1, 1, 1]), .ints("kernel_shape", [3, 3])])
    add("BatchNormalization", ["c", "bn.s", "bn.b", "bn.m", "bn.v"], ["bn"], "bn", [.float("epsilon", 1e-5)])
    add("Identity", ["bn"], ["id1"], "id1")
    add("Relu", ["id1"], ["r"], "relu")
    add("Dropout", ["r", "drop.ratio"], ["d"], "drop")
    // A static chain: Shape(d)[1:] = [4, 8, 8]; Concat([-1], that) → Reshape (a no-op reshape).
    add("Shape", ["d"], ["s0"], "shape0")
    add("Slice", ["s0", "one", "big"], ["s1"], "slice")
    add("Concat", ["minus1", "s1"], ["s2"], "concat0", [.int("axis", 0)])
    add("Reshape", ["d", "s2"], ["d2"], "reshape0")
    // PyTorch's x.view(x.size(0), -1).
    add("Shape", ["d2"], ["t0"], "shape1")
    add("Gather", ["t0", "zero"], ["t1"], "gather", [.int("axis", 0)])
    add("Unsqueeze", ["t1", "axes0"], ["t2"], "unsqueeze")
    add("Concat", ["t2", "minus1"], ["t3"], "concat1", [.int("axis", 0)])
    add("Reshape", ["d2", "t3"], ["flat"], "reshape1")
    add("Gemm", ["flat", "fc.w", "fc.b"], ["g"], "fc", [.int("transB", 1)])
    add("BatchNormalization", ["g", "bn2.s", "bn2.b", "bn2.m", "bn2.v"], ["g2"], "bn2")
    add("Identity", ["g2"], ["y"], "id2")
    let inits = [
      initializer("conv.w", [4, 3, 3, 3], seed: 1), initializer("conv.b", [4], seed: 2),
      initializer("bn.s", [4], seed: 3), initializer("bn.b", [4], seed: 4), initializer("bn.m", [4], seed: 5),
      initializer("bn.v", [4], seed: 6, positive: true),
      TensorProto(name: "drop.ratio", data: Tensor([Float(0.25)], shape: [])),
      ints("one", [1]), ints("big", [Int64.max]), ints("minus1", [-1]), ints("zero", [0], scalar: true), ints("axes0", [0]),
      initializer("fc.w", [5, 256], seed: 7), initializer("fc.b", [5], seed: 8),
      initializer("bn2.s", [5], seed: 9), initializer("bn2.b", [5], seed: 10), initializer("bn2.m", [5], seed: 11),
      initializer("bn2.v", [5], seed: 12, positive: true),
    ]
    let g = Graph(
      nodes: nodes, name: "synthetic", initializers: inits,
      inputs: [ValueInfo(name: "x", type: .tensor(.float, [.symbol("batch"), .value(3), .value(8), .value(8)]))],
      outputs: [ValueInfo(name: "y", type: .tensor(.float, [.symbol("batch"), .value(5)]))])
    return Model(irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: 13)], producerName: "onnx-tune tests", graph: g)
  }
}
