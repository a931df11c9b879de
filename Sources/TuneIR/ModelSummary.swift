import TuneTensor

/// What `onnx-tune inspect` reports about a model, in the spirit of Keras' `model.summary()`.
public struct ModelSummary: Sendable {
  public struct Value: Sendable {
    public var name: String
    /// Element type name (`float`, `int64`, ...), or a description of a non-tensor type.
    public var type: String
    /// Dims (numbers, symbolic names, or "?"), nil when the rank is unknown.
    public var shape: [String]?
  }

  public struct NodeRow: Sendable {
    public var index: Int
    public var opType: String
    public var domain: String
    public var name: String
    public var inputs: [String]
    public var outputs: [Value]
    /// Nodes inside this node's subgraphs (If, Loop, Scan), counted recursively.
    public var subgraphNodes: Int
  }

  public var producer: String
  public var irVersion: Int64?
  public var opsets: [(domain: String, version: Int64)]
  public var graphName: String
  public var inputs: [Value]
  public var outputs: [Value]
  public var nodes: [NodeRow]
  /// Tensors, floating-point elements (parameters) and bytes held in graph initializers (main graph).
  public var initializerCount: Int
  public var initializerParameters: Int
  public var initializerBytes: Int
  /// Elements and bytes held in `Constant` nodes (weights exporters such as Paddle keep there).
  public var constantCount: Int
  public var constantParameters: Int
  public var constantBytes: Int
  /// Op type → number of nodes (main graph and subgraphs).
  public var opHistogram: [(opType: String, count: Int)]
  public var metadata: [(key: String, value: String)]
  public var functions: [String]
  public var docString: String?

  public init(_ model: Model) {
    let graph = model.graph ?? Graph()
    producer = [model.producerName, model.producerVersion].compactMap { $0 }.filter { !$0.isEmpty }
      .joined(separator: " ")
    irVersion = model.irVersion
    opsets = model.opsetImports.map { (($0.domain ?? "").isEmpty ? "ai.onnx" : $0.domain!, $0.version ?? 0) }
    graphName = graph.name ?? ""
    docString = model.docString
    var types: [String: TypeProto] = [:]
    for v in graph.inputs + graph.outputs + graph.valueInfo {
      if let n = v.name, let t = v.type { types[n] = t }
    }
    for t in graph.initializers {
      if let n = t.name, types[n] == nil {
        types[n] = .tensor(t.data.dtype, t.dims.map { .value($0) })
      }
    }
    func value(_ name: String) -> Value { ModelSummary.describe(name, types[name]) }
    let initializerNames = Set(graph.initializers.compactMap(\.name))
    inputs = graph.inputs.compactMap(\.name).filter { !initializerNames.contains($0) }.map(value)
    outputs = graph.outputs.compactMap(\.name).map(value)
    var histogram: [String: Int] = [:]
    func countOps(_ g: Graph) -> Int {
      var total = 0
      for n in g.nodes {
        let key = (n.domain ?? "").isEmpty || n.domain == "ai.onnx" ? (n.opType ?? "?") : "\(n.domain!).\(n.opType ?? "?")"
        histogram[key, default: 0] += 1
        total += 1
        for a in n.attributes { for sg in a.graphStorage + a.graphs { total += countOps(sg) } }
      }
      return total
    }
    var rows: [NodeRow] = []
    for (i, n) in graph.nodes.enumerated() {
      let key = (n.domain ?? "").isEmpty || n.domain == "ai.onnx" ? (n.opType ?? "?") : "\(n.domain!).\(n.opType ?? "?")"
      histogram[key, default: 0] += 1
      var sub = 0
      for a in n.attributes { for sg in a.graphStorage + a.graphs { sub += countOps(sg) } }
      rows.append(
        NodeRow(
          index: i, opType: n.opType ?? "?", domain: n.domain ?? "", name: n.name ?? "", inputs: n.inputs,
          outputs: n.outputs.filter { !$0.isEmpty }.map(value), subgraphNodes: sub))
    }
    nodes = rows
    opHistogram = histogram.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
      .map { ($0.key, $0.value) }
    initializerCount = graph.initializers.count + graph.sparseInitializers.count
    // Parameters are floating-point elements; integer tensors (shapes, indices) are not weights.
    func parameters(_ t: Tensor) -> Int { t.dtype.isFloatingPoint ? t.count : 0 }
    initializerParameters = graph.initializers.reduce(0) { $0 + parameters($1.data) }
      + graph.sparseInitializers.reduce(0) { $0 + ($1.values.map { parameters($0.data) } ?? 0) }
    initializerBytes = graph.initializers.reduce(0) { $0 + ($1.data.dtype == .string ? 0 : $1.data.byteCount) }
      + graph.sparseInitializers.reduce(0) { $0 + ($1.values?.data.byteCount ?? 0) }
    var cCount = 0
    var cParams = 0
    var cBytes = 0
    for n in graph.nodes where n.opType == "Constant" && ((n.domain ?? "").isEmpty || n.domain == "ai.onnx") {
      for a in n.attributes {
        if let t = a.t {
          cCount += 1
          cParams += parameters(t.data)
          cBytes += t.data.dtype == .string ? 0 : t.data.byteCount
        } else if let s = a.sparseTensor, let v = s.values {
          cCount += 1
          cParams += parameters(v.data)
          cBytes += v.data.byteCount
        }
      }
    }
    constantCount = cCount
    constantParameters = cParams
    constantBytes = cBytes
    metadata = model.metadataProps.map { ($0.key ?? "", $0.value ?? "") }
    functions = model.functions.map { [$0.domain, $0.name].compactMap { $0 }.joined(separator: ".") }
  }

  static func describe(_ name: String, _ type: TypeProto?) -> Value {
    guard let type, let v = type.value else { return Value(name: name, type: "?", shape: nil) }
    switch v {
    case .tensor(let e, let shape, _), .sparseTensor(let e, let shape, _):
      let elem = e.flatMap { DType(rawValue: $0) }.map(\.description) ?? "?"
      let dims = shape.map { $0.dim.map { $0.value.description } }
      if case .sparseTensor = v { return Value(name: name, type: "sparse " + elem, shape: dims) }
      return Value(name: name, type: elem, shape: dims)
    case .sequence(let e, _): return Value(name: name, type: "sequence<\(describe("", e).typeDescription)>", shape: nil)
    case .optional(let e, _): return Value(name: name, type: "optional<\(describe("", e).typeDescription)>", shape: nil)
    case .map(let k, let val, _):
      let key = k.flatMap { DType(rawValue: $0) }.map(\.description) ?? "?"
      return Value(name: name, type: "map<\(key), \(describe("", val).typeDescription)>", shape: nil)
    }
  }
}

extension ModelSummary.Value {
  /// `float[batch,3,224,224]`, `int64[?]`, or `float` when the rank is unknown.
  public var typeDescription: String {
    guard let shape else { return type }
    return "\(type)[\(shape.joined(separator: ","))]"
  }
}
