import TuneTensor

/// One dense (fully connected) layer of a classifier head.
public struct DenseLayer: Sendable {
  public enum Kind: String, Sendable {
    case gemm = "Gemm"
    case matMulAdd = "MatMul+Add"
    case matMul = "MatMul"
    case conv1x1 = "Conv 1x1"
    /// Any other convolution (only as a layer taken by `pop`).
    case conv = "Conv"
  }
  public var kind: Kind
  /// Node indices making the layer (MatMul then Add for `.matMulAdd`).
  public var nodeIndices: [Int]
  public var weight: String
  public var bias: String?
  /// The value feeding the layer, and the value it produces.
  public var input: String
  public var output: String
  public var inFeatures: Int?
  public var outFeatures: Int?
}

/// A weight tensor of the head.
public struct HeadWeight: Sendable {
  public var name: String
  public var shape: [Int]
  public var source: ConstantSource
}

/// The classifier head of a model: the nodes from the feature tensor to a classifier output.
public struct ClassifierHead: Sendable {
  /// The graph output the head produces.
  public var output: String
  /// Node indices of the head, in graph order (the dense layers and the ops after them).
  public var nodeIndices: [Int]
  /// The dense layers, last first (the one producing the logits comes first).
  public var layers: [DenseLayer]
  public var weights: [HeadWeight]
  public var numberOfClasses: Int?
  /// The value feeding the head, and its shape as far as known.
  public var featureTensor: String
  public var featureShape: ValueShape?
  /// The normalizing op at the end, if any (`Softmax`, `LogSoftmax`, `Sigmoid`).
  public var outputActivation: String?
  /// How the head was chosen: `detected`, `cut at T`, `pop N`.
  public var selection: String
}

/// Finds the classifier head of an imported graph, whatever the exporter.
///
/// From a classifier output, the detector walks back through `Softmax`, `LogSoftmax`,
/// `Identity`, `Dropout`, `Reshape`, `Flatten`, `Squeeze` and activations to the last dense
/// layer: a `Gemm`; a `MatMul` followed by an `Add` of a constant (tf2onnx, Paddle); a `MatMul`
/// with its bias elsewhere; or a 1x1 `Conv` used as a classifier (then also through the global
/// pooling after it). Weights may be initializers or `Constant` nodes. The value feeding that
/// layer is the *feature tensor*.
///
/// Overrides, as in Keras: `cutAt` names the feature tensor directly (`include_top=False`);
/// `pop: N` takes the last N weight layers (Gemm, MatMul, Conv; a BatchNormalization belongs to
/// the layer before it) as the head, walking back along a single path.
///
/// ```swift
/// let head = try HeadDetector.detect(model)
/// print(head.featureTensor, head.featureShape!, head.numberOfClasses!)
/// ```
public enum HeadDetector {
  public struct Options: Sendable {
    public var cutAt: String?
    public var pop: Int?
    /// The classifier output to use (default: the first output where a head is found).
    public var output: String?
    public init(cutAt: String? = nil, pop: Int? = nil, output: String? = nil) {
      self.cutAt = cutAt
      self.pop = pop
      self.output = output
    }
  }

