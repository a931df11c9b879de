import Foundation
import TuneTensor

/// Replaces a classifier head with a new one built from a `HeadSpec`, as standard ONNX ops
/// (`Gemm`, `Relu`, `Dropout`, `BatchNormalization`, `GlobalAveragePool`, `Flatten`,
/// `Softmax`...), keeping the original output name so deployment code keeps working.
///
/// Initialization (seeded with `SeededRandom`, so one seed gives one head):
/// - a dense layer followed by `relu` or `gelu`: He uniform, `U(-sqrt(6/fanIn), sqrt(6/fanIn))`;
/// - any other dense layer: Glorot uniform, `U(-sqrt(6/(fanIn+fanOut)), ...)`;
/// - biases 0; BatchNormalization scale 1, bias 0, mean 0, variance 1.
///
/// The old head's nodes become dead and `DeadNodeElimination` removes them (with their weights).
///
/// ```swift
/// let head = try HeadDetector.detect(model)
/// let spec = try HeadSpec(parsing: "dense:256:relu,dropout:0.3,dense:CLASSES")
/// try PassDriver.run([ReplaceClassifierHead(head: head, spec: spec, classes: 5), DeadNodeElimination()], on: &model)
/// ```
public struct ReplaceClassifierHead: GraphPass {
  public let name = "ReplaceClassifierHead"
  public var head: ClassifierHead
  public var spec: HeadSpec
  /// The number of classes (`CLASSES` in the spec); default: the old head's.
  public var classes: Int?
  /// The op ending the head (`Softmax`, `LogSoftmax`, `Sigmoid`) or nil for logits; default:
  /// whatever the old head ended with.
  public var outputActivation: String??
  public var seed: UInt64

  public init(head: ClassifierHead, spec: HeadSpec = .standard, classes: Int? = nil, outputActivation: String?? = nil, seed: UInt64 = 0) {
    self.head = head
    self.spec = spec
    self.classes = classes
    self.outputActivation = outputActivation
    self.seed = seed
  }

  /// The number of classes the new head produces.
  public func resolvedClasses() throws -> Int {
    if let classes { return classes }
    if let n = head.numberOfClasses { return n }
    for l in spec.layers.reversed() { if case .dense(.fixed(let n), _) = l { return n } }
    throw SurgeryError("the number of classes is unknown; give it (--classes N)")
  }

  public func patch(for model: Model) throws -> GraphPatch {
    do {
      return try makePatch(model)
    } catch var e as PassError where e.node == nil {
      // Name the node being replaced: the one producing the classifier output.
      let graph = model.graph!
      if let p = graph.producerIndex[head.output] { e.node = graph.nodes[p].label }
      throw e
    }
  }

