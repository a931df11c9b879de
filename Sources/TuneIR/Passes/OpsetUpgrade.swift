import TuneTensor

/// Moves a model's default-domain opset up to `target` (from opset 11 or later), rewriting the
/// nodes whose attributes became inputs or whose meaning changed on the way:
///
/// | op | at | change |
/// |---|---|---|
/// | Softmax, LogSoftmax, Hardmax | 13 | coerce-to-2-D at `axis` → one axis: kept when the axis is the last, else Flatten → op → Reshape |
/// | ReduceSum | 13 | `axes` attribute → input |
/// | ReduceMean/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare | 18 | `axes` attribute → input |
/// | Squeeze, Unsqueeze | 13 | `axes` attribute → input |
/// | Split | 13 | `split` attribute → input |
/// | Dropout | 12 | `ratio` attribute → input |
///
/// Every other op must be one whose later versions only widen types or add optional
/// attributes/inputs with defaults that keep the old meaning (`compatible` below); anything
/// else is an error naming the node, never a silently wrong file. Subgraphs are not rewritten
/// (a model with control flow is refused).
public struct OpsetUpgrade: GraphPass {
  public let target: Int
  public var name: String { "OpsetUpgrade" }

  public init(target: Int) { self.target = target }

  /// Ops whose semantics do not change between opset 11 and 21 for valid models.
  static let compatible: Set<String> = [
    "Abs", "Acos", "Acosh", "Add", "And", "ArgMax", "ArgMin", "Asin", "Asinh", "Atan", "Atanh", "AveragePool",
    "BatchNormalization", "Cast", "Ceil", "Celu", "Clip", "Concat", "Constant", "ConstantOfShape", "Conv",
    "ConvTranspose", "Cos", "Cosh", "CumSum", "DepthToSpace", "Div", "Einsum", "Elu", "Equal", "Erf", "Exp",
    "Expand", "Flatten", "Floor", "Gather", "GatherElements", "GatherND", "Gelu", "Gemm", "GlobalAveragePool",
    "GlobalMaxPool", "Greater", "GreaterOrEqual", "HardSigmoid", "HardSwish", "Identity", "InstanceNormalization",
    "IsInf", "IsNaN", "LRN", "LayerNormalization", "LeakyRelu", "Less", "LessOrEqual", "Log", "MatMul", "Max",
    "MaxPool", "Mean", "Min", "Mish", "Mod", "Mul", "Neg", "NonZero", "Not", "OneHot", "Or", "PRelu", "Pad", "Pow",
    "Range", "Reciprocal", "Relu", "Reshape", "Resize", "Round", "ScatterElements", "ScatterND", "Selu", "Shape",
    "Sigmoid", "Sign", "Sin", "Sinh", "Size", "Slice", "Softplus", "Softsign", "SpaceToDepth", "Sqrt", "Sub", "Sum",
    "Tan", "Tanh", "ThresholdedRelu", "Tile", "TopK", "Transpose", "Trilu", "Where", "Xor",
  ]
  static let softmaxLike: Set<String> = ["Softmax", "LogSoftmax", "Hardmax"]
  static let reduce18: Set<String> = [
    "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
    "ReduceSumSquare",
  ]