  /// Ops between the last dense layer and the output that keep the head a head.
  static let tailOps: Set<String> = [
    "Softmax", "LogSoftmax", "Identity", "Dropout", "Reshape", "Flatten", "Squeeze", "Relu", "Sigmoid",
    "Tanh", "LeakyRelu", "Elu", "Selu", "Gelu", "HardSigmoid", "HardSwish", "Clip", "Softplus", "Mish",
    "PRelu", "Cast", "Transpose",
  ]
  /// Pooling after a 1x1 Conv classifier (SqueezeNet: Conv → Relu → GlobalAveragePool → Flatten).
  static let poolOps: Set<String> = ["GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "AveragePool"]
  static let normalizers: Set<String> = ["Softmax", "LogSoftmax", "Sigmoid"]

  /// The head for the chosen output (see `Options`).
  public static func detect(_ model: Model, options: Options = Options()) throws -> ClassifierHead {
    guard let graph = model.graph else { throw SurgeryError("the model has no graph") }
    if let p = options.pop, p < 1 { throw SurgeryError("pop expects a number of layers >= 1, got \(p)") }
    if options.cutAt != nil && options.pop != nil { throw SurgeryError("give either cut-at or pop, not both") }
    let shapes = ShapeInference(model)
    if let cut = options.cutAt { return try cutHead(graph, at: cut, output: options.output, shapes: shapes) }
    let outputs = options.output.map { [$0] } ?? graph.outputs.compactMap(\.name)
    var reasons: [String] = []
    for o in outputs {
      guard graph.outputs.contains(where: { $0.name == o }) else {
        throw SurgeryError("'\(o)' is not a graph output (outputs: \(graph.outputs.compactMap(\.name).joined(separator: ", ")))")
      }
      do {
        return try walk(graph, from: o, layers: options.pop ?? 1, popped: options.pop != nil, shapes: shapes)
      } catch let e as SurgeryError {
        reasons.append(e.message)
      }
    }
    throw SurgeryError("no classifier head found: \(reasons.joined(separator: "; ")) (use --cut-at TENSOR to name the feature tensor)")
  }

  /// Every output's head where one is found (for reports on multi-output models).
  public static func detectAll(_ model: Model) -> [ClassifierHead] {
    guard let graph = model.graph else { return [] }
    let shapes = ShapeInference(model)
    return graph.outputs.compactMap(\.name).compactMap {
      try? walk(graph, from: $0, layers: 1, popped: false, shapes: shapes)
    }
  }

  // MARK: - Walking back from an output

  static func walk(_ graph: Graph, from output: String, layers wanted: Int, popped: Bool, shapes: ShapeInference) throws
    -> ClassifierHead
  {
    let producer = graph.producerIndex
    var value = output
    var headNodes: [Int] = []
    var layers: [DenseLayer] = []
    var activation: String? = nil
    var steps = 0
    while true {
      // Each step moves to another node: more steps than nodes means a cycle (the reader
      // refuses those; a graph built in memory may still have one).
      steps += 1
      guard steps <= graph.nodes.count + 1 else {
        throw SurgeryError("output '\(output)': walking back from it loops at '\(value)' (the graph has a cycle)")
      }
      guard let p = producer[value] else {
        throw SurgeryError(
          "output '\(output)': walked back to '\(value)', a graph input or initializer, without finding \(layers.isEmpty ? "a dense layer" : "\(wanted) weight layers")")
      }
      let node = graph.nodes[p]
      let op = node.opType ?? "?"
      guard (node.domain ?? "").isEmpty || node.domain == "ai.onnx" else {
        throw SurgeryError("output '\(output)': node \(node.label) is in domain '\(node.domain!)'")
      }
      if let layer = denseLayer(graph, endingAt: p, producer: producer, anyConv: !layers.isEmpty),
        layers.isEmpty || popped
      {
        layers.append(layer)
        headNodes += layer.nodeIndices
        if layers.count == wanted {
          return finish(
            graph, output: output, nodes: headNodes, layers: layers, feature: layer.input, activation: activation,
            selection: popped ? "pop \(wanted)" : "detected", shapes: shapes)
        }
        value = layer.input
        continue
      }
      if layers.isEmpty {
        if activation == nil && headNodes.isEmpty && normalizers.contains(op) { activation = op }
        if tailOps.contains(op) || poolOps.contains(op) {
          headNodes.append(p)
          value = node.inputs[0]
          continue
        }
        throw SurgeryError(
          "output '\(output)': node \(node.label) is neither a dense layer nor an op a head ends with")
      }
      // Popping further back: any node with a single non-constant input is part of the layer.
      let dataInputs = node.inputs.filter { !$0.isEmpty && !graph.isConstant($0) }
      guard dataInputs.count == 1 else {
        throw SurgeryError(
          "output '\(output)': cannot pop past node \(node.label), which merges \(dataInputs.count) branches (use --cut-at)")
      }
      headNodes.append(p)
      value = dataInputs[0]
    }
  }

  /// The dense layer ending at node `p`; with `anyConv`, any Conv/ConvTranspose counts (for pop).
  static func denseLayer(_ graph: Graph, endingAt p: Int, producer: [String: Int], anyConv: Bool = false) -> DenseLayer? {
    let node = graph.nodes[p]
    func constShape(_ name: String) -> [Int]? { graph.constantTensor(name)?.tensor.shape }
    switch node.opType {
    case "Gemm" where node.isStandard("Gemm"):
      guard node.inputs.count >= 2, let w = constShape(node.inputs[1]), w.count == 2 else { return nil }
      guard ((try? node.int("transA", default: 0)) ?? 0) == 0 else { return nil }
      let tb = ((try? node.int("transB", default: 0)) ?? 0) != 0
      let bias = node.inputs.count > 2 && !node.inputs[2].isEmpty ? node.inputs[2] : nil
      return DenseLayer(
        kind: .gemm, nodeIndices: [p], weight: node.inputs[1], bias: bias, input: node.inputs[0],
        output: node.outputs[0], inFeatures: tb ? w[1] : w[0], outFeatures: tb ? w[0] : w[1])
    case "Add" where node.isStandard("Add"):
      guard node.inputs.count == 2 else { return nil }
      for (m, b) in [(0, 1), (1, 0)] {
        guard graph.isConstant(node.inputs[b]), let mp = producer[node.inputs[m]],
          graph.nodes[mp].isStandard("MatMul"),
          var layer = denseLayer(graph, endingAt: mp, producer: producer)
        else { continue }
        layer.kind = .matMulAdd
        layer.nodeIndices = [mp, p]
        layer.bias = node.inputs[b]
        layer.output = node.outputs[0]
        return layer
      }
      return nil
    case "MatMul" where node.isStandard("MatMul"):
      guard node.inputs.count == 2, let w = constShape(node.inputs[1]), w.count == 2 else { return nil }
      return DenseLayer(
        kind: .matMul, nodeIndices: [p], weight: node.inputs[1], bias: nil, input: node.inputs[0],
        output: node.outputs[0], inFeatures: w[0], outFeatures: w[1])
    case "Conv" where node.isStandard("Conv"), "ConvTranspose" where anyConv && node.isStandard("ConvTranspose"):
      guard node.inputs.count >= 2, let w = constShape(node.inputs[1]), w.count >= 3,
        anyConv || w.dropFirst(2).allSatisfy({ $0 == 1 }) && ((try? node.int("group", default: 1)) ?? 1) == 1
      else { return nil }
      let bias = node.inputs.count > 2 && !node.inputs[2].isEmpty ? node.inputs[2] : nil
      return DenseLayer(
        kind: w.dropFirst(2).allSatisfy({ $0 == 1 }) && node.isStandard("Conv") ? .conv1x1 : .conv,
        nodeIndices: [p], weight: node.inputs[1], bias: bias, input: node.inputs[0],
        output: node.outputs[0], inFeatures: w[1], outFeatures: w[0])
    default:
      return nil
    }
  }

  // MARK: - Cut at a tensor

  static func cutHead(_ graph: Graph, at cut: String, output: String?, shapes: ShapeInference) throws -> ClassifierHead {
    let known = Set(graph.nodes.flatMap(\.outputs) + graph.inputs.compactMap(\.name))
    guard known.contains(cut) else {
      // Accept a node name too: cut at that node's (first) output.
      if let n = graph.nodes.first(where: { $0.name == cut }), let o = n.outputs.first {
        return try cutHead(graph, at: o, output: output, shapes: shapes)
      }
      throw SurgeryError("cut-at: no value or node named '\(cut)' in the graph")
    }
    if graph.outputs.contains(where: { $0.name == cut }) {
      throw SurgeryError("cut-at: '\(cut)' is a graph output; name a tensor before the head")
    }
    // Nodes downstream of the cut.
    var downstream = Set<String>([cut])
    var downNodes = Set<Int>()
    for (i, n) in graph.nodes.enumerated() where n.inputs.contains(where: downstream.contains) {
      downNodes.insert(i)
      for o in n.outputs where !o.isEmpty { downstream.insert(o) }
    }
    let candidates = output.map { [$0] } ?? graph.outputs.compactMap(\.name).filter(downstream.contains)
    guard let out = candidates.first, downstream.contains(out) else {
      throw SurgeryError("cut-at: no graph output depends on '\(cut)'")
    }
    // Keep the downstream nodes the output needs.
    let producer = graph.producerIndex
    var needed = Set<Int>()
    var stack = [out]
    while let v = stack.popLast() {
      guard let p = producer[v], downNodes.contains(p), needed.insert(p).inserted else { continue }
      stack += graph.nodes[p].inputs.filter { !$0.isEmpty }
    }
    let nodes = needed.sorted()
    var layers: [DenseLayer] = []
    for i in nodes.reversed() {
      if let l = denseLayer(graph, endingAt: i, producer: producer),
        !layers.contains(where: { $0.nodeIndices.contains(i) })
      {
        layers.append(l)
      }
    }
    var activation: String? = nil
    if let p = producer[out], normalizers.contains(graph.nodes[p].opType ?? "") { activation = graph.nodes[p].opType }
    return finish(
      graph, output: out, nodes: nodes, layers: layers, feature: cut, activation: activation,
      selection: "cut at \(cut)", shapes: shapes)
  }

  static func finish(
    _ graph: Graph, output: String, nodes: [Int], layers: [DenseLayer], feature: String, activation: String?,
    selection: String, shapes: ShapeInference
  ) -> ClassifierHead {
    var weights: [HeadWeight] = []
    var seen = Set<String>()
    for i in nodes.sorted() {
      for v in graph.nodes[i].inputs where !v.isEmpty && !seen.contains(v) {
        guard let (t, source) = graph.constantTensor(v), t.dtype.isFloatingPoint else { continue }
        seen.insert(v)
        weights.append(HeadWeight(name: v, shape: t.shape, source: source))
      }
    }
    var featureShape = shapes[feature]
    // The first dense layer's input width tells the feature width when inference could not.
    if let first = layers.last, first.input == feature, let width = first.inFeatures {
      if var dims = featureShape?.dims, !dims.isEmpty, dims.last == .unknown, first.kind != .conv1x1 {
        dims[dims.count - 1] = .value(Int64(width))
        featureShape?.dims = dims
      } else if featureShape?.dims == nil {
        featureShape = ValueShape(featureShape?.elementType ?? .float, [.unknown, .value(Int64(width))])
      }
    }
    var classes = layers.first?.outFeatures
    if let last = shapes[output]?.dims?.last?.fixedValue, layers.isEmpty || selection.hasPrefix("cut") {
      classes = Int(last)
    }
    return ClassifierHead(
      output: output, nodeIndices: nodes.sorted(), layers: layers, weights: weights, numberOfClasses: classes,
      featureTensor: feature, featureShape: featureShape, outputActivation: activation, selection: selection)
  }
}

/// A surgery request that does not fit the model (no head found, bad spec, unknown tensor).
public struct SurgeryError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