  func makePatch(_ model: Model) throws -> GraphPatch {
    let graph = model.graph!
    let opset = model.opsetVersion() ?? 13
    let classes = try resolvedClasses()
    guard classes > 0 else { throw PassError("the number of classes must be positive, got \(classes)") }
    let activation = outputActivation ?? head.outputActivation
    guard let last = graph.producerIndex[head.output] else {
      throw PassError("output '\(head.output)' is not produced by a node")
    }
    guard var dims = head.featureShape?.dims else {
      throw PassError("the shape of the feature tensor '\(head.featureTensor)' is unknown")
    }
    let elementType = head.featureShape?.elementType ?? .float
    guard elementType == .float else {
      throw PassError("the feature tensor '\(head.featureTensor)' is \(elementType), expected float")
    }
    var builder = HeadBuilder(graph: graph, opset: opset, seed: seed)
    var value = head.featureTensor
    let denseCount = spec.layers.filter { if case .dense = $0 { return true } else { return false } }.count
    var denseSeen = 0
    for (index, layer) in spec.layers.enumerated() {
      let item = "head spec item \(index + 1) '\(HeadSpec(layers: [layer]).description)'"
      switch layer {
      case .globalAveragePool:
        guard dims.count >= 3 else { throw PassError("\(item): the input is \(dims.count)-D, GlobalAveragePool needs 3-D or more") }
        value = builder.node("GlobalAveragePool", [value], "pool")
        dims = Array(dims[0..<2]) + Array(repeating: .value(1), count: dims.count - 2)
      case .flatten:
        value = builder.node("Flatten", [value], "flatten", attributes: [.int("axis", 1)])
        dims = [dims[0], ShapeInference.product(dims[1...])]
      case .dense(let w, let act):
        denseSeen += 1
        guard dims.count == 2 else {
          throw PassError(
            "\(item): the input \(ValueShape(.float, dims)) is not 2-D; start the head with globalavgpool or flatten")
        }
        guard let fanIn = dims[1].fixedValue.map({ Int($0) }), fanIn > 0 else {
          throw PassError("\(item): the input width of \(ValueShape(.float, dims)) is not known")
        }
        let fanOut: Int
        switch w {
        case .fixed(let n): fanOut = n
        case .classes: fanOut = classes
        }
        if denseSeen == denseCount && fanOut != classes {
          throw PassError("\(item): the last dense layer gives \(fanOut) outputs but the head needs \(classes) classes")
        }
        value = builder.dense(value, fanIn: fanIn, fanOut: fanOut, heInit: act.isReLUFamily)
        value = builder.activation(act, value)
        dims = [dims[0], .value(Int64(fanOut))]
      case .dropout(let p):
        value = builder.dropout(value, ratio: p)
      case .batchNorm:
        guard dims.count >= 2, let c = dims[1].fixedValue.map({ Int($0) }) else {
          throw PassError("\(item): the number of features of \(ValueShape(.float, dims)) is not known")
        }
        value = builder.batchNorm(value, channels: c)
      case .activation(let act):
        value = builder.activation(act, value)
      }
    }
    guard dims.count == 2 else {
      throw PassError("the head ends with a \(dims.count)-D value; a classifier output must be 2-D")
    }
    if let activation {
      let attrs: [Attribute] = activation == "Sigmoid" ? [] : [.int("axis", opset >= 13 ? -1 : 1)]
      value = builder.node(activation, [value], activation.lowercased(), attributes: attrs)
    }
    let patch = builder.patch
    // The last new node produces the original output name.
    guard let j = patch.addedNodes.lastIndex(where: { $0.outputs.contains(value) }) else {
      throw PassError("the head spec adds no node")
    }
    var lastNode = patch.addedNodes[j]
    lastNode.outputs = lastNode.outputs.map { $0 == value ? head.output : $0 }
    var rebuilt = GraphPatch()
    for (k, n) in patch.addedNodes.enumerated() { rebuilt.addNode(k == j ? lastNode : n) }
    for t in patch.upsertedInitializers { rebuilt.setInitializer(t) }
    rebuilt.removeNode(at: last)
    let batch = graph.outputs.first(where: { $0.name == head.output })?.type?.tensorDims?.first ?? dims[0]
    rebuilt.setValueType(head.output, .tensor(.float, [batch, .value(Int64(classes))]))
    return rebuilt
  }
}

/// Emits the nodes and initializers of a new head under a fresh name prefix.
struct HeadBuilder {
  var patch = GraphPatch()
  let opset: Int
  let prefix: String
  var random: SeededRandom
  var counters: [String: Int] = [:]

  init(graph: Graph, opset: Int, seed: UInt64) {
    self.opset = opset
    random = SeededRandom(seed: seed)
    let names = Set(graph.nodes.compactMap(\.name) + graph.nodes.flatMap(\.outputs) + graph.initializers.compactMap(\.name))
    var p = "head"
    var k = 1
    while names.contains(where: { $0.hasPrefix(p + "/") || $0.hasPrefix(p + ".") }) {
      p = "head_\(k)"
      k += 1
    }
    prefix = p
  }