  public func patch(for model: Model) throws -> GraphPatch {
    var patch = GraphPatch()
    guard let source = model.opsetVersion() else { throw PassError("the model imports no default-domain opset") }
    guard target >= source else { throw PassError("opset \(source) cannot be downgraded to \(target)") }
    guard source >= 11 else { throw PassError("upgrading is supported from opset 11 on; the model has opset \(source)") }
    guard target <= 21 else { throw PassError("opset \(target) is beyond what onnx-tune implements (21)") }
    if target == source { return patch }
    let graph = model.graph!
    let shapes = ShapeInference(model)
    func crosses(_ version: Int) -> Bool { source < version && target >= version }
    func axesInput(_ node: Node, attribute: String, index: Int) throws -> Node {
      var n = node
      guard let axes = try node.ints(attribute) else { return n }
      let name = "\(node.name ?? node.outputs.first ?? "node")_\(attribute)"
      patch.setInitializer(TensorProto(name: name, data: Tensor(axes.map(Int64.init), shape: [axes.count])))
      n.attributes.removeAll { $0.name == attribute }
      while n.inputs.count < index { n.inputs.append("") }
      n.inputs.insert(name, at: index)
      return n
    }
    for (i, node) in graph.nodes.enumerated() {
      guard (node.domain ?? "").isEmpty || node.domain == "ai.onnx" else { continue }
      let op = node.opType ?? ""
      if node.attributes.contains(where: { !$0.graphStorage.isEmpty || !$0.graphs.isEmpty }) {
        throw PassError(node: node, "nodes with subgraphs are not upgraded")
      }
      if Self.softmaxLike.contains(op) && crosses(13) {
        let axis = try node.int("axis", default: 1)
        guard let rank = shapes[node.inputs[0]]?.rank else {
          throw PassError(node: node, "the input's rank is unknown, so the opset-13 axis change cannot be made safely")
        }
        let a = axis < 0 ? axis + rank : axis
        if a == rank - 1 {
          var n = node
          n.attributes.removeAll { $0.name == "axis" }
          n.attributes.append(.int("axis", Int64(a)))
          patch.replaceNode(at: i, with: n)
        } else {
          // Old semantics: flatten to [prod(before), prod(from axis)], normalize rows, restore the shape.
          let base = node.name ?? node.outputs[0]
          let flat = base + "_flat", normalized = base + "_rows", shape = base + "_shape"
          patch.addNode(Node(opType: "Shape", inputs: [node.inputs[0]], outputs: [shape], name: base + "/Shape"))
          patch.addNode(
            Node(opType: "Flatten", inputs: [node.inputs[0]], outputs: [flat], name: base + "/Flatten", attributes: [.int("axis", Int64(a))]))
          var n = node
          n.inputs = [flat]
          n.outputs = [normalized]
          n.attributes.removeAll { $0.name == "axis" }
          n.attributes.append(.int("axis", 1))
          patch.replaceNode(at: i, with: n)
          patch.addNode(Node(opType: "Reshape", inputs: [normalized, shape], outputs: node.outputs, name: base + "/Reshape"))
        }
      } else if op == "ReduceSum" && crosses(13) {
        patch.replaceNode(at: i, with: try axesInput(node, attribute: "axes", index: 1))
      } else if Self.reduce18.contains(op) && crosses(18) {
        patch.replaceNode(at: i, with: try axesInput(node, attribute: "axes", index: 1))
      } else if (op == "Squeeze" || op == "Unsqueeze") && crosses(13) {
        patch.replaceNode(at: i, with: try axesInput(node, attribute: "axes", index: 1))
      } else if op == "Dropout" {
        guard crosses(12), let ratio = try node.floatIfPresent("ratio") else { continue }
        var n = node
        let name = "\(node.name ?? node.outputs[0])_ratio"
        patch.setInitializer(TensorProto(name: name, data: Tensor(scalar: ratio)))
        n.attributes.removeAll { $0.name == "ratio" }
        n.inputs = [node.inputs[0], name]
        patch.replaceNode(at: i, with: n)
      } else if op == "Split" && crosses(13) {
        patch.replaceNode(at: i, with: try axesInput(node, attribute: "split", index: 1))
      } else if !Self.compatible.contains(op) && !(Self.softmaxLike.contains(op) || op == "ReduceSum" || Self.reduce18.contains(op)
        || ["Squeeze", "Unsqueeze", "Split"].contains(op))
      {
        throw PassError(node: node, "\(op) is not known to keep its meaning from opset \(source) to \(target)")
      }
    }
    return patch
  }

  /// Runs the pass and sets the default-domain opset import to `target`.
  public static func upgrade(_ model: inout Model, to target: Int) throws {
    try PassDriver.run([OpsetUpgrade(target: target)], on: &model)
    for i in model.opsetImports.indices where (model.opsetImports[i].domain ?? "").isEmpty || model.opsetImports[i].domain == "ai.onnx" {
      model.opsetImports[i].version = Int64(target)
    }
    // Opset 14+ BatchNormalization and friends need IR version 7 or later; opset 21 needs IR 10.
    let ir: Int64 = target >= 21 ? 10 : target >= 19 ? 9 : target >= 15 ? 8 : 7
    if (model.irVersion ?? 0) < ir { model.irVersion = ir }
  }
}