  mutating func unique(_ kind: String) -> String {
    let k = counters[kind, default: 0]
    counters[kind] = k + 1
    return "\(kind)_\(k)"
  }

  /// Adds a node with one output; returns the output name.
  mutating func node(_ op: String, _ inputs: [String], _ kind: String, attributes: [Attribute] = []) -> String {
    let id = unique(kind)
    let out = "\(prefix)/\(id)/\(op)_output_0"
    patch.addNode(Node(opType: op, inputs: inputs, outputs: [out], name: "\(prefix)/\(id)/\(op)", attributes: attributes))
    return out
  }

  mutating func initializer(_ name: String, _ t: Tensor) -> String {
    let n = "\(prefix).\(name)"
    patch.setInitializer(TensorProto(name: n, data: t))
    return n
  }

  mutating func dense(_ x: String, fanIn: Int, fanOut: Int, heInit: Bool) -> String {
    let id = "dense_\(counters["dense", default: 0])"
    let limit = heInit ? (6.0 / Float(fanIn)).squareRoot() : (6.0 / Float(fanIn + fanOut)).squareRoot()
    var w = [Float](repeating: 0, count: fanIn * fanOut)
    for i in w.indices { w[i] = (random.nextFloat() * 2 - 1) * limit }
    let weight = initializer("\(id).weight", Tensor(w, shape: [fanOut, fanIn]))
    let bias = initializer("\(id).bias", Tensor(zeros: .float, shape: [fanOut]))
    return node("Gemm", [x, weight, bias], "dense", attributes: [.float("alpha", 1), .float("beta", 1), .int("transB", 1)])
  }

  mutating func activation(_ act: HeadSpec.Activation, _ x: String) -> String {
    switch act {
    case .none: return x
    case .relu: return node("Relu", [x], "relu")
    case .tanh: return node("Tanh", [x], "tanh")
    case .sigmoid: return node("Sigmoid", [x], "sigmoid")
    case .gelu:
      if opset >= 20 { return node("Gelu", [x], "gelu") }
      // gelu(x) = 0.5 x (1 + erf(x / sqrt 2)), the exact form of opset 20's Gelu.
      let id = unique("gelu")
      let sqrt2 = initializer("\(id).sqrt2", Tensor([Float(2).squareRoot()], shape: []))
      let one = initializer("\(id).one", Tensor([Float(1)], shape: []))
      let half = initializer("\(id).half", Tensor([Float(0.5)], shape: []))
      let d = node("Div", [x, sqrt2], id)
      let e = node("Erf", [d], id)
      let a = node("Add", [e, one], id)
      let m = node("Mul", [x, a], id)
      return node("Mul", [m, half], id)
    }
  }

  mutating func dropout(_ x: String, ratio: Float) -> String {
    if opset >= 12 {
      let id = "dropout_\(counters["dropout", default: 0])"
      let r = initializer("\(id).ratio", Tensor([ratio], shape: []))
      return node("Dropout", [x, r], "dropout")
    }
    return node("Dropout", [x], "dropout", attributes: [.float("ratio", ratio)])
  }

  mutating func batchNorm(_ x: String, channels c: Int) -> String {
    let id = "batchnorm_\(counters["batchnorm", default: 0])"
    let scale = initializer("\(id).weight", Tensor([Float](repeating: 1, count: c), shape: [c]))
    let bias = initializer("\(id).bias", Tensor(zeros: .float, shape: [c]))
    let mean = initializer("\(id).running_mean", Tensor(zeros: .float, shape: [c]))
    let variance = initializer("\(id).running_var", Tensor([Float](repeating: 1, count: c), shape: [c]))
    return node(
      "BatchNormalization", [x, scale, bias, mean, variance], "batchnorm",
      attributes: [.float("epsilon", 1e-5), .float("momentum", 0.9)])
  }
}
